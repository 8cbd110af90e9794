//! `POST /api/v1/media`: upload an image (multipart: `file`, `alt`).

use super::*;
use crate::error::{AppError, AppResult};
use axum::extract::Multipart;
use axum::http::StatusCode;

/// An uploaded image as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct MediaOut {
    /// Give it as an article's `cover`, a community's `icon`/`banner` or a
    /// person's `avatar`.
    id: String,
    /// The display size (at most 1920 pixels a side); use it in Markdown
    /// as `![description](url)`.
    url: String,
    width: i32,
    height: i32,
    alt: String,
    /// `image/jpeg`, `image/png`, `image/webp` or `image/gif`.
    #[serde(rename = "type")]
    mime: String,
    thumbnail: ThumbnailOut,
}

/// The small size (at most 400 pixels a side).
#[derive(Serialize, ToSchema)]
pub struct ThumbnailOut {
    url: String,
    width: i32,
    height: i32,
}

pub fn media_json(data: &Data, m: &entity::media::Model) -> MediaOut {
    use crate::domain::media::url;
    MediaOut {
        id: m.uuid.clone(),
        url: url(data, &m.name),
        width: m.width,
        height: m.height,
        alt: m.alt.clone(),
        mime: m.mime.clone(),
        thumbnail: ThumbnailOut {
            url: url(data, &m.thumb_name),
            width: m.thumb_width,
            height: m.thumb_height,
        },
    }
}

/// The multipart form of an upload (for the API description).
#[allow(dead_code)]
#[derive(ToSchema)]
pub(super) struct UploadForm {
    /// A JPEG, PNG, WebP or GIF image.
    #[schema(format = Binary, value_type = String)]
    file: Vec<u8>,
    /// What the image shows, for those who cannot see it (at most 1500
    /// characters). Images in an article's text must have one.
    alt: Option<String>,
}

/// Upload an image. It is checked (format, bytes, pixels — from its
/// header, before decoding), stripped of its metadata (EXIF: location,
/// camera) by encoding it again, and stored in a display size and a
/// thumbnail.
#[utoipa::path(post, path = "/media", tag = "media",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Stored", body = MediaOut),
        (status = 400, description = "Not a multipart form", body = ErrorOut),
        (status = 401, description = "No valid token", body = ErrorOut),
        (status = 413, description = "Over `media.max_bytes`", body = ErrorOut),
        (status = 422, description = "Not a JPEG, PNG, WebP or GIF, too many pixels, damaged, or no file", body = InvalidOut),
    ))]
pub(super) async fn upload_media(
    data: Data,
    Auth(person): Auth,
    mut form: Multipart,
) -> AppResult<(StatusCode, Json<MediaOut>)> {
    let max = data.media.limits.max_bytes;
    let mut file: Option<Vec<u8>> = None;
    let mut alt = String::new();
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        AppError::BadRequest(format!("the multipart form could not be read: {e}"))
    };
    while let Some(mut field) = form.next_field().await.map_err(unreadable)? {
        match field.name() {
            Some("file") => {
                let mut bytes = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
                    if bytes.len() + chunk.len() > max {
                        return Err(AppError::PayloadTooLarge(format!(
                            "the file is larger than {max} bytes, the most accepted"
                        )));
                    }
                    bytes.extend_from_slice(&chunk);
                }
                file = Some(bytes);
            }
            Some("alt") => {
                let mut text = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
                    text.extend_from_slice(&chunk);
                    if text.len() > 4 * crate::domain::media::ALT_MAX {
                        return Err(AppError::unprocessable(
                            "alt",
                            format!("at most {} characters", crate::domain::media::ALT_MAX),
                        ));
                    }
                }
                alt = String::from_utf8(text)
                    .map_err(|_| AppError::unprocessable("alt", "must be UTF-8 text"))?;
            }
            other => {
                return Err(AppError::unprocessable(
                    other.unwrap_or("(unnamed)"),
                    "unknown field; fields are: file, alt",
                ));
            }
        }
    }
    let Some(file) = file else {
        return Err(AppError::unprocessable(
            "file",
            "is required: the image, as a multipart file field",
        ));
    };
    let saved = crate::domain::media::upload(&data, &person, file.into(), &alt).await?;
    Ok((StatusCode::CREATED, Json(media_json(&data, &saved))))
}
