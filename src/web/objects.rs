//! Objects at their ids: articles (JSON or page) and our activities.

use super::{activity_json, pages, wants_activity_json};
use crate::error::{AppError, AppResult};
use crate::federation::Data;
use crate::federation::outbound::article_doc;
use crate::federation::protocol::{WithContext, object_context};
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use entity::{activity, actor, article};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

pub async fn article(
    data: Data,
    headers: HeaderMap,
    Path(uuid): Path<String>,
) -> AppResult<Response> {
    let a = article::Entity::find()
        .filter(article::Column::Uuid.eq(uuid.as_str()))
        .filter(article::Column::Local.eq(true))
        .one(&data.db)
        .await?
        .filter(|a| !a.draft)
        .ok_or_else(|| AppError::NotFound("no such article".into()))?;
    if a.deleted_at.is_some() {
        let body = json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": a.ap_id,
            "type": "Tombstone",
            "formerType": "Article",
            "deleted": a.deleted_at,
        });
        let mut res = activity_json(&body);
        *res.status_mut() = StatusCode::GONE;
        return Ok(res);
    }
    let author = actor::Entity::find_by_id(a.author_id)
        .one(&data.db)
        .await?
        .ok_or_else(|| AppError::Internal(format!("article {} has no author", a.id)))?;
    let community = match a.community_id {
        Some(id) => actor::Entity::find_by_id(id).one(&data.db).await?,
        None => None,
    };
    if wants_activity_json(&headers) {
        let doc = article_doc(&data.base_url(), &a, &author, community.as_ref());
        Ok(activity_json(&WithContext {
            context: object_context(),
            inner: doc,
        }))
    } else {
        Ok(pages::article_page(&data, &a, &author, community.as_ref()).into_response())
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
