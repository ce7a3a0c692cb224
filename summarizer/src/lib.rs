//! LLM summaries of papers (the FAQ): providers, prompts, the persistent job queue and the cache.
//!
//! - [`prompt`]: the six questions, versioned, in English and Chinese.
//! - [`provider`]: an OpenAI-compatible endpoint, a local GGUF model ([`local`]), or extractive.
//! - [`generate`]: one FAQ, question by question, streamed.
//! - [`service`]: the cache, the queue and its workers, and following a generation.
//! - [`fulltext`]: the paper's PDF as text; [`markdown`]: answers rendered safe for a page.

pub mod chat;
pub mod fulltext;
pub mod generate;
pub mod local;
pub mod markdown;
pub mod prompt;
pub mod provider;
pub mod service;
#[cfg(feature = "testing")]
pub mod testing;

pub use service::{Answer, JobView, Section, State, Summarizer, SummaryError, Update};
