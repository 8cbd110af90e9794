//! What we keep of other servers' content: articles received from actors
//! our communities follow, stored once by id.

use crate::content;
use crate::error::AppResult;
use crate::federation::protocol::article::ArticleDoc;
use entity::{actor, article, follow};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TryIntoModel,
};

/// Insert or update a remote article. Its HTML is sanitized here, before it
/// is stored.
pub async fn upsert_article(
    db: &impl ConnectionTrait,
    doc: &ArticleDoc,
    author: &actor::Model,
    community: Option<&actor::Model>,
) -> AppResult<article::Model> {
    let content_html = content::sanitize_remote_html(
        doc.content
            .as_deref()
            .or_else(|| {
                doc.content_map
                    .as_ref()
                    .and_then(|m| m.values().next().map(String::as_str))
            })
            .unwrap_or(""),
    );
    let title = doc
        .name
        .clone()
        .map(|t| content::truncate_words(strip_tags(&t).trim(), 300))
        .unwrap_or_default();
    let summary = doc
        .summary
        .as_deref()
        .map(|s| content::truncate_words(&strip_tags(s), content::SUMMARY_MAX))
        .unwrap_or_default();
    let url = doc
        .url
        .as_ref()
        .and_then(crate::federation::protocol::ref_id)
        .or_else(|| {
            doc.url
                .as_ref()
                .and_then(|u| u.as_str())
                .and_then(|s| url::Url::parse(s).ok())
        })
        .map(|u| u.to_string());
    let language = doc
        .content_map
        .as_ref()
        .and_then(|m| m.keys().next().cloned());
    let existing = article::Entity::find()
        .filter(article::Column::ApId.eq(doc.id.as_str()))
        .one(db)
        .await?;
    let mut row: article::ActiveModel = match existing {
        Some(e) if e.local => return Ok(e),
        Some(e) => e.into(),
        None => article::ActiveModel {
            ap_id: Set(doc.id.to_string()),
            uuid: Set(None),
            local: Set(false),
            draft: Set(false),
            slug: Set(None),
            source_md: Set(None),
            deleted_at: Set(None),
            published: Set(doc.published.unwrap_or_else(super::now)),
            ..Default::default()
        },
    };
    row.author_id = Set(author.id);
    row.community_id = Set(community.map(|c| c.id));
    row.title = Set(title);
    row.summary = Set(summary);
    row.content_html = Set(content_html);
    row.url = Set(url);
    row.language = Set(language);
    row.licence = Set(doc.license.clone());
    row.updated = Set(doc.updated);
    row.kind = Set(if doc.kind == "Note" {
        "note"
    } else {
        "article"
    }
    .to_string());
    Ok(row.save(db).await?.try_into_model()?)
}

fn strip_tags(html: &str) -> String {
    ammonia::Builder::empty().clean(html).to_string()
}

/// Remote articles from the actors `community` follows, newest first.
pub async fn network(
    db: &impl ConnectionTrait,
    community: &actor::Model,
    limit: u64,
) -> AppResult<Vec<(article::Model, Option<actor::Model>)>> {
    let followed: Vec<i64> = follow::Entity::find()
        .filter(follow::Column::FollowerId.eq(community.id))
        .filter(follow::Column::Accepted.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|f| f.target_id)
        .collect();
    if followed.is_empty() {
        return Ok(Vec::new());
    }
    let articles = article::Entity::find()
        .filter(article::Column::Local.eq(false))
        .filter(article::Column::DeletedAt.is_null())
        .filter(
            sea_orm::Condition::any()
                .add(article::Column::CommunityId.is_in(followed.clone()))
                .add(article::Column::AuthorId.is_in(followed)),
        )
        .order_by_desc(article::Column::Published)
        .limit(limit)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(articles.len());
    for a in articles {
        let author = actor::Entity::find_by_id(a.author_id).one(db).await?;
        out.push((a, author));
    }
    Ok(out)
}

/// The origin deleted an object: forget its content, keep the id (so a late
/// Announce cannot bring it back).
pub async fn delete_article(
    db: &impl ConnectionTrait,
    ap_id: &str,
    actor: &actor::Model,
) -> AppResult<bool> {
    let Some(existing) = article::Entity::find()
        .filter(article::Column::ApId.eq(ap_id))
        .filter(article::Column::Local.eq(false))
        .one(db)
        .await?
    else {
        return Ok(false);
    };
    let authored = existing.author_id == actor.id
        || entity::article_author::Entity::find()
            .filter(entity::article_author::Column::ArticleId.eq(existing.id))
            .filter(entity::article_author::Column::PersonId.eq(actor.id))
            .one(db)
            .await?
            .is_some();
    if !authored {
        return Ok(false);
    }
    let mut row: article::ActiveModel = existing.into();
    row.deleted_at = Set(Some(super::now()));
    row.content_html = Set(String::new());
    row.summary = Set(String::new());
    row.update(db).await?;
    Ok(true)
}
