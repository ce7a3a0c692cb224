//! `papers index`: bring everything derived from the Store up to date — the full-text index, the
//! vectors of the configured embedder (training the LSA model first when there is none), and the
//! topics' membership — and say what was done.

use std::time::Instant;

use papers_core::{Config, Store};
use papers_indexer::update::{UpdateReport, update};
use serde::Serialize;

/// The index lives beside the SQLite file: derived data, rebuilt from the Store at will.
pub use papers_indexer::index_dir;

#[derive(Serialize)]
struct Report {
    #[serde(flatten)]
    update: UpdateReport,
    seconds: f64,
}

pub async fn run(
    store: &Store,
    config: &Config,
    rebuild: bool,
    retrain: bool,
    json: bool,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let dir = index_dir(config);
    let update = update(store, config, rebuild, retrain).await?;
    let report = Report {
        update,
        seconds: started.elapsed().as_secs_f64(),
    };
    if json {
        println!("{}", serde_json::to_string(&report)?);
        return Ok(());
    }
    let t = &report.update.text;
    println!(
        "index {}: {} papers indexed{} in {:.1}s, {} documents",
        dir.display(),
        t.indexed,
        if t.from_scratch { " from scratch" } else { "" },
        report.seconds,
        t.documents
    );
    if let Some(v) = &report.update.vectors {
        println!(
            "vectors {}: {} papers embedded, {} in all{}",
            v.report.embedder,
            v.report.embedded,
            v.report.vectors,
            if v.trained {
                " (model trained now)"
            } else {
                ""
            }
        );
    }
    let topics: Vec<String> = report
        .update
        .topics
        .iter()
        .map(|t| format!("{} {}", t.name, t.papers))
        .collect();
    println!("topics: {}", topics.join(", "));
    Ok(())
}
