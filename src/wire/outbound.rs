//! Pure builders of what we send: objects and activities as JSON, from
//! storage models. No I/O; the domain stores and enqueues what these return.

use super::article::{ArticleDoc, Source};
use super::{PUBLIC, WithContext, object_context};
use crate::content::licences;
use entity::actor;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use url::Url;

/// A new activity id under `base`.
/// What the builders need to know of an article: its row, its authors (the
/// first is the main one), its community and its tags. Borrowed from the
/// domain's read model, so the wire depends on no layer above it.
#[derive(Clone, Copy)]
pub struct ArticleParts<'a> {
    pub article: &'a entity::article::Model,
    pub authors: &'a [actor::Model],
    pub community: Option<&'a actor::Model>,
    pub tags: &'a [String],
    pub cover: Option<&'a entity::media::Model>,
}

/// An uploaded image as ActivityStreams `Image` (our media are served at
/// `{base}/media/{name}`), with its alt text as `name`.
pub fn image(base: &str, m: &entity::media::Model) -> Value {
    json!({
        "type": "Image",
        "mediaType": m.mime,
        "url": format!("{base}/media/{}", m.name),
        "name": m.alt,
        "width": m.width,
        "height": m.height,
    })
}

pub fn activity_id(base: &str) -> String {
    format!("{base}/activities/{}", uuid::Uuid::now_v7())
}

fn url(s: &str) -> Option<Url> {
    Url::parse(s).ok()
}

/// Hashtags as ActivityStreams `Hashtag`s linking to our tag pages.
pub fn hashtags(base: &str, tags: &[String]) -> Vec<Value> {
    tags.iter()
        .map(|t| json!({"type": "Hashtag", "href": format!("{base}/tags/{t}"), "name": format!("#{t}")}))
        .collect()
}

/// The ActivityStreams form of one of our articles (`Article`) or
/// announcements (`Note`), with every field DESIGN.md lists.
pub fn object_doc(base: &str, view: ArticleParts<'_>) -> ArticleDoc {
    let a = &view.article;
    let is_note = a.kind == "note";
    let mut cc: Vec<Url> = Vec::new();
    if let Some(f) = view
        .community
        .as_ref()
        .and_then(|c| c.followers_url.as_deref())
        .and_then(url)
    {
        cc.push(f);
    }
    for author in view.authors {
        if let Some(f) = author.followers_url.as_deref().and_then(url) {
            cc.push(f);
        }
    }
    let licence = a.licence.as_deref().and_then(licences::find);
    let page = a.url.clone().unwrap_or_else(|| a.ap_id.clone());
    let preview = (!is_note).then(|| {
        let licence_line = match licence {
            Some(l) => match l.url {
                Some(u) => format!("<p>Licence: <a href=\"{u}\">{}</a></p>", l.name),
                None => format!("<p>{}</p>", l.name),
            },
            None => String::new(),
        };
        json!({
            "type": "Note",
            "attributedTo": view.authors.first().map(|x| x.ap_id.clone()),
            "content": format!(
                "<p>{}</p><p><a href=\"{}\">{}</a></p>{licence_line}",
                html_escape::encode_text(&a.summary),
                html_escape::encode_double_quoted_attribute(&page),
                html_escape::encode_text(&a.title)
            ),
        })
    });
    let collection = |name: &str| Some(Value::String(format!("{}/{name}", a.ap_id)));
    ArticleDoc {
        id: url(&a.ap_id).unwrap_or_else(|| fallback(base)),
        kind: if is_note { "Note" } else { "Article" }.into(),
        attributed_to: view.authors.iter().filter_map(|x| url(&x.ap_id)).collect(),
        audience: view.community.and_then(|c| url(&c.ap_id)),
        name: (!is_note).then(|| a.title.clone()),
        summary: (!is_note).then(|| a.summary.clone()),
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
        url: Some(Value::String(page)),
        published: Some(a.published),
        updated: a.updated,
        to: url(PUBLIC).into_iter().collect(),
        cc,
        tag: hashtags(base, view.tags),
        in_reply_to: None,
        license: licence.and_then(|l| l.url).map(str::to_string),
        spdx_license_id: licence.filter(|l| l.spdx).map(|l| l.key.to_string()),
        preview,
        replies: collection("replies"),
        likes: collection("likes"),
        shares: collection("shares"),
        sensitive: Some(false),
        // The cover: `image` for what shows articles with a picture (Lemmy,
        // WordPress), and an attachment, which Mastodon shows under the
        // post's link.
        image: view.cover.map(|m| image(base, m)),
        attachment: view
            .cover
            .map(|m| {
                let mut doc = image(base, m);
                doc["type"] = json!("Document");
                doc
            })
            .into_iter()
            .collect(),
        actor: None,
        start_time: None,
        end_time: None,
        location: None,
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

/// `Update{object}` by `actor`; `updated` in the object is newer than before.
pub fn update(id: &str, actor: &actor::Model, object: &ArticleDoc) -> Value {
    envelope(json!({
        "id": id,
        "type": "Update",
        "actor": actor.ap_id,
        "to": object.to,
        "cc": object.cc,
        "published": object.updated,
        "object": object,
    }))
}

/// `Delete{Tombstone}` of one of our objects.
pub fn delete(id: &str, actor: &actor::Model, object_id: &str, former_type: &str) -> Value {
    envelope(json!({
        "id": id,
        "type": "Delete",
        "actor": actor.ap_id,
        "to": [PUBLIC],
        "object": {"id": object_id, "type": "Tombstone", "formerType": former_type},
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

/// `Announce{activity}` by a community (FEP-1b12): it passes on an origin's
/// `Update` or `Delete` of an article it shared. Only ids are embedded;
/// receivers check with the origin.
pub fn announce_activity(
    id: &str,
    community: &actor::Model,
    kind: &str,
    activity_id: Option<&str>,
    actor_id: Option<&str>,
    object_id: &str,
) -> Value {
    let mut inner = json!({"type": kind, "object": object_id});
    if let Some(i) = activity_id {
        inner["id"] = json!(i);
    }
    if let Some(a) = actor_id {
        inner["actor"] = json!(a);
    }
    envelope(json!({
        "id": id,
        "type": "Announce",
        "actor": community.ap_id,
        "to": [PUBLIC],
        "cc": community.followers_url.iter().collect::<Vec<_>>(),
        "object": inner,
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

/// `Reject` of a received `Follow`, echoing it as `accept` does.
pub fn reject(id: &str, target: &actor::Model, follow: &Value) -> Value {
    envelope(json!({
        "id": id,
        "type": "Reject",
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

/// `Undo{Announce}`: the community takes back a boost (a comment a
/// moderator removed).
pub fn undo_announce(
    id: &str,
    community: &actor::Model,
    announce_id: &str,
    object_id: &str,
) -> Value {
    envelope(json!({
        "id": id,
        "type": "Undo",
        "actor": community.ap_id,
        "to": [PUBLIC],
        "cc": community.followers_url.iter().collect::<Vec<_>>(),
        "object": {
            "id": announce_id,
            "type": "Announce",
            "actor": community.ap_id,
            "object": object_id,
        },
    }))
}

fn envelope(v: Value) -> Value {
    serde_json::to_value(WithContext {
        context: object_context(),
        inner: v,
    })
    .unwrap_or(Value::Null)
}

/// A comment of ours as a `Note` replying to its parent: public (or
/// unlisted, as its author chose), addressed
/// to the article's authors, its community and the person replied to (with
/// a `Mention`, so Mastodon notifies them).
pub fn comment_doc(
    comment: &entity::comment::Model,
    author: &actor::Model,
    view: ArticleParts<'_>,
    replied_to: Option<&actor::Model>,
) -> ArticleDoc {
    let mut cc: Vec<Url> = Vec::new();
    let mut push = |u: Option<Url>| {
        if let Some(u) = u
            && !cc.contains(&u)
        {
            cc.push(u);
        }
    };
    for a in view.authors {
        push(url(&a.ap_id));
    }
    if let Some(c) = view.community {
        push(url(&c.ap_id));
        push(c.followers_url.as_deref().and_then(url));
    }
    if let Some(r) = replied_to {
        push(url(&r.ap_id));
    }
    push(author.followers_url.as_deref().and_then(url));
    let tag = replied_to
        .map(|r| {
            vec![json!({
                "type": "Mention",
                "href": r.ap_id,
                "name": format!("@{}@{}", r.username, r.host),
            })]
        })
        .unwrap_or_default();
    ArticleDoc {
        id: url(&comment.ap_id).unwrap_or_else(|| fallback(&comment.ap_id)),
        kind: "Note".into(),
        attributed_to: url(&author.ap_id).into_iter().collect(),
        audience: view.community.and_then(|c| url(&c.ap_id)),
        name: None,
        summary: None,
        content: Some(comment.content_html.clone()),
        media_type: Some("text/html".into()),
        // Written under the article, presumably in its language.
        content_map: view
            .article
            .language
            .as_ref()
            .map(|l| BTreeMap::from([(l.clone(), comment.content_html.clone())])),
        source: None,
        url: Some(Value::String(comment.ap_id.clone())),
        published: Some(comment.published),
        updated: comment.updated,
        // Unlisted: Public only in `cc`, as Mastodon addresses it.
        to: if comment.visibility == "unlisted" {
            Vec::new()
        } else {
            url(PUBLIC).into_iter().collect()
        },
        cc: if comment.visibility == "unlisted" {
            url(PUBLIC).into_iter().chain(cc).collect()
        } else {
            cc
        },
        tag,
        in_reply_to: url(&comment.in_reply_to),
        license: None,
        spdx_license_id: None,
        preview: None,
        replies: None,
        likes: None,
        shares: None,
        sensitive: Some(false),
        image: None,
        attachment: Vec::new(),
        actor: None,
        start_time: None,
        end_time: None,
        location: None,
    }
}

/// The longest charter excerpt in a Group's profile fields.
const CHARTER_FIELD_MAX: usize = 200;

/// Our document for a local actor (`Update{Group}` and `Update{Person}`
/// carry it too). A community's profile fields name its page, its default
/// licence and the start of its charter, as Mastodon shows fields.
pub fn local_actor(base: &str, m: &actor::Model, id: url::Url) -> crate::wire::actor::ActorDoc {
    use crate::wire::actor::{ActorDoc, Endpoints, PublicKeyDoc};
    use url::Url;
    let kind = match m.kind.as_str() {
        "application" => "Application",
        "group" => "Group",
        "person" => "Person",
        "service" => "Service",
        _ => "Organization",
    };
    let parse = |s: &Option<String>| s.as_deref().and_then(|s| Url::parse(s).ok());
    let page = m.ap_id.clone();
    // An uploaded icon and banner, else the instance's icon.
    let picture = |url: &str| {
        let mut doc = json!({"type": "Image", "url": url});
        if let Some(t) = crate::content::image_type(url) {
            doc["mediaType"] = json!(t);
        }
        doc
    };
    let icon = picture(
        &m.icon_url
            .clone()
            .unwrap_or_else(|| format!("{base}/static/icon.png")),
    );
    let link = |href: &str, text: &str| {
        format!(
            "<a href=\"{}\" rel=\"me nofollow noopener noreferrer\" target=\"_blank\">{}</a>",
            html_escape::encode_double_quoted_attribute(href),
            html_escape::encode_text(text)
        )
    };
    let mut fields = Vec::new();
    if m.kind == "group" {
        fields.push(
            json!({"type": "PropertyValue", "name": "Community", "value": link(&page, &page)}),
        );
        if let Some(charter) = m.charter.as_deref().filter(|c| !c.trim().is_empty()) {
            let text = crate::content::plain_text(charter);
            let mut excerpt: String = text.chars().take(CHARTER_FIELD_MAX).collect();
            if text.chars().count() > CHARTER_FIELD_MAX {
                excerpt = format!("{}…", excerpt.trim_end());
            }
            fields.push(json!({
                "type": "PropertyValue",
                "name": "Charter",
                "value": link(&format!("{page}#charter"), &excerpt),
            }));
        }
        if let Some(l) = m
            .licence
            .as_deref()
            .and_then(crate::content::licences::find)
        {
            let value = match l.url {
                Some(url) => link(url, l.name),
                None => html_escape::encode_text(l.name).to_string(),
            };
            fields.push(json!({"type": "PropertyValue", "name": "Licence", "value": value}));
        }
    }
    ActorDoc {
        id: id.clone(),
        kind: kind.into(),
        preferred_username: Some(m.username.clone()),
        name: Some(m.display_name.clone().unwrap_or_else(|| m.username.clone())),
        summary: Some(
            m.summary
                .as_deref()
                .filter(|s| !s.trim().is_empty())
                .map(|s| format!("<p>{}</p>", html_escape::encode_text(s.trim())))
                .unwrap_or_else(|| match m.kind.as_str() {
                    "group" => {
                        "<p>A community on peerpress. Follow it to receive its articles.</p>".into()
                    }
                    "application" => "<p>The peerpress instance actor.</p>".into(),
                    _ => "<p>An author on peerpress.</p>".into(),
                }),
        ),
        url: Some(json!(page)),
        inbox: Url::parse(&m.inbox_url).unwrap_or_else(|_| id.clone()),
        outbox: parse(&m.outbox_url),
        followers: parse(&m.followers_url),
        following: Url::parse(&format!("{}/following", m.ap_id)).ok(),
        endpoints: Some(Endpoints {
            shared_inbox: parse(&m.shared_inbox_url),
        }),
        public_key: PublicKeyDoc {
            id: format!("{}#main-key", m.ap_id),
            owner: id.clone(),
            public_key_pem: m.public_key_pem.clone(),
        },
        icon: Some(icon),
        image: m.image_url.as_deref().map(picture),
        manually_approves_followers: Some(m.manually_approves),
        discoverable: Some(true),
        indexable: Some(true),
        published: Some(m.published),
        attachment: fields,
        attributed_to: Vec::new(),
        // Our pages name our people as their authors (`fediverse:creator`).
        attribution_domains: if m.kind == "person" {
            url::Url::parse(base)
                .ok()
                .and_then(|b| b.host_str().map(str::to_string))
                .into_iter()
                .collect()
        } else {
            Vec::new()
        },
    }
}

/// `Update` of a local actor's profile, to its followers (Mastodon
/// refreshes the profile it shows).
/// It carries the actor's own context, so that its profile fields
/// (`PropertyValue`) and key keep their meaning.
pub fn update_actor(id: &str, doc: &crate::wire::actor::ActorDoc) -> Value {
    serde_json::to_value(WithContext {
        context: crate::wire::actor_context(),
        inner: json!({
            "id": id,
            "type": "Update",
            "actor": doc.id,
            "to": [PUBLIC],
            "cc": doc.followers.iter().collect::<Vec<_>>(),
            "object": doc,
        }),
    })
    .unwrap_or(Value::Null)
}

/// `Flag`: a report forwarded to the reported actor's server, as our
/// instance actor (Mastodon's shape: the account and the posts in
/// `object`, the comment in `content`).
pub fn flag(
    id: &str,
    instance: &actor::Model,
    target: &str,
    objects: &[String],
    content: &str,
) -> Value {
    envelope(json!({
        "id": id,
        "type": "Flag",
        "actor": instance.ap_id,
        "to": [target],
        "object": objects,
        "content": content,
    }))
}
