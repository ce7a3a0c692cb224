//! Topic membership: which papers each topic's query matched when the index was last synced.

use super::StoreError;
use super::dialect::{Dialect, both};
use super::row::{PAPER_COLUMNS, PaperRow};
use crate::arxiv_id::ArxivId;
use crate::paper::Paper;

/// Rows inserted per statement.
const CHUNK: usize = 500;

both! {
    /// Makes `ids` (stored papers) the members of `topic`, replacing the previous members in one
    /// transaction: readers see the old list or the new one.
    pub async fn set_topic_members(&self, topic: &str, ids: &[ArxivId]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(sqlx::AssertSqlSafe(Self::sql("DELETE FROM topic_papers WHERE topic = ?")))
            .bind(topic)
            .execute(&mut *tx)
            .await?;
        for chunk in ids.chunks(CHUNK) {
            let values = vec!["(?, ?)"; chunk.len()].join(", ");
            let sql = format!("INSERT INTO topic_papers (topic, paper_id) VALUES {values} ON CONFLICT DO NOTHING");
            let mut query = sqlx::query(sqlx::AssertSqlSafe(Self::sql_owned(sql)));
            for id in chunk {
                query = query.bind(topic).bind(id.as_str());
            }
            query.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// A page of `topic`'s papers, newest announcement first.
    pub async fn topic_papers(&self, topic: &str, limit: u32, offset: u32) -> Result<Vec<Paper>, StoreError> {
        let columns = PAPER_COLUMNS.split(", ").map(|c| format!("p.{c}")).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "SELECT {columns} FROM topic_papers t JOIN papers p ON p.id = t.paper_id WHERE t.topic = ? \
             ORDER BY p.announced DESC NULLS LAST, p.id DESC LIMIT ? OFFSET ?"
        );
        let rows: Vec<PaperRow> = sqlx::query_as(sqlx::AssertSqlSafe(Self::sql_owned(sql)))
            .bind(topic)
            .bind(i64::from(limit))
            .bind(i64::from(offset))
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter().map(PaperRow::into_paper).collect()
    }

    /// How many papers `topic` has.
    pub async fn topic_count(&self, topic: &str) -> Result<u64, StoreError> {
        let (count,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(Self::sql(
            "SELECT COUNT(*) FROM topic_papers WHERE topic = ?",
        )))
        .bind(topic)
        .fetch_one(&self.pool)
        .await?;
        Ok(count as u64)
    }
}
