//! What a client asks for: a new article or an edit. The shape (which
//! fields, which types) is serde's; what serde cannot see (required fields,
//! lengths, known licences, tag syntax) is checked here, every wrong field
//! named.

use super::*;
use crate::content::{self, licences};
use crate::error::{AppError, AppResult};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Fields of an article request. In a PATCH every field is optional; `None`
/// means "leave as it is".
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ArticleInput {
    /// At most 300 characters. Required for a new article.
    pub title: Option<String>,
    /// Plain text, at most 500 characters; `null` derives it from the body
    /// again.
    #[serde(deserialize_with = "crate::domain::nullable")]
    #[schema(value_type = Option<String>)]
    pub summary: Option<Option<String>>,
    /// Markdown, at most 500 000 bytes. Required for a new article.
    pub body: Option<String>,
    /// At most 30 tags of letters, digits or `_` (a leading `#` is
    /// dropped); `null` clears them.
    #[serde(deserialize_with = "crate::domain::null_is_empty")]
    pub tags: Option<Vec<String>>,
    /// A BCP 47 tag such as `en` or `pt-BR`; `null` clears it.
    #[serde(deserialize_with = "crate::domain::nullable")]
    #[schema(value_type = Option<String>)]
    pub language: Option<Option<String>>,
    /// A licence key; the community's default when absent.
    pub licence: Option<String>,
    /// A draft is seen by its authors only, and federates when published.
    pub draft: Option<bool>,
    /// Names of local people who write it too (at most 20).
    #[serde(deserialize_with = "crate::domain::null_is_empty")]
    pub co_authors: Option<Vec<String>>,
    /// Publish (and federate) at this time, RFC 3339; until then it is a
    /// draft. `null` cancels the schedule.
    #[serde(deserialize_with = "crate::domain::nullable")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub publish_at: Option<Option<chrono::DateTime<chrono::Utc>>>,
    /// The cover image: the id of an upload (`POST /api/v1/media`) with alt
    /// text; shown atop the article and in link previews. `null` removes it.
    #[serde(deserialize_with = "crate::domain::nullable")]
    #[schema(value_type = Option<String>)]
    pub cover: Option<Option<String>>,
}

/// Kept for callers that build a new article directly (the benchmark).
pub type NewArticle = ArticleInput;

const FIELDS: [&str; 10] = [
    "title",
    "summary",
    "body",
    "tags",
    "language",
    "licence",
    "draft",
    "co_authors",
    "publish_at",
    "cover",
];

impl ArticleInput {
    /// What is wrong with it, field by field: a new article (`required`)
    /// needs a title and a body, an edit at least one field.
    pub fn problems(&self, required: bool) -> BTreeMap<String, String> {
        let mut errors = BTreeMap::new();
        let mut wrong = |field: &str, why: String| {
            errors.insert(field.to_string(), why);
        };
        match self.title.as_deref().map(str::trim) {
            Some("") => wrong("title", "must not be empty".into()),
            Some(t) if t.chars().count() > TITLE_MAX => {
                wrong("title", format!("must be at most {TITLE_MAX} characters"))
            }
            None if required => wrong("title", "is required".into()),
            _ => {}
        }
        match self.body.as_deref() {
            Some(b) if b.trim().is_empty() => wrong("body", "must not be empty".into()),
            Some(b) if b.len() > BODY_MAX => {
                wrong("body", format!("must be at most {BODY_MAX} bytes"))
            }
            None if required => wrong("body", "is required (Markdown)".into()),
            _ => {}
        }
        if let Some(Some(s)) = &self.summary
            && s.trim().chars().count() > content::SUMMARY_MAX
        {
            wrong(
                "summary",
                format!(
                    "must be at most {} characters of plain text",
                    content::SUMMARY_MAX
                ),
            );
        }
        if let Some(Some(l)) = &self.language
            && !content::valid_language(l)
        {
            wrong(
                "language",
                format!("`{l}` is not a BCP 47 language tag such as en, de or pt-BR"),
            );
        }
        if let Some(l) = &self.licence
            && licences::find(l).is_none()
        {
            wrong(
                "licence",
                format!("unknown licence `{l}`; accepted: {}", licences::keys()),
            );
        }
        if let Some(tags) = &self.tags {
            if tags.len() > TAGS_MAX {
                wrong(
                    "tags",
                    format!("must be an array of at most {TAGS_MAX} strings"),
                );
            } else if !tags.iter().all(|t| valid_tag(bare_tag(t))) {
                wrong(
                    "tags",
                    "each tag must be 1 to 100 letters, digits or _".into(),
                );
            }
        }
        if self
            .co_authors
            .as_ref()
            .is_some_and(|c| c.len() > CO_AUTHORS_MAX)
        {
            wrong(
                "co_authors",
                format!("must be an array of at most {CO_AUTHORS_MAX} names of local people"),
            );
        }
        if let Some(Some(at)) = self.publish_at
            && at > crate::db::now() + chrono::Duration::days(3650)
        {
            wrong("publish_at", "at most ten years ahead".into());
        }
        if !required && self.is_empty() {
            wrong(
                "body",
                format!("give at least one of: {}", FIELDS.join(", ")),
            );
        }
        errors
    }

    /// Checked and normalized (trimmed title and summary, canonical licence
    /// key, tags without `#` or repeats), or a 422 naming every wrong field.
    pub fn validated(self, required: bool) -> AppResult<ArticleInput> {
        let errors = self.problems(required);
        if !errors.is_empty() {
            return Err(AppError::Unprocessable(errors));
        }
        let mut tags: Vec<String> = Vec::new();
        for t in self.tags.iter().flatten().map(|t| bare_tag(t)) {
            if !tags.iter().any(|x| x.eq_ignore_ascii_case(t)) {
                tags.push(t.to_string());
            }
        }
        Ok(ArticleInput {
            title: self.title.map(|t| t.trim().to_string()),
            summary: self
                .summary
                .map(|s| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())),
            tags: self.tags.map(|_| tags),
            licence: self
                .licence
                .and_then(|l| licences::find(&l).map(|f| f.key.to_string())),
            ..self
        })
    }

    fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.summary.is_none()
            && self.body.is_none()
            && self.tags.is_none()
            && self.language.is_none()
            && self.licence.is_none()
            && self.draft.is_none()
            && self.co_authors.is_none()
            && self.publish_at.is_none()
            && self.cover.is_none()
    }
}

fn bare_tag(t: &str) -> &str {
    t.trim().trim_start_matches('#')
}

fn valid_tag(t: &str) -> bool {
    !t.is_empty() && t.chars().count() <= 100 && t.chars().all(|c| c.is_alphanumeric() || c == '_')
}
