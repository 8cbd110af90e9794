//! View models: what templates and feeds show, built from domain views.
//! Templates are compile-time checked (askama) and escape by default; the
//! only raw HTML they get is content sanitized before it was stored.

use super::i18n::Lang;
use super::viewer::Viewer;
use crate::content::licences;
use crate::domain::articles::ArticleView;
use crate::federation::Data;
use askama::Template;
use chrono::{DateTime, Utc};
use entity::actor;

pub struct Layout {
    pub site: String,
    pub source_url: String,
    /// The interface language.
    pub lang: Lang,
    /// The interface languages, as links to this page in each.
    pub languages: Vec<LanguageLink>,
    /// The signed-in person, for the header.
    pub account: Option<Link>,
    /// The token this page's forms carry (`_csrf`).
    pub csrf: String,
    /// What the form just sent did ("Saved."), from `?done=KEY` when
    /// `done-KEY` is a message.
    pub notice: Option<String>,
}

/// A link to the page in another interface language, named in that
/// language.
pub struct LanguageLink {
    pub code: &'static str,
    pub name: String,
    pub href: String,
    pub current: bool,
}

impl Layout {
    pub fn new(ctx: &crate::context::AppContext, viewer: &Viewer) -> Layout {
        let source_url = if ctx.settings.server.source_url.is_empty() {
            "/source".to_string()
        } else {
            ctx.settings.server.source_url.clone()
        };
        let sep = if viewer.path.contains('?') { '&' } else { '?' };
        Layout {
            site: ctx.settings.server.domain.clone(),
            source_url,
            lang: viewer.lang,
            account: viewer.person().map(|p| Link {
                name: shown_name(p),
                url: p.ap_id.clone(),
                handle: format!("@{}@{}", p.username, ctx.settings.server.domain),
            }),
            csrf: viewer.csrf.clone(),
            notice: viewer
                .path
                .split_once('?')
                .and_then(|(_, q)| q.split('&').find_map(|p| p.strip_prefix("done=")))
                .filter(|k| k.len() < 40 && k.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'))
                .map(|k| format!("done-{k}"))
                .filter(|id| viewer.lang.has(id))
                .map(|id| viewer.lang.t(&id)),
            languages: Lang::ALL
                .iter()
                .map(|l| LanguageLink {
                    code: l.code(),
                    name: l.language_name(l.code()),
                    href: format!("{}{sep}lang={}", viewer.path, l.code()),
                    current: *l == viewer.lang,
                })
                .collect(),
        }
    }

    /// An interface message.
    pub fn t(&self, id: &str) -> String {
        self.lang.t(id)
    }

    /// A message about `count` things, in the language's plural form.
    pub fn n(&self, id: &str, count: impl Value<u64>) -> String {
        self.lang.count(id, count.value())
    }

    /// A message with one argument.
    pub fn a(&self, id: &str, name: &'static str, value: &str) -> String {
        self.lang.args(id, &[(name, value.to_string().into())])
    }

    /// A message around one piece of (safe) HTML, e.g. a link; the result
    /// is HTML.
    pub fn h(&self, id: &str, name: &'static str, html: &str) -> String {
        self.lang.html(id, &[(name, html)])
    }

    /// A message around a code-like value (a handle), shown as code.
    pub fn hc(&self, id: &str, name: &'static str, value: &str) -> String {
        let code = format!(
            "<code><bdi>{}</bdi></code>",
            html_escape::encode_text(value)
        );
        self.h(id, name, &code)
    }

    /// A message around a link; the result is HTML.
    pub fn hl(&self, id: &str, name: &'static str, text: &str, href: &str) -> String {
        let link = format!(
            "<a href=\"{}\">{}</a>",
            html_escape::encode_double_quoted_attribute(href),
            html_escape::encode_text(text)
        );
        self.h(id, name, &link)
    }

    /// "By Ana, Bo" with each author linked (HTML); with `handles`, each
    /// followed by its `@name@host`.
    pub fn by(&self, authors: &[Link], handles: bool) -> String {
        let list = authors
            .iter()
            .map(|p| {
                let mut a = format!(
                    "<a rel=\"author\" href=\"{}\"><bdi>{}</bdi></a>",
                    html_escape::encode_double_quoted_attribute(&p.url),
                    html_escape::encode_text(&p.name)
                );
                if handles && !p.handle.is_empty() {
                    a.push_str(&format!(
                        " <span class=\"origin\"><bdi>{}</bdi></span>",
                        html_escape::encode_text(&p.handle)
                    ));
                }
                a
            })
            .collect::<Vec<_>>()
            .join(", ");
        self.h("by-authors", "authors", &list)
    }

    /// A licence's name in this language, linked (`rel="license"`) when it
    /// has a URL; HTML.
    pub fn licence(&self, l: &LicenceLink) -> String {
        // Fluent ids have no dots: `licence-CC-BY-4_0`.
        let id = format!("licence-{}", l.key.replace('.', "_"));
        let name = html_escape::encode_text(&self.lang.t(&id)).into_owned();
        match &l.url {
            Some(u) => format!(
                "<a rel=\"license\" href=\"{}\">{name}</a>",
                html_escape::encode_double_quoted_attribute(u)
            ),
            None => name,
        }
    }

    /// A day in words.
    pub fn date(&self, t: impl Value<DateTime<Utc>>) -> String {
        self.lang.date(t.value())
    }

    /// A day and time in words.
    pub fn date_time(&self, t: impl Value<DateTime<Utc>>) -> String {
        self.lang.date_time(t.value())
    }

    /// A language code as its name.
    pub fn language(&self, code: &str) -> String {
        self.lang.language_name(code)
    }

    /// The page's title as the browser shows it.
    pub fn title(&self, page: &str) -> String {
        self.lang.args(
            "site-title",
            &[
                ("page", page.to_string().into()),
                ("site", self.site.clone().into()),
            ],
        )
    }
}

/// A value templates pass as it is or by (nested) reference.
pub trait Value<T> {
    fn value(&self) -> T;
}

impl Value<u64> for u64 {
    fn value(&self) -> u64 {
        *self
    }
}

impl Value<DateTime<Utc>> for DateTime<Utc> {
    fn value(&self) -> DateTime<Utc> {
        *self
    }
}

impl<T, V: Value<T>> Value<T> for &V {
    fn value(&self) -> T {
        (*self).value()
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
    /// The catalogue key, whose name is the message `licence-{key}`.
    pub key: &'static str,
    pub name: String,
    pub url: Option<String>,
    pub spdx: Option<String>,
}

pub fn licence_link(key: Option<&str>) -> Option<LicenceLink> {
    let l = licences::from_key_or_url(key?)?;
    Some(LicenceLink {
        key: l.key,
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
    pub published: DateTime<Utc>,
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
        published: a.published,
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
    pub published: DateTime<Utc>,
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
    pub at: DateTime<Utc>,
    /// The message naming the decision (`log-action-…`).
    pub label: &'static str,
    pub title: String,
    /// The target's link, when it is a URL and public.
    pub href: Option<String>,
    pub reason: String,
    /// The decider's role, as a message (`role-…`).
    pub role: String,
    /// `alice@example.org`, when names are shown.
    pub moderator: Option<String>,
    pub community: Option<String>,
}

pub fn log_row(lang: Lang, e: &crate::domain::governance::log::Entry) -> LogRow {
    LogRow {
        at: e.at,
        label: log_label(&e.action),
        // A private domain block names no domain.
        title: if e.target.is_none() {
            lang.t("log-a-domain")
        } else {
            e.title.clone()
        },
        href: e
            .target
            .clone()
            .filter(|t| t.starts_with("https://") || t.starts_with("http://"))
            .filter(|_| e.action != "remove"),
        reason: e.reason.clone(),
        role: format!("role-{}", e.role),
        moderator: e.moderator.clone(),
        community: e.community.clone(),
    }
}

/// The message naming a logged action.
fn log_label(action: &str) -> &'static str {
    match action {
        "approve" => "log-action-approve",
        "remove" => "log-action-remove",
        "restore" => "log-action-restore",
        "policy" => "log-action-policy",
        "settings" => "log-action-settings",
        "charter" => "log-action-charter",
        "role_granted" => "log-action-role_granted",
        "role_removed" => "log-action-role_removed",
        "actor_blocked" => "log-action-actor_blocked",
        "actor_unblocked" => "log-action-actor_unblocked",
        "domain_blocked" => "log-action-domain_blocked",
        "domain_silenced" => "log-action-domain_silenced",
        "domain_unblocked" => "log-action-domain_unblocked",
        "domain_allowed" => "log-action-domain_allowed",
        "domain_disallowed" => "log-action-domain_disallowed",
        "federation_mode" => "log-action-federation_mode",
        "report_resolved" => "log-action-report_resolved",
        _ => "log-action-other",
    }
}

/// The message saying a comment policy to readers.
pub fn policy_text(policy: Option<&str>) -> &'static str {
    match policy.unwrap_or("open") {
        "held" => "policy-held",
        "followers" => "policy-followers",
        _ => "policy-open",
    }
}

/// The level of a network card's own heading (`<h3>`): the post's headings
/// are shown below it.
const CARD_HEADING: u8 = 3;

pub fn network_item(data: &Data, v: &ArticleView) -> NetworkItem {
    let a = &v.article;
    let licence = licence_link(a.licence.as_deref());
    NetworkItem {
        title: a.title.clone(),
        url: a.url.clone().unwrap_or_else(|| a.ap_id.clone()),
        summary: a.summary.clone(),
        authors: v.authors.iter().map(|p| actor_link(data, p)).collect(),
        community: v.community.as_ref().map(|c| actor_link(data, c)),
        published: a.published,
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
        content_html: crate::content::shift_headings(&a.content_html, CARD_HEADING),
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
            start: a.start_time,
            end: a.end_time,
            location: a.location.clone(),
        }),
    }
}

/// When and where an event of the network feed takes place.
pub struct EventView {
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
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
    /// The comment policy, as a message.
    pub policy: String,
    /// The community's moderation log.
    pub log_url: String,
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
    pub published: DateTime<Utc>,
    pub updated: Option<DateTime<Utc>>,
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
    /// The community's comment policy, as a message.
    pub policy: String,
    /// The cover: shown atop the article, and `og:image` for previews.
    pub cover: Option<ImageView>,
    /// A draft shown through its secret preview link: marked as such, and
    /// kept out of search engines.
    pub preview: bool,
    /// Minutes it takes to read (articles; 0 for announcements).
    pub reading_minutes: u64,
}

/// Words read in a minute, for the reading time.
const WORDS_PER_MINUTE: usize = 230;

/// Minutes to read some sanitized HTML, at least one.
pub fn reading_minutes(html: &str) -> u64 {
    let words = crate::content::plain_text_of_html(html)
        .split_whitespace()
        .count();
    words.div_ceil(WORDS_PER_MINUTE).max(1) as u64
}

/// An uploaded image as a page shows it.
pub struct ImageView {
    pub url: String,
    pub alt: String,
    pub width: i32,
    pub height: i32,
}

pub fn image_view(data: &Data, m: &entity::media::Model) -> ImageView {
    ImageView {
        url: data.url(&format!("/media/{}", m.name)),
        alt: m.alt.clone(),
        width: m.width,
        height: m.height,
    }
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
    pub published: DateTime<Utc>,
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
    lang: Lang,
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
        .or_else(|| c.sensitive.then(|| lang.t("comment-sensitive")));
    CommentView {
        id: c.ap_id.clone(),
        anchor: format!("comment-{}", c.id),
        depth: 0,
        author: author.map(|a| actor_link(data, a)).unwrap_or_else(|| Link {
            name: lang.t("comment-someone"),
            url: c.ap_id.clone(),
            handle: String::new(),
        }),
        content_html: c.content_html.clone(),
        published: c.published,
        warning,
        language: c.language.clone(),
        attachments: attachments
            .iter()
            .map(|a| AttachmentView {
                url: a.url.clone(),
                image: a.is_image(),
                alt: a.alt.clone().unwrap_or_else(|| {
                    lang.t(if a.is_image() {
                        "attachment-image-no-alt"
                    } else {
                        "attachment-file"
                    })
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
        viewer: &Viewer,
        v: &ArticleView,
        comments: CommentsPage,
        (likes, shares): (u64, u64),
    ) -> ArticlePage {
        let a = &v.article;
        let title = if a.kind == "note" {
            viewer.lang.args(
                "announcement-of",
                &[("date", viewer.lang.date(a.published).into())],
            )
        } else {
            a.title.clone()
        };
        ArticlePage {
            layout: Layout::new(data, viewer),
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
            published: a.published,
            updated: a.updated,
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
            cover: v.cover.as_ref().map(|m| image_view(data, m)),
            preview: a.draft,
            reading_minutes: if a.kind == "note" {
                0
            } else {
                reading_minutes(&a.content_html)
            },
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
