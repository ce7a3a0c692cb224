//! Search quality and speed on a corpus, for `bench/search.sh`:
//!
//! ```text
//! cargo bench --bench search -- CORPUS.jsonl.gz QUERIES.jsonl
//! ```
//!
//! Imports the corpus into a fresh SQLite store, builds the index from scratch (timed), trains LSA
//! and embeds every paper (timed; MiniLM too when `PAPERS_MINILM_DIR` names its files), then runs two known-item query sets: every 150th paper's exact
//! title, and QUERIES (`{"id", "query"}` per line: papers as a person remembers them), through
//! each ranker: BM25 alone, each embedder's vectors alone, and hybrid with each fusion. Prints one JSON object
//! per line: the builds, then per set and ranker MRR@10, Recall@10, and the in-process latency
//! p50/p99 (passes two and three; the first pass measures quality and warms the caches).

use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

use papers_indexer::embed::minilm::MiniLm;
use papers_indexer::embed::{AnyEmbedder, Embedder};
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
    let mut embedders = vec![("lsa", AnyEmbedder::Lsa(lsa))];
    // MiniLM too when its files are there (scripts/fetch-minilm.sh DIR; PAPERS_MINILM_DIR=DIR).
    if let Some(dir) = std::env::var_os("PAPERS_MINILM_DIR") {
        let minilm = MiniLm::load(std::path::Path::new(&dir)).expect("load MiniLM");
        embedders.push(("minilm", AnyEmbedder::MiniLm(Box::new(minilm))));
    }
    let index_dir = work.path().join("index");
    for (label, embedder) in &embedders {
        let started = Instant::now();
        let total = built.documents;
        let mut last = Instant::now();
        let report = runtime
            .block_on(semantic::update_vectors(
                &store,
                embedder,
                &index_dir,
                |n| {
                    if last.elapsed().as_secs() >= 30 {
                        let rate = n as f64 / started.elapsed().as_secs_f64();
                        eprintln!("{label}: {n} of {total} embedded, {rate:.0}/s");
                        last = Instant::now();
                    }
                },
            ))
            .expect("embed the corpus");
        let mut seconds = started.elapsed().as_secs_f64();
        let what = if *label == "lsa" {
            seconds += trained;
            format!("+ lsa (train {trained:.1} s, then embed and store)")
        } else {
            format!("+ {label} (embed and store)")
        };
        println!(
            "{{\"build\":\"{what}\",\"papers\":{},\"seconds\":{seconds:.2},\"papers_per_s\":{:.0}}}",
            report.vectors,
            report.vectors as f64 / seconds
        );
    }
    let loaded: Vec<(&str, &AnyEmbedder, VectorStore)> = embedders
        .iter()
        .map(|(label, embedder)| {
            let path = vector_store::path_for(&index_dir, embedder.name());
            let vectors = VectorStore::load(&path, embedder.name())
                .expect("read the vectors")
                .expect("the vectors file");
            (*label, embedder, vectors)
        })
        .collect();
    // int8 scan + f32 rescoring against the exact f32 scan, on real vectors: the titles' own
    // embeddings as queries.
    for (label, embedder, vectors) in &loaded {
        let queries: Vec<Vec<f32>> = titles
            .iter()
            .filter_map(|(_, title)| {
                runtime
                    .block_on(embedder.embed(&[title.as_str()]))
                    .ok()?
                    .pop()
            })
            .collect();
        let (mut agree, mut approx_time, mut exact_time) = (0usize, Duration::ZERO, Duration::ZERO);
        for query in &queries {
            let started = Instant::now();
            let approx = vectors.nearest(query, 10, None);
            approx_time += started.elapsed();
            let started = Instant::now();
            let exact = vectors.nearest_exact(query, 10);
            exact_time += started.elapsed();
            agree += exact
                .iter()
                .filter(|(id, _)| approx.iter().any(|(other, _)| other == id))
                .count();
        }
        let n = queries.len().max(1) as f64;
        println!(
            "{{\"scan\":\"{label}\",\"rows\":{},\"dim\":{},\"queries\":{},\"int8_rescored_recall_at_10\":{:.3},\"int8_rescored_ms\":{:.2},\"f32_exact_ms\":{:.2}}}",
            vectors.len(),
            vectors.dim(),
            queries.len(),
            agree as f64 / (10.0 * n),
            approx_time.as_secs_f64() * 1e3 / n,
            exact_time.as_secs_f64() * 1e3 / n
        );
    }
    let fusions = [
        Fusion::Rrf,
        Fusion::WeightedSum(0.3),
        Fusion::WeightedSum(0.5),
        Fusion::WeightedSum(0.7),
    ];

    for (name, set) in [("titles", &titles), ("remembered", &remembered)] {
        let search = |query: &str, semantic: Option<&Semantic>| -> Vec<String> {
            match index.search_with(query, &SearchOptions::default(), semantic) {
                Ok(results) => results.hits.into_iter().map(|h| h.id).collect(),
                Err(error) => {
                    eprintln!("{name}: {query:?}: {error}");
                    Vec::new()
                }
            }
        };
        report_set(name, "bm25", set, |query| search(query, None));
        for (label, embedder, vectors) in &loaded {
            // The query's embedding is part of each measured search.
            let embed = |query: &str| -> Option<Vec<f32>> {
                let text = papers_indexer::query::embedding_text(query)?;
                runtime
                    .block_on(embedder.embed(&[text.as_str()]))
                    .expect("embed a query")
                    .pop()
            };
            report_set(name, &format!("{label} vectors"), set, |query| {
                let Some(vector) = embed(query) else {
                    return Vec::new();
                };
                vectors
                    .nearest(&vector, 10, None)
                    .into_iter()
                    .map(|(id, _)| id.to_string())
                    .collect()
            });
            for fusion in fusions {
                report_set(
                    name,
                    &format!("bm25+{label} {}", fusion.label()),
                    set,
                    |query| {
                        let semantic = embed(query).map(|query| Semantic {
                            vectors,
                            query,
                            fusion,
                        });
                        search(query, semantic.as_ref())
                    },
                );
            }
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
    let mut first = 0;
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
                first += usize::from(rank == 0);
            }
        }
    }
    times.sort();
    let pct = |p: f64| {
        times[((times.len() as f64 * p) as usize).min(times.len() - 1)].as_secs_f64() * 1e3
    };
    println!(
        "{{\"set\":\"{name}\",\"ranker\":\"{ranker}\",\"queries\":{},\"mrr_at_10\":{:.3},\"recall_at_10\":{:.3},\"first\":{:.3},\"p50_ms\":{:.2},\"p99_ms\":{:.2}}}",
        set.len(),
        reciprocal / set.len() as f64,
        found as f64 / set.len() as f64,
        first as f64 / set.len() as f64,
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
