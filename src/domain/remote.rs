//! What we keep of other servers' content: articles received from actors
//! our communities follow, stored once by id.

use crate::content;
use crate::error::AppResult;
use entity::{actor, article, article_author, follow, reaction};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait, Set, TryIntoModel,
};

/// A post from another server as its origin gave it (HTML not yet
/// sanitized): what `federation` reads off an `Article`, `Page`, `Note`,
/// `Event` or `Question`.
#[derive(Clone, Debug)]
pub struct RemoteArticle {
    pub id: url::Url,
    /// `article`, `note`, `event` or `question`.
    pub kind: &'static str,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub html: String,
    /// The canonical page, already checked to be http(s) on the object's
    /// own server.
    pub url: Option<String>,
    pub language: Option<String>,
    /// The licence as received (a URL, usually).
    pub licence: Option<String>,
    pub published: Option<chrono::DateTime<chrono::Utc>>,
    pub updated: Option<chrono::DateTime<chrono::Utc>>,
    pub start_time: Option<chrono::DateTime<chrono::Utc>>,
    pub end_time: Option<chrono::DateTime<chrono::Utc>>,
    /// Where an event takes place, as one line.
    pub location: Option<String>,
}

/// Insert or update a remote article by its authors (the first is the main
/// one; there is at least one). Its HTML is sanitized here, before it is
/// stored.
pub async fn upsert_article(
    db: &impl ConnectionTrait,
    doc: &RemoteArticle,
    authors: &[actor::Model],
    community: Option<&actor::Model>,
) -> AppResult<article::Model> {
    let Some(author) = authors.first() else {
        return Err(crate::error::AppError::internal(
            "remote article without author",
        ));
    };
    let original = doc.url.clone().unwrap_or_else(|| doc.id.to_string());
    let content_html = content::sanitize_remote_article(&doc.html, &doc.id, &original);
    let title = doc
        .title
        .clone()
        .map(|t| content::truncate_words(content::plain_text_of_html(&t).trim(), 300))
        .unwrap_or_default();
    let summary = doc
        .summary
        .as_deref()
        .map(|s| content::truncate_words(&content::plain_text_of_html(s), content::SUMMARY_MAX))
        .unwrap_or_default();
    let url = doc.url.clone();
    let language = doc.language.clone();
    let existing = article::Entity::find()
        .filter(article::Column::ApId.eq(doc.id.as_str()))
        .one(db)
        .await?;
    let mut row: article::ActiveModel = match existing {
        // Ours, or deleted at its origin: a late copy changes nothing.
        Some(e) if e.local || e.deleted_at.is_some() => return Ok(e),
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
    row.licence = Set(doc.licence.clone());
    row.updated = Set(doc.updated);
    row.kind = Set(doc.kind.to_string());
    row.start_time = Set(doc.start_time);
    row.end_time = Set(doc.end_time);
    row.location = Set(doc
        .location
        .as_deref()
        .map(|p| content::truncate_words(&content::clean_name(p), 300)));
    let saved = row.save(db).await?.try_into_model()?;
    article_author::Entity::delete_many()
        .filter(article_author::Column::ArticleId.eq(saved.id))
        .exec(db)
        .await?;
    for (position, a) in authors.iter().enumerate() {
        article_author::ActiveModel {
            article_id: Set(saved.id),
            person_id: Set(a.id),
            position: Set(position as i32),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(saved)
}

/// Remote articles from the actors `community` follows: theirs, their
/// community's, or shared (announced) by them. Newest first, each once.
pub async fn network(
    db: &impl ConnectionTrait,
    community: &actor::Model,
    limit: u64,
) -> AppResult<Vec<crate::domain::articles::ArticleView>> {
    let followed: Vec<i64> = follow::Entity::find()
        .filter(follow::Column::FollowerId.eq(community.id))
        .filter(follow::Column::Accepted.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|f| f.target_id)
        .collect();
    // What they shared, and what the community shared itself.
    let sharers: Vec<i64> = followed.iter().copied().chain([community.id]).collect();
    let shared = reaction::Entity::find()
        .select_only()
        .column(reaction::Column::ObjectApId)
        .filter(reaction::Column::Kind.eq(crate::domain::reactions::ANNOUNCE))
        .filter(reaction::Column::ActorId.is_in(sharers))
        .into_query();
    let articles = article::Entity::find()
        .filter(article::Column::Local.eq(false))
        .filter(article::Column::DeletedAt.is_null())
        .filter(article::Column::Hidden.eq(false))
        .filter(
            sea_orm::Condition::any()
                .add(article::Column::CommunityId.is_in(followed.clone()))
                .add(article::Column::AuthorId.is_in(followed))
                .add(article::Column::ApId.in_subquery(shared)),
        )
        .order_by_desc(article::Column::Published)
        .limit(limit)
        .all(db)
        .await?;
    crate::domain::articles::load_views(db, articles).await
}

/// A stored remote article by id (deleted ones included).
pub async fn find(db: &impl ConnectionTrait, ap_id: &str) -> AppResult<Option<article::Model>> {
    Ok(article::Entity::find()
        .filter(article::Column::ApId.eq(ap_id))
        .filter(article::Column::Local.eq(false))
        .one(db)
        .await?)
}

/// Its origin answers `410 Gone` for a remote article: forget the content.
pub async fn forget(db: &impl ConnectionTrait, ap_id: &str) -> AppResult<bool> {
    let Some(existing) = find(db, ap_id).await? else {
        return Ok(false);
    };
    if existing.deleted_at.is_some() {
        return Ok(false);
    }
    let mut row: article::ActiveModel = existing.into();
    row.deleted_at = Set(Some(super::now()));
    row.content_html = Set(String::new());
    row.summary = Set(String::new());
    row.update(db).await?;
    Ok(true)
}

/// Is `actor` one of the article's authors (the main one or a co-author)?
pub async fn is_author(
    db: &impl ConnectionTrait,
    article: &article::Model,
    actor: &actor::Model,
) -> AppResult<bool> {
    Ok(article.author_id == actor.id
        || article_author::Entity::find()
            .filter(article_author::Column::ArticleId.eq(article.id))
            .filter(article_author::Column::PersonId.eq(actor.id))
            .one(db)
            .await?
            .is_some())
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
    if !is_author(db, &existing, actor).await? {
        return Ok(false);
    }
    forget(db, ap_id).await
}
