//! One paper (or a few) on demand: `papers fetch ID…`, and later the web server's "this paper is
//! not stored yet" queue. Same client, same manners as the daily crawl.

use papers_core::{ArxivId, Store};
use serde::Serialize;

use crate::source::{API_BATCH, ArxivClient};

#[derive(Clone, Debug, Default, Serialize)]
pub struct FetchReport {
    pub new: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Ids arXiv does not know (or withheld): asked for, not returned.
    pub missing: Vec<String>,
    pub errors: Vec<String>,
}

/// Fetches the papers' metadata through the API and stores it. Source errors go in the report;
/// only a Store failure is an `Err`.
pub async fn fetch_papers(
    store: &Store,
    client: &ArxivClient,
    ids: &[ArxivId],
) -> Result<FetchReport, papers_core::StoreError> {
    let mut report = FetchReport::default();
    let mut unique: Vec<ArxivId> = Vec::with_capacity(ids.len());
    for id in ids {
        if !unique.contains(id) {
            unique.push(id.clone());
        }
    }
    for batch in unique.chunks(API_BATCH) {
        let page = match client.by_ids(batch).await {
            Ok(page) => page,
            Err(error) => {
                tracing::error!(%error, "cannot fetch papers from the arXiv API");
                report.errors.push(format!("api: {error}"));
                continue;
            }
        };
        for id in batch {
            if !page.entries.iter().any(|p| &p.id == id) {
                report.missing.push(id.to_string());
            }
        }
        let counts = store.upsert(page.entries).await?;
        report.new += counts.new;
        report.updated += counts.updated;
        report.unchanged += counts.unchanged;
    }
    Ok(report)
}
