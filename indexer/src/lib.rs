//! Search over the Store: the tantivy index derived from it, and the query language.
//!
//! - [`query`]: what people type, parsed (and refused with a reason when it cannot be meant);
//! - [`schema`]: the index's fields and analyzers;
//! - [`index`]: [`SearchIndex`], opened or created under the data dir, kept in step with the
//!   Store by [`SearchIndex::sync`], searched by [`SearchIndex::search`];
//! - [`embed`]: embedders (LSA by default), [`semantic`]: keeping the Store's vectors current
//!   and exporting them, [`vector_store`]: the vectors in memory, [`fusion`]: hybrid ranking;
//! - [`update`]: all of it brought up to date at once (`papers index`);
//! - [`simd`] and [`vectors`]: the dot-product kernels and the matrices they scan.

mod binfile;
pub mod embed;
pub mod fusion;
pub mod index;
mod linalg;
pub mod query;
pub mod schema;
pub mod semantic;
pub mod simd;
pub mod update;
pub mod vector_store;
pub mod vectors;

pub use embed::{Embedder, lsa::Lsa};
pub use fusion::Fusion;
pub use index::{
    Hit, IndexError, SearchIndex, SearchOptions, SearchResults, Semantic, Sort, SyncReport,
    index_dir,
};
pub use vector_store::VectorStore;
