//! Activities received from other servers, remembered by id so that a
//! redelivery (or the same activity at two of our inboxes) is handled once.
//! Only applied activities keep their JSON, and only for
//! `federation.activity_retention_days`.

use crate::error::AppResult;
use entity::activity::{self, ActivityKind};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

/// A received activity's envelope.
pub struct Received<'a> {
    pub id: &'a str,
    pub kind: &'a str,
    pub actor: &'a str,
}

/// How long a claim protects an activity that is not handled yet. A request
/// takes seconds; a claim this old was left by a process that died, and a
/// redelivery may take it over.
pub const CLAIM_TIMEOUT: chrono::Duration = chrono::Duration::minutes(5);

/// Claim `r`'s id before handling it: false when it was already handled
/// (or is being handled by a concurrent request).
pub async fn claim(db: &impl ConnectionTrait, r: &Received<'_>) -> AppResult<bool> {
    let now = super::now();
    let row = activity::ActiveModel {
        ap_id: Set(r.id.to_string()),
        kind: Set(ActivityKind::of(r.kind)),
        actor_ap_id: Set(r.actor.to_string()),
        json: Set(String::new()),
        local: Set(false),
        created_at: Set(now),
        handled: Set(false),
        ..Default::default()
    };
    let inserted = activity::Entity::insert(row)
        .on_conflict(
            OnConflict::column(activity::Column::ApId)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    if inserted > 0 {
        return Ok(true);
    }
    // An abandoned claim: take it over, atomically (one request wins).
    let taken = activity::Entity::update_many()
        .col_expr(activity::Column::CreatedAt, Expr::value(now))
        .filter(activity::Column::ApId.eq(r.id))
        .filter(activity::Column::Local.eq(false))
        .filter(activity::Column::Handled.eq(false))
        .filter(activity::Column::CreatedAt.lt(now - CLAIM_TIMEOUT))
        .exec(db)
        .await?
        .rows_affected;
    Ok(taken > 0)
}

/// Handled: a redelivery is a duplicate from now on. `json` is kept (until
/// it is pruned) when it changed something.
pub async fn handled(
    db: &impl ConnectionTrait,
    r: &Received<'_>,
    json: Option<&str>,
) -> AppResult<()> {
    let mut update = activity::Entity::update_many()
        .col_expr(activity::Column::Handled, Expr::value(true))
        .filter(activity::Column::ApId.eq(r.id))
        .filter(activity::Column::Local.eq(false));
    if let Some(json) = json {
        update = update.col_expr(activity::Column::Json, Expr::value(json));
    }
    update.exec(db).await?;
    Ok(())
}

/// Handling failed: forget the claim, so a redelivery may try again.
pub async fn release(db: &impl ConnectionTrait, r: &Received<'_>) {
    let res = activity::Entity::delete_many()
        .filter(activity::Column::ApId.eq(r.id))
        .filter(activity::Column::Local.eq(false))
        .exec(db)
        .await;
    if let Err(e) = res {
        tracing::warn!(id = r.id, error = %e, "could not release the claim of a failed activity");
    }
}

/// Forget received activities older than `days`: their ids (kept to
/// recognise redeliveries) and JSON. Our own activities stay, as they are
/// dereferenceable. Returns how many were removed.
pub async fn prune(db: &impl ConnectionTrait, days: u32) -> AppResult<u64> {
    let before = super::now() - chrono::Duration::days(i64::from(days));
    Ok(activity::Entity::delete_many()
        .filter(activity::Column::Local.eq(false))
        .filter(activity::Column::CreatedAt.lt(before))
        .exec(db)
        .await?
        .rows_affected)
}
