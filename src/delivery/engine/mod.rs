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
//!
//! `claim` takes due deliveries, `send` signs and sends one, `record`
//! writes what came of them; what an answer means is [`classify`].

use crate::context::AppContext;
use crate::error::AppResult;
use chrono::Duration;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::watch;
use tokio::task::JoinSet;

mod claim;
mod record;
mod send;

use claim::{claim, release};
use record::write_outcomes;
pub use send::parse_retry_after;
use send::{Prepared, SendError, attempt, prepare};

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
