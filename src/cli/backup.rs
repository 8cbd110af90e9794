//! `peerpress backup FILE`: a consistent copy of the instance, taken while
//! it serves.
//!
//! SQLite: `VACUUM INTO` writes a transactionally consistent copy of the
//! database (it reads inside one read transaction, so writers go on; WAL
//! readers never block them). The copy and the media folder go into one
//! tar archive (gzip-compressed when FILE ends in `.gz` or `.tgz`):
//! `peerpress.db` and `media/…`. To restore, unpack it into the data folder.
//!
//! PostgreSQL: `pg_dump` is the tool for a consistent dump; we print the
//! command to run and archive the media folder.

use crate::config::Settings;
use anyhow::{Context, anyhow};
use sea_orm::ConnectionTrait;
use std::path::{Path, PathBuf};

/// What a backup wrote.
#[derive(Debug)]
pub struct Written {
    pub file: PathBuf,
    /// Bytes of the database copy (0 for PostgreSQL).
    pub database_bytes: u64,
    pub media_files: u64,
    /// For PostgreSQL: the command that dumps the database.
    pub pg_dump: Option<String>,
}

pub async fn backup(settings: &Settings, file: &Path) -> anyhow::Result<Written> {
    let parent = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !parent.is_dir() {
        return Err(anyhow!(
            "the folder {} does not exist; create it or name another file",
            parent.display()
        ));
    }
    let staging = tempfile::Builder::new()
        .prefix(".peerpress-backup-")
        .tempdir_in(parent)
        .with_context(|| format!("cannot write in {}", parent.display()))?;
    let url = &settings.database.url;
    let mut pg_dump = None;
    let mut database_bytes = 0;
    let db_copy = staging.path().join("peerpress.db");
    if url.starts_with("sqlite:") {
        let db = crate::db::connect(url, 1).await?;
        let target = db_copy
            .to_str()
            .ok_or_else(|| anyhow!("the backup path {} is not UTF-8", db_copy.display()))?;
        db.execute_unprepared(&format!("VACUUM INTO '{}'", target.replace('\'', "''")))
            .await
            .context("VACUUM INTO failed")?;
        db.close().await.ok();
        database_bytes = std::fs::metadata(&db_copy)?.len();
    } else {
        pg_dump = Some(format!(
            "pg_dump --format=custom --file={}.pgdump '{}'",
            file.display(),
            url.replace('\'', "'\\''")
        ));
    }
    let media = Path::new(&settings.media.dir);
    let file_owned = file.to_path_buf();
    let staged = staging.path().join("backup.tar");
    let media_owned = media.to_path_buf();
    let with_db = database_bytes > 0;
    let media_files = tokio::task::spawn_blocking(move || -> anyhow::Result<u64> {
        let out = std::fs::File::create(&staged)?;
        let gz = matches!(
            file_owned.extension().and_then(|e| e.to_str()),
            Some("gz" | "tgz")
        );
        let writer: Box<dyn std::io::Write> = if gz {
            Box::new(flate2::write::GzEncoder::new(
                out,
                flate2::Compression::default(),
            ))
        } else {
            Box::new(out)
        };
        let mut tar = tar::Builder::new(writer);
        if with_db {
            tar.append_path_with_name(staged.with_file_name("peerpress.db"), "peerpress.db")?;
        }
        let n = if media_owned.is_dir() {
            tar.append_dir_all("media", &media_owned)?;
            walk_count(&media_owned)
        } else {
            0
        };
        tar.into_inner()?.flush()?;
        std::fs::rename(&staged, &file_owned)?;
        Ok(n)
    })
    .await??;
    Ok(Written {
        file: file.to_path_buf(),
        database_bytes,
        media_files,
        pg_dump,
    })
}

fn walk_count(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| {
                    let p = e.path();
                    if p.is_dir() { walk_count(&p) } else { 1 }
                })
                .sum()
        })
        .unwrap_or(0)
}

pub async fn run(settings: &Settings, file: &Path) -> anyhow::Result<()> {
    let w = backup(settings, file).await?;
    if let Some(cmd) = &w.pg_dump {
        println!(
            "The database is PostgreSQL: dump it with pg_dump, which gives a consistent copy while serving:"
        );
        println!("  {cmd}");
        println!(
            "Restore with `pg_restore --clean --dbname=URL {}.pgdump`.",
            file.display()
        );
    } else {
        println!(
            "database: {} bytes copied consistently (VACUUM INTO)",
            w.database_bytes
        );
    }
    println!(
        "media: {} file(s) from {}",
        w.media_files, settings.media.dir
    );
    println!(
        "wrote {}; restore by unpacking it into the data folder (peerpress.db and media/) while peerpress is stopped",
        w.file.display()
    );
    Ok(())
}
