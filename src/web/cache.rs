//! The middleware of the small cache of public GET responses (objects, actor documents, pages,
//! feeds), so that reads cost a lookup, not queries and rendering.
//!
//! Entries live `TTL` at most and are dropped whole on any local write that
//! changes what they show (publishing, edits, deletion). With several
//! processes, another process's write shows here within `TTL`.

use crate::cache::{MAX_BODY, ResponseCache};
use axum::body::Body;
use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

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

pub async fn layer(cache: std::sync::Arc<ResponseCache>, req: Request, next: Next) -> Response {
    let usable = req.method() == Method::GET
        && !req.headers().contains_key(header::AUTHORIZATION)
        && !req.headers().contains_key("signature")
        && cacheable(req.uri().path());
    if !usable {
        return next.run(req).await;
    }
    let key = format!(
        "{}|{}",
        req.uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/"),
        super::wants_activity_json(req.headers())
    );
    if let Some(hit) = cache.get(&key) {
        return hit;
    }
    let res = next.run(req).await;
    if !matches!(
        res.status(),
        StatusCode::OK | StatusCode::MOVED_PERMANENTLY | StatusCode::GONE
    ) {
        return res;
    }
    let (parts, body) = res.into_parts();
    // Our own responses, whole: a large one is served, just not cached.
    match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => {
            let mut parts = parts;
            if parts.status == StatusCode::OK && !parts.headers.contains_key(header::ETAG) {
                parts
                    .headers
                    .insert(header::ETAG, super::http::etag_of(&bytes));
            }
            if bytes.len() <= MAX_BODY {
                cache.put(key, parts.status, parts.headers.clone(), bytes.clone());
            }
            Response::from_parts(parts, Body::from(bytes))
        }
        Err(e) => {
            tracing::error!(error = %e, "could not read a response body");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
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
