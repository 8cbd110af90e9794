//! Publishing articles: validate, store, and enqueue the author's `Create` and
//! the community's `Announce` in one transaction.

use super::actors::role_of;
use crate::content::{self, licences};
use crate::context::AppContext;
use crate::delivery;
use crate::error::{AppError, AppResult};
use crate::federation::outbound;
use entity::{actor, article};
use sea_orm::{ActiveModelTrait, Set, TransactionTrait};
use std::collections::BTreeMap;

pub const TITLE_MAX: usize = 300;
pub const BODY_MAX: usize = 500_000;
pub const TAGS_MAX: usize = 30;

/// A validated new article.
#[derive(Debug)]
pub struct NewArticle {
    pub title: String,
    pub summary: Option<String>,
    pub body: String,
    pub tags: Vec<String>,
    pub language: Option<String>,
    pub licence: Option<String>,
    pub draft: bool,
}

impl NewArticle {
    /// Check a request body field by field; every problem is reported at once.
    pub fn from_json(v: &serde_json::Value) -> AppResult<NewArticle> {
        let mut errors = BTreeMap::new();
        let obj = v
            .as_object()
            .ok_or_else(|| AppError::BadRequest("the body must be a JSON object".into()))?;
        let string = |name: &str, errors: &mut BTreeMap<String, String>| -> Option<String> {
            match obj.get(name) {
                None | Some(serde_json::Value::Null) => None,
                Some(serde_json::Value::String(s)) => Some(s.clone()),
                Some(_) => {
                    errors.insert(name.into(), "must be a string".into());
                    None
                }
            }
        };
        let title = string("title", &mut errors).map(|t| t.trim().to_string());
        match &title {
            None if !errors.contains_key("title") => {
                errors.insert("title".into(), "is required".into());
            }
            Some(t) if t.is_empty() => {
                errors.insert("title".into(), "must not be empty".into());
            }
            Some(t) if t.chars().count() > TITLE_MAX => {
                errors.insert(
                    "title".into(),
                    format!("must be at most {TITLE_MAX} characters"),
                );
            }
            _ => {}
        }
        let body = string("body", &mut errors);
        match &body {
            None if !errors.contains_key("body") => {
                errors.insert("body".into(), "is required (Markdown)".into());
            }
            Some(b) if b.trim().is_empty() => {
                errors.insert("body".into(), "must not be empty".into());
            }
            Some(b) if b.len() > BODY_MAX => {
                errors.insert("body".into(), format!("must be at most {BODY_MAX} bytes"));
            }
            _ => {}
        }
        let summary = string("summary", &mut errors)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
        if summary
            .as_ref()
            .is_some_and(|s| s.chars().count() > content::SUMMARY_MAX)
        {
            errors.insert(
                "summary".into(),
                format!(
                    "must be at most {} characters of plain text",
                    content::SUMMARY_MAX
                ),
            );
        }
        let language = string("language", &mut errors);
        if let Some(l) = &language
            && !content::valid_language(l)
        {
            errors.insert(
                "language".into(),
                format!("`{l}` is not a BCP 47 language tag such as en, de or pt-BR"),
            );
        }
        let licence = string("licence", &mut errors);
        let licence = match licence {
            Some(l) => match licences::find(&l) {
                Some(found) => Some(found.key.to_string()),
                None => {
                    errors.insert(
                        "licence".into(),
                        format!("unknown licence `{l}`; accepted: {}", licences::keys()),
                    );
                    None
                }
            },
            None => None,
        };
        let mut tags = Vec::new();
        match obj.get("tags") {
            None | Some(serde_json::Value::Null) => {}
            Some(serde_json::Value::Array(items)) if items.len() <= TAGS_MAX => {
                for item in items {
                    match item.as_str().map(|t| t.trim().trim_start_matches('#')) {
                        Some(t)
                            if !t.is_empty()
                                && t.len() <= 100
                                && t.chars().all(|c| c.is_alphanumeric() || c == '_') =>
                        {
                            tags.push(t.to_string())
                        }
                        _ => {
                            errors.insert(
                                "tags".into(),
                                "each tag must be letters, digits or _ (at most 100)".into(),
                            );
                        }
                    }
                }
            }
            Some(_) => {
                errors.insert(
                    "tags".into(),
                    format!("must be an array of at most {TAGS_MAX} strings"),
                );
            }
        }
        let draft = match obj.get("draft") {
            None | Some(serde_json::Value::Null) => false,
            Some(serde_json::Value::Bool(b)) => *b,
            Some(_) => {
                errors.insert("draft".into(), "must be true or false".into());
                false
            }
        };
        for key in obj.keys() {
            if ![
                "title", "summary", "body", "tags", "language", "licence", "draft",
            ]
            .contains(&key.as_str())
            {
                errors.insert(key.clone(), "unknown field".into());
            }
        }
        match (title, body) {
            (Some(title), Some(body)) if errors.is_empty() => Ok(NewArticle {
                title,
                summary,
                body,
                tags,
                language,
                licence,
                draft,
            }),
            _ => Err(AppError::Unprocessable(errors)),
        }
    }
}

/// Publish `new` in `community` as `author`.
pub async fn publish(
    ctx: &AppContext,
    community: &actor::Model,
    author: &actor::Model,
    new: NewArticle,
) -> AppResult<article::Model> {
    match role_of(&ctx.db, community, author).await?.as_deref() {
        Some("steward" | "editor" | "author") => {}
        _ => {
            return Err(AppError::Forbidden(format!(
                "`{}` may not publish in `{}`: an author, editor or steward role is needed",
                author.username, community.username
            )));
        }
    }
    let uuid = uuid::Uuid::now_v7().to_string();
    let ap_id = ctx.url(&format!("/articles/{uuid}"));
    let content_html = content::markdown_to_html(&new.body);
    let summary = new
        .summary
        .clone()
        .unwrap_or_else(|| content::summary_from_markdown(&new.body));
    let summary = if summary.is_empty() {
        new.title.clone()
    } else {
        summary
    };
    let now = super::now();
    let txn = ctx.db.begin().await?;
    let saved = article::ActiveModel {
        uuid: Set(Some(uuid)),
        ap_id: Set(ap_id.clone()),
        local: Set(true),
        community_id: Set(Some(community.id)),
        author_id: Set(author.id),
        title: Set(new.title),
        slug: Set(None),
        summary: Set(summary),
        content_html: Set(content_html),
        source_md: Set(Some(new.body)),
        url: Set(Some(ap_id.clone())),
        language: Set(new.language),
        licence: Set(Some(
            new.licence.unwrap_or_else(|| licences::DEFAULT.to_string()),
        )),
        draft: Set(new.draft),
        published: Set(now),
        updated: Set(None),
        deleted_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    if !saved.draft {
        let base = ctx.base_url();
        let doc = outbound::article_doc(&base, &saved, author, Some(community));
        let create = outbound::create(&outbound::activity_id(&base), author, &doc);
        let mut inboxes = delivery::follower_inboxes(&txn, community).await?;
        inboxes.extend(delivery::follower_inboxes(&txn, author).await?);
        delivery::enqueue(&txn, &create, author, inboxes).await?;
        let announce = outbound::announce(&outbound::activity_id(&base), community, &saved.ap_id);
        let inboxes = delivery::follower_inboxes(&txn, community).await?;
        delivery::enqueue(&txn, &announce, community, inboxes).await?;
    }
    txn.commit().await?;
    ctx.delivery_wake.notify_one();
    Ok(saved)
}
