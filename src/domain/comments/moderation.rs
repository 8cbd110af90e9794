//! Moderators' decisions on comments (approve, remove, restore), logged in
//! the public moderation log.

use super::local::send_delete;
use super::*;
use crate::context::AppContext;
use crate::domain::governance::log;
use crate::domain::governance::permissions::{Decider, Permission, require};
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

/// May `person` moderate `community`? Who they are in the log if so.
pub async fn may_moderate(
    db: &impl ConnectionTrait,
    community: &actor::Model,
    person: &actor::Model,
) -> AppResult<Decider> {
    require(db, community, person, Permission::Moderate).await
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
    let decider = may_moderate(&ctx.db, community, moderator).await?;
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
        let words = crate::content::truncate_words(
            &crate::content::plain_text_of_html(&saved.content_html),
            80,
        );
        let action = match (decision, current.state) {
            (Decision::Approve, CommentState::Removed) => "restore",
            _ => decision.as_str(),
        };
        log::record(
            &txn,
            log::Decision {
                scope: community,
                decider: &decider,
                action,
                target: comment_ap_id,
                title: &format!("Comment: {words}"),
                reason,
                public: true,
            },
        )
        .await?;
    }
    let changes = crate::domain::shown::comment(&txn, &saved).await?;
    txn.commit().await?;
    ctx.committed(changes).await;
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
