//! What a client asks for: a new article or an edit, every field checked,
//! every wrong one named.

use super::*;
use crate::content::{self, licences};
use crate::error::{AppError, AppResult};
use serde_json::Value;
use std::collections::BTreeMap;

/// Fields of an article request. In a PATCH every field is optional; `None`
/// means "leave as it is".
#[derive(Debug, Default)]
pub struct ArticleInput {
    pub title: Option<String>,
    /// `Some(None)`: derive the summary from the body again.
    pub summary: Option<Option<String>>,
    pub body: Option<String>,
    pub tags: Option<Vec<String>>,
    pub language: Option<Option<String>>,
    pub licence: Option<String>,
    pub draft: Option<bool>,
    pub co_authors: Option<Vec<String>>,
}

/// Kept for callers that build a new article directly (the benchmark).
pub type NewArticle = ArticleInput;

const FIELDS: [&str; 8] = [
    "title",
    "summary",
    "body",
    "tags",
    "language",
    "licence",
    "draft",
    "co_authors",
];

impl ArticleInput {
    /// A complete new article: `title` and `body` required.
    pub fn from_json(v: &Value) -> AppResult<ArticleInput> {
        Self::parse(v, true)
    }

    /// Changes to an article: every field optional, at least one given.
    pub fn patch_from_json(v: &Value) -> AppResult<ArticleInput> {
        let input = Self::parse(v, false)?;
        if v.as_object().is_some_and(|o| o.is_empty()) {
            return Err(AppError::unprocessable(
                "body",
                format!("give at least one of: {}", FIELDS.join(", ")),
            ));
        }
        Ok(input)
    }

    fn parse(v: &Value, required: bool) -> AppResult<ArticleInput> {
        let obj = v
            .as_object()
            .ok_or_else(|| AppError::BadRequest("the body must be a JSON object".into()))?;
        let mut errors = BTreeMap::new();
        let mut input = ArticleInput::default();
        let string =
            |name: &str, errors: &mut BTreeMap<String, String>| -> Option<Option<String>> {
                match obj.get(name) {
                    None => None,
                    Some(Value::Null) => Some(None),
                    Some(Value::String(s)) => Some(Some(s.clone())),
                    Some(_) => {
                        errors.insert(name.into(), "must be a string".into());
                        None
                    }
                }
            };

        match string("title", &mut errors).map(|t| t.map(|t| t.trim().to_string())) {
            Some(Some(t)) if t.is_empty() => {
                errors.insert("title".into(), "must not be empty".into());
            }
            Some(Some(t)) if t.chars().count() > TITLE_MAX => {
                errors.insert(
                    "title".into(),
                    format!("must be at most {TITLE_MAX} characters"),
                );
            }
            Some(Some(t)) => input.title = Some(t),
            Some(None) => {
                errors.insert("title".into(), "must not be null".into());
            }
            None if required && !errors.contains_key("title") => {
                errors.insert("title".into(), "is required".into());
            }
            None => {}
        }
        match string("body", &mut errors) {
            Some(Some(b)) if b.trim().is_empty() => {
                errors.insert("body".into(), "must not be empty".into());
            }
            Some(Some(b)) if b.len() > BODY_MAX => {
                errors.insert("body".into(), format!("must be at most {BODY_MAX} bytes"));
            }
            Some(Some(b)) => input.body = Some(b),
            Some(None) => {
                errors.insert("body".into(), "must not be null".into());
            }
            None if required && !errors.contains_key("body") => {
                errors.insert("body".into(), "is required (Markdown)".into());
            }
            None => {}
        }
        if let Some(summary) = string("summary", &mut errors) {
            let summary = summary
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
            input.summary = Some(summary);
        }
        if let Some(language) = string("language", &mut errors) {
            if let Some(l) = &language
                && !content::valid_language(l)
            {
                errors.insert(
                    "language".into(),
                    format!("`{l}` is not a BCP 47 language tag such as en, de or pt-BR"),
                );
            }
            input.language = Some(language);
        }
        match string("licence", &mut errors) {
            Some(Some(l)) => match licences::find(&l) {
                Some(found) => input.licence = Some(found.key.to_string()),
                None => {
                    errors.insert(
                        "licence".into(),
                        format!("unknown licence `{l}`; accepted: {}", licences::keys()),
                    );
                }
            },
            Some(None) => {
                errors.insert(
                    "licence".into(),
                    format!("must be one of: {}", licences::keys()),
                );
            }
            None => {}
        }
        match obj.get("tags") {
            None => {}
            Some(Value::Null) => input.tags = Some(Vec::new()),
            Some(Value::Array(items)) if items.len() <= TAGS_MAX => {
                let mut tags = Vec::new();
                for item in items {
                    match item.as_str().map(|t| t.trim().trim_start_matches('#')) {
                        Some(t) if valid_tag(t) => {
                            if !tags.iter().any(|x: &String| x.eq_ignore_ascii_case(t)) {
                                tags.push(t.to_string());
                            }
                        }
                        _ => {
                            errors.insert(
                                "tags".into(),
                                "each tag must be 1 to 100 letters, digits or _".into(),
                            );
                        }
                    }
                }
                input.tags = Some(tags);
            }
            Some(_) => {
                errors.insert(
                    "tags".into(),
                    format!("must be an array of at most {TAGS_MAX} strings"),
                );
            }
        }
        match obj.get("co_authors") {
            None => {}
            Some(Value::Null) => input.co_authors = Some(Vec::new()),
            Some(Value::Array(items)) if items.len() <= CO_AUTHORS_MAX => {
                let names: Vec<String> = items
                    .iter()
                    .filter_map(|i| i.as_str().map(str::to_string))
                    .collect();
                if names.len() != items.len() {
                    errors.insert("co_authors".into(), "must be names of local people".into());
                }
                input.co_authors = Some(names);
            }
            Some(_) => {
                errors.insert(
                    "co_authors".into(),
                    format!("must be an array of at most {CO_AUTHORS_MAX} names of local people"),
                );
            }
        }
        match obj.get("draft") {
            None | Some(Value::Null) => {}
            Some(Value::Bool(b)) => input.draft = Some(*b),
            Some(_) => {
                errors.insert("draft".into(), "must be true or false".into());
            }
        }
        for key in obj.keys() {
            if !FIELDS.contains(&key.as_str()) {
                errors.insert(
                    key.clone(),
                    format!("unknown field; fields are: {}", FIELDS.join(", ")),
                );
            }
        }
        if errors.is_empty() {
            Ok(input)
        } else {
            Err(AppError::Unprocessable(errors))
        }
    }
}

fn valid_tag(t: &str) -> bool {
    !t.is_empty() && t.chars().count() <= 100 && t.chars().all(|c| c.is_alphanumeric() || c == '_')
}
