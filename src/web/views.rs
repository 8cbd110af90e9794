//! View models: what templates and feeds show, built from domain views.
//! Templates are compile-time checked (askama) and escape by default; the
//! only raw HTML they get is content sanitized before it was stored.

use crate::content::licences;
use crate::domain::articles::ArticleView;
use crate::federation::Data;
use askama::Template;
use entity::actor;

pub struct Layout {
    pub site: String,
    pub source_url: String,
}

impl Layout {
    pub fn new(data: &Data) -> Layout {
        let source_url = if data.settings.server.source_url.is_empty() {
            "/source".to_string()
        } else {
            data.settings.server.source_url.clone()
        };
        Layout {
            site: data.settings.server.domain.clone(),
            source_url,
        }
    }
}

pub struct Link {
    pub name: String,
    pub url: String,
    /// `@name@domain`, for people and communities.
    pub handle: String,
}

/// An actor's name as shown to readers: its display name, else its username.
pub fn shown_name(a: &actor::Model) -> String {
    a.display_name.clone().unwrap_or_else(|| a.username.clone())
}

pub fn actor_link(data: &Data, a: &actor::Model) -> Link {
    Link {
        name: shown_name(a),
        url: a.ap_id.clone(),
        handle: format!(
            "@{}@{}",
            a.username,
            if a.local {
                data.settings.server.domain.as_str()
            } else {
                a.host.as_str()
            }
        ),
    }
}

pub struct TagLink {
    pub name: String,
    pub url: String,
}

pub struct LicenceLink {
    pub name: String,
    pub url: Option<String>,
    pub spdx: Option<String>,
}

pub fn licence_link(key: Option<&str>) -> Option<LicenceLink> {
    let l = licences::from_key_or_url(key?)?;
    Some(LicenceLink {
        name: l.name.to_string(),
        url: l.url.map(str::to_string),
        spdx: l.spdx.then(|| l.key.to_string()),
    })
}

pub struct Card {
    pub title: String,
    pub url: String,
    pub summary: String,
    pub authors: Vec<Link>,
    pub tags: Vec<TagLink>,
    pub published_iso: String,
    pub published_day: String,
    pub language: Option<String>,
    pub content_html: String,
}

pub fn tag_links(data: &Data, tags: &[String]) -> Vec<TagLink> {
    tags.iter()
        .map(|t| TagLink {
            name: t.clone(),
            url: data.url(&format!("/tags/{t}")),
        })
        .collect()
}

pub fn card(data: &Data, v: &ArticleView) -> Card {
    let a = &v.article;
    Card {
        title: a.title.clone(),
        url: a.url.clone().unwrap_or_else(|| a.ap_id.clone()),
        summary: a.summary.clone(),
        authors: v.authors.iter().map(|p| actor_link(data, p)).collect(),
        tags: tag_links(data, &v.tags),
        published_iso: a.published.to_rfc3339(),
        published_day: a.published.format("%Y-%m-%d").to_string(),
        language: a.language.clone(),
        content_html: a.content_html.clone(),
    }
}

/// A community's network feed: remote articles, shown as their licence allows.
#[derive(Template)]
#[template(path = "network.html")]
pub struct NetworkPage {
    pub layout: Layout,
    pub title: String,
    pub page_url: String,
    pub community_name: String,
    pub community_url: String,
    pub items: Vec<NetworkItem>,
}

pub struct NetworkItem {
    pub title: String,
    /// The canonical link: the original's page at its origin.
    pub url: String,
    pub summary: String,
    pub authors: Vec<Link>,
    pub community: Option<Link>,
    pub published_iso: String,
    pub published_day: String,
    pub language: Option<String>,
    pub licence: Option<LicenceLink>,
    /// A licence URL not in our catalogue, shown as received.
    pub licence_raw: Option<String>,
    /// Shown in full (an open licence), or title, summary and link only.
    pub full: bool,
    pub content_html: String,
    /// The summary, or for a post without one (a Note) an excerpt of its text.
    pub summary_or_excerpt: String,
    /// `article`, `note`, `event` or `question`.
    pub kind: String,
    pub event: Option<EventView>,
}

/// A community's public moderation log.
#[derive(Template)]
#[template(path = "moderation.html")]
pub struct ModerationPage {
    pub layout: Layout,
    pub title: String,
    pub page_url: String,
    /// What the log covers, in words.
    pub about: String,
    pub about_url: String,
    /// The comment policy, in words (a community's log).
    pub policy: String,
    /// The instance's log has a column for the community.
    pub instance_wide: bool,
    pub entries: Vec<LogRow>,
}

/// A row of the public moderation log.
pub struct LogRow {
    pub at_iso: String,
    pub at_day: String,
    pub label: String,
    pub title: String,
    /// The target's link, when it is a URL and public.
    pub href: Option<String>,
    pub reason: String,
    /// `moderator`, or `moderator alice@example.org` when names are shown.
    pub by: String,
    pub community: Option<String>,
}

pub fn log_row(e: &crate::domain::governance::log::Entry) -> LogRow {
    LogRow {
        at_iso: e.at.to_rfc3339(),
        at_day: e.at.format("%Y-%m-%d %H:%M UTC").to_string(),
        label: e.label.clone(),
        title: e.title.clone(),
        href: e
            .target
            .clone()
            .filter(|t| t.starts_with("https://") || t.starts_with("http://"))
            .filter(|_| e.action != "remove"),
        reason: e.reason.clone(),
        by: match &e.moderator {
            Some(m) => format!("{} {m}", e.role),
            None => e.role.clone(),
        },
        community: e.community.clone(),
    }
}

/// A comment policy as a sentence for readers.
pub fn policy_text(policy: Option<&str>) -> &'static str {
    match policy.unwrap_or("open") {
        "held" => "Comments from other servers are shown once a moderator approves them.",
        "followers" => {
            "Comments by followers of the community are shown at once; others once a moderator approves them."
        }
        _ => "Comments from anywhere are shown at once; moderators may remove them.",
    }
}

pub fn network_item(data: &Data, v: &ArticleView) -> NetworkItem {
    let a = &v.article;
    let licence = licence_link(a.licence.as_deref());
    NetworkItem {
        title: a.title.clone(),
        url: a.url.clone().unwrap_or_else(|| a.ap_id.clone()),
        summary: a.summary.clone(),
        authors: v.authors.iter().map(|p| actor_link(data, p)).collect(),
        community: v.community.as_ref().map(|c| actor_link(data, c)),
        published_iso: a.published.to_rfc3339(),
        published_day: a.published.format("%Y-%m-%d").to_string(),
        language: a.language.clone(),
        licence_raw: if licence.is_none() {
            a.licence
                .clone()
                .filter(|l| l.starts_with("https://") || l.starts_with("http://"))
        } else {
            None
        },
        licence,
        // A poll is shown as a link: votes are cast at its origin.
        full: a.kind != "question" && licences::allows_republishing(a.licence.as_deref()),
        content_html: a.content_html.clone(),
        summary_or_excerpt: if a.summary.trim().is_empty() {
            crate::content::truncate_words(
                &html_escape::decode_html_entities(&crate::content::plain_text_of_html(
                    &a.content_html,
                )),
                crate::content::SUMMARY_MAX,
            )
        } else {
            a.summary.clone()
        },
        kind: a.kind.clone(),
        event: (a.kind == "event").then(|| EventView {
            start_iso: a.start_time.map(|t| t.to_rfc3339()),
            start_text: a
                .start_time
                .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string()),
            end_text: a
                .end_time
                .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string()),
            location: a.location.clone(),
        }),
    }
}

/// When and where an event of the network feed takes place.
pub struct EventView {
    pub start_iso: Option<String>,
    pub start_text: Option<String>,
    pub end_text: Option<String>,
    pub location: Option<String>,
}

pub struct CommunityLink {
    pub name: String,
    pub url: String,
    pub handle: String,
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub layout: Layout,
    pub communities: Vec<CommunityLink>,
}

#[derive(Template)]
#[template(path = "community.html")]
pub struct CommunityPage {
    pub layout: Layout,
    pub id: String,
    pub title: String,
    pub about: String,
    pub handle: String,
    pub articles: Vec<Card>,
    pub announcements: Vec<Card>,
    pub licence: Option<LicenceLink>,
    pub charter_html: Option<String>,
    /// The comment policy, in words.
    pub policy: String,
}

#[derive(Template)]
#[template(path = "article.html")]
pub struct ArticlePage {
    pub layout: Layout,
    pub id: String,
    pub url: String,
    pub title: String,
    pub summary: String,
    pub authors: Vec<Link>,
    pub community: Option<Link>,
    pub site_name: String,
    /// `og:locale`: the article's language as `pt_BR`.
    pub og_locale: Option<String>,
    pub published_iso: String,
    pub published_day: String,
    pub updated_iso: Option<String>,
    pub tags: Vec<TagLink>,
    pub licence: Option<LicenceLink>,
    pub language: Option<String>,
    pub content_html: String,
    pub comments: Vec<CommentView>,
    /// All shown comments, on every page.
    pub comment_total: u64,
    /// Links to the previous and next pages of comments.
    pub comments_prev: Option<String>,
    pub comments_next: Option<String>,
    pub likes: u64,
    pub shares: u64,
    /// The community's comment policy, in words.
    pub policy: String,
}

/// A comment as shown under an article, at its depth in the thread.
pub struct CommentView {
    pub id: String,
    /// The fragment it is shown at on the article page.
    pub anchor: String,
    /// 0 for replies to the article; shown indented up to 5.
    pub depth: usize,
    pub author: Link,
    pub content_html: String,
    pub published_iso: String,
    pub published_day: String,
    /// The author's content warning: the comment is shown collapsed
    /// behind it.
    pub warning: Option<String>,
    pub language: Option<String>,
    pub attachments: Vec<AttachmentView>,
    /// Mentioned actors the text does not already link to.
    pub mentions: Vec<Link>,
    pub hashtags: Vec<TagLink>,
}

pub struct AttachmentView {
    pub url: String,
    pub image: bool,
    /// The alt text (or, for other files, the link text).
    pub alt: String,
}

pub fn comment_view(
    data: &Data,
    c: &entity::comment::Model,
    author: Option<&actor::Model>,
) -> CommentView {
    use crate::domain::comments::{Attachment, Mention};
    let attachments: Vec<Attachment> = serde_json::from_str(&c.attachments).unwrap_or_default();
    let mentions: Vec<Mention> = serde_json::from_str(&c.mentions).unwrap_or_default();
    let hashtags: Vec<String> = serde_json::from_str(&c.hashtags).unwrap_or_default();
    let warning = c
        .summary
        .clone()
        .filter(|s| !s.trim().is_empty())
        .or_else(|| c.sensitive.then(|| "Sensitive content".to_string()));
    CommentView {
        id: c.ap_id.clone(),
        anchor: format!("comment-{}", c.id),
        depth: 0,
        author: author.map(|a| actor_link(data, a)).unwrap_or_else(|| Link {
            name: "someone".into(),
            url: c.ap_id.clone(),
            handle: String::new(),
        }),
        content_html: c.content_html.clone(),
        published_iso: c.published.to_rfc3339(),
        published_day: c.published.format("%Y-%m-%d").to_string(),
        warning,
        language: c.language.clone(),
        attachments: attachments
            .iter()
            .map(|a| AttachmentView {
                url: a.url.clone(),
                image: a.is_image(),
                alt: a.alt.clone().unwrap_or_else(|| {
                    if a.is_image() {
                        "An image; its author gave no description".into()
                    } else {
                        "Attached file".into()
                    }
                }),
            })
            .collect(),
        mentions: mentions
            .into_iter()
            .filter(|m| !c.content_html.contains(&format!("href=\"{}\"", m.href)))
            .map(|m| Link {
                handle: m.name.clone(),
                name: m.name,
                url: m.href,
            })
            .collect(),
        hashtags: tag_links(data, &hashtags),
    }
}

/// One page of an article's comments.
pub struct CommentsPage {
    pub items: Vec<CommentView>,
    pub total: u64,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl ArticlePage {
    pub fn new(
        data: &Data,
        v: &ArticleView,
        comments: CommentsPage,
        (likes, shares): (u64, u64),
    ) -> ArticlePage {
        let a = &v.article;
        let title = if a.kind == "note" {
            format!("Announcement of {}", a.published.format("%Y-%m-%d"))
        } else {
            a.title.clone()
        };
        ArticlePage {
            layout: Layout::new(data),
            id: a.ap_id.clone(),
            url: a.url.clone().unwrap_or_else(|| a.ap_id.clone()),
            title,
            summary: a.summary.clone(),
            authors: v.authors.iter().map(|p| actor_link(data, p)).collect(),
            community: v.community.as_ref().map(|c| actor_link(data, c)),
            site_name: v
                .community
                .as_ref()
                .and_then(|c| c.display_name.clone())
                .unwrap_or_else(|| data.settings.server.domain.clone()),
            og_locale: a.language.as_ref().map(|l| l.replace('-', "_")),
            published_iso: a.published.to_rfc3339(),
            published_day: a.published.format("%Y-%m-%d").to_string(),
            updated_iso: a.updated.map(|u| u.to_rfc3339()),
            tags: tag_links(data, &v.tags),
            licence: licence_link(a.licence.as_deref()),
            language: a.language.clone(),
            content_html: a.content_html.clone(),
            comments: comments.items,
            comment_total: comments.total,
            comments_prev: comments.prev,
            comments_next: comments.next,
            likes,
            shares,
            policy: policy_text(
                v.community
                    .as_ref()
                    .and_then(|c| c.comment_policy.as_deref()),
            )
            .to_string(),
        }
    }
}

/// An author's or a tag's articles.
#[derive(Template)]
#[template(path = "listing.html")]
pub struct ListingPage {
    pub layout: Layout,
    pub title: String,
    pub page_url: String,
    pub actor_id: Option<String>,
    pub handle: Option<String>,
    pub feed_base: String,
    pub articles: Vec<Card>,
}

#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage {
    pub layout: Layout,
    pub title: String,
    pub body_html: String,
}
