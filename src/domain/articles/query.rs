//! Read models and listings: an article with its authors, community and
//! tags, loaded in a constant number of queries.

use crate::error::{AppError, AppResult};
use crate::wire::outbound;
use entity::{actor, article, article_author, article_slug, article_tag, media};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::BTreeMap;

/// Everything needed to show or federate an article.
#[derive(Debug, Clone)]
pub struct ArticleView {
    pub article: article::Model,
    pub authors: Vec<actor::Model>,
    pub community: Option<actor::Model>,
    pub tags: Vec<String>,
    /// Its cover image, when it has one.
    pub cover: Option<media::Model>,
}

impl ArticleView {
    /// Borrowed, for the wire's builders.
    pub fn parts(&self) -> outbound::ArticleParts<'_> {
        outbound::ArticleParts {
            article: &self.article,
            authors: &self.authors,
            community: self.community.as_ref(),
            tags: &self.tags,
            cover: self.cover.as_ref(),
        }
    }
}

/// The read models of many articles with a constant number of queries
/// (author links, actors, tags), whatever their count; in their order.
pub async fn load_views(
    db: &impl ConnectionTrait,
    articles: Vec<article::Model>,
) -> AppResult<Vec<ArticleView>> {
    use std::collections::HashMap;
    if articles.is_empty() {
        return Ok(Vec::new());
    }
    let article_ids: Vec<i64> = articles.iter().map(|a| a.id).collect();
    let mut links: HashMap<i64, Vec<i64>> = HashMap::new();
    for l in article_author::Entity::find()
        .filter(article_author::Column::ArticleId.is_in(article_ids.clone()))
        .order_by_asc(article_author::Column::Position)
        .all(db)
        .await?
    {
        links.entry(l.article_id).or_default().push(l.person_id);
    }
    let mut actor_ids: Vec<i64> = links.values().flatten().copied().collect();
    actor_ids.extend(articles.iter().map(|a| a.author_id));
    actor_ids.extend(articles.iter().filter_map(|a| a.community_id));
    actor_ids.sort_unstable();
    actor_ids.dedup();
    let actors: HashMap<i64, actor::Model> = actor::Entity::find()
        .filter(actor::Column::Id.is_in(actor_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let mut tags: HashMap<i64, Vec<String>> = HashMap::new();
    for t in article_tag::Entity::find()
        .filter(article_tag::Column::ArticleId.is_in(article_ids))
        .order_by_asc(article_tag::Column::Id)
        .all(db)
        .await?
    {
        tags.entry(t.article_id).or_default().push(t.tag);
    }
    let cover_ids: Vec<i64> = articles.iter().filter_map(|a| a.cover_id).collect();
    let covers: HashMap<i64, media::Model> = if cover_ids.is_empty() {
        HashMap::new()
    } else {
        media::Entity::find()
            .filter(media::Column::Id.is_in(cover_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|m| (m.id, m))
            .collect()
    };
    Ok(articles
        .into_iter()
        .map(|article| {
            let ids = links
                .get(&article.id)
                .cloned()
                .unwrap_or_else(|| vec![article.author_id]);
            ArticleView {
                authors: ids
                    .iter()
                    .filter_map(|id| actors.get(id).cloned())
                    .collect(),
                community: article.community_id.and_then(|c| actors.get(&c).cloned()),
                tags: tags.remove(&article.id).unwrap_or_default(),
                cover: article.cover_id.and_then(|c| covers.get(&c).cloned()),
                article,
            }
        })
        .collect())
}

pub async fn load_view(
    db: &impl ConnectionTrait,
    article: article::Model,
) -> AppResult<ArticleView> {
    let links = article_author::Entity::find()
        .filter(article_author::Column::ArticleId.eq(article.id))
        .order_by_asc(article_author::Column::Position)
        .all(db)
        .await?;
    let mut ids: Vec<i64> = links.iter().map(|l| l.person_id).collect();
    if ids.is_empty() {
        ids.push(article.author_id);
    }
    let mut by_id: BTreeMap<i64, actor::Model> = actor::Entity::find()
        .filter(actor::Column::Id.is_in(ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let authors = ids.iter().filter_map(|id| by_id.remove(id)).collect();
    let community = match article.community_id {
        Some(id) => actor::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    let tags = article_tag::Entity::find()
        .filter(article_tag::Column::ArticleId.eq(article.id))
        .order_by_asc(article_tag::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|t| t.tag)
        .collect();
    let cover = match article.cover_id {
        Some(id) => media::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    Ok(ArticleView {
        article,
        authors,
        community,
        tags,
        cover,
    })
}

/// A local article or announcement by uuid (drafts included).
pub async fn find_local(db: &impl ConnectionTrait, uuid: &str) -> AppResult<article::Model> {
    article::Entity::find()
        .filter(article::Column::Uuid.eq(uuid))
        .filter(article::Column::Local.eq(true))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no article {uuid} here")))
}

/// The current article of a slug in a community, and whether the slug is an
/// old one (to redirect).
pub async fn by_slug(
    db: &impl ConnectionTrait,
    community: &actor::Model,
    slug: &str,
) -> AppResult<article::Model> {
    let link = article_slug::Entity::find()
        .filter(article_slug::Column::CommunityId.eq(community.id))
        .filter(article_slug::Column::Slug.eq(slug))
        .one(db)
        .await?
        .ok_or_else(|| {
            AppError::NotFound(format!("no article `{slug}` in {}", community.username))
        })?;
    article::Entity::find_by_id(link.article_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("no such article".into()))
}

/// Published, undeleted local articles and announcements, newest first.
pub async fn listing(
    db: &impl ConnectionTrait,
    filter: Listing<'_>,
    kind: &str,
    limit: u64,
) -> AppResult<Vec<ArticleView>> {
    use sea_orm::QuerySelect;
    let mut q = article::Entity::find()
        .filter(article::Column::Local.eq(true))
        .filter(article::Column::Draft.eq(false))
        .filter(article::Column::DeletedAt.is_null())
        .filter(article::Column::Kind.eq(kind));
    match filter {
        Listing::Community(c) => q = q.filter(article::Column::CommunityId.eq(c.id)),
        Listing::Author(p) => {
            let ids: Vec<i64> = article_author::Entity::find()
                .filter(article_author::Column::PersonId.eq(p.id))
                .all(db)
                .await?
                .into_iter()
                .map(|l| l.article_id)
                .collect();
            q = q.filter(article::Column::Id.is_in(ids));
        }
        Listing::Tag(t) => {
            let ids: Vec<i64> = article_tag::Entity::find()
                .filter(article_tag::Column::Tag.eq(t.to_lowercase()))
                .all(db)
                .await?
                .into_iter()
                .map(|l| l.article_id)
                .collect();
            q = q.filter(article::Column::Id.is_in(ids));
        }
    }
    let rows = q
        .order_by_desc(article::Column::Published)
        .limit(limit)
        .all(db)
        .await?;
    load_views(db, rows).await
}

#[derive(Debug, Clone, Copy)]
pub enum Listing<'a> {
    Community(&'a actor::Model),
    Author(&'a actor::Model),
    Tag(&'a str),
}

/// The pages of our published articles and announcements, newest change
/// first, with when they last changed (for the sitemap).
pub async fn public_pages(
    db: &impl ConnectionTrait,
    limit: u64,
) -> AppResult<Vec<(String, chrono::DateTime<chrono::Utc>)>> {
    use sea_orm::{QueryOrder, QuerySelect};
    let rows = article::Entity::find()
        .filter(article::Column::Local.eq(true))
        .filter(article::Column::Draft.eq(false))
        .filter(article::Column::DeletedAt.is_null())
        .order_by_desc(article::Column::Published)
        .limit(limit)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|a| {
            let when = a.updated.unwrap_or(a.published);
            (a.url.unwrap_or(a.ap_id), when)
        })
        .collect())
}
