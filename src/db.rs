//! Opening the database (SQLite in WAL mode or PostgreSQL) and migrating it.

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};

pub async fn connect(url: &str, max_connections: u32) -> anyhow::Result<DatabaseConnection> {
    if let Some(path) = sqlite_file(url)
        && let Some(dir) = std::path::Path::new(path).parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir).map_err(|e| {
            anyhow::anyhow!("cannot create the database folder {}: {e}", dir.display())
        })?;
    }
    let mut opts = ConnectOptions::new(url.to_string());
    opts.max_connections(max_connections).sqlx_logging(false);
    let db = Database::connect(opts)
        .await
        .map_err(|e| anyhow::anyhow!("cannot open database {url}: {e}"))?;
    if url.starts_with("sqlite:") {
        // WAL lets readers proceed while a writer commits; busy_timeout makes a
        // second writer wait instead of failing with SQLITE_BUSY.
        db.execute_unprepared(
            "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;",
        )
        .await?;
    }
    Ok(db)
}

pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None)
        .await
        .map_err(|e| anyhow::anyhow!("migration failed: {e}"))
}

/// The file of a `sqlite://path?...` URL, if it names one.
fn sqlite_file(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    if path.is_empty() || path == ":memory:" {
        None
    } else {
        Some(path)
    }
}

/// Begin a transaction that will write. On SQLite the write lock is taken at
/// once (waiting for other writers), because a transaction that reads first
/// and writes later fails with "database is locked" when another connection
/// wrote in between (WAL's busy-snapshot rule: no busy wait applies).
pub async fn begin_write(
    db: &DatabaseConnection,
) -> Result<sea_orm::DatabaseTransaction, sea_orm::DbErr> {
    use sea_orm::TransactionTrait;
    let txn = db.begin().await?;
    if db.get_database_backend() == sea_orm::DbBackend::Sqlite {
        txn.execute_unprepared("UPDATE actor SET id = id WHERE 1 = 0")
            .await?;
    }
    Ok(txn)
}

/// Now, at microsecond precision: what PostgreSQL stores, so values
/// round-trip equal.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    let n = chrono::Utc::now();
    chrono::DateTime::from_timestamp_micros(n.timestamp_micros()).unwrap_or(n)
}
