//! Test instances, fake remote peers and helpers, one file per concern.

mod browser;
mod instance;
mod peer;
mod signing;
mod sinks;

pub use browser::*;
pub use instance::*;
pub use peer::*;
pub use signing::*;
pub use sinks::*;

#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Run a test body on SQLite, and on PostgreSQL when configured.
#[macro_export]
macro_rules! db_test {
    ($name:ident, $body:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$body($crate::harness::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if $crate::harness::postgres_url().is_none() {
                    eprintln!("PEERPRESS_TEST_POSTGRES is not set: PostgreSQL variant not run");
                    return;
                }
                super::$body($crate::harness::Backend::Postgres).await
            }
        }
    };
}

pub fn postgres_url() -> Option<String> {
    std::env::var("PEERPRESS_TEST_POSTGRES")
        .ok()
        .filter(|s| !s.is_empty())
}

/// A fresh database: a temporary SQLite file, or a new PostgreSQL database.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    /// The PostgreSQL database made for this test, dropped with it.
    pg_name: Option<String>,
}

impl Drop for TestDb {
    /// A PostgreSQL test database goes when its test ends (passed or not),
    /// so test runs don't fill the server's disk. The drop runs on a thread
    /// of its own: `Drop` cannot await, and the test's runtime may be
    /// shutting down.
    fn drop(&mut self) {
        let (Some(name), Some(admin)) = (self.pg_name.take(), postgres_url()) else {
            return;
        };
        let dropper = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                use sea_orm::ConnectionTrait;
                if let Ok(conn) = sea_orm::Database::connect(admin.as_str()).await {
                    let _ = conn
                        .execute_unprepared(&format!(
                            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                        ))
                        .await;
                    let _ = conn.close().await;
                }
            });
        });
        let _ = dropper.join();
    }
}

impl TestDb {
    /// The SQLite file `peerpress.db` in `dir`, kept as long as this is.
    pub fn sqlite_in(dir: tempfile::TempDir) -> TestDb {
        TestDb {
            url: format!("sqlite://{}/peerpress.db?mode=rwc", dir.path().display()),
            _dir: Some(dir),
            pg_name: None,
        }
    }

    pub async fn new(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}/peerpress.db?mode=rwc", dir.path().display());
                TestDb {
                    url,
                    _dir: Some(dir),
                    pg_name: None,
                }
            }
            Backend::Postgres => {
                use sea_orm::ConnectionTrait;
                let admin = postgres_url().expect("PEERPRESS_TEST_POSTGRES");
                let name = format!("pp_test_{}", uuid::Uuid::new_v4().simple());
                let conn = sea_orm::Database::connect(admin.as_str()).await.unwrap();
                conn.execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await
                    .unwrap();
                conn.close().await.unwrap();
                let mut url = url::Url::parse(&admin).unwrap();
                url.set_path(&format!("/{name}"));
                TestDb {
                    url: url.to_string(),
                    _dir: None,
                    pg_name: Some(name),
                }
            }
        }
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Poll `f` until it returns true, for at most `secs`.
pub async fn eventually<F, Fut>(what: &str, secs: u64, f: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while !f().await {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
}
