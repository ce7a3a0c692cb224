//! Keeping the vectors current, for `papers index`: train the LSA model when there is none,
//! embed the papers that have no vector from the current embedder (or one made from an older
//! version), then export all of that embedder's vectors to the file searches load.
//!
//! Vectors go into the Store as they are made, a batch per transaction: a run killed half-way
//! keeps what it made, and the next run embeds only the rest.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use papers_core::store::Embedding;
use papers_core::store::Watermark;
use papers_core::{Config, EmbedderChoice, Store};
use serde::Serialize;

use crate::embed::api::ApiEmbedder;
use crate::embed::lsa::{Lsa, LsaTrainer};
use crate::embed::minilm::MiniLm;
use crate::embed::{AnyEmbedder, EmbedError, Embedder, paper_text};
use crate::fusion::Fusion;
use crate::index::{IndexError, Semantic};
use crate::query;
use crate::vector_store::{self, VectorStore};

/// Papers embedded per batch (and per Store transaction).
const BATCH: u32 = 512;
/// Papers read per page while training.
const PAGE: u32 = 2_000;
/// How hybrid search fuses its two rankings for an embedder, chosen by measurement (BENCHMARKS.md,
/// Search): a weighted sum in both cases, since reciprocal rank fusion pushed exact titles down
/// (MRR@10 on titles 0.901 against 0.988 with LSA on the full corpus). LSA's vectors are weak
/// evidence (alone, MRR@10 0.36 on remembered queries), so BM25 keeps most of the weight; MiniLM's
/// are strong (0.89 alone on the subset), and an even split did best (0.954 against 0.932 at 0.7).
pub fn fusion_for(embedder: &AnyEmbedder) -> Fusion {
    match embedder {
        AnyEmbedder::Lsa(_) => Fusion::WeightedSum(0.7),
        AnyEmbedder::MiniLm(_) | AnyEmbedder::Api(_) => Fusion::WeightedSum(0.5),
    }
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct EmbedReport {
    pub embedder: String,
    /// Papers given a new vector in this run.
    pub embedded: u64,
    /// Vectors exported for searching.
    pub vectors: usize,
}

/// Trains an LSA model on every paper in the Store (a uniform sample beyond
/// [`crate::embed::lsa::MAX_TRAINING_DOCS`]); `progress` gets the papers read so far.
pub async fn train_lsa(store: &Store, mut progress: impl FnMut(usize)) -> Result<Lsa, IndexError> {
    let mut trainer = LsaTrainer::default();
    let mut mark: Option<Watermark> = None;
    loop {
        let page = store.changed_since(mark.as_ref(), PAGE).await?;
        let Some(last) = page.last() else { break };
        mark = Some(Watermark::of(last));
        for changed in &page {
            trainer.add(&paper_text(&changed.paper));
        }
        progress(trainer.seen());
    }
    // Fitting is seconds of CPU on every core: off the async runtime's threads.
    let lsa = tokio::task::spawn_blocking(move || trainer.train())
        .await
        .expect("the training thread does not panic")
        .map_err(EmbedError::from)?;
    Ok(lsa)
}

/// The LSA model saved at `path`, or a new one trained on the Store and saved there (also when
/// `retrain`, which then forgets the old model's vectors). Returns the model and whether it was
/// trained now.
pub async fn lsa_model(
    store: &Store,
    path: &Path,
    retrain: bool,
    progress: impl FnMut(usize),
) -> Result<(Lsa, bool), IndexError> {
    let old = match Lsa::load(path) {
        Ok(old) => old,
        // An unreadable model is replaced only when asked to (it may be a disk problem).
        Err(error) if retrain => {
            tracing::warn!(%error, "replacing an unreadable LSA model");
            None
        }
        Err(error) => return Err(EmbedError::from(error).into()),
    };
    if !retrain && let Some(model) = old {
        return Ok((model, false));
    }
    let model = train_lsa(store, progress).await?;
    model.save(path).map_err(EmbedError::from)?;
    if let Some(old) = old.filter(|old| old.name() != model.name()) {
        let forgotten = store.delete_embeddings(old.name()).await?;
        tracing::info!(
            model = old.name(),
            vectors = forgotten,
            "forgot the old model's vectors"
        );
    }
    tracing::info!(
        model = model.name(),
        words = model.vocabulary(),
        path = %path.display(),
        "trained the LSA model"
    );
    Ok((model, true))
}

/// Embeds every paper that lacks a current vector from `embedder`; `progress` gets the count.
pub async fn embed_missing<E: Embedder>(
    store: &Store,
    embedder: &E,
    mut progress: impl FnMut(u64),
) -> Result<u64, IndexError> {
    let mut embedded = 0u64;
    let mut after = String::new();
    loop {
        let papers = store
            .papers_to_embed(embedder.name(), &after, BATCH)
            .await?;
        let Some(last) = papers.last() else { break };
        after = last.id.as_str().to_string();
        let texts: Vec<String> = papers.iter().map(paper_text).collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let vectors = embedder.embed(&refs).await?;
        let rows: Vec<_> = papers
            .iter()
            .zip(vectors)
            .map(|(paper, vector)| Embedding {
                id: paper.id.clone(),
                version: paper.version,
                vector,
            })
            .collect();
        store.put_embeddings(embedder.name(), &rows).await?;
        embedded += rows.len() as u64;
        progress(embedded);
    }
    Ok(embedded)
}

/// Embeds what is missing, then writes the embedder's vectors to the file searches load.
pub async fn update_vectors<E: Embedder>(
    store: &Store,
    embedder: &E,
    index_dir: &Path,
    progress: impl FnMut(u64),
) -> Result<EmbedReport, IndexError> {
    let embedded = embed_missing(store, embedder, progress).await?;
    let path = vector_store::path_for(index_dir, embedder.name());
    let vectors = VectorStore::from_store(store, embedder.name()).await?;
    let count = vectors.as_ref().map_or(0, VectorStore::len);
    // Not only "when something was embedded": a run killed after storing its last vectors but
    // before this export leaves the older file behind, and the next run finds nothing to embed
    // (so does a server whose papers another process embedded into the shared Store). Without
    // the comparison those papers would stay missing from related papers and hybrid ranking.
    if let Some(vectors) = vectors
        && (embedded > 0 || !file_holds(&path, &vectors))
    {
        vectors.save(&path)?;
    }
    forget_other_lsa_files(&path);
    Ok(EmbedReport {
        embedder: embedder.name().to_string(),
        embedded,
        vectors: count,
    })
}

/// Whether the vectors file at `path` holds exactly `vectors` (an unreadable one does not): one
/// sequential read of the file, cheaper than the Store read that made `vectors`.
fn file_holds(path: &Path, vectors: &VectorStore) -> bool {
    match VectorStore::load(path, vectors.embedder()) {
        Ok(Some(file)) => file.same_vectors(vectors),
        Ok(None) | Err(_) => false,
    }
}

/// When `current` is an LSA model's vectors file, removes the files of earlier LSA models beside
/// it (they are never read again). Other embedders' files stay: switching back reuses them.
fn forget_other_lsa_files(current: &Path) {
    let is_lsa = |path: &Path| {
        path.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("lsa") && n.ends_with(".bin"))
    };
    if !is_lsa(current) {
        return;
    }
    let Some(dir) = current.parent() else { return };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for path in entries.filter_map(|e| e.ok()).map(|e| e.path()) {
        let stale = path != current && is_lsa(&path);
        if stale && let Err(error) = std::fs::remove_file(&path) {
            tracing::warn!(path = %path.display(), %error, "cannot remove an old vectors file");
        }
    }
}

/// The embedder in effect: `auto` is MiniLM when its files are in the model directory, else LSA.
pub fn effective_embedder(config: &Config) -> EmbedderChoice {
    match config.search.embedder {
        EmbedderChoice::Auto if MiniLm::present(&config.minilm_dir()) => EmbedderChoice::MiniLm,
        EmbedderChoice::Auto => EmbedderChoice::Lsa,
        chosen => chosen,
    }
}

/// Where the LSA model lives under the data dir.
pub fn lsa_path(data_dir: &Path) -> PathBuf {
    data_dir.join("models").join("lsa.bin")
}

/// Related-paper lists kept per process; cleared whole when full (they are cheap to recompute).
const RELATED_CACHE: usize = 10_000;

/// A paper's nearest papers: (id, cosine), best first.
pub type Related = Arc<Vec<(String, f32)>>;

/// What searches and related papers use for meaning: the embedder and its vectors.
pub struct Meaning {
    pub embedder: AnyEmbedder,
    pub vectors: VectorStore,
    related: Mutex<HashMap<(String, usize), Related>>,
}

impl Meaning {
    /// The configured embedder and the vectors `papers index` exported for it; `None` when no
    /// embedder is configured or `papers index` has not made vectors yet.
    pub fn load(config: &Config, index_dir: &Path) -> Result<Option<Meaning>, IndexError> {
        let embedder = match effective_embedder(config) {
            EmbedderChoice::None => return Ok(None),
            EmbedderChoice::MiniLm => {
                AnyEmbedder::MiniLm(Box::new(MiniLm::load(&config.minilm_dir())?))
            }
            EmbedderChoice::Auto | EmbedderChoice::Lsa => {
                match Lsa::load(&lsa_path(&config.data_dir)).map_err(EmbedError::from)? {
                    Some(lsa) => AnyEmbedder::Lsa(lsa),
                    None => return Ok(None),
                }
            }
            EmbedderChoice::Api => {
                AnyEmbedder::Api(ApiEmbedder::new(&config.search.service, true)?)
            }
        };
        let path = vector_store::path_for(index_dir, embedder.name());
        Ok(
            VectorStore::load(&path, embedder.name())?.map(|vectors| Meaning {
                embedder,
                vectors,
                related: Mutex::new(HashMap::new()),
            }),
        )
    }

    /// The hybrid-ranking input for a query; `None` when it has no words to embed, or the
    /// embedding service failed (the search then ranks by full text alone, and says so in the log).
    pub async fn for_query(&self, query: &str) -> Option<Semantic<'_>> {
        let text = query::embedding_text(query)?;
        let vector = match self.embedder.embed(&[text.as_str()]).await {
            Ok(mut vectors) => vectors.pop()?,
            Err(error) => {
                tracing::warn!(%error, "no query embedding: ranking by full text alone");
                return None;
            }
        };
        if vector.len() != self.vectors.dim() {
            tracing::warn!(
                got = vector.len(),
                want = self.vectors.dim(),
                "the query embedding does not match the stored vectors (run `papers index`)"
            );
            return None;
        }
        Some(Semantic {
            vectors: &self.vectors,
            query: vector,
            fusion: fusion_for(&self.embedder),
        })
    }

    /// The `k` papers nearest in meaning to a stored paper (exact, itself excluded), best first;
    /// `None` when it has no vector. Cached.
    pub fn related(&self, id: &str, k: usize) -> Option<Related> {
        let key = (id.to_string(), k);
        if let Some(hit) = self.related.lock().expect("the cache lock").get(&key) {
            return Some(hit.clone());
        }
        let found: Vec<(String, f32)> = self
            .vectors
            .related(id, k)?
            .into_iter()
            .map(|(id, score)| (id.to_string(), score))
            .collect();
        let found = Arc::new(found);
        let mut cache = self.related.lock().expect("the cache lock");
        if cache.len() >= RELATED_CACHE {
            cache.clear();
        }
        cache.insert(key, found.clone());
        Some(found)
    }
}
