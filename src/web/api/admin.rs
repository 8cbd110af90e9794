//! `/api/v1/admin/…`: what instance admins see and do.

use super::*;
use crate::error::{AppError, AppResult};
use crate::federation::Data;
use axum::Json;
use axum::body::Bytes;
use axum::http::HeaderMap;
use serde_json::{Value, json};

pub(super) async fn deliveries_status(data: Data, Admin(_admin): Admin) -> AppResult<Json<Value>> {
    let s = crate::delivery::status::status(&data).await?;
    Ok(Json(serde_json::to_value(s).map_err(AppError::internal)?))
}

pub(super) async fn deliveries_retry(
    data: Data,
    headers: HeaderMap,
    Admin(_admin): Admin,
    body: Bytes,
) -> AppResult<Json<Value>> {
    let v = json_body(&headers, &body)?;
    let host = match v.get("host") {
        Some(Value::String(h)) if !h.trim().is_empty() => h.trim().to_string(),
        _ => {
            return Err(AppError::unprocessable(
                "host",
                "required: the host (and port) to retry, e.g. mastodon.example",
            ));
        }
    };
    let n = crate::delivery::health::retry_now(&data, &host).await?;
    Ok(Json(json!({"host": host, "due_now": n})))
}
