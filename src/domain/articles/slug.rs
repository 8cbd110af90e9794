//! Page names: a slug from the title, free within its community and not
//! one of the community's own paths.

use crate::error::{AppError, AppResult};
use entity::article_slug;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

/// A URL path segment from a title: lowercase letters and digits joined by
/// hyphens, at most 80 characters.
pub fn slugify(title: &str) -> String {
    let mut slug = String::new();
    for c in title.to_lowercase().chars() {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
        if slug.chars().count() >= 80 {
            break;
        }
    }
    slug.trim_matches('-').to_string()
}

/// Paths under `/c/{name}/` that are not articles.
const RESERVED_SLUGS: [&str; 6] = [
    "inbox",
    "outbox",
    "followers",
    "following",
    "network",
    "moderation",
];

/// A slug for `title` not used by another article of the community.
pub(super) async fn free_slug(
    db: &impl ConnectionTrait,
    community_id: i64,
    title: &str,
    article_id: Option<i64>,
) -> AppResult<String> {
    let base = match slugify(title) {
        s if s.is_empty() => "article".to_string(),
        s => s,
    };
    for n in 1.. {
        let candidate = if n == 1 {
            base.clone()
        } else {
            format!("{base}-{n}")
        };
        if RESERVED_SLUGS.contains(&candidate.as_str()) {
            continue;
        }
        let taken = article_slug::Entity::find()
            .filter(article_slug::Column::CommunityId.eq(community_id))
            .filter(article_slug::Column::Slug.eq(candidate.as_str()))
            .one(db)
            .await?;
        match taken {
            None => return Ok(candidate),
            Some(t) if Some(t.article_id) == article_id => return Ok(candidate),
            Some(_) => {}
        }
    }
    Err(AppError::internal("no free slug"))
}
