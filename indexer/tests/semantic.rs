//! Meaning in search, as a reader meets it: LSA trained on the bundled sample of real papers,
//! vectors kept in the Store and exported, related papers, and hybrid ranking that still honours
//! every filter and exclusion of the query.

use papers_core::{Paper, Store};
use papers_indexer::embed::lsa::Lsa;
use papers_indexer::semantic::{self, Meaning};
use papers_indexer::{Fusion, SearchIndex, SearchOptions, Semantic, VectorStore, vector_store};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../demo/arxiv-sample.jsonl.gz");

struct World {
    store: Store,
    data: tempfile::TempDir,
    index: SearchIndex,
    papers: Vec<Paper>,
}

impl World {
    fn index_dir(&self) -> std::path::PathBuf {
        self.data.path().join("index")
    }

    /// What `papers index` leaves for searching: the trained model, every paper embedded and
    /// exported, loaded as a search would (the model is loaded twice: one copy to embed queries in
    /// the test, one inside `Meaning`).
    async fn meaning(&self) -> (Lsa, Meaning) {
        let path = semantic::lsa_path(self.data.path());
        let (lsa, _) = semantic::lsa_model(&self.store, &path, false, |_| {})
            .await
            .unwrap();
        semantic::update_vectors(&self.store, &lsa, &self.index_dir(), |_| {})
            .await
            .unwrap();
        let meaning = Meaning::load(&self.config(), &self.index_dir())
            .unwrap()
            .unwrap();
        (lsa, meaning)
    }

    fn config(&self) -> papers_core::Config {
        papers_core::Config {
            data_dir: self.data.path().to_path_buf(),
            ..papers_core::Config::default()
        }
    }
}

async fn world() -> World {
    let data = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", data.path().join("papers.db").display());
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let file = std::fs::File::open(SAMPLE).unwrap();
    papers_crawler::import_jsonl(&store, flate2::read::GzDecoder::new(file), |_, _: &_| {})
        .await
        .unwrap();
    let index = SearchIndex::open(&data.path().join("index")).unwrap();
    index.sync(&store, false, |_| {}).await.unwrap();
    let mut papers = Vec::new();
    let mut mark = None;
    loop {
        let page = store.changed_since(mark.as_ref(), 1000).await.unwrap();
        let Some(last) = page.last() else { break };
        mark = Some(papers_core::store::Watermark::of(last));
        papers.extend(page.into_iter().map(|c| c.paper));
    }
    World {
        store,
        data,
        index,
        papers,
    }
}

/// Every 25th paper of the sample: ~100 papers spread over its days and categories.
fn sampled(papers: &[Paper]) -> impl Iterator<Item = &Paper> {
    papers.iter().step_by(25)
}

#[tokio::test(flavor = "multi_thread")]
async fn lsa_is_trained_once_saved_and_finds_papers_by_their_words() {
    let w = world().await;
    let path = semantic::lsa_path(w.data.path());
    let (lsa, trained) = semantic::lsa_model(&w.store, &path, false, |_| {})
        .await
        .unwrap();
    assert!(trained);
    assert!(lsa.name().starts_with("lsa256-"), "{}", lsa.name());
    assert_eq!(lsa.dim(), 256);

    // Saved: the next run loads the same model (same name, same vectors) instead of training.
    let (again, trained) = semantic::lsa_model(&w.store, &path, false, |_| {})
        .await
        .unwrap();
    assert!(!trained);
    assert_eq!(again.name(), lsa.name());
    let text = "low-rank adapters for fine-tuning language models";
    assert_eq!(again.embed(text), lsa.embed(text));
    let norm: f32 = lsa.embed(text).iter().map(|x| x * x).sum();
    assert!((norm - 1.0).abs() < 1e-4, "unit vectors: {norm}");
    assert!(
        lsa.embed("qwxz zzyq").iter().all(|x| *x == 0.0),
        "no known word, no direction"
    );

    // Deterministic: training again on the same papers gives the same model.
    let (retrained, _) = semantic::lsa_model(&w.store, &path, true, |_| {})
        .await
        .unwrap();
    assert_eq!(retrained.name(), lsa.name());

    // A paper's title finds the paper among its ten nearest vectors, most of the time.
    let report = semantic::update_vectors(&w.store, &lsa, &w.index_dir(), |_| {})
        .await
        .unwrap();
    assert_eq!(report.embedded, w.papers.len() as u64);
    let vectors = VectorStore::load(
        &vector_store::path_for(&w.index_dir(), lsa.name()),
        lsa.name(),
    )
    .unwrap()
    .unwrap();
    assert_eq!(vectors.len(), w.papers.len());
    let (mut found, mut asked) = (0, 0);
    for paper in sampled(&w.papers) {
        asked += 1;
        let nearest = vectors.nearest(&lsa.embed(&paper.title), 10, None);
        if nearest.iter().any(|(id, _)| *id == paper.id.as_str()) {
            found += 1;
        }
    }
    assert!(
        found * 10 >= asked * 8,
        "titles found by meaning: {found} of {asked}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn vectors_are_computed_once_and_a_broken_model_file_is_reported() {
    let w = world().await;
    let path = semantic::lsa_path(w.data.path());
    let (lsa, _) = semantic::lsa_model(&w.store, &path, false, |_| {})
        .await
        .unwrap();
    let first = semantic::update_vectors(&w.store, &lsa, &w.index_dir(), |_| {})
        .await
        .unwrap();
    assert_eq!(first.embedded, w.papers.len() as u64);
    // A rebuild of the full-text index and another run recompute nothing.
    w.index.sync(&w.store, true, |_| {}).await.unwrap();
    let second = semantic::update_vectors(&w.store, &lsa, &w.index_dir(), |_| {})
        .await
        .unwrap();
    assert_eq!(second.embedded, 0);
    assert_eq!(second.vectors, w.papers.len());

    // A new version of a paper is embedded again, alone.
    let mut revised = w.papers[7].clone();
    revised.version += 1;
    revised
        .abstract_text
        .push_str(" We add experiments on diffusion models.");
    w.store.upsert(vec![revised]).await.unwrap();
    // An earlier LSA model's file goes with the next export; another embedder's stays.
    let vectors_dir = w.index_dir().join("vectors");
    std::fs::write(vectors_dir.join("lsa256-000000000000.bin"), b"old").unwrap();
    std::fs::write(vectors_dir.join("minilm-l6-v2.bin"), b"other").unwrap();
    let third = semantic::update_vectors(&w.store, &lsa, &w.index_dir(), |_| {})
        .await
        .unwrap();
    assert_eq!(third.embedded, 1);
    assert!(!vectors_dir.join("lsa256-000000000000.bin").exists());
    assert!(vectors_dir.join("minilm-l6-v2.bin").exists());
    assert!(vector_store::path_for(&w.index_dir(), lsa.name()).exists());

    // A truncated model file is an error that says what to do, not a panic or a silent retrain.
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let error = match Lsa::load(&path) {
        Err(error) => error.to_string(),
        Ok(_) => panic!("a truncated model loaded"),
    };
    assert!(
        error.contains("truncated") && error.contains("--retrain"),
        "{error}"
    );
    // So is a truncated vectors file.
    let vectors_path = vector_store::path_for(&w.index_dir(), lsa.name());
    let bytes = std::fs::read(&vectors_path).unwrap();
    std::fs::write(&vectors_path, &bytes[..bytes.len() - 10]).unwrap();
    let error = VectorStore::load(&vectors_path, lsa.name())
        .err()
        .unwrap()
        .to_string();
    assert!(error.contains("papers index"), "{error}");
}

#[tokio::test(flavor = "multi_thread")]
async fn vectors_a_killed_run_stored_but_never_exported_are_exported_by_the_next() {
    use std::os::unix::fs::MetadataExt;
    let w = world().await;
    let path = semantic::lsa_path(w.data.path());
    let (lsa, _) = semantic::lsa_model(&w.store, &path, false, |_| {})
        .await
        .unwrap();
    semantic::update_vectors(&w.store, &lsa, &w.index_dir(), |_| {})
        .await
        .unwrap();
    let file = vector_store::path_for(&w.index_dir(), lsa.name());
    let inode = std::fs::metadata(&file).unwrap().ino();
    // Nothing changed: the file is left as it is.
    semantic::update_vectors(&w.store, &lsa, &w.index_dir(), |_| {})
        .await
        .unwrap();
    assert_eq!(
        std::fs::metadata(&file).unwrap().ino(),
        inode,
        "not rewritten"
    );

    // A new paper, embedded into the Store by a run that was killed before its export (or by
    // another server sharing the database).
    let mut new = w.papers[3].clone();
    new.id = papers_core::ArxivId::parse("2607.00001").unwrap();
    w.store.upsert(vec![new]).await.unwrap();
    let embedded = semantic::embed_missing(&w.store, &lsa, |_| {})
        .await
        .unwrap();
    assert_eq!(embedded, 1);

    let next = semantic::update_vectors(&w.store, &lsa, &w.index_dir(), |_| {})
        .await
        .unwrap();
    assert_eq!(next.embedded, 0, "nothing left to embed");
    let exported = VectorStore::load(&file, lsa.name()).unwrap().unwrap();
    assert!(
        exported.vector("2607.00001").is_some(),
        "the file searches load has the new paper's vector"
    );
    assert_eq!(exported.len(), w.papers.len() + 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn related_papers_read_as_related() {
    let w = world().await;
    let (_, meaning) = w.meaning().await;
    let by_id: std::collections::HashMap<&str, &Paper> =
        w.papers.iter().map(|p| (p.id.as_str(), p)).collect();

    let (mut sharing, mut asked) = (0, 0);
    for paper in sampled(&w.papers) {
        let related = meaning.related(paper.id.as_str(), 10).unwrap();
        assert_eq!(related.len(), 10);
        assert!(
            related.iter().all(|(id, _)| id != paper.id.as_str()),
            "never itself"
        );
        assert!(related.windows(2).all(|w| w[0].1 >= w[1].1), "best first");
        // The nearest paper shares a category with it (the sample spans many).
        asked += 1;
        let nearest = by_id[related[0].0.as_str()];
        if nearest
            .categories
            .iter()
            .any(|c| paper.categories.contains(c))
        {
            sharing += 1;
        }
    }
    assert!(
        sharing * 10 >= asked * 7,
        "nearest shares a category: {sharing} of {asked}"
    );
    // Cached: the same list object comes back.
    let id = w.papers[0].id.as_str();
    let a = meaning.related(id, 10).unwrap();
    let b = meaning.related(id, 10).unwrap();
    assert!(std::sync::Arc::ptr_eq(&a, &b));
    assert!(meaning.related("2601.99999", 10).is_none(), "unknown paper");
}

#[tokio::test(flavor = "multi_thread")]
async fn hybrid_search_keeps_the_query_filters_and_pages_cleanly() {
    let w = world().await;
    let (lsa, meaning) = w.meaning().await;
    let options = |offset| SearchOptions {
        limit: 20,
        offset,
        ..SearchOptions::default()
    };
    for fusion in [Fusion::Rrf, Fusion::WeightedSum(0.5)] {
        let search = |query: &str, offset| {
            let semantic = Semantic {
                vectors: &meaning.vectors,
                query: lsa.embed(&papers_indexer::query::embedding_text(query).unwrap()),
                fusion,
            };
            assert_eq!(meaning.vectors.dim(), 256);
            w.index
                .search_with(query, &options(offset), Some(&semantic))
                .unwrap()
        };

        // Papers found by meaning alone are held to the category filter and the exclusion.
        let results = search(
            "fine-tuning language models with few parameters cat:cs.CV -lora",
            0,
        );
        assert_eq!(results.hits.len(), 20);
        for hit in &results.hits {
            assert!(
                hit.categories.iter().any(|c| c == "cs.CV"),
                "{fusion:?}: {hit:?}"
            );
            let paper = w.papers.iter().find(|p| p.id.as_str() == hit.id).unwrap();
            let text = format!("{} {}", paper.title, paper.abstract_text).to_lowercase();
            assert!(
                !text.contains("lora"),
                "{fusion:?}: excluded word in {}",
                hit.id
            );
        }
        // Pages do not overlap, and the count covers them.
        let next = search(
            "fine-tuning language models with few parameters cat:cs.CV -lora",
            20,
        );
        let first: std::collections::HashSet<_> = results.hits.iter().map(|h| &h.id).collect();
        assert!(
            next.hits.iter().all(|h| !first.contains(&h.id)),
            "{fusion:?}"
        );
        assert!(results.total >= 40);
        // Dates too.
        let dated = search("diffusion models for images after:2026-06-15", 0);
        assert!(!dated.hits.is_empty());
        for hit in &dated.hits {
            assert!(hit.date.unwrap() >= chrono::NaiveDate::from_ymd_opt(2026, 6, 15).unwrap());
        }
    }
}
