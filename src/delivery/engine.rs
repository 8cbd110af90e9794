//! The delivery engine: claim due deliveries, send them signed, record
//! outcomes in batches.
//!
//! Fairness: requests run concurrently up to `delivery.workers`, at most
//! `delivery.per_host` to one host, and a new delivery is claimed as soon as
//! a slot frees, so a slow host holds only its own slots (no head-of-line
//! blocking). Deliveries about the same object reach an inbox in order: one is
//! not claimed while an earlier one to the same inbox and object is pending.
//! Claims take a lease with one statement (`FOR UPDATE SKIP LOCKED` on
//! PostgreSQL), so any number of processes cooperate.

use super::backoff;
use super::health;
use crate::context::AppContext;
use crate::error::AppResult;
use crate::wire::signatures::sign_request;
use chrono::{DateTime, Duration, Utc};
use entity::{activity, actor, delivery, follow};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Statement};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use tokio::sync::watch;
use tokio::task::JoinSet;
use url::Url;

/// Outcomes written per transaction, at most…
const WRITE_BATCH: usize = 128;
/// …and at least this often while deliveries complete, so that a crash
/// repeats few deliveries and ordered successors are not held back.
const WRITE_EVERY: std::time::Duration = std::time::Duration::from_millis(100);
/// The most of an error response body kept (and read).
const ERROR_BODY_MAX: usize = 4096;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RoundStats {
    pub sent: usize,
    pub failed: usize,
    pub retried: usize,
}

/// What happened to one attempt.
#[derive(Debug)]
pub struct Outcome {
    id: i64,
    /// Attempts made, this one included.
    attempts: u32,
    host: String,
    inbox: String,
    status: Option<u16>,
    error: Option<String>,
    kind: OutcomeKind,
}

#[derive(Debug, PartialEq, Eq)]
enum OutcomeKind {
    Done,
    /// 404/410: the inbox is gone; so is the follower.
    Gone,
    Failed,
    /// Retry later; `server_fault` counts against the host's health.
    Retry {
        after: Option<Duration>,
        server_fault: bool,
    },
}

/// Deliver everything due now, until nothing due is left. Tests call this
/// instead of waiting; it returns when idle.
pub async fn run_until_idle(ctx: &AppContext) -> AppResult<RoundStats> {
    run(ctx, None).await
}

/// Deliver continuously until `shutdown` turns true; then stop claiming and
/// let in-flight deliveries finish within `delivery.shutdown_grace_secs`.
pub async fn worker_loop(ctx: AppContext, shutdown: watch::Receiver<bool>) {
    if let Err(e) = run(&ctx, Some(shutdown)).await {
        tracing::error!(error = %e, "delivery engine stopped");
    }
}

async fn run(
    ctx: &AppContext,
    mut shutdown: Option<watch::Receiver<bool>>,
) -> AppResult<RoundStats> {
    let settings = &ctx.settings.delivery;
    let concurrency = settings.workers.max(1);
    let mut tasks: JoinSet<Outcome> = JoinSet::new();
    let mut per_host: HashMap<String, usize> = HashMap::new();
    let mut unwritten: Vec<Outcome> = Vec::new();
    let mut stats = RoundStats::default();
    let mut grace_deadline: Option<tokio::time::Instant> = None;
    let mut last_write = tokio::time::Instant::now();
    let mut prepared: HashMap<i64, Result<Arc<Prepared>, SendError>> = HashMap::new();

    loop {
        let stopping = shutdown.as_ref().is_some_and(|s| *s.borrow());
        let mut claimed_any = false;
        // Claim in batches: when a quarter of the slots are free, or all.
        let free = concurrency - tasks.len().min(concurrency);
        if !stopping && (free >= (concurrency / 4).max(1) || tasks.is_empty()) {
            let busy: Vec<String> = per_host
                .iter()
                .filter(|(_, n)| **n >= settings.per_host)
                .map(|(h, _)| h.clone())
                .collect();
            let claimed = match claim(ctx, concurrency - tasks.len(), &busy).await {
                Ok(c) => c,
                Err(e) => {
                    tracing::error!(error = %e, "claiming deliveries failed");
                    Vec::new()
                }
            };
            claimed_any = !claimed.is_empty();
            if prepared.len() > 1024 {
                prepared.clear();
            }
            prepare(ctx, &claimed, &mut prepared).await;
            let mut over_cap = Vec::new();
            for d in claimed {
                let n = per_host.entry(d.host.clone()).or_default();
                if *n >= settings.per_host {
                    over_cap.push(d.id);
                    continue;
                }
                *n += 1;
                let ctx = ctx.clone();
                let ready = prepared.get(&d.activity_id).cloned().unwrap_or_else(|| {
                    Err(SendError::Transient("activity could not be loaded".into()))
                });
                tasks.spawn(async move { attempt(&ctx, d, ready).await });
            }
            if !over_cap.is_empty() {
                release(ctx, over_cap).await;
            }
            // Recorded outcomes can unblock deliveries queued behind them
            // (same object, same host): write them when nothing else is due.
            if !claimed_any && !unwritten.is_empty() {
                write_outcomes(ctx, std::mem::take(&mut unwritten), &mut stats).await;
                last_write = tokio::time::Instant::now();
                continue;
            }
        }

        if tasks.is_empty() {
            if !unwritten.is_empty() {
                write_outcomes(ctx, std::mem::take(&mut unwritten), &mut stats).await;
                continue; // written outcomes may unblock ordered successors
            }
            if stopping {
                return Ok(stats);
            }
            if claimed_any {
                continue;
            }
            match shutdown.as_mut() {
                None => return Ok(stats),
                Some(rx) => {
                    tokio::select! {
                        _ = ctx.delivery_wake.notified() => {}
                        _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
                        _ = rx.changed() => {}
                    }
                    continue;
                }
            }
        }

        if stopping && grace_deadline.is_none() {
            grace_deadline = Some(
                tokio::time::Instant::now()
                    + std::time::Duration::from_secs(settings.shutdown_grace_secs),
            );
        }
        let deadline = grace_deadline;
        let can_claim_more = !stopping
            && claimed_any
            && concurrency - tasks.len().min(concurrency) >= (concurrency / 4).max(1);
        tokio::select! {
            joined = tasks.join_next() => {
                if let Some(Err(e)) = &joined {
                    tracing::error!(error = %e, "a delivery task failed; its delivery is retried after its lease");
                }
                if let Some(Ok(outcome)) = joined {
                    if let Some(n) = per_host.get_mut(&outcome.host) {
                        *n = n.saturating_sub(1);
                    }
                    unwritten.push(outcome);
                    if unwritten.len() >= WRITE_BATCH || last_write.elapsed() >= WRITE_EVERY {
                        write_outcomes(ctx, std::mem::take(&mut unwritten), &mut stats).await;
                        last_write = tokio::time::Instant::now();
                    }
                }
            }
            _ = async {}, if can_claim_more => {}
            // In worker mode, new work and retries falling due are claimed
            // while other deliveries are still in flight.
            _ = ctx.delivery_wake.notified(), if shutdown.is_some() && !stopping => {}
            _ = tokio::time::sleep(std::time::Duration::from_secs(1)), if shutdown.is_some() && !stopping => {}
            _ = async {
                match shutdown.as_mut() {
                    Some(rx) => { let _ = rx.changed().await; }
                    None => std::future::pending::<()>().await,
                }
            }, if !stopping => {}
            _ = async {
                match deadline {
                    Some(d) => tokio::time::sleep_until(d).await,
                    None => std::future::pending::<()>().await,
                }
            } => {
                tracing::warn!(in_flight = tasks.len(), "shutdown grace over; unfinished deliveries will be retried after their lease");
                tasks.abort_all();
                write_outcomes(ctx, std::mem::take(&mut unwritten), &mut stats).await;
                return Ok(stats);
            }
        }
    }
}

/// Claim up to `limit` due deliveries, skipping parked hosts, hosts in
/// `busy`, and deliveries queued behind an earlier one for the same object
/// and host.
async fn claim(ctx: &AppContext, limit: usize, busy: &[String]) -> AppResult<Vec<delivery::Model>> {
    let backend = ctx.db.get_database_backend();
    let now = crate::db::now();
    let lease =
        now + Duration::seconds(i64::try_from(ctx.settings.delivery.lease_secs).unwrap_or(60));
    let mut values: Vec<sea_orm::Value> = vec![lease.into(), now.into(), now.into()];
    let mut ph = Placeholders::new(backend);
    let (p_lease, p_now1, p_now2) = (ph.next(), ph.next(), ph.next());
    let busy_clause = if busy.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = busy
            .iter()
            .map(|h| {
                values.push(h.clone().into());
                ph.next()
            })
            .collect();
        format!("AND d.host NOT IN ({})", list.join(", "))
    };
    values.push(i64::try_from(limit).unwrap_or(1).into());
    let p_limit = ph.next();
    let lock = if backend == DbBackend::Postgres {
        "FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let sql = format!(
        "UPDATE delivery SET locked_until = {p_lease} \
         WHERE id IN ( \
           SELECT d.id FROM delivery d \
           WHERE d.state = 'pending' AND d.next_attempt_at <= {p_now1} \
             AND (d.locked_until IS NULL OR d.locked_until < {p_now2}) \
             AND d.host NOT IN (SELECT h.host FROM instance_health h WHERE h.parked = {true_lit}) \
             AND NOT EXISTS (SELECT 1 FROM delivery e WHERE e.inbox_url = d.inbox_url AND e.object_key = d.object_key \
                             AND e.state = 'pending' AND e.id < d.id) \
             {busy_clause} \
           ORDER BY d.id LIMIT {p_limit} {lock} \
         ) \
         RETURNING *",
        true_lit = if backend == DbBackend::Postgres {
            "TRUE"
        } else {
            "1"
        },
    );
    let stmt = Statement::from_sql_and_values(backend, sql, values);
    Ok(delivery::Entity::find()
        .from_raw_sql(stmt)
        .all(&ctx.db)
        .await?)
}

/// Give back claimed deliveries this process will not send now.
async fn release(ctx: &AppContext, ids: Vec<i64>) {
    let res = delivery::Entity::update_many()
        .col_expr(
            delivery::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(delivery::Column::Id.is_in(ids))
        .exec(&ctx.db)
        .await;
    if let Err(e) = res {
        tracing::warn!(error = %e, "could not release deliveries; they are retried after their lease");
    }
}

/// `?` for SQLite, `$n` for PostgreSQL.
struct Placeholders {
    backend: DbBackend,
    n: usize,
}

impl Placeholders {
    fn new(backend: DbBackend) -> Self {
        Placeholders { backend, n: 0 }
    }
    fn next(&mut self) -> String {
        self.n += 1;
        match self.backend {
            DbBackend::Postgres => format!("${}", self.n),
            _ => "?".to_string(),
        }
    }
}

/// What every delivery of one activity shares: the body and the signing key.
struct Prepared {
    body: Vec<u8>,
    key: Arc<aws_lc_rs::rsa::KeyPair>,
    key_id: String,
}

/// Load the activities and signing keys of `claimed` that are not cached.
async fn prepare(
    ctx: &AppContext,
    claimed: &[delivery::Model],
    cache: &mut HashMap<i64, Result<Arc<Prepared>, SendError>>,
) {
    let missing: BTreeSet<i64> = claimed
        .iter()
        .map(|d| d.activity_id)
        .filter(|id| !cache.contains_key(id))
        .collect();
    if missing.is_empty() {
        return;
    }
    let loaded = async {
        let activities = activity::Entity::find()
            .filter(activity::Column::Id.is_in(missing.iter().copied()))
            .all(&ctx.db)
            .await?;
        let signer_ids: BTreeSet<i64> = claimed.iter().map(|d| d.actor_id).collect();
        let signers: HashMap<i64, actor::Model> = actor::Entity::find()
            .filter(actor::Column::Id.is_in(signer_ids))
            .all(&ctx.db)
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect();
        Ok::<_, sea_orm::DbErr>((activities, signers))
    };
    let (activities, signers) = match loaded.await {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!(error = %e, "could not load activities to deliver");
            return; // not cached: the attempts report a transient error
        }
    };
    let mut found: HashMap<i64, activity::Model> =
        activities.into_iter().map(|a| (a.id, a)).collect();
    for d in claimed {
        if cache.contains_key(&d.activity_id) {
            continue;
        }
        let entry = match (found.remove(&d.activity_id), signers.get(&d.actor_id)) {
            (Some(activity), Some(signer)) => match signer.private_key_pem.as_deref() {
                Some(pem) => match ctx.keys.get(signer.id, pem) {
                    Ok(key) => Ok(Arc::new(Prepared {
                        body: activity.json.into_bytes(),
                        key,
                        key_id: format!("{}#main-key", signer.ap_id),
                    })),
                    Err(e) => Err(SendError::Permanent(e)),
                },
                None => Err(SendError::Permanent(
                    "signing actor has no private key".into(),
                )),
            },
            _ => Err(SendError::Permanent(
                "activity or signing actor no longer exists".into(),
            )),
        };
        cache.insert(d.activity_id, entry);
    }
}

async fn attempt(
    ctx: &AppContext,
    d: delivery::Model,
    ready: Result<Arc<Prepared>, SendError>,
) -> Outcome {
    let result = match ready {
        Ok(p) => send(ctx, &d, &p).await,
        Err(e) => Err(e),
    };
    let (status, error, kind) = match result {
        Ok(Response {
            status,
            body,
            retry_after,
        }) => {
            let kind = classify(status, retry_after);
            let error = (kind != OutcomeKind::Done).then_some(body);
            (Some(status), error, kind)
        }
        Err(SendError::Permanent(e)) => (None, Some(e), OutcomeKind::Failed),
        Err(SendError::Transient(e)) => (
            None,
            Some(e),
            OutcomeKind::Retry {
                after: None,
                server_fault: true,
            },
        ),
    };
    tracing::info!(
        host = %d.host,
        inbox = %d.inbox_url,
        attempt = d.attempts + 1,
        status = ?status,
        outcome = ?kind,
        error = error.as_deref().unwrap_or(""),
        "delivery attempt"
    );
    Outcome {
        id: d.id,
        attempts: u32::try_from(d.attempts + 1).unwrap_or(u32::MAX),
        host: d.host,
        inbox: d.inbox_url,
        status,
        error,
        kind,
    }
}

/// What an inbox's answer means for a delivery: 2xx done; 404/410 the
/// inbox is gone (and its followers with it); 408, 429 and 5xx retried
/// later (`Retry-After` honoured; 408 and 5xx count against the host's
/// health, 429 does not); any other 4xx failed for good.
fn classify(status: u16, retry_after: Option<Duration>) -> OutcomeKind {
    match status {
        200..=299 => OutcomeKind::Done,
        404 | 410 => OutcomeKind::Gone,
        408 | 429 | 500.. => OutcomeKind::Retry {
            after: retry_after,
            server_fault: status != 429,
        },
        _ => OutcomeKind::Failed,
    }
}

struct Response {
    status: u16,
    body: String,
    retry_after: Option<Duration>,
}

#[derive(Clone)]
enum SendError {
    Permanent(String),
    Transient(String),
}

async fn send(ctx: &AppContext, d: &delivery::Model, p: &Prepared) -> Result<Response, SendError> {
    let inbox = Url::parse(&d.inbox_url)
        .map_err(|e| SendError::Permanent(format!("inbox `{}` is not a URL: {e}", d.inbox_url)))?;
    crate::wire::guard::check_outgoing(&ctx.settings, &inbox)
        .map_err(|e| SendError::Permanent(format!("inbox refused: {e}")))?;
    let headers = sign_request(&p.key, &p.key_id, "POST", &inbox, Some(&p.body))
        .map_err(SendError::Permanent)?;
    let mut req = ctx
        .http
        .post(inbox.as_str())
        .header("content-type", crate::wire::AS_CONTENT_TYPE)
        .header("accept", crate::wire::AS_CONTENT_TYPE);
    for (name, value) in headers {
        req = req.header(name, value);
    }
    let mut res = req
        .body(p.body.clone())
        .send()
        .await
        .map_err(|e| SendError::Transient(format!("request failed: {e}")))?;
    let status = res.status().as_u16();
    let retry_after = res
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(parse_retry_after);
    // Success bodies are never read; error bodies only a little, briefly:
    // a huge or endless answer cannot hold a worker.
    let mut text = Vec::new();
    if !(200..300).contains(&status) {
        let _ = tokio::time::timeout(std::time::Duration::from_secs(2), async {
            while let Ok(Some(chunk)) = res.chunk().await {
                text.extend_from_slice(&chunk);
                if text.len() >= ERROR_BODY_MAX {
                    break;
                }
            }
        })
        .await;
        text.truncate(ERROR_BODY_MAX);
    }
    Ok(Response {
        status,
        body: String::from_utf8_lossy(&text).into_owned(),
        retry_after,
    })
}

/// `Retry-After`: delay-seconds or an HTTP date, capped at a day.
pub fn parse_retry_after(v: &str) -> Option<Duration> {
    let secs = match v.trim().parse::<i64>() {
        Ok(s) => s,
        Err(_) => {
            let when = httpdate::parse_http_date(v.trim()).ok()?;
            let when: DateTime<Utc> = when.into();
            (when - Utc::now()).num_seconds()
        }
    };
    Some(Duration::seconds(secs.clamp(0, 24 * 3600)))
}

/// Record outcomes in one transaction: delivery states, removed followers,
/// host health. Deadlocks between processes are retried; should writing
/// still fail, the rows stay leased and are retried after the lease, so
/// nothing is lost (a duplicate is possible).
async fn write_outcomes(ctx: &AppContext, outcomes: Vec<Outcome>, stats: &mut RoundStats) {
    if outcomes.is_empty() {
        return;
    }
    let mut last_error = None;
    for _ in 0..3 {
        match try_write_outcomes(ctx, &outcomes).await {
            Ok(written) => {
                stats.sent += written.sent;
                stats.failed += written.failed;
                stats.retried += written.retried;
                return;
            }
            Err(e) => last_error = Some(e),
        }
    }
    if let Some(e) = last_error {
        tracing::error!(error = %e, count = outcomes.len(), "could not record delivery outcomes; they will be retried after their lease");
    }
}

async fn try_write_outcomes(ctx: &AppContext, outcomes: &[Outcome]) -> AppResult<RoundStats> {
    let now = crate::db::now();
    let park_days = ctx.settings.delivery.park_after_days;
    let mut stats = RoundStats::default();
    let txn = crate::db::begin_write(&ctx.db).await?;
    // Hosts in a fixed order, so concurrent writers lock health rows alike.
    let mut healthy: BTreeSet<&str> = BTreeSet::new();
    let mut failing: BTreeMap<&str, &str> = BTreeMap::new();
    for o in outcomes {
        let mut update = delivery::Entity::update_many()
            .col_expr(
                delivery::Column::Attempts,
                Expr::col(delivery::Column::Attempts).add(1),
            )
            .col_expr(
                delivery::Column::LockedUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(
                delivery::Column::LastStatus,
                Expr::value(o.status.map(i32::from)),
            )
            .col_expr(
                delivery::Column::LastError,
                Expr::value(o.error.clone().filter(|e| !e.is_empty())),
            )
            .col_expr(delivery::Column::UpdatedAt, Expr::value(now));
        match &o.kind {
            OutcomeKind::Done => {
                update = update.col_expr(
                    delivery::Column::State,
                    Expr::value(delivery::DeliveryState::Done),
                );
                healthy.insert(&o.host);
                stats.sent += 1;
            }
            OutcomeKind::Gone => {
                update = update.col_expr(
                    delivery::Column::State,
                    Expr::value(delivery::DeliveryState::Failed),
                );
                remove_followers_at(&txn, &o.inbox).await?;
                healthy.insert(&o.host);
                stats.failed += 1;
            }
            OutcomeKind::Failed => {
                update = update.col_expr(
                    delivery::Column::State,
                    Expr::value(delivery::DeliveryState::Failed),
                );
                stats.failed += 1;
            }
            OutcomeKind::Retry {
                after,
                server_fault,
            } => {
                match backoff::delay(o.attempts, backoff::jitter_seed()) {
                    Some(delay) => {
                        let delay = after.map_or(delay, |a| a.max(delay));
                        update = update
                            .col_expr(delivery::Column::NextAttemptAt, Expr::value(now + delay));
                        stats.retried += 1;
                    }
                    None => {
                        update = update.col_expr(
                            delivery::Column::State,
                            Expr::value(delivery::DeliveryState::Failed),
                        );
                        stats.failed += 1;
                    }
                }
                if *server_fault {
                    failing.insert(&o.host, o.error.as_deref().unwrap_or("failed"));
                } else {
                    healthy.insert(&o.host);
                }
            }
        }
        update
            .filter(delivery::Column::Id.eq(o.id))
            .exec(&txn)
            .await?;
    }
    let mut touched: BTreeSet<&str> = healthy.clone();
    touched.extend(failing.keys().copied());
    for host in touched {
        if healthy.contains(host) {
            if needs_reset(&txn, host).await? {
                health::record_success(&txn, host, now).await?;
            }
        } else if let Some(error) = failing.get(host) {
            health::record_failure(&txn, host, error, now, park_days).await?;
        }
    }
    txn.commit().await?;
    Ok(stats)
}

/// Only hosts with a failure history need their health row written on success.
async fn needs_reset(db: &impl ConnectionTrait, host: &str) -> AppResult<bool> {
    Ok(
        entity::instance_health::Entity::find_by_id(host.to_string())
            .one(db)
            .await?
            .is_some_and(|h| h.failure_days > 0 || h.parked),
    )
}

/// A 404/410 from an inbox: the remote followers behind it are gone.
async fn remove_followers_at(db: &impl ConnectionTrait, inbox: &str) -> AppResult<()> {
    let gone: Vec<i64> = actor::Entity::find()
        .filter(actor::Column::Local.eq(false))
        .filter(
            sea_orm::Condition::any()
                .add(actor::Column::InboxUrl.eq(inbox))
                .add(actor::Column::SharedInboxUrl.eq(inbox)),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.id)
        .collect();
    if !gone.is_empty() {
        let res = follow::Entity::delete_many()
            .filter(follow::Column::FollowerId.is_in(gone))
            .exec(db)
            .await?;
        tracing::info!(
            inbox,
            removed = res.rows_affected,
            "inbox gone: followers removed"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{Duration, OutcomeKind, classify};

    #[test]
    fn answers_are_classified_as_mastodon_does() {
        assert_eq!(classify(200, None), OutcomeKind::Done);
        assert_eq!(classify(202, None), OutcomeKind::Done);
        assert_eq!(classify(404, None), OutcomeKind::Gone);
        assert_eq!(classify(410, None), OutcomeKind::Gone);
        for status in [400, 401, 403, 413, 422, 301, 100] {
            assert_eq!(classify(status, None), OutcomeKind::Failed, "{status}");
        }
        let wait = Some(Duration::seconds(30));
        assert_eq!(
            classify(429, wait),
            OutcomeKind::Retry {
                after: wait,
                server_fault: false
            }
        );
        for status in [408, 500, 502, 503, 504] {
            assert_eq!(
                classify(status, None),
                OutcomeKind::Retry {
                    after: None,
                    server_fault: true
                },
                "{status}"
            );
        }
    }
}
