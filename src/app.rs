//! Starting an instance: open and migrate the database, create what a first
//! start needs, build the federation configuration, serve HTTP, run delivery
//! workers, and stop gracefully.

use crate::config::Settings;
use crate::context::AppContext;
use activitypub_federation::config::FederationConfig;
use std::net::SocketAddr;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// An opened instance: database migrated, first-start objects created.
pub struct Opened {
    pub ctx: AppContext,
    /// The steward's first API token and one-time sign-in link, when this
    /// start created the steward.
    pub first_start: Option<crate::domain::actors::FirstStart>,
}

pub async fn open(settings: Settings) -> anyhow::Result<Opened> {
    let db = crate::db::connect(&settings.database.url, settings.database.max_connections).await?;
    crate::db::migrate(&db).await?;
    let ctx = AppContext::new(db, settings)?;
    let first_start = crate::domain::actors::bootstrap(&ctx)
        .await
        .map_err(|e| anyhow::anyhow!("first-start set-up failed: {e}"))?;
    Ok(Opened { ctx, first_start })
}

/// A running instance: HTTP server and (optionally) delivery workers.
pub struct Running {
    pub ctx: AppContext,
    pub federation: FederationConfig<AppContext>,
    pub addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    server: JoinHandle<()>,
    workers: Option<JoinHandle<()>>,
}

impl Running {
    /// Stop accepting, finish in-flight requests and delivery rounds.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        let _ = self.server.await;
        if let Some(w) = self.workers {
            let _ = w.await;
        }
    }

    /// Resolves when the server task ends (after a shutdown signal).
    pub async fn wait(self) {
        let _ = self.server.await;
        let _ = self.shutdown.send(true);
        if let Some(w) = self.workers {
            let _ = w.await;
        }
    }
}

pub async fn start(
    ctx: AppContext,
    listener: TcpListener,
    with_workers: bool,
) -> anyhow::Result<Running> {
    crate::domain::governance::policy::load(&ctx.db, &ctx.settings).await?;
    let federation = crate::federation::config(&ctx).await?;
    let router = crate::web::router(federation.clone(), ctx.pages.clone());
    let addr = listener.local_addr()?;
    let (shutdown, rx) = watch::channel(false);
    let mut server_rx = rx.clone();
    let server = tokio::spawn(async move {
        let result = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = server_rx.wait_for(|stop| *stop).await;
        })
        .await;
        if let Err(e) = result {
            tracing::error!(error = %e, "HTTP server failed");
        }
    });
    tokio::spawn(crate::context::listen_for_changes(ctx.clone(), rx.clone()));
    tokio::spawn(prune_loop(ctx.clone(), rx.clone()));
    tokio::spawn(policy_loop(ctx.clone(), rx.clone()));
    tokio::spawn(schedule_loop(ctx.clone(), rx.clone()));
    tokio::spawn(metrics_loop(ctx.clone(), rx.clone()));
    let workers = (with_workers && ctx.settings.delivery.workers > 0)
        .then(|| tokio::spawn(crate::delivery::worker_loop(ctx.clone(), rx)));
    Ok(Running {
        ctx,
        federation,
        addr,
        shutdown,
        server,
        workers,
    })
}

/// Hourly, forget received activities past `federation.activity_retention_days`.
async fn prune_loop(ctx: AppContext, mut stop: watch::Receiver<bool>) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        tokio::select! {
            _ = every.tick() => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        let days = ctx.settings.federation.activity_retention_days;
        match crate::domain::received::prune(&ctx.db, days).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(removed = n, days, "pruned received activities"),
            Err(e) => tracing::warn!(error = %e, "could not prune received activities"),
        }
    }
}

/// Every 30 seconds, reload the federation policy: another machine of the
/// same instance (or the CLI) may have changed it.
async fn policy_loop(ctx: AppContext, mut stop: watch::Receiver<bool>) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(30));
    every.tick().await;
    loop {
        tokio::select! {
            _ = every.tick() => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        if let Err(e) = crate::domain::governance::policy::load(&ctx.db, &ctx.settings).await {
            tracing::warn!(error = %e, "could not reload the federation policy");
        }
    }
}

/// Every few seconds (and at once on start, so nothing due waits for a
/// restart), publish the scheduled articles whose time has come.
async fn schedule_loop(ctx: AppContext, mut stop: watch::Receiver<bool>) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(5));
    loop {
        tokio::select! {
            _ = every.tick() => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        match crate::domain::articles::publish_due(&ctx).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(published = n, "published scheduled articles"),
            Err(e) => tracing::warn!(error = %e, "could not publish scheduled articles"),
        }
    }
}

/// Every few seconds, fold recorded latencies into their histogram buckets
/// (they would pile up between scrapes otherwise).
async fn metrics_loop(ctx: AppContext, mut stop: watch::Receiver<bool>) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(5));
    loop {
        tokio::select! {
            _ = every.tick() => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        ctx.metrics.upkeep();
    }
}

/// The log subscriber: readable text, or one JSON object per line; the
/// `request` span (with the request id) is on every line logged while a
/// request is handled.
pub fn log_subscriber<W>(
    format: crate::config::LogFormat,
    filter: tracing_subscriber::EnvFilter,
    writer: W,
) -> Box<dyn tracing::Subscriber + Send + Sync>
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    match format {
        crate::config::LogFormat::Json => Box::new(
            logs.json()
                .flatten_event(true)
                .with_current_span(true)
                .with_span_list(false)
                .finish(),
        ),
        crate::config::LogFormat::Text => Box::new(logs.finish()),
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}
