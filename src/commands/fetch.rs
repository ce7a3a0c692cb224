//! `papers fetch ID…`: papers on demand, by any id form.

use std::process::ExitCode;

use anyhow::Context;
use papers_core::{ArxivId, Config, Store};
use papers_crawler::fetch::{FetchReport, fetch_papers};
use papers_crawler::run::{Guarded, Outcome, guarded};
use papers_crawler::source::ArxivClient;

pub async fn run(
    store: &Store,
    config: &Config,
    ids: &[String],
    json: bool,
) -> anyhow::Result<ExitCode> {
    let ids: Vec<ArxivId> = ids
        .iter()
        .map(|text| ArxivId::parse(text).with_context(|| format!("fetching {text}")))
        .collect::<anyhow::Result<_>>()?;
    let client = ArxivClient::new(config.crawler.clone())?;
    let run = guarded(
        store,
        "fetch",
        || fetch_papers(store, &client, &ids),
        outcome,
        |r| serde_json::to_string(r).unwrap_or_default(),
    )
    .await?;
    let Guarded::Ran(report) = run else {
        println!("fetch skipped: a crawl is in progress; try again in a minute");
        return Ok(ExitCode::from(1));
    };
    let outcome = outcome(&report);
    if json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        println!(
            "fetched {} of {} papers: {} new, {} updated, {} unchanged",
            report.new + report.updated + report.unchanged,
            ids.len(),
            report.new,
            report.updated,
            report.unchanged
        );
        if !report.missing.is_empty() {
            eprintln!("not on arXiv: {}", report.missing.join(", "));
        }
        for error in &report.errors {
            eprintln!("error: {error}");
        }
    }
    Ok(ExitCode::from(outcome.exit_code() as u8))
}

fn outcome(report: &FetchReport) -> Outcome {
    let stored = report.new + report.updated + report.unchanged;
    match (
        report.errors.is_empty() && report.missing.is_empty(),
        stored > 0,
    ) {
        (true, _) => Outcome::Ok,
        (false, true) => Outcome::Partial,
        (false, false) => Outcome::Failed,
    }
}
