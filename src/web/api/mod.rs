//! The JSON API under `/api/v1`, authenticated with `Authorization: Bearer`
//! (the [`Auth`] extractor). One file per resource; the routes, the
//! extractors and the small helpers they share are here.

mod admin;
mod articles;
mod comments;
mod communities;
mod doc;
mod governance;
mod input;
mod media;

use admin::*;
pub use articles::article_json;
use articles::*;
use comments::*;
use communities::*;
use governance::*;
pub use media::media_json;
use media::*;

use crate::error::{AppError, AppResult};
use crate::federation::Data;
use axum::Json;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderMap, header};
use axum::routing::{get, post};
use doc::{ErrorOut, InvalidOut};
use entity::actor;
pub use input::{Body, Input, Problems, require};
use serde::Serialize;
use utoipa::ToSchema;

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
        .route(
            "/api/v1/articles/{uuid}/preview",
            post(new_preview).delete(delete_preview),
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
        .route(
            "/api/v1/communities/{name}/members",
            get(list_members).post(add_member),
        )
        .route(
            "/api/v1/communities/{name}/members/{user}",
            axum::routing::patch(patch_member).delete(remove_member),
        )
        .route(
            "/api/v1/communities/{name}/blocks",
            get(list_actor_blocks)
                .post(block_actor)
                .delete(unblock_actor),
        )
        .route("/api/v1/communities/{name}/reports", get(community_reports))
        .route("/api/v1/users/{name}", axum::routing::patch(patch_user))
        .route("/api/v1/reports", post(create_report))
        .route("/api/v1/admin/reports", get(instance_reports))
        .route("/api/v1/reports/{id}/resolve", post(resolve_report))
        .route("/api/v1/moderation", get(instance_log))
        .route(
            "/api/v1/admin/federation",
            get(get_federation).put(put_federation),
        )
        .route(
            "/api/v1/admin/federation/blocks",
            get(list_blocks).post(create_block),
        )
        .route(
            "/api/v1/admin/federation/blocks/{domain}",
            axum::routing::delete(delete_block),
        )
        .route(
            "/api/v1/admin/federation/blocks.csv",
            get(export_blocks).post(import_blocks),
        )
        .route(
            "/api/v1/admin/federation/allows",
            get(list_allows).post(create_allow).delete(delete_allow),
        )
        .route("/api/v1/admin/deliveries", get(deliveries_status))
        .route("/api/v1/admin/deliveries/retry", post(deliveries_retry))
        // Uploads are bounded by `media.max_bytes`, counted as they arrive.
        .route(
            "/api/v1/media",
            post(upload_media).layer(DefaultBodyLimit::disable()),
        )
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

/// An actor as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct ActorOut {
    /// Its ActivityPub id.
    id: String,
    /// `name@host`.
    handle: String,
    name: Option<String>,
    /// `Person`, `Group`, `Application`, `Service`…
    #[serde(rename = "type")]
    kind: String,
}

fn actor_view(a: &actor::Model) -> ActorOut {
    ActorOut {
        id: a.ap_id.clone(),
        handle: format!("{}@{}", a.username, a.host),
        name: a.display_name.clone(),
        kind: a.kind.clone(),
    }
}

/// A list: how many, and the items.
#[derive(Serialize, ToSchema)]
pub struct Page<T> {
    total: usize,
    items: Vec<T>,
}

impl<T> Page<T> {
    fn of(items: Vec<T>) -> Self {
        Page {
            total: items.len(),
            items,
        }
    }
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

/// `GET /api/v1/openapi.json`: the OpenAPI description of this API,
/// generated from the handlers and DTOs (see `doc`).
async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(doc::document())
}
