//! `/media/{name}`: stored images, served from the media store with their
//! content type and, since a name is the hash of its bytes and never
//! changes, cached for a year (`immutable`).

use crate::error::{AppError, AppResult};
use crate::federation::Data;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

pub async fn file(data: Data, Path(name): Path<String>, headers: HeaderMap) -> AppResult<Response> {
    let content_type = name
        .split_once('.')
        .and_then(|(_, ext)| crate::media::content_type(ext))
        .filter(|_| crate::media::valid_name(&name))
        .ok_or_else(|| AppError::NotFound("no such file".into()))?;
    let etag = format!("\"{}\"", name.split('.').next().unwrap_or_default());
    let etag = HeaderValue::from_str(&etag).map_err(AppError::internal)?;
    let cached = [
        (header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE)),
        (header::ETAG, etag.clone()),
    ];
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes())
    {
        return Ok((StatusCode::NOT_MODIFIED, cached).into_response());
    }
    let bytes = data
        .media
        .get(&name)
        .await
        .map_err(AppError::caused)?
        .ok_or_else(|| AppError::NotFound("no such file".into()))?;
    Ok((
        cached,
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
        bytes,
    )
        .into_response())
}
