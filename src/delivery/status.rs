//! What operators see: deliveries by state and by host, with host health.

use crate::context::AppContext;
use crate::error::AppResult;
use entity::{delivery, instance_health};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{EntityTrait, QuerySelect};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Default, Serialize)]
pub struct HostStatus {
    pub host: String,
    pub pending: i64,
    pub done: i64,
    pub failed: i64,
    pub parked: bool,
    pub failure_days: i32,
    pub last_error: Option<String>,
}

#[derive(Debug, Default, Serialize)]
pub struct Status {
    pub pending: i64,
    pub done: i64,
    pub failed: i64,
    pub hosts: Vec<HostStatus>,
}

pub async fn status(ctx: &AppContext) -> AppResult<Status> {
    let rows: Vec<(String, delivery::DeliveryState, i64)> = delivery::Entity::find()
        .select_only()
        .column(delivery::Column::Host)
        .column(delivery::Column::State)
        .column_as(Expr::col(delivery::Column::Id).count(), "n")
        .group_by(delivery::Column::Host)
        .group_by(delivery::Column::State)
        .into_tuple()
        .all(&ctx.db)
        .await?;
    let mut hosts: BTreeMap<String, HostStatus> = BTreeMap::new();
    let mut total = Status::default();
    for (host, state, n) in rows {
        let h = hosts.entry(host.clone()).or_insert_with(|| HostStatus {
            host,
            ..Default::default()
        });
        match state {
            delivery::DeliveryState::Pending => {
                h.pending += n;
                total.pending += n;
            }
            delivery::DeliveryState::Done => {
                h.done += n;
                total.done += n;
            }
            delivery::DeliveryState::Failed => {
                h.failed += n;
                total.failed += n;
            }
        }
    }
    for health in instance_health::Entity::find().all(&ctx.db).await? {
        let h = hosts
            .entry(health.host.clone())
            .or_insert_with(|| HostStatus {
                host: health.host.clone(),
                ..Default::default()
            });
        h.parked = health.parked;
        h.failure_days = health.failure_days;
        h.last_error = health.last_error;
    }
    total.hosts = hosts.into_values().collect();
    Ok(total)
}

/// The delivery and pool gauges of `/metrics`: pending deliveries, the age
/// of the oldest one that is due, parked hosts, and this process's pool.
pub async fn gauges(ctx: &AppContext) -> AppResult<crate::telemetry::Snapshot> {
    use sea_orm::{ColumnTrait, PaginatorTrait, QueryFilter};
    let pending = delivery::Entity::find()
        .filter(delivery::Column::State.eq(delivery::DeliveryState::Pending));
    let pending_deliveries = pending.clone().count(&ctx.db).await?;
    let now = crate::db::now();
    let oldest: Option<chrono::DateTime<chrono::Utc>> = pending
        .filter(delivery::Column::NextAttemptAt.lte(now))
        .select_only()
        .column_as(Expr::col(delivery::Column::NextAttemptAt).min(), "oldest")
        .into_tuple::<Option<chrono::DateTime<chrono::Utc>>>()
        .one(&ctx.db)
        .await?
        .flatten();
    let parked_hosts = instance_health::Entity::find()
        .filter(instance_health::Column::Parked.eq(true))
        .count(&ctx.db)
        .await?;
    let pool = crate::db::pool_stats(&ctx.db);
    Ok(crate::telemetry::Snapshot {
        pending_deliveries,
        oldest_due_secs: oldest
            .map(|t| std::cmp::max((now - t).num_milliseconds(), 0) as f64 / 1000.0)
            .unwrap_or(0.0),
        parked_hosts,
        pool_idle: pool.idle,
        pool_in_use: pool.size.saturating_sub(pool.idle),
        pool_max: pool.max,
    })
}
