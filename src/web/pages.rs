//! HTML pages for people. Plain server-rendered HTML, readable without
//! JavaScript; every page links to the source (AGPL-3.0 §13).

use crate::error::AppResult;
use crate::federation::Data;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use entity::{actor, article};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

const ICON: &[u8] = include_bytes!("../../static/icon.png");

fn layout(data: &Data, title: &str, head: &str, body: &str) -> Html<String> {
    let source = if data.settings.server.source_url.is_empty() {
        "/source".to_string()
    } else {
        data.settings.server.source_url.clone()
    };
    Html(format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
{head}
<style>body{{font-family:system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;line-height:1.6;color:#1b1b1b}}a{{color:#1b5e20}}footer{{margin-top:3rem;font-size:.9rem;color:#555}}</style>
</head>
<body>
<main>
{body}
</main>
<footer><p>Powered by peerpress, free software under the <a href="https://www.gnu.org/licenses/agpl-3.0.html">AGPL-3.0-or-later</a>. <a href="{source}">Source code</a>.</p></footer>
</body>
</html>
"#,
        title = text(title),
        source = attr(&source),
    ))
}

fn handle(data: &Data, a: &actor::Model) -> String {
    format!("@{}@{}", a.username, data.settings.server.domain)
}

pub async fn home(data: Data) -> AppResult<Html<String>> {
    let communities = actor::Entity::find()
        .filter(actor::Column::Local.eq(true))
        .filter(actor::Column::Kind.eq("group"))
        .order_by_asc(actor::Column::LocalName)
        .all(&data.db)
        .await?;
    let mut body = format!(
        "<h1>{}</h1>\n<h2>Communities</h2>\n<ul>\n",
        text(&data.settings.server.domain)
    );
    for c in &communities {
        body.push_str(&format!(
            "<li><a href=\"{}\">{}</a> — follow <code>{}</code></li>\n",
            attr(&c.ap_id),
            text(c.display_name.as_deref().unwrap_or(&c.username)),
            text(&handle(&data, c))
        ));
    }
    body.push_str("</ul>");
    Ok(layout(&data, &data.settings.server.domain, "", &body))
}

pub async fn actor_page(data: &Data, a: &actor::Model) -> AppResult<Response> {
    let name = a.display_name.clone().unwrap_or_else(|| a.username.clone());
    let head = format!(
        "<link rel=\"alternate\" type=\"application/activity+json\" href=\"{id}\">\n<link rel=\"canonical\" href=\"{id}\">",
        id = attr(&a.ap_id)
    );
    let mut body = format!(
        "<h1>{}</h1>\n<p>Follow from Mastodon or any fediverse server: <code>{}</code></p>\n",
        text(&name),
        text(&handle(data, a))
    );
    if a.kind == "group" || a.kind == "person" {
        let column = if a.kind == "group" {
            article::Column::CommunityId
        } else {
            article::Column::AuthorId
        };
        let articles = article::Entity::find()
            .filter(column.eq(a.id))
            .filter(article::Column::Local.eq(true))
            .filter(article::Column::Draft.eq(false))
            .filter(article::Column::DeletedAt.is_null())
            .order_by_desc(article::Column::Published)
            .limit(50)
            .all(&data.db)
            .await?;
        body.push_str("<h2>Articles</h2>\n<ul>\n");
        for art in &articles {
            body.push_str(&format!(
                "<li><a href=\"{}\">{}</a> — {}</li>\n",
                attr(art.url.as_deref().unwrap_or(&art.ap_id)),
                text(&art.title),
                text(&art.summary)
            ));
        }
        body.push_str("</ul>");
    }
    Ok(layout(data, &name, &head, &body).into_response())
}

pub fn article_page(
    data: &Data,
    a: &article::Model,
    author: &actor::Model,
    community: Option<&actor::Model>,
) -> Html<String> {
    let licence = a
        .licence
        .as_deref()
        .and_then(crate::content::licences::find);
    let licence_html = match licence {
        Some(l) => match l.url {
            Some(u) => format!(
                "<a rel=\"license\" href=\"{}\">{}</a>",
                attr(u),
                text(l.name)
            ),
            None => text(l.name).to_string(),
        },
        None => String::new(),
    };
    let head = format!(
        "<link rel=\"alternate\" type=\"application/activity+json\" href=\"{id}\">\n\
<link rel=\"canonical\" href=\"{url}\">\n\
<meta property=\"og:type\" content=\"article\">\n\
<meta property=\"og:title\" content=\"{title}\">\n\
<meta property=\"og:description\" content=\"{summary}\">\n\
<meta property=\"og:url\" content=\"{url}\">\n\
<meta property=\"og:site_name\" content=\"{site}\">\n\
<meta property=\"article:published_time\" content=\"{published}\">\n\
<meta name=\"fediverse:creator\" content=\"{creator}\">",
        id = attr(&a.ap_id),
        url = attr(a.url.as_deref().unwrap_or(&a.ap_id)),
        title = attr(&a.title),
        summary = attr(&a.summary),
        site = attr(
            community
                .and_then(|c| c.display_name.as_deref())
                .unwrap_or(&data.settings.server.domain)
        ),
        published = a.published.to_rfc3339(),
        creator = attr(&handle(data, author)),
    );
    let lang = a
        .language
        .as_deref()
        .map(|l| format!(" lang=\"{}\"", attr(l)))
        .unwrap_or_default();
    let body = format!(
        "<article{lang}>\n<h1>{title}</h1>\n<p>By <a href=\"{author_url}\">{author}</a> · <time datetime=\"{date}\">{day}</time>{licence}</p>\n{content}\n</article>",
        title = text(&a.title),
        author_url = attr(&author.ap_id),
        author = text(author.display_name.as_deref().unwrap_or(&author.username)),
        date = a.published.to_rfc3339(),
        day = a.published.format("%Y-%m-%d"),
        licence = if licence_html.is_empty() {
            String::new()
        } else {
            format!(" · {licence_html}")
        },
        content = a.content_html,
    );
    layout(data, &a.title, &head, &body)
}

pub async fn source(data: Data) -> Html<String> {
    let body = format!(
        "<h1>Source code</h1>\n<p>This server runs peerpress {}, free software under the GNU Affero General Public License, version 3 or later. \
The operator publishes the source of the running version; set <code>server.source_url</code> to link to it from every page.</p>",
        env!("CARGO_PKG_VERSION")
    );
    layout(&data, "Source code", "", &body)
}

pub async fn icon() -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("image/png")),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            ),
        ],
        ICON,
    )
        .into_response()
}
