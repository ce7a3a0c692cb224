//! A paper as a venue lists it (an OpenReview note, a line of a curated list), and what makes two
//! listings of the same paper recognisable: the normalised title and the first author's surname.

use chrono::{DateTime, Utc};
use papers_core::venue::{LinkSource, VenueLink};
use papers_core::{ArxivId, Paper, PaperError};

/// One accepted paper from a venue source.
#[derive(Clone, Debug, PartialEq)]
pub struct VenueRecord {
    pub source: LinkSource,
    /// The source's own id (an OpenReview forum id); curated lists have none.
    pub key: Option<String>,
    pub title: String,
    pub authors: Vec<String>,
    pub abstract_text: String,
    /// Canonical venue name (`ICLR`) and year.
    pub venue: String,
    pub year: u16,
    pub group: Option<String>,
    /// The paper's page at the source and its PDF; only http(s) URLs are kept.
    pub url: Option<String>,
    pub pdf_url: Option<String>,
    /// The arXiv id, when the source gives one.
    pub arxiv: Option<ArxivId>,
    /// When the venue made it public.
    pub published: Option<DateTime<Utc>>,
}

impl VenueRecord {
    /// The link this record gives the paper it matches.
    pub fn link(&self) -> VenueLink {
        VenueLink {
            venue: self.venue.clone(),
            year: self.year,
            group: self.group.clone(),
            source: self.source,
            url: self.url.clone(),
            pdf_url: self.pdf_url.clone(),
        }
    }

    /// The id the paper gets when it is known only at the venue: the source's key, or for a
    /// curated list a stable hash of the title and first author (so a list imported twice, or
    /// the same paper in two lists, is one paper).
    pub fn venue_paper_id(&self) -> Result<ArxivId, papers_core::ArxivIdError> {
        match (&self.key, self.source) {
            (Some(key), LinkSource::OpenReview) => ArxivId::venue_paper("openreview", key),
            _ => {
                let identity = format!(
                    "{}\n{}",
                    title_key(&self.title),
                    self.authors.first().map(|a| surname(a)).unwrap_or_default()
                );
                ArxivId::venue_paper("curated", &format!("{:016x}", fnv1a(identity.as_bytes())))
            }
        }
    }

    /// The paper stored when no arXiv paper matches, normalised like every other record.
    pub fn venue_paper(&self) -> Result<Paper, String> {
        let id = self.venue_paper_id().map_err(|e| e.to_string())?;
        Paper {
            id,
            version: 1,
            title: self.title.clone(),
            authors: self.authors.clone(),
            abstract_text: self.abstract_text.clone(),
            categories: Vec::new(),
            comment: None,
            journal_ref: None,
            doi: None,
            published: self.published,
            updated: None,
            announced: None,
        }
        .normalized()
        .map_err(|e: PaperError| e.to_string())
    }
}

/// A title as matching compares it: LaTeX commands dropped, lowercase letters and digits only
/// (`$\mathcal{O}(n)$ Attention: A Study` → `onattentionastudy`).
pub fn title_key(title: &str) -> String {
    let mut key = String::with_capacity(title.len());
    let mut chars = title.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            while chars.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
                chars.next();
            }
        } else if c.is_alphanumeric() {
            key.extend(c.to_lowercase());
        }
    }
    key
}

/// The last word of a name, lowercase letters only (`Ada K. Lovelace` → `lovelace`).
pub fn surname(name: &str) -> String {
    name.split_whitespace()
        .last()
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// FNV-1a, 64 bits: a stable hash for ids (std's hasher may change between releases).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_match_through_case_punctuation_and_latex() {
        assert_eq!(
            title_key("$\\mathcal{O}(n)$ Attention:  a Study"),
            title_key("O(n) attention - A study")
        );
        assert_ne!(title_key("Attention I"), title_key("Attention II"));
        assert_eq!(surname("Ada K. Lovelace"), "lovelace");
        assert_eq!(surname(""), "");
    }

    #[test]
    fn a_curated_paper_keeps_its_id_across_lists() {
        let record = |title: &str, venue: &str| VenueRecord {
            source: LinkSource::Curated,
            key: None,
            title: title.into(),
            authors: vec!["Ada Lovelace".into()],
            abstract_text: String::new(),
            venue: venue.into(),
            year: 2025,
            group: None,
            url: None,
            pdf_url: None,
            arxiv: None,
            published: None,
        };
        let a = record("Low-Rank Attention", "ICML")
            .venue_paper_id()
            .unwrap();
        let b = record("Low-rank attention.", "COLM")
            .venue_paper_id()
            .unwrap();
        assert_eq!(a, b);
        assert!(a.as_str().starts_with("curated:"));
        assert_ne!(
            a,
            record("High-Rank Attention", "ICML")
                .venue_paper_id()
                .unwrap()
        );
    }
}
