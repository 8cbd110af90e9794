//! The middleware of the response cache (`crate::cache`): public GETs of
//! actors, objects, pages, tags and feeds are answered from it, and a miss
//! renders once however many requests ask at the same moment (single
//! flight). What a write changed is dropped by the write itself
//! (`AppContext::committed` with the paths it names); nothing expires by
//! time.
//!
//! Requests that may see something personal never touch it: any with
//! `Authorization`, a `Signature` (signed fetches may be answered
//! differently per requester), or a cookie other than the interface
//! language (signed-in people); the language is part of the key.

use crate::cache::{Entry, Lookup, MAX_BODY, ResponseCache, Variant};
use axum::body::Body;
use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// Public, cacheable paths: actors, objects, pretty pages, tags, feeds.
fn cacheable(path: &str) -> bool {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        ["actor"] => true,
        ["c" | "u" | "articles" | "notes" | "tags", name] => !name.is_empty(),
        ["c", _, slug] => !["inbox", "outbox", "followers", "following", "network"].contains(slug),
        _ => false,
    }
}

/// May this request be answered from (and fill) the shared cache?
pub fn shared(req: &Request) -> bool {
    req.method() == Method::GET
        && !req.headers().contains_key(header::AUTHORIZATION)
        && !req.headers().contains_key("signature")
        && !personal_cookies(req.headers())
        && cacheable(req.uri().path())
}

/// Does the request carry a cookie other than the interface language
/// (which is part of the cache key)? A session, or anything unknown, is
/// personal.
pub fn personal_cookies(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get_all(header::COOKIE)
        .iter()
        .flat_map(|v| v.to_str().map_or(vec!["?"], |v| v.split(';').collect()))
        .filter_map(|pair| pair.trim().split('=').next().filter(|n| !n.is_empty()))
        .any(|name| name != super::i18n::COOKIE)
}

pub async fn layer(
    ctx: crate::context::AppContext,
    cache: Arc<ResponseCache>,
    req: Request,
    next: Next,
) -> Response {
    if !shared(&req) {
        return next.run(req).await;
    }
    let uri = req.uri().clone();
    // Pages differ by interface language (set by the i18n layer outside).
    let lang = req
        .extensions()
        .get::<super::i18n::Lang>()
        .copied()
        .unwrap_or(super::i18n::Lang::En);
    let variant = Variant {
        path: uri.path(),
        query: uri.query().unwrap_or(""),
        activity_json: super::wants_activity_json(req.headers()),
        lang: lang.code(),
    };
    let lookup = cache.lookup(&variant);
    // A request that waited for another's render is served from the cache.
    ctx.metrics.cache(!matches!(lookup, Lookup::Lead(_)));
    match lookup {
        Lookup::Hit(e) => e.response(),
        Lookup::Lead(lead) => {
            let (res, entry) = render(req, next).await;
            lead.finish(entry);
            res
        }
        Lookup::Wait(wait) => match wait.entry().await {
            Some(e) => e.response(),
            None => next.run(req).await,
        },
    }
}

/// Run the handler; its response, and the entry to keep and share when it
/// may be kept (200, 301 or 410, at most `MAX_BODY`).
async fn render(req: Request, next: Next) -> (Response, Option<Arc<Entry>>) {
    let res = next.run(req).await;
    if !matches!(
        res.status(),
        StatusCode::OK | StatusCode::MOVED_PERMANENTLY | StatusCode::GONE
    ) {
        return (res, None);
    }
    let (mut parts, body) = res.into_parts();
    // Our own responses, whole: a large one is served, just not kept.
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "could not read a response body");
            return (
                (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response(),
                None,
            );
        }
    };
    if parts.status == StatusCode::OK && !parts.headers.contains_key(header::ETAG) {
        parts
            .headers
            .insert(header::ETAG, super::http::etag_of(&bytes));
    }
    let entry = (bytes.len() <= MAX_BODY).then(|| {
        Arc::new(Entry {
            status: parts.status,
            headers: parts.headers.clone(),
            body: bytes.clone(),
        })
    });
    (Response::from_parts(parts, Body::from(bytes)), entry)
}

#[cfg(test)]
mod tests {
    use super::cacheable;

    #[test]
    fn what_is_cached() {
        for p in [
            "/actor",
            "/c/commons",
            "/c/commons.atom",
            "/u/admin",
            "/articles/x",
            "/notes/x",
            "/tags/t",
            "/c/commons/a-slug",
        ] {
            assert!(cacheable(p), "{p}");
        }
        for p in [
            "/",
            "/inbox",
            "/c/commons/inbox",
            "/c/commons/outbox",
            "/c/commons/followers",
            "/articles/x/replies",
            "/api/v1/x",
            "/.well-known/webfinger",
        ] {
            assert!(!cacheable(p), "{p}");
        }
    }
}
