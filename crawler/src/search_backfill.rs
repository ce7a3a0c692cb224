//! History for one category through the API's search: `cat:cs.LG AND submittedDate:[… TO …]`,
//! oldest submissions first, page after page. Narrower than an OAI-PMH harvest (one category,
//! exact submission dates) and slower (the API allows one request every 3 seconds), so it suits
//! filling a gap in one category; whole archives go through [`crate::backfill`].
//!
//! The API pages by offset over a result list that moves while papers come in, so a page can
//! repeat entries of the one before. Entries already seen in the run are counted as duplicates
//! and not stored again. Each page is stored before the checkpoint (the next offset) moves past
//! it, so a killed run resumes where it stopped.

use std::collections::HashSet;

use chrono::NaiveDate;
use papers_core::{ArxivId, Category, Store};
use serde::{Deserialize, Serialize};

use crate::backfill::BackfillReport;
use crate::source::ArxivClient;

/// Entries per API page unless asked otherwise: arXiv allows up to 2,000, but small pages make a
/// retry cheap and progress visible.
pub const DEFAULT_PAGE_SIZE: u64 = 200;
/// arXiv's own ceiling for `max_results` per request.
pub const MAX_PAGE_SIZE: u64 = 2000;

/// What to search.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchSpec {
    pub category: Category,
    pub from: NaiveDate,
    /// Last submission day, inclusive.
    pub until: NaiveDate,
    pub page_size: u64,
}

impl SearchSpec {
    /// The API query: the category and the submission days, whole days in arXiv's `YYYYMMDDHHMM`.
    pub fn query(&self) -> String {
        format!(
            "cat:{} AND submittedDate:[{}0000 TO {}2359]",
            self.category.as_str(),
            self.from.format("%Y%m%d"),
            self.until.format("%Y%m%d")
        )
    }

    /// Each distinct search has its own checkpoint.
    fn checkpoint_key(&self) -> String {
        format!(
            "api-backfill:{}:{}:{}",
            self.category.as_str(),
            self.from,
            self.until
        )
    }
}

#[derive(Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
struct Checkpoint {
    start: u64,
    pages: u64,
}

/// Searches until the last page or the first source failure (recorded in the report; the
/// checkpoint stays, so the next run continues). Only Store failures are an `Err`.
pub async fn search_backfill(
    store: &Store,
    client: &ArxivClient,
    spec: &SearchSpec,
    mut progress: impl FnMut(&BackfillReport),
) -> Result<BackfillReport, papers_core::StoreError> {
    let key = spec.checkpoint_key();
    let query = spec.query();
    let mut report = BackfillReport::default();
    let mut start = 0;
    if let Some(text) = store.state(&key).await? {
        match serde_json::from_str::<Checkpoint>(&text) {
            Ok(checkpoint) => {
                tracing::info!(
                    start = checkpoint.start,
                    "resuming the search backfill from its checkpoint"
                );
                report.resumed = true;
                report.pages = checkpoint.pages;
                start = checkpoint.start;
            }
            Err(error) => tracing::warn!(%error, "unreadable search checkpoint; starting over"),
        }
    }
    let mut seen: HashSet<ArxivId> = HashSet::new();

    loop {
        let page = match client.search(&query, start, spec.page_size).await {
            Ok(page) => page,
            Err(error) => {
                tracing::error!(%error, "API search stopped; the next run resumes here");
                report.errors.push(format!("api: {error}"));
                return Ok(report);
            }
        };
        report.pages += 1;
        report.complete_list_size = page.total_results.or(report.complete_list_size);
        report.skipped += page.skipped.len() as u64;
        for skipped in &page.skipped {
            tracing::warn!(%skipped, "skipped a malformed API entry");
        }
        let returned = (page.entries.len() + page.skipped.len()) as u64;
        let fresh: Vec<_> = page
            .entries
            .into_iter()
            .filter(|p| seen.insert(p.id.clone()))
            .collect();
        report.duplicates += returned - page.skipped.len() as u64 - fresh.len() as u64;
        report.records += fresh.len() as u64;
        let counts = store.upsert(fresh).await?;
        report.new += counts.new;
        report.updated += counts.updated;
        report.unchanged += counts.unchanged;

        let total = page.total_results.unwrap_or(0);
        if returned == 0 && start < total {
            // The API is known to answer a page inside the list with no entries now and then.
            // Stop with the checkpoint where it is rather than skip the rest of the list.
            let error = format!("api: an empty page at {start} of {total}; run again to resume");
            tracing::error!("{error}");
            report.errors.push(error);
            return Ok(report);
        }
        start += returned;
        // The list can grow and shift while it is paged, so the end is a short page past the
        // announced total, not the total itself.
        if returned < spec.page_size && start >= total {
            store.clear_state(&key).await?;
            report.finished = true;
            progress(&report);
            return Ok(report);
        }
        let checkpoint = Checkpoint {
            start,
            pages: report.pages,
        };
        let text = serde_json::to_string(&checkpoint).expect("a checkpoint serialises");
        store.set_state(&key, &text).await?;
        progress(&report);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_covers_whole_days() {
        let spec = SearchSpec {
            category: Category::parse("cs.LG").unwrap(),
            from: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
            until: NaiveDate::from_ymd_opt(2025, 1, 31).unwrap(),
            page_size: DEFAULT_PAGE_SIZE,
        };
        assert_eq!(
            spec.query(),
            "cat:cs.LG AND submittedDate:[202501010000 TO 202501312359]"
        );
    }
}
