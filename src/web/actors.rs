//! Actor documents (JSON for ActivityPub clients, a page for browsers) and
//! their collections: outbox (keyset-paged), followers, following.

use super::viewer::Viewer;
use super::{activity_json, feeds, pages, wants_activity_json};
use crate::domain::actors::{LocalKind, get_local, instance_actor};
use crate::domain::articles::{Listing, listing};
use crate::error::AppResult;
use crate::federation::Data;
use crate::federation::objects::actor::ApubActor;
use crate::wire::collection::{OrderedCollection, OrderedCollectionPage};
use crate::wire::{WithContext, actor_context, object_context};
use axum::extract::{Path, Query};
use axum::http::HeaderMap;
use axum::response::Response;
use entity::{activity, actor};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Deserialize;

const PAGE_SIZE: u64 = 20;
/// What an actor's outbox lists.
const OUTBOX_KINDS: [activity::ActivityKind; 4] = [
    activity::ActivityKind::Create,
    activity::ActivityKind::Announce,
    activity::ActivityKind::Update,
    activity::ActivityKind::Delete,
];

async fn show(
    data: &Data,
    viewer: &Viewer,
    headers: &HeaderMap,
    actor: actor::Model,
) -> AppResult<Response> {
    if wants_activity_json(headers) {
        let doc = ApubActor::new(actor)?.to_doc(data.app_data());
        Ok(activity_json(&WithContext {
            context: actor_context(),
            inner: doc,
        }))
    } else {
        pages::actor_page(data, viewer, &actor).await
    }
}

pub async fn instance(data: Data, viewer: Viewer, headers: HeaderMap) -> AppResult<Response> {
    let a = instance_actor(&data).await?;
    show(&data, &viewer, &headers, a).await
}

pub async fn community(
    data: Data,
    viewer: Viewer,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> AppResult<Response> {
    actor_or_feed(&data, &viewer, &headers, LocalKind::Community, &name).await
}

pub async fn person(
    data: Data,
    viewer: Viewer,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> AppResult<Response> {
    actor_or_feed(&data, &viewer, &headers, LocalKind::Person, &name).await
}

/// The most entries of a feed.
const FEED_ITEMS: u64 = 50;

/// `/c/commons` is the actor; `/c/commons.atom`, `.rss` and `.json` its
/// feeds (FEP-a5c5).
async fn actor_or_feed(
    data: &Data,
    viewer: &Viewer,
    headers: &HeaderMap,
    kind: LocalKind,
    name: &str,
) -> AppResult<Response> {
    let (stem, format) = feeds::split_suffix(name);
    let a = get_local(&data.db, kind, stem).await?;
    let Some(format) = format else {
        return show(data, viewer, headers, a).await;
    };
    let filter = match kind {
        LocalKind::Community => Listing::Community(&a),
        _ => Listing::Author(&a),
    };
    let mut items = listing(&data.db, filter, "article", FEED_ITEMS).await?;
    if kind == LocalKind::Community {
        // A community's announcements are news too: in its feeds, by date.
        items.extend(listing(&data.db, filter, "note", FEED_ITEMS).await?);
        items.sort_by_key(|v| std::cmp::Reverse(v.article.published));
        items.truncate(FEED_ITEMS as usize);
    }
    let title = super::views::shown_name(&a);
    let meta = feeds::FeedMeta {
        description: a
            .summary
            .clone()
            .unwrap_or_else(|| format!("Articles of {title}")),
        title,
        page_url: a.ap_id.clone(),
        feed_base: a.ap_id.clone(),
        language: None,
        licence: a.licence.clone(),
    };
    feeds::render(format, &meta, &items)
}

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    page: Option<bool>,
    /// Keyset cursor: items with a smaller internal id than this.
    max_id: Option<i64>,
}

async fn outbox(data: &Data, a: actor::Model, q: PageQuery) -> AppResult<Response> {
    let id = a
        .outbox_url
        .clone()
        .unwrap_or_else(|| format!("{}/outbox", a.ap_id));
    let base = activity::Entity::find()
        .filter(activity::Column::ActorApId.eq(a.ap_id.as_str()))
        .filter(activity::Column::Local.eq(true))
        .filter(activity::Column::Kind.is_in(OUTBOX_KINDS));
    if q.page != Some(true) {
        let total = base.count(&data.db).await?;
        return Ok(activity_json(&WithContext {
            context: object_context(),
            inner: OrderedCollection {
                id: id.clone(),
                kind: "OrderedCollection",
                total_items: total,
                first: Some(format!("{id}?page=true")),
            },
        }));
    }
    let mut query = base
        .order_by_desc(activity::Column::Id)
        .limit(PAGE_SIZE + 1);
    if let Some(max) = q.max_id {
        query = query.filter(activity::Column::Id.lt(max));
    }
    let mut rows = query.all(&data.db).await?;
    let more = rows.len() as u64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    let next = match (more, rows.last()) {
        (true, Some(last)) => Some(format!("{id}?page=true&max_id={}", last.id)),
        _ => None,
    };
    let items = rows
        .iter()
        .filter_map(|r| serde_json::from_str::<serde_json::Value>(&r.json).ok())
        .map(|mut v| {
            if let Some(o) = v.as_object_mut() {
                o.remove("@context");
            }
            v
        })
        .collect();
    let page_id = match q.max_id {
        Some(m) => format!("{id}?page=true&max_id={m}"),
        None => format!("{id}?page=true"),
    };
    Ok(activity_json(&WithContext {
        context: object_context(),
        inner: OrderedCollectionPage {
            id: page_id,
            kind: "OrderedCollectionPage",
            part_of: id,
            next,
            ordered_items: items,
        },
    }))
}

pub async fn instance_outbox(data: Data, Query(q): Query<PageQuery>) -> AppResult<Response> {
    let a = instance_actor(&data).await?;
    outbox(&data, a, q).await
}

pub async fn community_outbox(
    data: Data,
    Path(name): Path<String>,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    let a = get_local(&data.db, LocalKind::Community, &name).await?;
    outbox(&data, a, q).await
}

pub async fn person_outbox(
    data: Data,
    Path(name): Path<String>,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    let a = get_local(&data.db, LocalKind::Person, &name).await?;
    outbox(&data, a, q).await
}

/// Followers and following are counted, not listed: who follows whom is the
/// followers' business (Mastodon hides them likewise by default).
async fn counted(
    data: &Data,
    a: &actor::Model,
    suffix: &str,
    followers: bool,
) -> AppResult<Response> {
    let total = if followers {
        crate::domain::follows::follower_count(&data.db, a).await?
    } else {
        crate::domain::follows::following_count(&data.db, a).await?
    };
    Ok(activity_json(&WithContext {
        context: object_context(),
        inner: OrderedCollection {
            id: format!("{}/{suffix}", a.ap_id),
            kind: "OrderedCollection",
            total_items: total,
            first: None,
        },
    }))
}

pub async fn instance_followers(data: Data) -> AppResult<Response> {
    let a = instance_actor(&data).await?;
    counted(&data, &a, "followers", true).await
}
pub async fn instance_following(data: Data) -> AppResult<Response> {
    let a = instance_actor(&data).await?;
    counted(&data, &a, "following", false).await
}
pub async fn community_followers(data: Data, Path(name): Path<String>) -> AppResult<Response> {
    let a = get_local(&data.db, LocalKind::Community, &name).await?;
    counted(&data, &a, "followers", true).await
}
pub async fn community_following(data: Data, Path(name): Path<String>) -> AppResult<Response> {
    let a = get_local(&data.db, LocalKind::Community, &name).await?;
    counted(&data, &a, "following", false).await
}
pub async fn person_followers(data: Data, Path(name): Path<String>) -> AppResult<Response> {
    let a = get_local(&data.db, LocalKind::Person, &name).await?;
    counted(&data, &a, "followers", true).await
}
pub async fn person_following(data: Data, Path(name): Path<String>) -> AppResult<Response> {
    let a = get_local(&data.db, LocalKind::Person, &name).await?;
    counted(&data, &a, "following", false).await
}
