//! Recording outcomes in batches: delivery states, removed followers and
//! host health, in one transaction (deadlocks retried).

use super::super::{backoff, health};
use super::*;
use crate::context::AppContext;
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use entity::{actor, delivery, follow};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use std::collections::{BTreeMap, BTreeSet};

/// Record outcomes in one transaction: delivery states, removed followers,
/// host health. Deadlocks between processes are retried; should writing
/// still fail, the rows stay leased and are retried after the lease, so
/// nothing is lost (a duplicate is possible).
pub(super) async fn write_outcomes(
    ctx: &AppContext,
    outcomes: Vec<Outcome>,
    stats: &mut RoundStats,
) {
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
