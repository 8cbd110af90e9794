//! Atom, RSS 2.0 and JSON Feed 1.1 of a community, an author or a tag, with
//! authors and licences. Served at `<actor or tag URL>.atom|.rss|.json`
//! (FEP-a5c5).

use crate::content::licences;
use crate::domain::articles::ArticleView;
use crate::error::{AppError, AppResult};
use crate::federation::Data;
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
}

pub fn render(
    data: &Data,
    format: Format,
    meta: &FeedMeta,
    items: &[ArticleView],
) -> AppResult<Response> {
    let (ct, body) = match format {
        Format::Atom => ("application/atom+xml; charset=utf-8", atom(meta, items)),
        Format::Rss => ("application/rss+xml; charset=utf-8", rss(data, meta, items)),
        Format::Json => (
            "application/feed+json; charset=utf-8",
            json_feed(meta, items)?,
        ),
    };
    Ok(([(header::CONTENT_TYPE, HeaderValue::from_static(ct))], body).into_response())
}

fn licence_text(key: Option<&str>) -> Option<String> {
    let l = licences::find(key?)?;
    Some(match l.url {
        Some(u) => format!("{} ({u})", l.name),
        None => l.name.to_string(),
    })
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
                title: Text::plain(a.title.clone()),
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
                links: vec![Link {
                    href: url,
                    rel: "alternate".into(),
                    mime_type: Some("text/html".into()),
                    ..Default::default()
                }],
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
        entries,
        ..Default::default()
    };
    feed.to_string()
}

fn rss(data: &Data, meta: &FeedMeta, items: &[ArticleView]) -> String {
    use rss::{Category, Channel, Guid, Item};
    let rss_items: Vec<rss::Item> = items
        .iter()
        .map(|v| {
            let a = &v.article;
            let url = a.url.clone().unwrap_or_else(|| a.ap_id.clone());
            let authors: Vec<String> = v.authors.iter().map(super::views::shown_name).collect();
            let licence = licence_text(a.licence.as_deref())
                .map(|l| format!("<p>Licence: {}</p>", html_escape::encode_text(&l)))
                .unwrap_or_default();
            Item {
                title: Some(a.title.clone()),
                link: Some(url),
                description: Some(a.summary.clone()),
                content: Some(format!(
                    "{}<p>By {}</p>{licence}",
                    a.content_html,
                    html_escape::encode_text(&authors.join(", "))
                )),
                author: Some(format!(
                    "noreply@{} ({})",
                    data.settings.host(),
                    authors.join(", ")
                )),
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
                ..Default::default()
            }
        })
        .collect();
    let channel = Channel {
        title: meta.title.clone(),
        link: meta.page_url.clone(),
        description: meta.description.clone(),
        generator: Some(format!("peerpress {}", env!("CARGO_PKG_VERSION"))),
        items: rss_items,
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
            json!({
                "id": a.ap_id,
                "url": a.url.clone().unwrap_or_else(|| a.ap_id.clone()),
                "title": a.title,
                "summary": a.summary,
                "content_html": a.content_html,
                "date_published": a.published.to_rfc3339(),
                "date_modified": a.updated.map(|u| u.to_rfc3339()),
                "authors": v.authors.iter().map(|p| json!({"name": super::views::shown_name(p), "url": p.ap_id})).collect::<Vec<_>>(),
                "tags": v.tags,
                "language": a.language,
                "_license": licence.map(|l| json!({"name": l.name, "url": l.url, "spdx": l.spdx.then_some(l.key)})),
            })
        })
        .collect();
    serde_json::to_string(&json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": meta.title,
        "home_page_url": meta.page_url,
        "feed_url": format!("{}.json", meta.feed_base),
        "description": meta.description,
        "items": items,
    }))
    .map_err(AppError::internal)
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
