//! Host health: distinct failure days, parking and reviving.

use crate::context::AppContext;
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use entity::{delivery, instance_health};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

/// The host answered a delivery: it is healthy.
pub async fn record_success(
    db: &impl ConnectionTrait,
    host: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let row = instance_health::ActiveModel {
        host: Set(host.to_string()),
        failure_days: Set(0),
        last_failure_day: Set(None),
        last_failure_at: Set(None),
        last_success_at: Set(Some(now)),
        parked: Set(false),
        parked_at: Set(None),
        last_error: Set(None),
    };
    instance_health::Entity::insert(row)
        .on_conflict(
            OnConflict::column(instance_health::Column::Host)
                .update_columns([
                    instance_health::Column::FailureDays,
                    instance_health::Column::LastSuccessAt,
                    instance_health::Column::Parked,
                    instance_health::Column::ParkedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// The host failed a delivery in a way worth retrying. Returns true when this
/// failure parks it.
pub async fn record_failure(
    db: &impl ConnectionTrait,
    host: &str,
    error: &str,
    now: DateTime<Utc>,
    park_after_days: u32,
) -> AppResult<bool> {
    let today = now.format("%Y-%m-%d").to_string();
    let existing = instance_health::Entity::find_by_id(host.to_string())
        .one(db)
        .await?;
    let (days, was_parked) = match &existing {
        Some(h) if h.last_failure_day.as_deref() == Some(today.as_str()) => {
            (h.failure_days, h.parked)
        }
        Some(h) => (h.failure_days + 1, h.parked),
        None => (1, false),
    };
    let parked = was_parked || days >= i32::try_from(park_after_days).unwrap_or(i32::MAX);
    let row = instance_health::ActiveModel {
        host: Set(host.to_string()),
        failure_days: Set(days),
        last_failure_day: Set(Some(today)),
        last_failure_at: Set(Some(now)),
        last_success_at: Set(existing.as_ref().and_then(|h| h.last_success_at)),
        parked: Set(parked),
        parked_at: Set(if parked {
            existing.as_ref().and_then(|h| h.parked_at).or(Some(now))
        } else {
            None
        }),
        last_error: Set(Some(crate::content::truncate_words(error, 500))),
    };
    instance_health::Entity::insert(row)
        .on_conflict(
            OnConflict::column(instance_health::Column::Host)
                .update_columns([
                    instance_health::Column::FailureDays,
                    instance_health::Column::LastFailureDay,
                    instance_health::Column::LastFailureAt,
                    instance_health::Column::Parked,
                    instance_health::Column::ParkedAt,
                    instance_health::Column::LastError,
                ])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    if parked && !was_parked {
        tracing::warn!(
            host,
            failure_days = days,
            "host parked: no more delivery attempts until it speaks again or an admin revives it"
        );
    }
    Ok(parked && !was_parked)
}

/// Unpark `host` and make its waiting deliveries due now. Returns whether
/// it was parked. Called when the host sends us a valid signed request, and
/// by the admin's `deliveries retry`.
pub async fn revive(ctx: &AppContext, host: &str) -> AppResult<bool> {
    let res = instance_health::Entity::update_many()
        .col_expr(instance_health::Column::Parked, Expr::value(false))
        .col_expr(instance_health::Column::FailureDays, Expr::value(0))
        .col_expr(
            instance_health::Column::ParkedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(instance_health::Column::Host.eq(host))
        .filter(instance_health::Column::Parked.eq(true))
        .exec(&ctx.db)
        .await?;
    let was_parked = res.rows_affected > 0;
    if was_parked {
        tracing::info!(host, "host revived");
        make_due(ctx, host).await?;
    }
    Ok(was_parked)
}

async fn make_due(ctx: &AppContext, host: &str) -> AppResult<u64> {
    let res = delivery::Entity::update_many()
        .col_expr(
            delivery::Column::NextAttemptAt,
            Expr::value(crate::db::now()),
        )
        .filter(delivery::Column::Host.eq(host))
        .filter(delivery::Column::State.eq(delivery::DeliveryState::Pending))
        .exec(&ctx.db)
        .await?;
    ctx.committed(crate::cache::Changes::none()).await;
    Ok(res.rows_affected)
}

/// Make every pending delivery to `host` due now (and unpark it).
pub async fn retry_now(ctx: &AppContext, host: &str) -> AppResult<u64> {
    revive(ctx, host).await?;
    make_due(ctx, host).await
}
