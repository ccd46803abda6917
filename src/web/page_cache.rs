//! Public pages for anonymous visitors, rendered once and served from memory until the content
//! they show changes; conditional requests and `Cache-Control` for every page.
//!
//! - **What is kept**: the answer (200, no `Set-Cookie`) to an anonymous GET or HEAD of a public
//!   page (`is_public`), keyed on its path and normalised query string, with the content version
//!   it was rendered at. A request with a session cookie never reads or fills the cache. Anonymous
//!   pages carry nothing per visitor (no token, no cookie; see `web::csrf`), so one rendering
//!   serves everyone.
//! - **Freshness**: the table `content_version` is bumped by triggers with every change to public
//!   content. Each instance re-reads it at most every `snapshot::RECHECK` (its `ContentClock`,
//!   shared with the in-memory indexes) and at once after every unsafe request it served
//!   itself, and drops everything when it moved: a change on one instance shows on every
//!   instance within a second. An entry also
//!   expires after `MAX_AGE`, for what depends on the clock (news with a future publication time).
//! - **Bound**: `PAGE_CACHE_MB` of bodies (identity plus the gzip/brotli variants made on first
//!   demand); the least recently used pages go first. `0` turns keeping off; ETags and 304s stay.
//! - **HTTP**: every anonymous public page gets a strong `ETag` (a hash of its bytes, with a
//!   suffix per content encoding) and answers a matching `If-None-Match` with 304, and
//!   `Cache-Control: public, max-age=0, s-maxage=…, stale-while-revalidate=…` so a reverse proxy
//!   may keep it briefly. Every answer to a request with a session cookie gets
//!   `Cache-Control: private, no-store` unless it says otherwise (static files, images).
//!   `X-Cache: hit|miss` says whether the body came from memory.
//! - **One rendering at a time**: requests that miss the same page while it is being rendered
//!   (it expired, or the content changed, under load) wait for that rendering instead of
//!   rendering it again each (`PageCache::board`); without this, 64 connections asking for a
//!   page at the moment it expired all rendered it at once.

use std::collections::HashMap;
use std::io::Write;
use std::sync::atomic::{AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes, HttpBody, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use tokio::sync::watch;

use crate::snapshot::ContentClock;
use crate::state::AppState;
use crate::web::cookies;

/// The longest an entry is served, whatever the version says.
pub const MAX_AGE: Duration = Duration::from_secs(60);
/// Pages larger than this are never kept (e.g. a sitemap of every initiative).
const MAX_PAGE_BYTES: usize = 4 * 1024 * 1024;
/// How long a request that missed waits for another request rendering the same page.
const FLIGHT_WAIT: Duration = Duration::from_secs(5);
/// Longer query strings are not kept (nobody links to them; they would only fill memory).
const MAX_QUERY_BYTES: usize = 512;

/// For anonymous public pages: browsers revalidate every time (a 304 costs next to nothing),
/// shared caches may keep a page 5 s and serve it up to 30 s stale while they revalidate.
pub const PUBLIC: &str = "public, max-age=0, s-maxage=5, stale-while-revalidate=30";
/// For every page of a logged-in visitor.
pub const PRIVATE: &str = "private, no-store";
const VARY: &str = "accept-encoding, cookie";
const X_CACHE: HeaderName = HeaderName::from_static("x-cache");

/// The pages whose content is the same for every anonymous visitor and changes only with
/// `content_version` (or the clock, see `MAX_AGE`). Forms with a deadline (inspiratieregio),
/// token pages and everything behind a login are not among them.
pub fn is_public(path: &str) -> bool {
    const EXACT: &[&str] = &[
        "/",
        "/initiatieven",
        "/regios",
        "/aandeelhouders",
        "/aandeelhouder-worden",
        "/nieuws",
        "/nieuws/feed.xml",
        "/nieuwsbrief",
        "/nieuwsbrief/archief",
        "/zoeken",
        "/privacy",
        "/toegankelijkheid",
        "/sitemap.xml",
    ];
    const ONE_BELOW: &[&str] =
        &["/initiatieven/", "/regios/", "/aandeelhouders/", "/nieuws/", "/nieuwsbrief/archief/"];
    EXACT.contains(&path)
        || ONE_BELOW.iter().any(|prefix| {
            path.strip_prefix(prefix).is_some_and(|rest| !rest.is_empty() && !rest.contains('/'))
        })
}

/// The cache key: the path and the query pairs ordered by name (the order of repeated names
/// kept), re-encoded; `None` when the query is too long to be worth keeping.
pub fn normalise(uri: &Uri) -> Option<String> {
    let query = uri.query().unwrap_or("");
    if query.len() > MAX_QUERY_BYTES {
        return None;
    }
    let mut pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .filter(|(k, _)| !k.is_empty())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    let mut key = uri.path().to_owned();
    if !pairs.is_empty() {
        key.push('?');
        key.push_str(&url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish());
    }
    Some(key)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Encoding {
    Identity,
    Gzip,
    Brotli,
}

impl Encoding {
    /// Brotli when the client takes it, else gzip, else none.
    fn preferred(headers: &HeaderMap) -> Self {
        let mut gzip = false;
        let mut brotli = false;
        for value in headers.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()) {
            for item in value.split(',') {
                let mut parts = item.split(';');
                let name = parts.next().unwrap_or("").trim();
                let refused = parts.any(|p| {
                    p.trim().strip_prefix("q=").and_then(|q| q.trim().parse::<f32>().ok()) == Some(0.0)
                });
                if refused {
                    continue;
                }
                if name.eq_ignore_ascii_case("br") {
                    brotli = true;
                } else if name.eq_ignore_ascii_case("gzip") {
                    gzip = true;
                }
            }
        }
        if brotli {
            Self::Brotli
        } else if gzip {
            Self::Gzip
        } else {
            Self::Identity
        }
    }

    fn etag_suffix(self) -> &'static str {
        match self {
            Self::Identity => "",
            Self::Gzip => "-gz",
            Self::Brotli => "-br",
        }
    }
}

/// One rendered page.
pub struct Entry {
    version: i64,
    born: Instant,
    /// The response's own headers (content type, security headers, ...).
    headers: Vec<(HeaderName, HeaderValue)>,
    /// Hex of the first 16 bytes of the body's SHA-256.
    hash: String,
    identity: Bytes,
    gzip: OnceLock<Bytes>,
    brotli: OnceLock<Bytes>,
    last_used: AtomicU64,
    /// What this entry counts for against the budget.
    size: AtomicUsize,
}

impl Entry {
    fn new(version: i64, headers: &HeaderMap, body: Bytes) -> Self {
        let kept: Vec<(HeaderName, HeaderValue)> = headers
            .iter()
            .filter(|(name, _)| {
                !matches!(
                    *name,
                    &header::CONTENT_LENGTH
                        | &header::DATE
                        | &header::TRANSFER_ENCODING
                        | &header::ETAG
                        | &header::CACHE_CONTROL
                        | &header::VARY
                        | &header::SET_COOKIE
                        | &header::CONTENT_ENCODING
                ) && name.as_str() != "x-request-id"
            })
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect();
        let header_bytes: usize = kept.iter().map(|(n, v)| n.as_str().len() + v.len() + 32).sum();
        let hash = hex::encode(&Sha256::digest(&body)[..16]);
        let size = body.len() + header_bytes + 256;
        Self {
            version,
            born: Instant::now(),
            headers: kept,
            hash,
            identity: body,
            gzip: OnceLock::new(),
            brotli: OnceLock::new(),
            last_used: AtomicU64::new(0),
            size: AtomicUsize::new(size),
        }
    }

    fn etag(&self, encoding: Encoding) -> String {
        format!("\"{}{}\"", self.hash, encoding.etag_suffix())
    }

    /// Whether `If-None-Match` names this page (in any encoding: the content is the same).
    fn matches(&self, if_none_match: &HeaderValue) -> bool {
        let Ok(list) = if_none_match.to_str() else { return false };
        list.split(',').map(str::trim).any(|tag| {
            if tag == "*" {
                return true;
            }
            let tag = tag.strip_prefix("W/").unwrap_or(tag).trim_matches('"');
            let base = tag.strip_suffix("-gz").or_else(|| tag.strip_suffix("-br")).unwrap_or(tag);
            base == self.hash
        })
    }
}

fn gzip(body: &[u8]) -> Bytes {
    let mut encoder =
        flate2::write::GzEncoder::new(Vec::with_capacity(body.len() / 4), flate2::Compression::new(6));
    let _ = encoder.write_all(body);
    Bytes::from(encoder.finish().unwrap_or_default())
}

fn brotli(body: &[u8]) -> Bytes {
    let mut out = Vec::with_capacity(body.len() / 4);
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 8, 22);
        let _ = writer.write_all(body);
    }
    Bytes::from(out)
}

/// This instance's cache of rendered pages.
pub struct PageCache {
    budget: usize,
    entries: Mutex<HashMap<String, Arc<Entry>>>,
    used: AtomicUsize,
    clock: AtomicU64,
    /// The instance's view of `content_version`.
    content: Arc<ContentClock>,
    /// The newest version entries were kept for: older ones are dropped when it moves.
    version: AtomicI64,
    /// The pages being rendered for the cache now, each with what tells its waiters it is done.
    flights: Mutex<HashMap<String, watch::Receiver<()>>>,
}

/// What a request that missed the cache does (see `PageCache::board`).
enum Boarding<'a> {
    /// Render the page; others asking for it meanwhile wait until the guard is dropped.
    Lead(FlightGuard<'a>),
    /// Another request renders it: wait for that, then look again.
    Wait(watch::Receiver<()>),
    /// Nothing is kept (`PAGE_CACHE_MB=0`): render.
    Alone,
}

/// Ends a flight when dropped (also when the render fails or the request is cancelled).
struct FlightGuard<'a> {
    flights: &'a Mutex<HashMap<String, watch::Receiver<()>>>,
    key: String,
    _done: watch::Sender<()>,
}

impl Drop for FlightGuard<'_> {
    fn drop(&mut self) {
        self.flights.lock().unwrap_or_else(|e| e.into_inner()).remove(&self.key);
        // `_done` is dropped next: every receiver's `changed()` then returns.
    }
}

impl PageCache {
    /// A cache of at most `megabytes` MiB of page bodies; 0 keeps nothing.
    pub fn new(megabytes: u32, content: Arc<ContentClock>) -> Self {
        Self {
            budget: megabytes as usize * 1024 * 1024,
            entries: Mutex::default(),
            used: AtomicUsize::new(0),
            clock: AtomicU64::new(0),
            content,
            version: AtomicI64::new(-1),
            flights: Mutex::default(),
        }
    }

    /// For a request that missed: lead the render of `key`, or wait for the one under way.
    fn board(&self, key: &str) -> Boarding<'_> {
        if self.budget == 0 {
            return Boarding::Alone;
        }
        let mut flights = self.flights.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(under_way) = flights.get(key) {
            return Boarding::Wait(under_way.clone());
        }
        let (done, waiting) = watch::channel(());
        flights.insert(key.to_owned(), waiting);
        Boarding::Lead(FlightGuard { flights: &self.flights, key: key.to_owned(), _done: done })
    }

    /// Bytes held now (page bodies and their headers).
    pub fn used(&self) -> usize {
        self.used.load(Ordering::Relaxed)
    }

    /// The content version to serve at (see `ContentClock::version`). `None` when PostgreSQL
    /// cannot say: then nothing is served from or put in the cache.
    pub async fn version(&self, db: &PgPool) -> Option<i64> {
        let version = self.content.version(db).await.ok()?;
        Some(self.moved_to(version))
    }

    /// Reads `content_version` now (after a change made through this instance).
    pub async fn refresh(&self, db: &PgPool) {
        if let Ok(version) = self.content.refresh(db).await {
            self.moved_to(version);
        }
    }

    /// Drops the entries of older versions when `version` is newer than the last one seen.
    fn moved_to(&self, version: i64) -> i64 {
        let before = self.version.fetch_max(version, Ordering::AcqRel);
        if version > before {
            self.clear_older_than(version);
        }
        version.max(before)
    }

    fn clear_older_than(&self, version: i64) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.retain(|_, entry| {
            let keep = entry.version >= version;
            if !keep {
                self.used.fetch_sub(entry.size.load(Ordering::Relaxed), Ordering::Relaxed);
            }
            keep
        });
    }

    fn get(&self, key: &str, version: i64) -> Option<Arc<Entry>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let entry = entries.get(key)?;
        if entry.version != version || entry.born.elapsed() >= MAX_AGE {
            return None;
        }
        entry.last_used.store(self.clock.fetch_add(1, Ordering::Relaxed), Ordering::Relaxed);
        Some(entry.clone())
    }

    fn insert(&self, key: String, entry: Arc<Entry>) {
        let size = entry.size.load(Ordering::Relaxed) + key.len() * 2;
        if self.budget == 0 || size > self.budget / 4 || entry.version != self.version.load(Ordering::Acquire)
        {
            return;
        }
        entry.size.store(size, Ordering::Relaxed);
        entry.last_used.store(self.clock.fetch_add(1, Ordering::Relaxed), Ordering::Relaxed);
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(old) = entries.insert(key, entry) {
            self.used.fetch_sub(old.size.load(Ordering::Relaxed), Ordering::Relaxed);
        }
        self.used.fetch_add(size, Ordering::Relaxed);
        self.evict(&mut entries);
    }

    /// Drops the least recently used entries until a quarter of the budget is free again.
    fn evict(&self, entries: &mut HashMap<String, Arc<Entry>>) {
        if self.used.load(Ordering::Relaxed) <= self.budget {
            return;
        }
        let mut by_age: Vec<(u64, String)> =
            entries.iter().map(|(k, e)| (e.last_used.load(Ordering::Relaxed), k.clone())).collect();
        by_age.sort_unstable();
        let target = self.budget / 4 * 3;
        for (_, key) in by_age {
            if self.used.load(Ordering::Relaxed) <= target {
                break;
            }
            if let Some(entry) = entries.remove(&key) {
                self.used.fetch_sub(entry.size.load(Ordering::Relaxed), Ordering::Relaxed);
            }
        }
    }

    /// The body in `encoding`, compressed on first demand and then kept with the entry.
    fn body(&self, key: Option<&str>, entry: &Arc<Entry>, encoding: Encoding) -> Bytes {
        type Compress = fn(&[u8]) -> Bytes;
        let (cell, compress): (&OnceLock<Bytes>, Compress) = match encoding {
            Encoding::Identity => return entry.identity.clone(),
            Encoding::Gzip => (&entry.gzip, gzip),
            Encoding::Brotli => (&entry.brotli, brotli),
        };
        if let Some(bytes) = cell.get() {
            return bytes.clone();
        }
        let bytes = compress(&entry.identity);
        if cell.set(bytes.clone()).is_ok()
            && let Some(key) = key
        {
            let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            if entries.get(key).is_some_and(|kept| Arc::ptr_eq(kept, entry)) {
                entry.size.fetch_add(bytes.len(), Ordering::Relaxed);
                self.used.fetch_add(bytes.len(), Ordering::Relaxed);
                self.evict(&mut entries);
            }
        }
        bytes
    }

    fn respond(
        &self,
        key: Option<&str>,
        entry: &Arc<Entry>,
        request: &HeaderMap,
        head: bool,
        hit: bool,
    ) -> Response {
        let encoding = Encoding::preferred(request);
        let not_modified = request.get(header::IF_NONE_MATCH).is_some_and(|v| entry.matches(v));
        let mut response = if not_modified {
            StatusCode::NOT_MODIFIED.into_response()
        } else {
            let body = self.body(key, entry, encoding);
            let mut response = if head { Body::empty() } else { Body::from(body.clone()) }.into_response();
            for (name, value) in &entry.headers {
                response.headers_mut().append(name.clone(), value.clone());
            }
            if head {
                response.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
            }
            if encoding != Encoding::Identity {
                let name = if encoding == Encoding::Gzip { "gzip" } else { "br" };
                response.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static(name));
            }
            response
        };
        let headers = response.headers_mut();
        if let Ok(etag) = HeaderValue::from_str(&entry.etag(encoding)) {
            headers.insert(header::ETAG, etag);
        }
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(PUBLIC));
        headers.insert(header::VARY, HeaderValue::from_static(VARY));
        headers.insert(X_CACHE, HeaderValue::from_static(if hit { "hit" } else { "miss" }));
        response
    }
}

/// The middleware (between the request id and the compression layer): see the module comment.
pub async fn layer(state: AppState, mut request: Request, next: Next) -> Response {
    let method = request.method().clone();
    if method != Method::GET && method != Method::HEAD {
        let response = next.run(request).await;
        if method != Method::OPTIONS {
            // What this request changed shows on this instance's next page at once.
            state.pages.refresh(&state.db).await;
        }
        return response;
    }
    let logged_in = cookies::get(request.headers(), cookies::SESSION).is_some();
    if logged_in || !is_public(request.uri().path()) {
        let mut response = next.run(request).await;
        if logged_in {
            response.headers_mut().entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static(PRIVATE));
        }
        return response;
    }

    let head = method == Method::HEAD;
    let key = normalise(request.uri());
    let version = state.pages.version(&state.db).await;
    // Kept until this request's render is in the cache: others that miss meanwhile wait for it.
    let mut _leading = None;
    if let (Some(version), Some(key)) = (version, key.as_deref()) {
        if let Some(entry) = state.pages.get(key, version) {
            return state.pages.respond(Some(key), &entry, request.headers(), head, true);
        }
        match state.pages.board(key) {
            Boarding::Lead(guard) => _leading = Some(guard),
            Boarding::Wait(mut under_way) => {
                // Returns when the leader's guard is dropped; then its page is kept, unless it
                // could not be (an error page, a cookie): then this request renders its own.
                let _ = tokio::time::timeout(FLIGHT_WAIT, under_way.changed()).await;
                if let Some(entry) = state.pages.get(key, version) {
                    return state.pages.respond(Some(key), &entry, request.headers(), head, true);
                }
            }
            Boarding::Alone => {}
        }
    }

    // Render: always as a GET (a HEAD fills the cache too), uncompressed (compressed here).
    let request_headers = request.headers().clone();
    request.headers_mut().remove(header::ACCEPT_ENCODING);
    *request.method_mut() = Method::GET;
    let response = next.run(request).await;
    let too_big = response.body().size_hint().upper().is_none_or(|n| n > MAX_PAGE_BYTES as u64);
    if response.status() != StatusCode::OK
        || too_big
        || response.headers().contains_key(header::SET_COOKIE)
        || response.headers().contains_key(header::CONTENT_ENCODING)
    {
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = match to_bytes(body, MAX_PAGE_BYTES).await {
        Ok(bytes) => bytes,
        Err(err) => {
            tracing::error!(error = %err, "page body unreadable");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let entry = Arc::new(Entry::new(version.unwrap_or(-1), &parts.headers, bytes));
    let kept_key = match (version, key) {
        (Some(_), Some(key)) => {
            state.pages.insert(key.clone(), entry.clone());
            Some(key)
        }
        _ => None,
    };
    state.pages.respond(kept_key.as_deref(), &entry, &request_headers, head, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_pages_are_the_listed_ones_and_one_level_below() {
        for path in
            ["/", "/initiatieven", "/initiatieven/een-slug", "/regios/utrecht", "/nieuwsbrief/archief/x"]
        {
            assert!(is_public(path), "{path}");
        }
        for path in [
            "/beheer",
            "/account",
            "/inloggen",
            "/initiatieven/x/contact",
            "/nieuwsbrief/bevestigen/abc",
            "/nieuwsbrief/afmelden/abc",
            "/inspiratieregio-aanmelden",
            "/initiatieven/",
            "/api/v1/initiatives",
        ] {
            assert!(!is_public(path), "{path}");
        }
    }

    #[test]
    fn keys_ignore_the_order_of_names_but_not_of_repeated_values() {
        let key = |s: &str| normalise(&s.parse::<Uri>().unwrap()).unwrap();
        assert_eq!(key("/initiatieven?thema=a&domein=b"), key("/initiatieven?domein=b&thema=a"));
        assert_eq!(key("/zoeken?q=jeugd%20zorg"), key("/zoeken?q=jeugd+zorg"));
        assert_ne!(key("/initiatieven?thema=a&thema=b"), key("/initiatieven?thema=b&thema=a"));
        assert_eq!(key("/initiatieven"), "/initiatieven");
        assert!(normalise(&format!("/zoeken?q={}", "x".repeat(600)).parse::<Uri>().unwrap()).is_none());
    }

    #[test]
    fn encodings_and_etags() {
        let mut headers = HeaderMap::new();
        assert_eq!(Encoding::preferred(&headers), Encoding::Identity);
        headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("gzip, deflate, br;q=0"));
        assert_eq!(Encoding::preferred(&headers), Encoding::Gzip);
        headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("gzip, br"));
        assert_eq!(Encoding::preferred(&headers), Encoding::Brotli);

        let entry = Entry::new(1, &HeaderMap::new(), Bytes::from_static(b"<p>hallo</p>"));
        let etag = entry.etag(Encoding::Identity);
        assert!(entry.matches(&HeaderValue::from_str(&etag).unwrap()));
        assert!(
            entry.matches(&HeaderValue::from_str(&format!("W/{}", entry.etag(Encoding::Brotli))).unwrap())
        );
        assert!(entry.matches(&HeaderValue::from_static("\"other\", *")));
        assert!(!entry.matches(&HeaderValue::from_static("\"other\"")));
    }

    #[test]
    fn the_budget_holds_and_the_least_recently_used_go_first() {
        let cache = PageCache::new(1, Arc::default());
        cache.version.store(1, Ordering::Relaxed);
        let page = Bytes::from(vec![b'x'; 100 * 1024]);
        for n in 0..30 {
            cache.insert(format!("/p{n}"), Arc::new(Entry::new(1, &HeaderMap::new(), page.clone())));
            let _ = cache.get("/p0", 1); // kept in use
            assert!(cache.used() <= 1024 * 1024);
        }
        assert!(cache.get("/p0", 1).is_some());
        assert!(cache.get("/p1", 1).is_none());
        assert!(cache.get("/p29", 1).is_some());
        assert!(cache.get("/p29", 2).is_none(), "another version is a miss");
        // An entry rendered at an older version than the one known is not kept.
        cache.insert("/oud".into(), Arc::new(Entry::new(0, &HeaderMap::new(), page)));
        assert!(cache.get("/oud", 0).is_none());
        cache.clear_older_than(2);
        assert_eq!(cache.used(), 0);
    }
}
