//! Search quality and speed on a corpus, for `bench/search.sh`:
//!
//! ```text
//! cargo bench --bench search -- CORPUS.jsonl.gz QUERIES.jsonl
//! ```
//!
//! Imports the corpus into a fresh SQLite store, builds the index from scratch (timed), trains LSA
//! and embeds every paper (timed), then runs two known-item query sets: every 150th paper's exact
//! title, and QUERIES (`{"id", "query"}` per line: papers as a person remembers them), through
//! each ranker: BM25 alone, the vectors alone, and hybrid with each fusion. Prints one JSON object
//! per line: the builds, then per set and ranker MRR@10, Recall@10, and the in-process latency
//! p50/p99 (passes two and three; the first pass measures quality and warms the caches).

use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

use papers_indexer::{
    Fusion, SearchIndex, SearchOptions, Semantic, VectorStore, semantic, vector_store,
};

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

    // The default embedder: LSA trained on the corpus, every paper embedded, vectors exported.
    let started = Instant::now();
    let (lsa, _) = runtime
        .block_on(semantic::lsa_model(
            &store,
            &work.path().join("lsa.bin"),
            true,
            |_| {},
        ))
        .expect("train LSA");
    let trained = started.elapsed().as_secs_f64();
    let report = runtime
        .block_on(semantic::update_vectors(
            &store,
            &lsa,
            &work.path().join("index"),
            |_| {},
        ))
        .expect("embed the corpus");
    let embed_secs = started.elapsed().as_secs_f64();
    println!(
        "{{\"build\":\"+ lsa (train {trained:.1} s, embed and store the rest)\",\"papers\":{},\"seconds\":{embed_secs:.2},\"papers_per_s\":{:.0}}}",
        report.vectors,
        report.vectors as f64 / embed_secs
    );
    let vectors = VectorStore::load(
        &vector_store::path_for(&work.path().join("index"), lsa.name()),
        lsa.name(),
    )
    .expect("read the vectors")
    .expect("the vectors file");

    let rankers: Vec<(String, Option<Fusion>)> = [
        ("bm25".to_string(), None),
        ("lsa vectors".to_string(), None),
    ]
    .into_iter()
    .chain(
        [
            Fusion::Rrf,
            Fusion::WeightedSum(0.3),
            Fusion::WeightedSum(0.5),
            Fusion::WeightedSum(0.7),
        ]
        .into_iter()
        .map(|f| (format!("bm25+lsa {}", f.label()), Some(f))),
    )
    .collect();
    for (name, set) in [("titles", &titles), ("remembered", &remembered)] {
        for (ranker, fusion) in &rankers {
            let run = |query: &str| -> Vec<String> {
                if ranker == "lsa vectors" {
                    let text = papers_indexer::query::embedding_text(query).unwrap_or_default();
                    return vectors
                        .nearest(&lsa.embed(&text), 10, None)
                        .into_iter()
                        .map(|(id, _)| id.to_string())
                        .collect();
                }
                let semantic = fusion.and_then(|fusion| {
                    Some(Semantic {
                        vectors: &vectors,
                        query: lsa.embed(&papers_indexer::query::embedding_text(query)?),
                        fusion,
                    })
                });
                match index.search_with(query, &SearchOptions::default(), semantic.as_ref()) {
                    Ok(results) => results.hits.into_iter().map(|h| h.id).collect(),
                    Err(error) => {
                        eprintln!("{name}: {query:?}: {error}");
                        Vec::new()
                    }
                }
            };
            report_set(name, ranker, set, run);
        }
    }
}

/// Known-item quality (first pass) and latency (two more passes) of one ranker on one set.
fn report_set(
    name: &str,
    ranker: &str,
    set: &[(String, String)],
    run: impl Fn(&str) -> Vec<String>,
) {
    let mut reciprocal = 0.0;
    let mut found = 0;
    let mut times: Vec<Duration> = Vec::new();
    for pass in 0..3 {
        for (id, query) in set {
            let started = Instant::now();
            let hits = run(query);
            let took = started.elapsed();
            if pass > 0 {
                times.push(took);
                continue;
            }
            if let Some(rank) = hits.iter().take(10).position(|h| h == id) {
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
        "{{\"set\":\"{name}\",\"ranker\":\"{ranker}\",\"queries\":{},\"mrr_at_10\":{:.3},\"recall_at_10\":{:.3},\"p50_ms\":{:.2},\"p99_ms\":{:.2}}}",
        set.len(),
        reciprocal / set.len() as f64,
        found as f64 / set.len() as f64,
        pct(0.50),
        pct(0.99)
    );
}

fn corpus_lines(path: &str) -> impl Iterator<Item = serde_json::Value> {
    let file = std::fs::File::open(path).expect("the corpus");
    BufReader::new(flate2::read::GzDecoder::new(file))
        .lines()
        .map(|line| {
            serde_json::from_str(&line.expect("a corpus line")).expect("a JSON corpus line")
        })
}
