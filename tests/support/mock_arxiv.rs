//! A mock arXiv for end-to-end tests: the listing feeds (`/rss/{cats}`, `/atom/{cats}`), the API
//! (`/api/query`) and OAI-PMH (`/oai2`) on 127.0.0.1, serving arXiv's real formats (modelled on the
//! captures in `tests/fixtures/arxiv`) generated from [`Paper`] values, with faults on demand.
//!
//! ```ignore
//! let mock = MockArxiv::start().await;
//! mock.set_listing(day, vec![(paper.clone(), "new")]);
//! mock.add_papers(vec![paper]);
//! mock.push_fault("/rss", Fault::Status { code: 503, retry_after: Some("1".into()) });
//! // point the crawler at mock.feed_url(), mock.api_url(), mock.oai_url() …
//! assert_eq!(mock.requests_to("/rss").len(), 2);
//! ```
//!
//! Every response is built whole before it is sent, so a fault can cut or corrupt the real body.
//! [`Fault::DropMidBody`] needs control below HTTP: connections go through [`CutIo`], which the
//! handler arms to close the socket once half the body has been written.
#![allow(dead_code)]

use std::collections::hash_map::DefaultHasher;
use std::fmt::Write as _;
use std::hash::{Hash, Hasher};
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::connect_info::{ConnectInfo, Connected};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use axum::serve::{IncomingStream, Listener};
use chrono::{DateTime, NaiveDate, SubsecRound, TimeDelta, Utc};
use papers_core::{ArxivId, Category, Paper};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// The id a [`Fault::MalformedEntry`] puts in place of a real one.
pub const MALFORMED_ID: &str = "not-an-id";

const LICENSE: &str = "http://arxiv.org/licenses/nonexclusive-distrib/1.0/";
const ANNOUNCE_TYPES: [&str; 4] = ["new", "cross", "replace", "replace-cross"];
const DEFAULT_MAX_RESULTS: usize = 10;
const MAX_RESULTS_CAP: usize = 2000;

/// A fault served instead of (or on top of) the normal response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// This status (with a `Retry-After` header when given: seconds or an HTTP date) and a small
    /// HTML body.
    Status {
        code: u16,
        retry_after: Option<String>,
    },
    /// The normal response, only after this delay.
    Delay(Duration),
    /// The normal response's headers (Content-Length of the full body) and the first half of its
    /// body, then the connection is closed.
    DropMidBody,
    /// The first half of the normal body as a complete 200 response (Content-Length of the half):
    /// XML that stops mid-way.
    TruncateBody,
    /// The normal response with one entry's (item's, record's) id replaced by [`MALFORMED_ID`].
    MalformedEntry,
}

/// One request the mock received.
#[derive(Clone, Debug)]
pub struct LoggedRequest {
    pub path: String,
    /// The raw query string (still percent-encoded), empty when there is none.
    pub query: String,
    pub at: Instant,
    /// Header names in lower case, in the order received.
    pub headers: Vec<(String, String)>,
}

impl LoggedRequest {
    /// The first value of a header (name in any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The decoded query parameters.
    pub fn params(&self) -> Vec<(String, String)> {
        parse_form(&self.query)
    }
}

/// The mock server. Clones share the same server and state.
#[derive(Clone)]
pub struct MockArxiv {
    inner: Arc<Inner>,
}

struct Inner {
    addr: SocketAddr,
    state: Mutex<MockState>,
}

struct MockState {
    listing: Option<Listing>,
    /// When the listing last changed (the feeds' Last-Modified); strictly increasing.
    listing_modified: DateTime<Utc>,
    papers: Vec<Paper>,
    faults: Vec<(String, Fault)>,
    requests: Vec<LoggedRequest>,
    oai_page_size: usize,
    /// Search pages after the first start this many entries early, repeating the end of the
    /// page before (arXiv's offset paging does this when papers arrive during a harvest).
    api_page_overlap: usize,
}

struct Listing {
    day: NaiveDate,
    entries: Vec<(Paper, String)>,
}

impl MockArxiv {
    /// Binds 127.0.0.1 on a free port and serves in a task of the current runtime (the server
    /// stops with the runtime).
    pub async fn start() -> MockArxiv {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the mock arXiv");
        let addr = listener.local_addr().expect("the mock's address");
        let inner = Arc::new(Inner {
            addr,
            state: Mutex::new(MockState {
                listing: None,
                listing_modified: Utc::now().trunc_subsecs(0),
                papers: Vec::new(),
                faults: Vec::new(),
                requests: Vec::new(),
                oai_page_size: 100,
                api_page_overlap: 0,
            }),
        });
        let app = Router::new()
            .fallback(handle)
            .with_state(inner.clone())
            .into_make_service_with_connect_info::<ConnCtl>();
        tokio::spawn(async move {
            axum::serve(CutListener(listener), app)
                .await
                .expect("the mock arXiv server failed");
        });
        MockArxiv { inner }
    }

    /// `http://127.0.0.1:PORT`
    pub fn base_url(&self) -> String {
        format!("http://{}", self.inner.addr)
    }

    /// The listing feeds' base: the crawler appends `/rss/{cats}` or `/atom/{cats}`.
    pub fn feed_url(&self) -> String {
        self.base_url()
    }

    pub fn api_url(&self) -> String {
        format!("{}/api/query", self.base_url())
    }

    pub fn oai_url(&self) -> String {
        format!("{}/oai2", self.base_url())
    }

    /// The day's listing (replacing any earlier one): every paper with how it was announced
    /// (`new`, `cross`, `replace`, `replace-cross`). An empty listing is a weekend feed.
    pub fn set_listing(&self, day: NaiveDate, entries: Vec<(Paper, &'static str)>) {
        for (paper, kind) in &entries {
            assert!(
                ANNOUNCE_TYPES.contains(kind),
                "announce type of {} must be one of {ANNOUNCE_TYPES:?}, not {kind:?}",
                paper.id
            );
            assert!(!paper.categories.is_empty(), "{} has no category", paper.id);
        }
        let mut state = self.inner.lock();
        state.listing = Some(Listing {
            day,
            entries: entries
                .into_iter()
                .map(|(p, kind)| (p, kind.to_string()))
                .collect(),
        });
        let now = Utc::now().trunc_subsecs(0);
        state.listing_modified = now.max(state.listing_modified + TimeDelta::seconds(1));
    }

    /// Papers the API and OAI-PMH know; a paper with a known id replaces the old one.
    pub fn add_papers(&self, papers: Vec<Paper>) {
        let mut state = self.inner.lock();
        for paper in papers {
            assert!(!paper.categories.is_empty(), "{} has no category", paper.id);
            match state.papers.iter_mut().find(|p| p.id == paper.id) {
                Some(known) => *known = paper,
                None => state.papers.push(paper),
            }
        }
    }

    /// Records per OAI-PMH `ListRecords` page (default 100).
    pub fn set_oai_page_size(&self, n: usize) {
        assert!(n > 0, "an OAI-PMH page holds at least one record");
        self.inner.lock().oai_page_size = n;
    }

    /// Makes every API search page but the first repeat the last `n` entries of the page before.
    pub fn set_api_page_overlap(&self, n: usize) {
        self.inner.lock().api_page_overlap = n;
    }

    /// Queues a fault for the next request whose path starts with `path_prefix` (`/rss`,
    /// `/atom`, `/api/query`, `/oai2`). Faults for a prefix are served in the order pushed, one
    /// request each.
    pub fn push_fault(&self, path_prefix: &str, fault: Fault) {
        if let Fault::Status { code, .. } = &fault {
            assert!(
                StatusCode::from_u16(*code).is_ok(),
                "{code} is not an HTTP status"
            );
        }
        self.inner
            .lock()
            .faults
            .push((path_prefix.to_string(), fault));
    }

    /// Faults pushed and not served yet.
    pub fn pending_faults(&self) -> usize {
        self.inner.lock().faults.len()
    }

    /// Every request received, in order.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.inner.lock().requests.clone()
    }

    /// The requests whose path starts with `path_prefix`, in order.
    pub fn requests_to(&self, path_prefix: &str) -> Vec<LoggedRequest> {
        self.inner
            .lock()
            .requests
            .iter()
            .filter(|r| r.path.starts_with(path_prefix))
            .cloned()
            .collect()
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, MockState> {
        // A test that panicked while holding the lock must not hide its own failure behind ours.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

// ---------------------------------------------------------------------------------------------
// Request handling

/// A response built whole (the faults work on it).
struct Reply {
    status: StatusCode,
    headers: Vec<(header::HeaderName, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn new(status: StatusCode, content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status,
            headers: vec![(header::CONTENT_TYPE, content_type.to_string())],
            body: body.into(),
        }
    }

    fn into_response(self) -> Response {
        let mut builder = Response::builder().status(self.status);
        for (name, value) in &self.headers {
            builder = builder.header(name, value);
        }
        builder
            .body(Body::from(self.body))
            .expect("a valid response")
    }
}

/// The one handler: logs, applies the next matching fault, then serves.
async fn handle(State(inner): State<Arc<Inner>>, request: Request) -> Response {
    let path = request.uri().path().to_string();
    let query = request.uri().query().unwrap_or_default().to_string();
    let headers = request.headers().clone();
    let conn = request
        .extensions()
        .get::<ConnectInfo<ConnCtl>>()
        .map(|c| c.0.clone());
    let fault = {
        let mut state = inner.lock();
        state.requests.push(LoggedRequest {
            path: path.clone(),
            query: query.clone(),
            at: Instant::now(),
            headers: headers
                .iter()
                .map(|(n, v)| {
                    (
                        n.as_str().to_string(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect(),
        });
        let next = state
            .faults
            .iter()
            .position(|(prefix, _)| path.starts_with(prefix.as_str()));
        next.map(|i| state.faults.remove(i).1)
    };
    let params = parse_form(&query);
    // Faults that change the body serve the full response, whatever the conditional headers.
    let unconditional = HeaderMap::new();
    match fault {
        None => inner.serve(&path, &params, &headers, false).into_response(),
        Some(Fault::Status { code, retry_after }) => {
            let status = StatusCode::from_u16(code).expect("checked in push_fault");
            let body = format!(
                "<html><head><title>{status}</title></head><body><h1>{status}</h1></body></html>\n"
            );
            let mut reply = Reply::new(status, "text/html; charset=utf-8", body);
            if let Some(value) = retry_after {
                reply.headers.push((header::RETRY_AFTER, value));
            }
            reply.into_response()
        }
        Some(Fault::Delay(delay)) => {
            tokio::time::sleep(delay).await;
            inner.serve(&path, &params, &headers, false).into_response()
        }
        Some(Fault::DropMidBody) => {
            let reply = inner.serve(&path, &params, &unconditional, false);
            match conn {
                Some(conn) => conn.arm(reply.body.len() / 2),
                None => panic!("the mock's connections always carry their control"),
            }
            reply.into_response()
        }
        Some(Fault::TruncateBody) => {
            let mut reply = inner.serve(&path, &params, &unconditional, false);
            let mut half = reply.body.len() / 2;
            // Cut at a character boundary: the XML stops, the UTF-8 stays valid.
            while half > 0 && (reply.body[half] & 0xC0) == 0x80 {
                half -= 1;
            }
            reply.body.truncate(half);
            reply.status = StatusCode::OK;
            reply.into_response()
        }
        Some(Fault::MalformedEntry) => inner
            .serve(&path, &params, &unconditional, true)
            .into_response(),
    }
}

impl Inner {
    fn serve(
        &self,
        path: &str,
        params: &[(String, String)],
        headers: &HeaderMap,
        malformed: bool,
    ) -> Reply {
        if let Some(cats) = path.strip_prefix("/rss/") {
            self.feed(FeedKind::Rss, cats, headers, malformed)
        } else if let Some(cats) = path.strip_prefix("/atom/") {
            self.feed(FeedKind::Atom, cats, headers, malformed)
        } else if path == "/api/query" {
            self.api(params, malformed)
        } else if path == "/oai2" {
            self.oai(params, malformed)
        } else {
            Reply::new(
                StatusCode::NOT_FOUND,
                "text/plain; charset=utf-8",
                format!("no such page on the mock arXiv: {path}\n"),
            )
        }
    }

    fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

// ---------------------------------------------------------------------------------------------
// Listing feeds

#[derive(Clone, Copy, PartialEq, Eq)]
enum FeedKind {
    Rss,
    Atom,
}

impl FeedKind {
    fn segment(self) -> &'static str {
        match self {
            FeedKind::Rss => "rss",
            FeedKind::Atom => "atom",
        }
    }
}

/// One item of a feed as rendered.
struct FeedItem<'a> {
    paper: &'a Paper,
    announce_type: &'a str,
    malformed: bool,
}

impl Inner {
    fn feed(&self, kind: FeedKind, cats: &str, headers: &HeaderMap, malformed: bool) -> Reply {
        let cats: Vec<String> = percent_decode(cats, false)
            .split('+')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect();
        if cats.is_empty() {
            return Reply::new(
                StatusCode::NOT_FOUND,
                "text/plain; charset=utf-8",
                "no category in the feed URL\n",
            );
        }
        let state = self.lock();
        let (day, listed) = match &state.listing {
            Some(listing) => {
                let mut listed: Vec<&(Paper, String)> = Vec::new();
                for entry in &listing.entries {
                    let in_feed = entry.0.categories.iter().any(|c| in_categories(c, &cats));
                    if in_feed && !listed.iter().any(|e| e.0.id == entry.0.id) {
                        listed.push(entry);
                    }
                }
                (listing.day, listed)
            }
            None => (Utc::now().date_naive(), Vec::new()),
        };
        let bad = malformed.then_some(listed.len() / 2);
        let items: Vec<FeedItem> = listed
            .iter()
            .enumerate()
            .map(|(i, (paper, kind))| FeedItem {
                paper,
                announce_type: kind,
                malformed: bad == Some(i),
            })
            .collect();
        let self_url = format!("{}/{}/{}", self.base_url(), kind.segment(), cats.join("+"));
        let (body, content_type) = match kind {
            FeedKind::Rss => (
                render_rss(&self_url, &cats, day, &items),
                "application/rss+xml; charset=utf-8",
            ),
            FeedKind::Atom => (
                render_atom(&self_url, &cats, day, &items),
                "application/atom+xml; charset=utf-8",
            ),
        };
        let etag = format!("\"{:016x}\"", hash_of(&body));
        let last_modified = http_date(state.listing_modified);
        let validators = vec![
            (header::ETAG, etag.clone()),
            (header::LAST_MODIFIED, last_modified),
        ];
        if not_modified(headers, &etag, state.listing_modified) {
            return Reply {
                status: StatusCode::NOT_MODIFIED,
                headers: validators,
                body: Vec::new(),
            };
        }
        let mut reply = Reply::new(StatusCode::OK, content_type, body);
        reply.headers.extend(validators);
        reply
    }
}

/// A category is in a feed for `cs.LG` when it is `cs.LG`, and in a feed for `cs` when its
/// archive is `cs`.
fn in_categories(category: &Category, wanted: &[String]) -> bool {
    wanted.iter().any(|w| {
        w.eq_ignore_ascii_case(category.as_str()) || w.eq_ignore_ascii_case(category.archive())
    })
}

/// RFC 9110 §13.2.2: If-None-Match decides when present; otherwise If-Modified-Since.
fn not_modified(headers: &HeaderMap, etag: &str, modified: DateTime<Utc>) -> bool {
    if let Some(value) = headers.get(header::IF_NONE_MATCH) {
        let value = String::from_utf8_lossy(value.as_bytes());
        let bare = |t: &str| t.trim().trim_start_matches("W/").to_string();
        return value
            .split(',')
            .any(|t| t.trim() == "*" || bare(t) == bare(etag));
    }
    if let Some(value) = headers.get(header::IF_MODIFIED_SINCE) {
        let value = String::from_utf8_lossy(value.as_bytes());
        if let Ok(since) = DateTime::parse_from_rfc2822(value.trim()) {
            return modified <= since.with_timezone(&Utc);
        }
    }
    false
}

fn render_rss(self_url: &str, cats: &[String], day: NaiveDate, items: &[FeedItem]) -> String {
    let day_text = day.format("%a, %d %b %Y");
    let pub_date = format!("{day_text} 00:00:00 -0400");
    let names = esc(&cats.join(", "));
    let self_url = esc(self_url);
    let mut out = String::new();
    out.push_str("<?xml version='1.0' encoding='UTF-8'?>\n");
    out.push_str(
        "<rss xmlns:arxiv=\"http://arxiv.org/schemas/atom\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" \
         xmlns:atom=\"http://www.w3.org/2005/Atom\" \
         xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" version=\"2.0\">\n",
    );
    out.push_str("  <channel>\n");
    let _ = writeln!(out, "    <title>{names} updates on arXiv.org</title>");
    let _ = writeln!(out, "    <link>{self_url}</link>");
    let _ = writeln!(
        out,
        "    <description>{names} updates on the arXiv.org e-print archive.</description>"
    );
    let _ = writeln!(
        out,
        "    <atom:link href=\"{self_url}\" rel=\"self\" type=\"application/rss+xml\"/>"
    );
    out.push_str("    <docs>http://www.rssboard.org/rss-specification</docs>\n");
    out.push_str("    <language>en-us</language>\n");
    let _ = writeln!(
        out,
        "    <lastBuildDate>{day_text} 04:00:00 +0000</lastBuildDate>"
    );
    out.push_str("    <managingEditor>rss-help@arxiv.org</managingEditor>\n");
    let _ = writeln!(out, "    <pubDate>{pub_date}</pubDate>");
    out.push_str(
        "    <skipDays>\n      <day>Sunday</day>\n      <day>Saturday</day>\n    </skipDays>\n",
    );
    for item in items {
        let p = item.paper;
        let (id, vid) = feed_ids(item);
        let kind = esc(item.announce_type);
        out.push_str("    <item>\n");
        let _ = writeln!(out, "      <title>{}</title>", esc(&p.title));
        let _ = writeln!(out, "      <link>https://arxiv.org/abs/{id}</link>");
        let _ = writeln!(
            out,
            "      <description>arXiv:{vid} Announce Type: {kind} \nAbstract: {}</description>",
            esc(&p.abstract_text)
        );
        let _ = writeln!(
            out,
            "      <guid isPermaLink=\"false\">oai:arXiv.org:{vid}</guid>"
        );
        for category in &p.categories {
            let _ = writeln!(out, "      <category>{}</category>", esc(category.as_str()));
        }
        let _ = writeln!(out, "      <pubDate>{pub_date}</pubDate>");
        let _ = writeln!(
            out,
            "      <arxiv:announce_type>{kind}</arxiv:announce_type>"
        );
        let _ = writeln!(out, "      <dc:rights>{LICENSE}</dc:rights>");
        if let Some(journal) = &p.journal_ref {
            let _ = writeln!(
                out,
                "      <arxiv:journal_reference>{}</arxiv:journal_reference>",
                esc(journal)
            );
        }
        if let Some(doi) = &p.doi {
            let _ = writeln!(out, "      <arxiv:DOI>{}</arxiv:DOI>", esc(doi));
        }
        let _ = writeln!(
            out,
            "      <dc:creator>{}</dc:creator>",
            esc(&p.authors.join(", "))
        );
        out.push_str("    </item>\n");
    }
    out.push_str("  </channel>\n</rss>\n");
    out
}

fn render_atom(self_url: &str, cats: &[String], day: NaiveDate, items: &[FeedItem]) -> String {
    let built = format!("{}T04:00:00+00:00", day.format("%Y-%m-%d"));
    let published = format!("{}T00:00:00-04:00", day.format("%Y-%m-%d"));
    let names = esc(&cats.join(", "));
    let self_url = esc(self_url);
    let mut out = String::new();
    out.push_str("<?xml version='1.0' encoding='UTF-8'?>\n");
    out.push_str(
        "<feed xmlns:arxiv=\"http://arxiv.org/schemas/atom\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" \
         xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"en-us\">\n",
    );
    let _ = writeln!(out, "  <id>{self_url}</id>");
    let _ = writeln!(out, "  <title>{names} updates on arXiv.org</title>");
    let _ = writeln!(out, "  <updated>{built}</updated>");
    let _ = writeln!(
        out,
        "  <link href=\"{self_url}\" rel=\"self\" type=\"application/atom+xml\"/>"
    );
    let _ = writeln!(
        out,
        "  <subtitle>{names} updates on the arXiv.org e-print archive.</subtitle>"
    );
    for item in items {
        let p = item.paper;
        let (id, vid) = feed_ids(item);
        let kind = esc(item.announce_type);
        out.push_str("  <entry>\n");
        let _ = writeln!(out, "    <id>oai:arXiv.org:{vid}</id>");
        let _ = writeln!(out, "    <title>{}</title>", esc(&p.title));
        let _ = writeln!(out, "    <updated>{built}</updated>");
        let _ = writeln!(
            out,
            "    <link href=\"https://arxiv.org/abs/{id}\" rel=\"alternate\" type=\"text/html\"/>"
        );
        let _ = writeln!(
            out,
            "    <summary>arXiv:{vid} Announce Type: {kind} \nAbstract: {}</summary>",
            esc(&p.abstract_text)
        );
        for category in &p.categories {
            let _ = writeln!(out, "    <category term=\"{}\"/>", esc(category.as_str()));
        }
        let _ = writeln!(out, "    <published>{published}</published>");
        let _ = writeln!(out, "    <arxiv:announce_type>{kind}</arxiv:announce_type>");
        let _ = writeln!(out, "    <dc:rights>{LICENSE}</dc:rights>");
        if let Some(journal) = &p.journal_ref {
            let _ = writeln!(
                out,
                "    <arxiv:journal_reference>{}</arxiv:journal_reference>",
                esc(journal)
            );
        }
        if let Some(doi) = &p.doi {
            let _ = writeln!(out, "    <arxiv:DOI>{}</arxiv:DOI>", esc(doi));
        }
        let _ = writeln!(
            out,
            "    <dc:creator>{}</dc:creator>",
            esc(&p.authors.join(", "))
        );
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

/// The id and the versioned id an item shows (escaped).
fn feed_ids(item: &FeedItem) -> (String, String) {
    if item.malformed {
        (MALFORMED_ID.to_string(), MALFORMED_ID.to_string())
    } else {
        let id = esc(item.paper.id.as_str());
        let vid = format!("{id}v{}", item.paper.version);
        (id, vid)
    }
}

// ---------------------------------------------------------------------------------------------
// API

/// A search over the known papers: `cat:`, `ti:`, `abs:`, `au:`, `co:`, `jr:`, `id:`, `all:`
/// terms, `submittedDate:[A TO B]` / `lastUpdatedDate:[A TO B]` ranges, `AND`, `OR`, `ANDNOT`
/// and parentheses (left to right, as arXiv's Lucene syntax without precedence).
#[derive(Debug)]
enum Query {
    Term(String, String),
    Range(String, String, String),
    And(Box<Query>, Box<Query>),
    Or(Box<Query>, Box<Query>),
    AndNot(Box<Query>, Box<Query>),
}

impl Inner {
    fn api(&self, params: &[(String, String)], malformed: bool) -> Reply {
        let get = |name: &str| {
            params
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        let search = get("search_query").unwrap_or_default().trim().to_string();
        let id_list = get("id_list").unwrap_or_default().to_string();
        let start = match count_param(get("start"), "start", 0) {
            Ok(n) => n,
            Err(message) => return api_error(&message),
        };
        let max = match count_param(get("max_results"), "max_results", DEFAULT_MAX_RESULTS) {
            Ok(n) => n.min(MAX_RESULTS_CAP),
            Err(message) => return api_error(&message),
        };
        let mut requested = Vec::new();
        for raw in id_list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            match ArxivId::parse_versioned(raw) {
                Ok(parsed) => requested.push(parsed),
                Err(_) => return api_error(&format!("incorrect id format for {raw}")),
            }
        }

        let state = self.lock();
        let mut found: Vec<(&Paper, u32)> = if !requested.is_empty() {
            let mut found: Vec<(&Paper, u32)> = Vec::new();
            for (id, version) in &requested {
                let Some(paper) = state.papers.iter().find(|p| &p.id == id) else {
                    continue;
                };
                let version = version.unwrap_or(paper.version);
                let seen = found.iter().any(|(p, v)| p.id == paper.id && *v == version);
                if version >= 1 && version <= paper.version && !seen {
                    found.push((paper, version));
                }
            }
            found
        } else if !search.is_empty() {
            state.papers.iter().map(|p| (p, p.version)).collect()
        } else {
            Vec::new()
        };
        if !search.is_empty() {
            let query = parse_query(&search);
            found.retain(|(p, _)| query.as_ref().is_some_and(|q| q.matches(p)));
            if requested.is_empty() {
                sort_results(&mut found, get("sortBy"), get("sortOrder"));
            }
        }
        let total = found.len();
        // With an overlap, page k of a search starts k × overlap entries early, so it repeats
        // the last `overlap` entries of page k − 1.
        let first = if requested.is_empty() && max > 0 {
            start.saturating_sub(state.api_page_overlap * (start / max))
        } else {
            start
        };
        let page: Vec<(&Paper, u32)> = found.into_iter().skip(first).take(max).collect();
        let bad = malformed.then_some(page.len() / 2);

        let mut out = String::new();
        out.push_str("<?xml version='1.0' encoding='UTF-8'?>\n");
        out.push_str(
            "<feed xmlns:opensearch=\"http://a9.com/-/spec/opensearch/1.1/\" \
             xmlns:arxiv=\"http://arxiv.org/schemas/atom\" xmlns=\"http://www.w3.org/2005/Atom\">\n",
        );
        let echo =
            format!("search_query={search}&id_list={id_list}&start={start}&max_results={max}");
        let link = format!(
            "{}?search_query={search}&start={start}&max_results={max}&id_list={id_list}",
            self.base_url() + "/api/query"
        );
        let _ = writeln!(
            out,
            "  <id>https://arxiv.org/api/{:016x}</id>",
            hash_of(&echo)
        );
        let _ = writeln!(out, "  <title>arXiv Query: {}</title>", esc(&echo));
        let _ = writeln!(out, "  <updated>{}</updated>", api_time(Utc::now()));
        let _ = writeln!(
            out,
            "  <link href=\"{}\" type=\"application/atom+xml\"/>",
            esc(&link)
        );
        let _ = writeln!(
            out,
            "  <opensearch:itemsPerPage>{max}</opensearch:itemsPerPage>"
        );
        let _ = writeln!(
            out,
            "  <opensearch:totalResults>{total}</opensearch:totalResults>"
        );
        let _ = writeln!(
            out,
            "  <opensearch:startIndex>{start}</opensearch:startIndex>"
        );
        for (i, (paper, version)) in page.iter().enumerate() {
            render_api_entry(&mut out, paper, *version, bad == Some(i));
        }
        out.push_str("</feed>\n");
        Reply::new(StatusCode::OK, "application/atom+xml; charset=utf-8", out)
    }
}

fn render_api_entry(out: &mut String, p: &Paper, version: u32, malformed: bool) {
    let vid = if malformed {
        MALFORMED_ID.to_string()
    } else {
        format!("{}v{version}", esc(p.id.as_str()))
    };
    out.push_str("  <entry>\n");
    let _ = writeln!(out, "    <id>http://arxiv.org/abs/{vid}</id>");
    let _ = writeln!(out, "    <title>{}</title>", esc(&p.title));
    // arXiv always gives both dates; a paper given only one shows it for both.
    if let Some(updated) = p.updated.or(p.published) {
        let _ = writeln!(out, "    <updated>{}</updated>", api_time(updated));
    }
    let _ = writeln!(
        out,
        "    <link href=\"https://arxiv.org/abs/{vid}\" rel=\"alternate\" type=\"text/html\"/>"
    );
    let _ = writeln!(
        out,
        "    <link href=\"https://arxiv.org/pdf/{vid}\" rel=\"related\" type=\"application/pdf\" title=\"pdf\"/>"
    );
    let _ = writeln!(out, "    <summary>{}</summary>", esc(&p.abstract_text));
    for category in &p.categories {
        let _ = writeln!(
            out,
            "    <category term=\"{}\" scheme=\"http://arxiv.org/schemas/atom\"/>",
            esc(category.as_str())
        );
    }
    if let Some(published) = p.published.or(p.updated) {
        let _ = writeln!(out, "    <published>{}</published>", api_time(published));
    }
    if let Some(comment) = &p.comment {
        let _ = writeln!(out, "    <arxiv:comment>{}</arxiv:comment>", esc(comment));
    }
    let _ = writeln!(
        out,
        "    <arxiv:primary_category term=\"{}\"/>",
        esc(p.categories[0].as_str())
    );
    if let Some(journal) = &p.journal_ref {
        let _ = writeln!(
            out,
            "    <arxiv:journal_ref>{}</arxiv:journal_ref>",
            esc(journal)
        );
    }
    for author in &p.authors {
        let _ = writeln!(
            out,
            "    <author>\n      <name>{}</name>\n    </author>",
            esc(author)
        );
    }
    if let Some(doi) = &p.doi {
        let doi = esc(doi);
        let _ = writeln!(out, "    <arxiv:doi>{doi}</arxiv:doi>");
        let _ = writeln!(
            out,
            "    <link rel=\"related\" href=\"https://doi.org/{doi}\" title=\"doi\"/>"
        );
    }
    out.push_str("  </entry>\n");
}

/// arXiv's error feed (HTTP 400), as for `id_list=abc`.
fn api_error(message: &str) -> Reply {
    let now = api_time(Utc::now());
    let anchor = esc(&format!(
        "https://arxiv.org/api/errors#{}",
        message.replace(' ', "_")
    ));
    let mut out = String::new();
    out.push_str("<?xml version='1.0' encoding='UTF-8'?>\n");
    out.push_str(
        "<feed xmlns:opensearch=\"http://a9.com/-/spec/opensearch/1.1/\" \
         xmlns:arxiv=\"http://arxiv.org/schemas/atom\" xmlns=\"http://www.w3.org/2005/Atom\">\n",
    );
    out.push_str("  <id>https://arxiv.org/</id>\n");
    out.push_str("  <title>arXiv Search Results</title>\n");
    let _ = writeln!(out, "  <updated>{now}</updated>");
    out.push_str("  <opensearch:itemsPerPage>1</opensearch:itemsPerPage>\n");
    out.push_str("  <opensearch:totalResults>1</opensearch:totalResults>\n");
    out.push_str("  <opensearch:startIndex>0</opensearch:startIndex>\n");
    out.push_str("  <entry>\n");
    let _ = writeln!(out, "    <id>{anchor}</id>");
    out.push_str("    <title>Error</title>\n");
    let _ = writeln!(out, "    <updated>{now}</updated>");
    let _ = writeln!(
        out,
        "    <link href=\"{anchor}\" rel=\"alternate\" type=\"text/html\"/>"
    );
    let _ = writeln!(out, "    <summary>{}</summary>", esc(message));
    out.push_str("    <author>\n      <name>arXiv api core</name>\n    </author>\n");
    out.push_str("  </entry>\n</feed>\n");
    Reply::new(
        StatusCode::BAD_REQUEST,
        "application/atom+xml; charset=utf-8",
        out,
    )
}

fn count_param(value: Option<&str>, name: &str, default: usize) -> Result<usize, String> {
    match value.map(str::trim) {
        None | Some("") => Ok(default),
        Some(text) => match text.parse::<i64>() {
            Ok(n) if n >= 0 => Ok(usize::try_from(n).unwrap_or(usize::MAX)),
            Ok(_) => Err(format!("{name} must be non-negative")),
            Err(_) => Err(format!("{name} must be an integer")),
        },
    }
}

fn sort_results(found: &mut [(&Paper, u32)], sort_by: Option<&str>, sort_order: Option<&str>) {
    let key: fn(&Paper) -> Option<DateTime<Utc>> = match sort_by {
        Some("submittedDate") => |p| p.published,
        Some("lastUpdatedDate") => |p| p.updated.or(p.published),
        _ => return,
    };
    found.sort_by(|(a, _), (b, _)| key(a).cmp(&key(b)).then_with(|| a.id.cmp(&b.id)));
    if sort_order != Some("ascending") {
        found.reverse();
    }
}

fn parse_query(text: &str) -> Option<Query> {
    let tokens = tokenize(text);
    let mut pos = 0;
    let query = parse_expr(&tokens, &mut pos)?;
    (pos == tokens.len()).then_some(query)
}

fn tokenize(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == '(' || c == ')' {
            tokens.push(c.to_string());
            i += 1;
            continue;
        }
        let mut token = String::new();
        while i < chars.len() {
            let c = chars[i];
            if c == '[' || c == '"' {
                // A range or a phrase runs to its closing bracket or quote, spaces included.
                let close = if c == '[' { ']' } else { '"' };
                token.push(c);
                i += 1;
                while i < chars.len() && chars[i] != close {
                    token.push(chars[i]);
                    i += 1;
                }
                if i < chars.len() {
                    token.push(close);
                    i += 1;
                }
                continue;
            }
            if c.is_whitespace() || c == '(' || c == ')' {
                break;
            }
            token.push(c);
            i += 1;
        }
        tokens.push(token);
    }
    tokens
}

fn parse_expr(tokens: &[String], pos: &mut usize) -> Option<Query> {
    let mut left = parse_operand(tokens, pos)?;
    while *pos < tokens.len() && tokens[*pos] != ")" {
        let op = match tokens[*pos].as_str() {
            op @ ("AND" | "OR" | "ANDNOT") => {
                *pos += 1;
                op
            }
            // Juxtaposed terms: all of them.
            _ => "AND",
        };
        let right = Box::new(parse_operand(tokens, pos)?);
        let l = Box::new(left);
        left = match op {
            "OR" => Query::Or(l, right),
            "ANDNOT" => Query::AndNot(l, right),
            _ => Query::And(l, right),
        };
    }
    Some(left)
}

fn parse_operand(tokens: &[String], pos: &mut usize) -> Option<Query> {
    let token = tokens.get(*pos)?;
    *pos += 1;
    if token == "(" {
        let inner = parse_expr(tokens, pos)?;
        if tokens.get(*pos).map(String::as_str) != Some(")") {
            return None;
        }
        *pos += 1;
        return Some(inner);
    }
    let (field, value) = token.split_once(':')?;
    if let Some(range) = value.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        let (lo, hi) = range.split_once(" TO ")?;
        return Some(Query::Range(
            field.to_string(),
            lo.trim().to_string(),
            hi.trim().to_string(),
        ));
    }
    Some(Query::Term(
        field.to_string(),
        value.trim_matches('"').to_string(),
    ))
}

impl Query {
    fn matches(&self, p: &Paper) -> bool {
        match self {
            Query::And(a, b) => a.matches(p) && b.matches(p),
            Query::Or(a, b) => a.matches(p) || b.matches(p),
            Query::AndNot(a, b) => a.matches(p) && !b.matches(p),
            Query::Range(field, lo, hi) => {
                let date = match field.as_str() {
                    "submittedDate" => p.published,
                    "lastUpdatedDate" => p.updated.or(p.published),
                    _ => None,
                };
                match (date, date_bound(lo), date_bound(hi)) {
                    (Some(date), Some((from, _)), Some((_, until))) => from <= date && date < until,
                    _ => false,
                }
            }
            Query::Term(field, value) => {
                let needle = value.to_lowercase();
                let has = |text: &str| text.to_lowercase().contains(&needle);
                let note = |text: &Option<String>| text.as_deref().is_some_and(has);
                let category = || {
                    p.categories.iter().any(|c| {
                        c.as_str().eq_ignore_ascii_case(value)
                            || value
                                .strip_suffix(".*")
                                .is_some_and(|a| c.archive().eq_ignore_ascii_case(a))
                    })
                };
                match field.as_str() {
                    "cat" => category(),
                    "id" => ArxivId::parse(value).is_ok_and(|id| id == p.id),
                    "ti" => has(&p.title),
                    "abs" => has(&p.abstract_text),
                    "au" => p.authors.iter().any(|a| has(a)),
                    "co" => note(&p.comment),
                    "jr" => note(&p.journal_ref),
                    "all" => {
                        has(&p.title)
                            || has(&p.abstract_text)
                            || p.authors.iter().any(|a| has(a))
                            || note(&p.comment)
                            || note(&p.journal_ref)
                            || category()
                    }
                    _ => false,
                }
            }
        }
    }
}

/// `YYYYMMDD[HH[MM[SS]]]` as the instant it starts and the instant after it ends.
fn date_bound(text: &str) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let step = match text.len() {
        8 => TimeDelta::days(1),
        10 => TimeDelta::hours(1),
        12 => TimeDelta::minutes(1),
        14 => TimeDelta::seconds(1),
        _ => return None,
    };
    let padded = format!("{text:0<14}");
    let part = |range: std::ops::Range<usize>| padded[range].parse::<u32>().ok();
    let year = i32::try_from(part(0..4)?).ok()?;
    let date = NaiveDate::from_ymd_opt(year, part(4..6)?, part(6..8)?)?;
    let start = date
        .and_hms_opt(part(8..10)?, part(10..12)?, part(12..14)?)?
        .and_utc();
    Some((start, start + step))
}

// ---------------------------------------------------------------------------------------------
// OAI-PMH

struct OaiError {
    code: &'static str,
    message: String,
    /// Whether the request's arguments are echoed (not for badVerb / badArgument).
    echo: bool,
}

impl OaiError {
    fn new(code: &'static str, message: impl Into<String>) -> OaiError {
        let echo = !matches!(code, "badVerb" | "badArgument");
        OaiError {
            code,
            message: message.into(),
            echo,
        }
    }
}

/// Where a `ListRecords` harvest is.
/// The two metadata formats arXiv's OAI-PMH serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    /// `arXiv`: created/updated dates, structured authors, no version numbers.
    ArXiv,
    /// `arXivRaw`: one `<version>` per version with its date, authors as one string.
    Raw,
}

impl Format {
    fn from_prefix(prefix: &str) -> Result<Format, OaiError> {
        match prefix {
            "arXiv" => Ok(Format::ArXiv),
            "arXivRaw" => Ok(Format::Raw),
            other => Err(OaiError::new(
                "cannotDisseminateFormat",
                format!("The mock arXiv serves metadataPrefix=arXiv and arXivRaw, not {other}."),
            )),
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            Format::ArXiv => "arXiv",
            Format::Raw => "arXivRaw",
        }
    }
}

struct Harvest {
    format: Format,
    offset: usize,
    from: Option<NaiveDate>,
    until: Option<NaiveDate>,
    set: Option<String>,
}

impl Harvest {
    fn token(&self, offset: usize) -> String {
        let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        format!(
            "{offset}|{}|{}|{}|{}",
            self.format.prefix(),
            date(self.from),
            date(self.until),
            self.set.as_deref().unwrap_or_default()
        )
    }

    fn from_token(token: &str) -> Option<Harvest> {
        let mut parts = token.splitn(5, '|');
        let offset = parts.next()?.parse().ok()?;
        let format = Format::from_prefix(parts.next()?).ok()?;
        let date = |text: &str| -> Option<Option<NaiveDate>> {
            if text.is_empty() {
                Some(None)
            } else {
                NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().map(Some)
            }
        };
        let from = date(parts.next()?)?;
        let until = date(parts.next()?)?;
        let set = parts.next()?;
        Some(Harvest {
            format,
            offset,
            from,
            until,
            set: (!set.is_empty()).then(|| set.to_string()),
        })
    }
}

impl Inner {
    fn oai(&self, params: &[(String, String)], malformed: bool) -> Reply {
        let get = |name: &str| {
            params
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        let result = match get("verb") {
            Some("ListRecords") => self.list_records(params, malformed),
            Some("GetRecord") => self.get_record(params, malformed),
            Some(other) => Err(OaiError::new(
                "badVerb",
                format!("Value of the verb argument is not a legal OAI-PMH verb: {other}"),
            )),
            None => Err(OaiError::new("badVerb", "The verb argument is missing.")),
        };
        let (echo, content) = match result {
            Ok(content) => (true, content),
            Err(error) => (
                error.echo,
                format!(
                    "<error code=\"{}\">{}</error>\n",
                    error.code,
                    esc(&error.message)
                ),
            ),
        };
        let mut out = String::new();
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        out.push_str(
            "<OAI-PMH xmlns=\"http://www.openarchives.org/OAI/2.0/\" \
             xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
             xsi:schemaLocation=\"http://www.openarchives.org/OAI/2.0/ \
             http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd\">\n",
        );
        let _ = writeln!(out, "<responseDate>{}</responseDate>", api_time(Utc::now()));
        out.push_str("<request");
        if echo {
            for (name, value) in params {
                let _ = write!(out, " {}=\"{}\"", esc(name), esc(value));
            }
        }
        let _ = writeln!(out, ">{}/oai2</request>", esc(&self.base_url()));
        out.push_str(&content);
        out.push_str("</OAI-PMH>\n");
        Reply::new(StatusCode::OK, "text/xml; charset=utf-8", out)
    }

    fn list_records(
        &self,
        params: &[(String, String)],
        malformed: bool,
    ) -> Result<String, OaiError> {
        let get = |name: &str| {
            params
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        let resumed = get("resumptionToken").is_some();
        let harvest = if let Some(token) = get("resumptionToken") {
            if params
                .iter()
                .any(|(n, _)| n != "verb" && n != "resumptionToken")
            {
                return Err(OaiError::new(
                    "badArgument",
                    "resumptionToken is an exclusive argument.",
                ));
            }
            Harvest::from_token(token).ok_or_else(|| {
                OaiError::new(
                    "badResumptionToken",
                    "The value of the resumptionToken argument is invalid or expired.",
                )
            })?
        } else {
            let format = match get("metadataPrefix") {
                None => {
                    return Err(OaiError::new(
                        "badArgument",
                        "metadataPrefix is a required argument.",
                    ));
                }
                Some(prefix) => Format::from_prefix(prefix)?,
            };
            let date = |name: &str| -> Result<Option<NaiveDate>, OaiError> {
                match get(name) {
                    None => Ok(None),
                    Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
                        .map(Some)
                        .map_err(|_| {
                            OaiError::new(
                                "badArgument",
                                format!("Illegal {name} date (YYYY-MM-DD expected): {text}"),
                            )
                        }),
                }
            };
            let (from, until) = (date("from")?, date("until")?);
            if let (Some(from), Some(until)) = (from, until)
                && from > until
            {
                return Err(OaiError::new(
                    "badArgument",
                    "The from date is after the until date.",
                ));
            }
            Harvest {
                format,
                offset: 0,
                from,
                until,
                set: get("set").map(str::to_string),
            }
        };

        let state = self.lock();
        let mut records: Vec<(NaiveDate, &Paper)> = state
            .papers
            .iter()
            .filter(|p| harvest.set.as_deref().is_none_or(|s| in_set(p, s)))
            .map(|p| (datestamp(p), p))
            .filter(|(d, _)| harvest.from.is_none_or(|f| *d >= f))
            .filter(|(d, _)| harvest.until.is_none_or(|u| *d <= u))
            .collect();
        records.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.id.cmp(&b.1.id)));
        let total = records.len();
        if total == 0 && !resumed {
            return Err(OaiError::new(
                "noRecordsMatch",
                "The combination of the values of the from, until, set and metadataPrefix \
                 arguments results in an empty list.",
            ));
        }
        if harvest.offset >= total {
            return Err(OaiError::new(
                "badResumptionToken",
                "The value of the resumptionToken argument is invalid or expired.",
            ));
        }
        let end = (harvest.offset + state.oai_page_size).min(total);
        let page = &records[harvest.offset..end];
        let bad = malformed.then_some(page.len() / 2);
        let mut out = String::from("<ListRecords>\n");
        for (i, (stamp, paper)) in page.iter().enumerate() {
            let sets = match &harvest.set {
                Some(set) => vec![set.clone()],
                None => set_specs(paper),
            };
            render_record(
                &mut out,
                harvest.format,
                paper,
                *stamp,
                &sets,
                bad == Some(i),
            );
        }
        let cursor = harvest.offset;
        if end < total {
            let _ = writeln!(
                out,
                "<resumptionToken cursor=\"{cursor}\" completeListSize=\"{total}\">{}</resumptionToken>",
                esc(&harvest.token(end))
            );
        } else if cursor > 0 {
            let _ = writeln!(
                out,
                "<resumptionToken cursor=\"{cursor}\" completeListSize=\"{total}\"/>"
            );
        }
        out.push_str("</ListRecords>\n");
        Ok(out)
    }

    fn get_record(&self, params: &[(String, String)], malformed: bool) -> Result<String, OaiError> {
        let get = |name: &str| {
            params
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        let (Some(identifier), Some(prefix)) = (get("identifier"), get("metadataPrefix")) else {
            return Err(OaiError::new(
                "badArgument",
                "GetRecord needs identifier and metadataPrefix.",
            ));
        };
        let format = Format::from_prefix(prefix)?;
        let missing = || {
            OaiError::new(
                "idDoesNotExist",
                format!(
                    "{identifier} has the structure of a valid LOC identifier, but it maps to no known item"
                ),
            )
        };
        let id = identifier
            .strip_prefix("oai:arXiv.org:")
            .and_then(|rest| ArxivId::parse(rest).ok())
            .ok_or_else(missing)?;
        let state = self.lock();
        let paper = state
            .papers
            .iter()
            .find(|p| p.id == id)
            .ok_or_else(missing)?;
        let mut out = String::from("<GetRecord>\n");
        render_record(
            &mut out,
            format,
            paper,
            datestamp(paper),
            &set_specs(paper),
            malformed,
        );
        out.push_str("</GetRecord>\n");
        Ok(out)
    }
}

/// The record's OAI datestamp: when the latest version came, else v1, else the listing day.
fn datestamp(p: &Paper) -> NaiveDate {
    p.updated
        .or(p.published)
        .map(|d| d.date_naive())
        .or(p.announced)
        .unwrap_or_else(|| Utc::now().date_naive())
}

/// arXiv's OAI set of a category: `cs`, `math`, `stat`…, and `physics:hep-th` for the physics
/// archives.
fn set_spec(category: &Category) -> String {
    let archive = category.archive();
    let physics = papers_core::category::archives()
        .iter()
        .any(|a| a.code == archive && a.group == "Physics");
    if physics {
        format!("physics:{archive}")
    } else {
        archive.to_string()
    }
}

fn set_specs(p: &Paper) -> Vec<String> {
    let mut sets: Vec<String> = Vec::new();
    for spec in p.categories.iter().map(set_spec) {
        if !sets.contains(&spec) {
            sets.push(spec);
        }
    }
    sets
}

/// As on arXiv, a record is in the set of every one of its categories (the capture of
/// `set=physics:hep-th` lists a quant-ph paper cross-listed to hep-th); `physics` holds every
/// `physics:*` set.
fn in_set(p: &Paper, set: &str) -> bool {
    set_specs(p)
        .iter()
        .any(|s| s == set || s.strip_prefix(set).is_some_and(|r| r.starts_with(':')))
}

fn render_record(
    out: &mut String,
    format: Format,
    p: &Paper,
    stamp: NaiveDate,
    sets: &[String],
    malformed: bool,
) {
    let id = if malformed {
        MALFORMED_ID.to_string()
    } else {
        esc(p.id.as_str())
    };
    out.push_str("<record>\n<header>\n");
    let _ = writeln!(out, " <identifier>oai:arXiv.org:{id}</identifier>");
    let _ = writeln!(out, " <datestamp>{stamp}</datestamp>");
    for set in sets {
        let _ = writeln!(out, " <setSpec>{}</setSpec>", esc(set));
    }
    out.push_str("</header>\n<metadata>\n");
    match format {
        Format::ArXiv => render_arxiv(out, p, &id),
        Format::Raw => render_arxiv_raw(out, p, &id),
    }
    out.push_str("</metadata>\n</record>\n");
}

/// The `arXiv` metadata of a record.
fn render_arxiv(out: &mut String, p: &Paper, id: &str) {
    out.push_str(
        " <arXiv xmlns=\"http://arxiv.org/OAI/arXiv/\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xsi:schemaLocation=\"http://arxiv.org/OAI/arXiv/ http://arxiv.org/OAI/arXiv.xsd\">\n",
    );
    let _ = write!(out, " <id>{id}</id>");
    let created = p.published.map(|d| d.date_naive());
    if let Some(created) = created {
        let _ = write!(out, "<created>{created}</created>");
    }
    // arXiv gives <updated> only for papers with more than one version.
    if let Some(updated) = p.updated.map(|d| d.date_naive())
        && (p.version > 1 || created != Some(updated))
    {
        let _ = write!(out, "<updated>{updated}</updated>");
    }
    out.push_str("<authors>");
    for author in &p.authors {
        let (forenames, keyname) = match author.trim().rsplit_once(' ') {
            Some((forenames, keyname)) => (Some(forenames.trim()), keyname),
            None => (None, author.trim()),
        };
        let _ = write!(out, "<author><keyname>{}</keyname>", esc(keyname));
        if let Some(forenames) = forenames {
            let _ = write!(out, "<forenames>{}</forenames>", esc(forenames));
        }
        out.push_str("</author>");
    }
    out.push_str("</authors>");
    let _ = write!(out, "<title>{}</title>", esc(&p.title));
    let categories: Vec<&str> = p.categories.iter().map(Category::as_str).collect();
    let _ = write!(
        out,
        "<categories>{}</categories>",
        esc(&categories.join(" "))
    );
    if let Some(comment) = &p.comment {
        let _ = write!(out, "<comments>{}</comments>", esc(comment));
    }
    if let Some(journal) = &p.journal_ref {
        let _ = write!(out, "<journal-ref>{}</journal-ref>", esc(journal));
    }
    if let Some(doi) = &p.doi {
        let _ = write!(out, "<doi>{}</doi>", esc(doi));
    }
    let _ = write!(out, "<license>{LICENSE}</license>");
    let _ = writeln!(
        out,
        "<abstract>  {}\n</abstract></arXiv>",
        esc(&p.abstract_text)
    );
}

/// The `arXivRaw` metadata of a record: v1 dated when the paper was published, every later
/// version when it was last updated (the mock knows no dates in between).
fn render_arxiv_raw(out: &mut String, p: &Paper, id: &str) {
    out.push_str(
        " <arXivRaw xmlns=\"http://arxiv.org/OAI/arXivRaw/\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xsi:schemaLocation=\"http://arxiv.org/OAI/arXivRaw/ http://arxiv.org/OAI/arXivRaw.xsd\">\n",
    );
    let _ = writeln!(
        out,
        " <id>{id}</id><submitter>{}</submitter>",
        esc(p.authors.first().map_or("", String::as_str))
    );
    for n in 1..=p.version.max(1) {
        let date = if n == 1 {
            p.published.or(p.updated)
        } else {
            p.updated.or(p.published)
        };
        let _ = write!(out, "<version version=\"v{n}\">");
        if let Some(date) = date {
            let _ = write!(
                out,
                "<date>{}</date>",
                date.format("%a, %-d %b %Y %H:%M:%S GMT")
            );
        }
        out.push_str("<size>512kb</size><source_type>D</source_type></version>\n");
    }
    let _ = write!(out, "<title>{}</title>", esc(&p.title));
    let _ = write!(out, "<authors>{}</authors>", esc(&raw_authors(&p.authors)));
    let categories: Vec<&str> = p.categories.iter().map(Category::as_str).collect();
    let _ = write!(
        out,
        "<categories>{}</categories>",
        esc(&categories.join(" "))
    );
    if let Some(comment) = &p.comment {
        let _ = write!(out, "<comments>{}</comments>", esc(comment));
    }
    if let Some(journal) = &p.journal_ref {
        let _ = write!(out, "<journal-ref>{}</journal-ref>", esc(journal));
    }
    if let Some(doi) = &p.doi {
        let _ = write!(out, "<doi>{}</doi>", esc(doi));
    }
    let _ = write!(out, "<license>{LICENSE}</license>");
    let _ = writeln!(
        out,
        "<abstract>  {}\n</abstract></arXivRaw>",
        esc(&p.abstract_text)
    );
}

/// Authors as arXivRaw writes them: `A, B and C`.
fn raw_authors(authors: &[String]) -> String {
    match authors {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

// ---------------------------------------------------------------------------------------------
// Text helpers

/// XML-escapes text, dropping the characters XML 1.0 cannot carry at all.
fn esc(text: &str) -> String {
    let allowed = |c: char| {
        matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
    };
    if text.chars().all(allowed) {
        quick_xml::escape::escape(text).into_owned()
    } else {
        let clean: String = text.chars().filter(|&c| allowed(c)).collect();
        quick_xml::escape::escape(clean.as_str()).into_owned()
    }
}

fn api_time(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn http_date(time: DateTime<Utc>) -> String {
    time.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

fn hash_of(text: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

/// Decodes `%XX` escapes (and `+` as a space in a query string).
fn percent_decode(text: &str, plus_is_space: bool) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `application/x-www-form-urlencoded` pairs, in order.
fn parse_form(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(name, true), percent_decode(value, true))
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Connections that can be cut mid-body

/// Accepts TCP connections and wraps each in a [`CutIo`].
struct CutListener(TcpListener);

impl Listener for CutListener {
    type Io = CutIo;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (CutIo, SocketAddr) {
        loop {
            match self.0.accept().await {
                Ok((stream, addr)) => {
                    let _ = stream.set_nodelay(true);
                    let io = CutIo {
                        inner: stream,
                        ctl: ConnCtl::default(),
                    };
                    return (io, addr);
                }
                // Out of file descriptors and the like: wait and try again, as axum does.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            }
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.local_addr()
    }
}

/// A connection's control, shared between its [`CutIo`] and the requests it carries.
#[derive(Clone, Default)]
struct ConnCtl(Arc<Mutex<CutPlan>>);

#[derive(Default)]
struct CutPlan {
    /// Body bytes the next response may send before the connection is closed.
    allowed: Option<usize>,
    /// The last four bytes written while looking for the end of the response head.
    tail: u32,
    in_body: bool,
    body_written: usize,
}

impl ConnCtl {
    /// The next response on this connection sends its head and `body_bytes` bytes of its body,
    /// then the connection is closed.
    fn arm(&self, body_bytes: usize) {
        let mut plan = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *plan = CutPlan {
            allowed: Some(body_bytes),
            ..CutPlan::default()
        };
    }
}

impl Connected<IncomingStream<'_, CutListener>> for ConnCtl {
    fn connect_info(stream: IncomingStream<'_, CutListener>) -> Self {
        stream.io().ctl.clone()
    }
}

const HEAD_END: u32 = u32::from_be_bytes(*b"\r\n\r\n");

impl CutPlan {
    /// How many bytes of `buf` may still be written.
    fn allowance(&self, allowed: usize, buf: &[u8]) -> usize {
        let (mut tail, mut in_body, mut body) = (self.tail, self.in_body, self.body_written);
        for (i, &b) in buf.iter().enumerate() {
            if in_body {
                if body >= allowed {
                    return i;
                }
                body += 1;
            } else {
                tail = (tail << 8) | u32::from(b);
                in_body = tail == HEAD_END;
            }
        }
        buf.len()
    }

    fn advance(&mut self, written: &[u8]) {
        for &b in written {
            if self.in_body {
                self.body_written += 1;
            } else {
                self.tail = (self.tail << 8) | u32::from(b);
                self.in_body = self.tail == HEAD_END;
            }
        }
    }
}

/// A TCP stream that, once armed, lets a response's head and part of its body through and then
/// fails every write, so the server closes the connection before Content-Length is reached.
struct CutIo {
    inner: TcpStream,
    ctl: ConnCtl,
}

impl AsyncRead for CutIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for CutIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let mut plan = this.ctl.0.lock().unwrap_or_else(|e| e.into_inner());
        let Some(allowed) = plan.allowed else {
            drop(plan);
            return Pin::new(&mut this.inner).poll_write(cx, buf);
        };
        let pass = plan.allowance(allowed, buf);
        if pass == 0 && !buf.is_empty() {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "mock arXiv: connection dropped mid-body (Fault::DropMidBody)",
            )));
        }
        let result = Pin::new(&mut this.inner).poll_write(cx, &buf[..pass]);
        if let Poll::Ready(Ok(n)) = &result {
            plan.advance(&buf[..*n]);
        }
        result
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}
