//! The JSON Lines import format: one paper per line, the shape of the shared arXiv corpus.
//!
//! ```json
//! {"id": "2506.01234", "title": "…", "authors": ["…"], "categories": ["cs.LG", "stat.ML"],
//!  "abstract": "…", "comment": null, "announced": "2026-06-02"}
//! ```
//!
//! Optional fields: `version` (or a `vN` suffix on `id`; 1 when neither), `journal_ref`, `doi`,
//! `published` and `updated` (RFC 3339). Unknown fields are ignored so newer exports still load.

use chrono::{DateTime, NaiveDate, Utc};
use papers_core::{ArxivId, Category, Paper};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Record {
    id: String,
    #[serde(default)]
    version: Option<u32>,
    title: String,
    authors: Vec<String>,
    categories: Vec<String>,
    #[serde(rename = "abstract")]
    abstract_text: String,
    #[serde(default)]
    comment: Option<String>,
    #[serde(default)]
    journal_ref: Option<String>,
    #[serde(default)]
    doi: Option<String>,
    #[serde(default)]
    published: Option<DateTime<Utc>>,
    #[serde(default)]
    updated: Option<DateTime<Utc>>,
    #[serde(default)]
    announced: Option<NaiveDate>,
}

/// A parsed line: the paper, and category tokens that were dropped as not arXiv categories
/// (real exports carry MSC and ACM classes in that field, e.g. "68T07" or "I.2.7").
#[derive(Debug)]
pub struct ParsedLine {
    pub paper: Paper,
    pub dropped_categories: Vec<String>,
}

/// Parses one line into a normalised paper, or says why it cannot be one.
pub fn parse_line(line: &str) -> Result<ParsedLine, String> {
    let record: Record = serde_json::from_str(line).map_err(|e| format!("invalid JSON: {e}"))?;
    let (id, id_version) =
        ArxivId::parse_versioned(&record.id).map_err(|e| format!("field id: {e}"))?;
    let version = match (id_version, record.version) {
        (Some(a), Some(b)) if a != b => {
            return Err(format!(
                "field version: {b} contradicts the id's version v{a}"
            ));
        }
        (a, b) => a.or(b).unwrap_or(1),
    };
    let (categories, dropped_categories) =
        Category::from_source_list(record.categories.iter().map(String::as_str));
    let paper = Paper {
        id,
        version,
        title: record.title,
        authors: record.authors,
        abstract_text: record.abstract_text,
        categories,
        comment: record.comment,
        journal_ref: record.journal_ref,
        doi: record.doi,
        published: record.published,
        updated: record.updated,
        announced: record.announced,
    }
    .normalized()
    .map_err(|e| e.to_string())?;
    Ok(ParsedLine {
        paper,
        dropped_categories,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"id": "2503.11685", "title": "CORDIC Is All\n  You Need", "authors": ["Omkar Kokane", "Adam Teman"], "categories": ["cs.AR", "68T07", "cs.CV, eess.IV"], "abstract": "Artificial intelligence\nnecessitates $tanh$.", "comment": null, "announced": "2025-03-18"}"#;

    #[test]
    fn a_corpus_line_becomes_a_normalised_paper() {
        let parsed = parse_line(GOOD).unwrap();
        let paper = parsed.paper;
        assert_eq!(paper.id.as_str(), "2503.11685");
        assert_eq!(paper.version, 1);
        assert_eq!(paper.title, "CORDIC Is All You Need");
        assert_eq!(
            paper.abstract_text,
            "Artificial intelligence necessitates $tanh$."
        );
        let cats: Vec<&str> = paper.categories.iter().map(|c| c.as_str()).collect();
        assert_eq!(cats, ["cs.AR", "cs.CV", "eess.IV"]);
        assert_eq!(parsed.dropped_categories, ["68T07"]);
        assert_eq!(paper.announced, NaiveDate::from_ymd_opt(2025, 3, 18));
    }

    #[test]
    fn versions_come_from_the_id_or_the_field() {
        let line = GOOD.replace("2503.11685", "2503.11685v3");
        assert_eq!(parse_line(&line).unwrap().paper.version, 3);
        let line = GOOD.replace(r#""comment": null"#, r#""version": 2"#);
        assert_eq!(parse_line(&line).unwrap().paper.version, 2);
        let line = line.replace("2503.11685", "2503.11685v3");
        let err = parse_line(&line).unwrap_err();
        assert!(err.contains("contradicts"), "{err}");
    }

    #[test]
    fn bad_lines_say_what_is_wrong() {
        let cases = [
            ("{\"id\": ", "invalid JSON"),
            (&GOOD.replace("2503.11685", "hello"), "field id"),
            (
                &GOOD.replace(r#""title": "CORDIC Is All\n  You Need""#, r#""title": " ""#),
                "title is empty",
            ),
            (
                &GOOD.replace(r#"["cs.AR", "68T07", "cs.CV, eess.IV"]"#, r#"["68T07"]"#),
                "no arXiv category",
            ),
            (
                &GOOD.replace(
                    r#""announced": "2025-03-18""#,
                    r#""announced": "2025-13-01""#,
                ),
                "invalid JSON",
            ),
        ];
        for (line, expected) in cases {
            let err = parse_line(line).unwrap_err();
            assert!(err.contains(expected), "{line}: {err}");
        }
    }
}
