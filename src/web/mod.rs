//! HTTP: thin axum handlers that parse, call the domain, and render a view
//! (ActivityStreams JSON, HTML or API JSON).

pub mod actors;
pub mod api;
pub mod objects;
pub mod pages;
pub mod well_known;

use crate::federation::inbox;
use crate::federation::protocol::AS_CONTENT_TYPE;
use activitypub_federation::config::{FederationConfig, FederationMiddleware};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

/// Does the client ask for ActivityStreams rather than a page?
pub fn wants_activity_json(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| {
            let v = v.to_ascii_lowercase();
            v.contains("application/activity+json")
                || (v.contains("application/ld+json") && v.contains("activitystreams"))
                || v.contains("application/ld+json")
        })
}

/// A JSON body served as `application/activity+json`.
pub fn activity_json(value: &impl serde::Serialize) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(AS_CONTENT_TYPE),
                ),
                (header::VARY, HeaderValue::from_static("Accept")),
            ],
            body,
        )
            .into_response(),
        Err(e) => crate::error::AppError::internal(e).into_response(),
    }
}

pub fn router(config: FederationConfig<crate::context::AppContext>) -> Router {
    let inboxes = Router::new()
        .route("/inbox", post(inbox::shared_inbox))
        .route("/actor/inbox", post(inbox::instance_inbox))
        .route("/c/{name}/inbox", post(inbox::community_inbox))
        .route("/u/{name}/inbox", post(inbox::person_inbox))
        .layer(DefaultBodyLimit::max(inbox::MAX_BODY));
    Router::new()
        .route("/", get(pages::home))
        .route("/source", get(pages::source))
        .route("/static/icon.png", get(pages::icon))
        .route("/actor", get(actors::instance))
        .route("/actor/outbox", get(actors::instance_outbox))
        .route("/actor/followers", get(actors::instance_followers))
        .route("/actor/following", get(actors::instance_following))
        .route("/c/{name}", get(actors::community))
        .route("/u/{name}", get(actors::person))
        .route("/c/{name}/outbox", get(actors::community_outbox))
        .route("/u/{name}/outbox", get(actors::person_outbox))
        .route("/c/{name}/followers", get(actors::community_followers))
        .route("/u/{name}/followers", get(actors::person_followers))
        .route("/c/{name}/following", get(actors::community_following))
        .route("/u/{name}/following", get(actors::person_following))
        .route("/articles/{uuid}", get(objects::article))
        .route("/activities/{uuid}", get(objects::activity))
        .merge(well_known::routes())
        .merge(api::routes())
        .merge(inboxes)
        .fallback(|| async { crate::error::AppError::NotFound("no such page".into()) })
        .layer(FederationMiddleware::new(config))
}
