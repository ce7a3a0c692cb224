//! The daily crawl: the listing feed for the configured categories (one combined feed, so a paper
//! in several of them is fetched and stored once), its papers completed through the API (comment,
//! journal ref, DOI, dates, every category), and one upsert.

use std::collections::HashMap;

use papers_core::http::Validators;
use papers_core::store::UpsertCounts;
use papers_core::{ArxivId, Category, Paper, Store};
use serde::Serialize;

use crate::arxiv::FeedEntry;
use crate::source::{API_BATCH, ArxivClient};

/// What one daily crawl did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct DailyReport {
    /// The listing day the feed was for (none when it had not changed or was unreadable).
    pub day: Option<chrono::NaiveDate>,
    /// The feed had not changed since the last run (HTTP 304).
    pub not_modified: bool,
    /// Entries in the feed, by announce type.
    pub listed: HashMap<&'static str, u64>,
    /// Feed entries skipped as malformed.
    pub skipped: u64,
    /// Papers whose metadata the API completed.
    pub completed: u64,
    /// Papers stored from the feed alone (the API did not return them, or failed).
    pub feed_only: u64,
    pub new: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Sources that failed after retries; what else was fetched is stored.
    pub errors: Vec<String>,
}

impl DailyReport {
    fn stored(&mut self, counts: UpsertCounts) {
        self.new += counts.new;
        self.updated += counts.updated;
        self.unchanged += counts.unchanged;
    }
}

/// State key for the feed's validators (conditional GET).
fn validators_key(url: &str) -> String {
    format!("feed-validators:{url}")
}

/// One daily crawl. Errors from a source are recorded in the report, not returned: whatever
/// could be fetched is stored. Only a Store failure is an `Err`.
pub async fn crawl_daily(
    store: &Store,
    client: &ArxivClient,
    categories: &[Category],
) -> Result<DailyReport, papers_core::StoreError> {
    let mut report = DailyReport::default();
    let url = client.feed_url(categories);
    let key = validators_key(&url);
    let validators = load_validators(store, &key).await?;

    let (page, fresh_validators) = match client.feed(categories, validators.as_ref()).await {
        Ok(Some(fetched)) => fetched,
        Ok(None) => {
            tracing::info!(%url, "feed not modified since the last run");
            report.not_modified = true;
            return Ok(report);
        }
        Err(error) => {
            tracing::error!(%error, "cannot read the listing feed");
            report.errors.push(format!("feed: {error}"));
            return Ok(report);
        }
    };
    report.day = page.day;
    report.skipped = page.skipped.len() as u64;
    for skipped in &page.skipped {
        tracing::warn!(%url, %skipped, "skipped a malformed feed entry");
    }

    // The same paper may appear twice (a feed bug, or across pages): keep its first entry.
    let mut listed: Vec<FeedEntry> = Vec::with_capacity(page.entries.len());
    for entry in page.entries {
        if !listed.iter().any(|e| e.paper.id == entry.paper.id) {
            *report
                .listed
                .entry(entry.announce_type.as_str())
                .or_default() += 1;
            listed.push(entry);
        }
    }

    let papers = complete_with_api(client, listed, &mut report).await;
    let counts = store.upsert(papers).await?;
    report.stored(counts);

    // Only now that the papers are stored may the next run skip an unchanged feed.
    if fresh_validators.etag.is_some() || fresh_validators.last_modified.is_some() {
        save_validators(store, &key, &fresh_validators).await?;
    }
    Ok(report)
}

/// Replaces each feed paper by the API's fuller record, keeping what only the feed knows (the
/// announce day). A batch the API cannot give falls back to the feed's own metadata.
async fn complete_with_api(
    client: &ArxivClient,
    listed: Vec<FeedEntry>,
    report: &mut DailyReport,
) -> Vec<Paper> {
    let mut papers = Vec::with_capacity(listed.len());
    for batch in listed.chunks(API_BATCH) {
        let ids: Vec<ArxivId> = batch.iter().map(|e| e.paper.id.clone()).collect();
        let mut from_api: HashMap<ArxivId, Paper> = match client.by_ids(&ids).await {
            Ok(page) => page
                .entries
                .into_iter()
                .map(|p| (p.id.clone(), p))
                .collect(),
            Err(error) => {
                tracing::error!(%error, papers = ids.len(), "API completion failed; storing the feed's metadata");
                report.errors.push(format!("api: {error}"));
                HashMap::new()
            }
        };
        for entry in batch {
            let feed_paper = entry.paper.clone();
            match from_api.remove(&feed_paper.id) {
                Some(mut full) => {
                    report.completed += 1;
                    full.announced = feed_paper.announced;
                    // The feed is the fresher source for the version being announced.
                    if feed_paper.version > full.version {
                        full.version = feed_paper.version;
                    }
                    papers.push(full);
                }
                None => {
                    report.feed_only += 1;
                    papers.push(feed_paper);
                }
            }
        }
    }
    papers
}

async fn load_validators(
    store: &Store,
    key: &str,
) -> Result<Option<Validators>, papers_core::StoreError> {
    let Some(text) = store.state(key).await? else {
        return Ok(None);
    };
    let value: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    let field = |name: &str| value.get(name).and_then(|v| v.as_str()).map(str::to_string);
    Ok(Some(Validators {
        etag: field("etag"),
        last_modified: field("last_modified"),
    }))
}

async fn save_validators(
    store: &Store,
    key: &str,
    validators: &Validators,
) -> Result<(), papers_core::StoreError> {
    let value = serde_json::json!({
        "etag": validators.etag,
        "last_modified": validators.last_modified,
    });
    store.set_state(key, &value.to_string()).await
}
