//! Parser throughput on one file, for `bench/parse.sh`:
//!
//! ```text
//! cargo bench -p papers-crawler --bench parse -- api|oai|feed FILE [ITERATIONS]
//! ```
//!
//! Parses the file ITERATIONS times (default 20) after one warm-up and prints one JSON object:
//! bytes, entries per parse, and the median seconds per parse with the MB/s and entries/s it
//! gives. The bytes are read once, so only parsing is timed, as for the Python baseline.

use std::time::{Duration, Instant};

use papers_crawler::arxiv::{api::parse_api, feed::parse_feed, oai::parse_oai};

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let (kind, path) = match args.as_slice() {
        [kind, path, ..] => (kind.as_str(), path.as_str()),
        _ => {
            eprintln!("usage: parse api|oai|feed FILE [ITERATIONS]");
            std::process::exit(2);
        }
    };
    let iterations: usize = args
        .get(2)
        .map_or(20, |n| n.parse().expect("ITERATIONS is a number"));
    let body = std::fs::read(path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    let parse = |body: &[u8]| -> usize {
        match kind {
            "api" => {
                let page = parse_api(body);
                assert!(
                    page.fatal.is_none(),
                    "{path} is not a complete API response"
                );
                page.entries.len()
            }
            "oai" => {
                let page = parse_oai(body);
                assert!(
                    page.fatal.is_none(),
                    "{path} is not a complete OAI-PMH response"
                );
                page.records.len()
            }
            "feed" => {
                let page = parse_feed(body);
                assert!(page.fatal.is_none(), "{path} is not a complete feed");
                page.entries.len()
            }
            other => panic!("unknown kind {other}: api, oai or feed"),
        }
    };

    let entries = parse(&body);
    let mut times: Vec<Duration> = (0..iterations)
        .map(|_| {
            let started = Instant::now();
            std::hint::black_box(parse(std::hint::black_box(&body)));
            started.elapsed()
        })
        .collect();
    times.sort();
    let median = times[times.len() / 2].as_secs_f64();
    println!(
        "{{\"parser\":\"papers\",\"kind\":\"{kind}\",\"bytes\":{},\"entries\":{entries},\"median_secs\":{median:.6},\"mb_per_s\":{:.2},\"entries_per_s\":{:.0}}}",
        body.len(),
        body.len() as f64 / 1e6 / median,
        entries as f64 / median
    );
}
