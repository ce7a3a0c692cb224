//! The paper as the Store keeps it, how text is normalised on the way in, and how two records of
//! the same paper (two sources, two runs, two versions) combine into one.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::arxiv_id::ArxivId;
use crate::category::Category;

/// Upper bounds on what one record may carry. Real arXiv records are far below them (the longest
/// abstracts are ~2,000 characters, the longest author lists a few thousand names); anything
/// beyond is a broken feed, and refusing it keeps one bad record from bloating every page.
pub const MAX_TITLE_BYTES: usize = 2_000;
pub const MAX_ABSTRACT_BYTES: usize = 20_000;
pub const MAX_AUTHORS: usize = 5_000;
pub const MAX_AUTHOR_BYTES: usize = 300;
pub const MAX_NOTE_BYTES: usize = 5_000;

/// A paper: its arXiv identity, the latest version we know, and its metadata.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paper {
    pub id: ArxivId,
    /// Latest known version (1 when a source does not say).
    pub version: u32,
    pub title: String,
    /// Author names, in the paper's order.
    pub authors: Vec<String>,
    #[serde(rename = "abstract")]
    pub abstract_text: String,
    /// Canonical categories, primary first; never empty for an arXiv paper (a paper known only
    /// at a venue has none).
    pub categories: Vec<Category>,
    pub comment: Option<String>,
    pub journal_ref: Option<String>,
    pub doi: Option<String>,
    /// When v1 was submitted.
    pub published: Option<DateTime<Utc>>,
    /// When the latest version was submitted.
    pub updated: Option<DateTime<Utc>>,
    /// The first daily listing the paper appeared in.
    pub announced: Option<NaiveDate>,
}

/// Why a record cannot become a [`Paper`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PaperError {
    #[error("title is empty")]
    EmptyTitle,
    #[error("no arXiv category")]
    NoCategory,
    #[error("no author")]
    NoAuthor,
    #[error("version must be 1 or more")]
    ZeroVersion,
    #[error("{field} is too long ({len} bytes, at most {max})")]
    TooLong {
        field: &'static str,
        len: usize,
        max: usize,
    },
    #[error("too many authors ({0}, at most {MAX_AUTHORS})")]
    TooManyAuthors(usize),
}

/// Collapses every run of whitespace (arXiv's hard line breaks and indentation included) into one
/// space and drops other control characters (PostgreSQL refuses NUL; none belongs in metadata).
/// Everything else, LaTeX included, is kept verbatim. Exactly: the `split_whitespace` words with
/// control characters removed, empty ones skipped, joined by single spaces.
pub fn normalize_text(text: &str) -> String {
    // Import spends much of its CPU here, so this scans bytes and copies runs of ordinary ones
    // whole; only ASCII whitespace/controls and the lead bytes of the few non-ASCII whitespace
    // and control characters (0xC2: U+0085, U+00A0 and C1 controls; 0xE1: U+1680; 0xE2: U+2000
    // to U+205F; 0xE3: U+3000) are looked at as characters.
    const ORDINARY: [bool; 256] = {
        let mut table = [false; 256];
        let mut b = 0;
        while b < 256 {
            table[b] =
                (b > 0x20 && b < 0x7f) || (b >= 0x80 && !matches!(b, 0xc2 | 0xe1 | 0xe2 | 0xe3));
            b += 1;
        }
        table
    };
    let ordinary = |b: u8| ORDINARY[usize::from(b)];
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut space_pending = false;
    fn push(out: &mut String, piece: &str, space_pending: &mut bool) {
        if std::mem::take(space_pending) && !out.is_empty() {
            out.push(' ');
        }
        out.push_str(piece);
    }
    let mut i = 0;
    while i < bytes.len() {
        if ordinary(bytes[i]) {
            // A run of ordinary bytes, with the single spaces between them (most of a line of
            // prose), is copied whole. It starts and ends at character boundaries: it stops only
            // before an ASCII byte or a lead byte, and never starts or ends on a space.
            let start = i;
            i += 1;
            while i < bytes.len() {
                if let Some(chunk) = bytes.get(i..i + 8)
                    && plain_ascii_prose(u64::from_le_bytes(chunk.try_into().expect("8 bytes")))
                {
                    i += 8;
                } else if ordinary(bytes[i]) {
                    i += 1;
                } else if bytes[i] == b' ' && i + 1 < bytes.len() && ordinary(bytes[i + 1]) {
                    i += 2;
                } else {
                    break;
                }
            }
            push(&mut out, &text[start..i], &mut space_pending);
            continue;
        }
        let b = bytes[i];
        if b < 0x80 {
            // ASCII whitespace separates words (U+000B included, as `char::is_whitespace`
            // has it); any other ASCII byte here is a control character and is dropped.
            space_pending |= b.is_ascii_whitespace() || b == 0x0b;
            i += 1;
            continue;
        }
        let c = text[i..].chars().next().expect("i is a character boundary");
        i += c.len_utf8();
        if c.is_whitespace() {
            space_pending = true;
        } else if !c.is_control() {
            push(&mut out, c.encode_utf8(&mut [0; 4]), &mut space_pending);
        }
    }
    out
}

/// Eight bytes that a run can take whole: printable ASCII with single spaces, the last byte not a
/// space (a space must be followed by a word, and the next chunk is not looked at). The run before
/// them ends in an ordinary byte, so a space first is a single one. Word-at-a-time bit tests,
/// exact for every byte value (the classic "has less than / has more than / has zero byte" forms).
fn plain_ascii_prose(x: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let below_space = x.wrapping_sub(ONES * 0x20) & !x & HIGH;
    let above_tilde = (x.wrapping_add(ONES) | x) & HIGH;
    if below_space | above_tilde != 0 {
        return false;
    }
    // 0x80 in each byte that is a space.
    let xor = x ^ (ONES * 0x20);
    let is_space = !((xor & !HIGH).wrapping_add(!HIGH) | xor | !HIGH);
    is_space & (is_space >> 8) == 0 && is_space >> 63 == 0
}

/// Normalises an optional note (comment, journal ref, DOI); an empty one is no note.
fn normalize_note(note: Option<String>) -> Option<String> {
    note.map(|n| normalize_text(&n)).filter(|n| !n.is_empty())
}

/// Shortens `text` to at most `max` bytes at a character boundary, marking the cut with `…`.
fn cut_to(text: &mut String, max: usize) {
    if text.len() <= max {
        return;
    }
    let mut end = max - '…'.len_utf8();
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    text.push('…');
}

fn check_len(field: &'static str, value: &str, max: usize) -> Result<(), PaperError> {
    if value.len() > max {
        return Err(PaperError::TooLong {
            field,
            len: value.len(),
            max,
        });
    }
    Ok(())
}

impl Paper {
    /// Normalises the text fields and checks the record is one a reader could use. Every source
    /// passes its records through here before they reach the Store.
    pub fn normalized(mut self) -> Result<Paper, PaperError> {
        if self.version == 0 {
            return Err(PaperError::ZeroVersion);
        }
        // Length checks come first so a huge field is refused before it is copied around.
        check_len("title", &self.title, MAX_TITLE_BYTES)?;
        check_len("abstract", &self.abstract_text, MAX_ABSTRACT_BYTES)?;
        if self.authors.len() > MAX_AUTHORS {
            return Err(PaperError::TooManyAuthors(self.authors.len()));
        }
        // An overlong "name" is a source glitch (arXiv has records whose author list lost its
        // separators and became one 500-byte name). The paper is still worth keeping, so the
        // name is cut rather than the record refused.
        for author in &mut self.authors {
            cut_to(author, MAX_AUTHOR_BYTES);
        }
        for (field, note) in [
            ("comment", &self.comment),
            ("journal_ref", &self.journal_ref),
            ("doi", &self.doi),
        ] {
            if let Some(note) = note {
                check_len(field, note, MAX_NOTE_BYTES)?;
            }
        }

        self.title = normalize_text(&self.title);
        self.abstract_text = normalize_text(&self.abstract_text);
        self.authors = self
            .authors
            .iter()
            .map(|a| normalize_text(a))
            .filter(|a| !a.is_empty())
            .collect();
        self.comment = normalize_note(self.comment.take());
        self.journal_ref = normalize_note(self.journal_ref.take());
        self.doi = normalize_note(self.doi.take());
        let mut seen = std::collections::HashSet::new();
        self.categories.retain(|c| seen.insert(c.clone()));

        if self.title.is_empty() {
            return Err(PaperError::EmptyTitle);
        }
        if self.authors.is_empty() {
            return Err(PaperError::NoAuthor);
        }
        // A paper known only at a venue has no arXiv category; every arXiv paper has one.
        if self.categories.is_empty() && self.id.is_arxiv() {
            return Err(PaperError::NoCategory);
        }
        Ok(self)
    }

    /// The primary category (the first one); `None` only for a paper known only at a venue.
    pub fn primary_category(&self) -> Option<&Category> {
        self.categories.first()
    }
}

/// What storing a record would do to the Store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Merge {
    /// The paper is not stored yet: store it.
    New(Paper),
    /// The stored row changes to this.
    Updated(Paper),
    /// Nothing to write: the record is older than, or the same as, what is stored.
    Unchanged,
}

/// Combines a record with the stored row of the same paper.
///
/// - An older version never overwrites a newer one.
/// - A newer version replaces the metadata, but a note it does not carry (comment, journal ref,
///   DOI, dates) is kept from the stored row: sources differ in what they carry (a listing feed has
///   no DOI, the API has no announce date), and "not given" is not "removed".
/// - `announced` is the first listing: the earliest date either side knows.
pub fn merge(stored: Option<&Paper>, incoming: Paper) -> Merge {
    let Some(stored) = stored else {
        return Merge::New(incoming);
    };
    if incoming.version < stored.version {
        return Merge::Unchanged;
    }
    let mut merged = incoming;
    merged.comment = merged.comment.or_else(|| stored.comment.clone());
    merged.journal_ref = merged.journal_ref.or_else(|| stored.journal_ref.clone());
    merged.doi = merged.doi.or_else(|| stored.doi.clone());
    merged.published = earliest(merged.published, stored.published);
    merged.updated = merged.updated.or(stored.updated);
    merged.announced = earliest(merged.announced, stored.announced);
    if &merged == stored {
        Merge::Unchanged
    } else {
        Merge::Updated(merged)
    }
}

fn earliest<T: Ord>(a: Option<T>, b: Option<T>) -> Option<T> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A valid paper for tests; adjust fields as needed.
    pub fn sample(id: &str, version: u32) -> Paper {
        Paper {
            id: ArxivId::parse(id).unwrap(),
            version,
            title: "Low-Rank Attention".into(),
            authors: vec!["Ada Lovelace".into(), "Alan Turing".into()],
            abstract_text: "We study $O(n)$ attention.".into(),
            categories: vec![Category::parse("cs.LG").unwrap()],
            comment: None,
            journal_ref: None,
            doi: None,
            published: None,
            updated: None,
            announced: NaiveDate::from_ymd_opt(2026, 6, 1),
        }
    }

    #[test]
    fn hard_line_breaks_are_joined_and_latex_kept() {
        let text = "We prove $\\|A\\|_F \\le\n  \\sigma_1$ for\r\nlow-rank\tmatrices.\u{0} ";
        assert_eq!(
            normalize_text(text),
            "We prove $\\|A\\|_F \\le \\sigma_1$ for low-rank matrices."
        );
    }

    proptest::proptest! {
        /// The fast path copies words whole; it must agree with the plain definition.
        #[test]
        fn normalize_matches_its_definition(text in "[a-z \\n\\t\u{0}-\u{1f}\u{7f}-\u{a0}é°λ$\\\\\u{1680}\u{2000}-\u{2030}\u{205f}\u{3000}\u{e000}]{0,60}") {
            let words: Vec<String> = text
                .split_whitespace()
                .map(|w| w.chars().filter(|c| !c.is_control()).collect::<String>())
                .filter(|w| !w.is_empty())
                .collect();
            proptest::prop_assert_eq!(normalize_text(&text), words.join(" "));
        }

        /// Long stretches of prose take the eight-bytes-at-a-time path; the odd bytes between
        /// words must still come out as the definition has it.
        #[test]
        fn normalize_matches_its_definition_on_prose(text in "([a-z~!]{1,9}( |  |\\n|\\t|\u{1}|\u{7f}|é|\u{a0}|\u{2003}|\\$)){0,40}") {
            let words: Vec<String> = text
                .split_whitespace()
                .map(|w| w.chars().filter(|c| !c.is_control()).collect::<String>())
                .filter(|w| !w.is_empty())
                .collect();
            proptest::prop_assert_eq!(normalize_text(&text), words.join(" "));
        }
    }

    #[test]
    fn normalized_cleans_fields_and_rejects_empty_ones() {
        let mut paper = sample("2506.01234", 1);
        paper.title = "  A\n  Title ".into();
        paper.authors = vec![" Ada\nLovelace ".into(), "  ".into()];
        paper.comment = Some("  ".into());
        paper.categories.push(Category::parse("cs.LG").unwrap());
        let paper = paper.normalized().unwrap();
        assert_eq!(paper.title, "A Title");
        assert_eq!(paper.authors, vec!["Ada Lovelace"]);
        assert_eq!(paper.comment, None);
        assert_eq!(paper.categories.len(), 1);

        let mut untitled = sample("2506.01234", 1);
        untitled.title = "\n ".into();
        assert_eq!(untitled.normalized(), Err(PaperError::EmptyTitle));
        let mut glued = sample("2506.01234", 1);
        glued.authors = vec!["Xiangyu Kongand Xiaoxia Xingand ".repeat(20) + "é"];
        let glued = glued.normalized().unwrap();
        assert!(glued.authors[0].len() <= MAX_AUTHOR_BYTES);
        assert!(glued.authors[0].starts_with("Xiangyu Kongand") && glued.authors[0].ends_with('…'));

        let mut huge = sample("2506.01234", 1);
        huge.abstract_text = "x".repeat(MAX_ABSTRACT_BYTES + 1);
        assert!(matches!(
            huge.normalized(),
            Err(PaperError::TooLong {
                field: "abstract",
                ..
            })
        ));
    }

    #[test]
    fn merge_keeps_the_newest_version_and_the_first_listing() {
        let v1 = sample("2506.01234", 1);
        assert_eq!(merge(None, v1.clone()), Merge::New(v1.clone()));
        assert_eq!(merge(Some(&v1), v1.clone()), Merge::Unchanged);

        let mut v2 = sample("2506.01234", 2);
        v2.title = "Low-Rank Attention, Revised".into();
        v2.announced = NaiveDate::from_ymd_opt(2026, 6, 9);
        let Merge::Updated(merged) = merge(Some(&v1), v2.clone()) else {
            panic!("a newer version must update");
        };
        assert_eq!(merged.version, 2);
        assert_eq!(merged.title, "Low-Rank Attention, Revised");
        assert_eq!(
            merged.announced, v1.announced,
            "announced is the first listing"
        );

        assert_eq!(
            merge(Some(&merged), v1),
            Merge::Unchanged,
            "older never wins"
        );
    }

    #[test]
    fn merge_keeps_notes_a_source_does_not_carry() {
        let mut from_api = sample("2506.01234", 1);
        from_api.doi = Some("10.1000/xyz".into());
        from_api.comment = Some("ICLR 2026".into());
        let from_feed = sample("2506.01234", 1);
        assert_eq!(merge(Some(&from_api), from_feed), Merge::Unchanged);

        let mut with_ref = sample("2506.01234", 1);
        with_ref.journal_ref = Some("JMLR 27 (2026)".into());
        let Merge::Updated(merged) = merge(Some(&from_api), with_ref) else {
            panic!("new metadata must update");
        };
        assert_eq!(merged.doi.as_deref(), Some("10.1000/xyz"));
        assert_eq!(merged.journal_ref.as_deref(), Some("JMLR 27 (2026)"));
    }
}
