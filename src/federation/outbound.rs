//! Pure builders of what we send: objects and activities as JSON, from
//! storage models. No I/O; the domain stores and enqueues what these return.

use super::protocol::article::{ArticleDoc, Source};
use super::protocol::{PUBLIC, WithContext, object_context};
use crate::content::licences;
use entity::{actor, article};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use url::Url;

/// A new activity id under `base`.
pub fn activity_id(base: &str) -> String {
    format!("{base}/activities/{}", uuid::Uuid::now_v7())
}

fn url(s: &str) -> Option<Url> {
    Url::parse(s).ok()
}

/// The ActivityStreams form of one of our articles.
pub fn article_doc(
    base: &str,
    a: &article::Model,
    author: &actor::Model,
    community: Option<&actor::Model>,
) -> ArticleDoc {
    let mut cc: Vec<Url> = Vec::new();
    if let Some(f) = community
        .and_then(|c| c.followers_url.as_deref())
        .and_then(url)
    {
        cc.push(f);
    }
    if let Some(f) = author.followers_url.as_deref().and_then(url) {
        cc.push(f);
    }
    ArticleDoc {
        id: url(&a.ap_id).unwrap_or_else(|| fallback(base)),
        kind: "Article".into(),
        attributed_to: url(&author.ap_id).into_iter().collect(),
        audience: community.and_then(|c| url(&c.ap_id)),
        name: Some(a.title.clone()),
        summary: Some(a.summary.clone()),
        content: Some(a.content_html.clone()),
        media_type: Some("text/html".into()),
        content_map: a
            .language
            .as_ref()
            .map(|l| BTreeMap::from([(l.clone(), a.content_html.clone())])),
        source: a.source_md.as_ref().map(|md| Source {
            content: md.clone(),
            media_type: "text/markdown".into(),
        }),
        url: a.url.as_ref().map(|u| Value::String(u.clone())),
        published: Some(a.published),
        updated: a.updated,
        to: url(PUBLIC).into_iter().collect(),
        cc,
        tag: Vec::new(),
        in_reply_to: None,
        license: a
            .licence
            .as_deref()
            .and_then(licences::find)
            .and_then(|l| l.url)
            .map(str::to_string),
    }
}

/// Stored ids are URLs we wrote; should one not parse, point at our base.
fn fallback(base: &str) -> Url {
    url(base).unwrap_or_else(|| {
        Url::from_file_path("/").unwrap_or_else(|()| unreachable!("/ is absolute"))
    })
}

/// `Create{object}` by `actor`, addressed like the object.
pub fn create(id: &str, actor: &actor::Model, object: &ArticleDoc) -> Value {
    envelope(json!({
        "id": id,
        "type": "Create",
        "actor": actor.ap_id,
        "to": object.to,
        "cc": object.cc,
        "published": object.published,
        "object": object,
    }))
}

/// `Announce{object id}` by a community to its followers (FEP-1b12).
pub fn announce(id: &str, community: &actor::Model, object_id: &str) -> Value {
    envelope(json!({
        "id": id,
        "type": "Announce",
        "actor": community.ap_id,
        "to": [PUBLIC],
        "cc": community.followers_url.iter().collect::<Vec<_>>(),
        "object": object_id,
        "published": chrono::Utc::now(),
    }))
}

/// `Follow` of `target` by `follower`.
pub fn follow(id: &str, follower: &actor::Model, target: &actor::Model) -> Value {
    envelope(json!({
        "id": id,
        "type": "Follow",
        "actor": follower.ap_id,
        "object": target.ap_id,
        "to": [target.ap_id],
    }))
}

/// `Accept` of a received `Follow`, echoing the whole Follow (Mastodon
/// matches it by id, actor and object).
pub fn accept(id: &str, target: &actor::Model, follow: &Value) -> Value {
    envelope(json!({
        "id": id,
        "type": "Accept",
        "actor": target.ap_id,
        "to": [follow.get("actor")],
        "object": follow,
    }))
}

/// `Undo{Follow}`.
pub fn undo_follow(id: &str, follower: &actor::Model, follow: &Value) -> Value {
    envelope(json!({
        "id": id,
        "type": "Undo",
        "actor": follower.ap_id,
        "object": follow,
    }))
}

fn envelope(v: Value) -> Value {
    serde_json::to_value(WithContext {
        context: object_context(),
        inner: v,
    })
    .unwrap_or(Value::Null)
}
