//! HTTP done properly for what is public: validators (`ETag`, and
//! `Last-Modified` where a handler knows it) with `304 Not Modified`,
//! `Cache-Control` for public pages, feeds and documents, and
//! `Vary: Accept` on every negotiated URL.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// How long shared caches and readers may reuse a public response.
const PUBLIC_MAX_AGE: &str = "public, max-age=60";

/// The largest body we hash for an `ETag` (larger ones go without).
const MAX_HASHED: usize = 8 * 1024 * 1024;

/// Paths whose answer depends on `Accept` (HTML or ActivityStreams).
fn negotiated(path: &str) -> bool {
    !(path.starts_with("/api/")
        || path.starts_with("/static/")
        || path.starts_with("/.well-known/")
        || path.starts_with("/media/")
        || path.ends_with(".tar.gz")
        || path.starts_with("/nodeinfo")
        || path.ends_with(".atom")
        || path.ends_with(".rss")
        || path.ends_with(".json")
        || path.ends_with(".xml")
        || path.ends_with(".txt")
        || path == "/favicon.ico")
}

pub async fn layer(req: Request, next: Next) -> Response {
    let get = matches!(*req.method(), Method::GET | Method::HEAD);
    let path = req.uri().path().to_string();
    // A signed-in reader's page is theirs: never kept by shared caches.
    let personal = super::cache::personal_cookies(req.headers());
    let public = get
        && !personal
        && !path.starts_with("/api/")
        && !req.headers().contains_key(header::AUTHORIZATION);
    let validators = conditions(req.headers());
    let mut res = next.run(req).await;
    if personal && !res.headers().contains_key(header::CACHE_CONTROL) {
        res.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
    }
    if !get {
        return res;
    }
    if negotiated(&path) {
        super::i18n::add_vary(res.headers_mut(), "Accept");
    }
    if !public || res.status() != StatusCode::OK {
        return res;
    }
    if !res.headers().contains_key(header::CACHE_CONTROL) {
        res.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(PUBLIC_MAX_AGE),
        );
    }
    // Already tagged (a cached response) and nothing to compare: as it is,
    // without touching the body.
    if validators.if_none_match.is_none()
        && validators.if_modified_since.is_none()
        && res.headers().contains_key(header::ETAG)
    {
        return res;
    }
    // Streamed or large bodies go as they are, without a computed tag.
    use axum::body::HttpBody;
    if res
        .body()
        .size_hint()
        .exact()
        .is_none_or(|n| n > MAX_HASHED as u64)
    {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_HASHED).await {
        Ok(b) => b,
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let etag = Some(
        parts
            .headers
            .get(header::ETAG)
            .cloned()
            .unwrap_or_else(|| etag_of(&bytes)),
    );
    if let Some(e) = &etag {
        parts.headers.insert(header::ETAG, e.clone());
    }
    if not_modified(
        &validators,
        etag.as_ref(),
        parts.headers.get(header::LAST_MODIFIED),
    ) {
        let mut out = StatusCode::NOT_MODIFIED.into_response();
        for name in [
            header::ETAG,
            header::LAST_MODIFIED,
            header::CACHE_CONTROL,
            header::VARY,
        ] {
            if let Some(v) = parts.headers.get(&name) {
                out.headers_mut().insert(name, v.clone());
            }
        }
        return out;
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The request's validators.
struct Conditions {
    if_none_match: Option<String>,
    if_modified_since: Option<std::time::SystemTime>,
}

fn conditions(h: &HeaderMap) -> Conditions {
    Conditions {
        if_none_match: h
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        if_modified_since: h
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| httpdate::parse_http_date(v).ok()),
    }
}

/// RFC 9110 §13.2.2: `If-None-Match` wins over `If-Modified-Since`; tags
/// compare weakly.
fn not_modified(
    c: &Conditions,
    etag: Option<&HeaderValue>,
    last_modified: Option<&HeaderValue>,
) -> bool {
    if let Some(inm) = &c.if_none_match {
        let Some(tag) = etag.and_then(|e| e.to_str().ok()) else {
            return false;
        };
        let bare = |t: &str| t.trim().trim_start_matches("W/").to_string();
        return inm.trim() == "*" || inm.split(',').any(|t| bare(t) == bare(tag));
    }
    match (
        c.if_modified_since,
        last_modified
            .and_then(|v| v.to_str().ok())
            .and_then(|v| httpdate::parse_http_date(v).ok()),
    ) {
        (Some(since), Some(modified)) => modified <= since,
        _ => false,
    }
}

/// A weak tag for a body (the response cache stores it with the entry, so
/// a cached read is not hashed again).
pub fn etag_of(bytes: &[u8]) -> HeaderValue {
    HeaderValue::from_str(&format!("W/\"{:016x}-{:x}\"", fnv1a(bytes), bytes.len()))
        .unwrap_or(HeaderValue::from_static("W/\"0\""))
}

/// 64-bit FNV-1a: the same on every machine, so several machines of one
/// instance give the same `ETag`.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// A `Last-Modified` value.
pub fn http_date(t: chrono::DateTime<chrono::Utc>) -> HeaderValue {
    HeaderValue::from_str(&httpdate::fmt_http_date(t.into()))
        .unwrap_or(HeaderValue::from_static("Thu, 01 Jan 1970 00:00:00 GMT"))
}

/// A URL for a `Location` header: non-ASCII (an accented slug) is
/// percent-encoded, as HTTP requires.
pub fn location(url: &str) -> HeaderValue {
    let encoded = url::Url::parse(url)
        .map(|u| u.to_string())
        .unwrap_or_else(|_| {
            url.bytes()
                .map(|b| {
                    if b.is_ascii() {
                        (b as char).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect()
        });
    HeaderValue::from_str(&encoded).unwrap_or(HeaderValue::from_static("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validators() {
        let etag = HeaderValue::from_static("W/\"abc\"");
        let c = |inm: Option<&str>, ims: Option<&str>| Conditions {
            if_none_match: inm.map(str::to_string),
            if_modified_since: ims.and_then(|v| httpdate::parse_http_date(v).ok()),
        };
        assert!(not_modified(&c(Some("\"abc\""), None), Some(&etag), None));
        assert!(not_modified(
            &c(Some("\"x\", W/\"abc\""), None),
            Some(&etag),
            None
        ));
        assert!(!not_modified(&c(Some("\"x\""), None), Some(&etag), None));
        let lm = HeaderValue::from_static("Wed, 02 Dec 2026 10:00:00 GMT");
        assert!(not_modified(
            &c(None, Some("Wed, 02 Dec 2026 10:00:00 GMT")),
            None,
            Some(&lm)
        ));
        assert!(!not_modified(
            &c(None, Some("Wed, 02 Dec 2026 09:00:00 GMT")),
            None,
            Some(&lm)
        ));
        assert_eq!(
            location("https://ex.org/c/commons/café").to_str().unwrap(),
            "https://ex.org/c/commons/caf%C3%A9"
        );
    }
}
