//! A small in-process store of public GET responses (objects, actor
//! documents, pages, feeds), so that reads cost a lookup, not queries and
//! rendering. The web layer's middleware fills it; every committed write
//! clears it (`AppContext::committed`). Entries live `TTL` at most: with
//! several processes, another process's write shows here within `TTL`.

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

const TTL: Duration = Duration::from_secs(5);
const MAX_ENTRIES: usize = 4096;
/// Larger responses are served, not kept.
pub const MAX_BODY: usize = 512 * 1024;

struct Entry {
    at: Instant,
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

#[derive(Default)]
pub struct ResponseCache(RwLock<HashMap<String, Entry>>);

impl ResponseCache {
    /// Forget everything: something public changed.
    pub fn clear(&self) {
        if let Ok(mut map) = self.0.write() {
            map.clear();
        }
    }

    pub fn get(&self, key: &str) -> Option<Response> {
        let map = self.0.read().ok()?;
        let e = map.get(key)?;
        if e.at.elapsed() > TTL {
            return None;
        }
        let mut res = (e.status, Body::from(e.body.clone())).into_response();
        *res.headers_mut() = e.headers.clone();
        Some(res)
    }

    pub fn put(&self, key: String, status: StatusCode, headers: HeaderMap, body: Bytes) {
        if let Ok(mut map) = self.0.write() {
            if map.len() >= MAX_ENTRIES {
                map.retain(|_, e| e.at.elapsed() <= TTL);
                if map.len() >= MAX_ENTRIES {
                    map.clear();
                }
            }
            map.insert(
                key,
                Entry {
                    at: Instant::now(),
                    status,
                    headers,
                    body,
                },
            );
        }
    }
}
