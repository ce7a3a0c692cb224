//! [`Library`]: the search index and the vectors as `papers index` last left them.
//!
//! `papers index` runs beside the server (from cron) and writes both. tantivy's reader follows
//! the index's commits by itself; the vectors and the LSA model are files, re-read here when their
//! size or modification time changes, so a running server picks up a new export without restart.
//! Searches are CPU work of a few milliseconds: they run on the blocking pool, never on the async
//! workers that serve other requests.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use papers_core::Config;
use papers_indexer::semantic::{Meaning, Related, lsa_path};
use papers_indexer::{IndexError, SearchIndex, SearchOptions, SearchResults, Semantic, index_dir};

/// How often the vectors' files are checked for a new export.
const WATCH_EVERY: Duration = Duration::from_secs(30);

pub struct Library {
    index: SearchIndex,
    meaning: RwLock<Option<Arc<Meaning>>>,
    config: Config,
    /// What the vectors' files looked like when last loaded.
    stamp: RwLock<Vec<(PathBuf, u64, Option<SystemTime>)>>,
}

impl Library {
    /// Opens the index under the data dir (an empty one if `papers index` never ran) and loads
    /// the vectors if there are any; a search then is full text alone until they appear.
    pub fn open(config: &Config) -> Result<Library, IndexError> {
        let index = SearchIndex::open(&index_dir(config))?;
        let library = Library {
            index,
            meaning: RwLock::new(None),
            config: config.clone(),
            stamp: RwLock::new(Vec::new()),
        };
        library.reload_meaning();
        Ok(library)
    }

    pub fn documents(&self) -> u64 {
        self.index.documents()
    }

    pub fn has_vectors(&self) -> bool {
        self.meaning().is_some()
    }

    fn meaning(&self) -> Option<Arc<Meaning>> {
        self.meaning.read().expect("the meaning lock").clone()
    }

    /// Searches with the query's meaning when vectors exist (hybrid), by full text otherwise.
    pub async fn search(
        self: &Arc<Self>,
        text: &str,
        options: SearchOptions,
    ) -> Result<SearchResults, IndexError> {
        let meaning = self.meaning();
        // The query's embedding (async: it may be a call to an embeddings service), kept apart
        // from the vectors so it can move to the blocking pool.
        let query = match &meaning {
            Some(meaning) => meaning
                .for_query(text)
                .await
                .map(|semantic| (semantic.query, semantic.fusion)),
            None => None,
        };
        let library = self.clone();
        let text = text.to_string();
        tokio::task::spawn_blocking(move || {
            let semantic = match (&meaning, query) {
                (Some(meaning), Some((query, fusion))) => Some(Semantic {
                    vectors: &meaning.vectors,
                    query,
                    fusion,
                }),
                _ => None,
            };
            library
                .index
                .search_with(&text, &options, semantic.as_ref())
        })
        .await
        .unwrap_or_else(|panic| {
            // A bug in the search, not the reader's fault: a 503 and a log line, not a lost
            // connection.
            tracing::error!(%panic, "a search panicked");
            Err(IndexError::Failed(panic.to_string()))
        })
    }

    /// The papers nearest in meaning to `id` (itself excluded), best first; empty without vectors.
    pub async fn related(&self, id: &str, k: usize) -> Vec<(String, f32)> {
        let Some(meaning) = self.meaning() else {
            return Vec::new();
        };
        let id = id.to_string();
        // An exact scan of every vector: milliseconds, so off the async workers too.
        tokio::task::spawn_blocking(move || {
            meaning
                .related(&id, k)
                .map(|found: Related| found.as_ref().clone())
                .unwrap_or_default()
        })
        .await
        .unwrap_or_default()
    }

    /// Checks the vectors' files every [`WATCH_EVERY`] and reloads them when they changed.
    pub fn watch(self: Arc<Self>) {
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(WATCH_EVERY).await;
                let library = self.clone();
                let _ = tokio::task::spawn_blocking(move || {
                    if *library.stamp.read().expect("the stamp lock") != library.files_stamp() {
                        library.reload_meaning();
                    }
                })
                .await;
            }
        });
    }

    fn reload_meaning(&self) {
        let stamp = self.files_stamp();
        match Meaning::load(&self.config, self.index.dir()) {
            Ok(meaning) => {
                tracing::info!(
                    vectors = meaning.as_ref().map_or(0, |m| m.vectors.len()),
                    "search vectors loaded"
                );
                *self.meaning.write().expect("the meaning lock") = meaning.map(Arc::new);
            }
            // A half-written or foreign file: keep what is loaded, say why, retry on the next change.
            Err(error) => {
                tracing::warn!(%error, "cannot load the search vectors; keeping the last ones")
            }
        }
        *self.stamp.write().expect("the stamp lock") = stamp;
    }

    /// Size and modification time of every file the vectors come from.
    fn files_stamp(&self) -> Vec<(PathBuf, u64, Option<SystemTime>)> {
        let mut files = vec![lsa_path(&self.config.data_dir)];
        if let Ok(entries) = std::fs::read_dir(self.index.dir().join("vectors")) {
            files.extend(entries.flatten().map(|entry| entry.path()));
        }
        files.sort();
        files
            .into_iter()
            .map(|path| {
                let meta = std::fs::metadata(&path).ok();
                let len = meta.as_ref().map_or(0, |m| m.len());
                let modified = meta.and_then(|m| m.modified().ok());
                (path, len, modified)
            })
            .collect()
    }
}
