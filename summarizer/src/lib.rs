//! LLM summaries of papers: providers, prompts, the persistent job queue and the cache.
//!
//! Empty on purpose: the «LLM summaries» issue builds this crate. Nothing here pretends to
//! summarise yet, and no command exposes it.
