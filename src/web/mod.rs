//! HTTP: thin axum handlers that parse, call the domain, and render a view
//! (ActivityStreams JSON, HTML or API JSON).

pub mod actors;
pub mod api;
pub mod cache;
pub mod errors;
pub mod feeds;
pub mod fetch_auth;
pub mod http;
pub mod i18n;
pub mod inbox;
pub mod media;
pub mod objects;
pub mod ops;
pub mod pages;
pub mod ui;
pub mod viewer;
pub mod views;
pub mod well_known;

use crate::wire::AS_CONTENT_TYPE;
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

pub fn router(
    config: FederationConfig<crate::context::AppContext>,
    pages: std::sync::Arc<crate::cache::ResponseCache>,
) -> Router {
    let ctx = config.to_request_data().app_data().clone();
    let inboxes = Router::new()
        .route("/inbox", post(inbox::shared_inbox))
        .route("/actor/inbox", post(inbox::shared_inbox))
        .route("/c/{name}/inbox", post(inbox::community_inbox))
        .route("/u/{name}/inbox", post(inbox::person_inbox))
        .layer(DefaultBodyLimit::max(inbox::MAX_BODY));
    Router::new()
        .route("/", get(pages::home))
        .route("/metrics", get(ops::metrics))
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/source", get(pages::source))
        .route("/source.tar.gz", get(pages::source_archive))
        .route("/static/icon.png", get(pages::icon))
        .route("/favicon.ico", get(pages::icon))
        .route("/robots.txt", get(pages::robots))
        .route("/sitemap.xml", get(pages::sitemap))
        .route("/static/style.css", get(pages::style))
        .route("/static/app.js", get(pages::script))
        .route("/media/{name}", get(media::file))
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
        .route("/c/{name}/moderation.atom", get(pages::moderation_atom))
        .route("/moderation", get(pages::instance_moderation))
        .route("/moderation.atom", get(pages::instance_moderation_atom))
        .route("/u/{name}/following", get(actors::person_following))
        .route("/articles/{uuid}", get(objects::article))
        .route("/notes/{uuid}", get(objects::note))
        .route("/comments/{uuid}", get(objects::comment))
        .route("/preview/{token}", get(objects::preview))
        .route("/{kind}/{uuid}/{collection}", get(objects::collection))
        .route("/c/{name}/{slug}", get(objects::pretty))
        .route("/tags/{tag}", get(objects::tag))
        .route("/activities/{uuid}", get(objects::activity))
        .merge(well_known::routes())
        .merge(api::routes())
        .merge(ui::routes())
        .merge(inboxes)
        .fallback(|| async { crate::error::AppError::NotFound("no such page".into()) })
        .layer(axum::middleware::from_fn({
            let ctx = ctx.clone();
            move |req, next| cache::layer(ctx.clone(), pages.clone(), req, next)
        }))
        .layer(axum::middleware::from_fn_with_state(
            ctx.clone(),
            errors::layer,
        ))
        .layer(axum::middleware::from_fn(i18n::layer))
        .layer(axum::middleware::from_fn(http::layer))
        .layer(axum::middleware::from_fn(fetch_auth::layer))
        .layer(axum::middleware::map_response(security_headers))
        // Not the source archive again: it is gzip already.
        .layer(
            tower_http::compression::CompressionLayer::new().compress_when({
                use tower_http::compression::predicate::{
                    DefaultPredicate, NotForContentType, Predicate,
                };
                DefaultPredicate::new().and(NotForContentType::const_new("application/gzip"))
            }),
        )
        .layer(axum::middleware::from_fn_with_state(
            ctx,
            record_client_addr,
        ))
        .layer(FederationMiddleware::new(config))
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

/// The address of the connection's peer (a local proxy's, when one is in
/// front), as recorded by `record_client_addr`.
pub fn peer_addr(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(CLIENT_ADDR_HEADER)
        .and_then(|v| v.to_str().ok())
}

/// Internal request header carrying the peer address (any such header from
/// outside is replaced or removed).
pub(crate) const CLIENT_ADDR_HEADER: &str = "x-peerpress-client-addr";

/// Per request, in one cheap step: the peer address (for rate limits), a
/// request id (`x-request-id`, kept from a proxy or made here, sent back;
/// this layer sits outside the response cache, so cached responses carry
/// none of their own) on a span that every log line of the request carries,
/// the request's metrics (route template, status, latency), and the one log
/// line of a failed request with the cause its error left in the response
/// (never sent to the client).
async fn record_client_addr(
    axum::extract::State(ctx): axum::extract::State<crate::context::AppContext>,
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
    let id = match req.headers().get(REQUEST_ID) {
        Some(v) if v.len() <= 200 => v.clone(),
        _ => {
            let v = HeaderValue::from_str(&ctx.request_ids.next())
                .unwrap_or(HeaderValue::from_static("-"));
            req.headers_mut().insert(REQUEST_ID, v.clone());
            v
        }
    };
    let method = req.method().clone();
    let uri = req.uri().clone();
    // The route template, never the raw path (one series per article
    // would grow without bound).
    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string());
    let started = std::time::Instant::now();
    let span = tracing::info_span!("request", id = id.to_str().unwrap_or("-"));
    let mut res = tracing::Instrument::instrument(next.run(req), span).await;
    ctx.metrics.http_request(
        method.as_str(),
        route,
        res.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    if let Some(cause) = res.extensions().get::<crate::error::ErrorCause>() {
        let id = id.to_str().unwrap_or("-");
        let path = uri.path();
        if res.status().is_server_error() && res.status() != axum::http::StatusCode::BAD_GATEWAY {
            tracing::error!(%id, %method, %path, status = %res.status(), cause = %cause.0, "request failed");
        } else {
            tracing::warn!(%id, %method, %path, status = %res.status(), cause = %cause.0, "request failed upstream");
        }
    }
    res.headers_mut().insert(REQUEST_ID, id);
    res
}

const REQUEST_ID: &str = "x-request-id";

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
