//! Paper vectors per embedder: which papers still need one, storing them, reading them back.

use super::StoreError;
use super::dialect::{Dialect, both};
use super::row::{PAPER_COLUMNS, PaperRow};
use crate::arxiv_id::ArxivId;
use crate::paper::Paper;

/// One stored vector.
#[derive(Clone, Debug, PartialEq)]
pub struct Embedding {
    pub id: ArxivId,
    /// The paper version it was computed from.
    pub version: u32,
    pub vector: Vec<f32>,
}

fn to_bytes(vector: &[f32]) -> Vec<u8> {
    vector.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn from_bytes(bytes: &[u8]) -> Result<Vec<f32>, StoreError> {
    if !bytes.len().is_multiple_of(4) {
        return Err(StoreError::Corrupt {
            id: String::new(),
            reason: format!("a stored vector of {} bytes", bytes.len()),
        });
    }
    Ok(bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect())
}

both! {
    /// Up to `limit` papers (by id, after `after`) with no vector from `embedder`, or one made
    /// from an older version.
    pub async fn papers_to_embed(&self, embedder: &str, after: &str, limit: u32) -> Result<Vec<Paper>, StoreError> {
        let columns = PAPER_COLUMNS.split(", ").map(|c| format!("p.{c}")).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "SELECT {columns} FROM papers p LEFT JOIN embeddings e ON e.paper_id = p.id AND e.embedder = ? \
             WHERE p.id > ? AND (e.version IS NULL OR e.version < p.version) ORDER BY p.id LIMIT ?"
        );
        let rows: Vec<PaperRow> = sqlx::query_as(sqlx::AssertSqlSafe(Self::sql_owned(sql)))
            .bind(embedder)
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter().map(PaperRow::into_paper).collect()
    }

    pub async fn put_embeddings(&self, embedder: &str, rows: &[Embedding]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        for row in rows {
            sqlx::query(sqlx::AssertSqlSafe(Self::sql(
                "INSERT INTO embeddings (paper_id, embedder, version, vector) VALUES (?, ?, ?, ?) \
                 ON CONFLICT (embedder, paper_id) DO UPDATE SET version = excluded.version, vector = excluded.vector",
            )))
            .bind(row.id.as_str())
            .bind(embedder)
            .bind(i64::from(row.version))
            .bind(to_bytes(&row.vector))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Forgets every vector of `embedder` (a model replaced by a retrained one); returns how many.
    pub async fn delete_embeddings(&self, embedder: &str) -> Result<u64, StoreError> {
        let done = sqlx::query(sqlx::AssertSqlSafe(Self::sql("DELETE FROM embeddings WHERE embedder = ?")))
            .bind(embedder)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// Up to `limit` vectors of `embedder` by paper id, after `after`.
    pub async fn embeddings(&self, embedder: &str, after: &str, limit: u32) -> Result<Vec<Embedding>, StoreError> {
        let rows: Vec<(String, i64, Vec<u8>)> = sqlx::query_as(sqlx::AssertSqlSafe(Self::sql(
            "SELECT paper_id, version, vector FROM embeddings WHERE embedder = ? AND paper_id > ? \
             ORDER BY paper_id LIMIT ?",
        )))
        .bind(embedder)
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(id, version, bytes)| {
                Ok(Embedding {
                    vector: from_bytes(&bytes).map_err(|e| match e {
                        StoreError::Corrupt { reason, .. } => StoreError::Corrupt { id: id.clone(), reason },
                        other => other,
                    })?,
                    id: ArxivId::parse_any(&id).map_err(|e| StoreError::Corrupt { id: id.clone(), reason: e.to_string() })?,
                    version: u32::try_from(version).unwrap_or(1),
                })
            })
            .collect()
    }
}
