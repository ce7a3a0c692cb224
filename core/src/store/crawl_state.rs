//! The crawler's bookkeeping in the Store: a lease so two crawls never overlap, small named state
//! (checkpoints, feed validators), and a log of runs. The SQL is the same on both backends but for
//! placeholders, so both live here side by side.

use super::dialect::{Dialect, both};
use super::{CrawlRun, StoreError};

both! {
    pub async fn try_lock(&self, name: &str, holder: &str, now: i64, expires_at: i64) -> Result<bool, StoreError> {
        // Insert the lease, or take over one whose holder stopped renewing it.
        let done = sqlx::query(sqlx::AssertSqlSafe(Self::sql(
            "INSERT INTO crawl_locks (name, holder, expires_at) VALUES (?, ?, ?) \
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at \
             WHERE crawl_locks.expires_at < ?",
        )))
        .bind(name)
        .bind(holder)
        .bind(expires_at)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn renew_lock(&self, name: &str, holder: &str, expires_at: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(sqlx::AssertSqlSafe(Self::sql(
            "UPDATE crawl_locks SET expires_at = ? WHERE name = ? AND holder = ?",
        )))
        .bind(expires_at)
        .bind(name)
        .bind(holder)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn lock_holder(&self, name: &str) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(Self::sql(
            "SELECT holder FROM crawl_locks WHERE name = ?",
        )))
        .bind(name)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn take_over_lock(&self, name: &str, from: &str, to: &str, expires_at: i64) -> Result<bool, StoreError> {
        // Compare-and-swap: only if `from` still holds it, so two runs cannot both take it.
        let done = sqlx::query(sqlx::AssertSqlSafe(Self::sql(
            "UPDATE crawl_locks SET holder = ?, expires_at = ? WHERE name = ? AND holder = ?",
        )))
        .bind(to)
        .bind(expires_at)
        .bind(name)
        .bind(from)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn unlock(&self, name: &str, holder: &str) -> Result<(), StoreError> {
        sqlx::query(sqlx::AssertSqlSafe(Self::sql(
            "DELETE FROM crawl_locks WHERE name = ? AND holder = ?",
        )))
        .bind(name)
        .bind(holder)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn state(&self, name: &str) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(Self::sql(
            "SELECT value FROM crawl_state WHERE name = ?",
        )))
        .bind(name)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn set_state(&self, name: &str, value: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query(sqlx::AssertSqlSafe(Self::sql(
            "INSERT INTO crawl_state (name, value, updated_at) VALUES (?, ?, ?) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        )))
        .bind(name)
        .bind(value)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn clear_state(&self, name: &str) -> Result<(), StoreError> {
        sqlx::query(sqlx::AssertSqlSafe(Self::sql("DELETE FROM crawl_state WHERE name = ?")))
            .bind(name)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn start_run(&self, kind: &str, now: i64) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(Self::sql(
            "INSERT INTO crawl_runs (kind, started_at, status) VALUES (?, ?, 'running') RETURNING id",
        )))
        .bind(kind)
        .bind(now)
        .fetch_one(&self.pool)
        .await?)
    }

    pub async fn finish_run(&self, id: i64, status: &str, summary: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query(sqlx::AssertSqlSafe(Self::sql(
            "UPDATE crawl_runs SET finished_at = ?, status = ?, summary = ? WHERE id = ?",
        )))
        .bind(now)
        .bind(status)
        .bind(summary)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn recent_runs(&self, limit: i64) -> Result<Vec<CrawlRun>, StoreError> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(Self::sql(
            "SELECT id, kind, started_at, finished_at, status, summary FROM crawl_runs \
             ORDER BY id DESC LIMIT ?",
        )))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_are_numbered_for_postgres() {
        assert_eq!(
            super::super::dialect::numbered("UPDATE t SET a = ? WHERE b = ? AND c = ?"),
            "UPDATE t SET a = $1 WHERE b = $2 AND c = $3"
        );
    }
}
