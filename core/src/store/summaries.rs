//! Summaries, their generation jobs, and cached PDF text. Times are Unix seconds.

use chrono::{DateTime, Utc};

use super::StoreError;
use super::dialect::{Dialect, both};
use crate::arxiv_id::ArxivId;
use crate::summary::{Enqueued, FullText, JobState, Lang, Maker, StoredSummary, SummaryJob};

const JOB_COLUMNS: &str =
    "id, paper_id, version, lang, priority, state, attempts, error, partial, worker, created_at";

type JobRow = (
    i64,
    String,
    i64,
    String,
    i64,
    String,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
);

type SummaryRow = (
    String,
    i64,
    String,
    String,
    String,
    i64,
    String,
    String,
    i64,
    i64,
);

fn corrupt(id: &str, reason: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        id: id.to_string(),
        reason: reason.into(),
    }
}

fn time(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

fn answers(id: &str, json: &str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(json).map_err(|e| corrupt(id, format!("summary answers: {e}")))
}

fn to_json(answers: &[String]) -> String {
    serde_json::to_string(answers).unwrap_or_else(|_| "[]".to_string())
}

fn lang(id: &str, code: &str) -> Result<Lang, StoreError> {
    Lang::parse(code).ok_or_else(|| corrupt(id, format!("unknown summary language '{code}'")))
}

fn job_from_row(row: JobRow) -> Result<SummaryJob, StoreError> {
    let (
        id,
        paper_id,
        version,
        lang_code,
        priority,
        state,
        attempts,
        error,
        partial,
        worker,
        created_at,
    ) = row;
    Ok(SummaryJob {
        id,
        paper_id: ArxivId::parse_any(&paper_id).map_err(|e| corrupt(&paper_id, e.to_string()))?,
        version: u32::try_from(version).unwrap_or(1),
        lang: lang(&paper_id, &lang_code)?,
        priority,
        state: JobState::parse(&state)
            .ok_or_else(|| corrupt(&paper_id, format!("job state '{state}'")))?,
        attempts: u32::try_from(attempts).unwrap_or(0),
        error,
        partial: match partial {
            Some(json) => answers(&paper_id, &json)?,
            None => Vec::new(),
        },
        worker,
        created_at: time(created_at),
    })
}

fn summary_from_row(row: SummaryRow) -> Result<StoredSummary, StoreError> {
    let (
        paper_id,
        version,
        lang_code,
        provider,
        model,
        prompt_version,
        json,
        source,
        tokens,
        created_at,
    ) = row;
    Ok(StoredSummary {
        version: u32::try_from(version).unwrap_or(1),
        lang: lang(&paper_id, &lang_code)?,
        provider,
        model,
        prompt_version: u32::try_from(prompt_version).unwrap_or(0),
        answers: answers(&paper_id, &json)?,
        source,
        tokens: u64::try_from(tokens).unwrap_or(0),
        created_at: time(created_at),
        paper_id: ArxivId::parse_any(&paper_id).map_err(|e| corrupt(&paper_id, e.to_string()))?,
    })
}

both! {
    /// The newest cached summary of `id` in `lang` by `maker`, whatever paper version it was made
    /// from (the caller compares versions to call it stale).
    pub async fn summary(&self, id: &ArxivId, lang: Lang, maker: &Maker<'_>) -> Result<Option<StoredSummary>, StoreError> {
        let row: Option<SummaryRow> = sqlx::query_as(sqlx::AssertSqlSafe(Self::sql(
            "SELECT paper_id, version, lang, provider, model, prompt_version, answers, source, tokens, created_at \
             FROM summaries WHERE paper_id = ? AND lang = ? AND provider = ? AND model = ? AND prompt_version = ? \
             ORDER BY version DESC LIMIT 1",
        )))
        .bind(id.as_str())
        .bind(lang.code())
        .bind(maker.provider)
        .bind(maker.model)
        .bind(i64::from(maker.prompt_version))
        .fetch_optional(&self.pool)
        .await?;
        row.map(summary_from_row).transpose()
    }

    /// Queues a generation of `id` at `version` in `lang`, or joins the one waiting or running.
    /// A failed job is queued again. A job asked for with a higher priority is moved up.
    pub async fn enqueue_summary(&self, id: &ArxivId, version: u32, lang: Lang, priority: i64, now: i64) -> Result<(Enqueued, SummaryJob), StoreError> {
        // A job that finishes between our insert and our read is gone by the time we look: its
        // summary is stored, and the caller may want a new version of it. One more pass inserts
        // afresh; a third can only be needed if jobs finish instantly, which they do not.
        for _ in 0..3 {
            if let Some(done) = self.enqueue_summary_once(id, version, lang, priority, now).await? {
                return Ok(done);
            }
        }
        Err(corrupt(id.as_str(), "a summary job kept vanishing while it was queued"))
    }

    async fn enqueue_summary_once(&self, id: &ArxivId, version: u32, lang: Lang, priority: i64, now: i64) -> Result<Option<(Enqueued, SummaryJob)>, StoreError> {
        let inserted = sqlx::query(sqlx::AssertSqlSafe(Self::sql(
            "INSERT INTO summary_jobs (paper_id, version, lang, priority, state, created_at, updated_at) \
             VALUES (?, ?, ?, ?, 'queued', ?, ?) ON CONFLICT (paper_id, version, lang) DO NOTHING",
        )))
        .bind(id.as_str())
        .bind(i64::from(version))
        .bind(lang.code())
        .bind(priority)
        .bind(now)
        .bind(now)
        .execute(&self.pool)
        .await?
        .rows_affected() == 1;
        let requeued = !inserted && sqlx::query(sqlx::AssertSqlSafe(Self::sql(
            "UPDATE summary_jobs SET state = 'queued', error = NULL, partial = NULL, worker = NULL, \
             lease_until = NULL, attempts = 0, priority = ?, updated_at = ? \
             WHERE paper_id = ? AND version = ? AND lang = ? AND state = 'failed'",
        )))
        .bind(priority)
        .bind(now)
        .bind(id.as_str())
        .bind(i64::from(version))
        .bind(lang.code())
        .execute(&self.pool)
        .await?
        .rows_affected() == 1;
        if !inserted && !requeued {
            sqlx::query(sqlx::AssertSqlSafe(Self::sql(
                "UPDATE summary_jobs SET priority = ? WHERE paper_id = ? AND version = ? AND lang = ? AND priority < ?",
            )))
            .bind(priority)
            .bind(id.as_str())
            .bind(i64::from(version))
            .bind(lang.code())
            .bind(priority)
            .execute(&self.pool)
            .await?;
        }
        let Some(job) = self.summary_job(id, version, lang).await? else { return Ok(None) };
        Ok(Some((if inserted || requeued { Enqueued::New } else { Enqueued::Joined }, job)))
    }

    /// The job for `id` at `version` in `lang`, if one is waiting, running or failed.
    pub async fn summary_job(&self, id: &ArxivId, version: u32, lang: Lang) -> Result<Option<SummaryJob>, StoreError> {
        let sql = format!("SELECT {JOB_COLUMNS} FROM summary_jobs WHERE paper_id = ? AND version = ? AND lang = ?");
        let row: Option<JobRow> = sqlx::query_as(sqlx::AssertSqlSafe(Self::sql_owned(sql)))
            .bind(id.as_str())
            .bind(i64::from(version))
            .bind(lang.code())
            .fetch_optional(&self.pool)
            .await?;
        row.map(job_from_row).transpose()
    }

    /// How many queued jobs go before `job`: 0 means it is next.
    pub async fn queue_position(&self, job: &SummaryJob) -> Result<u64, StoreError> {
        let (ahead,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(Self::sql(
            "SELECT COUNT(*) FROM summary_jobs WHERE state = 'queued' AND (priority > ? OR (priority = ? AND id < ?))",
        )))
        .bind(job.priority)
        .bind(job.priority)
        .bind(job.id)
        .fetch_one(&self.pool)
        .await?;
        Ok(ahead as u64)
    }

    /// Jobs waiting and running.
    pub async fn summary_queue_len(&self) -> Result<(u64, u64), StoreError> {
        let (queued, running): (i64, i64) = sqlx::query_as(sqlx::AssertSqlSafe(Self::sql(
            "SELECT COALESCE(SUM(CASE WHEN state = 'queued' THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN state = 'running' THEN 1 ELSE 0 END), 0) FROM summary_jobs",
        )))
        .fetch_one(&self.pool)
        .await?;
        Ok((queued as u64, running as u64))
    }

    /// Takes the first queued job, or a running one whose worker stopped renewing its lease, for
    /// `worker` until `lease_until`. Across processes, exactly one worker gets each job.
    pub async fn claim_summary_job(&self, worker: &str, now: i64, lease_until: i64) -> Result<Option<SummaryJob>, StoreError> {
        let sql = format!(
            "UPDATE summary_jobs SET state = 'running', worker = ?, lease_until = ?, attempts = attempts + 1, \
             partial = NULL, updated_at = ? \
             WHERE id = (SELECT id FROM summary_jobs WHERE state = 'queued' OR (state = 'running' AND lease_until < ?) \
             ORDER BY priority DESC, id LIMIT 1{}) \
             RETURNING {JOB_COLUMNS}",
            Self::SKIP_LOCKED
        );
        let row: Option<JobRow> = sqlx::query_as(sqlx::AssertSqlSafe(Self::sql_owned(sql)))
            .bind(worker)
            .bind(lease_until)
            .bind(now)
            .bind(now)
            .fetch_optional(&self.pool)
            .await?;
        row.map(job_from_row).transpose()
    }

    /// Extends `worker`'s lease on job `id` and records the answers so far; false if the job is
    /// no longer this worker's (its lease ran out and another took it over).
    pub async fn renew_summary_job(&self, id: i64, worker: &str, lease_until: i64, partial: &[String], now: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(sqlx::AssertSqlSafe(Self::sql(
            "UPDATE summary_jobs SET lease_until = ?, partial = ?, updated_at = ? \
             WHERE id = ? AND worker = ? AND state = 'running'",
        )))
        .bind(lease_until)
        .bind(to_json(partial))
        .bind(now)
        .bind(id)
        .bind(worker)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Ends job `id` with its answer: the summary is stored and the job removed, in one
    /// transaction. False (and nothing stored) if the job is no longer `worker`'s.
    pub async fn finish_summary_job(&self, id: i64, worker: &str, summary: &StoredSummary) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(sqlx::AssertSqlSafe(Self::sql(
            "DELETE FROM summary_jobs WHERE id = ? AND worker = ? AND state = 'running'",
        )))
        .bind(id)
        .bind(worker)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query(sqlx::AssertSqlSafe(Self::sql(
            "INSERT INTO summaries (paper_id, version, lang, provider, model, prompt_version, answers, source, tokens, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (paper_id, lang, provider, model, prompt_version, version) DO UPDATE SET \
             answers = excluded.answers, source = excluded.source, tokens = excluded.tokens, created_at = excluded.created_at",
        )))
        .bind(summary.paper_id.as_str())
        .bind(i64::from(summary.version))
        .bind(summary.lang.code())
        .bind(&summary.provider)
        .bind(&summary.model)
        .bind(i64::from(summary.prompt_version))
        .bind(to_json(&summary.answers))
        .bind(&summary.source)
        .bind(i64::try_from(summary.tokens).unwrap_or(i64::MAX))
        .bind(summary.created_at.timestamp())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Marks job `id` failed with `reason` (shown to readers), if it is still `worker`'s.
    pub async fn fail_summary_job(&self, id: i64, worker: &str, reason: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query(sqlx::AssertSqlSafe(Self::sql(
            "UPDATE summary_jobs SET state = 'failed', error = ?, partial = NULL, lease_until = NULL, updated_at = ? \
             WHERE id = ? AND worker = ? AND state = 'running'",
        )))
        .bind(reason)
        .bind(now)
        .bind(id)
        .bind(worker)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Puts job `id` back in the queue untouched (its paper could not be read for now).
    pub async fn release_summary_job(&self, id: i64, worker: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query(sqlx::AssertSqlSafe(Self::sql(
            "UPDATE summary_jobs SET state = 'queued', worker = NULL, lease_until = NULL, partial = NULL, \
             attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, updated_at = ? \
             WHERE id = ? AND worker = ? AND state = 'running'",
        )))
        .bind(now)
        .bind(id)
        .bind(worker)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Tokens spent on summaries stored since `since`.
    pub async fn summary_tokens_since(&self, since: i64) -> Result<u64, StoreError> {
        let (tokens,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(Self::sql(
            "SELECT CAST(COALESCE(SUM(tokens), 0) AS BIGINT) FROM summaries WHERE created_at >= ?",
        )))
        .bind(since)
        .fetch_one(&self.pool)
        .await?;
        Ok(tokens as u64)
    }

    /// The cached text of `id`'s PDF at `version`, or why it could not be had.
    pub async fn fulltext(&self, id: &ArxivId, version: u32) -> Result<Option<FullText>, StoreError> {
        let row: Option<(Option<String>, Option<String>)> = sqlx::query_as(sqlx::AssertSqlSafe(Self::sql(
            "SELECT text, error FROM fulltexts WHERE paper_id = ? AND version = ?",
        )))
        .bind(id.as_str())
        .bind(i64::from(version))
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(text, error)| match text {
            Some(text) => FullText::Text(text),
            None => FullText::Unavailable(error.unwrap_or_default()),
        }))
    }

    pub async fn put_fulltext(&self, id: &ArxivId, version: u32, fulltext: &FullText, now: i64) -> Result<(), StoreError> {
        let (text, error) = match fulltext {
            FullText::Text(text) => (Some(text.as_str()), None),
            FullText::Unavailable(reason) => (None, Some(reason.as_str())),
        };
        sqlx::query(sqlx::AssertSqlSafe(Self::sql(
            "INSERT INTO fulltexts (paper_id, version, text, error, fetched_at) VALUES (?, ?, ?, ?, ?) \
             ON CONFLICT (paper_id, version) DO UPDATE SET text = excluded.text, error = excluded.error, \
             fetched_at = excluded.fetched_at",
        )))
        .bind(id.as_str())
        .bind(i64::from(version))
        .bind(text)
        .bind(error)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
