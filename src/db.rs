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

/// Ready to serve: the database answers, and no migration is pending (a
/// newer binary may be rolling out while this one still runs).
pub async fn readiness(db: &DatabaseConnection) -> Result<(), String> {
    db.ping()
        .await
        .map_err(|e| format!("the database does not answer: {e}"))?;
    let pending = Migrator::get_pending_migrations(db)
        .await
        .map_err(|e| format!("cannot read the applied migrations: {e}"))?;
    if !pending.is_empty() {
        return Err(format!(
            "{} migration(s) not applied ({}); run `peerpress migrate`",
            pending.len(),
            pending
                .iter()
                .map(|m| m.name().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(())
}

/// The file of a `sqlite://path?...` URL, if it names one.
pub fn sqlite_file(url: &str) -> Option<&str> {
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

/// Connections of this process's pool.
#[derive(Debug, Clone, Copy, Default)]
pub struct PoolStats {
    /// Open connections (idle and in use).
    pub size: u64,
    pub idle: u64,
    pub max: u64,
}

pub fn pool_stats(db: &DatabaseConnection) -> PoolStats {
    match db.get_database_backend() {
        sea_orm::DbBackend::Sqlite => {
            let p = db.get_sqlite_connection_pool();
            PoolStats {
                size: u64::from(p.size()),
                idle: p.num_idle() as u64,
                max: u64::from(p.options().get_max_connections()),
            }
        }
        sea_orm::DbBackend::Postgres => {
            let p = db.get_postgres_connection_pool();
            PoolStats {
                size: u64::from(p.size()),
                idle: p.num_idle() as u64,
                max: u64::from(p.options().get_max_connections()),
            }
        }
        _ => PoolStats::default(),
    }
}
