//! OpenReview's API v2: an edition's accepted papers. `GET {base}/notes?content.venueid=ID` pages
//! through the notes OpenReview files under the venue id (`ICLR.cc/2026/Conference`, where only
//! accepted papers live), `limit` at a time. Each note's `content.venue` ("ICLR 2026 Oral") gives
//! its group. Requests go through core's client: one at a time, spaced, retried on 429 and 5xx
//! with Retry-After honoured.

use std::time::Duration;

use chrono::DateTime;
use papers_core::CrawlerConfig;
use papers_core::html::web_url;
use papers_core::http::{Fetched, HttpClient, HttpError, HttpOptions, Url};
use papers_core::venue::{LinkSource, canonical_group, canonical_name, detect};
use serde::Deserialize;

use super::record::VenueRecord;

/// Notes per request: OpenReview's own maximum.
pub const PAGE: usize = 1000;
/// Where readers open a paper: the site, not the API.
const SITE: &str = "https://openreview.net";
/// OpenReview asks for restraint; a page a second is plenty for a few thousand notes.
const MIN_INTERVAL: Duration = Duration::from_secs(1);

#[derive(Debug, thiserror::Error)]
pub enum OpenReviewError {
    #[error(
        "'{0}' is not an edition: use VENUE.YEAR (ICLR.2026, NeurIPS.2025, ICML.2025, COLM.2025) or an OpenReview venue id (ICLR.cc/2026/Conference)"
    )]
    Edition(String),
    #[error(transparent)]
    Http(#[from] HttpError),
    #[error("{url}: not an OpenReview notes response: {message}")]
    Malformed { url: String, message: String },
}

/// An edition as OpenReview files it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edition {
    /// Canonical name (`ICLR`) and year, as our pages show them.
    pub venue: String,
    pub year: u16,
    /// OpenReview's venue id: `ICLR.cc/2026/Conference`.
    pub venue_id: String,
}

/// Venues whose OpenReview ids do not follow `{NAME}.cc/{YEAR}/Conference`.
const VENUE_IDS: &[(&str, &str)] = &[
    ("COLM", "colmweb.org/COLM/{year}/Conference"),
    ("CoRL", "robot-learning.org/CoRL/{year}/Conference"),
];

impl Edition {
    /// `ICLR.2026` (any case) or a venue id (`ICLR.cc/2026/Conference`).
    pub fn parse(text: &str) -> Result<Edition, OpenReviewError> {
        let bad = || OpenReviewError::Edition(text.chars().take(100).collect());
        let text = text.trim();
        if text.contains('/') {
            // A venue id: the year is the path part that is one.
            let year = text
                .split('/')
                .find_map(|part| part.parse::<u16>().ok().filter(|y| *y >= 1900))
                .ok_or_else(bad)?;
            let head = text.split('/').next().unwrap_or_default();
            let name = head.split('.').next().unwrap_or_default();
            if name.is_empty() || !text.chars().all(|c| c.is_ascii_graphic()) {
                return Err(bad());
            }
            let venue = canonical_name(name).map_or_else(|| name.to_string(), str::to_string);
            return Ok(Edition {
                venue,
                year,
                venue_id: text.to_string(),
            });
        }
        let (name, year) = papers_core::venue::parse_edition(text).ok_or_else(bad)?;
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(bad());
        }
        let venue = canonical_name(name).map_or_else(|| name.to_string(), str::to_string);
        let venue_id = VENUE_IDS
            .iter()
            .find(|(known, _)| known.eq_ignore_ascii_case(&venue))
            .map_or_else(
                || format!("{venue}.cc/{year}/Conference"),
                |(_, pattern)| pattern.replace("{year}", &year.to_string()),
            );
        Ok(Edition {
            venue,
            year,
            venue_id,
        })
    }
}

pub struct OpenReview {
    http: HttpClient,
    base: String,
    page: usize,
}

impl OpenReview {
    pub fn new(config: &CrawlerConfig) -> Result<OpenReview, OpenReviewError> {
        let options = HttpOptions::new(
            config.contact.as_deref(),
            MIN_INTERVAL.min(config.min_interval),
            config.timeout,
        );
        Ok(OpenReview {
            http: HttpClient::new(options)?,
            base: config.openreview_url.trim_end_matches('/').to_string(),
            page: PAGE,
        })
    }

    /// Fewer notes per request (tests page through a handful).
    pub fn with_page_size(mut self, page: usize) -> OpenReview {
        self.page = page.max(1);
        self
    }

    /// Every accepted paper of `edition`, `progress(read, total)` after each page. Notes that
    /// are not acceptances (withdrawn, rejected, still submitted) or lack a title are left out.
    pub async fn accepted(
        &self,
        edition: &Edition,
        mut progress: impl FnMut(usize, Option<u64>),
    ) -> Result<Vec<VenueRecord>, OpenReviewError> {
        let mut records = Vec::new();
        let mut offset = 0usize;
        loop {
            let mut url = Url::parse(&format!("{}/notes", self.base)).map_err(|e| {
                OpenReviewError::Malformed {
                    url: self.base.clone(),
                    message: e.to_string(),
                }
            })?;
            url.query_pairs_mut()
                .append_pair("content.venueid", &edition.venue_id)
                .append_pair("limit", &self.page.to_string())
                .append_pair("offset", &offset.to_string());
            let url = url.to_string();
            let page: NotesPage = self
                .http
                .get_checked(&url, None, |fetched| parse_page(&url, fetched))
                .await
                .map_err(|e| match e {
                    HttpError::Other { url, message } => {
                        OpenReviewError::Malformed { url, message }
                    }
                    other => OpenReviewError::Http(other),
                })?;
            let read = page.notes.len();
            records.extend(
                page.notes
                    .into_iter()
                    .filter_map(|n| n.into_record(edition)),
            );
            offset += read;
            progress(offset, page.count);
            // The total says when to stop (a server may cap pages below what we ask for);
            // without one, a short page is the last.
            let done = read == 0
                || match page.count {
                    Some(count) => offset as u64 >= count,
                    None => read < self.page,
                };
            if done {
                break;
            }
        }
        Ok(records)
    }
}

/// A body cut short is retried like a dropped connection; anything else that is not a notes
/// page is an error.
fn parse_page(url: &str, fetched: Fetched) -> Result<NotesPage, HttpError> {
    serde_json::from_slice(&fetched.body).map_err(|e| {
        if e.is_eof() {
            HttpError::Truncated {
                url: url.to_string(),
                message: e.to_string(),
            }
        } else {
            HttpError::Other {
                url: url.to_string(),
                message: e.to_string(),
            }
        }
    })
}

#[derive(Deserialize)]
struct NotesPage {
    notes: Vec<Note>,
    count: Option<u64>,
}

#[derive(Deserialize)]
struct Note {
    id: String,
    forum: Option<String>,
    /// Publication, first-online and creation times, in milliseconds.
    pdate: Option<i64>,
    odate: Option<i64>,
    cdate: Option<i64>,
    #[serde(default)]
    content: Content,
}

/// API v2 wraps every content field as `{"value": …}`.
#[derive(Default, Deserialize)]
struct Content {
    title: Option<Value<String>>,
    authors: Option<Value<Vec<String>>>,
    #[serde(rename = "abstract")]
    abstract_text: Option<Value<String>>,
    pdf: Option<Value<String>>,
    venue: Option<Value<String>>,
    venueid: Option<Value<String>>,
}

#[derive(Deserialize)]
struct Value<T> {
    value: T,
}

impl Note {
    fn into_record(self, edition: &Edition) -> Option<VenueRecord> {
        let content = self.content;
        let venue_text = content.venue.map(|v| v.value).unwrap_or_default();
        let filed_under = content.venueid.map(|v| v.value);
        if filed_under.is_some_and(|id| id != edition.venue_id) {
            tracing::debug!(note = %self.id, "note filed under another venue id; skipped");
            return None;
        }
        let lowered = venue_text.to_lowercase();
        if ["submitted", "withdrawn", "rejected", "desk"]
            .iter()
            .any(|w| lowered.contains(w))
        {
            tracing::debug!(note = %self.id, venue = %venue_text, "not an acceptance; skipped");
            return None;
        }
        let title = content
            .title
            .map(|v| v.value)
            .filter(|t| !t.trim().is_empty())?;
        let forum = self.forum.unwrap_or(self.id);
        let pdf_url = content.pdf.and_then(|p| {
            let value = p.value;
            if value.starts_with('/') {
                web_url(&format!("{SITE}{value}"))
            } else {
                web_url(&value)
            }
        });
        let url = web_url(&format!("{SITE}/forum?id={forum}"));
        let published = self
            .pdate
            .or(self.odate)
            .or(self.cdate)
            .and_then(DateTime::from_timestamp_millis);
        Some(VenueRecord {
            source: LinkSource::OpenReview,
            key: Some(forum),
            title,
            authors: content.authors.map(|a| a.value).unwrap_or_default(),
            abstract_text: content.abstract_text.map(|a| a.value).unwrap_or_default(),
            venue: edition.venue.clone(),
            year: edition.year,
            group: group_of(&venue_text),
            url,
            pdf_url,
            arxiv: None,
            published,
        })
    }
}

/// The group a note's venue string names: "ICLR 2026 Oral" → Oral, "NeurIPS 2025 poster" →
/// Poster, ICML's run-together "ICML 2025 spotlightposter" → Spotlight; `None` for a bare
/// "ICLR 2026".
fn group_of(venue_text: &str) -> Option<String> {
    if let Some(group) = detect(venue_text).and_then(|claim| claim.group) {
        return Some(group);
    }
    let last = venue_text.split_whitespace().last()?.to_lowercase();
    canonical_group(&last)
        .or_else(|| {
            ["oral", "spotlight", "poster"]
                .into_iter()
                .find(|g| last.contains(g))
                .and_then(canonical_group)
        })
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editions_name_openreview_venue_ids() {
        let iclr = Edition::parse("iclr.2026").unwrap();
        assert_eq!(
            (iclr.venue.as_str(), iclr.year, iclr.venue_id.as_str()),
            ("ICLR", 2026, "ICLR.cc/2026/Conference")
        );
        assert_eq!(
            Edition::parse("NeurIPS.2025").unwrap().venue_id,
            "NeurIPS.cc/2025/Conference"
        );
        assert_eq!(
            Edition::parse("COLM.2025").unwrap().venue_id,
            "colmweb.org/COLM/2025/Conference"
        );
        let raw = Edition::parse("ICML.cc/2025/Conference").unwrap();
        assert_eq!((raw.venue.as_str(), raw.year), ("ICML", 2025));
        for bad in ["ICLR", "ICLR.20x6", "<b>.2026", "", "a/b/c"] {
            assert!(Edition::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn groups_come_from_the_venue_string() {
        assert_eq!(group_of("ICLR 2026 Oral").as_deref(), Some("Oral"));
        assert_eq!(group_of("NeurIPS 2025 poster").as_deref(), Some("Poster"));
        assert_eq!(
            group_of("ICML 2025 spotlightposter").as_deref(),
            Some("Spotlight")
        );
        assert_eq!(group_of("ICLR 2026"), None);
    }
}
