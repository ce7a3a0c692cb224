//! Search over the Store: the tantivy index derived from it, and the query language.
//!
//! - [`query`]: what people type, parsed (and refused with a reason when it cannot be meant);
//! - [`schema`]: the index's fields and analyzers;
//! - [`index`]: [`SearchIndex`], opened or created under the data dir, kept in step with the
//!   Store by [`SearchIndex::sync`], searched by [`SearchIndex::search`].

pub mod index;
pub mod query;
pub mod schema;
pub mod simd;
pub mod vectors;

pub use index::{Hit, IndexError, SearchIndex, SearchOptions, SearchResults, Sort, SyncReport};
