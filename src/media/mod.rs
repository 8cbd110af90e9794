//! Where uploaded images live: an `object_store` — a local directory by
//! default, or an S3-compatible bucket that several machines share.
//! Objects are content-addressed (`<sha256>.<ext>`, stored under the first
//! two hex digits), so one image uploaded twice is stored once and a name,
//! once served, never changes: it may be cached for a year.
//!
//! Owns storage and the CPU-heavy processing slot; which media exist and who
//! uses them is the domain's (`domain::media`).

pub mod image;

use crate::config::Settings;
use bytes::Bytes;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt};
use std::sync::Arc;

/// The store and the limits of uploads.
pub struct MediaStore {
    store: Arc<dyn ObjectStore>,
    pub limits: image::Limits,
    /// One image is decoded at a time in a process: the pixel limit then
    /// bounds the memory uploads take, whatever their number.
    processing: tokio::sync::Semaphore,
}

impl MediaStore {
    /// The bucket when `media.s3_bucket` is set, else the directory
    /// `media.dir` (created if missing).
    pub fn from_settings(settings: &Settings) -> anyhow::Result<MediaStore> {
        let m = &settings.media;
        let store: Arc<dyn ObjectStore> = if m.s3_bucket.is_empty() {
            std::fs::create_dir_all(&m.dir).map_err(|e| {
                anyhow::anyhow!(
                    "cannot create the media directory {} (media.dir): {e}",
                    m.dir
                )
            })?;
            Arc::new(object_store::local::LocalFileSystem::new_with_prefix(
                &m.dir,
            )?)
        } else {
            let mut b = object_store::aws::AmazonS3Builder::new()
                .with_bucket_name(&m.s3_bucket)
                .with_region(&m.s3_region);
            if !m.s3_endpoint.is_empty() {
                b = b
                    .with_endpoint(m.s3_endpoint.trim_end_matches('/'))
                    .with_allow_http(m.s3_endpoint.starts_with("http://"));
            }
            if !m.s3_access_key_id.is_empty() {
                b = b
                    .with_access_key_id(&m.s3_access_key_id)
                    .with_secret_access_key(&m.s3_secret_access_key);
            }
            Arc::new(b.build()?)
        };
        Ok(MediaStore {
            store,
            limits: image::Limits {
                max_bytes: m.max_bytes,
                max_pixels: m.max_pixels,
            },
            processing: tokio::sync::Semaphore::new(1),
        })
    }

    /// Check and clean an upload (off the async threads, one at a time).
    pub async fn process(&self, bytes: Bytes) -> Result<image::Processed, image::Refusal> {
        let limits = self.limits;
        let _slot = self.processing.acquire().await.map_err(|_| {
            image::Refusal::Invalid("the server is shutting down; try again".into())
        })?;
        tokio::task::spawn_blocking(move || image::process(&bytes, limits))
            .await
            .unwrap_or_else(|e| {
                Err(image::Refusal::Invalid(format!(
                    "the image could not be processed: {e}"
                )))
            })
    }

    /// Store `bytes` under their name (the same bytes always get the same
    /// name, so storing them again changes nothing).
    pub async fn put(&self, name: &str, bytes: Vec<u8>) -> object_store::Result<()> {
        self.store
            .put(&path(name), Bytes::from(bytes).into())
            .await
            .map(|_| ())
    }

    /// A stored object, or `None`.
    pub async fn get(&self, name: &str) -> object_store::Result<Option<Bytes>> {
        match self.store.get(&path(name)).await {
            Ok(found) => found.bytes().await.map(Some),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Remove a stored object (gone already is fine).
    pub async fn delete(&self, name: &str) -> object_store::Result<()> {
        match self.store.delete(&path(name)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

/// The content address of `bytes`: their SHA-256 in hex and `.ext`.
pub fn name_of(bytes: &[u8], ext: &str) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes);
    format!("{}.{ext}", hex::encode(digest.as_ref()))
}

/// Is `name` a media name we could have made (and so safe as a path)?
pub fn valid_name(name: &str) -> bool {
    match name.split_once('.') {
        Some((hash, ext)) => {
            hash.len() == 64
                && hash
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
                && content_type(ext).is_some()
        }
        None => false,
    }
}

/// The content type of a stored file by its extension.
pub fn content_type(ext: &str) -> Option<&'static str> {
    crate::content::image_type(&format!("x.{ext}"))
}

fn path(name: &str) -> Path {
    let shard: String = name.chars().take(2).collect();
    Path::from(format!("{shard}/{name}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let n = name_of(b"abc", "png");
        assert_eq!(
            n,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad.png"
        );
        assert!(valid_name(&n));
        for bad in [
            "../etc/passwd",
            "x.png",
            &n.replace(".png", ".svg"),
            &n.to_uppercase(),
        ] {
            assert!(!valid_name(bad), "{bad}");
        }
        assert_eq!(path(&n).as_ref(), format!("ba/{n}"));
    }
}
