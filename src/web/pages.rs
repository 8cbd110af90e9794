//! HTML pages for people: server-rendered, readable without JavaScript;
//! every page links to the source (AGPL-3.0 §13).

use super::viewer::Viewer;
use super::views::{
    ArticlePage, CommunityLink, CommunityPage, HomePage, Layout, ListingPage, MessagePage, card,
    licence_link, shown_name,
};
use crate::domain::articles::{ArticleView, Listing, listing};
use crate::error::{AppError, AppResult};
use crate::federation::Data;
use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use entity::actor;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

const ICON: &[u8] = include_bytes!("../../static/icon.png");
const STYLE: &str = include_str!("../../static/style.css");
const SCRIPT: &str = include_str!("../../static/app.js");

pub fn render(t: &impl Template) -> AppResult<Html<String>> {
    t.render().map(Html).map_err(AppError::internal)
}

pub async fn home(data: Data, viewer: Viewer) -> AppResult<Html<String>> {
    let communities = actor::Entity::find()
        .filter(actor::Column::Local.eq(true))
        .filter(actor::Column::Kind.eq("group"))
        .order_by_asc(actor::Column::LocalName)
        .all(&data.db)
        .await?
        .iter()
        .map(|c| CommunityLink {
            name: shown_name(c),
            url: c.ap_id.clone(),
            handle: format!("@{}@{}", c.username, data.settings.server.domain),
        })
        .collect();
    render(&HomePage {
        layout: Layout::new(&data, &viewer),
        communities,
    })
}

pub async fn actor_page(data: &Data, viewer: &Viewer, a: &actor::Model) -> AppResult<Response> {
    let handle = format!("@{}@{}", a.username, data.settings.server.domain);
    let name = shown_name(a);
    match a.kind.as_str() {
        "group" => {
            let articles = listing(&data.db, Listing::Community(a), "article", 50).await?;
            let notes = listing(&data.db, Listing::Community(a), "note", 20).await?;
            let page = CommunityPage {
                layout: Layout::new(data, viewer),
                id: a.ap_id.clone(),
                title: name,
                about: a
                    .summary
                    .clone()
                    .unwrap_or_else(|| viewer.lang.t("community-about-default")),
                handle,
                articles: articles.iter().map(|v| card(data, v)).collect(),
                announcements: notes.iter().map(|v| card(data, v)).collect(),
                licence: licence_link(
                    a.licence
                        .as_deref()
                        .or(Some(crate::content::licences::DEFAULT)),
                ),
                charter_html: a.charter.as_deref().map(crate::content::markdown_to_html),
                policy: super::views::policy_text(a.comment_policy.as_deref()).to_string(),
                log_url: format!("{}/moderation", a.ap_id),
            };
            Ok(render(&page)?.into_response())
        }
        "person" => {
            let articles = listing(&data.db, Listing::Author(a), "article", 50).await?;
            let page = ListingPage {
                layout: Layout::new(data, viewer),
                title: name,
                page_url: a.ap_id.clone(),
                actor_id: Some(a.ap_id.clone()),
                handle: Some(handle),
                feed_base: a.ap_id.clone(),
                articles: articles.iter().map(|v| card(data, v)).collect(),
            };
            Ok(render(&page)?.into_response())
        }
        _ => Ok(render(&MessagePage {
            layout: Layout::new(data, viewer),
            title: data.settings.server.domain.clone(),
            body_html: format!(
                "<p>{}</p>",
                html_escape::encode_text(&viewer.lang.t("instance-actor-page"))
            ),
        })?
        .into_response()),
    }
}

pub async fn tag_page(data: &Data, viewer: &Viewer, tag: &str) -> AppResult<Response> {
    let articles = listing(&data.db, Listing::Tag(tag), "article", 50).await?;
    let url = data.url(&format!("/tags/{tag}"));
    let page = ListingPage {
        layout: Layout::new(data, viewer),
        title: format!("#{tag}"),
        page_url: url.clone(),
        actor_id: None,
        handle: None,
        feed_base: url,
        articles: articles.iter().map(|v| card(data, v)).collect(),
    };
    Ok(render(&page)?.into_response())
}

/// Comments shown on one page of an article; more are on later pages
/// (`?comments=2`…), in thread order, as they are in `replies`.
pub const COMMENTS_PER_PAGE: usize = 100;

pub async fn article_page(
    data: &Data,
    viewer: &Viewer,
    v: &ArticleView,
    comments_page: Option<u64>,
) -> AppResult<Response> {
    let skeleton = crate::domain::comments::thread_skeleton(&data.db, v.article.id).await?;
    let ordered = threaded(&v.article.ap_id, &skeleton);
    let pages = ordered.len().div_ceil(COMMENTS_PER_PAGE).max(1);
    let page = comments_page.unwrap_or(1).clamp(1, pages as u64) as usize;
    let slice: Vec<(usize, i64)> = ordered
        .iter()
        .skip((page - 1) * COMMENTS_PER_PAGE)
        .take(COMMENTS_PER_PAGE)
        .map(|(depth, (id, _, _))| (*depth, *id))
        .collect();
    let ids: Vec<i64> = slice.iter().map(|(_, id)| *id).collect();
    let mut rows: std::collections::HashMap<
        i64,
        (entity::comment::Model, Option<entity::actor::Model>),
    > = crate::domain::comments::by_ids(&data.db, &ids)
        .await?
        .into_iter()
        .map(|(c, a)| (c.id, (c, a)))
        .collect();
    let items = slice
        .iter()
        .filter_map(|(depth, id)| {
            let (c, a) = rows.remove(id)?;
            let mut view = super::views::comment_view(data, viewer.lang, &c, a.as_ref());
            view.depth = (*depth).min(5);
            Some(view)
        })
        .collect();
    let base = v
        .article
        .url
        .clone()
        .unwrap_or_else(|| v.article.ap_id.clone());
    let link = |p: usize| {
        if p == 1 {
            format!("{base}#comments")
        } else {
            format!("{base}?comments={p}#comments")
        }
    };
    let comments = super::views::CommentsPage {
        items,
        total: ordered.len() as u64,
        prev: (page > 1).then(|| link(page - 1)),
        next: (page < pages).then(|| link(page + 1)),
    };
    use crate::domain::reactions::{self, ANNOUNCE, LIKE};
    let counts = (
        reactions::count(&data.db, LIKE, &v.article.ap_id).await?,
        reactions::count(&data.db, ANNOUNCE, &v.article.ap_id).await?,
    );
    Ok(render(&ArticlePage::new(data, viewer, v, comments, counts))?.into_response())
}

/// Comments in thread order: each followed by its replies, oldest first,
/// with its depth. A reply whose parent is not shown is placed at the top.
/// Works on `(id, ap_id, in_reply_to)`.
fn threaded<'a>(
    article: &str,
    comments: &'a [(i64, String, String)],
) -> Vec<(usize, &'a (i64, String, String))> {
    use std::collections::{HashMap, HashSet};
    let ids: HashSet<&str> = comments.iter().map(|(_, id, _)| id.as_str()).collect();
    let mut children: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut roots = Vec::new();
    for (i, (_, _, parent)) in comments.iter().enumerate() {
        if parent != article && ids.contains(parent.as_str()) {
            children.entry(parent.as_str()).or_default().push(i);
        } else {
            roots.push(i);
        }
    }
    let mut out = Vec::with_capacity(comments.len());
    let mut stack: Vec<(usize, usize)> = roots.into_iter().rev().map(|i| (0, i)).collect();
    let mut seen = HashSet::new();
    while let Some((depth, i)) = stack.pop() {
        if !seen.insert(i) {
            continue;
        }
        out.push((depth, &comments[i]));
        if let Some(kids) = children.get(comments[i].1.as_str()) {
            stack.extend(kids.iter().rev().map(|&k| (depth + 1, k)));
        }
    }
    out
}

/// `/c/{name}/network`: what the community follows and shares from other
/// servers.
pub async fn network(
    data: Data,
    viewer: Viewer,
    axum::extract::Path(name): axum::extract::Path<String>,
) -> AppResult<Response> {
    let community = crate::domain::actors::get_local(
        &data.db,
        crate::domain::actors::LocalKind::Community,
        &name,
    )
    .await?;
    let items = crate::domain::remote::network(&data.db, &community, 50).await?;
    let community_name = shown_name(&community);
    let page = super::views::NetworkPage {
        layout: Layout::new(&data, &viewer),
        title: viewer.lang.args(
            "network-title",
            &[("community", community_name.clone().into())],
        ),
        page_url: format!("{}/network", community.ap_id),
        community_url: community.ap_id.clone(),
        community_name,
        items: items
            .iter()
            .map(|v| super::views::network_item(&data, v))
            .collect(),
    };
    Ok(render(&page)?.into_response())
}

/// `/c/{name}/moderation` (and `.atom`): the community's public
/// moderation log.
pub async fn moderation(
    data: Data,
    viewer: Viewer,
    axum::extract::Path(name): axum::extract::Path<String>,
) -> AppResult<Response> {
    moderation_page(data, viewer, Some(&name)).await
}

/// `/moderation` (and `.atom`): every decision of the instance and its
/// communities.
pub async fn instance_moderation(data: Data, viewer: Viewer) -> AppResult<Response> {
    moderation_page(data, viewer, None).await
}

/// `/c/{name}/moderation.atom`.
pub async fn moderation_atom(
    data: Data,
    axum::extract::Path(name): axum::extract::Path<String>,
) -> AppResult<Response> {
    moderation_atom_of(data, Some(&name)).await
}

/// `/moderation.atom`.
pub async fn instance_moderation_atom(data: Data) -> AppResult<Response> {
    moderation_atom_of(data, None).await
}

async fn moderation_page(data: Data, viewer: Viewer, name: Option<&str>) -> AppResult<Response> {
    let log = ModerationLog::load(&data, name).await?;
    let community = log.community.as_ref();
    let lang = viewer.lang;
    let scope = community.map_or_else(|| data.settings.server.domain.clone(), shown_name);
    let page = super::views::ModerationPage {
        layout: Layout::new(&data, &viewer),
        title: lang.args("log-title", &[("scope", scope.clone().into())]),
        about: match community {
            Some(_) => lang.args("log-about-community", &[("community", scope.into())]),
            None => lang.t("log-about-instance"),
        },
        about_url: community.map_or_else(|| data.url("/"), |c| c.ap_id.clone()),
        policy: community
            .map(|c| lang.t(super::views::policy_text(c.comment_policy.as_deref())))
            .unwrap_or_default(),
        instance_wide: community.is_none(),
        entries: log
            .entries
            .iter()
            .map(|e| super::views::log_row(lang, e))
            .collect(),
        page_url: log.page_url,
    };
    Ok(render(&page)?.into_response())
}

async fn moderation_atom_of(data: Data, name: Option<&str>) -> AppResult<Response> {
    let log = ModerationLog::load(&data, name).await?;
    Ok(super::feeds::log_atom(
        &log.title,
        &log.page_url,
        &log.entries,
    ))
}

/// One scope of the public moderation log (a community, or the whole
/// instance), loaded once for both its page and its Atom feed.
struct ModerationLog {
    community: Option<entity::actor::Model>,
    title: String,
    page_url: String,
    entries: Vec<crate::domain::governance::log::Entry>,
}

impl ModerationLog {
    async fn load(data: &Data, community: Option<&str>) -> AppResult<ModerationLog> {
        let community = match community {
            Some(name) => Some(
                crate::domain::actors::get_local(
                    &data.db,
                    crate::domain::actors::LocalKind::Community,
                    name,
                )
                .await?,
            ),
            None => None,
        };
        let entries = crate::domain::governance::log::entries(
            &data.db,
            &data.settings,
            community.as_ref(),
            200,
        )
        .await?;
        let (title, page_url) = match &community {
            Some(c) => (
                format!("{}: moderation log", shown_name(c)),
                format!("{}/moderation", c.ap_id),
            ),
            None => (
                format!("{}: moderation log", data.settings.server.domain),
                data.url("/moderation"),
            ),
        };
        Ok(ModerationLog {
            community,
            title,
            page_url,
            entries,
        })
    }
}

/// The page of a deleted object.
pub fn gone_page(data: &Data, viewer: &Viewer) -> AppResult<Response> {
    super::errors::page(
        data,
        viewer,
        StatusCode::GONE,
        &format!(
            "<p>{}</p>",
            html_escape::encode_text(&viewer.lang.t("error-410-deleted"))
        ),
    )
}

/// The page of a comment the community's moderators removed, linking the
/// public log where the decision and its reason are.
pub fn removed_page(
    data: &Data,
    viewer: &Viewer,
    community: Option<&entity::actor::Model>,
) -> AppResult<Response> {
    let lang = viewer.lang;
    let log = match community {
        Some(c) => format!(
            " <a href=\"{}/moderation\">{}</a>",
            html_escape::encode_double_quoted_attribute(&c.ap_id),
            html_escape::encode_text(&lang.t("error-410-removed-log"))
        ),
        None => String::new(),
    };
    super::errors::page(
        data,
        viewer,
        StatusCode::GONE,
        &format!(
            "<p>{}{log}</p>",
            html_escape::encode_text(&lang.t("error-410-removed"))
        ),
    )
}

/// The source of this very build (AGPL-3.0 §13), packed by `build.rs`.
const SOURCE_ARCHIVE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/source.tar.gz"));

/// The commit it was built from (empty for a build outside git).
pub const COMMIT: &str = env!("PEERPRESS_COMMIT");

/// `/source`: the version and commit running, and where its source is.
pub async fn source(data: Data, viewer: Viewer) -> AppResult<Html<String>> {
    let lang = viewer.lang;
    let commit = if COMMIT.is_empty() {
        "—".to_string()
    } else {
        format!("<code>{COMMIT}</code>")
    };
    let mut body = format!(
        "<p>{}</p>",
        lang.html(
            "source-body",
            &[
                ("version", env!("CARGO_PKG_VERSION")),
                ("commit", &commit),
                (
                    "archive",
                    "<a href=\"/source.tar.gz\"><code>source.tar.gz</code></a>",
                ),
            ]
        )
    );
    let elsewhere = &data.settings.server.source_url;
    if !elsewhere.is_empty() {
        let link = format!(
            "<a href=\"{0}\">{1}</a>",
            html_escape::encode_double_quoted_attribute(elsewhere),
            html_escape::encode_text(elsewhere)
        );
        body.push_str(&format!(
            "<p>{}</p>",
            lang.html("source-elsewhere", &[("link", &link)])
        ));
    }
    render(&MessagePage {
        layout: Layout::new(&data, &viewer),
        title: lang.t("source-title"),
        body_html: body,
    })
}

/// `/source.tar.gz`: the tracked files of the running commit.
pub async fn source_archive() -> Response {
    let short: String = COMMIT.chars().take(12).collect();
    let name = if short.is_empty() {
        format!("peerpress-{}.tar.gz", env!("CARGO_PKG_VERSION"))
    } else {
        format!("peerpress-{}-{short}.tar.gz", env!("CARGO_PKG_VERSION"))
    };
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
        .unwrap_or(HeaderValue::from_static("attachment"));
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/gzip"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            ),
        ],
        SOURCE_ARCHIVE,
    )
        .into_response()
}

/// `/robots.txt`: everything public may be crawled, the API not; the
/// sitemap is named.
pub async fn robots(data: Data) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        )],
        format!(
            "User-agent: *\nAllow: /\nDisallow: /api/\n\nSitemap: {}\n",
            data.url("/sitemap.xml")
        ),
    )
        .into_response()
}

/// `/sitemap.xml`: the communities and every public article, with when it
/// last changed.
pub async fn sitemap(data: Data) -> AppResult<Response> {
    let pages = crate::domain::articles::public_pages(&data.db, 50_000).await?;
    let communities = crate::domain::actors::local_communities(&data.db).await?;
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut entry = |loc: &str, lastmod: Option<chrono::DateTime<chrono::Utc>>| {
        xml.push_str("<url><loc>");
        xml.push_str(&html_escape::encode_text(
            &super::http::location(loc)
                .to_str()
                .unwrap_or(loc)
                .to_string(),
        ));
        xml.push_str("</loc>");
        if let Some(t) = lastmod {
            xml.push_str(&format!(
                "<lastmod>{}</lastmod>",
                t.format("%Y-%m-%dT%H:%M:%SZ")
            ));
        }
        xml.push_str("</url>\n");
    };
    entry(&data.url("/"), None);
    for c in &communities {
        entry(&c.ap_id, None);
    }
    for (url, when) in &pages {
        entry(url, Some(*when));
    }
    xml.push_str("</urlset>\n");
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/xml; charset=utf-8"),
        )],
        xml,
    )
        .into_response())
}

fn asset(content_type: &'static str, body: &'static [u8]) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            ),
        ],
        body,
    )
        .into_response()
}

pub async fn icon() -> Response {
    asset("image/png", ICON)
}

pub async fn style() -> Response {
    asset("text/css; charset=utf-8", STYLE.as_bytes())
}

pub async fn script() -> Response {
    asset("text/javascript; charset=utf-8", SCRIPT.as_bytes())
}
