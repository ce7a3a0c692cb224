//! papers-core: the domain types of `papers` (arXiv ids, categories, papers), its configuration,
//! the Store (the one source of truth every other crate reads and writes), and the one outbound
//! HTTP client with its retry policy.

pub mod arxiv_id;
pub mod category;
pub mod config;
pub mod html;
pub mod http;
pub mod paper;
pub mod retry;
pub mod store;
pub mod summary;
#[cfg(feature = "testing")]
pub mod testing;
pub mod venue;

pub use arxiv_id::{ArxivId, ArxivIdError};
pub use category::{Category, CategoryError, CategoryExpr};
pub use config::{
    Config, ConfigError, CrawlerConfig, EmbedderChoice, EmbeddingService, LogFormat,
    ProviderChoice, SearchConfig, Secret, SummaryConfig, Topic, default_topics,
};
pub use paper::{Paper, PaperError};
pub use store::{Store, StoreError};
pub use summary::{Enqueued, FullText, JobState, Lang, Maker, StoredSummary, SummaryJob};
pub use venue::{LinkSource, VenueLink};
