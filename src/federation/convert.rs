//! Wire objects into domain inputs (as GoToSocial's converter does), read
//! the way their authors meant them: who it is for
//! (Mastodon's four visibilities, from `to`/`cc`), its content warning,
//! language, attachments, mentions and hashtags (carried in `tag`, where
//! Smithereen puts mentions and PieFed hashtags), whatever shape each came
//! in. Pure: wire in, domain input out.

use crate::content;
use crate::domain::comments::{Attachment, Mention, RemoteReply, Visibility};
use crate::domain::remote::RemoteArticle;
use crate::wire::article::ArticleDoc;
use crate::wire::{PUBLIC, activity::ActivityDoc, ref_id};
use serde_json::Value;
use url::Url;

/// Is this the Public collection, in any of its spellings?
pub fn is_public(u: &Url) -> bool {
    matches!(u.as_str(), PUBLIC | "as:Public")
}

/// The visibility of an object, from its addressing and its activity's
/// (a reply is as public as the most public of the two says).
/// `followers` is the author's followers collection, when known.
pub fn visibility(
    doc: &ArticleDoc,
    activity: Option<&ActivityDoc>,
    followers: Option<&str>,
) -> Visibility {
    let to = doc
        .to
        .iter()
        .chain(activity.into_iter().flat_map(|a| a.to.iter()));
    let cc = doc
        .cc
        .iter()
        .chain(activity.into_iter().flat_map(|a| a.cc.iter()));
    let (to, cc): (Vec<&Url>, Vec<&Url>) = (to.collect(), cc.collect());
    if to.iter().any(|u| is_public(u)) {
        return Visibility::Public;
    }
    if cc.iter().any(|u| is_public(u)) {
        return Visibility::Unlisted;
    }
    let to_followers = to
        .iter()
        .chain(cc.iter())
        .any(|u| followers.is_some_and(|f| u.as_str() == f) || u.path().ends_with("/followers"));
    if to_followers {
        Visibility::Followers
    } else {
        Visibility::Direct
    }
}

/// Every actor id a post addresses (`to`, `cc`, the activity's too).
pub fn addressed(doc: &ArticleDoc, activity: Option<&ActivityDoc>) -> Vec<String> {
    let mut out: Vec<String> = doc
        .to
        .iter()
        .chain(doc.cc.iter())
        .chain(
            activity
                .into_iter()
                .flat_map(|a| a.to.iter().chain(a.cc.iter())),
        )
        .filter(|u| !is_public(u))
        .map(Url::to_string)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The type of a `tag` or `attachment` entry (a string or a list).
fn kind_of(v: &Value) -> Option<String> {
    v.get("type").and_then(crate::wire::type_name)
}

fn text_of(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The mentions among `tag` (only http(s) actor ids).
pub fn mentions(doc: &ArticleDoc) -> Vec<Mention> {
    doc.tag
        .iter()
        .filter(|t| kind_of(t).as_deref() == Some("Mention"))
        .filter_map(|t| {
            let href = t.get("href").and_then(ref_id).or_else(|| ref_id(t))?;
            if !matches!(href.scheme(), "http" | "https") {
                return None;
            }
            let name = text_of(t.get("name"))
                .map(|n| crate::content::clean_name(&n))
                .unwrap_or_else(|| href.to_string());
            Some(Mention {
                href: href.to_string(),
                name: crate::content::truncate_words(&name, 200),
            })
        })
        .collect()
}

/// The hashtags among `tag`, without `#`.
pub fn hashtags(doc: &ArticleDoc) -> Vec<String> {
    let mut out: Vec<String> = doc
        .tag
        .iter()
        .filter(|t| kind_of(t).as_deref() == Some("Hashtag"))
        .filter_map(|t| text_of(t.get("name")))
        .map(|n| {
            let n = crate::content::clean_name(n.trim_start_matches('#'));
            crate::content::truncate_words(&n, 100)
        })
        .filter(|n| !n.is_empty())
        .collect();
    out.dedup();
    out
}

/// The attachments: a URL (a string, a `Link`, or an object whose `url`
/// is one of those, or a list of them), a media type (guessed from the
/// type or extension when absent) and the alt text (`name`, or `summary`).
/// http images are asked for over https.
pub fn attachments(doc: &ArticleDoc) -> Vec<Attachment> {
    doc.attachment
        .iter()
        .filter_map(|a| {
            let url = match a {
                Value::String(_) => ref_id(a),
                Value::Object(o) => o
                    .get("url")
                    .and_then(|u| match u {
                        Value::Array(items) => items.iter().find_map(ref_id),
                        other => ref_id(other),
                    })
                    .or_else(|| o.get("href").and_then(ref_id)),
                _ => None,
            }?;
            if !matches!(url.scheme(), "http" | "https") {
                return None;
            }
            let kind = kind_of(a);
            let media_type = a
                .get("mediaType")
                .and_then(Value::as_str)
                .map(str::to_string)
                .or_else(|| guess_media_type(url.path(), kind.as_deref()));
            if kind.as_deref() == Some("PropertyValue") {
                return None;
            }
            let alt = text_of(a.get("name")).or_else(|| text_of(a.get("summary")));
            let url = if media_type
                .as_deref()
                .is_some_and(|m| m.starts_with("image/"))
            {
                crate::content::upgrade_http(url.as_str())
            } else {
                url.to_string()
            };
            Some(Attachment {
                url,
                media_type,
                alt: alt.map(|s| crate::content::truncate_words(&s, 1500)),
            })
        })
        .collect()
}

fn guess_media_type(path: &str, kind: Option<&str>) -> Option<String> {
    let ext = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    let by_ext = match ext.as_str() {
        "jpg" | "jpeg" => Some("image/jpeg"),
        "png" => Some("image/png"),
        "gif" => Some("image/gif"),
        "webp" => Some("image/webp"),
        "avif" => Some("image/avif"),
        "mp4" => Some("video/mp4"),
        "webm" => Some("video/webm"),
        "mp3" => Some("audio/mpeg"),
        "ogg" => Some("audio/ogg"),
        "pdf" => Some("application/pdf"),
        _ => None,
    };
    by_ext
        .or(match kind {
            Some("Image") => Some("image/*"),
            _ => None,
        })
        .map(str::to_string)
}

/// The language: the first key of `contentMap`, or `@language` in the
/// `@context`.
pub fn language(doc: &ArticleDoc, raw_context: Option<&Value>) -> Option<String> {
    doc.content_map
        .as_ref()
        .and_then(|m| m.keys().next().cloned())
        .or_else(|| {
            let ctx = raw_context?;
            let items: Vec<&Value> = match ctx {
                Value::Array(items) => items.iter().collect(),
                other => vec![other],
            };
            items.iter().find_map(|c| {
                c.get("@language")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
        })
        .filter(|l| crate::content::valid_language(l))
}

/// The `url` of an object, when it is an http(s) page on the object's own
/// server.
pub fn page_url(doc: &ArticleDoc) -> Option<String> {
    let candidates: Vec<Url> = match doc.url.as_ref()? {
        Value::Array(items) => items.iter().filter_map(ref_id).collect(),
        other => ref_id(other).into_iter().collect(),
    };
    candidates
        .into_iter()
        .find(|u| {
            matches!(u.scheme(), "http" | "https") && crate::wire::guard::same_origin(u, &doc.id)
        })
        .map(|u| u.to_string())
}

/// The domain input for a reply to one of our articles.
pub fn remote_reply(
    doc: &ArticleDoc,
    activity: &ActivityDoc,
    raw_object: &Value,
    followers: Option<&str>,
    in_reply_to: &Url,
    update: bool,
) -> RemoteReply {
    let mut html = doc.body().to_string();
    // A post with a title (a Lemmy or Friendica reply as a Page, an Article)
    // keeps it as its first line.
    if let Some(name) = doc.name.as_deref().filter(|n| !n.trim().is_empty())
        && doc.kind != "Note"
    {
        html = format!(
            "<p><strong>{}</strong></p>{html}",
            html_escape::encode_text(name.trim())
        );
    }
    RemoteReply {
        ap_id: doc.id.to_string(),
        in_reply_to: in_reply_to.to_string(),
        html,
        summary: doc
            .summary
            .clone()
            .filter(|_| doc.kind == "Note" || doc.sensitive == Some(true)),
        sensitive: doc.sensitive.unwrap_or(false),
        language: language(doc, raw_object.get("@context")),
        attachments: attachments(doc),
        mentions: mentions(doc),
        hashtags: hashtags(doc),
        published: doc.published,
        updated: doc.updated,
        visibility: visibility(doc, Some(activity), followers),
        addressed: addressed(doc, Some(activity)),
        url: page_url(doc),
        is_update: update,
    }
}

/// The domain input for a post kept in network feeds.
pub fn remote_article(doc: &ArticleDoc) -> RemoteArticle {
    RemoteArticle {
        id: doc.id.clone(),
        kind: match doc.kind.as_str() {
            "Note" => "note",
            "Event" => "event",
            "Question" => "question",
            _ => "article",
        },
        title: doc.name.clone(),
        summary: doc.summary.clone(),
        html: doc.body().to_string(),
        // The canonical page: an http(s) link on the object's own server
        // (never `javascript:` or a link elsewhere); else the id.
        url: page_url(doc),
        language: doc
            .content_map
            .as_ref()
            .and_then(|m| m.keys().next().cloned()),
        licence: doc.license.clone(),
        published: doc.published,
        updated: doc.updated,
        start_time: doc.start_time,
        end_time: doc.end_time,
        location: doc.location.as_ref().and_then(place_text),
    }
}

/// A `Place` (or a list of them, or a plain string) as one line of text:
/// its name and postal address, as Mobilizon and Gancio give them.
fn place_text(v: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    let place = match v {
        Value::Array(items) => items.first()?,
        other => other,
    };
    let text = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .map(content::clean_name)
            .filter(|s| !s.is_empty())
    };
    let parts: Vec<String> = match place {
        Value::String(s) => vec![content::clean_name(s)],
        Value::Object(o) => {
            let mut parts: Vec<String> = text(o.get("name")).into_iter().collect();
            match o.get("address") {
                Some(Value::Object(a)) => parts.extend(
                    [
                        "streetAddress",
                        "postalCode",
                        "addressLocality",
                        "addressCountry",
                    ]
                    .iter()
                    .filter_map(|k| text(a.get(*k))),
                ),
                other => parts.extend(text(other)),
            }
            parts
        }
        _ => Vec::new(),
    };
    let mut seen = Vec::new();
    for p in parts {
        if !seen.contains(&p) {
            seen.push(p);
        }
    }
    (!seen.is_empty()).then(|| seen.join(", "))
}
