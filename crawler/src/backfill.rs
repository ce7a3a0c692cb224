//! History in bulk through OAI-PMH `ListRecords`: page after page by resumption token, each page
//! stored before the checkpoint moves past it. A run killed at any point resumes from its last
//! checkpoint and re-stores at most one page, which the idempotent upsert absorbs.

use chrono::NaiveDate;
use papers_core::Store;
use serde::{Deserialize, Serialize};

use crate::source::{ArxivClient, OaiRequest};

/// What to harvest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BackfillSpec {
    /// An OAI-PMH set such as `cs` or `physics:hep-th`; all of arXiv when `None`.
    pub set: Option<String>,
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

impl BackfillSpec {
    /// Each distinct harvest has its own checkpoint.
    fn checkpoint_key(&self) -> String {
        let date = |d: Option<NaiveDate>| d.map_or_else(|| "*".to_string(), |d| d.to_string());
        format!(
            "oai-backfill:{}:{}:{}",
            self.set.as_deref().unwrap_or("*"),
            date(self.from),
            date(self.until)
        )
    }
}

#[derive(Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
struct Checkpoint {
    token: String,
    pages: u64,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct BackfillReport {
    /// Whether this run picked up a harvest an earlier run left unfinished.
    pub resumed: bool,
    pub pages: u64,
    pub records: u64,
    /// The harvest's size as the server announced it.
    pub complete_list_size: Option<u64>,
    pub skipped: u64,
    pub deleted: u64,
    /// Entries a page repeated from an earlier page of the same run (API searches), not stored twice.
    pub duplicates: u64,
    pub new: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// The harvest reached its last page.
    pub finished: bool,
    pub errors: Vec<String>,
}

/// Harvests until the last page or the first source failure (recorded in the report; the
/// checkpoint stays, so the next run continues). Only Store failures are an `Err`.
pub async fn backfill(
    store: &Store,
    client: &ArxivClient,
    spec: &BackfillSpec,
    mut progress: impl FnMut(&BackfillReport),
) -> Result<BackfillReport, papers_core::StoreError> {
    let key = spec.checkpoint_key();
    let mut report = BackfillReport::default();
    let mut request = match store.state(&key).await? {
        Some(text) => match serde_json::from_str::<Checkpoint>(&text) {
            Ok(checkpoint) => {
                tracing::info!(
                    pages = checkpoint.pages,
                    "resuming the backfill from its checkpoint"
                );
                report.resumed = true;
                report.pages = checkpoint.pages;
                OaiRequest::Resume(checkpoint.token)
            }
            Err(error) => {
                tracing::warn!(%error, "unreadable backfill checkpoint; starting over");
                start(spec)
            }
        },
        None => start(spec),
    };

    loop {
        let page = match client.oai(&request).await {
            Ok(page) => page,
            Err(error) => {
                tracing::error!(%error, "OAI-PMH harvest stopped; the next run resumes here");
                report.errors.push(format!("oai: {error}"));
                return Ok(report);
            }
        };
        if let Some(error) = &page.error {
            match error.code.as_str() {
                // Nothing in the range: a normal, finished harvest.
                "noRecordsMatch" => {}
                // Tokens expire; an old checkpoint is worth nothing, start the harvest again.
                "badResumptionToken" if matches!(request, OaiRequest::Resume(_)) => {
                    tracing::warn!(message = %error.message, "resumption token expired; starting over");
                    store.clear_state(&key).await?;
                    request = start(spec);
                    continue;
                }
                _ => {
                    report
                        .errors
                        .push(format!("oai: {}: {}", error.code, error.message));
                    return Ok(report);
                }
            }
        }
        report.pages += 1;
        report.records += page.records.len() as u64;
        report.skipped += page.skipped.len() as u64;
        report.deleted += page.deleted.len() as u64;
        report.complete_list_size = page.complete_list_size.or(report.complete_list_size);
        for skipped in &page.skipped {
            tracing::warn!(%skipped, "skipped a malformed OAI-PMH record");
        }
        let counts = store
            .upsert(page.records.into_iter().map(|r| r.paper).collect())
            .await?;
        report.new += counts.new;
        report.updated += counts.updated;
        report.unchanged += counts.unchanged;

        match page.resumption_token {
            Some(token) => {
                let checkpoint = Checkpoint {
                    token: token.clone(),
                    pages: report.pages,
                };
                let text = serde_json::to_string(&checkpoint).expect("a checkpoint serialises");
                store.set_state(&key, &text).await?;
                progress(&report);
                request = OaiRequest::Resume(token);
            }
            None => {
                store.clear_state(&key).await?;
                report.finished = true;
                progress(&report);
                return Ok(report);
            }
        }
    }
}

fn start(spec: &BackfillSpec) -> OaiRequest {
    OaiRequest::Start {
        set: spec.set.clone(),
        from: spec.from,
        until: spec.until,
    }
}
