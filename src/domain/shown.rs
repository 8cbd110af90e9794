//! Where things are shown: the public paths a write changes, for the
//! response cache (`crate::cache`). A write builds its [`Changes`] with
//! these and ends with `ctx.committed(changes)` (or `ctx.changed`).
//!
//! | what changed | the paths |
//! |---|---|
//! | an article or announcement (content, state, authors, tags) | [`article`]: its id, every slug it had, its community and authors (pages and feeds), its tags |
//! | its comments, likes, shares (shown on its page only) | [`article_page`] / [`object`]: its id and every slug |
//! | a remote article or object | nothing cached shows it (the network page is not cached) |
//! | a local actor's profile or a community's settings | `Changes::everything()`: shown on every page of theirs |
//!
//! A new public page that is cached must be added here, with the writes
//! that change it.

use crate::cache::Changes;
use crate::domain::articles::ArticleView;
use crate::error::AppResult;
use entity::{article, article_slug, comment};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

/// Everything that shows `view`: its page and listings (see the table).
pub async fn article(db: &impl ConnectionTrait, view: &ArticleView) -> AppResult<Changes> {
    let mut changes = article_page(db, &view.article).await?;
    if !view.article.local {
        return Ok(changes);
    }
    if let Some(c) = &view.community {
        changes.add_url(&c.ap_id);
    }
    for a in &view.authors {
        changes.add_url(&a.ap_id);
    }
    for t in &view.tags {
        changes.add_path(&format!("/tags/{t}"));
    }
    Ok(changes)
}

/// The pages of `a` itself (its id and every slug it had), where its
/// comments and counts are shown.
pub async fn article_page(db: &impl ConnectionTrait, a: &article::Model) -> AppResult<Changes> {
    if !a.local {
        return Ok(Changes::none());
    }
    let mut changes = Changes::none().url(&a.ap_id);
    if let Some(u) = &a.url {
        changes.add_url(u);
    }
    let slugs = article_slug::Entity::find()
        .filter(article_slug::Column::ArticleId.eq(a.id))
        .all(db)
        .await?;
    if let (Some(u), false) = (&a.url, slugs.is_empty()) {
        // Old slugs sit beside the current one: `/c/{community}/{slug}`.
        if let Some((dir, _)) = u.rsplit_once('/') {
            for s in slugs {
                changes.add_url(&format!("{dir}/{}", s.slug));
            }
        }
    }
    Ok(changes)
}

/// The pages showing a like, share or comment of `ap_id`: one of our
/// articles or comments (its article's page), else nothing.
pub async fn object(db: &impl ConnectionTrait, ap_id: &str) -> AppResult<Changes> {
    if let Some(a) = article::Entity::find()
        .filter(article::Column::ApId.eq(ap_id))
        .one(db)
        .await?
    {
        return article_page(db, &a).await;
    }
    match comment::Entity::find()
        .filter(comment::Column::ApId.eq(ap_id))
        .one(db)
        .await?
    {
        Some(c) => comment(db, &c).await,
        None => Ok(Changes::none()),
    }
}

/// The pages showing comment `c`: its article's.
pub async fn comment(db: &impl ConnectionTrait, c: &comment::Model) -> AppResult<Changes> {
    match article::Entity::find_by_id(c.article_id).one(db).await? {
        Some(a) => article_page(db, &a).await,
        None => Ok(Changes::none()),
    }
}
