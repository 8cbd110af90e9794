//! Actors a community's moderators block: a blocked actor cannot follow,
//! comment or like there, and an existing follow of theirs is removed.

use super::log::{self, Decision};
use super::permissions::{Permission, require};
use crate::context::AppContext;
use crate::error::{AppError, AppResult};
use entity::{actor, actor_block};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};

/// Is `actor` blocked in `community`?
pub async fn is_blocked(
    db: &impl ConnectionTrait,
    community_id: i64,
    actor_id: i64,
) -> AppResult<bool> {
    Ok(actor_block::Entity::find()
        .filter(actor_block::Column::CommunityId.eq(community_id))
        .filter(actor_block::Column::ActorId.eq(actor_id))
        .count(db)
        .await?
        > 0)
}

/// Is `actor` blocked in the community of `object` (one of our articles or
/// comments)?
pub async fn blocked_for_object(
    db: &impl ConnectionTrait,
    actor_id: i64,
    object: &str,
) -> AppResult<bool> {
    use entity::{article, comment};
    let article_id = match comment::Entity::find()
        .filter(comment::Column::ApId.eq(object))
        .one(db)
        .await?
    {
        Some(c) => Some(c.article_id),
        None => article::Entity::find()
            .filter(article::Column::ApId.eq(object))
            .one(db)
            .await?
            .map(|a| a.id),
    };
    let Some(id) = article_id else {
        return Ok(false);
    };
    match article::Entity::find_by_id(id)
        .one(db)
        .await?
        .and_then(|a| a.community_id)
    {
        Some(c) => is_blocked(db, c, actor_id).await,
        None => Ok(false),
    }
}

/// The community's blocks, newest first, with the blocked actors.
pub async fn list(
    db: &impl ConnectionTrait,
    community: &actor::Model,
) -> AppResult<Vec<(actor_block::Model, actor::Model)>> {
    let rows = actor_block::Entity::find()
        .filter(actor_block::Column::CommunityId.eq(community.id))
        .order_by_desc(actor_block::Column::Id)
        .all(db)
        .await?;
    let mut actors: std::collections::HashMap<i64, actor::Model> = actor::Entity::find()
        .filter(actor::Column::Id.is_in(rows.iter().map(|r| r.actor_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    Ok(rows
        .into_iter()
        .filter_map(|r| actors.remove(&r.actor_id).map(|a| (r, a)))
        .collect())
}

/// Block `target` in `community` (moderators); removes its follow; logged.
pub async fn block(
    ctx: &AppContext,
    community: &actor::Model,
    by: &actor::Model,
    target: &actor::Model,
    reason: &str,
) -> AppResult<()> {
    let decider = require(&ctx.db, community, by, Permission::Moderate).await?;
    if target.id == community.id || target.kind == "application" {
        return Err(AppError::unprocessable(
            "actor",
            "that actor cannot be blocked here",
        ));
    }
    if reason.trim().is_empty() {
        return Err(AppError::unprocessable(
            "reason",
            "required: it is published in the moderation log",
        ));
    }
    let txn = crate::db::begin_write(&ctx.db).await?;
    actor_block::Entity::insert(actor_block::ActiveModel {
        community_id: Set(community.id),
        actor_id: Set(target.id),
        reason: Set(reason.trim().to_string()),
        created_at: Set(crate::db::now()),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([
            actor_block::Column::CommunityId,
            actor_block::Column::ActorId,
        ])
        .update_column(actor_block::Column::Reason)
        .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    crate::domain::follows::remove(&txn, target, community).await?;
    log::record(
        &txn,
        Decision {
            scope: community,
            decider: &decider,
            action: "actor_blocked",
            target: &target.ap_id,
            title: &format!("{}@{}", target.username, target.host),
            reason,
            public: true,
        },
    )
    .await?;
    txn.commit().await?;
    ctx.changed(crate::cache::Changes::everything()).await;
    Ok(())
}

/// Lift a block; logged.
pub async fn unblock(
    ctx: &AppContext,
    community: &actor::Model,
    by: &actor::Model,
    target: &actor::Model,
    reason: &str,
) -> AppResult<()> {
    let decider = require(&ctx.db, community, by, Permission::Moderate).await?;
    let txn = crate::db::begin_write(&ctx.db).await?;
    let gone = actor_block::Entity::delete_many()
        .filter(actor_block::Column::CommunityId.eq(community.id))
        .filter(actor_block::Column::ActorId.eq(target.id))
        .exec(&txn)
        .await?
        .rows_affected;
    if gone == 0 {
        return Err(AppError::NotFound(format!(
            "{} is not blocked in `{}`",
            target.ap_id, community.username
        )));
    }
    log::record(
        &txn,
        Decision {
            scope: community,
            decider: &decider,
            action: "actor_unblocked",
            target: &target.ap_id,
            title: &format!("{}@{}", target.username, target.host),
            reason,
            public: true,
        },
    )
    .await?;
    txn.commit().await?;
    ctx.changed(crate::cache::Changes::everything()).await;
    Ok(())
}
