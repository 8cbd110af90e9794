//! `/api/v1/communities/{name}/articles`, `/announcements` and
//! `/api/v1/articles/{uuid}`: publishing, reading, editing, deleting.

use super::*;
use crate::domain::actors::{LocalKind, get_local};
use crate::domain::articles::{ArticleInput, publish};
use crate::error::{AppError, AppResult};
use crate::federation::Data;
use axum::Json;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// The API's view of an article.
pub fn article_json(v: &crate::domain::articles::ArticleView) -> Value {
    let a = &v.article;
    json!({
        "id": a.ap_id,
        "uuid": a.uuid,
        "type": if a.kind == "note" { "announcement" } else { "article" },
        "url": a.url,
        "title": a.title,
        "summary": a.summary,
        "body": a.source_md,
        "language": a.language,
        "licence": a.licence,
        "tags": v.tags,
        "draft": a.draft,
        "published": a.published,
        "updated": a.updated,
        "community": v.community.as_ref().map(|c| c.ap_id.clone()),
        "authors": v.authors.iter().map(|p| p.ap_id.clone()).collect::<Vec<_>>(),
    })
}

pub(super) async fn create_article(
    data: Data,
    Path(name): Path<String>,
    headers: HeaderMap,
    Auth(person): Auth,
    body: Bytes,
) -> AppResult<Response> {
    let community = get_local(&data.db, LocalKind::Community, &name).await?;
    let input = ArticleInput::from_json(&json_body(&headers, &body)?)?;
    let view = publish(&data, &community, &person, input).await?;
    Ok((StatusCode::CREATED, Json(article_json(&view))).into_response())
}

pub(super) async fn create_announcement(
    data: Data,
    Path(name): Path<String>,
    headers: HeaderMap,
    Auth(person): Auth,
    body: Bytes,
) -> AppResult<Response> {
    let community = get_local(&data.db, LocalKind::Community, &name).await?;
    let v = json_body(&headers, &body)?;
    if let Some(extra) = v.as_object().and_then(|o| o.keys().find(|k| *k != "body")) {
        return Err(AppError::unprocessable(
            extra,
            "unknown field; announcements have only `body`",
        ));
    }
    let text = match v.get("body") {
        Some(Value::String(s)) => s.clone(),
        _ => {
            return Err(AppError::unprocessable(
                "body",
                "required: the announcement as Markdown",
            ));
        }
    };
    let view = crate::domain::articles::announce(&data, &community, &person, &text).await?;
    Ok((StatusCode::CREATED, Json(article_json(&view))).into_response())
}

pub(super) async fn get_article(
    data: Data,
    Path(uuid): Path<String>,
    headers: HeaderMap,
) -> AppResult<Json<Value>> {
    limit(&data, &headers)?;
    let a = crate::domain::articles::find_local(&data.db, &uuid).await?;
    if a.deleted_at.is_some() {
        return Err(AppError::Gone);
    }
    if a.draft {
        // Drafts are visible to their authors only.
        let person = bearer(&data, &headers).await?;
        let view = crate::domain::articles::load_view(&data.db, a).await?;
        if !view.authors.iter().any(|p| p.id == person.id) {
            return Err(AppError::NotFound(format!("no article {uuid} here")));
        }
        return Ok(Json(article_json(&view)));
    }
    Ok(Json(article_json(
        &crate::domain::articles::load_view(&data.db, a).await?,
    )))
}

pub(super) async fn patch_article(
    data: Data,
    Path(uuid): Path<String>,
    headers: HeaderMap,
    Auth(person): Auth,
    body: Bytes,
) -> AppResult<Json<Value>> {
    let input = ArticleInput::patch_from_json(&json_body(&headers, &body)?)?;
    let view = crate::domain::articles::edit(&data, &person, &uuid, input).await?;
    Ok(Json(article_json(&view)))
}

pub(super) async fn delete_article(
    data: Data,
    Path(uuid): Path<String>,
    Auth(person): Auth,
) -> AppResult<StatusCode> {
    crate::domain::articles::delete(&data, &person, &uuid).await?;
    Ok(StatusCode::NO_CONTENT)
}
