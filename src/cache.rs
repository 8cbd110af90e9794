//! The in-process store of public GET responses (objects, actor documents,
//! pages, feeds), so that reads cost a lookup, not queries and rendering.
//! The web layer's middleware (`web::cache`) fills it.
//!
//! # Invalidation: every write names what it changed
//!
//! Entries are grouped by **public path** (`/articles/{uuid}`,
//! `/c/{community}/{slug}`, `/c/{community}`, `/u/{name}`, `/tags/{tag}`).
//! A path covers all its variants: ActivityStreams JSON and HTML, any query
//! string (`?comments=2`) and its feeds (`/c/commons.atom`, `.rss`, `.json`).
//! A write says which paths show what it changed with a [`Changes`] and
//! passes it to `AppContext::committed` (or `changed`) after its
//! transaction committed; only those entries go. Nothing expires by time.
//!
//! - Use the domain's `shown` module to build the `Changes` of an article, a
//!   comment or an actor: it knows every page that shows them (all slugs of
//!   an article, its community's and authors' listings and feeds, its tags).
//!   Build `Changes::path(..)` yourself only for a page of your own.
//! - `Changes::none()` for writes nothing public shows (a follow, a report).
//! - `Changes::everything()` for the rare instance-wide change (federation
//!   policy, a domain block, a profile shown on many pages): all entries go.
//! - A new cached page: say in `shown` which writes change it.
//!
//! With several processes on PostgreSQL, `AppContext` sends each `Changes`
//! to the others with `NOTIFY` (see `context::Invalidations`); a process
//! that lost its listening connection clears everything when it reconnects.
//!
//! # Single flight
//!
//! Concurrent misses of one variant are collapsed into one render
//! ([`ResponseCache::lookup`] gives one request the lead; the others wait
//! for its response). A render that an invalidation overtook is served to
//! those who asked before the write, but not kept.

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use tokio::sync::watch;

/// The most entries kept (all variants of all paths); past it the cache
/// starts again empty.
const MAX_ENTRIES: usize = 8192;
/// The most variants of one path (query strings, representations) kept.
const MAX_VARIANTS: usize = 16;
/// Larger responses are served, not kept.
pub const MAX_BODY: usize = 512 * 1024;

/// What a committed write changed, named by the public paths that show it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Changes {
    paths: BTreeSet<String>,
    everything: bool,
}

impl Changes {
    /// Nothing any cached page shows.
    pub fn none() -> Changes {
        Changes::default()
    }

    /// Anything may have changed anywhere (rare, instance-wide changes).
    pub fn everything() -> Changes {
        Changes {
            paths: BTreeSet::new(),
            everything: true,
        }
    }

    /// One public path (`/c/commons`), with all its variants and feeds.
    pub fn path(mut self, path: &str) -> Changes {
        self.add_path(path);
        self
    }

    /// The path of a URL (absolute, ours), with all its variants and feeds.
    pub fn url(mut self, url: &str) -> Changes {
        self.add_url(url);
        self
    }

    pub fn add_path(&mut self, path: &str) {
        if !self.everything {
            self.paths.insert(base_path(path).into_owned());
        }
    }

    pub fn add_url(&mut self, url: &str) {
        let rest = url.split_once("://").map_or(url, |(_, r)| r);
        let path = rest.find('/').map_or("/", |i| &rest[i..]);
        let path = path.split(['?', '#']).next().unwrap_or("/");
        self.add_path(path);
    }

    /// Both writes' changes.
    pub fn merge(&mut self, other: Changes) {
        if other.everything {
            *self = Changes::everything();
        } else if !self.everything {
            self.paths.extend(other.paths);
        }
    }

    pub fn is_empty(&self) -> bool {
        !self.everything && self.paths.is_empty()
    }

    pub fn is_everything(&self) -> bool {
        self.everything
    }

    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.paths.iter().map(String::as_str)
    }
}

/// The public path a request path belongs to: percent-decoded, without a
/// feed suffix (`/c/commons.atom` belongs to `/c/commons`).
pub fn base_path(path: &str) -> Cow<'_, str> {
    let decoded: Cow<'_, str> = if path.contains('%') {
        Cow::Owned(
            percent_encoding::percent_decode_str(path)
                .decode_utf8_lossy()
                .into_owned(),
        )
    } else {
        Cow::Borrowed(path)
    };
    let trimmed_len = {
        let p = decoded.as_ref();
        let segments = p.trim_start_matches('/').split('/').count();
        let listing = p.starts_with("/c/") || p.starts_with("/u/") || p.starts_with("/tags/");
        match [".atom", ".rss", ".json"]
            .iter()
            .find(|s| listing && segments == 2 && p.ends_with(*s))
        {
            Some(s) => p.len() - s.len(),
            None => p.len(),
        }
    };
    match decoded {
        Cow::Borrowed(p) => Cow::Borrowed(&p[..trimmed_len]),
        Cow::Owned(mut p) => {
            p.truncate(trimmed_len);
            Cow::Owned(p)
        }
    }
}

/// One variant of a public path: the request's own path (`/c/commons` or
/// `/c/commons.atom`), its query string, representation and interface
/// language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Variant<'a> {
    pub path: &'a str,
    pub query: &'a str,
    pub activity_json: bool,
    /// The interface language's code (`en`, `fr`).
    pub lang: &'a str,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct VariantKey {
    path: String,
    query: String,
    activity_json: bool,
    lang: String,
}

impl VariantKey {
    fn of(v: &Variant<'_>) -> VariantKey {
        VariantKey {
            path: v.path.to_string(),
            query: v.query.to_string(),
            activity_json: v.activity_json,
            lang: v.lang.to_string(),
        }
    }

    fn is(&self, v: &Variant<'_>) -> bool {
        self.activity_json == v.activity_json
            && self.query == v.query
            && self.path == v.path
            && self.lang == v.lang
    }
}

/// A kept response.
pub struct Entry {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Entry {
    pub fn response(&self) -> Response {
        let mut res = (self.status, Body::from(self.body.clone())).into_response();
        *res.headers_mut() = self.headers.clone();
        res
    }
}

/// A render in progress: waiters get its entry (`Some(Some)`), or are told
/// to render themselves (`Some(None)`: not shareable, or the leader gave up).
struct Flight {
    done: watch::Sender<Option<Option<Arc<Entry>>>>,
    /// Overtaken by an invalidation: served, not kept.
    stale: AtomicBool,
}

#[derive(Default)]
struct State {
    paths: HashMap<String, Vec<(VariantKey, Arc<Entry>)>>,
    entries: usize,
    flights: HashMap<(String, VariantKey), Arc<Flight>>,
}

#[derive(Default)]
pub struct ResponseCache(RwLock<State>);

/// What a lookup found.
pub enum Lookup {
    Hit(Arc<Entry>),
    /// Render, then [`Lead::finish`]; waiters are released when it is
    /// finished or dropped.
    Lead(Lead),
    /// Another request renders this variant: wait for it.
    Wait(Wait),
}

impl ResponseCache {
    /// The entry of `variant`, else the lead of its render or a place in
    /// the queue behind it.
    pub fn lookup(self: &Arc<Self>, variant: &Variant<'_>) -> Lookup {
        let base = base_path(variant.path);
        if let Some(e) = self.get(&base, variant) {
            return Lookup::Hit(e);
        }
        let Ok(mut state) = self.0.write() else {
            return Lookup::Lead(Lead::detached());
        };
        if let Some(e) = find(&state.paths, &base, variant) {
            return Lookup::Hit(e);
        }
        let key = (base.into_owned(), VariantKey::of(variant));
        if let Some(f) = state.flights.get(&key) {
            return Lookup::Wait(Wait(f.done.subscribe()));
        }
        let flight = Arc::new(Flight {
            done: watch::Sender::new(None),
            stale: AtomicBool::new(false),
        });
        state.flights.insert(key.clone(), flight.clone());
        Lookup::Lead(Lead {
            cache: Some(self.clone()),
            key: Some(key),
            flight: Some(flight),
        })
    }

    fn get(&self, base: &str, variant: &Variant<'_>) -> Option<Arc<Entry>> {
        find(&self.0.read().ok()?.paths, base, variant)
    }

    /// Forget what `changes` names; renders in progress for it are not kept.
    pub fn invalidate(&self, changes: &Changes) {
        if changes.is_empty() {
            return;
        }
        let Ok(mut state) = self.0.write() else {
            return;
        };
        if changes.everything {
            state.paths.clear();
            state.entries = 0;
            for (_, f) in state.flights.drain() {
                f.stale.store(true, Ordering::Release);
            }
            return;
        }
        for path in &changes.paths {
            if let Some(v) = state.paths.remove(path) {
                state.entries -= v.len();
            }
        }
        state.flights.retain(|(path, _), f| {
            let hit = changes.paths.contains(path);
            if hit {
                f.stale.store(true, Ordering::Release);
            }
            !hit
        });
    }

    /// How many responses are kept.
    pub fn len(&self) -> usize {
        self.0.read().map(|s| s.entries).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn find(
    paths: &HashMap<String, Vec<(VariantKey, Arc<Entry>)>>,
    base: &str,
    variant: &Variant<'_>,
) -> Option<Arc<Entry>> {
    paths
        .get(base)?
        .iter()
        .find(|(v, _)| v.is(variant))
        .map(|(_, e)| e.clone())
}

/// The lead of one render.
pub struct Lead {
    cache: Option<Arc<ResponseCache>>,
    key: Option<(String, VariantKey)>,
    flight: Option<Arc<Flight>>,
}

impl Lead {
    fn detached() -> Lead {
        Lead {
            cache: None,
            key: None,
            flight: None,
        }
    }

    /// The render is done: keep `entry` (unless a write overtook it) and
    /// hand it to the waiters; `None` sends them to render themselves.
    pub fn finish(mut self, entry: Option<Arc<Entry>>) {
        let (Some(cache), Some(key), Some(flight)) =
            (self.cache.take(), self.key.take(), self.flight.take())
        else {
            return;
        };
        if let Ok(mut state) = cache.0.write() {
            if state
                .flights
                .get(&key)
                .is_some_and(|f| Arc::ptr_eq(f, &flight))
            {
                state.flights.remove(&key);
            }
            if let Some(e) = &entry
                && !flight.stale.load(Ordering::Acquire)
            {
                keep(&mut state, key, e.clone());
            }
        }
        flight.done.send_replace(Some(entry));
    }
}

fn keep(state: &mut State, (path, variant): (String, VariantKey), entry: Arc<Entry>) {
    if state.entries >= MAX_ENTRIES {
        state.paths.clear();
        state.entries = 0;
    }
    let variants = state.paths.entry(path).or_default();
    if let Some(slot) = variants.iter_mut().find(|(v, _)| *v == variant) {
        slot.1 = entry;
        return;
    }
    if variants.len() >= MAX_VARIANTS {
        variants.remove(0);
        state.entries -= 1;
    }
    variants.push((variant, entry));
    state.entries += 1;
}

impl Drop for Lead {
    /// A lead dropped before finishing (its client went away, or the
    /// render failed): waiters render themselves.
    fn drop(&mut self) {
        if let (Some(cache), Some(key), Some(flight)) =
            (self.cache.take(), self.key.take(), self.flight.take())
        {
            if let Ok(mut state) = cache.0.write()
                && state
                    .flights
                    .get(&key)
                    .is_some_and(|f| Arc::ptr_eq(f, &flight))
            {
                state.flights.remove(&key);
            }
            flight.done.send_replace(Some(None));
        }
    }
}

/// A place behind a render in progress.
pub struct Wait(watch::Receiver<Option<Option<Arc<Entry>>>>);

impl Wait {
    /// The leader's entry, or `None` when the caller must render itself.
    pub async fn entry(mut self) -> Option<Arc<Entry>> {
        match self.0.wait_for(Option::is_some).await {
            Ok(v) => v.clone().flatten(),
            Err(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(body: &'static str) -> Arc<Entry> {
        Arc::new(Entry {
            status: StatusCode::OK,
            headers: HeaderMap::new(),
            body: Bytes::from_static(body.as_bytes()),
        })
    }

    fn html<'a>(path: &'a str, query: &'a str) -> Variant<'a> {
        Variant {
            path,
            query,
            activity_json: false,
            lang: "en",
        }
    }

    fn fill(cache: &Arc<ResponseCache>, v: Variant<'_>, body: &'static str) {
        match cache.lookup(&v) {
            Lookup::Lead(l) => l.finish(Some(entry(body))),
            _ => panic!("expected to lead {}", v.path),
        }
    }

    #[test]
    fn paths_group_their_variants_and_feeds() {
        assert_eq!(base_path("/c/commons.atom"), "/c/commons");
        assert_eq!(base_path("/tags/t.json"), "/tags/t");
        assert_eq!(base_path("/c/commons/a.json"), "/c/commons/a.json");
        assert_eq!(base_path("/c/commons/caf%C3%A9"), "/c/commons/café");
        let c = Changes::none()
            .url("https://ex.org/c/commons/caf%C3%A9?x=1#y")
            .path("/u/ann.rss");
        assert_eq!(c.paths().collect::<Vec<_>>(), ["/c/commons/café", "/u/ann"]);
        let mut all = c.clone();
        all.merge(Changes::everything());
        assert!(all.is_everything() && all.paths().next().is_none());
    }

    #[test]
    fn a_write_drops_only_what_it_names() {
        let cache = Arc::new(ResponseCache::default());
        fill(&cache, html("/c/commons", ""), "page");
        fill(&cache, html("/c/commons.atom", ""), "feed");
        fill(&cache, html("/articles/a", "comments=2"), "a");
        fill(&cache, html("/articles/b", ""), "b");
        assert_eq!(cache.len(), 4);
        cache.invalidate(&Changes::none().path("/c/commons").path("/articles/a"));
        assert!(matches!(
            cache.lookup(&html("/articles/b", "")),
            Lookup::Hit(_)
        ));
        assert!(matches!(
            cache.lookup(&html("/c/commons.atom", "")),
            Lookup::Lead(_)
        ));
        assert!(matches!(
            cache.lookup(&html("/articles/a", "comments=2")),
            Lookup::Lead(_)
        ));
        cache.invalidate(&Changes::everything());
        assert!(cache.is_empty());
    }

    #[tokio::test]
    async fn concurrent_misses_share_one_render() {
        let cache = Arc::new(ResponseCache::default());
        let Lookup::Lead(lead) = cache.lookup(&html("/articles/a", "")) else {
            panic!("first miss leads")
        };
        let Lookup::Wait(w) = cache.lookup(&html("/articles/a", "")) else {
            panic!("second miss waits")
        };
        lead.finish(Some(entry("a")));
        assert_eq!(w.entry().await.unwrap().body, "a");
        assert!(matches!(
            cache.lookup(&html("/articles/a", "")),
            Lookup::Hit(_)
        ));
    }

    #[tokio::test]
    async fn an_overtaken_render_is_served_but_not_kept() {
        let cache = Arc::new(ResponseCache::default());
        let Lookup::Lead(lead) = cache.lookup(&html("/articles/a", "")) else {
            panic!()
        };
        let Lookup::Wait(w) = cache.lookup(&html("/articles/a", "")) else {
            panic!()
        };
        cache.invalidate(&Changes::none().path("/articles/a"));
        // After the write, a new request renders anew.
        let Lookup::Lead(fresh) = cache.lookup(&html("/articles/a", "")) else {
            panic!("a request after the write must not join the old render")
        };
        lead.finish(Some(entry("old")));
        assert_eq!(w.entry().await.unwrap().body, "old");
        drop(fresh);
        assert!(matches!(
            cache.lookup(&html("/articles/a", "")),
            Lookup::Lead(_)
        ));
    }

    #[tokio::test]
    async fn waiters_render_themselves_when_the_lead_gives_up() {
        let cache = Arc::new(ResponseCache::default());
        let Lookup::Lead(lead) = cache.lookup(&html("/articles/a", "")) else {
            panic!()
        };
        let Lookup::Wait(w) = cache.lookup(&html("/articles/a", "")) else {
            panic!()
        };
        drop(lead);
        assert!(w.entry().await.is_none());
    }
}
