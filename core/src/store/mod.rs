//! The Store: the one source of truth (papers now; summaries, jobs and checkpoints later).
//!
//! One behaviour, two backends: SQLite (the embedded default, a file under the data dir) and
//! PostgreSQL (several machines). Each backend has its own migrations and SQL; both run the same
//! test suite (`tests/store.rs` in this crate). `Store` dispatches to them with a plain enum, so
//! callers hold one concrete type and no trait objects.

mod crawl_state;
mod dialect;
mod embeddings;
mod postgres;
mod row;
mod sqlite;
mod summaries;
mod topics;
mod venues;

use std::collections::HashMap;

use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};

use crate::arxiv_id::ArxivId;
use crate::category::{Category, CategoryExpr};
use crate::paper::{Merge, Paper};
use crate::summary::{Enqueued, FullText, Lang, Maker, StoredSummary, SummaryJob};
use crate::venue::{GroupCount, VenueLink};

pub use embeddings::Embedding;
pub use postgres::PgStore;
pub use sqlite::SqliteStore;
pub use venues::MatchCandidate;

/// Papers written per statement batch. Keeps SQLite well under its bound-parameter limit and
/// PostgreSQL's arrays small, while amortising round trips.
pub const BATCH_SIZE: usize = 500;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL '{0}': use sqlite:PATH or postgres://USER@HOST/DB")]
    UnsupportedUrl(String),
    #[error("cannot open the database at {url}: {source}")]
    Connect {
        url: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("cannot create or write to the data directory {path}: {source}")]
    DataDir {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(
        "the disk holding the database is full ({0}); free some space and run again: \
         what was stored before is kept"
    )]
    DiskFull(#[source] sqlx::Error),
    #[error(
        "the database cannot be written ({0}): its file or directory is read-only; \
         make the data directory writable or point --data-dir elsewhere"
    )]
    ReadOnly(#[source] sqlx::Error),
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    #[error("stored paper '{id}' is unreadable: {reason}")]
    Corrupt { id: String, reason: String },
}

impl From<sqlx::Error> for StoreError {
    /// A full disk and a read-only file are the operator's to fix, not bugs: they get their own
    /// messages. Either way the transaction was rolled back, so nothing stored is lost.
    fn from(error: sqlx::Error) -> Self {
        let code = error
            .as_database_error()
            .and_then(|e| e.code())
            .map(|c| c.into_owned())
            .unwrap_or_default();
        // PostgreSQL's codes are five-character SQLSTATEs; SQLite's are numbers whose low byte
        // is the primary code (an extended code such as SQLITE_READONLY_DBMOVED keeps it).
        let sqlite = (code.len() < 5).then(|| code.parse::<u32>().ok()).flatten();
        match (sqlite.map(|n| n & 0xff), code.as_str()) {
            // SQLITE_FULL; disk_full.
            (Some(13), _) | (None, "53100") => StoreError::DiskFull(error),
            // SQLITE_READONLY; read_only_sql_transaction (a standby, say).
            (Some(8), _) | (None, "25006") => StoreError::ReadOnly(error),
            _ => StoreError::Database(error),
        }
    }
}

/// What a batch upsert did, paper by paper.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UpsertCounts {
    pub new: u64,
    pub updated: u64,
    pub unchanged: u64,
}

impl std::ops::AddAssign for UpsertCounts {
    fn add_assign(&mut self, other: Self) {
        self.new += other.new;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
    }
}

/// How a paper appears in a day's listing, as arXiv labels it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ListingKind {
    /// Its primary category is one of the listed ones.
    New,
    /// Listed through a secondary category.
    Cross,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedPaper {
    pub kind: ListingKind,
    pub paper: Paper,
}

/// One page of a day's listing for a category expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listing {
    pub date: NaiveDate,
    /// All papers of the day matching the expression (not only this page).
    pub total: u64,
    pub new: u64,
    pub cross: u64,
    /// This page, ordered as arXiv lists a day: new submissions, then cross-lists, each by id.
    pub papers: Vec<ListedPaper>,
}

/// Papers announced in one category on one day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DayCount {
    pub date: NaiveDate,
    pub category: Category,
    pub papers: u64,
}

/// A paper and when its row last changed: what derived data (the search index) follows.
#[derive(Clone, Debug, PartialEq)]
pub struct Changed {
    pub modified_at: DateTime<Utc>,
    pub paper: Paper,
}

/// How far a follower of [`Store::changed_since`] has read: the last row it saw.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Watermark {
    pub modified_at: DateTime<Utc>,
    pub id: ArxivId,
}

impl Watermark {
    pub fn of(changed: &Changed) -> Watermark {
        Watermark {
            modified_at: changed.modified_at,
            id: changed.paper.id.clone(),
        }
    }
}

/// One crawl run as the log keeps it. Times are Unix seconds.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct CrawlRun {
    pub id: i64,
    pub kind: String,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    pub status: String,
    /// JSON written by the crawler: counts per source and errors.
    pub summary: Option<String>,
}

#[derive(Clone, Debug)]
pub enum Store {
    Sqlite(SqliteStore),
    Postgres(PgStore),
}

/// Dispatches a call to whichever backend this store is.
macro_rules! dispatch {
    ($self:ident, $store:ident => $call:expr) => {
        match $self {
            Store::Sqlite($store) => $call,
            Store::Postgres($store) => $call,
        }
    };
}

impl Store {
    /// Opens (and for SQLite, creates) the database at `url`: `sqlite:PATH` or `postgres://…`.
    /// Does not migrate; call [`Store::migrate`].
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Store::Sqlite(SqliteStore::connect(url).await?))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Store::Postgres(PgStore::connect(url).await?))
        } else {
            Err(StoreError::UnsupportedUrl(redact_url(url)))
        }
    }

    /// Applies the backend's pending migrations (idempotent).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        dispatch!(self, s => s.migrate().await)
    }

    /// The backend's name, for logs and `/healthz`.
    pub fn backend(&self) -> &'static str {
        match self {
            Store::Sqlite(_) => "sqlite",
            Store::Postgres(_) => "postgres",
        }
    }

    /// Checks the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        dispatch!(self, s => s.ping().await)
    }

    /// Stores papers (already [`Paper::normalized`]), idempotently: a paper becomes one row
    /// whatever the number of sources or runs, a newer version replaces an older one, an older one
    /// never overwrites a newer one, and a record that changes nothing writes nothing.
    pub async fn upsert(&self, papers: Vec<Paper>) -> Result<UpsertCounts, StoreError> {
        let mut counts = UpsertCounts::default();
        let mut papers = papers;
        while !papers.is_empty() {
            let rest = papers.split_off(papers.len().min(BATCH_SIZE));
            let batch = std::mem::replace(&mut papers, rest);
            counts += dispatch!(self, s => s.upsert_batch(batch).await)?;
        }
        Ok(counts)
    }

    /// The stored paper, if any.
    pub async fn get(&self, id: &ArxivId) -> Result<Option<Paper>, StoreError> {
        dispatch!(self, s => s.get(id).await)
    }

    /// Up to `limit` papers, by id after `after` (`""` to start), that have no vector from
    /// `embedder` or one computed from an older version.
    pub async fn papers_to_embed(
        &self,
        embedder: &str,
        after: &str,
        limit: u32,
    ) -> Result<Vec<Paper>, StoreError> {
        dispatch!(self, s => s.papers_to_embed(embedder, after, limit).await)
    }

    /// Stores (or replaces) vectors of `embedder`.
    pub async fn put_embeddings(
        &self,
        embedder: &str,
        rows: &[Embedding],
    ) -> Result<(), StoreError> {
        dispatch!(self, s => s.put_embeddings(embedder, rows).await)
    }

    /// Forgets every vector of `embedder`; returns how many there were.
    pub async fn delete_embeddings(&self, embedder: &str) -> Result<u64, StoreError> {
        dispatch!(self, s => s.delete_embeddings(embedder).await)
    }

    /// Up to `limit` stored vectors of `embedder`, by paper id after `after` (`""` to start).
    pub async fn embeddings(
        &self,
        embedder: &str,
        after: &str,
        limit: u32,
    ) -> Result<Vec<Embedding>, StoreError> {
        dispatch!(self, s => s.embeddings(embedder, after, limit).await)
    }

    /// Makes `ids` (stored papers) the members of `topic`, replacing the old ones.
    pub async fn set_topic_members(&self, topic: &str, ids: &[ArxivId]) -> Result<(), StoreError> {
        dispatch!(self, s => s.set_topic_members(topic, ids).await)
    }

    /// A page of `topic`'s papers, newest announcement first.
    pub async fn topic_papers(
        &self,
        topic: &str,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<Paper>, StoreError> {
        dispatch!(self, s => s.topic_papers(topic, limit, offset).await)
    }

    pub async fn topic_count(&self, topic: &str) -> Result<u64, StoreError> {
        dispatch!(self, s => s.topic_count(topic).await)
    }

    /// Makes `claims` the comment-derived venue links of their papers (the index sync writes
    /// them); links from imports are kept and win over a claim of the same edition.
    pub async fn replace_comment_venues(
        &self,
        claims: &[(ArxivId, Vec<VenueLink>)],
    ) -> Result<(), StoreError> {
        dispatch!(self, s => s.replace_comment_venues(claims).await)
    }

    /// Stores the links an import found and marks their papers changed for the index; returns
    /// how many were new or different.
    pub async fn put_venue_links(&self, links: &[(ArxivId, VenueLink)]) -> Result<u64, StoreError> {
        dispatch!(self, s => s.put_venue_links(links).await)
    }

    /// The venue links of `ids`, by paper.
    pub async fn venue_links(
        &self,
        ids: &[ArxivId],
    ) -> Result<HashMap<ArxivId, Vec<VenueLink>>, StoreError> {
        dispatch!(self, s => s.venue_links(ids).await)
    }

    /// Papers per venue, edition and group.
    pub async fn venue_groups(&self) -> Result<Vec<GroupCount>, StoreError> {
        dispatch!(self, s => s.venue_groups().await)
    }

    /// A page of an edition's papers (of one group, when given), by title.
    pub async fn venue_papers(
        &self,
        venue: &str,
        year: u16,
        group: Option<&str>,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<(Paper, VenueLink)>, StoreError> {
        dispatch!(self, s => s.venue_papers(venue, year, group, limit, offset).await)
    }

    /// Merges the venue-only paper `duplicate` into the arXiv paper `into`: links move over, the
    /// duplicate is removed and listed in [`Store::removed_papers`]. False if it was not stored.
    pub async fn merge_venue_paper(
        &self,
        duplicate: &ArxivId,
        into: &ArxivId,
    ) -> Result<bool, StoreError> {
        dispatch!(self, s => s.merge_venue_paper(duplicate, into).await)
    }

    /// Papers removed from the Store and not stored again, for indexes to drop.
    pub async fn removed_papers(&self) -> Result<Vec<ArxivId>, StoreError> {
        dispatch!(self, s => s.removed_papers().await)
    }

    /// Every stored paper's id, title and first author, for matching a venue's list.
    pub async fn match_candidates(&self) -> Result<Vec<MatchCandidate>, StoreError> {
        dispatch!(self, s => s.match_candidates().await)
    }

    /// Up to `limit` papers whose rows changed after `after` (all papers when `None`), oldest
    /// change first. Following it page by page, with the last row as the next watermark, visits
    /// every change once in the order it was stored.
    pub async fn changed_since(
        &self,
        after: Option<&Watermark>,
        limit: u32,
    ) -> Result<Vec<Changed>, StoreError> {
        dispatch!(self, s => s.changed_since(after, limit).await)
    }

    /// A page of the papers announced on `date` that match `expr`.
    pub async fn list_day(
        &self,
        expr: &CategoryExpr,
        date: NaiveDate,
        offset: u32,
        limit: u32,
    ) -> Result<Listing, StoreError> {
        dispatch!(self, s => s.list_day(expr, date, offset, limit).await)
    }

    /// Every announced date that has papers, newest first.
    pub async fn announced_dates(&self) -> Result<Vec<NaiveDate>, StoreError> {
        dispatch!(self, s => s.announced_dates().await)
    }

    /// Papers per category and day for the days in `from..=to`, by date then category.
    pub async fn day_counts(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<DayCount>, StoreError> {
        dispatch!(self, s => s.day_counts(from, to).await)
    }

    /// Now, in Unix seconds, by the database's clock. Leases (crawl locks, summary jobs) are
    /// compared across processes, and on several machines their clocks may disagree; the
    /// database's is the one they share.
    pub async fn clock(&self) -> Result<i64, StoreError> {
        dispatch!(self, s => s.clock().await)
    }

    /// Takes the named lease for `ttl` if nobody holds it, or if its holder let it expire (a
    /// process killed mid-run). Returns whether `holder` now has it.
    pub async fn try_lock(
        &self,
        name: &str,
        holder: &str,
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        let now = self.clock().await?;
        let expires = now + ttl.as_secs() as i64;
        dispatch!(self, s => s.try_lock(name, holder, now, expires).await)
    }

    /// Extends a lease `holder` has; false if it lost it (it expired and another run took it).
    pub async fn renew_lock(
        &self,
        name: &str,
        holder: &str,
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        let expires = self.clock().await? + ttl.as_secs() as i64;
        dispatch!(self, s => s.renew_lock(name, holder, expires).await)
    }

    /// Who holds the named lease, if anyone (expired or not).
    pub async fn lock_holder(&self, name: &str) -> Result<Option<String>, StoreError> {
        dispatch!(self, s => s.lock_holder(name).await)
    }

    /// Moves the lease from `from` (known to be dead) to `to`, only if `from` still holds it.
    pub async fn take_over_lock(
        &self,
        name: &str,
        from: &str,
        to: &str,
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        let expires = self.clock().await? + ttl.as_secs() as i64;
        dispatch!(self, s => s.take_over_lock(name, from, to, expires).await)
    }

    pub async fn unlock(&self, name: &str, holder: &str) -> Result<(), StoreError> {
        dispatch!(self, s => s.unlock(name, holder).await)
    }

    /// A named piece of crawler state (a checkpoint, feed validators), as JSON text.
    pub async fn state(&self, name: &str) -> Result<Option<String>, StoreError> {
        dispatch!(self, s => s.state(name).await)
    }

    pub async fn set_state(&self, name: &str, value: &str) -> Result<(), StoreError> {
        let now = Utc::now().timestamp();
        dispatch!(self, s => s.set_state(name, value, now).await)
    }

    pub async fn clear_state(&self, name: &str) -> Result<(), StoreError> {
        dispatch!(self, s => s.clear_state(name).await)
    }

    /// Logs the start of a crawl run; returns its id for [`Store::finish_run`].
    pub async fn start_run(&self, kind: &str) -> Result<i64, StoreError> {
        let now = Utc::now().timestamp();
        dispatch!(self, s => s.start_run(kind, now).await)
    }

    pub async fn finish_run(&self, id: i64, status: &str, summary: &str) -> Result<(), StoreError> {
        let now = Utc::now().timestamp();
        dispatch!(self, s => s.finish_run(id, status, summary, now).await)
    }

    /// The latest runs, newest first.
    pub async fn recent_runs(&self, limit: u32) -> Result<Vec<CrawlRun>, StoreError> {
        dispatch!(self, s => s.recent_runs(i64::from(limit)).await)
    }

    /// The newest cached summary of `id` in `lang` by `maker`, from whichever paper version.
    pub async fn summary(
        &self,
        id: &ArxivId,
        lang: Lang,
        maker: &Maker<'_>,
    ) -> Result<Option<StoredSummary>, StoreError> {
        dispatch!(self, s => s.summary(id, lang, maker).await)
    }

    /// Queues a summary of `id` at `version` in `lang`, or joins the job already there (one
    /// job per paper version and language, however many ask). A failed job is queued again.
    pub async fn enqueue_summary(
        &self,
        id: &ArxivId,
        version: u32,
        lang: Lang,
        priority: i64,
    ) -> Result<(Enqueued, SummaryJob), StoreError> {
        let now = self.clock().await?;
        dispatch!(self, s => s.enqueue_summary(id, version, lang, priority, now).await)
    }

    /// The job for `id` at `version` in `lang`: waiting, running or failed.
    pub async fn summary_job(
        &self,
        id: &ArxivId,
        version: u32,
        lang: Lang,
    ) -> Result<Option<SummaryJob>, StoreError> {
        dispatch!(self, s => s.summary_job(id, version, lang).await)
    }

    /// How many queued jobs go before `job`.
    pub async fn queue_position(&self, job: &SummaryJob) -> Result<u64, StoreError> {
        dispatch!(self, s => s.queue_position(job).await)
    }

    /// Summary jobs (queued, running).
    pub async fn summary_queue_len(&self) -> Result<(u64, u64), StoreError> {
        dispatch!(self, s => s.summary_queue_len().await)
    }

    /// Claims the next summary job for `worker` for `lease`: the highest priority queued job, or
    /// a running one whose worker died. Exactly one worker gets each job, across processes.
    pub async fn claim_summary_job(
        &self,
        worker: &str,
        lease: Duration,
    ) -> Result<Option<SummaryJob>, StoreError> {
        let now = self.clock().await?;
        let until = now + lease.as_secs() as i64;
        dispatch!(self, s => s.claim_summary_job(worker, now, until).await)
    }

    /// Extends `worker`'s lease on job `id` and saves the answers so far; false if lost.
    pub async fn renew_summary_job(
        &self,
        id: i64,
        worker: &str,
        lease: Duration,
        partial: &[String],
    ) -> Result<bool, StoreError> {
        let now = self.clock().await?;
        let until = now + lease.as_secs() as i64;
        dispatch!(self, s => s.renew_summary_job(id, worker, until, partial, now).await)
    }

    /// Stores the summary and removes job `id` atomically; false if the job is no longer
    /// `worker`'s (then nothing is stored).
    pub async fn finish_summary_job(
        &self,
        id: i64,
        worker: &str,
        summary: &StoredSummary,
    ) -> Result<bool, StoreError> {
        dispatch!(self, s => s.finish_summary_job(id, worker, summary).await)
    }

    pub async fn fail_summary_job(
        &self,
        id: i64,
        worker: &str,
        reason: &str,
    ) -> Result<(), StoreError> {
        let now = self.clock().await?;
        dispatch!(self, s => s.fail_summary_job(id, worker, reason, now).await)
    }

    /// Puts job `id` back in the queue as it was.
    pub async fn release_summary_job(&self, id: i64, worker: &str) -> Result<(), StoreError> {
        let now = self.clock().await?;
        dispatch!(self, s => s.release_summary_job(id, worker, now).await)
    }

    /// Tokens spent on the summaries stored since `since`.
    pub async fn summary_tokens_since(&self, since: DateTime<Utc>) -> Result<u64, StoreError> {
        dispatch!(self, s => s.summary_tokens_since(since.timestamp()).await)
    }

    pub async fn fulltext(
        &self,
        id: &ArxivId,
        version: u32,
    ) -> Result<Option<FullText>, StoreError> {
        dispatch!(self, s => s.fulltext(id, version).await)
    }

    pub async fn put_fulltext(
        &self,
        id: &ArxivId,
        version: u32,
        fulltext: &FullText,
    ) -> Result<(), StoreError> {
        let now = Utc::now().timestamp();
        dispatch!(self, s => s.put_fulltext(id, version, fulltext, now).await)
    }

    /// How many papers are stored.
    pub async fn paper_count(&self) -> Result<u64, StoreError> {
        dispatch!(self, s => s.paper_count().await)
    }

    /// Closes the pool, waiting for connections to finish (SQLite checkpoints its WAL on close).
    pub async fn close(&self) {
        dispatch!(self, s => s.close().await)
    }
}

/// Decides, for one batch, what to write: the shared half of every backend's upsert.
/// `stored` holds the rows of the batch's papers that already exist.
pub(crate) fn plan_batch(
    stored: HashMap<ArxivId, Paper>,
    batch: Vec<Paper>,
) -> (Vec<Paper>, UpsertCounts) {
    let mut counts = UpsertCounts::default();
    // Each record counts once, as if it had come in its own run; later records of the same
    // paper merge into earlier ones of the batch, and the paper is written once.
    let mut pending: HashMap<ArxivId, Paper> = HashMap::new();
    let mut order = Vec::new();
    for paper in batch {
        let id = paper.id.clone();
        let current = pending.get(&id).or_else(|| stored.get(&id));
        match crate::paper::merge(current, paper) {
            Merge::Unchanged => counts.unchanged += 1,
            Merge::New(p) => {
                counts.new += 1;
                order.push(id.clone());
                pending.insert(id, p);
            }
            Merge::Updated(p) => {
                counts.updated += 1;
                if pending.insert(id.clone(), p).is_none() {
                    order.push(id);
                }
            }
        }
    }
    let writes = order
        .into_iter()
        .filter_map(|id| pending.remove(&id))
        .collect();
    (writes, counts)
}

/// Hides the password of a database URL, for messages and logs.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let Some((userinfo, host)) = rest.rsplit_once('@') else {
        return url.to_string();
    };
    match userinfo.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paper::tests::sample;

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            redact_url("postgres://papers:s3cret@db:5432/papers"),
            "postgres://papers:***@db:5432/papers"
        );
        assert_eq!(
            redact_url("postgres://postgres@127.0.0.1/test"),
            "postgres://postgres@127.0.0.1/test"
        );
        assert_eq!(redact_url("sqlite:data/papers.db"), "sqlite:data/papers.db");
    }

    #[test]
    fn a_batch_with_the_same_paper_twice_writes_it_once() {
        let v1 = sample("2506.01234", 1);
        let v2 = sample("2506.01234", 2);
        let (writes, counts) = plan_batch(HashMap::new(), vec![v1.clone(), v2, v1]);
        assert_eq!(writes.len(), 1);
        assert_eq!(writes[0].version, 2);
        assert_eq!(
            counts,
            UpsertCounts {
                new: 1,
                updated: 1,
                unchanged: 1
            }
        );
    }
}
