//! `papers demo`: loads the sample of real arXiv papers bundled in the binary, then serves.
//!
//! The sample (demo/arxiv-sample.jsonl.gz, made by scripts/make-demo-sample.py) is compiled in, so
//! the demo works from any directory and without network. Loading is an ordinary, idempotent
//! import: a second run finds every paper unchanged. The search index is brought up to date too,
//! so `papers search` works on the demo data.

use papers_core::{Config, Store};

/// Real arXiv metadata (CC0): 24 announced days, attention, diffusion and low-rank papers first.
const SAMPLE: &[u8] = include_bytes!("../../demo/arxiv-sample.jsonl.gz");

pub async fn run(store: &Store, config: &Config) -> anyhow::Result<()> {
    super::import::import(
        store,
        Box::new(SAMPLE),
        Some(SAMPLE.len() as u64),
        "the bundled demo sample",
    )
    .await?;
    super::index::run(store, config, false, false, false).await?;
    super::serve::run(store, config).await
}
