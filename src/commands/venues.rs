//! `papers venues …`:
//! - `detect`: the venue rules on comment strings, for an operator checking them. Reads standard
//!   input, one comment (or journal ref) per line; prints one JSON object per line:
//!   `{"venue": "ICLR", "year": 2026, "group": "Oral", "kind": "conference"}`, all null when the
//!   line claims no accepted venue. Needs no database.
//! - `import openreview EDITION` and `import jsonl FILE`: an edition's accepted papers, stored as
//!   venue links (and venue-only papers), with progress on stderr and a report.
//! - `list`: what is stored, per venue, edition and group.

use std::io::{BufRead, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use papers_core::{Config, Store};
use papers_crawler::venues::curated;
use papers_crawler::venues::openreview::{Edition, OpenReview};
use papers_crawler::venues::{VenueImportReport, detect, import_records};
use serde_json::json;

/// Least time between two progress lines.
const PROGRESS_EVERY: Duration = Duration::from_secs(2);

pub fn detect_stdin() -> anyhow::Result<()> {
    let stdin = std::io::stdin();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for line in stdin.lock().lines() {
        let line = line?;
        let answer = match detect(&line) {
            Some(claim) => json!({
                "venue": claim.venue, "year": claim.year, "group": claim.group, "kind": claim.kind,
            }),
            None => json!({ "venue": null, "year": null, "group": null, "kind": null }),
        };
        writeln!(out, "{answer}")?;
    }
    out.flush()?;
    Ok(())
}

pub async fn import_openreview(
    store: &Store,
    config: &Config,
    edition: &str,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let edition = Edition::parse(edition)?;
    let client = OpenReview::new(&config.crawler)?;
    eprintln!(
        "reading {}.{} from OpenReview ({})",
        edition.venue, edition.year, edition.venue_id
    );
    let mut last = Instant::now();
    let records = client
        .accepted(&edition, |read, total| {
            if last.elapsed() >= PROGRESS_EVERY {
                last = Instant::now();
                match total {
                    Some(total) => eprintln!("  {read} of {total} notes read"),
                    None => eprintln!("  {read} notes read"),
                }
            }
        })
        .await
        .with_context(|| {
            format!(
                "importing {}.{} from OpenReview",
                edition.venue, edition.year
            )
        })?;
    if records.is_empty() {
        eprintln!(
            "OpenReview has no accepted papers under {} (yet?): nothing stored",
            edition.venue_id
        );
    }
    let report = store_records(store, records).await?;
    print_report(&report, &[], json)?;
    Ok(ExitCode::SUCCESS)
}

pub async fn import_jsonl(store: &Store, file: &Path, json: bool) -> anyhow::Result<ExitCode> {
    let list = if file == Path::new("-") {
        curated::read(std::io::stdin().lock())
    } else {
        let opened = std::fs::File::open(file)
            .with_context(|| format!("opening the venue list {}", file.display()))?;
        curated::read(std::io::BufReader::new(opened))
    }
    .with_context(|| format!("reading the venue list {}", file.display()))?;
    let rejected = list.rejected;
    let report = store_records(store, list.records).await?;
    print_report(&report, &rejected, json)?;
    // Lines that were not records are the operator's to fix: say so in the exit code too.
    Ok(if rejected.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

async fn store_records(
    store: &Store,
    records: Vec<papers_crawler::venues::VenueRecord>,
) -> anyhow::Result<VenueImportReport> {
    let total = records.len();
    let mut last = Instant::now();
    let report = import_records(store, records, |r| {
        if last.elapsed() >= PROGRESS_EVERY {
            last = Instant::now();
            let done = r.by_arxiv_id + r.by_title + r.venue_only + r.skipped.len() as u64;
            eprintln!("  {done} of {total} records stored");
        }
    })
    .await
    .context("storing the venue's papers")?;
    Ok(report)
}

fn print_report(report: &VenueImportReport, rejected: &[String], json: bool) -> anyhow::Result<()> {
    if json {
        let mut value = serde_json::to_value(report)?;
        value["rejected_lines"] = json!(rejected);
        println!("{value}");
        return Ok(());
    }
    println!(
        "{} records: {} matched arXiv papers by id, {} by title and first author, {} known only at the venue; {} links new or changed",
        report.records,
        report.by_arxiv_id,
        report.by_title,
        report.venue_only,
        report.links_changed
    );
    for reason in report.skipped.iter().chain(rejected) {
        eprintln!("skipped: {reason}");
    }
    if report.links_changed > 0 {
        println!("run `papers index` to make them searchable (venue:NAME.YEAR)");
    }
    Ok(())
}

pub async fn list(store: &Store, json: bool) -> anyhow::Result<()> {
    let groups = store.venue_groups().await?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if json {
        for group in &groups {
            writeln!(out, "{}", serde_json::to_string(group)?)?;
        }
    } else if groups.is_empty() {
        writeln!(
            out,
            "no venues stored yet: import one (papers venues import openreview ICLR.2026) or index papers whose comments claim one (papers index)"
        )?;
    } else {
        for g in &groups {
            writeln!(
                out,
                "{:<24} {:>6}",
                format!(
                    "{}.{} {}",
                    g.venue,
                    g.year,
                    g.group.as_deref().unwrap_or("")
                )
                .trim_end(),
                g.papers
            )?;
        }
    }
    out.flush()?;
    Ok(())
}
