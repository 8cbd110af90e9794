//! Objects at their ids: articles and announcements (JSON for ActivityPub
//! clients, a page for browsers), their collections, pretty article pages,
//! tag pages, and our activities.

use super::viewer::Viewer;
use super::{activity_json, feeds, pages, wants_activity_json};
use crate::domain::actors::{LocalKind, get_local};
use crate::domain::articles::{ArticleView, Listing, by_slug, find_local, listing, load_view};
use crate::error::{AppError, AppResult};
use crate::federation::Data;
use crate::wire::collection::{OrderedCollection, OrderedCollectionPage};
use crate::wire::outbound::object_doc;
use crate::wire::{WithContext, object_context};
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use entity::{activity, article};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;
use serde_json::json;

/// A published (not draft) local object of `kind`, or 404; deleted ones
/// come back too, for the caller to answer 410.
async fn published(data: &Data, uuid: &str, kind: &str) -> AppResult<article::Model> {
    match find_local(&data.db, uuid).await {
        Ok(a) if !a.draft && a.kind == kind => Ok(a),
        _ => Err(AppError::NotFound("no such object".into())),
    }
}

fn tombstone(a: &article::Model) -> Response {
    let former = if a.kind == "note" { "Note" } else { "Article" };
    gone(&a.ap_id, former, a.deleted_at)
}

/// `410 Gone` with the `Tombstone` of a deleted object.
fn gone(id: &str, former_type: &str, deleted: Option<chrono::DateTime<chrono::Utc>>) -> Response {
    let body = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": id,
        "type": "Tombstone",
        "formerType": former_type,
        "deleted": deleted,
    });
    let mut res = activity_json(&body);
    *res.status_mut() = StatusCode::GONE;
    res
}

/// `?comments=N`: the page of comments an article page shows.
#[derive(Debug, Deserialize)]
pub struct CommentsQuery {
    comments: Option<u64>,
}

async fn show(
    data: &Data,
    viewer: &Viewer,
    headers: &HeaderMap,
    a: article::Model,
    comments: Option<u64>,
) -> AppResult<Response> {
    let json = wants_activity_json(headers);
    if a.deleted_at.is_some() {
        return if json {
            Ok(tombstone(&a))
        } else {
            pages::gone_page(data, viewer)
        };
    }
    let view = load_view(&data.db, a).await?;
    if json {
        let doc = object_doc(&data.base_url(), view.parts());
        Ok(activity_json(&WithContext {
            context: object_context(),
            inner: doc,
        }))
    } else {
        pages::article_page(data, viewer, &view, comments).await
    }
}

pub async fn article(
    data: Data,
    viewer: Viewer,
    headers: HeaderMap,
    Path(uuid): Path<String>,
    Query(q): Query<CommentsQuery>,
) -> AppResult<Response> {
    let a = published(&data, &uuid, "article").await?;
    show(&data, &viewer, &headers, a, q.comments).await
}

pub async fn note(
    data: Data,
    viewer: Viewer,
    headers: HeaderMap,
    Path(uuid): Path<String>,
    Query(q): Query<CommentsQuery>,
) -> AppResult<Response> {
    let a = published(&data, &uuid, "note").await?;
    show(&data, &viewer, &headers, a, q.comments).await
}

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    page: Option<bool>,
    /// Keyset paging: items after this position.
    after: Option<i64>,
}

/// Items per page of `replies`, `likes` and `shares`.
const COLLECTION_PAGE: u64 = 50;

/// `replies`, `likes` and `shares` of an article or announcement. Empty
/// until comments, likes and shares are received.
pub async fn collection(
    data: Data,
    Path((kind, uuid, name)): Path<(String, String, String)>,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    let kind = match kind.as_str() {
        "articles" => "article",
        "notes" => "note",
        _ => return Err(AppError::NotFound("no such collection".into())),
    };
    if !["replies", "likes", "shares"].contains(&name.as_str()) {
        return Err(AppError::NotFound("no such collection".into()));
    }
    let a = published(&data, &uuid, kind).await?;
    if a.deleted_at.is_some() {
        return Ok(tombstone(&a));
    }
    let id = format!("{}/{name}", a.ap_id);
    // Replies: every accepted comment, whatever its origin (Mastodon 4.5
    // walks `first` → `next` to load the thread). Likes and shares: the
    // `Like` and `Announce` activities received. Paged by position.
    use crate::domain::reactions;
    let reaction_kind = if name == "likes" {
        reactions::LIKE
    } else {
        reactions::ANNOUNCE
    };
    if q.page == Some(true) {
        let after = q.after.unwrap_or(0);
        let mut rows: Vec<(i64, String)> = if name == "replies" {
            crate::domain::comments::page(&data.db, a.id, after, COLLECTION_PAGE + 1).await?
        } else {
            reactions::page(
                &data.db,
                reaction_kind,
                &a.ap_id,
                after,
                COLLECTION_PAGE + 1,
            )
            .await?
        };
        let next = if rows.len() as u64 > COLLECTION_PAGE {
            rows.truncate(COLLECTION_PAGE as usize);
            rows.last()
                .map(|(pos, _)| format!("{id}?page=true&after={pos}"))
        } else {
            None
        };
        let page_id = match q.after {
            Some(after) => format!("{id}?page=true&after={after}"),
            None => format!("{id}?page=true"),
        };
        return Ok(activity_json(&WithContext {
            context: object_context(),
            inner: OrderedCollectionPage {
                id: page_id,
                kind: "OrderedCollectionPage",
                part_of: id,
                next,
                ordered_items: rows.into_iter().map(|(_, ap_id)| json!(ap_id)).collect(),
            },
        }));
    }
    let total = if name == "replies" {
        crate::domain::comments::count(&data.db, a.id).await?
    } else {
        reactions::count(&data.db, reaction_kind, &a.ap_id).await?
    };
    Ok(activity_json(&WithContext {
        context: object_context(),
        inner: OrderedCollection {
            id: id.clone(),
            kind: "OrderedCollection",
            total_items: total,
            first: Some(format!("{id}?page=true")),
        },
    }))
}

/// `/c/{community}/{slug}`: the article's page; old slugs redirect (301).
pub async fn pretty(
    data: Data,
    viewer: Viewer,
    headers: HeaderMap,
    Path((name, slug)): Path<(String, String)>,
    Query(q): Query<CommentsQuery>,
) -> AppResult<Response> {
    let community = get_local(&data.db, LocalKind::Community, &name).await?;
    let a = by_slug(&data.db, &community, &slug).await?;
    if a.draft {
        return Err(AppError::NotFound("no such article".into()));
    }
    if wants_activity_json(&headers) {
        // The object lives at its id.
        return Ok(Redirect::to(&a.ap_id).into_response());
    }
    if a.slug.as_deref() != Some(slug.as_str()) && a.deleted_at.is_none() {
        let to = a.url.clone().unwrap_or_else(|| a.ap_id.clone());
        return Ok((
            StatusCode::MOVED_PERMANENTLY,
            [(header::LOCATION, super::http::location(&to))],
        )
            .into_response());
    }
    show(&data, &viewer, &headers, a, q.comments).await
}

/// `/preview/{token}`: a draft, for whoever has its secret link; never
/// cached by others nor indexed. Once published, the link leads to its page.
pub async fn preview(data: Data, viewer: Viewer, Path(token): Path<String>) -> AppResult<Response> {
    let a = crate::domain::articles::by_preview_token(&data.db, &token).await?;
    if a.deleted_at.is_some() {
        return pages::gone_page(&data, &viewer);
    }
    if !a.draft {
        let to = a.url.clone().unwrap_or_else(|| a.ap_id.clone());
        return Ok((
            StatusCode::SEE_OTHER,
            [(header::LOCATION, super::http::location(&to))],
        )
            .into_response());
    }
    let view = load_view(&data.db, a).await?;
    let mut res = pages::article_page(&data, &viewer, &view, None).await?;
    let h = res.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("private, no-store"),
    );
    h.insert(
        "x-robots-tag",
        axum::http::HeaderValue::from_static("noindex, nofollow"),
    );
    Ok(res)
}

/// `/comments/{uuid}`: one of our comments, as a `Note` for ActivityPub
/// clients; browsers go to it on the article's page.
pub async fn comment(
    data: Data,
    viewer: Viewer,
    headers: HeaderMap,
    Path(uuid): Path<String>,
) -> AppResult<Response> {
    let c = crate::domain::comments::find_local(&data.db, &data.url(&format!("/comments/{uuid}")))
        .await?;
    let a = article::Entity::find_by_id(c.article_id)
        .one(&data.db)
        .await?
        .ok_or_else(|| AppError::NotFound("no such comment".into()))?;
    if c.state != entity::comment::CommentState::Accepted || a.deleted_at.is_some() {
        if !wants_activity_json(&headers) {
            if c.state == entity::comment::CommentState::Removed {
                let community = match a.community_id {
                    Some(id) => entity::actor::Entity::find_by_id(id).one(&data.db).await?,
                    None => None,
                };
                return pages::removed_page(&data, &viewer, community.as_ref());
            }
            return pages::gone_page(&data, &viewer);
        }
        return Ok(gone(&c.ap_id, "Note", c.updated));
    }
    if !wants_activity_json(&headers) {
        let page = a.url.clone().unwrap_or_else(|| a.ap_id.clone());
        return Ok((
            StatusCode::SEE_OTHER,
            [(
                header::LOCATION,
                super::http::location(&format!("{page}#comment-{}", c.id)),
            )],
        )
            .into_response());
    }
    let author = entity::actor::Entity::find_by_id(c.author_id)
        .one(&data.db)
        .await?
        .ok_or_else(|| AppError::NotFound("no such comment".into()))?;
    let view = load_view(&data.db, a).await?;
    let replied_to = crate::domain::comments::replied_to(&data.db, &c, &view).await?;
    let doc = crate::wire::outbound::comment_doc(&c, &author, view.parts(), replied_to.as_ref());
    Ok(activity_json(&WithContext {
        context: object_context(),
        inner: doc,
    }))
}

pub async fn tag(data: Data, viewer: Viewer, Path(tag): Path<String>) -> AppResult<Response> {
    let (tag, format) = feeds::split_suffix(&tag);
    let tag = tag.to_lowercase();
    match format {
        None => pages::tag_page(&data, &viewer, &tag).await,
        Some(f) => {
            let items: Vec<ArticleView> =
                listing(&data.db, Listing::Tag(&tag), "article", 50).await?;
            let url = data.url(&format!("/tags/{tag}"));
            let meta = feeds::FeedMeta {
                title: format!("#{tag} on {}", data.settings.server.domain),
                page_url: url.clone(),
                feed_base: url,
                description: format!("Articles tagged #{tag}"),
                language: None,
                licence: None,
            };
            feeds::render(f, &meta, &items)
        }
    }
}

pub async fn activity(data: Data, Path(uuid): Path<String>) -> AppResult<Response> {
    let id = data.url(&format!("/activities/{uuid}"));
    let a = activity::Entity::find()
        .filter(activity::Column::ApId.eq(id.as_str()))
        .filter(activity::Column::Local.eq(true))
        .one(&data.db)
        .await?
        .ok_or_else(|| AppError::NotFound("no such activity".into()))?;
    let v: serde_json::Value = serde_json::from_str(&a.json).map_err(AppError::internal)?;
    Ok(activity_json(&v))
}
