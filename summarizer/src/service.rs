//! The summary service: answers from the cache, a persistent queue of generations in the Store,
//! workers that claim jobs (exactly one worker per job, across processes), and the progress a
//! reader can follow: position in the queue, then the answers streaming in.
//!
//! A job outlives the request that made it: a reader who leaves does not stop the generation, and
//! a process killed mid-generation stops renewing its lease, so another worker (or the same
//! server restarted) takes the job over.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use papers_core::retry::RetryPolicy;
use papers_core::{
    ArxivId, Config, Enqueued, JobState, Lang, Maker, Paper, Store, StoreError, StoredSummary,
    SummaryJob,
};
use serde::Serialize;
use tokio::sync::{Notify, mpsc, watch};

use crate::fulltext::{PdfText, cut};
use crate::generate;
use crate::markdown;
use crate::prompt::{self, Source};
use crate::provider::Provider;

/// One generation per paper version and language.
type JobKey = (ArxivId, u32, Lang);

pub struct Options {
    /// This process's name in the queue; unique per process.
    pub worker: String,
    /// How long a claimed job stays ours without a heartbeat.
    pub lease: Duration,
    pub retry: RetryPolicy,
    /// How often an idle worker looks for jobs queued elsewhere, or left by a dead worker.
    pub poll: Duration,
    pub concurrency: usize,
    pub daily_tokens: Option<u64>,
    /// Where PDFs come from; `None` reads abstracts only.
    pub pdf: Option<PdfText>,
}

impl Options {
    pub fn from_config(config: &Config, provider: &Provider) -> Options {
        let s = &config.summaries;
        let pdf = (s.full_text && provider.full_text_chars() > 0)
            .then(|| PdfText::new(config))
            .and_then(|r| {
                r.map_err(|e| tracing::warn!(error = %e, "no full text for summaries"))
                    .ok()
            });
        Options {
            worker: worker_name(),
            lease: Duration::from_secs(30),
            retry: RetryPolicy {
                max_attempts: 4,
                min_delay: Duration::from_secs(1),
                max_delay: Duration::from_secs(30),
                max_total: Duration::from_secs(180),
            },
            poll: Duration::from_secs(2),
            concurrency: provider.concurrency(s.concurrency),
            daily_tokens: s.daily_tokens,
            pdf,
        }
    }
}

/// `host-pid-nonce`: readable in the jobs table, unique across restarts and machines.
pub fn worker_name() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "papers".into());
    let nonce = Utc::now().timestamp_subsec_nanos() % 100_000;
    format!("{host}-{}-{nonce}", std::process::id())
}

/// A cached FAQ as readers see it.
#[derive(Clone, Debug, Serialize)]
pub struct Answer {
    pub paper_id: ArxivId,
    /// The paper version it was made from.
    pub version: u32,
    pub lang: Lang,
    pub provider: String,
    pub model: String,
    pub prompt_version: u32,
    /// `full-text` or `abstract`.
    pub source: String,
    /// Made from an older version of the paper.
    pub stale: bool,
    pub created_at: chrono::DateTime<Utc>,
    pub sections: Vec<Section>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Section {
    pub title: String,
    pub question: String,
    pub markdown: String,
    /// Rendered and sanitised: safe to insert into a page as is.
    pub html: String,
}

/// Where a generation is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "lowercase")]
pub enum JobView {
    Queued {
        /// Jobs ahead of this one.
        position: u64,
        /// The day's token budget is spent: queued jobs wait for tomorrow (UTC).
        waiting_for_budget: bool,
    },
    Running {
        answers: Vec<String>,
    },
    Failed {
        reason: String,
    },
}

/// What is known about a paper's FAQ in one language.
#[derive(Clone, Debug, Serialize)]
pub struct State {
    pub summary: Option<Answer>,
    pub job: Option<JobView>,
}

/// What a follower of a generation receives.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "lowercase")]
pub enum Update {
    Queued {
        position: u64,
        waiting_for_budget: bool,
    },
    Started,
    /// Text appended to answer `question` (0-based).
    Delta {
        question: usize,
        text: String,
    },
    /// Answer `question` starts again from empty (its request was retried).
    Restart {
        question: usize,
    },
    Done,
    Failed {
        reason: String,
    },
    /// Nothing is cached or queued.
    Idle,
}

pub struct Summarizer {
    store: Store,
    provider: Provider,
    options: Options,
    /// Answers so far of the jobs running in this process.
    live: Mutex<HashMap<JobKey, watch::Receiver<Vec<String>>>>,
    /// Wakes idle workers when a job is queued here.
    queued: Notify,
    /// Wakes followers when a job of this process ends.
    ended: Notify,
}

#[derive(Debug, thiserror::Error)]
pub enum SummaryError {
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Summarizer {
    pub fn new(store: Store, provider: Provider, options: Options) -> Arc<Summarizer> {
        Arc::new(Summarizer {
            store,
            provider,
            options,
            live: Mutex::default(),
            queued: Notify::new(),
            ended: Notify::new(),
        })
    }

    /// The provider the configuration asks for, with its options.
    pub fn from_config(store: Store, config: &Config) -> Result<Arc<Summarizer>, String> {
        let provider = Provider::from_config(config)?;
        let options = Options::from_config(config, &provider);
        tracing::info!(
            provider = provider.kind(),
            model = provider.model(),
            "summaries"
        );
        Ok(Summarizer::new(store, provider, options))
    }

    pub fn provider(&self) -> &Provider {
        &self.provider
    }

    fn maker(&self) -> Maker<'_> {
        Maker {
            provider: self.provider.kind(),
            model: self.provider.model(),
            prompt_version: prompt::version(),
        }
    }

    /// The cached FAQ of `paper` in `lang`, if any (marked stale if made from an older version).
    pub async fn cached(&self, paper: &Paper, lang: Lang) -> Result<Option<Answer>, SummaryError> {
        let stored = self.store.summary(&paper.id, lang, &self.maker()).await?;
        Ok(stored.map(|s| answer(s, paper.version)))
    }

    /// Whether a summary of `paper`'s current version in `lang` is stored (nothing rendered).
    async fn fresh(&self, paper: &Paper, lang: Lang) -> Result<bool, SummaryError> {
        let stored = self.store.summary(&paper.id, lang, &self.maker()).await?;
        Ok(stored.is_some_and(|s| s.version >= paper.version))
    }

    /// Whether [`Summarizer::request`] would start a generation now: no current answer stored
    /// and none queued or running (what a per-client allowance is spent on).
    pub async fn would_start(&self, paper: &Paper, lang: Lang) -> Result<bool, SummaryError> {
        // The job first, as in `state`: a generation that ends between the two reads leaves its
        // answer stored, so the second read sees it. Reading the answer first could miss both and
        // charge a reader who only joined a generation that was finishing.
        let job = self
            .store
            .summary_job(&paper.id, paper.version, lang)
            .await?;
        if job.is_some_and(|j| matches!(j.state, JobState::Queued | JobState::Running)) {
            return Ok(false);
        }
        Ok(!self.fresh(paper, lang).await?)
    }

    /// The cache and the queue for `paper` in `lang`.
    pub async fn state(&self, paper: &Paper, lang: Lang) -> Result<State, SummaryError> {
        // The job first: a job gone was finished (or never was), and a finished job's summary
        // was stored in the same transaction, so the summary read next is there. The other
        // order could see neither.
        let job = self
            .store
            .summary_job(&paper.id, paper.version, lang)
            .await?;
        let summary = self.cached(paper, lang).await?;
        let job = match job {
            Some(job) => Some(self.view(&job).await?),
            None => None,
        };
        Ok(State { summary, job })
    }

    /// Starts a generation of `paper`'s FAQ in `lang`, or joins the one under way; a fresh
    /// cached answer is returned as is. `New` means this call queued a generation.
    pub async fn request(
        &self,
        paper: &Paper,
        lang: Lang,
        interactive: bool,
    ) -> Result<(Option<Enqueued>, State), SummaryError> {
        let summary = self.cached(paper, lang).await?;
        if summary.as_ref().is_some_and(|s| !s.stale) {
            return Ok((None, State { summary, job: None }));
        }
        let (enqueued, job) = self
            .store
            .enqueue_summary(&paper.id, paper.version, lang, priority(paper, interactive))
            .await?;
        if enqueued == Enqueued::New {
            tracing::info!(id = %paper.id, lang = lang.code(), "summary queued");
            self.queued.notify_one();
        }
        let job = Some(self.view(&job).await?);
        Ok((Some(enqueued), State { summary, job }))
    }

    async fn view(&self, job: &SummaryJob) -> Result<JobView, SummaryError> {
        Ok(match job.state {
            JobState::Queued => JobView::Queued {
                position: self.store.queue_position(job).await?,
                waiting_for_budget: self.budget_spent().await?,
            },
            JobState::Running => JobView::Running {
                answers: self
                    .live_answers(job)
                    .unwrap_or_else(|| job.partial.clone()),
            },
            JobState::Failed => JobView::Failed {
                reason: job.error.clone().unwrap_or_else(|| "unknown error".into()),
            },
        })
    }

    fn live_answers(&self, job: &SummaryJob) -> Option<Vec<String>> {
        let live = self.live.lock().ok()?;
        live.get(&(job.paper_id.clone(), job.version, job.lang))
            .map(|rx| rx.borrow().clone())
    }

    fn live_receiver(&self, key: &JobKey) -> Option<watch::Receiver<Vec<String>>> {
        self.live.lock().ok()?.get(key).cloned()
    }

    /// Whether today's (UTC) token budget is spent.
    async fn budget_spent(&self) -> Result<bool, SummaryError> {
        let Some(budget) = self.options.daily_tokens else {
            return Ok(false);
        };
        let midnight = Utc::now()
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .unwrap_or_default()
            .and_utc();
        Ok(self.store.summary_tokens_since(midnight).await? >= budget)
    }

    /// Follows `paper`'s FAQ in `lang` until it is done or failed: the queue position while it
    /// waits, then the text as it is written (from this process's live channel, or from the
    /// Store's snapshot when another server is writing it). Ends when the receiver is dropped.
    pub fn follow(self: &Arc<Self>, paper: Paper, lang: Lang) -> mpsc::Receiver<Update> {
        let (tx, rx) = mpsc::channel(64);
        let this = Arc::clone(self);
        tokio::spawn(async move {
            if let Err(e) = this.follow_into(&paper, lang, &tx).await {
                tracing::warn!(id = %paper.id, error = %e, "cannot follow a summary");
                let _ = tx
                    .send(Update::Failed {
                        reason: "the summary store is unavailable; try again".into(),
                    })
                    .await;
            }
        });
        rx
    }

    async fn follow_into(
        &self,
        paper: &Paper,
        lang: Lang,
        tx: &mpsc::Sender<Update>,
    ) -> Result<(), SummaryError> {
        let key: JobKey = (paper.id.clone(), paper.version, lang);
        let mut sent: Vec<String> = Vec::new();
        let mut last_queued = None;
        let mut started = false;
        loop {
            // Polled every second per reader: the job and whether an answer is stored, without
            // rendering the answer itself.
            let job = match self
                .store
                .summary_job(&paper.id, paper.version, lang)
                .await?
            {
                Some(job) => Some(self.view(&job).await?),
                None => None,
            };
            let update = match job {
                None if self.fresh(paper, lang).await? => Some(Update::Done),
                None => Some(Update::Idle),
                Some(JobView::Failed { reason }) => Some(Update::Failed { reason }),
                Some(JobView::Queued {
                    position,
                    waiting_for_budget,
                }) => {
                    let now = (position, waiting_for_budget);
                    if last_queued != Some(now) {
                        last_queued = Some(now);
                        if tx
                            .send(Update::Queued {
                                position,
                                waiting_for_budget,
                            })
                            .await
                            .is_err()
                        {
                            return Ok(());
                        }
                    }
                    None
                }
                Some(JobView::Running { answers }) => {
                    if !started {
                        started = true;
                        if tx.send(Update::Started).await.is_err() {
                            return Ok(());
                        }
                    }
                    if !send_changes(&mut sent, &answers, tx).await {
                        return Ok(());
                    }
                    if let Some(mut live) = self.live_receiver(&key) {
                        // Here: every change as it happens, until the job's channel closes.
                        // A reader who leaves ends this at once, not at the next token.
                        loop {
                            tokio::select! {
                                changed = live.changed() => if changed.is_err() { break },
                                _ = tx.closed() => return Ok(()),
                            }
                            let answers = live.borrow_and_update().clone();
                            if !send_changes(&mut sent, &answers, tx).await {
                                return Ok(());
                            }
                        }
                        // The generation here ended: look at once. A channel closed but still
                        // listed would be a dead run: wait like for any other.
                        if self.live_receiver(&key).is_none() {
                            continue;
                        }
                    }
                    None
                }
            };
            if let Some(update) = update {
                let _ = tx.send(update).await;
                return Ok(());
            }
            // Queued, or running elsewhere: look again soon, or as soon as a job here ends.
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                _ = self.ended.notified() => {}
                _ = tx.closed() => return Ok(()),
            }
        }
    }

    /// Starts `concurrency` workers; they run until `shutdown` turns true.
    pub fn spawn_workers(
        self: &Arc<Self>,
        shutdown: watch::Receiver<bool>,
    ) -> Vec<tokio::task::JoinHandle<()>> {
        (0..self.options.concurrency)
            .map(|n| {
                let this = Arc::clone(self);
                let shutdown = shutdown.clone();
                tokio::spawn(async move { this.work(n, shutdown).await })
            })
            .collect()
    }

    async fn work(self: Arc<Self>, n: usize, mut shutdown: watch::Receiver<bool>) {
        let worker = format!("{}/{n}", self.options.worker);
        while !*shutdown.borrow() {
            let claimed = match self.budget_spent().await {
                Ok(true) => Ok(None),
                Ok(false) => self
                    .store
                    .claim_summary_job(&worker, self.options.lease)
                    .await
                    .map_err(SummaryError::from),
                Err(e) => Err(e),
            };
            match claimed {
                Ok(Some(job)) => {
                    let this = Arc::clone(&self);
                    let (id, who) = (job.id, worker.clone());
                    // Its own task: a panic in a provider fails the job, not the worker. Held
                    // so that a worker stopped (aborted) stops its generation too; the job's
                    // lease then runs out and another worker resumes it.
                    let mut running =
                        AbortOnDrop(tokio::spawn(async move { this.run(job, &who).await }));
                    if let Err(e) = (&mut running.0).await
                        && e.is_panic()
                    {
                        tracing::error!(job = id, error = %e, "a summary generation panicked");
                        let _ = self
                            .store
                            .fail_summary_job(id, &worker, "the generation crashed")
                            .await;
                        self.ended.notify_waiters();
                    }
                    continue;
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "cannot claim a summary job"),
            }
            tokio::select! {
                _ = self.queued.notified() => {}
                _ = tokio::time::sleep(self.options.poll) => {}
                _ = stopping(&mut shutdown) => {}
            }
        }
    }

    async fn run(&self, job: SummaryJob, worker: &str) {
        let started = Instant::now();
        let key: JobKey = (job.paper_id.clone(), job.version, job.lang);
        // A job whose generations keep dying with their process (out of memory, killed) is
        // given up rather than taken up again after every restart.
        if job.attempts > MAX_ATTEMPTS {
            let reason = format!("gave up after {MAX_ATTEMPTS} attempts that did not finish");
            return self.fail(&job, worker, &reason).await;
        }
        let paper = match self.store.get(&job.paper_id).await {
            Ok(Some(paper)) => paper,
            Ok(None) => {
                return self
                    .fail(&job, worker, "the paper is no longer stored")
                    .await;
            }
            Err(e) => {
                tracing::warn!(job = job.id, error = %e, "cannot read the paper; the job goes back to the queue");
                let _ = self.store.release_summary_job(job.id, worker).await;
                return;
            }
        };
        // A request that raced the end of the previous generation may have queued this job
        // after the answer was stored: nothing to write again.
        if let Ok(Some(done)) = self.store.summary(&paper.id, job.lang, &self.maker()).await
            && done.version >= paper.version
        {
            if let Err(e) = self.store.finish_summary_job(job.id, worker, &done).await {
                tracing::warn!(job = job.id, error = %e, "cannot close a job already answered");
            }
            self.ended.notify_waiters();
            return;
        }
        let (answers, rx) = watch::channel(Vec::new());
        if let Ok(mut live) = self.live.lock() {
            live.insert(key.clone(), rx.clone());
        }
        // Out of the live map however this ends, an abort included.
        let _live = LiveEntry {
            live: &self.live,
            key: key.clone(),
        };
        self.ended.notify_waiters();
        // Stops with the generation, even when the generation is aborted.
        let heartbeat = AbortOnDrop(self.heartbeat(job.id, worker.to_string(), rx));
        let source = self.source(&paper).await;
        let result = generate::faq(
            &self.provider,
            &paper,
            job.lang,
            &source,
            &self.options.retry,
            &answers,
        )
        .await;
        drop(heartbeat);
        match result {
            Ok(faq) => {
                let summary = StoredSummary {
                    paper_id: paper.id.clone(),
                    version: paper.version,
                    lang: job.lang,
                    provider: self.provider.kind().to_string(),
                    model: self.provider.model().to_string(),
                    prompt_version: prompt::version(),
                    answers: faq.answers,
                    source: source.name().to_string(),
                    tokens: faq.usage.prompt_tokens + faq.usage.completion_tokens,
                    created_at: Utc::now(),
                };
                match self
                    .store
                    .finish_summary_job(job.id, worker, &summary)
                    .await
                {
                    Ok(true) => tracing::info!(
                        id = %paper.id, lang = job.lang.code(), provider = self.provider.kind(),
                        source = source.name(), tokens = summary.tokens, secs = started.elapsed().as_secs_f32(),
                        "summary written"
                    ),
                    Ok(false) => tracing::warn!(
                        job = job.id,
                        "summary written after the job was taken over; discarded"
                    ),
                    Err(e) => tracing::error!(job = job.id, error = %e, "cannot store a summary"),
                }
            }
            Err(e) => {
                tracing::warn!(id = %paper.id, error = %e, "summary failed");
                self.fail(&job, worker, &e.public_reason()).await;
            }
        }
        drop(_live);
        drop(answers);
        self.ended.notify_waiters();
    }

    async fn fail(&self, job: &SummaryJob, worker: &str, reason: &str) {
        if let Err(e) = self.store.fail_summary_job(job.id, worker, reason).await {
            tracing::error!(job = job.id, error = %e, "cannot mark a summary job failed");
        }
        self.ended.notify_waiters();
    }

    /// Renews the job's lease and saves the answers so far, a few times per lease.
    fn heartbeat(
        &self,
        id: i64,
        worker: String,
        answers: watch::Receiver<Vec<String>>,
    ) -> tokio::task::JoinHandle<()> {
        let store = self.store.clone();
        let lease = self.options.lease;
        tokio::spawn(async move {
            let every = (lease / 3).max(Duration::from_millis(200));
            loop {
                tokio::time::sleep(every).await;
                let partial = answers.borrow().clone();
                match store.renew_summary_job(id, &worker, lease, &partial).await {
                    Ok(true) => {}
                    Ok(false) => {
                        tracing::warn!(job = id, "lost the lease on a summary job");
                        return;
                    }
                    Err(e) => tracing::warn!(job = id, error = %e, "cannot renew a summary job"),
                }
            }
        })
    }

    /// The full text when it can be had, trimmed to what the provider reads; else the abstract.
    async fn source(&self, paper: &Paper) -> Source {
        let chars = self.provider.full_text_chars();
        match &self.options.pdf {
            Some(pdf) if chars > 0 => match pdf.text(&self.store, paper).await {
                Some(text) => Source::FullText(cut(&text, chars).to_string()),
                None => Source::Abstract,
            },
            _ => Source::Abstract,
        }
    }
}

/// Generations a job may start before it is failed (each claim counts one).
const MAX_ATTEMPTS: u32 = 3;

/// Removes a job's live channel when the generation ends, however it ends.
struct LiveEntry<'a> {
    live: &'a Mutex<HashMap<JobKey, watch::Receiver<Vec<String>>>>,
    key: JobKey,
}

impl Drop for LiveEntry<'_> {
    fn drop(&mut self) {
        if let Ok(mut live) = self.live.lock() {
            live.remove(&self.key);
        }
    }
}

/// Aborts the task when dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Resolves when `shutdown` turns true; never, once its sender is gone (nobody can stop us).
async fn stopping(shutdown: &mut watch::Receiver<bool>) {
    if shutdown.wait_for(|stop| *stop).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// Sends what changed between `sent` and `now`; false once nobody listens.
async fn send_changes(sent: &mut Vec<String>, now: &[String], tx: &mpsc::Sender<Update>) -> bool {
    for (question, text) in now.iter().enumerate() {
        let before = sent.get(question).map(String::as_str).unwrap_or("");
        let update = if let Some(added) = text.strip_prefix(before) {
            if added.is_empty() {
                continue;
            }
            Update::Delta {
                question,
                text: added.to_string(),
            }
        } else {
            if tx.send(Update::Restart { question }).await.is_err() {
                return false;
            }
            Update::Delta {
                question,
                text: text.clone(),
            }
        };
        if tx.send(update).await.is_err() {
            return false;
        }
    }
    if now.len() < sent.len() {
        for question in now.len()..sent.len() {
            if tx.send(Update::Restart { question }).await.is_err() {
                return false;
            }
        }
    }
    *sent = now.to_vec();
    true
}

/// A reader's click before any cron pre-generation; within each, the newest day's papers first.
pub fn priority(paper: &Paper, interactive: bool) -> i64 {
    let day = paper
        .announced
        .or_else(|| paper.published.map(|p| p.date_naive()))
        .unwrap_or(NaiveDate::MIN);
    let days = (day - NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default())
        .num_days()
        .max(0);
    i64::from(interactive) * 1_000_000 + days
}

fn answer(stored: StoredSummary, current_version: u32) -> Answer {
    let prompt = prompt::for_lang(stored.lang);
    let sections = stored
        .answers
        .iter()
        .enumerate()
        .map(|(i, text)| Section {
            title: prompt.titles.get(i).cloned().unwrap_or_default(),
            question: prompt.questions.get(i).cloned().unwrap_or_default(),
            html: markdown::render(text),
            markdown: text.clone(),
        })
        .collect();
    Answer {
        stale: stored.version < current_version,
        paper_id: stored.paper_id,
        version: stored.version,
        lang: stored.lang,
        provider: stored.provider,
        model: stored.model,
        prompt_version: stored.prompt_version,
        source: stored.source,
        created_at: stored.created_at,
        sections,
    }
}
