//! On-demand fetches: a reader opens `/arxiv/{id}` for a paper not stored yet, the page says it
//! is on its way, and this queue fetches it from the arXiv API in the background (the crawler's
//! [`fetch_papers`], under the crawl lease, at the crawler's polite rate). Requests never wait.
//!
//! Bounded: at most [`MAX_PENDING`] ids wait; more are refused (the page says to come back).
//! Ids arXiv does not know are remembered, so they are not asked for again and again.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use papers_core::config::CrawlerConfig;
use papers_core::{ArxivId, Store};
use papers_crawler::fetch::{FetchReport, fetch_papers};
use papers_crawler::run::{Guarded, Outcome, guarded};
use papers_crawler::source::ArxivClient;
use tokio::sync::Notify;

/// Ids waiting at most; one arXiv API call takes up to [`BATCH`] of them.
pub const MAX_PENDING: usize = 500;
const BATCH: usize = 20;
/// How many unknown ids are remembered, and for how long: an id arXiv did not return may be one
/// it announces tonight, or an answer cut short.
const MAX_MISSING: usize = 10_000;
const MISSING_FOR: Duration = Duration::from_secs(3600);
/// How long to wait when a crawl holds the lease, or a fetch failed, before trying again.
const RETRY_AFTER: Duration = Duration::from_secs(30);

/// What became of a request for a paper that is not stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FetchStatus {
    /// Waiting or being fetched.
    Queued,
    /// arXiv said it has no such paper.
    Missing,
    /// Too many waiting; not queued.
    Full,
    /// This server does not fetch (no arXiv client could be made).
    Disabled,
}

#[derive(Clone)]
pub struct FetchQueue {
    shared: Arc<Shared>,
}

struct Shared {
    state: Mutex<State>,
    wake: Notify,
    enabled: bool,
}

#[derive(Default)]
struct State {
    waiting: VecDeque<ArxivId>,
    /// Waiting or in flight, by id without version.
    pending: HashSet<String>,
    /// Ids arXiv did not return, with when it said so.
    missing: HashMap<String, Instant>,
}

impl FetchQueue {
    /// Starts the background fetcher for the arXiv API in `config`.
    pub fn start(store: Store, config: CrawlerConfig) -> FetchQueue {
        let client = match ArxivClient::new(config) {
            Ok(client) => Some(client),
            Err(error) => {
                tracing::error!(%error, "on-demand fetches are off: no arXiv client");
                None
            }
        };
        let queue = FetchQueue {
            shared: Arc::new(Shared {
                state: Mutex::new(State::default()),
                wake: Notify::new(),
                enabled: client.is_some(),
            }),
        };
        if let Some(client) = client {
            tokio::spawn(queue.clone().run(store, client));
        }
        queue
    }

    /// Asks for `id` to be fetched; never waits.
    pub fn request(&self, id: &ArxivId) -> FetchStatus {
        if !self.shared.enabled {
            return FetchStatus::Disabled;
        }
        let key = id.to_string();
        let mut state = self.shared.state.lock().expect("the queue lock");
        match state.missing.get(&key) {
            Some(at) if at.elapsed() < MISSING_FOR => return FetchStatus::Missing,
            Some(_) => {
                state.missing.remove(&key);
            }
            None => {}
        }
        if state.pending.contains(&key) {
            return FetchStatus::Queued;
        }
        if state.pending.len() >= MAX_PENDING {
            return FetchStatus::Full;
        }
        state.pending.insert(key);
        state.waiting.push_back(id.clone());
        drop(state);
        tracing::info!(%id, "queued for an on-demand fetch");
        self.shared.wake.notify_one();
        FetchStatus::Queued
    }

    /// Ids waiting or in flight.
    pub fn pending(&self) -> usize {
        self.shared
            .state
            .lock()
            .expect("the queue lock")
            .pending
            .len()
    }

    async fn run(self, store: Store, client: ArxivClient) {
        loop {
            let batch: Vec<ArxivId> = {
                let mut state = self.shared.state.lock().expect("the queue lock");
                let n = state.waiting.len().min(BATCH);
                state.waiting.drain(..n).collect()
            };
            if batch.is_empty() {
                self.shared.wake.notified().await;
                continue;
            }
            let report = guarded(
                &store,
                "fetch",
                || fetch_papers(&store, &client, &batch),
                |r: &FetchReport| {
                    if r.errors.is_empty() {
                        Outcome::Ok
                    } else {
                        Outcome::Partial
                    }
                },
                |r| serde_json::to_string(r).unwrap_or_default(),
            )
            .await;
            let retry = match report {
                Ok(Guarded::Ran(report)) => {
                    tracing::info!(
                        asked = batch.len(),
                        new = report.new,
                        missing = report.missing.len(),
                        errors = report.errors.len(),
                        "on-demand fetch done"
                    );
                    self.settle(&batch, &report.missing);
                    !report.errors.is_empty()
                }
                Ok(Guarded::Busy) => {
                    tracing::info!("on-demand fetch waits: a crawl holds the lease");
                    self.requeue(batch);
                    true
                }
                Err(error) => {
                    // The ids are dropped: the next reader to open the page queues them again.
                    tracing::warn!(%error, "on-demand fetch failed");
                    self.settle(&batch, &[]);
                    true
                }
            };
            if retry {
                tokio::time::sleep(RETRY_AFTER).await;
            }
        }
    }

    fn settle(&self, batch: &[ArxivId], missing: &[String]) {
        let mut state = self.shared.state.lock().expect("the queue lock");
        for id in batch {
            state.pending.remove(&id.to_string());
        }
        if state.missing.len() + missing.len() > MAX_MISSING {
            state.missing.retain(|_, at| at.elapsed() < MISSING_FOR);
        }
        if state.missing.len() + missing.len() > MAX_MISSING {
            // Still full of fresh ones: forget the oldest half rather than grow.
            let mut times: Vec<Instant> = state.missing.values().copied().collect();
            times.sort();
            let cut = times[times.len() / 2];
            state.missing.retain(|_, at| *at > cut);
        }
        let now = Instant::now();
        state
            .missing
            .extend(missing.iter().map(|id| (id.clone(), now)));
    }

    fn requeue(&self, batch: Vec<ArxivId>) {
        let mut state = self.shared.state.lock().expect("the queue lock");
        for id in batch.into_iter().rev() {
            state.waiting.push_front(id);
        }
    }
}
