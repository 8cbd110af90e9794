//! `/api/v1/communities/{name}`: settings, follows, followers and
//! following, the network feed and re-shares.

use super::*;
use crate::domain::actors::{LocalKind, get_local};
use crate::error::{AppError, AppResult};
use crate::federation::Data;
use axum::Json;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use entity::actor;
use serde_json::{Value, json};

pub(super) async fn follow(
    data: Data,
    Path(name): Path<String>,
    headers: HeaderMap,
    Auth(person): Auth,
    body: Bytes,
) -> AppResult<Response> {
    let community = get_local(&data.db, LocalKind::Community, &name).await?;
    crate::domain::actors::require_role(
        &data.db,
        &community,
        &person,
        &[
            crate::domain::actors::Role::Steward,
            crate::domain::actors::Role::Editor,
        ],
        "follow for it",
    )
    .await?;
    let v = json_body(&headers, &body)?;
    let target = match v.get("target") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        _ => {
            return Err(AppError::unprocessable(
                "target",
                "required: `name@host` or an actor URL",
            ));
        }
    };
    let remote = crate::federation::resolve_actor(&data, &target).await?;
    if remote.model.local {
        return Err(AppError::unprocessable(
            "target",
            "that actor is on this instance",
        ));
    }
    let row = crate::domain::follows::start_following(&data, &community, &remote.model).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "target": actor_view(&remote.model),
            "state": if row.accepted { "accepted" } else { "pending" },
        })),
    )
        .into_response())
}

pub(super) async fn followers(
    data: Data,
    Path(name): Path<String>,
    Auth(_person): Auth,
) -> AppResult<Json<Value>> {
    let community = get_local(&data.db, LocalKind::Community, &name).await?;
    let rows = crate::domain::follows::followers(&data.db, &community).await?;
    Ok(Json(list(rows)))
}

pub(super) async fn following(
    data: Data,
    Path(name): Path<String>,
    Auth(_person): Auth,
) -> AppResult<Json<Value>> {
    let community = get_local(&data.db, LocalKind::Community, &name).await?;
    let rows = crate::domain::follows::following(&data.db, &community).await?;
    Ok(Json(list(rows)))
}

pub(super) fn list(rows: Vec<(actor::Model, bool)>) -> Value {
    let items: Vec<Value> = rows
        .iter()
        .map(|(a, accepted)| {
            let mut v = actor_view(a);
            if let Some(o) = v.as_object_mut() {
                o.insert(
                    "state".into(),
                    json!(if *accepted { "accepted" } else { "pending" }),
                );
            }
            v
        })
        .collect();
    json!({"total": items.len(), "items": items})
}

pub(super) async fn network(
    data: Data,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> AppResult<Json<Value>> {
    limit(&data, &headers)?;
    let community = get_local(&data.db, LocalKind::Community, &name).await?;
    let rows = crate::domain::remote::network(&data.db, &community, 50).await?;
    let items: Vec<Value> = rows
        .iter()
        .map(|v| {
            let a = &v.article;
            json!({
                "id": a.ap_id,
                "title": a.title,
                "summary": a.summary,
                "url": a.url.as_ref().unwrap_or(&a.ap_id),
                "licence": a.licence,
                "language": a.language,
                "published": a.published,
                "updated": a.updated,
                "author": v.authors.first().map(actor_view),
                "authors": v.authors.iter().map(actor_view).collect::<Vec<_>>(),
                "community": v.community.as_ref().map(actor_view),
                "kind": a.kind,
                "start_time": a.start_time,
                "end_time": a.end_time,
                "location": a.location,
            })
        })
        .collect();
    Ok(Json(json!({"total": items.len(), "items": items})))
}

pub(super) fn community_json(c: &actor::Model) -> Value {
    json!({
        "id": c.ap_id,
        "name": c.username,
        "title": c.display_name,
        "summary": c.summary,
        "licence": c.licence.as_deref().unwrap_or(crate::content::licences::DEFAULT),
        "charter": c.charter,
        "comment_policy": c.comment_policy.as_deref().unwrap_or("open"),
    })
}

/// `GET /api/v1/communities/{name}`: public settings of a community.
pub(super) async fn community_settings(
    data: Data,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> AppResult<Json<Value>> {
    limit(&data, &headers)?;
    let community = get_local(&data.db, LocalKind::Community, &name).await?;
    Ok(Json(community_json(&community)))
}

/// `PATCH /api/v1/communities/{name} {comment_policy}` (stewards).
pub(super) async fn patch_community(
    data: Data,
    Path(name): Path<String>,
    headers: HeaderMap,
    Auth(person): Auth,
    body: Bytes,
) -> AppResult<Json<Value>> {
    let v = json_body(&headers, &body)?;
    let community = get_local(&data.db, LocalKind::Community, &name).await?;
    if let Some(unknown) = v
        .as_object()
        .and_then(|o| o.keys().find(|k| k.as_str() != "comment_policy"))
    {
        return Err(AppError::unprocessable(
            unknown,
            "not a setting that can be changed here; settable: comment_policy",
        ));
    }
    let Some(policy) = opt_str(&v, "comment_policy")? else {
        return Err(AppError::unprocessable(
            "comment_policy",
            format!(
                "required: one of {}",
                crate::domain::comments::POLICIES.join(", ")
            ),
        ));
    };
    let saved = crate::domain::comments::set_policy(&data, &community, &person, policy).await?;
    Ok(Json(community_json(&saved)))
}

/// `POST /api/v1/communities/{name}/shares {object}`: the community
/// re-shares a remote article (editors and stewards).
pub(super) async fn share(
    data: Data,
    Path(name): Path<String>,
    headers: HeaderMap,
    Auth(person): Auth,
    body: Bytes,
) -> AppResult<Response> {
    let v = json_body(&headers, &body)?;
    let community = get_local(&data.db, LocalKind::Community, &name).await?;
    let object = opt_str(&v, "object")?
        .filter(|o| !o.trim().is_empty())
        .ok_or_else(|| AppError::unprocessable("object", "required: the article's id (URL)"))?;
    crate::domain::shares::may_share(&data.db, &community, &person).await?;
    let url = crate::domain::shares::shareable(&data, object)?;
    // Always its current version, from its origin.
    let article = crate::federation::import::current(&data, &url).await?;
    let view = crate::domain::shares::share(&data, &community, article).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "object": view.article.ap_id,
            "title": view.article.title,
            "url": view.article.url,
            "licence": view.article.licence,
            "authors": view.authors.iter().map(actor_view).collect::<Vec<_>>(),
            "community": view.community.as_ref().map(actor_view),
        })),
    )
        .into_response())
}
