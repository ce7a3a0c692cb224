//! Storing what a venue lists: each record becomes a venue link on the paper it is, matched by
//! arXiv id when the source gives one, else by normalised title plus first author's surname; a
//! record that matches no stored paper becomes a paper of its own (`openreview:…`, `curated:…`).
//! A paper is never stored twice: a venue-only paper whose arXiv version has since been stored
//! is merged into it when the venue is imported again, and a title that matches more than one
//! paper is skipped and reported, not guessed.

use std::collections::{HashMap, HashSet};

use papers_core::{ArxivId, Store, StoreError};
use serde::Serialize;

use super::record::{VenueRecord, surname, title_key};

/// Records stored per Store call.
const BATCH: usize = 500;

/// What an import did.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct VenueImportReport {
    /// Records read from the source.
    pub records: u64,
    /// Records matched to a stored arXiv paper by the id the source gave.
    pub by_arxiv_id: u64,
    /// Records matched to a stored paper by title and first author.
    pub by_title: u64,
    /// Records stored as papers known only at the venue (new or already there).
    pub venue_only: u64,
    /// Links that were new or changed (the rest were stored already).
    pub links_changed: u64,
    /// Venue-only papers found to be arXiv papers, merged into them.
    pub merged: u64,
    /// Records not stored, with the reason.
    pub skipped: Vec<String>,
}

/// Stored papers by what they are matched on.
struct Matcher {
    ids: HashSet<ArxivId>,
    by_title: HashMap<String, Vec<(ArxivId, String)>>,
}

impl Matcher {
    async fn load(store: &Store) -> Result<Matcher, StoreError> {
        let mut ids = HashSet::new();
        let mut by_title: HashMap<String, Vec<(ArxivId, String)>> = HashMap::new();
        for candidate in store.match_candidates().await? {
            ids.insert(candidate.id.clone());
            let author = candidate.first_author.as_deref().map(surname);
            by_title
                .entry(title_key(&candidate.title))
                .or_default()
                .push((candidate.id, author.unwrap_or_default()));
        }
        Ok(Matcher { ids, by_title })
    }

    /// The stored paper `record` is, if exactly one is, and the venue-only papers that turn out
    /// to be that arXiv paper (to merge into it); `Err` names why it is unsure.
    fn find(&self, record: &VenueRecord) -> Result<Option<Match>, String> {
        let own = record
            .venue_paper_id()
            .ok()
            .filter(|id| self.ids.contains(id));
        if let Some(id) = &record.arxiv
            && self.ids.contains(id)
        {
            return Ok(Some(Match {
                id: id.clone(),
                found: Found::ArxivId,
                duplicates: own.into_iter().collect(),
            }));
        }
        let key = title_key(&record.title);
        let Some(candidates) = self.by_title.get(&key) else {
            return Ok(None);
        };
        let author = record.authors.first().map(|a| surname(a));
        let same: Vec<&ArxivId> = candidates
            .iter()
            .filter(|(_, first)| author.as_ref().is_none_or(|author| first == author))
            .map(|(id, _)| id)
            .collect();
        let (on_arxiv, venue_only): (Vec<&ArxivId>, Vec<&ArxivId>) =
            same.iter().partition(|id| id.is_arxiv());
        let unsure = |ids: &[&ArxivId]| {
            format!(
                "'{}': its title and first author match {} stored papers ({}); not linked",
                record.title,
                ids.len(),
                ids.iter()
                    .map(|id| id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        match (on_arxiv.as_slice(), venue_only.as_slice()) {
            ([], []) => Ok(None),
            // The arXiv paper wins: venue-only papers stored before it appeared merge into it.
            ([paper], others) => Ok(Some(Match {
                id: (*paper).clone(),
                found: Found::Title,
                duplicates: others.iter().map(|id| (*id).clone()).collect(),
            })),
            ([], [one]) => Ok(Some(Match {
                id: (*one).clone(),
                found: if Some(*one) == own.as_ref() {
                    Found::VenueOnly
                } else {
                    Found::Title
                },
                duplicates: Vec::new(),
            })),
            ([], many) => Err(unsure(many)),
            (many, _) => Err(unsure(many)),
        }
    }

    fn forget(&mut self, id: &ArxivId) {
        self.ids.remove(id);
        for candidates in self.by_title.values_mut() {
            candidates.retain(|(c, _)| c != id);
        }
    }

    fn remember(&mut self, id: &ArxivId, record: &VenueRecord) {
        self.ids.insert(id.clone());
        self.by_title
            .entry(title_key(&record.title))
            .or_default()
            .push((
                id.clone(),
                record
                    .authors
                    .first()
                    .map(|a| surname(a))
                    .unwrap_or_default(),
            ));
    }
}

struct Match {
    id: ArxivId,
    found: Found,
    /// Venue-only papers that are this arXiv paper.
    duplicates: Vec<ArxivId>,
}

enum Found {
    ArxivId,
    Title,
    VenueOnly,
}

/// Stores `records` as venue links (and venue-only papers), `progress` called after each batch.
pub async fn import_records(
    store: &Store,
    records: Vec<VenueRecord>,
    mut progress: impl FnMut(&VenueImportReport),
) -> Result<VenueImportReport, StoreError> {
    let mut matcher = Matcher::load(store).await?;
    let mut report = VenueImportReport {
        records: records.len() as u64,
        ..VenueImportReport::default()
    };
    for batch in records.chunks(BATCH) {
        let mut papers = Vec::new();
        let mut links = Vec::new();
        let mut merges = Vec::new();
        for record in batch {
            match matcher.find(record) {
                Ok(Some(Match {
                    id,
                    found,
                    duplicates,
                })) => {
                    merges.extend(duplicates.into_iter().map(|d| (d, id.clone())));
                    match found {
                        Found::ArxivId => report.by_arxiv_id += 1,
                        Found::Title => report.by_title += 1,
                        Found::VenueOnly => {
                            report.venue_only += 1;
                            // The source may have corrected its metadata since.
                            if let Ok(paper) = record.venue_paper() {
                                papers.push(paper);
                            }
                        }
                    }
                    links.push((id, record.link()));
                }
                Ok(None) => match record.venue_paper() {
                    Ok(paper) => {
                        report.venue_only += 1;
                        matcher.remember(&paper.id, record);
                        links.push((paper.id.clone(), record.link()));
                        papers.push(paper);
                    }
                    Err(e) => {
                        tracing::warn!(title = %record.title, error = %e, "venue record skipped");
                        report.skipped.push(format!("'{}': {e}", record.title));
                    }
                },
                Err(reason) => {
                    tracing::warn!(%reason, "venue record skipped");
                    report.skipped.push(reason);
                }
            }
        }
        store.upsert(papers).await?;
        report.links_changed += store.put_venue_links(&links).await?;
        for (duplicate, into) in merges {
            if store.merge_venue_paper(&duplicate, &into).await? {
                tracing::info!(%duplicate, %into, "a venue-only paper is on arXiv: merged");
                matcher.forget(&duplicate);
                report.merged += 1;
            }
        }
        progress(&report);
    }
    Ok(report)
}
