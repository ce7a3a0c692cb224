//! [`VectorStore`]: one embedder's vectors of every paper, in memory for scanning, with the
//! row ↔ paper mapping.
//!
//! The Store holds the vectors (keyed by paper, version and embedder); after each sync they are
//! exported to one file beside the index (`vectors/{embedder}.bin`, written to a temporary file
//! and renamed, so a reader sees the old file or the new one, never half of one). Loading that
//! file is one sequential read, much faster than paging the rows out of the database.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use papers_core::Store;

use crate::binfile::{self, ReadError};
use crate::vectors::{F32Matrix, I8Matrix, top_k_rescored};

const MAGIC: &[u8; 8] = b"PVEC\x00\x00\x00\x01";
/// Vectors read from the Store per page during an export.
const PAGE: u32 = 5_000;
/// Int8 candidates per wanted result, rescored in f32.
const WIDEN: usize = 4;

#[derive(Debug, thiserror::Error)]
pub enum VectorError {
    #[error("vectors file {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("vectors file {path} is unreadable: {reason} (run `papers index` to write it again)")]
    Corrupt { path: PathBuf, reason: String },
    #[error(transparent)]
    Store(#[from] papers_core::StoreError),
}

pub struct VectorStore {
    embedder: String,
    ids: Vec<String>,
    rows: HashMap<String, usize>,
    exact: F32Matrix,
    approx: I8Matrix,
}

/// Where an embedder's vectors live under the index directory.
pub fn path_for(index_dir: &Path, embedder: &str) -> PathBuf {
    index_dir.join("vectors").join(format!("{embedder}.bin"))
}

impl VectorStore {
    pub fn new(embedder: &str, dim: usize) -> VectorStore {
        VectorStore {
            embedder: embedder.to_string(),
            ids: Vec::new(),
            rows: HashMap::new(),
            exact: F32Matrix::new(dim),
            approx: I8Matrix::new(dim),
        }
    }

    pub fn embedder(&self) -> &str {
        &self.embedder
    }

    pub fn dim(&self) -> usize {
        self.exact.dim()
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Adds (or replaces) a paper's vector.
    pub fn insert(&mut self, id: &str, vector: &[f32]) {
        if let Some(&row) = self.rows.get(id) {
            // Rare (an export holds each paper once); rebuilding the row in place would need
            // mutable access to both matrices' rows, so the old row is simply orphaned.
            self.ids[row] = String::new();
        }
        let row = self.exact.push(vector);
        self.approx.push(vector);
        self.ids.push(id.to_string());
        self.rows.insert(id.to_string(), row);
    }

    /// Whether both hold the same papers with the same vectors, whatever their rows.
    pub fn same_vectors(&self, other: &VectorStore) -> bool {
        self.dim() == other.dim()
            && self.rows.len() == other.rows.len()
            && self
                .rows
                .iter()
                .all(|(id, &row)| other.vector(id) == Some(self.exact.row(row)))
    }

    pub fn row_of(&self, id: &str) -> Option<usize> {
        self.rows.get(id).copied()
    }

    pub fn id_of(&self, row: usize) -> &str {
        &self.ids[row]
    }

    pub fn vector(&self, id: &str) -> Option<&[f32]> {
        self.row_of(id).map(|row| self.exact.row(row))
    }

    /// The `k` papers nearest to `query` by cosine (int8 scan, the top rescored exactly in f32),
    /// best first, without `exclude`.
    pub fn nearest(&self, query: &[f32], k: usize, exclude: Option<&str>) -> Vec<(&str, f32)> {
        if self.is_empty() || query.iter().all(|x| *x == 0.0) {
            return Vec::new();
        }
        let exclude = exclude.and_then(|id| self.row_of(id));
        top_k_rescored(&self.exact, &self.approx, query, k, WIDEN, exclude)
            .into_iter()
            .filter(|(row, _)| !self.ids[*row].is_empty())
            .map(|(row, score)| (self.ids[row].as_str(), score))
            .collect()
    }

    /// The `k` papers nearest to `query` by an exact f32 scan (what [`VectorStore::nearest`]
    /// approximates), best first.
    pub fn nearest_exact(&self, query: &[f32], k: usize) -> Vec<(&str, f32)> {
        if self.is_empty() {
            return Vec::new();
        }
        self.exact
            .top_k(query, k, None)
            .into_iter()
            .filter(|(row, _)| !self.ids[*row].is_empty())
            .map(|(row, score)| (self.ids[row].as_str(), score))
            .collect()
    }

    /// Exact nearest neighbours of a stored paper (a full f32 scan), the paper itself excluded.
    pub fn related(&self, id: &str, k: usize) -> Option<Vec<(&str, f32)>> {
        let row = self.row_of(id)?;
        let query = self.exact.row(row).to_vec();
        Some(
            self.exact
                .top_k(&query, k, Some(row))
                .into_iter()
                .filter(|(r, _)| !self.ids[*r].is_empty())
                .map(|(r, score)| (self.ids[r].as_str(), score))
                .collect(),
        )
    }

    /// Cosine of `query` with each of `ids` that has a vector.
    pub fn scores(&self, query: &[f32], ids: &[&str]) -> HashMap<String, f32> {
        let rows: Vec<usize> = ids.iter().filter_map(|id| self.row_of(id)).collect();
        self.exact
            .scores(query, &rows)
            .into_iter()
            .map(|(row, score)| (self.ids[row].clone(), score))
            .collect()
    }

    /// Reads every vector of `embedder` from the Store (`None` when it has none).
    pub async fn from_store(
        store: &Store,
        embedder: &str,
    ) -> Result<Option<VectorStore>, VectorError> {
        let mut vectors: Option<VectorStore> = None;
        let mut after = String::new();
        loop {
            let page = store.embeddings(embedder, &after, PAGE).await?;
            let Some(last) = page.last() else { break };
            after = last.id.as_str().to_string();
            // The first vector sets the dimension.
            let vectors = vectors
                .get_or_insert_with(|| VectorStore::new(embedder, page[0].vector.len().max(1)));
            let dim = vectors.dim();
            for row in &page {
                if row.vector.len() == dim {
                    vectors.insert(row.id.as_str(), &row.vector);
                } else {
                    tracing::warn!(id = %row.id, len = row.vector.len(), dim, "skipping a stored vector of the wrong dimension");
                }
            }
        }
        Ok(vectors)
    }

    /// Writes every live row to `path` (whole or not at all: [`binfile::write_atomic`]).
    pub fn save(&self, path: &Path) -> Result<(), VectorError> {
        let live: Vec<usize> = (0..self.ids.len())
            .filter(|&r| !self.ids[r].is_empty())
            .collect();
        binfile::write_atomic(path, MAGIC, |out| {
            out.write_all(&(self.dim() as u32).to_le_bytes())?;
            out.write_all(&(live.len() as u64).to_le_bytes())?;
            for &row in &live {
                binfile::write_str(out, &self.ids[row])?;
            }
            for &row in &live {
                binfile::write_f32s(out, self.exact.row(row))?;
            }
            Ok(())
        })
        .map_err(|source| VectorError::Io {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Reads the file [`VectorStore::save`] wrote for `embedder`; `None` when there is none.
    pub fn load(path: &Path, embedder: &str) -> Result<Option<VectorStore>, VectorError> {
        let read = || -> Result<VectorStore, ReadError> {
            let mut input = binfile::Reader::open(path, MAGIC, "a vectors file")?;
            let dim = input.u32()? as usize;
            let rows = input.u64()? as usize;
            if dim == 0 || dim > 4096 || rows > 100_000_000 {
                return Err(ReadError::Corrupt(format!(
                    "implausible sizes: {rows} rows of {dim}"
                )));
            }
            let ids = (0..rows)
                .map(|_| input.str())
                .collect::<Result<Vec<_>, _>>()?;
            let mut vectors = VectorStore::new(embedder, dim);
            for id in ids {
                vectors.insert(&id, &input.f32s(dim)?);
            }
            Ok(vectors)
        };
        match read() {
            Ok(vectors) => Ok(Some(vectors)),
            Err(ReadError::Missing) => Ok(None),
            Err(ReadError::Io(source)) => Err(VectorError::Io {
                path: path.to_path_buf(),
                source,
            }),
            Err(ReadError::Corrupt(reason)) => Err(VectorError::Corrupt {
                path: path.to_path_buf(),
                reason,
            }),
        }
    }
}
