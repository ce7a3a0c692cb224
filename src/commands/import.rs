//! `papers import FILE`: a JSON Lines file into the Store, with progress and one summary line.

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use papers_core::Store;
use papers_crawler::{ImportReport, import_jsonl};

use crate::progress::Progress;

pub async fn run(store: &Store, path: &Path) -> anyhow::Result<()> {
    let (input, size, name): (Box<dyn Read + Send>, Option<u64>, String) =
        if path.as_os_str() == "-" {
            (Box::new(std::io::stdin()), None, "standard input".into())
        } else {
            let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
            let size = file.metadata().ok().map(|m| m.len());
            (Box::new(file), size, path.display().to_string())
        };
    let report = import(store, input, size, &name).await?;
    // A file of which not one line was usable is almost certainly the wrong file: say so in the
    // exit status too, so a cron job's mail or a pipeline notices.
    if report.accepted() == 0 && report.rejected > 0 {
        anyhow::bail!("no line of {name} was a usable paper; see the rejections above");
    }
    Ok(())
}

/// Imports a stream and prints the summary line; shared with `papers demo`.
pub async fn import(
    store: &Store,
    input: Box<dyn Read + Send>,
    size: Option<u64>,
    name: &str,
) -> anyhow::Result<ImportReport> {
    let started = Instant::now();
    let mut progress = Progress::new(size, "importing");
    let result = import_jsonl(store, input, |bytes: u64, report: &ImportReport| {
        progress.update(bytes, report.lines, report.accepted())
    })
    .await;
    progress.finish();
    let report = result.with_context(|| format!("importing {name}"))?;
    let seconds = started.elapsed().as_secs_f64();
    let rate = report.accepted() as f64 / seconds.max(1e-9);
    println!(
        "imported {name}: {} new, {} updated, {} unchanged, {} rejected in {seconds:.1}s \
         ({rate:.0} papers/s)",
        report.new, report.updated, report.unchanged, report.rejected
    );
    if report.rejected > report.rejections.len() as u64 {
        eprintln!(
            "note: {} rejected lines were logged; the first {} are above",
            report.rejected,
            report.rejections.len()
        );
    }
    Ok(report)
}
