//! HTTP: thin axum handlers that parse, call the domain, and render a view
//! (ActivityStreams JSON, HTML or API JSON).

pub mod actors;
pub mod api;
pub mod cache;
pub mod feeds;
pub mod fetch_auth;
pub mod inbox;
pub mod objects;
pub mod pages;
pub mod views;
pub mod well_known;

use crate::wire::AS_CONTENT_TYPE;
use activitypub_federation::config::{FederationConfig, FederationMiddleware};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

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

pub fn router(
    config: FederationConfig<crate::context::AppContext>,
    pages: std::sync::Arc<crate::cache::ResponseCache>,
) -> Router {
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
        .route("/static/style.css", get(pages::style))
        .route("/static/app.js", get(pages::script))
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
        .route("/c/{name}/network", get(pages::network))
        .route("/c/{name}/moderation", get(pages::moderation))
        .route("/u/{name}/following", get(actors::person_following))
        .route("/articles/{uuid}", get(objects::article))
        .route("/notes/{uuid}", get(objects::note))
        .route("/comments/{uuid}", get(objects::comment))
        .route("/{kind}/{uuid}/{collection}", get(objects::collection))
        .route("/c/{name}/{slug}", get(objects::pretty))
        .route("/tags/{tag}", get(objects::tag))
        .route("/activities/{uuid}", get(objects::activity))
        .merge(well_known::routes())
        .merge(api::routes())
        .merge(inboxes)
        .fallback(|| async { crate::error::AppError::NotFound("no such page".into()) })
        .layer(axum::middleware::from_fn(move |req, next| {
            cache::layer(pages.clone(), req, next)
        }))
        .layer(axum::middleware::from_fn(fetch_auth::layer))
        .layer(axum::middleware::map_response(security_headers))
        .layer(axum::middleware::from_fn(record_client_addr))
        .layer(FederationMiddleware::new(config))
        // Outermost, so cached responses carry no request id: each request
        // gets an `x-request-id` (or keeps the proxy's), a span named after
        // it, and one log line; a failure's cause is logged in that span.
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &axum::extract::Request| {
                    let id = req
                        .headers()
                        .get("x-request-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!("request", id = %id, method = %req.method(), path = %req.uri().path())
                })
                .on_request(())
                .on_response(
                    |res: &Response, latency: std::time::Duration, _span: &tracing::Span| {
                        let ms = latency.as_millis();
                        match res.extensions().get::<crate::error::ErrorCause>() {
                            Some(cause) if res.status().is_server_error() => {
                                tracing::error!(status = %res.status(), ms, cause = %cause.0, "request failed")
                            }
                            Some(cause) => {
                                tracing::warn!(status = %res.status(), ms, cause = %cause.0, "request failed upstream")
                            }
                            None => tracing::debug!(status = %res.status(), ms, "request"),
                        }
                    },
                )
                .on_failure(()),
        )
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

/// The address a request came from, as recorded by `record_client_addr`,
/// or the last `X-Forwarded-For` hop when a trusted proxy is configured.
pub fn client_addr(headers: &HeaderMap, settings: &crate::config::Settings) -> String {
    if settings.limits.trust_forwarded_for
        && let Some(addr) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
    {
        return addr.trim().to_string();
    }
    headers
        .get(CLIENT_ADDR_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("unknown")
        .to_string()
}

/// Internal request header carrying the peer address (any such header from
/// outside is replaced or removed).
const CLIENT_ADDR_HEADER: &str = "x-peerpress-client-addr";

async fn record_client_addr(
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let addr = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string());
    req.headers_mut().remove(CLIENT_ADDR_HEADER);
    if let Some(v) = addr.and_then(|a| HeaderValue::from_str(&a).ok()) {
        req.headers_mut().insert(CLIENT_ADDR_HEADER, v);
    }
    next.run(req).await
}

/// Headers on every response: no inline scripts or framing, no MIME sniffing,
/// no full referrers to other sites.
async fn security_headers(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' https: data:; style-src 'self'; script-src 'self'; \
             object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    res
}
