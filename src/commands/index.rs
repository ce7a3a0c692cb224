//! `papers index`: bring everything derived from the Store up to date — the full-text index, the
//! vectors of the configured embedder (training the LSA model first when there is none), and the
//! topics' membership.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use papers_core::{Config, EmbedderChoice, Store};
use papers_indexer::embed::EmbedError;
use papers_indexer::embed::Embedder;
use papers_indexer::embed::api::ApiEmbedder;
use papers_indexer::embed::lsa::LsaError;
use papers_indexer::embed::minilm::MiniLm;
use papers_indexer::semantic::{self, EmbedReport};
use papers_indexer::{IndexError, SearchIndex, SyncReport};
use serde::Serialize;

/// The index lives beside the SQLite file: derived data, rebuilt from the Store at will.
pub fn index_dir(config: &Config) -> PathBuf {
    config.data_dir.join("index")
}

/// Least time between two progress lines.
const PROGRESS_EVERY: Duration = Duration::from_secs(5);

#[derive(Serialize)]
struct Report {
    #[serde(flatten)]
    text: SyncReport,
    /// `None` when no embedder is configured or there is too little to train one on.
    vectors: Option<VectorsReport>,
    topics: Vec<TopicReport>,
    seconds: f64,
}

#[derive(Serialize)]
struct VectorsReport {
    #[serde(flatten)]
    report: EmbedReport,
    /// An LSA model was trained in this run.
    trained: bool,
}

#[derive(Serialize)]
struct TopicReport {
    name: String,
    papers: usize,
}

pub async fn run(
    store: &Store,
    config: &Config,
    rebuild: bool,
    retrain: bool,
    json: bool,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let dir = index_dir(config);
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
            .map_err(|e| anyhow::anyhow!("topic '{}' in the configuration: {e}", topic.name))?;
        store.set_topic_members(&topic.name, &ids).await?;
        topics.push(TopicReport {
            name: topic.name.clone(),
            papers: ids.len(),
        });
    }

    let report = Report {
        text,
        vectors,
        topics,
        seconds: started.elapsed().as_secs_f64(),
    };
    if json {
        println!("{}", serde_json::to_string(&report)?);
        return Ok(());
    }
    let t = &report.text;
    println!(
        "index {}: {} papers indexed{} in {:.1}s, {} documents",
        dir.display(),
        t.indexed,
        if t.from_scratch { " from scratch" } else { "" },
        report.seconds,
        t.documents
    );
    if let Some(v) = &report.vectors {
        println!(
            "vectors {}: {} papers embedded, {} in all{}",
            v.report.embedder,
            v.report.embedded,
            v.report.vectors,
            if v.trained {
                " (model trained now)"
            } else {
                ""
            }
        );
    }
    let topics: Vec<String> = report
        .topics
        .iter()
        .map(|t| format!("{} {}", t.name, t.papers))
        .collect();
    println!("topics: {}", topics.join(", "));
    Ok(())
}

/// LSA: the saved model (or a new one), then every missing vector. Too few papers to train on is
/// not an error: search works on full text alone until there are more.
async fn lsa_vectors(
    store: &Store,
    config: &Config,
    dir: &std::path::Path,
    retrain: bool,
) -> anyhow::Result<Option<VectorsReport>> {
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
        Err(error) => return Err(error.into()),
    };
    let mut report = embed_all(store, &lsa, dir).await?;
    report.trained = trained;
    Ok(Some(report))
}

/// Embeds every paper without a current vector, with a progress line every few seconds.
async fn embed_all<E: Embedder>(
    store: &Store,
    embedder: &E,
    dir: &std::path::Path,
) -> anyhow::Result<VectorsReport> {
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
