//! [`update`]: everything derived from the Store brought up to date in one call — the full-text
//! index, the configured embedder's vectors (training the LSA model first when there is none),
//! and the topics' membership. `papers index` is this plus its report; tests and servers call it
//! in-process.

use std::path::Path;
use std::time::{Duration, Instant};

use papers_core::{Config, EmbedderChoice, Store};
use serde::Serialize;

use crate::embed::api::ApiEmbedder;
use crate::embed::lsa::LsaError;
use crate::embed::minilm::MiniLm;
use crate::embed::{EmbedError, Embedder};
use crate::semantic::{self, EmbedReport};
use crate::{IndexError, SearchIndex, SyncReport, index_dir};

/// Least time between two progress lines.
const PROGRESS_EVERY: Duration = Duration::from_secs(5);

#[derive(Clone, Debug, Serialize)]
pub struct UpdateReport {
    #[serde(flatten)]
    pub text: SyncReport,
    /// `None` when no embedder is configured or there is too little to train one on.
    pub vectors: Option<VectorsReport>,
    pub topics: Vec<TopicReport>,
}

#[derive(Clone, Debug, Serialize)]
pub struct VectorsReport {
    #[serde(flatten)]
    pub report: EmbedReport,
    /// An LSA model was trained in this run.
    pub trained: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct TopicReport {
    pub name: String,
    pub papers: usize,
}

/// What the index's documents hold, by version: 2 added the venue a comment claims, 3 the venues
/// imports link (and the sync began storing comments' claims as links, which the rebuild fills
/// in for papers stored before). A file beside the index records the version it was built with.
const CONTENT_VERSION: &str = "3";
const CONTENT_MARKER: &str = "content-version";

/// Brings the index, the vectors and the topics up to date with the Store. `rebuild` starts the
/// full-text index from scratch; `retrain` trains a new LSA model (and so recomputes its vectors).
pub async fn update(
    store: &Store,
    config: &Config,
    rebuild: bool,
    retrain: bool,
) -> Result<UpdateReport, IndexError> {
    let dir = index_dir(config);
    // An index written by an older `papers`, whose documents hold less, is rebuilt once.
    let marker = dir.join(CONTENT_MARKER);
    let outdated = std::fs::read_to_string(&marker).map_or(true, |v| v.trim() != CONTENT_VERSION);
    if outdated
        && !rebuild
        && marker
            .parent()
            .is_some_and(|d| d.join("meta.json").exists())
    {
        tracing::info!(dir = %dir.display(), "the index's documents gained fields: rebuilding it once");
    }
    let rebuild = rebuild || outdated;
    let index = if rebuild {
        SearchIndex::open_for_rebuild(&dir)?
    } else {
        SearchIndex::open(&dir)?
    };
    let text = index
        .sync(store, rebuild, |r| {
            if r.commits > 0 {
                tracing::info!(indexed = r.indexed, commits = r.commits, "indexing");
            }
        })
        .await?;
    if outdated && let Err(e) = std::fs::write(&marker, CONTENT_VERSION) {
        tracing::warn!(file = %marker.display(), error = %e, "cannot mark the index's content version");
    }

    let vectors = match semantic::effective_embedder(config) {
        EmbedderChoice::None => None,
        EmbedderChoice::Auto | EmbedderChoice::Lsa => {
            lsa_vectors(store, config, &dir, retrain).await?
        }
        EmbedderChoice::MiniLm => {
            let minilm = MiniLm::load(&config.minilm_dir())?;
            Some(embed_all(store, &minilm, &dir).await?)
        }
        EmbedderChoice::Api => {
            let service = ApiEmbedder::new(&config.search.service, false)?;
            Some(embed_all(store, &service, &dir).await?)
        }
    };

    let mut topics = Vec::new();
    for topic in &config.topics {
        let ids = index
            .matching_ids(&topic.query)
            .map_err(|error| match error {
                IndexError::Query(source) => IndexError::Topic {
                    name: topic.name.clone(),
                    source,
                },
                other => other,
            })?;
        store.set_topic_members(&topic.name, &ids).await?;
        topics.push(TopicReport {
            name: topic.name.clone(),
            papers: ids.len(),
        });
    }
    Ok(UpdateReport {
        text,
        vectors,
        topics,
    })
}

/// LSA: the saved model (or a new one), then every missing vector. Too few papers to train on is
/// not an error: search works on full text alone until there are more.
async fn lsa_vectors(
    store: &Store,
    config: &Config,
    dir: &Path,
    retrain: bool,
) -> Result<Option<VectorsReport>, IndexError> {
    let model_path = semantic::lsa_path(&config.data_dir);
    let mut last = Instant::now();
    let lsa = semantic::lsa_model(store, &model_path, retrain, |read| {
        if last.elapsed() >= PROGRESS_EVERY {
            tracing::info!(papers = read, "reading papers to train the LSA model");
            last = Instant::now();
        }
    })
    .await;
    let (lsa, trained) = match lsa {
        Ok(model) => model,
        Err(IndexError::Embed(EmbedError::Lsa(error @ LsaError::TooFewPapers(_)))) => {
            tracing::warn!(%error, "no vectors yet: search uses full text alone");
            return Ok(None);
        }
        Err(error) => return Err(error),
    };
    let mut report = embed_all(store, &lsa, dir).await?;
    report.trained = trained;
    Ok(Some(report))
}

/// Embeds every paper without a current vector, with a progress line every few seconds.
async fn embed_all<E: Embedder>(
    store: &Store,
    embedder: &E,
    dir: &Path,
) -> Result<VectorsReport, IndexError> {
    let mut last = Instant::now();
    let report = semantic::update_vectors(store, embedder, dir, |embedded| {
        if last.elapsed() >= PROGRESS_EVERY {
            tracing::info!(embedder = embedder.name(), embedded, "embedding papers");
            last = Instant::now();
        }
    })
    .await?;
    Ok(VectorsReport {
        report,
        trained: false,
    })
}
