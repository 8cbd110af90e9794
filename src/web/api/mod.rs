//! The JSON API under `/api/v1`, authenticated with `Authorization: Bearer`
//! (the [`Auth`] extractor). One file per resource; the routes, the
//! extractors and the small helpers they share are here.

mod admin;
mod articles;
mod comments;
mod communities;

use admin::*;
pub use articles::article_json;
use articles::*;
use comments::*;
use communities::*;

use crate::error::{AppError, AppResult};
use crate::federation::Data;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use entity::actor;
use serde_json::{Value, json};

/// The largest API request body.
pub const MAX_BODY: usize = 1024 * 1024;

pub fn routes() -> Router {
    Router::new()
        .route("/api/v1/communities/{name}/articles", post(create_article))
        .route(
            "/api/v1/communities/{name}/announcements",
            post(create_announcement),
        )
        .route(
            "/api/v1/articles/{uuid}",
            get(get_article).patch(patch_article).delete(delete_article),
        )
        .route("/api/v1/communities/{name}/follows", post(follow))
        .route("/api/v1/communities/{name}/followers", get(followers))
        .route("/api/v1/communities/{name}/following", get(following))
        .route("/api/v1/communities/{name}/network", get(network))
        .route("/api/v1/openapi.json", get(openapi))
        .route(
            "/api/v1/articles/{uuid}/comments",
            get(article_comments).post(post_comment),
        )
        .route(
            "/api/v1/communities/{name}",
            get(community_settings).patch(patch_community),
        )
        .route(
            "/api/v1/communities/{name}/comments",
            get(community_comments),
        )
        .route(
            "/api/v1/communities/{name}/moderation",
            get(moderation_log).post(moderate),
        )
        .route("/api/v1/communities/{name}/shares", post(share))
        .route(
            "/api/v1/comments/{uuid}",
            axum::routing::delete(delete_comment),
        )
        .route("/api/v1/inbox", get(inbox))
        .route("/api/v1/admin/deliveries", get(deliveries_status))
        .route("/api/v1/admin/deliveries/retry", post(deliveries_retry))
        .layer(DefaultBodyLimit::max(MAX_BODY))
}

/// The local person behind the bearer token. Every API call comes through
/// here or [`limit`], which count it against the client's rate.
async fn bearer(data: &Data, headers: &HeaderMap) -> AppResult<actor::Model> {
    limit(data, headers)?;
    let value = headers
        .get(header::AUTHORIZATION)
        .ok_or_else(|| AppError::Unauthorized("missing `Authorization: Bearer <token>` header; create a token with `peerpress token create USER`".into()))?
        .to_str()
        .map_err(|_| AppError::Unauthorized("the Authorization header is not text".into()))?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            AppError::Unauthorized("the Authorization header must be `Bearer <token>`".into())
        })?;
    crate::domain::auth::authenticate(&data.db, token).await
}

/// Count an API request against its client address.
fn limit(data: &Data, headers: &HeaderMap) -> AppResult<()> {
    let client = super::client_addr(headers, &data.settings);
    data.limiter
        .check(
            &format!("api:{client}"),
            data.settings.limits.api_per_address_per_minute,
        )
        .map_err(|secs| crate::ratelimit::too_many(&client, secs))
}

/// A JSON object from a request body, or a 415/400 saying what is wrong.
fn json_body(headers: &HeaderMap, body: &[u8]) -> AppResult<Value> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .eq_ignore_ascii_case("application/json")
    {
        return Err(AppError::UnsupportedMediaType(
            "send the body as application/json".into(),
        ));
    }
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| AppError::BadRequest(format!("body is not valid JSON: {e}")))?;
    if !v.is_object() {
        return Err(AppError::BadRequest(
            "the body must be a JSON object".into(),
        ));
    }
    Ok(v)
}

fn actor_view(a: &actor::Model) -> Value {
    json!({
        "id": a.ap_id,
        "handle": format!("{}@{}", a.username, a.host),
        "name": a.display_name,
        "type": a.kind,
    })
}

/// The person an API request is made by (`Authorization: Bearer <token>`),
/// counted against the client's rate; a 401 saying what is missing
/// otherwise.
pub struct Auth(pub actor::Model);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Auth {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, AppError> {
        let data = Data::from_request_parts(parts, state)
            .await
            .map_err(|(_, why)| AppError::internal(why))?;
        bearer(&data, &parts.headers).await.map(Auth)
    }
}

/// An instance admin's request; 403 for anyone else.
pub struct Admin(pub actor::Model);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Admin {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, AppError> {
        let Auth(person) = Auth::from_request_parts(parts, state).await?;
        if !person.admin {
            return Err(AppError::Forbidden("instance admins only".into()));
        }
        Ok(Admin(person))
    }
}

/// The OpenAPI description of this API.
async fn openapi() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("application/json"),
        )],
        include_str!("../openapi.json"),
    )
        .into_response()
}

/// A string field of a request body, if present.
fn opt_str<'a>(v: &'a Value, field: &str) -> AppResult<Option<&'a str>> {
    match v.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(AppError::unprocessable(field, "must be a string")),
    }
}
