//! Atom, RSS 2.0 and JSON Feed 1.1 of a community, an author or a tag, with
//! authors and licences. Served at `<actor or tag URL>.atom|.rss|.json`
//! (FEP-a5c5).

use crate::content::licences;
use crate::domain::articles::ArticleView;
use crate::error::{AppError, AppResult};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Atom,
    Rss,
    Json,
}

/// `name.atom` → (`name`, Atom), and so on.
pub fn split_suffix(name: &str) -> (&str, Option<Format>) {
    for (suffix, format) in [
        (".atom", Format::Atom),
        (".rss", Format::Rss),
        (".json", Format::Json),
    ] {
        if let Some(stem) = name.strip_suffix(suffix) {
            return (stem, Some(format));
        }
    }
    (name, None)
}

pub struct FeedMeta {
    pub title: String,
    /// The page the feed is about.
    pub page_url: String,
    /// `page_url` + suffix.
    pub feed_base: String,
    pub description: String,
    /// The language most of it is in (a community's articles' usual one).
    pub language: Option<String>,
    /// The licence that applies unless an item says otherwise.
    pub licence: Option<String>,
}

pub fn render(format: Format, meta: &FeedMeta, items: &[ArticleView]) -> AppResult<Response> {
    // Without a language of its own, a feed is in its items' usual one.
    let derived;
    let meta = if meta.language.is_none() {
        derived = FeedMeta {
            language: usual_language(items),
            title: meta.title.clone(),
            page_url: meta.page_url.clone(),
            feed_base: meta.feed_base.clone(),
            description: meta.description.clone(),
            licence: meta.licence.clone(),
        };
        &derived
    } else {
        meta
    };
    let (ct, body) = match format {
        Format::Atom => ("application/atom+xml; charset=utf-8", atom(meta, items)),
        Format::Rss => ("application/rss+xml; charset=utf-8", rss(meta, items)),
        Format::Json => (
            "application/feed+json; charset=utf-8",
            json_feed(meta, items)?,
        ),
    };
    let modified = items
        .iter()
        .map(|v| v.article.updated.unwrap_or(v.article.published))
        .max();
    let mut res = ([(header::CONTENT_TYPE, HeaderValue::from_static(ct))], body).into_response();
    if let Some(m) = modified {
        res.headers_mut()
            .insert(header::LAST_MODIFIED, super::http::http_date(m));
    }
    Ok(res)
}

fn licence_text(key: Option<&str>) -> Option<String> {
    let l = licences::find(key?)?;
    Some(match l.url {
        Some(u) => format!("{} ({u})", l.name),
        None => l.name.to_string(),
    })
}

/// An entry's title: an article's own; an announcement (which has none)
/// is named by the start of its text.
fn entry_title(a: &entity::article::Model) -> String {
    if a.kind == "note" {
        crate::content::truncate_words(&a.summary, 80)
    } else {
        a.title.clone()
    }
}

fn atom(meta: &FeedMeta, items: &[ArticleView]) -> String {
    use atom_syndication::{Category, Content, Entry, Feed, Link, Person, Text};
    let updated = items
        .iter()
        .map(|v| v.article.updated.unwrap_or(v.article.published))
        .max()
        .unwrap_or_else(chrono::Utc::now)
        .fixed_offset();
    let entries: Vec<Entry> = items
        .iter()
        .map(|v| {
            let a = &v.article;
            let url = a.url.clone().unwrap_or_else(|| a.ap_id.clone());
            Entry {
                id: a.ap_id.clone(),
                title: Text::plain(entry_title(a)),
                updated: a.updated.unwrap_or(a.published).fixed_offset(),
                published: Some(a.published.fixed_offset()),
                authors: v
                    .authors
                    .iter()
                    .map(|p| Person {
                        name: super::views::shown_name(p),
                        uri: Some(p.ap_id.clone()),
                        ..Default::default()
                    })
                    .collect(),
                links: std::iter::once(Link {
                    href: url,
                    rel: "alternate".into(),
                    mime_type: Some("text/html".into()),
                    ..Default::default()
                })
                .chain(licence_url(a.licence.as_deref()).map(|u| Link {
                    href: u.to_string(),
                    rel: "license".into(),
                    ..Default::default()
                }))
                .collect(),
                summary: Some(Text::plain(a.summary.clone())),
                content: Some(Content {
                    value: Some(a.content_html.clone()),
                    content_type: Some("html".into()),
                    lang: a.language.clone(),
                    ..Default::default()
                }),
                rights: licence_text(a.licence.as_deref()).map(Text::plain),
                categories: v
                    .tags
                    .iter()
                    .map(|t| Category {
                        term: t.clone(),
                        ..Default::default()
                    })
                    .collect(),
                ..Default::default()
            }
        })
        .collect();
    let feed = Feed {
        id: format!("{}.atom", meta.feed_base),
        title: Text::plain(meta.title.clone()),
        subtitle: Some(Text::plain(meta.description.clone())),
        updated,
        links: vec![
            Link {
                href: format!("{}.atom", meta.feed_base),
                rel: "self".into(),
                mime_type: Some("application/atom+xml".into()),
                ..Default::default()
            },
            Link {
                href: meta.page_url.clone(),
                rel: "alternate".into(),
                mime_type: Some("text/html".into()),
                ..Default::default()
            },
        ],
        generator: Some(atom_syndication::Generator {
            value: "peerpress".into(),
            uri: None,
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
        rights: licence_text(meta.licence.as_deref()).map(Text::plain),
        lang: meta.language.clone(),
        icon: Some(icon_of(meta)),
        logo: Some(icon_of(meta)),
        entries,
        ..Default::default()
    };
    feed.to_string()
}

/// The language most items are in.
fn usual_language(items: &[ArticleView]) -> Option<String> {
    let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for l in items.iter().filter_map(|v| v.article.language.as_deref()) {
        *counts.entry(l).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .map(|(l, _)| l.to_string())
}

/// The instance's icon, beside the feed's page.
fn icon_of(meta: &FeedMeta) -> String {
    match url::Url::parse(&meta.page_url) {
        Ok(u) => u
            .join("/static/icon.png")
            .map(|u| u.to_string())
            .unwrap_or_default(),
        Err(_) => "/static/icon.png".into(),
    }
}

fn licence_url(key: Option<&str>) -> Option<&'static str> {
    licences::find(key?)?.url
}

fn rss(meta: &FeedMeta, items: &[ArticleView]) -> String {
    use rss::extension::dublincore::DublinCoreExtension;
    use rss::extension::{Extension, ExtensionMap};
    use rss::{Category, Channel, Guid, Item};
    use std::collections::BTreeMap;
    let licence_ext = |key: Option<&str>| -> ExtensionMap {
        let mut map = ExtensionMap::default();
        if let Some(u) = licence_url(key).filter(|u| u.contains("creativecommons.org")) {
            map.entry("creativeCommons".into()).or_default().insert(
                "license".into(),
                vec![Extension {
                    name: "creativeCommons:license".into(),
                    value: Some(u.to_string()),
                    ..Default::default()
                }],
            );
        }
        map
    };
    let rss_items: Vec<rss::Item> = items
        .iter()
        .map(|v| {
            let a = &v.article;
            let url = a.url.clone().unwrap_or_else(|| a.ap_id.clone());
            Item {
                title: Some(entry_title(a)),
                link: Some(url),
                description: Some(a.summary.clone()),
                content: Some(a.content_html.clone()),
                guid: Some(Guid {
                    value: a.ap_id.clone(),
                    permalink: true,
                }),
                pub_date: Some(a.published.to_rfc2822()),
                categories: v
                    .tags
                    .iter()
                    .map(|t| Category {
                        name: t.clone(),
                        domain: None,
                    })
                    .collect(),
                dublin_core_ext: Some(DublinCoreExtension {
                    creators: v.authors.iter().map(super::views::shown_name).collect(),
                    rights: licence_text(a.licence.as_deref()).into_iter().collect(),
                    languages: a.language.iter().cloned().collect(),
                    ..Default::default()
                }),
                extensions: licence_ext(a.licence.as_deref()),
                ..Default::default()
            }
        })
        .collect();
    let mut extensions = licence_ext(meta.licence.as_deref());
    extensions.entry("atom".into()).or_default().insert(
        "link".into(),
        vec![Extension {
            name: "atom:link".into(),
            attrs: BTreeMap::from([
                ("href".to_string(), format!("{}.rss", meta.feed_base)),
                ("rel".to_string(), "self".to_string()),
                ("type".to_string(), "application/rss+xml".to_string()),
            ]),
            ..Default::default()
        }],
    );
    let mut namespaces = BTreeMap::from([(
        "atom".to_string(),
        "http://www.w3.org/2005/Atom".to_string(),
    )]);
    if extensions.contains_key("creativeCommons")
        || rss_items
            .iter()
            .any(|i| i.extensions.contains_key("creativeCommons"))
    {
        namespaces.insert(
            "creativeCommons".into(),
            "http://backend.userland.com/creativeCommonsRssModule".into(),
        );
    }
    let channel = Channel {
        title: meta.title.clone(),
        link: meta.page_url.clone(),
        description: meta.description.clone(),
        language: meta.language.clone(),
        generator: Some(format!("peerpress {}", env!("CARGO_PKG_VERSION"))),
        image: Some(rss::Image {
            url: icon_of(meta),
            title: meta.title.clone(),
            link: meta.page_url.clone(),
            ..Default::default()
        }),
        items: rss_items,
        extensions,
        namespaces,
        ..Default::default()
    };
    channel.to_string()
}

fn json_feed(meta: &FeedMeta, items: &[ArticleView]) -> AppResult<String> {
    let items: Vec<serde_json::Value> = items
        .iter()
        .map(|v| {
            let a = &v.article;
            let licence = a.licence.as_deref().and_then(licences::find);
            without_nulls(json!({
                "id": a.ap_id,
                "url": a.url.clone().unwrap_or_else(|| a.ap_id.clone()),
                "title": entry_title(a),
                "summary": a.summary,
                "content_html": a.content_html,
                "date_published": a.published.to_rfc3339(),
                "date_modified": a.updated.map(|u| u.to_rfc3339()),
                "authors": v.authors.iter().map(|p| json!({"name": super::views::shown_name(p), "url": p.ap_id})).collect::<Vec<_>>(),
                "tags": v.tags,
                "language": a.language,
                "_license": licence.map(|l| without_nulls(json!({"name": l.name, "url": l.url, "spdx": l.spdx.then_some(l.key)}))),
            }))
        })
        .collect();
    let authors: Vec<serde_json::Value> = {
        let mut seen = Vec::new();
        for v in items
            .iter()
            .filter_map(|i| i["authors"].as_array())
            .flatten()
        {
            if !seen.contains(v) {
                seen.push(v.clone());
            }
        }
        seen
    };
    serde_json::to_string(&without_nulls(json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": meta.title,
        "home_page_url": meta.page_url,
        "feed_url": format!("{}.json", meta.feed_base),
        "description": meta.description,
        "icon": icon_of(meta),
        "favicon": icon_of(meta),
        "language": meta.language,
        "authors": authors,
        "items": items,
    })))
    .map_err(AppError::internal)
}

/// JSON Feed omits what it does not have: no `null` members.
fn without_nulls(v: serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Object(o) => o
            .into_iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| (k, without_nulls(v)))
            .collect(),
        serde_json::Value::Array(a) => a.into_iter().map(without_nulls).collect(),
        other => other,
    }
}

/// The moderation log as Atom: one entry per decision, the same entries the
/// page and the API show.
pub fn log_atom(
    title: &str,
    page_url: &str,
    entries: &[crate::domain::governance::log::Entry],
) -> Response {
    use atom_syndication::{Entry, Feed, Link, Person, Text};
    let updated = entries
        .iter()
        .map(|e| e.at)
        .max()
        .unwrap_or_else(chrono::Utc::now)
        .fixed_offset();
    let items: Vec<Entry> = entries
        .iter()
        .map(|e| {
            let by = match &e.moderator {
                Some(m) => format!("{} {m}", e.role),
                None => e.role.clone(),
            };
            Entry {
                id: format!("{page_url}#decision-{}", e.id),
                title: Text::plain(format!("{}: {}", e.label, e.title)),
                updated: e.at.fixed_offset(),
                published: Some(e.at.fixed_offset()),
                authors: vec![Person {
                    name: by.clone(),
                    ..Default::default()
                }],
                links: e
                    .target
                    .iter()
                    .filter(|t| t.starts_with("https://") || t.starts_with("http://"))
                    .filter(|_| e.action != "remove")
                    .map(|t| Link {
                        href: t.clone(),
                        rel: "related".into(),
                        ..Default::default()
                    })
                    .collect(),
                summary: Some(Text::plain(format!(
                    "{}{} — by the {by}",
                    e.reason,
                    match &e.community {
                        Some(c) => format!(" (in {c})"),
                        None => String::new(),
                    }
                ))),
                ..Default::default()
            }
        })
        .collect();
    let feed = Feed {
        id: format!("{page_url}.atom"),
        title: Text::plain(title.to_string()),
        updated,
        links: vec![
            Link {
                href: page_url.to_string(),
                rel: "alternate".into(),
                mime_type: Some("text/html".into()),
                ..Default::default()
            },
            Link {
                href: format!("{page_url}.atom"),
                rel: "self".into(),
                mime_type: Some("application/atom+xml".into()),
                ..Default::default()
            },
        ],
        entries: items,
        ..Default::default()
    };
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/atom+xml; charset=utf-8"),
        )],
        feed.to_string(),
    )
        .into_response()
}
