//! A site to test against: a real Store (SQLite in a temporary directory), the real index and
//! vectors built by the indexer's own update, the real router, driven with `tower::oneshot`.

#![allow(dead_code)]

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use chrono::NaiveDate;
use http_body_util::BodyExt;
use papers_core::testing::sqlite_store;
use papers_core::{ArxivId, Category, Config, Paper, Store};
use papers_web::{AppState, router};
use tower::ServiceExt;

/// The demo sample shipped with the binary: 2,526 real arXiv papers over 24 days.
const DEMO: &[u8] = include_bytes!("../../../demo/arxiv-sample.jsonl.gz");

pub struct Site {
    pub store: Store,
    pub state: AppState,
    pub config: Config,
    _dir: tempfile::TempDir,
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

impl Site {
    /// A site holding `papers`, indexed (full text; too few papers for vectors).
    pub async fn with(papers: Vec<Paper>) -> Site {
        Site::configured(papers, |_| {}).await
    }

    /// [`Site::with`], with the configuration changed by `tweak` (a summary endpoint, limits).
    pub async fn configured(papers: Vec<Paper>, tweak: impl FnOnce(&mut Config)) -> Site {
        let (store, dir) = sqlite_store().await;
        if !papers.is_empty() {
            store.upsert(papers).await.unwrap();
        }
        Site::open(store, dir, tweak).await
    }

    /// A site over `store` (either backend) as it is, indexed; the index lives in a temporary
    /// directory.
    pub async fn on(store: Store) -> Site {
        let dir = tempfile::tempdir().expect("temporary directory");
        Site::open(store, dir, |_| {}).await
    }

    /// A site holding the demo sample, with its index, LSA vectors and topics.
    pub async fn demo() -> Site {
        let (store, dir) = sqlite_store().await;
        let gz = flate2::read::GzDecoder::new(DEMO);
        papers_crawler::import_jsonl(&store, gz, |_: u64, _: &papers_crawler::ImportReport| {})
            .await
            .unwrap();
        Site::open(store, dir, |_| {}).await
    }

    async fn open(store: Store, dir: tempfile::TempDir, tweak: impl FnOnce(&mut Config)) -> Site {
        let mut config = Config {
            data_dir: dir.path().to_path_buf(),
            public_url: Some("https://papers.example.org".into()),
            ..Config::default()
        };
        // On-demand fetches go to a port nothing listens on: the tests never reach arXiv.
        config.crawler.api_url = "http://127.0.0.1:9/api/query".into();
        // Tests change the data between requests and expect to see it at once; the page cache
        // has its own test (tests/ops.rs).
        config.page_cache = std::time::Duration::ZERO;
        // No PDFs from arXiv in tests: summaries read abstracts unless a test says otherwise.
        config.summaries.full_text = false;
        tweak(&mut config);
        papers_indexer::update::update(&store, &config, false, false)
            .await
            .unwrap();
        let state = AppState::new(store.clone(), &config).unwrap();
        Site {
            store,
            state,
            config,
            _dir: dir,
        }
    }

    /// Re-runs the indexer's update, as `papers index` from cron would.
    pub async fn reindex(&self) {
        papers_indexer::update::update(&self.store, &self.config, false, false)
            .await
            .unwrap();
    }

    pub async fn get(&self, uri: &str) -> Answer {
        self.request(uri, &[]).await
    }

    pub async fn request(&self, uri: &str, headers: &[(&str, &str)]) -> Answer {
        self.send(Method::GET, uri, headers, None).await
    }

    /// POST with an empty body, from `client` if given (as the server's connection info).
    pub async fn post(&self, uri: &str, client: Option<&str>) -> Answer {
        self.send(Method::POST, uri, &[], client).await
    }

    pub async fn send(
        &self,
        method: Method,
        uri: &str,
        headers: &[(&str, &str)],
        client: Option<&str>,
    ) -> Answer {
        let mut request = Request::builder().method(method).uri(uri);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let mut request = request.body(Body::empty()).unwrap();
        if let Some(ip) = client {
            let addr: std::net::SocketAddr = format!("{ip}:40000").parse().unwrap();
            request
                .extensions_mut()
                .insert(axum::extract::ConnectInfo(addr));
        }
        let response = router(self.state.clone()).oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        Answer {
            status,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        }
    }
}

/// A paper announced on 2026-07-01 with two authors, one of them hostile.
pub fn paper(id: &str, title: &str, categories: &[&str]) -> Paper {
    Paper {
        id: ArxivId::parse(id).unwrap(),
        version: 1,
        title: title.into(),
        authors: vec!["Ada Lovelace".into(), "Alan <b>Turing</b>".into()],
        abstract_text: "We study attention & low-rank <i>adapters</i>.".into(),
        categories: categories
            .iter()
            .map(|c| Category::parse(c).unwrap())
            .collect(),
        comment: None,
        journal_ref: None,
        doi: None,
        published: None,
        updated: None,
        announced: NaiveDate::from_ymd_opt(2026, 7, 1),
    }
}

/// [`paper`] announced on `day` (YYYY-MM-DD) instead.
pub fn paper_on(id: &str, title: &str, categories: &[&str], day: &str) -> Paper {
    let mut p = paper(id, title, categories);
    p.announced = Some(NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap());
    p
}

/// This site's state with other limits: `rate_limit` requests a second, pages cached `page_cache`.
pub fn with_limits(site: &Site, rate_limit: u32, page_cache: std::time::Duration) -> AppState {
    AppState {
        site: std::sync::Arc::new(papers_web::Site {
            url: site.state.site.url.clone(),
            topics: site.state.site.topics.clone(),
            rate_limit,
            page_cache,
        }),
        ..site.state.clone()
    }
}

/// Whether `text` appears in the page HTML-escaped (askama writes `<` as `&#60;`).
pub fn shows_escaped(html: &str, text: &str) -> bool {
    let numeric = text
        .replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;");
    let named = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;");
    html.contains(&numeric) || html.contains(&named)
}
