//! Search over the Store: the tantivy index, embedders, vectors and ranking.
//!
//! Empty on purpose: the «Search» issue builds this crate. Nothing here pretends to search yet,
//! and no command exposes it.
