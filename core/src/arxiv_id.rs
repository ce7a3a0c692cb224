//! arXiv identifiers: parsing every form people paste (bare ids, `arXiv:` prefixes, OAI
//! identifiers, abs/pdf/html URLs) into one canonical, version-free id.
//!
//! Two schemes exist (<https://info.arxiv.org/help/arxiv_identifier.html>):
//! - new style since April 2007: `YYMM.NNNN` until December 2014, `YYMM.NNNNN` from January 2015;
//! - old style before: `archive/YYMMNNN`, sometimes written with a subject class
//!   (`math.GT/0309136`), which is not part of the identity and is dropped.
//!
//! The version (`v2`) is kept apart from the id: a paper is one row whatever its version.
//!
//! A paper known only at a venue (an OpenReview paper not on arXiv, an entry of a curated list)
//! is stored beside arXiv papers under a venue paper id, `{source}:{key}` (`openreview:rJx1Y`),
//! so it gets the same page, summaries and related papers. [`ArxivId::parse`] never accepts one
//! (it is for arXiv ids people paste); [`ArxivId::parse_any`] does, for ids the service itself
//! wrote (the Store, the index, its own URLs). [`ArxivId::is_arxiv`] tells them apart.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Longest input we look at: the longest real id with a URL around it is ~60 bytes. Capping keeps
/// a pasted megabyte from being scanned (and echoed back in an error message).
pub const MAX_INPUT_BYTES: usize = 200;

/// Archives that issued old-style identifiers (before April 2007).
const OLD_ARCHIVES: &[&str] = &[
    "acc-phys", "adap-org", "alg-geom", "ao-sci", "astro-ph", "atom-ph", "bayes-an", "chao-dyn",
    "chem-ph", "cmp-lg", "comp-gas", "cond-mat", "cs", "dg-ga", "funct-an", "gr-qc", "hep-ex",
    "hep-lat", "hep-ph", "hep-th", "math", "math-ph", "mtrl-th", "nlin", "nucl-ex", "nucl-th",
    "patt-sol", "physics", "plasm-ph", "q-alg", "q-bio", "quant-ph", "solv-int", "supr-con",
];

/// A canonical arXiv identifier without version: `2506.01234` or `hep-th/9901001`; or a venue
/// paper id (`openreview:rJx1Y`, see the module's documentation).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ArxivId(String);

/// Why a string is not an arXiv identifier.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ArxivIdError {
    #[error("empty arXiv id")]
    Empty,
    #[error("arXiv id input is too long ({0} bytes, at most {MAX_INPUT_BYTES})")]
    TooLong(usize),
    #[error("{input:?} is not an arXiv id: {reason}")]
    Invalid { input: String, reason: &'static str },
}

/// Sources of papers that are not on arXiv, as the first part of their ids.
pub const VENUE_SOURCES: &[&str] = &["openreview", "curated"];

/// Longest key of a venue paper id (OpenReview's ids are 10 to 14 characters).
const MAX_VENUE_KEY: usize = 64;

impl ArxivId {
    /// Parses any accepted form, dropping the version.
    pub fn parse(input: &str) -> Result<Self, ArxivIdError> {
        Self::parse_versioned(input).map(|(id, _)| id)
    }

    /// Parses any accepted form, returning the canonical id and the version if one was given.
    pub fn parse_versioned(input: &str) -> Result<(Self, Option<u32>), ArxivIdError> {
        if input.len() > MAX_INPUT_BYTES {
            return Err(ArxivIdError::TooLong(input.len()));
        }
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(ArxivIdError::Empty);
        }
        let invalid = |reason| ArxivIdError::Invalid {
            input: trimmed.to_string(),
            reason,
        };
        let bare = strip_wrapping(trimmed).map_err(invalid)?;
        let (body, version) = split_version(bare).map_err(invalid)?;
        let id = match body.split_once('/') {
            Some((archive, number)) => parse_old_style(archive, number),
            None => parse_new_style(body),
        }
        .map_err(invalid)?;
        Ok((id, version))
    }

    /// The id of a paper known only at a venue: `source` is one of [`VENUE_SOURCES`], `key` is
    /// that source's id (letters, digits, `_` and `-`).
    pub fn venue_paper(source: &str, key: &str) -> Result<Self, ArxivIdError> {
        let input = format!("{source}:{key}");
        let invalid = |reason| ArxivIdError::Invalid {
            input: input.clone(),
            reason,
        };
        if !VENUE_SOURCES.contains(&source) {
            return Err(invalid("unknown venue paper source"));
        }
        if key.is_empty()
            || key.len() > MAX_VENUE_KEY
            || !key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Err(invalid(
                "a venue paper key is 1 to 64 letters, digits, _ or -",
            ));
        }
        Ok(ArxivId(input))
    }

    /// Parses an arXiv id in any accepted form, or a venue paper id (`openreview:rJx1Y`).
    pub fn parse_any(input: &str) -> Result<Self, ArxivIdError> {
        Self::parse_any_versioned(input).map(|(id, _)| id)
    }

    /// [`ArxivId::parse_any`], with the version when one was given (venue papers have none).
    pub fn parse_any_versioned(input: &str) -> Result<(Self, Option<u32>), ArxivIdError> {
        let trimmed = input.trim();
        if let Some((source, key)) = trimmed.split_once(':')
            && VENUE_SOURCES.contains(&source)
        {
            return Self::venue_paper(source, key).map(|id| (id, None));
        }
        Self::parse_versioned(input)
    }

    /// False for a venue paper id.
    pub fn is_arxiv(&self) -> bool {
        self.venue_source().is_none()
    }

    /// `openreview` for `openreview:rJx1Y`; `None` for an arXiv id.
    pub fn venue_source(&self) -> Option<&str> {
        self.0
            .split_once(':')
            .map(|(source, _)| source)
            .filter(|s| VENUE_SOURCES.contains(s))
    }

    /// The canonical id, e.g. `2506.01234` or `math/0309136`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True for pre-2007 ids like `hep-th/9901001`.
    pub fn is_old_style(&self) -> bool {
        self.0.contains('/')
    }

    /// Where a reader finds the paper at its source: the abstract page on arxiv.org, or the
    /// forum page on OpenReview. `None` for a curated list's paper (its link is stored with it).
    pub fn source_url(&self) -> Option<String> {
        match self.venue_source() {
            None => Some(self.abs_url(None)),
            Some("openreview") => Some(format!("https://openreview.net/forum?id={}", self.key())),
            Some(_) => None,
        }
    }

    /// The PDF at the paper's source, when its id says where.
    pub fn source_pdf_url(&self) -> Option<String> {
        match self.venue_source() {
            None => Some(self.pdf_url(None)),
            Some("openreview") => Some(format!("https://openreview.net/pdf?id={}", self.key())),
            Some(_) => None,
        }
    }

    /// The part after `source:` of a venue paper id; the whole id for an arXiv one.
    fn key(&self) -> &str {
        self.0.split_once(':').map_or(&self.0, |(_, key)| key)
    }

    /// The abstract page on arxiv.org, of one version or of the latest (arXiv ids only).
    pub fn abs_url(&self, version: Option<u32>) -> String {
        format!("https://arxiv.org/abs/{}", self.versioned(version))
    }

    /// The PDF on arxiv.org, of one version or of the latest (arXiv ids only).
    pub fn pdf_url(&self, version: Option<u32>) -> String {
        format!("https://arxiv.org/pdf/{}", self.versioned(version))
    }

    fn versioned(&self, version: Option<u32>) -> String {
        match version {
            Some(v) => format!("{}v{v}", self.0),
            None => self.0.clone(),
        }
    }
}

/// Removes prefixes (`arXiv:`, `oai:arXiv.org:`) and URL parts around the id.
fn strip_wrapping(input: &str) -> Result<&str, &'static str> {
    for prefix in ["oai:arxiv.org:", "arxiv:"] {
        if let Some(rest) = strip_prefix_ignore_case(input, prefix) {
            return Ok(rest.trim_start());
        }
    }
    let Some(after_scheme) = strip_prefix_ignore_case(input, "https://")
        .or_else(|| strip_prefix_ignore_case(input, "http://"))
    else {
        return Ok(input);
    };
    let (host, path) = after_scheme.split_once('/').ok_or("a URL without a path")?;
    let host = host.to_ascii_lowercase();
    if !matches!(
        host.as_str(),
        "arxiv.org" | "www.arxiv.org" | "export.arxiv.org"
    ) {
        return Err("a URL that is not on arxiv.org");
    }
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let rest = ["abs/", "pdf/", "html/"]
        .iter()
        .find_map(|kind| path.strip_prefix(kind))
        .ok_or("an arxiv.org URL that is not an abs, pdf or html page")?;
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    Ok(rest.strip_suffix(".pdf").unwrap_or(rest))
}

fn strip_prefix_ignore_case<'a>(input: &'a str, prefix: &str) -> Option<&'a str> {
    let head = input.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &input[prefix.len()..])
}

/// Splits a trailing `vN` off.
fn split_version(input: &str) -> Result<(&str, Option<u32>), &'static str> {
    let Some(pos) = input.rfind(['v', 'V']) else {
        return Ok((input, None));
    };
    let digits = &input[pos + 1..];
    // A `v` that is not followed by digits only belongs to the id (it cannot in valid ids, and
    // the id parser will say what is wrong with it).
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Ok((input, None));
    }
    let version: u32 = digits.parse().map_err(|_| "the version is too large")?;
    if version == 0 {
        return Err("versions start at v1");
    }
    Ok((&input[..pos], Some(version)))
}

fn parse_new_style(body: &str) -> Result<ArxivId, &'static str> {
    let (yymm, number) = body
        .split_once('.')
        .ok_or("expected YYMM.NNNNN (or an old-style archive/YYMMNNN)")?;
    if yymm.len() != 4 || !yymm.bytes().all(|b| b.is_ascii_digit()) {
        return Err("expected four digits YYMM before the dot");
    }
    if !number.bytes().all(|b| b.is_ascii_digit()) || number.is_empty() {
        return Err("expected digits after the dot");
    }
    let year: u32 = yymm[..2].parse().expect("two digits");
    let month: u32 = yymm[2..].parse().expect("two digits");
    if !(1..=12).contains(&month) {
        return Err("the month (MM in YYMM) must be 01 to 12");
    }
    if (year, month) < (7, 4) {
        return Err("new-style ids start in April 2007 (0704)");
    }
    let expected_digits = if year < 15 { 4 } else { 5 };
    if number.len() != expected_digits {
        return Err(if expected_digits == 4 {
            "ids before 2015 have four digits after the dot"
        } else {
            "ids since 2015 have five digits after the dot"
        });
    }
    Ok(ArxivId(format!("{yymm}.{number}")))
}

fn parse_old_style(archive: &str, number: &str) -> Result<ArxivId, &'static str> {
    // The subject class (`math.GT`) is a label, not part of the identity.
    let (archive, subject_class) = match archive.split_once('.') {
        Some((archive, class)) => (archive, Some(class)),
        None => (archive, None),
    };
    let archive = archive.to_ascii_lowercase();
    let Some(archive) = OLD_ARCHIVES.iter().find(|a| **a == archive) else {
        return Err("unknown archive for an old-style id");
    };
    if let Some(class) = subject_class
        && (class.is_empty()
            || class.len() > 16
            || !class.bytes().all(|b| b.is_ascii_alphabetic() || b == b'-'))
    {
        return Err("malformed subject class");
    }
    if number.len() != 7 || !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err("expected seven digits YYMMNNN after the archive");
    }
    let year: u32 = number[..2].parse().expect("two digits");
    let month: u32 = number[2..4].parse().expect("two digits");
    if !(1..=12).contains(&month) {
        return Err("the month (MM in YYMMNNN) must be 01 to 12");
    }
    // Old-style ids ran from August 1991 to March 2007.
    let in_range = if year >= 91 {
        (year, month) >= (91, 8)
    } else {
        (year, month) <= (7, 3)
    };
    if !in_range {
        return Err("old-style ids run from 9108 to 0703");
    }
    Ok(ArxivId(format!("{archive}/{number}")))
}

impl fmt::Display for ArxivId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for ArxivId {
    type Err = ArxivIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for ArxivId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ArxivId {
    /// Accepts venue paper ids too: what is deserialised was written by the service.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Self::parse_any(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ok(input: &str) -> (String, Option<u32>) {
        let (id, v) = ArxivId::parse_versioned(input)
            .unwrap_or_else(|e| panic!("{input:?} should parse: {e}"));
        (id.to_string(), v)
    }

    fn reason(input: &str) -> String {
        ArxivId::parse(input)
            .expect_err(&format!("{input:?} should be rejected"))
            .to_string()
    }

    #[test]
    fn new_style_forms() {
        assert_eq!(ok("2506.01234"), ("2506.01234".into(), None));
        assert_eq!(ok("0704.0001"), ("0704.0001".into(), None));
        assert_eq!(ok("2506.01234v3"), ("2506.01234".into(), Some(3)));
        assert_eq!(
            ok("  arXiv:2506.01234v12 "),
            ("2506.01234".into(), Some(12))
        );
        assert_eq!(ok("ARXIV:1412.9999"), ("1412.9999".into(), None));
        assert_eq!(ok("oai:arXiv.org:1501.00001"), ("1501.00001".into(), None));
    }

    #[test]
    fn urls() {
        for (url, want) in [
            ("https://arxiv.org/abs/2506.01234", ("2506.01234", None)),
            ("http://arxiv.org/abs/1707.08567v1", ("1707.08567", Some(1))),
            (
                "https://arxiv.org/pdf/2506.01234v2",
                ("2506.01234", Some(2)),
            ),
            (
                "https://arxiv.org/pdf/2506.01234v2.pdf",
                ("2506.01234", Some(2)),
            ),
            (
                "https://www.arxiv.org/abs/2506.01234/",
                ("2506.01234", None),
            ),
            (
                "https://export.arxiv.org/abs/hep-th/9901001v2",
                ("hep-th/9901001", Some(2)),
            ),
            (
                "https://arxiv.org/html/2506.01234v1#S3",
                ("2506.01234", Some(1)),
            ),
            (
                "https://arxiv.org/abs/2506.01234?context=cs",
                ("2506.01234", None),
            ),
            (
                "http://arxiv.org/abs/math.GT/0309136v2",
                ("math/0309136", Some(2)),
            ),
        ] {
            assert_eq!(ok(url), (want.0.to_string(), want.1), "{url}");
        }
    }

    #[test]
    fn venue_paper_ids_are_apart_from_arxiv_ids() {
        let id = ArxivId::venue_paper("openreview", "rJx1Y-a_9").unwrap();
        assert_eq!(id.as_str(), "openreview:rJx1Y-a_9");
        assert!(!id.is_arxiv());
        assert_eq!(id.venue_source(), Some("openreview"));
        assert_eq!(ArxivId::parse_any("openreview:rJx1Y-a_9").unwrap(), id);
        assert_eq!(
            ArxivId::parse_any_versioned("2506.01234v2").unwrap(),
            (ArxivId::parse("2506.01234").unwrap(), Some(2))
        );
        assert!(ArxivId::parse("2506.01234").unwrap().is_arxiv());
        // What people paste as an arXiv id never becomes a venue paper.
        assert!(ArxivId::parse("openreview:rJx1Y").is_err());
        for bad in [
            "openreview:",
            "openreview:a/b",
            "openreview:<script>",
            "dblp:x1",
        ] {
            assert!(ArxivId::parse_any(bad).is_err(), "{bad}");
        }
        assert!(ArxivId::venue_paper("curated", &"a".repeat(65)).is_err());
        assert_eq!(
            id.source_url().as_deref(),
            Some("https://openreview.net/forum?id=rJx1Y-a_9")
        );
        let curated = ArxivId::venue_paper("curated", "0123abcd").unwrap();
        assert_eq!(curated.source_url(), None);
        assert_eq!(
            ArxivId::parse("2506.01234")
                .unwrap()
                .source_pdf_url()
                .as_deref(),
            Some("https://arxiv.org/pdf/2506.01234")
        );
    }

    #[test]
    fn old_style_forms() {
        assert_eq!(ok("hep-th/9901001"), ("hep-th/9901001".into(), None));
        assert_eq!(ok("math.GT/0309136v2"), ("math/0309136".into(), Some(2)));
        assert_eq!(
            ok("cond-mat.mes-hall/0102001"),
            ("cond-mat/0102001".into(), None)
        );
        assert_eq!(
            ok("astro-ph/0601001v1"),
            ("astro-ph/0601001".into(), Some(1))
        );
        assert_eq!(ok("HEP-TH/9108001"), ("hep-th/9108001".into(), None));
        assert_eq!(ok("math/0703999"), ("math/0703999".into(), None));
        assert!(ArxivId::parse("hep-th/9901001").unwrap().is_old_style());
        assert!(!ArxivId::parse("2506.01234").unwrap().is_old_style());
    }

    #[test]
    fn garbage_says_why() {
        assert_eq!(reason(""), "empty arXiv id");
        assert!(reason("abc").contains("expected YYMM.NNNNN"));
        assert!(reason("0000.0000").contains("month"));
        assert!(reason("0703.0001").contains("April 2007"));
        assert!(reason("0808.05394").contains("four digits"));
        assert!(reason("2506.1234").contains("five digits"));
        assert!(reason("2506.01234v0").contains("v1"));
        assert!(reason("2506.01234v99999999999").contains("too large"));
        assert!(reason("foo-bar/9901001").contains("unknown archive"));
        assert!(reason("hep-th/990100").contains("seven digits"));
        assert!(reason("hep-th/0801001").contains("9108 to 0703"));
        assert!(reason("hep-th/9101001").contains("9108 to 0703"));
        assert!(reason("math.G1/0309136").contains("subject class"));
        assert!(reason("https://example.com/abs/2506.01234").contains("not on arxiv.org"));
        assert!(reason("https://arxiv.org/list/cs.AI/new").contains("abs, pdf or html"));
        assert!(reason("2506.01234 2506.01235").contains("not an arXiv id"));
        assert!(reason(&"9".repeat(500)).contains("too long"));
    }

    #[test]
    fn urls_and_serde_round_trip() {
        let id = ArxivId::parse("2506.01234").unwrap();
        assert_eq!(id.abs_url(Some(2)), "https://arxiv.org/abs/2506.01234v2");
        assert_eq!(id.pdf_url(None), "https://arxiv.org/pdf/2506.01234");
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"2506.01234\"");
        assert_eq!(serde_json::from_str::<ArxivId>(&json).unwrap(), id);
        assert!(serde_json::from_str::<ArxivId>("\"nope\"").is_err());
        assert_eq!("arXiv:2506.01234".parse::<ArxivId>().unwrap(), id);
    }

    /// Every id shape in the captured arXiv responses parses; the error feed's requested ids
    /// (`abc`, `0000.0000`, `0808.05394`, which arXiv itself rejects) do not.
    #[test]
    fn fixture_ids() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/arxiv");
        let mut seen = 0;
        for sub in ["api", "oai"] {
            for entry in std::fs::read_dir(format!("{dir}/{sub}")).unwrap() {
                let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
                for id in abs_ids(&text) {
                    ArxivId::parse_versioned(&id)
                        .unwrap_or_else(|e| panic!("fixture id {id:?}: {e}"));
                    seen += 1;
                }
                for id in oai_ids(&text) {
                    ArxivId::parse(&id).unwrap_or_else(|e| panic!("fixture id {id:?}: {e}"));
                    seen += 1;
                }
            }
        }
        assert!(seen > 100, "only {seen} ids found in fixtures");
        for rejected in ["abc", "0000.0000", "0808.05394"] {
            assert!(ArxivId::parse(rejected).is_err(), "{rejected}");
        }
    }

    fn abs_ids(text: &str) -> Vec<String> {
        text.split("<id>")
            .skip(1)
            .filter_map(|s| s.split("</id>").next())
            .filter(|s| s.contains("arxiv.org/abs/"))
            .map(str::to_string)
            .collect()
    }

    fn oai_ids(text: &str) -> Vec<String> {
        text.split("<identifier>oai:arXiv.org:")
            .skip(1)
            .filter_map(|s| s.split("</identifier>").next())
            .map(str::to_string)
            .collect()
    }

    fn new_style() -> impl Strategy<Value = String> {
        (7u32..=99, 1u32..=12, 0u32..100_000).prop_filter_map("before 0704", |(y, m, n)| {
            if (y, m) < (7, 4) {
                return None;
            }
            Some(if y < 15 {
                format!("{y:02}{m:02}.{:04}", n % 10_000)
            } else {
                format!("{y:02}{m:02}.{n:05}")
            })
        })
    }

    fn old_style() -> impl Strategy<Value = String> {
        (
            prop::sample::select(OLD_ARCHIVES),
            prop::sample::select(vec![(91u32, 8u32), (95, 1), (99, 12), (0, 1), (7, 3)]),
            0u32..1000,
        )
            .prop_map(|(a, (y, m), n)| format!("{a}/{y:02}{m:02}{n:03}"))
    }

    proptest! {
        #[test]
        fn canonical_round_trips(id in prop_oneof![new_style(), old_style()], v in proptest::option::of(1u32..50)) {
            let parsed = ArxivId::parse(&id).unwrap();
            prop_assert_eq!(parsed.as_str(), id.as_str());
            prop_assert_eq!(ArxivId::parse(parsed.as_str()).unwrap(), parsed.clone());
            let with_v = match v { Some(v) => format!("{id}v{v}"), None => id.clone() };
            for form in [with_v.clone(), format!("arXiv:{with_v}"), format!("https://arxiv.org/abs/{with_v}")] {
                let (again, version) = ArxivId::parse_versioned(&form).unwrap();
                prop_assert_eq!(&again, &parsed);
                prop_assert_eq!(version, v);
            }
        }

        #[test]
        fn arbitrary_input_never_panics(s in ".{0,300}") {
            let _ = ArxivId::parse_versioned(&s);
        }

        #[test]
        fn mutated_ids_never_panic(id in new_style(), pos in 0usize..12, c in any::<char>()) {
            let mut chars: Vec<char> = id.chars().collect();
            let pos = pos.min(chars.len());
            chars.insert(pos, c);
            let mutated: String = chars.into_iter().collect();
            if let Ok(parsed) = ArxivId::parse(&mutated) {
                // Only harmless insertions (whitespace at the ends) can still parse, and then to
                // the same id.
                prop_assert_eq!(parsed.as_str(), id.as_str());
            }
        }
    }
}
