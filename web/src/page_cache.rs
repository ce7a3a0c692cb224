//! The page cache: a listing, a paper, a feed or a search is the same for every reader until the
//! crawler or `papers index` changes the data, so a rendered answer is kept for a few seconds
//! ([`Site::page_cache`](crate::Site)) and served again without touching the Store or the index.
//! Every cached answer also gets an ETag, and a client that has it gets a 304.
//!
//! Only GETs of the reading routes are cached, only 200s, only bodies up to [`MAX_BODY`]; the
//! operator's endpoints and the static files (which have their own caching) pass through.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use http_body_util::BodyExt;

use crate::AppState;
use crate::conditional::Validators;

/// Bytes of bodies kept at most: the keys come from clients (any query string makes a new one),
/// so the cache is bounded by size, and past it the oldest answers go first.
const MAX_BYTES: usize = 64 * 1024 * 1024;
/// Larger answers are not kept.
const MAX_BODY: usize = 2 * 1024 * 1024;
/// The longest one request is trusted to renew an expired page (the request timeout).
const RENEW_WITHIN: Duration = Duration::from_secs(15);
/// What browsers and proxies may do with a cached page.
const CACHE_CONTROL: &str = "public, max-age=30";

#[derive(Default)]
pub struct PageCache {
    entries: Mutex<Entries>,
}

#[derive(Default)]
struct Entries {
    map: HashMap<String, Entry>,
    /// Sum of the kept bodies' lengths.
    bytes: usize,
}

#[derive(Clone)]
struct Entry {
    at: Instant,
    headers: HeaderMap,
    body: Bytes,
    etag: String,
    /// From the handler's Last-Modified, if it set one (the feeds do).
    last_modified: Option<DateTime<Utc>>,
    /// Expired, and since then one request is making it anew: the others are served this one
    /// meanwhile. If that request never finishes (its client left), another takes over after
    /// [`RENEW_WITHIN`].
    refreshing: Option<Instant>,
}

/// What the cache holds for a request.
enum Lookup {
    /// Serve it.
    Hit(Entry),
    /// Make the page (nothing kept, or it expired and this request is the one to renew it).
    Miss,
}

impl PageCache {
    /// A fresh entry is served. An expired one is renewed by the first request to find it,
    /// while the others are served the old one: when a popular page expires, the readers do not
    /// all render it at once (which is what would make the slowest answers slow).
    fn get(&self, key: &str, state: &AppState) -> Lookup {
        let mut entries = self.entries.lock().expect("the page cache lock");
        match entries.map.get_mut(key) {
            Some(entry)
                if entry.at.elapsed() < state.site.page_cache
                    || entry
                        .refreshing
                        .is_some_and(|at| at.elapsed() < RENEW_WITHIN) =>
            {
                Lookup::Hit(entry.clone())
            }
            Some(entry) => {
                entry.refreshing = Some(Instant::now());
                Lookup::Miss
            }
            None => Lookup::Miss,
        }
    }

    /// The request renewing `key` failed or made something not to keep: let another try.
    fn unmark(&self, key: &str) {
        if let Some(entry) = self
            .entries
            .lock()
            .expect("the page cache lock")
            .map
            .get_mut(key)
        {
            entry.refreshing = None;
        }
    }

    fn put(&self, key: String, entry: Entry) {
        let mut entries = self.entries.lock().expect("the page cache lock");
        let entries = &mut *entries;
        entries.bytes += entry.body.len();
        if let Some(old) = entries.map.insert(key, entry) {
            entries.bytes -= old.body.len();
        }
        // Oldest first until under the bound: a scan, but only when the cache is full.
        while entries.bytes > MAX_BYTES {
            let Some(oldest) = entries
                .map
                .iter()
                .min_by_key(|(_, e)| e.at)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            if let Some(gone) = entries.map.remove(&oldest) {
                entries.bytes -= gone.body.len();
            }
        }
    }
}

/// Whether answers at this path are the same for everyone for a while.
fn cacheable(path: &str) -> bool {
    path == "/"
        || ["/arxiv/", "/paper/", "/topic/", "/venue", "/search", "/api/"]
            .iter()
            .any(|prefix| path.starts_with(prefix))
            && path != "/api/openapi.json"
            // Summaries change as they are written, and their stream never ends.
            && !path.starts_with("/api/summaries/")
}

/// The middleware: serve from the cache, or run the handler and keep its answer.
pub async fn layer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if request.method() != Method::GET || !cacheable(path) {
        return next.run(request).await;
    }
    let key = request
        .uri()
        .path_and_query()
        .map_or_else(|| path.to_string(), |p| p.as_str().to_string());
    let request_headers = request.headers().clone();
    let caching = !state.site.page_cache.is_zero();
    if caching && let Lookup::Hit(entry) = state.page_cache.get(&key, &state) {
        return answer(&entry, &request_headers);
    }
    // The handler makes the whole page for everyone: a client's validators are answered below,
    // from what it made (otherwise a feed reader's If-None-Match would get a 304 to keep).
    let mut request = request;
    request.headers_mut().remove(header::IF_NONE_MATCH);
    request.headers_mut().remove(header::IF_MODIFIED_SINCE);
    let response = next.run(request).await;
    if response.status() != StatusCode::OK {
        // An error is never kept; an older good page, if any, stays until it is renewed.
        state.page_cache.unmark(&key);
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let body = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(error) => {
            state.page_cache.unmark(&key);
            tracing::warn!(%error, "a page's body failed while caching it");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    // Handlers that set their own validators (the feeds) keep them.
    let etag = match parts
        .headers
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
    {
        Some(etag) => etag.to_string(),
        None => {
            let etag = Validators::for_body(&body, None).etag;
            if let Ok(value) = HeaderValue::from_str(&etag) {
                parts.headers.insert(header::ETAG, value);
            }
            etag
        }
    };
    if caching {
        parts
            .headers
            .entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static(CACHE_CONTROL));
    }
    let last_modified = parts
        .headers
        .get(header::LAST_MODIFIED)
        .and_then(|v| v.to_str().ok())
        .and_then(|text| DateTime::parse_from_rfc2822(text).ok())
        .map(|date| date.with_timezone(&Utc));
    let entry = Entry {
        at: Instant::now(),
        headers: parts.headers,
        body,
        etag,
        last_modified,
        refreshing: None,
    };
    if caching && entry.body.len() <= MAX_BODY {
        state.page_cache.put(key, entry.clone());
    } else {
        state.page_cache.unmark(&key);
    }
    answer(&entry, &request_headers)
}

/// The entry as a response: a 304 when the client already has it.
fn answer(entry: &Entry, request_headers: &HeaderMap) -> Response {
    let validators = Validators {
        etag: entry.etag.clone(),
        last_modified: entry.last_modified,
    };
    if validators.not_modified(request_headers) {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        for name in [header::ETAG, header::CACHE_CONTROL, header::LAST_MODIFIED] {
            if let Some(value) = entry.headers.get(&name) {
                response.headers_mut().insert(name, value.clone());
            }
        }
        return response;
    }
    let mut response = Response::new(Body::from(entry.body.clone()));
    *response.headers_mut() = entry.headers.clone();
    response
}
