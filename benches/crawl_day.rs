//! One full day of 1,000 papers crawled end to end, for `bench/crawl-day.sh`: the release
//! `papers crawl` against the mock arXiv of the tests (feed, then the API in batches of 100,
//! then one upsert), compared in the same run with `papers import` of the same 1,000 papers as
//! JSON Lines, the floor of storing them. Prints Markdown rows.
//!
//! ```text
//! cargo bench --bench crawl_day [-- ROUNDS]
//! ```
//!
//! The politeness interval is 0 here, so the figure is the crawler's own cost; against arXiv a day
//! of 1,000 papers also waits 3 s between its 11 requests.

#[path = "../tests/support/mod.rs"]
mod support;

use std::io::Read;
use std::process::Command;
use std::time::{Duration, Instant};

use papers_core::Paper;
use support::mock_arxiv::MockArxiv;

const PAPERS: &str = env!("CARGO_BIN_EXE_papers");
const CATEGORIES: [&str; 5] = ["cs.AI", "cs.CL", "cs.CV", "cs.LG", "stat.ML"];
const DAY_SIZE: usize = 1000;

/// The first 1,000 papers of the bundled sample in the crawled categories, with their lines.
fn day_of_papers() -> Vec<(Paper, String)> {
    let file = std::fs::File::open(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/demo/arxiv-sample.jsonl.gz"
    ))
    .expect("the bundled demo sample");
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .expect("a readable sample");
    let day: Vec<(Paper, String)> = text
        .lines()
        .filter_map(|line| {
            Some((
                papers_crawler::jsonl::parse_line(line).ok()?.paper,
                line.to_string(),
            ))
        })
        .filter(|(p, _)| {
            p.categories
                .iter()
                .any(|c| CATEGORIES.contains(&c.as_str()))
        })
        .take(DAY_SIZE)
        .collect();
    assert_eq!(
        day.len(),
        DAY_SIZE,
        "the sample has enough papers in {CATEGORIES:?}"
    );
    day
}

/// Runs the command to the end; its time and its standard output.
fn timed(command: &mut Command) -> (Duration, String) {
    let started = Instant::now();
    let out = command.output().expect("papers runs");
    let took = started.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (took, String::from_utf8_lossy(&out.stdout).into_owned())
}

fn main() {
    let rounds: usize = std::env::args()
        .skip(1)
        .find(|a| a != "--bench")
        .map_or(3, |n| n.parse().expect("ROUNDS is a number"));
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let day = day_of_papers();
    let mock = runtime.block_on(MockArxiv::start());
    let listing = day
        .iter()
        .map(|(p, _)| {
            let primary = p
                .primary_category()
                .is_some_and(|c| CATEGORIES.contains(&c.as_str()));
            (p.clone(), if primary { "new" } else { "cross" })
        })
        .collect();
    let date = chrono::NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
    mock.set_listing(date, listing);
    mock.add_papers(day.iter().map(|(p, _)| p.clone()).collect());

    let work = tempfile::tempdir().expect("a temp dir");
    let jsonl = work.path().join("day.jsonl");
    let lines: Vec<&str> = day.iter().map(|(_, line)| line.as_str()).collect();
    std::fs::write(&jsonl, lines.join("\n") + "\n").expect("write the day as JSON Lines");

    let papers = |data: &str, args: &[&str]| {
        let mut command = Command::new(PAPERS);
        command
            .args(["--data-dir", data])
            .args(args)
            .env_remove("PAPERS_DATABASE_URL")
            .env_remove("PAPERS_CONFIG")
            .env("PAPERS_ARXIV_FEED_URL", mock.feed_url())
            .env("PAPERS_ARXIV_API_URL", mock.api_url())
            .env("PAPERS_ARXIV_MIN_INTERVAL_SECS", "0")
            .env("PAPERS_CATEGORIES", CATEGORIES.join(","))
            .env("PAPERS_LOG", "warn");
        command
    };

    println!(
        "| round | import of the same 1,000 papers (baseline) | crawl of the day | crawl / import |"
    );
    println!("|---|---:|---:|---:|");
    for round in 1..=rounds {
        let base = work.path().join(format!("import-{round}"));
        let (import, _) = timed(&mut papers(
            base.to_str().unwrap(),
            &["import", jsonl.to_str().unwrap()],
        ));
        let data = work.path().join(format!("crawl-{round}"));
        let requests_before = mock.requests().len();
        let (crawl, out) = timed(&mut papers(data.to_str().unwrap(), &["crawl", "--json"]));
        let requests = mock.requests().len() - requests_before;
        let report: serde_json::Value =
            serde_json::from_str(out.trim()).expect("the crawl's JSON report");
        assert_eq!(
            report["new"], DAY_SIZE as u64,
            "every paper of the day stored: {report}"
        );
        assert_eq!(
            report["completed"], DAY_SIZE as u64,
            "every paper completed by the API: {report}"
        );
        println!(
            "| {round} | {:.3} s | {:.3} s ({requests} requests) | {:.2}x |",
            import.as_secs_f64(),
            crawl.as_secs_f64(),
            crawl.as_secs_f64() / import.as_secs_f64()
        );
    }
}
