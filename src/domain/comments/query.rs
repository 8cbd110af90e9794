//! Reading comments: an article's shown ones (whole, paged, or as a
//! skeleton to thread), by id, and a person's inbox.

use super::*;
use crate::error::AppResult;
use entity::comment::CommentState;
use entity::{actor, comment};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

/// Private replies addressed to `person`, and shown comments that mention
/// them, newest first: what they see in their inbox.
pub async fn inbox_of(
    db: &impl ConnectionTrait,
    person: &actor::Model,
    limit: u64,
) -> AppResult<Vec<(comment::Model, Option<actor::Model>)>> {
    let needle = format!(
        "%{}%",
        serde_json::to_string(&person.ap_id).unwrap_or_default()
    );
    let rows = comment::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(
                    sea_orm::Condition::all()
                        .add(comment::Column::State.eq(CommentState::Private))
                        .add(comment::Column::Recipients.like(needle.clone())),
                )
                .add(
                    sea_orm::Condition::all()
                        .add(comment::Column::State.eq(CommentState::Accepted))
                        .add(comment::Column::Mentions.like(needle)),
                ),
        )
        .order_by_desc(comment::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    // LIKE's `_` matches any character: keep exact matches only.
    let rows = rows
        .into_iter()
        .filter(|c| {
            let listed = if c.state == CommentState::Private {
                serde_json::from_str::<Vec<String>>(&c.recipients).unwrap_or_default()
            } else {
                serde_json::from_str::<Vec<Mention>>(&c.mentions)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|m| m.href)
                    .collect()
            };
            listed.contains(&person.ap_id)
        })
        .collect();
    with_authors(db, rows).await
}

/// Accepted comments of an article, oldest first, with their authors.
pub async fn of_article(
    db: &impl ConnectionTrait,
    article_id: i64,
    limit: u64,
) -> AppResult<Vec<(comment::Model, Option<actor::Model>)>> {
    let rows = comment::Entity::find()
        .filter(comment::Column::ArticleId.eq(article_id))
        .filter(comment::Column::State.eq(CommentState::Accepted))
        .order_by_asc(comment::Column::Published)
        .limit(limit)
        .all(db)
        .await?;
    with_authors(db, rows).await
}

/// Every shown comment of an article as `(id, ap_id, in_reply_to)`, oldest
/// first: enough to thread and page them without loading their text.
pub async fn thread_skeleton(
    db: &impl ConnectionTrait,
    article_id: i64,
) -> AppResult<Vec<(i64, String, String)>> {
    Ok(comment::Entity::find()
        .select_only()
        .column(comment::Column::Id)
        .column(comment::Column::ApId)
        .column(comment::Column::InReplyTo)
        .filter(comment::Column::ArticleId.eq(article_id))
        .filter(comment::Column::State.eq(CommentState::Accepted))
        .order_by_asc(comment::Column::Published)
        .order_by_asc(comment::Column::Id)
        .limit(20_000)
        .into_tuple()
        .all(db)
        .await?)
}

/// Comments by id, with their authors (authors loaded once each).
pub async fn by_ids(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<Vec<(comment::Model, Option<actor::Model>)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = comment::Entity::find()
        .filter(comment::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    let mut author_ids: Vec<i64> = rows.iter().map(|c| c.author_id).collect();
    author_ids.sort_unstable();
    author_ids.dedup();
    let authors: std::collections::HashMap<i64, actor::Model> = actor::Entity::find()
        .filter(actor::Column::Id.is_in(author_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    Ok(rows
        .into_iter()
        .map(|c| {
            let a = authors.get(&c.author_id).cloned();
            (c, a)
        })
        .collect())
}

/// A page of an article's accepted comments in the order they arrived:
/// (position, id) after position `after`.
pub async fn page(
    db: &impl ConnectionTrait,
    article_id: i64,
    after: i64,
    limit: u64,
) -> AppResult<Vec<(i64, String)>> {
    Ok(comment::Entity::find()
        .filter(comment::Column::ArticleId.eq(article_id))
        .filter(comment::Column::State.eq(CommentState::Accepted))
        .filter(comment::Column::Id.gt(after))
        .order_by_asc(comment::Column::Id)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.ap_id))
        .collect())
}

pub async fn count(db: &impl ConnectionTrait, article_id: i64) -> AppResult<u64> {
    Ok(comment::Entity::find()
        .filter(comment::Column::ArticleId.eq(article_id))
        .filter(comment::Column::State.eq(CommentState::Accepted))
        .count(db)
        .await?)
}
