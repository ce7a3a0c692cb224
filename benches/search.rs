//! Search quality and speed on a corpus, for `bench/search.sh`:
//!
//! ```text
//! cargo bench --bench search -- CORPUS.jsonl.gz QUERIES.jsonl
//! ```
//!
//! Imports the corpus into a fresh SQLite store, builds the index from scratch (timed), then runs
//! two known-item query sets: every 150th paper's exact title, and QUERIES (`{"id", "query"}` per
//! line: papers as a person remembers them). Prints one JSON object per line: the build, then
//! per set MRR@10, Recall@10, and the in-process latency p50/p99 over all queries (three passes,
//! the first one discarded as warm-up).

use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

use papers_indexer::{SearchIndex, SearchOptions};

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let [corpus, queries] = args.as_slice() else {
        eprintln!("usage: search CORPUS.jsonl.gz QUERIES.jsonl");
        std::process::exit(2);
    };
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let work = tempfile::tempdir().expect("a temp dir");
    let url = format!("sqlite:{}", work.path().join("papers.db").display());
    let store = runtime.block_on(async {
        let store = papers_core::Store::connect(&url)
            .await
            .expect("open SQLite");
        store.migrate().await.expect("migrate");
        let file = std::fs::File::open(corpus).unwrap_or_else(|e| panic!("{corpus}: {e}"));
        let report =
            papers_crawler::import_jsonl(&store, flate2::read::GzDecoder::new(file), |_, _: &_| {})
                .await
                .expect("import the corpus");
        eprintln!("imported {} papers", report.new);
        store
    });

    let index = SearchIndex::open(&work.path().join("index")).expect("open the index");
    let started = Instant::now();
    let built = runtime
        .block_on(index.sync(&store, true, |_| {}))
        .expect("build the index");
    let build_secs = started.elapsed().as_secs_f64();
    println!(
        "{{\"build\":\"bm25\",\"papers\":{},\"seconds\":{build_secs:.2},\"papers_per_s\":{:.0}}}",
        built.documents,
        built.documents as f64 / build_secs
    );

    let titles: Vec<(String, String)> = corpus_lines(corpus)
        .enumerate()
        .filter(|(i, _)| i % 150 == 0)
        .map(|(_, v)| {
            (
                v["id"].as_str().unwrap().to_string(),
                v["title"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let remembered: Vec<(String, String)> =
        BufReader::new(std::fs::File::open(queries).expect("the query file"))
            .lines()
            .map(|line| {
                let v: serde_json::Value =
                    serde_json::from_str(&line.unwrap()).expect("a JSON query line");
                (
                    v["id"].as_str().unwrap().to_string(),
                    v["query"].as_str().unwrap().to_string(),
                )
            })
            .collect();

    for (name, set) in [("titles", &titles), ("remembered", &remembered)] {
        let mut reciprocal = 0.0;
        let mut found = 0;
        let mut times: Vec<Duration> = Vec::new();
        for pass in 0..3 {
            for (id, query) in set.iter() {
                let started = Instant::now();
                let results = index.search(query, &SearchOptions::default());
                let took = started.elapsed();
                if pass > 0 {
                    times.push(took);
                    continue;
                }
                let hits = match results {
                    Ok(results) => results.hits,
                    Err(error) => {
                        eprintln!("{name}: {query:?}: {error}");
                        Vec::new()
                    }
                };
                if let Some(rank) = hits.iter().position(|h| &h.id == id) {
                    reciprocal += 1.0 / (rank + 1) as f64;
                    found += 1;
                }
            }
        }
        times.sort();
        let pct = |p: f64| {
            times[((times.len() as f64 * p) as usize).min(times.len() - 1)].as_secs_f64() * 1e3
        };
        println!(
            "{{\"set\":\"{name}\",\"ranker\":\"bm25\",\"queries\":{},\"mrr_at_10\":{:.3},\"recall_at_10\":{:.3},\"p50_ms\":{:.2},\"p99_ms\":{:.2}}}",
            set.len(),
            reciprocal / set.len() as f64,
            found as f64 / set.len() as f64,
            pct(0.50),
            pct(0.99)
        );
    }
}

fn corpus_lines(path: &str) -> impl Iterator<Item = serde_json::Value> {
    let file = std::fs::File::open(path).expect("the corpus");
    BufReader::new(flate2::read::GzDecoder::new(file))
        .lines()
        .map(|line| {
            serde_json::from_str(&line.expect("a corpus line")).expect("a JSON corpus line")
        })
}
