//! The OpenAI-compatible embedder against a local server speaking the API's shapes: batches,
//! the key sent as a bearer token, a 429 retried, a dead or broken service reported clearly
//! without losing the vectors already stored, and search falling back to full text.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use chrono::NaiveDate;
use papers_core::{
    ArxivId, Category, Config, EmbedderChoice, EmbeddingService, Paper, Secret, Store,
};
use papers_indexer::SearchIndex;
use papers_indexer::embed::Embedder;
use papers_indexer::embed::api::ApiEmbedder;
use papers_indexer::semantic::{self, Meaning};

#[derive(Default)]
struct Seen {
    /// Inputs per request.
    batches: Vec<usize>,
    bearer: Vec<Option<String>>,
    /// Answer the next request with 429 first.
    throttle_once: bool,
    /// Answer with something that is not an embeddings response.
    broken: bool,
}

type Shared = Arc<Mutex<Seen>>;

/// A bag of hashed words in 32 dimensions: texts sharing words get similar vectors.
fn embedding(text: &str) -> Vec<f32> {
    let mut v = vec![0f32; 32];
    for word in text
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 2)
    {
        let h = word
            .bytes()
            .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
        v[(h % 32) as usize] += 1.0;
    }
    v
}

async fn embeddings(
    State(seen): State<Shared>,
    headers: HeaderMap,
    Json(body): Json<serde_json::Value>,
) -> Response {
    let mut s = seen.lock().unwrap();
    s.bearer.push(
        headers
            .get("authorization")
            .map(|v| v.to_str().unwrap().to_string()),
    );
    if std::mem::take(&mut s.throttle_once) {
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", "0")],
            "slow down",
        )
            .into_response();
    }
    if s.broken {
        return Json(serde_json::json!({"object": "list", "data": [{"index": 0}]})).into_response();
    }
    let inputs = body["input"].as_array().unwrap();
    assert_eq!(body["model"], "test-embedder");
    s.batches.push(inputs.len());
    // Out of order on purpose: the index says which input each belongs to.
    let data: Vec<_> = inputs
        .iter()
        .enumerate()
        .rev()
        .map(|(i, text)| serde_json::json!({"object": "embedding", "index": i, "embedding": embedding(text.as_str().unwrap())}))
        .collect();
    Json(serde_json::json!({"object": "list", "data": data, "model": "test-embedder"}))
        .into_response()
}

async fn serve(seen: Shared) -> SocketAddr {
    let app = axum::Router::new()
        .route("/v1/embeddings", post(embeddings))
        .with_state(seen);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

fn paper(i: usize, title: &str) -> Paper {
    Paper {
        id: ArxivId::parse(&format!("2606.{i:05}")).unwrap(),
        version: 1,
        title: title.into(),
        authors: vec!["Ada Lovelace".into()],
        abstract_text: format!("{title}. We study it in depth."),
        categories: vec![Category::parse("cs.LG").unwrap()],
        comment: None,
        journal_ref: None,
        doi: None,
        published: None,
        updated: None,
        announced: NaiveDate::from_ymd_opt(2026, 6, 1 + (i % 28) as u32),
    }
    .normalized()
    .unwrap()
}

/// An empty SQLite Store in a temporary data dir.
async fn fresh_store() -> (tempfile::TempDir, Store) {
    let data = tempfile::tempdir().unwrap();
    let store = Store::connect(&format!("sqlite:{}", data.path().join("p.db").display()))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    (data, store)
}

fn service(addr: SocketAddr) -> EmbeddingService {
    EmbeddingService {
        url: format!("http://{addr}/v1"),
        model: "test-embedder".into(),
        api_key: Some(Secret::new("sk-test")),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn papers_are_embedded_by_the_service_in_batches_once() {
    let seen: Shared = Arc::default();
    seen.lock().unwrap().throttle_once = true;
    let addr = serve(seen.clone()).await;
    let (data, store) = fresh_store().await;
    let titles = [
        "Low-rank adapters for language models",
        "Diffusion models for images",
        "Sparse attention kernels",
    ];
    let papers: Vec<Paper> = (0..150).map(|i| paper(i, titles[i % 3])).collect();
    store.upsert(papers).await.unwrap();
    let index_dir = data.path().join("index");

    let embedder = ApiEmbedder::new(&service(addr), false).unwrap();
    assert_eq!(embedder.name(), "api-test-embedder");
    let report = semantic::update_vectors(&store, &embedder, &index_dir, |_| {})
        .await
        .unwrap();
    assert_eq!((report.embedded, report.vectors), (150, 150));
    {
        let s = seen.lock().unwrap();
        assert!(s.batches.iter().all(|&n| n <= 64), "{:?}", s.batches);
        assert_eq!(
            s.batches.iter().sum::<usize>(),
            150,
            "the throttled request was sent again"
        );
        assert!(
            s.bearer
                .iter()
                .all(|b| b.as_deref() == Some("Bearer sk-test"))
        );
    }
    let before = seen.lock().unwrap().bearer.len();
    let again = semantic::update_vectors(&store, &embedder, &index_dir, |_| {})
        .await
        .unwrap();
    assert_eq!(again.embedded, 0);
    assert_eq!(
        seen.lock().unwrap().bearer.len(),
        before,
        "nothing asked twice"
    );

    // Search through the service: a query about low-rank adapters finds those papers.
    let index = SearchIndex::open(&index_dir).unwrap();
    index.sync(&store, false, |_| {}).await.unwrap();
    let config = Config {
        data_dir: data.path().to_path_buf(),
        search: papers_core::SearchConfig {
            embedder: EmbedderChoice::Api,
            service: service(addr),
            minilm_dir: None,
        },
        ..Config::default()
    };
    let meaning = Meaning::load(&config, &index_dir).unwrap().unwrap();
    let semantic = meaning.for_query("adapters of low rank").await.unwrap();
    let results = index
        .search_with("adapters of low rank", &Default::default(), Some(&semantic))
        .unwrap();
    assert!(
        results.hits.iter().all(|h| h.title.starts_with("Low-rank")),
        "{:?}",
        results.hits
    );
    let related = meaning.related("2606.00003", 5).unwrap();
    assert!(related.iter().all(|(id, _)| id != "2606.00003"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dead_or_broken_service_is_reported_and_loses_nothing() {
    let seen: Shared = Arc::default();
    let addr = serve(seen.clone()).await;
    let (data, store) = fresh_store().await;
    store
        .upsert(
            (0..10)
                .map(|i| paper(i, "Sparse attention kernels"))
                .collect(),
        )
        .await
        .unwrap();
    let index_dir = data.path().join("index");
    let embedder = ApiEmbedder::new(&service(addr), false).unwrap();
    semantic::update_vectors(&store, &embedder, &index_dir, |_| {})
        .await
        .unwrap();
    store
        .upsert(vec![paper(10, "Diffusion models for images")])
        .await
        .unwrap();

    // Broken answers: a clear error, the ten stored vectors kept.
    seen.lock().unwrap().broken = true;
    let error = semantic::update_vectors(&store, &embedder, &index_dir, |_| {})
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("not an embeddings response"), "{error}");
    assert_eq!(
        store
            .embeddings("api-test-embedder", "", 100)
            .await
            .unwrap()
            .len(),
        10
    );

    // A dead endpoint (nothing listens there any more): the error names it.
    let dead = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let mut gone = service(dead);
    gone.api_key = None;
    let interactive = ApiEmbedder::new(&gone, true).unwrap();
    let error = interactive
        .embed(&["anything"])
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.contains(&dead.to_string()) && error.contains("cannot connect"),
        "{error}"
    );
    assert!(!error.contains("sk-test"), "the key is never in a message");

    // A search whose query cannot be embedded ranks by full text alone.
    let config = Config {
        data_dir: data.path().to_path_buf(),
        search: papers_core::SearchConfig {
            embedder: EmbedderChoice::Api,
            service: gone,
            minilm_dir: None,
        },
        ..Config::default()
    };
    // The vectors file was written under the service's name, so it loads.
    let meaning = Meaning::load(&config, &index_dir).unwrap().unwrap();
    assert!(meaning.for_query("sparse attention").await.is_none());
}
