//! Comments: replies from anywhere to our articles (or to comments on
//! them) are stored, listed in the article's `replies`, shown on its page,
//! and announced by the community to its followers (FEP-1b12).
//!
//! `remote` receives replies from other servers, `local` posts members'
//! comments, `moderation` holds the moderators' decisions and the log,
//! `query` the readings; what they share (the thread an id belongs to, the
//! policy's first state, the community's boosts) is here.

mod local;
mod moderation;
mod query;
mod remote;

pub use local::{BODY_MAX, delete_local, find_local, post_local, replied_to};
pub use moderation::{Decision, in_state, may_moderate, moderate};
pub use query::{by_ids, count, inbox_of, of_article, page, thread_skeleton};
pub use remote::{Attachment, Mention, RemoteReply, Visibility, delete, receive};

use crate::context::AppContext;
use crate::delivery;
use crate::error::AppResult;
use crate::wire::outbound;
use entity::comment::CommentState;
use entity::{actor, article, comment};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};

/// The local article a reply belongs to: the one it answers, or the article
/// of the comment it answers. `None` for anything else.
pub async fn thread_of(
    db: &impl ConnectionTrait,
    in_reply_to: &str,
) -> AppResult<Option<article::Model>> {
    if let Some(a) = article::Entity::find()
        .filter(article::Column::ApId.eq(in_reply_to))
        .filter(article::Column::Local.eq(true))
        .filter(article::Column::Draft.eq(false))
        .filter(article::Column::DeletedAt.is_null())
        .one(db)
        .await?
    {
        return Ok(Some(a));
    }
    // A reply to a shown comment joins its article's thread.
    let Some(parent) = comment::Entity::find()
        .filter(comment::Column::ApId.eq(in_reply_to))
        .filter(comment::Column::State.eq(CommentState::Accepted))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(article::Entity::find_by_id(parent.article_id)
        .filter(article::Column::Draft.eq(false))
        .filter(article::Column::DeletedAt.is_null())
        .one(db)
        .await?)
}

/// Comment policies of a community: who may comment without approval.
pub const POLICIES: [&str; 3] = ["open", "held", "followers"];

/// The state a new comment by `author` gets under `community`'s policy.
pub(super) async fn initial_state(
    db: &impl ConnectionTrait,
    community: Option<&actor::Model>,
    author: &actor::Model,
) -> AppResult<CommentState> {
    let Some(community) = community else {
        return Ok(CommentState::Accepted);
    };
    Ok(
        match community.comment_policy.as_deref().unwrap_or("open") {
            "held" => CommentState::Held,
            "followers" => {
                let follows = entity::follow::Entity::find()
                    .filter(entity::follow::Column::FollowerId.eq(author.id))
                    .filter(entity::follow::Column::TargetId.eq(community.id))
                    .filter(entity::follow::Column::Accepted.eq(true))
                    .count(db)
                    .await?
                    > 0;
                if follows || author.local {
                    CommentState::Accepted
                } else {
                    CommentState::Held
                }
            }
            _ => CommentState::Accepted,
        },
    )
}

/// The community announces an accepted comment to its followers (and
/// remembers the Announce, to take it back should the comment be removed).
pub(super) async fn announce(
    ctx: &AppContext,
    db: &impl ConnectionTrait,
    community: &actor::Model,
    comment: &comment::Model,
) -> AppResult<()> {
    let id = outbound::activity_id(&ctx.base_url());
    let announce = outbound::announce(&id, community, &comment.ap_id);
    crate::domain::reactions::record(
        db,
        crate::domain::reactions::ANNOUNCE,
        community,
        &comment.ap_id,
        &id,
    )
    .await?;
    let inboxes = delivery::follower_inboxes(db, community).await?;
    delivery::enqueue(db, &announce, community, inboxes).await?;
    Ok(())
}

/// A removed comment: the community's followers are told to drop its boost.
pub(super) async fn unannounce(
    ctx: &AppContext,
    db: &impl ConnectionTrait,
    community: &actor::Model,
    comment: &comment::Model,
) -> AppResult<()> {
    let announces = entity::reaction::Entity::find()
        .filter(entity::reaction::Column::Kind.eq(crate::domain::reactions::ANNOUNCE))
        .filter(entity::reaction::Column::ActorId.eq(community.id))
        .filter(entity::reaction::Column::ObjectApId.eq(comment.ap_id.as_str()))
        .all(db)
        .await?;
    for r in announces {
        let undo = outbound::undo_announce(
            &outbound::activity_id(&ctx.base_url()),
            community,
            &r.activity_ap_id,
            &comment.ap_id,
        );
        let inboxes = delivery::follower_inboxes(db, community).await?;
        delivery::enqueue(db, &undo, community, inboxes).await?;
        crate::domain::reactions::undo(
            db,
            crate::domain::reactions::ANNOUNCE,
            community,
            Some(&r.activity_ap_id),
            None,
        )
        .await?;
    }
    Ok(())
}

/// The small lists stored as JSON columns.
pub(super) fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

pub(super) async fn with_authors(
    db: &impl ConnectionTrait,
    rows: Vec<comment::Model>,
) -> AppResult<Vec<(comment::Model, Option<actor::Model>)>> {
    let mut out = Vec::with_capacity(rows.len());
    for c in rows {
        let author = actor::Entity::find_by_id(c.author_id).one(db).await?;
        out.push((c, author));
    }
    Ok(out)
}
