//! Moderators' decisions (approve, remove), the comment policy, and the
//! public log of both.

use super::local::send_delete;
use super::*;
use crate::context::AppContext;
use crate::error::{AppError, AppResult};
use entity::comment::CommentState;
use entity::{actor, article, comment};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait, Set,
};

/// What a moderator can do to a comment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Remove,
}

impl Decision {
    pub fn parse(s: &str) -> AppResult<Decision> {
        match s {
            "approve" => Ok(Decision::Approve),
            "remove" => Ok(Decision::Remove),
            _ => Err(AppError::unprocessable("action", "one of: approve, remove")),
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Decision::Approve => "approve",
            Decision::Remove => "remove",
        }
    }
}

/// May `person` moderate `community`?
pub async fn may_moderate(
    db: &impl ConnectionTrait,
    community: &actor::Model,
    person: &actor::Model,
) -> AppResult<()> {
    crate::domain::actors::require_role(
        db,
        community,
        person,
        &[
            crate::domain::actors::Role::Steward,
            crate::domain::actors::Role::Moderator,
        ],
        "moderate it",
    )
    .await
}

/// A moderator approves a held comment (shown and announced from now on) or
/// removes one (gone from the page and `replies`). Logged publicly with the
/// reason.
pub async fn moderate(
    ctx: &AppContext,
    community: &actor::Model,
    moderator: &actor::Model,
    comment_ap_id: &str,
    decision: Decision,
    reason: &str,
) -> AppResult<comment::Model> {
    may_moderate(&ctx.db, community, moderator).await?;
    if decision == Decision::Remove && reason.trim().is_empty() {
        return Err(AppError::unprocessable(
            "reason",
            "required when removing: it is published in the moderation log",
        ));
    }
    let txn = crate::db::begin_write(&ctx.db).await?;
    let found = comment::Entity::find()
        .filter(comment::Column::ApId.eq(comment_ap_id))
        .one(&txn)
        .await?;
    let in_community = match &found {
        Some(c) => article::Entity::find_by_id(c.article_id)
            .one(&txn)
            .await?
            .is_some_and(|a| a.community_id == Some(community.id)),
        None => false,
    };
    let Some(current) = found.filter(|_| in_community) else {
        return Err(AppError::NotFound(format!(
            "no comment {comment_ap_id} on an article of `{}`",
            community.username
        )));
    };
    if current.state == CommentState::Deleted {
        return Err(AppError::Gone);
    }
    // A private reply is its addressees' alone: moderators cannot publish it.
    if current.state == CommentState::Private {
        return Err(AppError::NotFound(format!(
            "no comment {comment_ap_id} on an article of `{}`",
            community.username
        )));
    }
    if current.local && current.state == CommentState::Removed && decision == Decision::Approve {
        return Err(AppError::unprocessable(
            "object",
            "a removed comment of this instance was withdrawn everywhere; its author can post it again",
        ));
    }
    let new_state = match decision {
        Decision::Approve => CommentState::Accepted,
        Decision::Remove => CommentState::Removed,
    };
    let changed = current.state != new_state;
    let mut row: comment::ActiveModel = current.clone().into();
    row.state = Set(new_state);
    let saved = row.update(&txn).await?;
    if changed {
        match decision {
            Decision::Approve if saved.visibility == "public" => {
                announce(ctx, &txn, community, &saved).await?
            }
            Decision::Approve => {}
            Decision::Remove => {
                unannounce(ctx, &txn, community, &saved).await?;
                // Ours: its Note is withdrawn everywhere it went.
                if saved.local
                    && let Some(a) = article::Entity::find_by_id(saved.article_id)
                        .one(&txn)
                        .await?
                {
                    let view = crate::domain::articles::load_view(&txn, a).await?;
                    send_delete(ctx, &txn, &saved, &view).await?;
                }
            }
        }
        log(
            &txn,
            community,
            moderator,
            decision.as_str(),
            comment_ap_id,
            reason,
        )
        .await?;
    }
    txn.commit().await?;
    ctx.committed();
    Ok(saved)
}

/// Record a moderation decision in the community's public log.
pub async fn log(
    db: &impl ConnectionTrait,
    community: &actor::Model,
    moderator: &actor::Model,
    action: &str,
    object: &str,
    reason: &str,
) -> AppResult<()> {
    entity::moderation_log::ActiveModel {
        community_id: Set(community.id),
        moderator_id: Set(Some(moderator.id)),
        action: Set(action.to_string()),
        object_ap_id: Set(object.to_string()),
        reason: Set(reason.to_string()),
        created_at: Set(crate::db::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The community's moderation log, newest first.
pub async fn moderation_log(
    db: &impl ConnectionTrait,
    community: &actor::Model,
    limit: u64,
) -> AppResult<Vec<(entity::moderation_log::Model, Option<actor::Model>)>> {
    let rows = entity::moderation_log::Entity::find()
        .filter(entity::moderation_log::Column::CommunityId.eq(community.id))
        .order_by_desc(entity::moderation_log::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let who = match r.moderator_id {
            Some(id) => actor::Entity::find_by_id(id).one(db).await?,
            None => None,
        };
        out.push((r, who));
    }
    Ok(out)
}

/// Set the community's comment policy (stewards only); logged.
pub async fn set_policy(
    ctx: &AppContext,
    community: &actor::Model,
    steward: &actor::Model,
    policy: &str,
) -> AppResult<actor::Model> {
    if !POLICIES.contains(&policy) {
        return Err(AppError::unprocessable(
            "comment_policy",
            format!("one of: {}", POLICIES.join(", ")),
        ));
    }
    crate::domain::actors::require_role(
        &ctx.db,
        community,
        steward,
        &[crate::domain::actors::Role::Steward],
        "change its settings",
    )
    .await?;
    let txn = crate::db::begin_write(&ctx.db).await?;
    let mut row: actor::ActiveModel = community.clone().into();
    row.comment_policy = Set(Some(policy.to_string()));
    let saved = row.update(&txn).await?;
    log(
        &txn,
        community,
        steward,
        "policy",
        &community.ap_id,
        &format!("comment policy: {policy}"),
    )
    .await?;
    txn.commit().await?;
    ctx.changed();
    Ok(saved)
}

/// Comments of a community's articles in `state` (for moderators), oldest
/// first.
pub async fn in_state(
    db: &impl ConnectionTrait,
    community: &actor::Model,
    state: CommentState,
    limit: u64,
) -> AppResult<Vec<(comment::Model, Option<actor::Model>)>> {
    let articles = article::Entity::find()
        .select_only()
        .column(article::Column::Id)
        .filter(article::Column::CommunityId.eq(community.id))
        .into_query();
    let rows = comment::Entity::find()
        .filter(comment::Column::State.eq(state))
        .filter(comment::Column::ArticleId.in_subquery(articles))
        .order_by_asc(comment::Column::Published)
        .limit(limit)
        .all(db)
        .await?;
    with_authors(db, rows).await
}
