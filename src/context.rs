//! `AppContext`: everything a request, a worker or a CLI command needs, passed
//! explicitly (no globals), cheap to clone. Several contexts can live in one
//! process, which is how the tests run several instances side by side.

use crate::config::Settings;
use crate::wire::signatures::KeyCache;
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use tokio::sync::Notify;

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
    /// Public GET responses; cleared when public content changes.
    pub pages: Arc<crate::cache::ResponseCache>,
    /// Ids for requests that come without one.
    pub request_ids: RequestIds,
    /// Uploaded images: their store and processing.
    pub media: crate::media::MediaStore,
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
            limiter: Default::default(),
            request_ids: Default::default(),
        })))
    }

    /// The end of every write, after its transaction committed: public
    /// pages show it at once, and the delivery workers send what it
    /// enqueued.
    pub fn committed(&self) {
        self.pages.clear();
        self.delivery_wake.notify_one();
    }

    /// A committed write that changed what pages show but enqueued nothing.
    pub fn changed(&self) {
        self.pages.clear();
    }

    pub fn base_url(&self) -> String {
        self.settings.base_url()
    }

    /// An absolute URL on this instance.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.settings.base_url(), path)
    }
}

pub fn user_agent(settings: &Settings) -> String {
    format!(
        "peerpress/{} (+{}/)",
        env!("CARGO_PKG_VERSION"),
        settings.base_url()
    )
}
