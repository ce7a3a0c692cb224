//! papers-crawler: everything that brings papers into the Store.
//!
//! - [`daily`]: the day's listing feeds, completed through the API (`papers crawl`);
//! - [`backfill`]: history in bulk through OAI-PMH (`papers crawl --backfill --set`);
//! - [`search_backfill`]: one category's history through the API (`papers crawl --backfill --category`);
//! - [`fetch`]: papers on demand by id (`papers fetch`);
//! - [`import`]: JSON Lines files (`papers import`, `papers demo`);
//! - [`arxiv`]: the streaming parsers; [`source`]: arXiv's endpoints; [`run`]: the lease and run
//!   log that make runs safe to start from cron.

pub mod arxiv;
pub mod backfill;
pub mod daily;
pub mod fetch;
pub mod import;
pub mod jsonl;
pub mod run;
pub mod search_backfill;
pub mod source;
pub mod venues;

pub use import::{ImportError, ImportProgress, ImportReport, Rejection, import_jsonl};
