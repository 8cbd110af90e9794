//! Comments: replies from anywhere to our articles (or to comments on
//! them) are stored, listed in the article's `replies`, shown on its page,
//! and announced by the community to its followers (FEP-1b12).

use crate::content;
use crate::context::AppContext;
use crate::delivery;
use crate::error::AppResult;
use crate::federation::outbound;
use crate::federation::protocol::article::ArticleDoc;
use entity::{actor, article, comment};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

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
    let Some(parent) = comment::Entity::find()
        .filter(comment::Column::ApId.eq(in_reply_to))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(article::Entity::find_by_id(parent.article_id)
        .one(db)
        .await?)
}

/// Store a reply by `author` to `article` (new, or an edit by its author),
/// and have the community announce a new one.
pub async fn receive(
    ctx: &AppContext,
    article: &article::Model,
    author: &actor::Model,
    doc: &ArticleDoc,
) -> AppResult<Option<comment::Model>> {
    let html = content::sanitize_remote_html(
        doc.content
            .as_deref()
            .or_else(|| {
                doc.content_map
                    .as_ref()
                    .and_then(|m| m.values().next().map(String::as_str))
            })
            .unwrap_or(""),
    );
    let in_reply_to = doc
        .in_reply_to
        .as_ref()
        .map(|u| u.to_string())
        .unwrap_or_else(|| article.ap_id.clone());
    let txn = crate::db::begin_write(&ctx.db).await?;
    let existing = comment::Entity::find()
        .filter(comment::Column::ApId.eq(doc.id.as_str()))
        .one(&txn)
        .await?;
    let saved = match existing {
        Some(c) if c.author_id != author.id => {
            tracing::info!(id = %doc.id, "edit of a comment by someone other than its author ignored");
            return Ok(None);
        }
        Some(c) => {
            let mut row: comment::ActiveModel = c.into();
            row.content_html = Set(html);
            row.updated = Set(Some(doc.updated.unwrap_or_else(super::now)));
            row.update(&txn).await?
        }
        None => {
            let saved = comment::ActiveModel {
                ap_id: Set(doc.id.to_string()),
                article_id: Set(article.id),
                in_reply_to: Set(in_reply_to),
                author_id: Set(author.id),
                content_html: Set(html),
                state: Set("accepted".into()),
                local: Set(false),
                published: Set(doc.published.unwrap_or_else(super::now)),
                updated: Set(None),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            if let Some(community_id) = article.community_id
                && let Some(community) = actor::Entity::find_by_id(community_id).one(&txn).await?
            {
                let announce = outbound::announce(
                    &outbound::activity_id(&ctx.base_url()),
                    &community,
                    &saved.ap_id,
                );
                let inboxes = delivery::follower_inboxes(&txn, &community).await?;
                delivery::enqueue(&txn, &announce, &community, inboxes).await?;
            }
            saved
        }
    };
    txn.commit().await?;
    ctx.pages.clear();
    ctx.delivery_wake.notify_one();
    Ok(Some(saved))
}

/// The origin deleted a comment: only its author may.
pub async fn delete(ctx: &AppContext, ap_id: &str, actor: &actor::Model) -> AppResult<bool> {
    let res = comment::Entity::delete_many()
        .filter(comment::Column::ApId.eq(ap_id))
        .filter(comment::Column::AuthorId.eq(actor.id))
        .exec(&ctx.db)
        .await?;
    if res.rows_affected > 0 {
        ctx.pages.clear();
    }
    Ok(res.rows_affected > 0)
}

/// Accepted comments of an article, oldest first, with their authors.
pub async fn of_article(
    db: &impl ConnectionTrait,
    article_id: i64,
    limit: u64,
) -> AppResult<Vec<(comment::Model, Option<actor::Model>)>> {
    let rows = comment::Entity::find()
        .filter(comment::Column::ArticleId.eq(article_id))
        .filter(comment::Column::State.eq("accepted"))
        .order_by_asc(comment::Column::Published)
        .limit(limit)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for c in rows {
        let author = actor::Entity::find_by_id(c.author_id).one(db).await?;
        out.push((c, author));
    }
    Ok(out)
}

pub async fn count(db: &impl ConnectionTrait, article_id: i64) -> AppResult<u64> {
    Ok(comment::Entity::find()
        .filter(comment::Column::ArticleId.eq(article_id))
        .filter(comment::Column::State.eq("accepted"))
        .count(db)
        .await?)
}
