//! What the Store keeps about LLM summaries: the cached answers, the generation jobs, and the
//! text extracted from a paper's PDF. The summarizer crate decides what they mean.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::arxiv_id::ArxivId;

/// The languages a summary is written in; each is generated on its own, never translated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Zh];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "en" => Some(Lang::En),
            "zh" | "zh-cn" | "zh-hans" => Some(Lang::Zh),
            _ => None,
        }
    }
}

/// One cached answer to the FAQ.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredSummary {
    pub paper_id: ArxivId,
    /// The paper version it was made from.
    pub version: u32,
    pub lang: Lang,
    /// `endpoint`, `local` or `extractive`.
    pub provider: String,
    pub model: String,
    pub prompt_version: u32,
    /// One Markdown answer per question, in the prompt's order.
    pub answers: Vec<String>,
    /// `full-text` or `abstract`: what the model read.
    pub source: String,
    pub tokens: u64,
    pub created_at: DateTime<Utc>,
}

/// Who made a summary: a summary is cached per maker, so changing the model regenerates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Maker<'a> {
    pub provider: &'a str,
    pub model: &'a str,
    pub prompt_version: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    Queued,
    Running,
    Failed,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Failed => "failed",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<JobState> {
        match text {
            "queued" => Some(JobState::Queued),
            "running" => Some(JobState::Running),
            "failed" => Some(JobState::Failed),
            _ => None,
        }
    }
}

/// A generation waiting, under way, or failed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SummaryJob {
    pub id: i64,
    pub paper_id: ArxivId,
    pub version: u32,
    pub lang: Lang,
    pub priority: i64,
    pub state: JobState,
    pub attempts: u32,
    pub error: Option<String>,
    /// The answers so far while it runs (the last one possibly cut mid-sentence).
    pub partial: Vec<String>,
    pub worker: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// What asking for a summary did to the queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Enqueued {
    /// A new job (or a failed one queued again): a generation will happen.
    New,
    /// A job for it was already waiting or running: this request joins it.
    Joined,
}

/// A paper's PDF text, or why there is none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FullText {
    Text(String),
    Unavailable(String),
}
