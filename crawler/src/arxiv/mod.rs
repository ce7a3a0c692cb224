//! arXiv's three sources, parsed as streams of XML events (quick-xml), never as a DOM:
//!
//! - [`feed`]: the daily listing feeds `rss.arxiv.org/rss/{cats}` (RSS 2.0) and `/atom/{cats}`;
//! - [`api`]: `export.arxiv.org/api/query` (Atom, current and pre-2025 styles, the error feed);
//! - [`oai`]: `export.arxiv.org/oai2` OAI-PMH `ListRecords` / `GetRecord` (`arXiv`, `arXivRaw`).
//!
//! Every parser works on the bytes of one response and returns what it could use: good entries
//! become [`Paper`]s (normalised with [`Paper::normalized`]), a malformed entry is reported as an
//! [`EntryError`] and skipped, and a document that stops being XML half way (a truncated body)
//! keeps the entries before the fault and reports it in `fatal`.

pub mod api;
pub mod feed;
pub mod oai;
mod xml;

use papers_core::Paper;

/// How a listing feed announced a paper on its day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AnnounceType {
    /// A new submission, primary in one of the feed's categories.
    New,
    /// A new submission cross-listed to one of the feed's categories.
    Cross,
    /// A new version of an earlier paper.
    Replace,
    /// A new version of an earlier paper, cross-listed to one of the feed's categories.
    ReplaceCross,
}

impl AnnounceType {
    /// Parses arXiv's spelling: `new`, `cross`, `replace`, `replace-cross`.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "new" => Some(Self::New),
            "cross" => Some(Self::Cross),
            "replace" => Some(Self::Replace),
            "replace-cross" => Some(Self::ReplaceCross),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Cross => "cross",
            Self::Replace => "replace",
            Self::ReplaceCross => "replace-cross",
        }
    }

    /// New submissions (new, cross) are listed on the day; replacements update a paper listed
    /// earlier.
    pub fn is_replacement(self) -> bool {
        matches!(self, Self::Replace | Self::ReplaceCross)
    }
}

/// A malformed entry that was skipped; the rest of the response was kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryError {
    /// 1-based position of the entry (item, entry or record) in the response.
    pub position: usize,
    /// The entry's id, when it could be read.
    pub id: Option<String>,
    pub reason: String,
}

impl std::fmt::Display for EntryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.id {
            Some(id) => write!(f, "entry {} ({id}): {}", self.position, self.reason),
            None => write!(f, "entry {}: {}", self.position, self.reason),
        }
    }
}

/// The document stopped being well-formed XML (for example a body cut off mid-way); parsing
/// stopped there.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("malformed XML at byte {offset}: {reason}")]
pub struct XmlError {
    pub offset: u64,
    pub reason: String,
}

/// A paper as a listing feed announced it.
#[derive(Clone, Debug, PartialEq)]
pub struct FeedEntry {
    pub paper: Paper,
    pub announce_type: AnnounceType,
}
