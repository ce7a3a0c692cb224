//! papers-web: the HTTP server. Server-rendered pages (askama), a feed for every list, a JSON API
//! described by OpenAPI, and the operator's endpoints. It reads the Store and the search index,
//! and never waits on arXiv: a paper not stored yet is queued for the crawler's on-demand fetch.
//!
//! - [`pages`]: what readers see; [`feeds`]: RSS/Atom routes over [`feed`]; [`api`]: JSON;
//! - [`library`]: the search index and vectors, reloaded as `papers index` updates them;
//! - [`fetch_queue`]: on-demand fetches; [`ops`]: health, metrics and the middleware stack;
//! - [`assets`]: embedded static files with content-hashed names; [`conditional`]: 304s.

pub mod api;
pub mod assets;
pub mod calendar;
pub mod conditional;
mod error;
pub mod feed;
mod feeds;
pub mod fetch_queue;
mod health;
pub mod library;
pub mod ops;
pub mod page_cache;
mod pages;
mod params;
pub mod server;
pub mod summaries;

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use papers_core::{Config, Store, Topic};
use papers_summarizer::Summarizer;
use tokio::net::TcpListener;

pub use error::AppError;
pub use fetch_queue::FetchQueue;
pub use library::Library;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub site: Arc<Site>,
    pub library: Arc<Library>,
    pub fetches: FetchQueue,
    pub metrics: Arc<ops::Metrics>,
    /// The announced days, briefly cached.
    pub calendar: Arc<calendar::Calendar>,
    pub page_cache: Arc<page_cache::PageCache>,
    /// The paper FAQ: cache, queue and provider.
    pub summaries: Arc<Summarizer>,
    /// New summaries per client per hour.
    pub summary_limit: Arc<summaries::SummaryLimit>,
}

/// The parts of the configuration pages need.
pub struct Site {
    /// The public address, no trailing `/`: absolute links in feeds and meta tags.
    pub url: String,
    pub topics: Vec<Topic>,
    /// Requests per second per client (0: no limit).
    pub rate_limit: u32,
    /// How long a rendered page is served again before it is made anew (zero: not cached).
    pub page_cache: std::time::Duration,
}

impl AppState {
    /// The state `papers serve` runs with: the index and vectors under the data dir (kept fresh
    /// by a background task), and on-demand fetches from the configured arXiv API.
    pub fn new(store: Store, config: &Config) -> Result<AppState, StartError> {
        let library = Arc::new(Library::open(config)?);
        let summaries =
            Summarizer::from_config(store.clone(), config).map_err(StartError::Summaries)?;
        library.clone().watch();
        // The workers run as long as the server: a generation goes on when its reader leaves.
        let (_never, running) = tokio::sync::watch::channel(false);
        summaries.spawn_workers(running);
        Ok(AppState {
            summaries,
            summary_limit: Arc::new(summaries::SummaryLimit::new(
                config.summaries.per_client_per_hour,
            )),
            fetches: FetchQueue::start(store.clone(), config.crawler.clone()),
            store,
            site: Arc::new(Site {
                url: config.site_url(),
                topics: config.topics.clone(),
                rate_limit: config.rate_limit,
                page_cache: config.page_cache,
            }),
            library,
            metrics: Arc::new(ops::Metrics::default()),
            calendar: Arc::new(calendar::Calendar::default()),
            page_cache: Arc::new(page_cache::PageCache::default()),
        })
    }
}

/// Why the server cannot start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("opening the search index: {0}")]
    Index(#[from] papers_indexer::IndexError),
    #[error("setting up summaries: {0}")]
    Summaries(String),
}

/// The whole site: every module's routes merged in one place, under the operating layers.
pub fn router(state: AppState) -> Router {
    let routes = Router::new()
        .merge(health::routes())
        .merge(pages::routes())
        .merge(feeds::routes())
        .merge(api::routes())
        .merge(summaries::routes())
        .merge(assets::routes())
        .fallback(|| async { AppError::NotFound("There is no page at this address.".into()) });
    ops::layers(routes, state.clone()).with_state(state)
}

/// Serves until `shutdown` resolves, then finishes the requests in flight.
pub async fn serve(
    state: AppState,
    listener: TcpListener,
    limits: server::ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let metrics = state.metrics.clone();
    server::serve(router(state), listener, limits, metrics, shutdown).await
}
