//! Articles (and other post-like objects we receive: `Note`, `Page`).

use super::{de_type, one_or_many, one_or_many_urls};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use url::Url;

/// The post-like types we keep: articles and notes, Lemmy's and
/// WordPress's pages, Mobilizon's (and Gancio's) events, and polls.
pub const POST_TYPES: &[&str] = &["Article", "Page", "Note", "Event", "Question"];

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArticleDoc {
    pub id: Url,
    #[serde(rename = "type", deserialize_with = "de_type")]
    pub kind: String,
    #[serde(deserialize_with = "one_or_many_urls")]
    pub attributed_to: Vec<Url>,
    /// Mobilizon names an event's organizer here when the event is
    /// attributed to its group.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_id"
    )]
    pub actor: Option<Url>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_id"
    )]
    pub audience: Option<Url>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_map: Option<BTreeMap<String, String>>,
    /// Markdown source: `{content, mediaType}`; Pleroma sends a bare string.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_source"
    )]
    pub source: Option<Source>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "one_or_many_urls")]
    pub to: Vec<Url>,
    #[serde(default, deserialize_with = "one_or_many_urls")]
    pub cc: Vec<Url>,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "one_or_many"
    )]
    pub tag: Vec<Value>,
    /// A picture for the post (a cover): an `Image`, or its URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<Value>,
    /// Images and other files (one or many).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "one_or_many"
    )]
    pub attachment: Vec<Value>,
    /// `Event`s: when it starts and ends (a time we cannot read is left
    /// out, not an error), and where.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_time"
    )]
    pub start_time: Option<DateTime<Utc>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_time"
    )]
    pub end_time: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Value>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_id"
    )]
    pub in_reply_to: Option<Url>,
    /// Licence URL (`schema:license`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    /// The licence's SPDX identifier, where it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spdx_license_id: Option<String>,
    /// FEP-b2b8: a short `Note` for servers that do not show articles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replies: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub likes: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shares: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensitive: Option<bool>,
}

impl ArticleDoc {
    /// The body as received (not yet sanitized): `content`, else the first
    /// language of `contentMap`, else nothing.
    pub fn body(&self) -> &str {
        self.content
            .as_deref()
            .or_else(|| {
                self.content_map
                    .as_ref()
                    .and_then(|m| m.values().next().map(String::as_str))
            })
            .unwrap_or("")
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    pub content: String,
    pub media_type: String,
}

fn opt_id<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Url>, D::Error> {
    let v = Value::deserialize(d)?;
    if v.is_null() {
        return Ok(None);
    }
    Ok(super::ref_ids(&v).into_iter().next())
}

fn lenient_time<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => DateTime::parse_from_rfc3339(&s)
            .ok()
            .map(|t| t.with_timezone(&Utc)),
        _ => None,
    })
}

fn lenient_source<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Source>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(content) => Some(Source {
            content,
            media_type: "text/plain".into(),
        }),
        v @ Value::Object(_) => serde_json::from_value(v).ok(),
        _ => None,
    })
}
