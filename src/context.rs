//! `AppContext`: everything a request, a worker or a CLI command needs, passed
//! explicitly (no globals), cheap to clone. Several contexts can live in one
//! process, which is how the tests run several instances side by side.

use crate::cache::Changes;
use crate::config::Settings;
use crate::wire::signatures::KeyCache;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend};
use std::sync::Arc;
use tokio::sync::{Notify, watch};

#[derive(Clone)]
pub struct AppContext(Arc<Inner>);

pub struct Inner {
    pub db: DatabaseConnection,
    pub settings: Settings,
    /// Client for deliveries: no redirects, bounded time.
    pub http: reqwest::Client,
    /// Parsed private keys of local actors, by actor row id.
    pub keys: KeyCache,
    /// Woken when deliveries are enqueued.
    pub delivery_wake: Notify,
    /// Request rates per client address and remote host.
    pub limiter: crate::ratelimit::RateLimiter,
    /// Public GET responses; what a write changed is dropped by
    /// [`AppContext::committed`].
    pub pages: Arc<crate::cache::ResponseCache>,
    /// This process's name in invalidations sent to the others.
    origin: String,
    /// Ids for requests that come without one.
    pub request_ids: RequestIds,
    /// Uploaded images: their store and processing.
    pub media: crate::media::MediaStore,
    /// This instance's Prometheus registry (`/metrics`).
    pub metrics: crate::telemetry::Metrics,
}

/// Request ids: a random prefix per context and a counter; unique, and
/// cheap enough for every request (a v4 UUID each would cost a random read).
pub struct RequestIds {
    prefix: String,
    next: std::sync::atomic::AtomicU64,
}

impl Default for RequestIds {
    fn default() -> Self {
        RequestIds {
            prefix: uuid::Uuid::new_v4()
                .simple()
                .to_string()
                .chars()
                .take(12)
                .collect(),
            next: Default::default(),
        }
    }
}

impl RequestIds {
    pub fn next(&self) -> String {
        let n = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        format!("{}-{n}", self.prefix)
    }
}

impl std::ops::Deref for AppContext {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppContext {
    pub fn new(db: DatabaseConnection, settings: Settings) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(std::time::Duration::from_secs(5))
            .timeout(std::time::Duration::from_secs(
                settings.delivery.request_timeout_secs,
            ))
            .user_agent(user_agent(&settings))
            // Fan-out touches many hosts once: keep few idle connections so
            // memory stays flat however many hosts there are.
            .pool_max_idle_per_host(2)
            .pool_idle_timeout(std::time::Duration::from_secs(30))
            // Outside local testing, names resolving to private addresses
            // are refused when connecting (redirects are never followed).
            .dns_resolver(
                activitypub_federation::resolver::ValidatingDnsResolver::new(
                    Vec::new(),
                    !settings.insecure(),
                ),
            )
            .build()?;
        let media = crate::media::MediaStore::from_settings(&settings)?;
        Ok(AppContext(Arc::new(Inner {
            media,
            db,
            settings,
            http,
            keys: KeyCache::default(),
            delivery_wake: Notify::new(),
            pages: Arc::default(),
            origin: uuid::Uuid::new_v4().simple().to_string(),
            limiter: Default::default(),
            request_ids: Default::default(),
            metrics: Default::default(),
        })))
    }

    /// The end of every write that enqueued deliveries, after its
    /// transaction committed: the pages that show what it changed (built
    /// with `domain::shown`) are dropped from the response cache, in every
    /// process, and the delivery workers send what it enqueued.
    pub async fn committed(&self, changes: Changes) {
        self.changed(changes).await;
        self.delivery_wake.notify_one();
    }

    /// The end of a committed write that enqueued nothing.
    pub async fn changed(&self, changes: Changes) {
        if changes.is_empty() {
            return;
        }
        self.pages.invalidate(&changes);
        if self.db.get_database_backend() == DbBackend::Postgres
            && let Err(e) = notify(&self.db, &self.origin, &changes).await
        {
            // The other processes' listeners reconnect and start afresh
            // when their connection fails; a failed NOTIFY is rare.
            tracing::warn!(error = %e, "could not send a cache invalidation to other processes");
        }
    }

    pub fn base_url(&self) -> String {
        self.settings.base_url()
    }

    /// An absolute URL on this instance.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.settings.base_url(), path)
    }
}

/// The channel of cache invalidations between processes.
const CHANNEL: &str = "peerpress_changes";
/// `NOTIFY` payloads stay under PostgreSQL's 8000 bytes; a larger change
/// is sent as "everything".
const MAX_PAYLOAD: usize = 7000;

#[derive(serde::Serialize, serde::Deserialize)]
struct Notice {
    origin: String,
    #[serde(default)]
    all: bool,
    #[serde(default)]
    paths: Vec<String>,
}

async fn notify(db: &DatabaseConnection, origin: &str, changes: &Changes) -> anyhow::Result<()> {
    let mut notice = Notice {
        origin: origin.to_string(),
        all: changes.is_everything(),
        paths: changes.paths().map(str::to_string).collect(),
    };
    let mut payload = serde_json::to_string(&notice)?;
    if payload.len() > MAX_PAYLOAD {
        notice.all = true;
        notice.paths.clear();
        payload = serde_json::to_string(&notice)?;
    }
    db.execute_raw(sea_orm::Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT pg_notify($1, $2)",
        [CHANNEL.into(), payload.into()],
    ))
    .await?;
    Ok(())
}

/// With PostgreSQL, apply the invalidations other processes send until
/// `stop`. Whenever the listening connection is (re)established, the whole
/// cache is dropped: notices sent while it was down are lost.
pub async fn listen_for_changes(ctx: AppContext, mut stop: watch::Receiver<bool>) {
    use sea_orm::sqlx::postgres::PgListener;
    if ctx.db.get_database_backend() != DbBackend::Postgres {
        return;
    }
    loop {
        let mut listener = match PgListener::connect_with(ctx.db.get_postgres_connection_pool())
            .await
        {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for other processes' changes; retrying");
                tokio::select! {
                    _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => continue,
                    _ = stop.wait_for(|s| *s) => return,
                }
            }
        };
        if let Err(e) = listener.listen(CHANNEL).await {
            tracing::warn!(error = %e, "cannot listen for other processes' changes; retrying");
            tokio::select! {
                _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => continue,
                _ = stop.wait_for(|s| *s) => return,
            }
        }
        ctx.pages.invalidate(&Changes::everything());
        loop {
            let received = tokio::select! {
                r = listener.try_recv() => r,
                _ = stop.wait_for(|s| *s) => return,
            };
            match received {
                Ok(Some(n)) => match serde_json::from_str::<Notice>(n.payload()) {
                    Ok(notice) if notice.origin == ctx.origin => {}
                    Ok(notice) if notice.all => ctx.pages.invalidate(&Changes::everything()),
                    Ok(notice) => {
                        let mut changes = Changes::none();
                        for p in &notice.paths {
                            changes.add_path(p);
                        }
                        ctx.pages.invalidate(&changes);
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "unreadable change notice; dropping the cache");
                        ctx.pages.invalidate(&Changes::everything());
                    }
                },
                // The connection was lost and is made again: start afresh.
                Ok(None) => ctx.pages.invalidate(&Changes::everything()),
                Err(e) => {
                    tracing::warn!(error = %e, "lost the change listener; reconnecting");
                    break;
                }
            }
        }
    }
}

pub fn user_agent(settings: &Settings) -> String {
    format!(
        "peerpress/{} (+{}/)",
        env!("CARGO_PKG_VERSION"),
        settings.base_url()
    )
}
