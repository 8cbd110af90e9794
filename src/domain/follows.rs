//! Follow relations: remote actors following ours, and our communities
//! following remote actors.

use crate::context::AppContext;
use crate::delivery;
use crate::error::AppResult;
use crate::wire::outbound;
use entity::{actor, follow};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::Value;

pub async fn find(
    db: &impl ConnectionTrait,
    follower: &actor::Model,
    target: &actor::Model,
) -> AppResult<Option<follow::Model>> {
    Ok(follow::Entity::find()
        .filter(follow::Column::FollowerId.eq(follower.id))
        .filter(follow::Column::TargetId.eq(target.id))
        .one(db)
        .await?)
}

/// Our `community` starts following remote `target`: pending until its Accept.
pub async fn start_following(
    ctx: &AppContext,
    community: &actor::Model,
    target: &actor::Model,
) -> AppResult<follow::Model> {
    if let Some(existing) = find(&ctx.db, community, target).await? {
        return Ok(existing);
    }
    let id = outbound::activity_id(&ctx.base_url());
    let json = outbound::follow(&id, community, target);
    let txn = crate::db::begin_write(&ctx.db).await?;
    let row = follow::ActiveModel {
        follower_id: Set(community.id),
        target_id: Set(target.id),
        activity_ap_id: Set(Some(id)),
        accepted: Set(false),
        created_at: Set(super::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    delivery::enqueue(&txn, &json, community, [target.inbox_url.clone()]).await?;
    txn.commit().await?;
    // Followers and follows show on no cached page.
    ctx.committed(crate::cache::Changes::none()).await;
    Ok(row)
}

/// A remote `follower` follows our `target`: record it and answer with an
/// `Accept` that embeds the Follow as received.
pub async fn accept_follower(
    ctx: &AppContext,
    follower: &actor::Model,
    target: &actor::Model,
    follow_json: &Value,
) -> AppResult<()> {
    let follow_id = follow_json
        .get("id")
        .and_then(Value::as_str)
        .map(str::to_string);
    let txn = crate::db::begin_write(&ctx.db).await?;
    match find(&txn, follower, target).await? {
        Some(existing) => {
            let mut row: follow::ActiveModel = existing.into();
            row.activity_ap_id = Set(follow_id);
            row.accepted = Set(true);
            row.update(&txn).await?;
        }
        None => {
            follow::ActiveModel {
                follower_id: Set(follower.id),
                target_id: Set(target.id),
                activity_ap_id: Set(follow_id),
                accepted: Set(true),
                created_at: Set(super::now()),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
    }
    let accept = outbound::accept(&outbound::activity_id(&ctx.base_url()), target, follow_json);
    delivery::enqueue(&txn, &accept, target, [follower.inbox_url.clone()]).await?;
    txn.commit().await?;
    // Followers and follows show on no cached page.
    ctx.committed(crate::cache::Changes::none()).await;
    Ok(())
}

/// Refuse a `Follow` (allowlist mode, a blocked actor): answer `Reject`,
/// and forget any follow there was.
pub async fn reject_follower(
    ctx: &AppContext,
    follower: &actor::Model,
    target: &actor::Model,
    follow_json: &Value,
) -> AppResult<()> {
    let txn = crate::db::begin_write(&ctx.db).await?;
    remove(&txn, follower, target).await?;
    let reject = outbound::reject(&outbound::activity_id(&ctx.base_url()), target, follow_json);
    delivery::enqueue(&txn, &reject, target, [follower.inbox_url.clone()]).await?;
    txn.commit().await?;
    // Followers and follows show on no cached page.
    ctx.committed(crate::cache::Changes::none()).await;
    Ok(())
}

/// Remove `follower`'s follow of `target` (Undo{Follow}, or Reject of ours).
pub async fn remove(
    db: &impl ConnectionTrait,
    follower: &actor::Model,
    target: &actor::Model,
) -> AppResult<bool> {
    let res = follow::Entity::delete_many()
        .filter(follow::Column::FollowerId.eq(follower.id))
        .filter(follow::Column::TargetId.eq(target.id))
        .exec(db)
        .await?;
    Ok(res.rows_affected > 0)
}

/// The remote `target` accepted our `follower`'s follow. True when it was
/// pending until now.
pub async fn mark_accepted(
    db: &impl ConnectionTrait,
    follower: &actor::Model,
    target: &actor::Model,
) -> AppResult<bool> {
    let res = follow::Entity::update_many()
        .col_expr(
            follow::Column::Accepted,
            sea_orm::sea_query::Expr::value(true),
        )
        .filter(follow::Column::FollowerId.eq(follower.id))
        .filter(follow::Column::TargetId.eq(target.id))
        .filter(follow::Column::Accepted.eq(false))
        .exec(db)
        .await?;
    Ok(res.rows_affected > 0)
}

/// The other side of a Follow we hold by its activity id: the actor it
/// targets (when `follower` sent it) or the one who sent it (when it
/// targeted `target`). Used by `Undo` and `Accept`/`Reject` that name the
/// Follow only by id.
pub async fn other_side_of(
    db: &impl ConnectionTrait,
    follow_ap_id: &str,
    follower: Option<&actor::Model>,
    target: Option<&actor::Model>,
) -> AppResult<Option<actor::Model>> {
    let mut q = follow::Entity::find().filter(follow::Column::ActivityApId.eq(follow_ap_id));
    if let Some(f) = follower {
        q = q.filter(follow::Column::FollowerId.eq(f.id));
    }
    if let Some(t) = target {
        q = q.filter(follow::Column::TargetId.eq(t.id));
    }
    let Some(row) = q.one(db).await? else {
        return Ok(None);
    };
    let other = if follower.is_some() {
        row.target_id
    } else {
        row.follower_id
    };
    Ok(actor::Entity::find_by_id(other).one(db).await?)
}

/// Does anyone here follow (accepted) one of these actors: `ids`, or the
/// remote actors we hold among `ap_ids`?
pub async fn anyone_follows(
    db: &impl ConnectionTrait,
    ids: &[i64],
    ap_ids: &[String],
) -> AppResult<bool> {
    use sea_orm::PaginatorTrait;
    let mut targets: Vec<i64> = ids.to_vec();
    if !ap_ids.is_empty() {
        targets.extend(
            actor::Entity::find()
                .filter(actor::Column::ApId.is_in(ap_ids.iter().take(100).cloned()))
                .filter(actor::Column::Local.eq(false))
                .all(db)
                .await?
                .into_iter()
                .map(|a| a.id),
        );
    }
    Ok(follow::Entity::find()
        .filter(follow::Column::TargetId.is_in(targets))
        .filter(follow::Column::Accepted.eq(true))
        .count(db)
        .await?
        > 0)
}

/// How many accepted followers `target` has.
pub async fn follower_count(db: &impl ConnectionTrait, target: &actor::Model) -> AppResult<u64> {
    use sea_orm::PaginatorTrait;
    Ok(follow::Entity::find()
        .filter(follow::Column::TargetId.eq(target.id))
        .filter(follow::Column::Accepted.eq(true))
        .count(db)
        .await?)
}

/// How many actors `follower` follows (accepted).
pub async fn following_count(db: &impl ConnectionTrait, follower: &actor::Model) -> AppResult<u64> {
    use sea_orm::PaginatorTrait;
    Ok(follow::Entity::find()
        .filter(follow::Column::FollowerId.eq(follower.id))
        .filter(follow::Column::Accepted.eq(true))
        .count(db)
        .await?)
}

/// Actors that follow `target`, with whether the follow is accepted.
pub async fn followers(
    db: &impl ConnectionTrait,
    target: &actor::Model,
) -> AppResult<Vec<(actor::Model, bool)>> {
    let rows = follow::Entity::find()
        .filter(follow::Column::TargetId.eq(target.id))
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for f in rows {
        if let Some(a) = actor::Entity::find_by_id(f.follower_id).one(db).await? {
            out.push((a, f.accepted));
        }
    }
    Ok(out)
}

/// Actors `follower` follows, with whether the follow is accepted.
pub async fn following(
    db: &impl ConnectionTrait,
    follower: &actor::Model,
) -> AppResult<Vec<(actor::Model, bool)>> {
    let rows = follow::Entity::find()
        .filter(follow::Column::FollowerId.eq(follower.id))
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for f in rows {
        if let Some(a) = actor::Entity::find_by_id(f.target_id).one(db).await? {
            out.push((a, f.accepted));
        }
    }
    Ok(out)
}
