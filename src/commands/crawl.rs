//! `papers crawl` (the day's listings) and `papers crawl --backfill` (history through OAI-PMH, or
//! one category through the API's search):
//! one complete, cron-safe run with one summary line and an exit status that says how it went.

use std::process::ExitCode;

use papers_core::{Config, Store};
use papers_crawler::backfill::{BackfillReport, BackfillSpec, backfill};
use papers_crawler::daily::{DailyReport, crawl_daily};
use papers_crawler::run::{Guarded, Outcome, guarded};
use papers_crawler::search_backfill::{SearchSpec, search_backfill};
use papers_crawler::source::ArxivClient;

pub async fn daily(store: &Store, config: &Config, json: bool) -> anyhow::Result<ExitCode> {
    let client = ArxivClient::new(config.crawler.clone())?;
    let categories = config.crawler.categories.clone();
    let run = guarded(
        store,
        "daily",
        || crawl_daily(store, &client, &categories),
        daily_outcome,
        |r| serde_json::to_string(r).unwrap_or_default(),
    )
    .await?;
    let Guarded::Ran(report) = run else {
        return Ok(busy(json));
    };
    let outcome = daily_outcome(&report);
    if json {
        println!("{}", with_outcome(&report, outcome));
    } else {
        let listed: u64 = report.listed.values().sum();
        let day = report
            .day
            .map_or_else(|| "-".to_string(), |d| d.to_string());
        if report.not_modified {
            println!(
                "crawl {}: feed unchanged since the last run",
                outcome.as_str()
            );
        } else {
            println!(
                "crawl {}: day {day}, {listed} listed ({} skipped), {} completed by the API, \
                 {} new, {} updated, {} unchanged, {} errors",
                outcome.as_str(),
                report.skipped,
                report.completed,
                report.new,
                report.updated,
                report.unchanged,
                report.errors.len()
            );
        }
        for error in &report.errors {
            eprintln!("error: {error}");
        }
    }
    Ok(ExitCode::from(outcome.exit_code() as u8))
}

/// Nothing fetched at all is a failure; some sources failing is partial.
fn daily_outcome(report: &DailyReport) -> Outcome {
    let stored = report.new + report.updated + report.unchanged;
    match (report.errors.is_empty(), stored > 0 || report.not_modified) {
        (true, _) => Outcome::Ok,
        (false, true) => Outcome::Partial,
        (false, false) => Outcome::Failed,
    }
}

/// `papers crawl --backfill [--set S]`: OAI-PMH.
pub async fn backfill_history(
    store: &Store,
    config: &Config,
    spec: BackfillSpec,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let client = ArxivClient::new(config.crawler.clone())?;
    let run = guarded(
        store,
        "backfill",
        || backfill(store, &client, &spec, log_progress),
        backfill_outcome,
        |r| serde_json::to_string(r).unwrap_or_default(),
    )
    .await?;
    Ok(report_backfill(run, json))
}

/// `papers crawl --backfill --category C --from D`: the API's search.
pub async fn backfill_category(
    store: &Store,
    config: &Config,
    spec: SearchSpec,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let client = ArxivClient::new(config.crawler.clone())?;
    let run = guarded(
        store,
        "backfill",
        || search_backfill(store, &client, &spec, log_progress),
        backfill_outcome,
        |r| serde_json::to_string(r).unwrap_or_default(),
    )
    .await?;
    Ok(report_backfill(run, json))
}

fn log_progress(r: &BackfillReport) {
    tracing::info!(
        pages = r.pages,
        records = r.records,
        of = r.complete_list_size,
        "backfill progress"
    );
}

fn report_backfill(run: Guarded<BackfillReport>, json: bool) -> ExitCode {
    let Guarded::Ran(report) = run else {
        return busy(json);
    };
    let outcome = backfill_outcome(&report);
    if json {
        println!("{}", with_outcome(&report, outcome));
    } else {
        println!(
            "backfill {}: {} pages, {} records{}, {} new, {} updated, {} unchanged, {} skipped, \
             {} duplicates{}",
            outcome.as_str(),
            report.pages,
            report.records,
            report
                .complete_list_size
                .map_or_else(String::new, |n| format!(" of {n}")),
            report.new,
            report.updated,
            report.unchanged,
            report.skipped,
            report.duplicates,
            if report.finished {
                ", finished"
            } else {
                "; run again to resume"
            }
        );
        for error in &report.errors {
            eprintln!("error: {error}");
        }
    }
    ExitCode::from(outcome.exit_code() as u8)
}

fn backfill_outcome(report: &BackfillReport) -> Outcome {
    match (report.errors.is_empty(), report.records > 0) {
        (true, _) => Outcome::Ok,
        (false, true) => Outcome::Partial,
        (false, false) => Outcome::Failed,
    }
}

/// Another run holds the lease: not an error for cron, which will simply try again later.
fn busy(json: bool) -> ExitCode {
    if json {
        println!(r#"{{"outcome":"busy"}}"#);
    } else {
        println!("crawl skipped: another crawl is in progress");
    }
    ExitCode::SUCCESS
}

fn with_outcome(report: &impl serde::Serialize, outcome: Outcome) -> String {
    let mut value = serde_json::to_value(report).unwrap_or_default();
    if let Some(object) = value.as_object_mut() {
        object.insert("outcome".into(), outcome.as_str().into());
    }
    value.to_string()
}
