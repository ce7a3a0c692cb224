//! Curated venue lists: JSON Lines, one accepted paper per line, for venues OpenReview does not
//! carry (ACL, CVPR, AAAI, PMLR volumes…), put together by an operator.
//!
//! ```json
//! {"title": "…", "authors": ["…"], "abstract": "…", "pdf": "https://…", "venue": "ACL",
//!  "year": 2025, "group": "Findings", "url": "https://…", "arxiv": "2506.01234"}
//! ```
//!
//! Required: `title`, `authors` (at least one), `venue`, `year`. Optional: `abstract`, `pdf`,
//! `url` (the paper's page; both only as http(s) URLs), `group`, `arxiv` (any arXiv id form).
//! Known venue names and groups are written the canonical way (`neurips` → `NeurIPS`).

use std::io::BufRead;

use papers_core::ArxivId;
use papers_core::html::web_url;
use papers_core::venue::{LinkSource, canonical_group, canonical_name};
use serde::Deserialize;

use super::record::VenueRecord;

/// Longest line read: a record with a long abstract is a few kilobytes.
const MAX_LINE_BYTES: usize = 1 << 20;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    title: String,
    authors: Vec<String>,
    #[serde(default, rename = "abstract")]
    abstract_text: Option<String>,
    #[serde(default)]
    pdf: Option<String>,
    #[serde(default)]
    url: Option<String>,
    venue: String,
    year: u16,
    #[serde(default)]
    group: Option<String>,
    #[serde(default)]
    arxiv: Option<String>,
}

/// The records of a list, and its lines that are not records (`line N: reason`).
#[derive(Debug, Default)]
pub struct CuratedList {
    pub records: Vec<VenueRecord>,
    pub rejected: Vec<String>,
}

/// Reads a list. Only a read error fails it; a bad line is reported and the rest still count.
pub fn read(input: impl BufRead) -> std::io::Result<CuratedList> {
    let mut list = CuratedList::default();
    for (n, line) in input.lines().enumerate() {
        let line = line?;
        let number = n + 1;
        if line.trim().is_empty() {
            continue;
        }
        if line.len() > MAX_LINE_BYTES {
            list.rejected
                .push(format!("line {number}: longer than {MAX_LINE_BYTES} bytes"));
            continue;
        }
        match parse_line(&line) {
            Ok(record) => list.records.push(record),
            Err(reason) => list.rejected.push(format!("line {number}: {reason}")),
        }
    }
    Ok(list)
}

fn parse_line(line: &str) -> Result<VenueRecord, String> {
    let line: Line = serde_json::from_str(line).map_err(|e| format!("invalid record: {e}"))?;
    if line.title.trim().is_empty() {
        return Err("field title is empty".into());
    }
    if line.authors.iter().all(|a| a.trim().is_empty()) {
        return Err("field authors has no name".into());
    }
    let venue = line.venue.trim();
    if venue.is_empty() || venue.len() > 100 || venue.contains(['.', '/']) {
        return Err("field venue must be a name like ACL (no dots or slashes)".into());
    }
    if !(1900..=2200).contains(&line.year) {
        return Err(format!("field year: {} is not a year", line.year));
    }
    let link = |field: &str, value: Option<String>| match value {
        None => Ok(None),
        Some(value) => web_url(&value)
            .map(Some)
            .ok_or_else(|| format!("field {field}: only http(s) URLs are kept")),
    };
    let arxiv = line
        .arxiv
        .as_deref()
        .map(ArxivId::parse)
        .transpose()
        .map_err(|e| format!("field arxiv: {e}"))?;
    let group = line
        .group
        .map(|g| g.trim().to_string())
        .filter(|g| !g.is_empty())
        .map(|g| canonical_group(&g).map_or(g, str::to_string));
    Ok(VenueRecord {
        source: LinkSource::Curated,
        key: None,
        title: line.title,
        authors: line.authors,
        abstract_text: line.abstract_text.unwrap_or_default(),
        venue: canonical_name(venue).map_or_else(|| venue.to_string(), str::to_string),
        year: line.year,
        group,
        url: link("url", line.url)?,
        pdf_url: link("pdf", line.pdf)?,
        arxiv,
        published: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_lines_are_records_and_bad_ones_say_where() {
        let text = concat!(
            r#"{"title": "Low-Rank Attention", "authors": ["Ada Lovelace"], "venue": "neurips", "year": 2025, "group": "oral", "pdf": "https://example.org/a.pdf", "arxiv": "arXiv:2506.01234v2"}"#,
            "\n\n",
            r#"{"title": "No year", "authors": ["A B"], "venue": "ACL"}"#,
            "\n",
            r#"{"title": "Bad link", "authors": ["A B"], "venue": "ACL", "year": 2025, "url": "javascript:alert(1)"}"#,
            "\n",
            "not json\n",
            r#"{"title": "Typo", "authors": ["A B"], "venue": "ACL", "year": 2025, "grup": "Findings"}"#,
            "\n",
        );
        let list = read(text.as_bytes()).unwrap();
        assert_eq!(list.records.len(), 1);
        let record = &list.records[0];
        assert_eq!(
            (record.venue.as_str(), record.year, record.group.as_deref()),
            ("NeurIPS", 2025, Some("Oral"))
        );
        assert_eq!(record.arxiv.as_ref().unwrap().as_str(), "2506.01234");
        assert_eq!(list.rejected.len(), 4, "{:?}", list.rejected);
        assert!(
            list.rejected[0].starts_with("line 3: "),
            "{:?}",
            list.rejected
        );
        assert!(list.rejected[1].contains("only http(s) URLs"));
        assert!(list.rejected[3].contains("grup"));
    }
}
