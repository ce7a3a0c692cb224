//! The SQLite backend: the embedded default, one file under the data dir, in WAL mode so the web
//! server keeps reading while the crawler writes.

use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use chrono::{NaiveDate, Utc};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{QueryBuilder, Sqlite};

use super::row::{
    ChangedRow, ListedRow, PAPER_COLUMNS, PaperColumns, PaperRow, day_counts, listing,
    prefixed_columns,
};
use super::{Changed, DayCount, Listing, StoreError, UpsertCounts, Watermark, plan_batch};
use crate::arxiv_id::ArxivId;
use crate::category::{Category, CategoryExpr};
use crate::paper::Paper;

#[derive(Clone, Debug)]
pub struct SqliteStore {
    pub(super) pool: SqlitePool,
}

impl SqliteStore {
    pub async fn connect(url: &str) -> Result<SqliteStore, StoreError> {
        let connect_error = |source| StoreError::Connect {
            url: url.to_string(),
            source,
        };
        let options = SqliteConnectOptions::from_str(url)
            .map_err(connect_error)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // WAL + NORMAL is durable across application crashes; only an OS crash can lose the
            // last transactions, which the next crawl or import restores.
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let dir = options
            .get_filename()
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf);
        if let Some(dir) = &dir {
            create_dir(dir)?;
        }
        let pool = match SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
        {
            Ok(pool) => pool,
            // SQLite says only "unable to open database file" or "disk I/O error" when its
            // directory is read-only or its disk full (it must create the WAL and shared-memory
            // files beside the database): say which.
            Err(source) => {
                return Err(match dir.as_deref().and_then(unwritable) {
                    Some(reason) => StoreError::DataDir {
                        path: dir.unwrap_or_default().display().to_string(),
                        source: reason,
                    },
                    None => connect_error(source),
                });
            }
        };
        Ok(SqliteStore { pool })
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        sqlx::migrate!("../migrations/sqlite")
            .run(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Now, in Unix seconds, by the database's clock.
    pub async fn clock(&self) -> Result<i64, StoreError> {
        let (now,): (i64,) = sqlx::query_as("SELECT CAST(strftime('%s', 'now') AS INTEGER)")
            .fetch_one(&self.pool)
            .await?;
        Ok(now)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub async fn upsert_batch(&self, batch: Vec<Paper>) -> Result<UpsertCounts, StoreError> {
        // IMMEDIATE takes the write lock before reading, so no other writer can change a row
        // between our read of it and our write of the merge.
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;

        let ids: Vec<&str> = batch.iter().map(|p| p.id.as_str()).collect();
        let ids_json = serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into());
        let rows: Vec<PaperRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {PAPER_COLUMNS} FROM papers WHERE id IN (SELECT value FROM json_each(?))"
        )))
        .bind(&ids_json)
        .fetch_all(&mut *tx)
        .await?;
        let stored = rows
            .into_iter()
            .map(|row| row.into_paper().map(|p| (p.id.clone(), p)))
            .collect::<Result<HashMap<_, _>, _>>()?;

        let (writes, counts) = plan_batch(stored, batch);
        if writes.is_empty() {
            tx.commit().await?;
            return Ok(counts);
        }
        let columns: Vec<PaperColumns> = writes.iter().map(PaperColumns::from_paper).collect();
        let now = Utc::now();

        let mut insert = QueryBuilder::<Sqlite>::new(
            "INSERT INTO papers (id, version, title, authors, abstract, categories, \
             primary_category, comment, journal_ref, doi, published, updated, announced, \
             modified_at) ",
        );
        insert.push_values(&columns, |mut row, c| {
            row.push_bind(&c.id)
                .push_bind(c.version)
                .push_bind(&c.title)
                .push_bind(&c.authors)
                .push_bind(&c.abstract_text)
                .push_bind(&c.categories)
                .push_bind(&c.primary_category)
                .push_bind(&c.comment)
                .push_bind(&c.journal_ref)
                .push_bind(&c.doi)
                .push_bind(c.published)
                .push_bind(c.updated)
                .push_bind(c.announced)
                .push_bind(now);
        });
        // The version guard is a second line of defence: the merge already never lowers a version.
        insert.push(
            " ON CONFLICT (id) DO UPDATE SET version = excluded.version, title = excluded.title, \
             authors = excluded.authors, abstract = excluded.abstract, \
             categories = excluded.categories, primary_category = excluded.primary_category, \
             comment = excluded.comment, journal_ref = excluded.journal_ref, doi = excluded.doi, \
             published = excluded.published, updated = excluded.updated, \
             announced = excluded.announced, modified_at = excluded.modified_at \
             WHERE excluded.version >= papers.version",
        );
        insert.build().execute(&mut *tx).await?;

        let written: Vec<&str> = columns.iter().map(|c| c.id.as_str()).collect();
        sqlx::query(
            "DELETE FROM paper_categories WHERE paper_id IN (SELECT value FROM json_each(?))",
        )
        .bind(serde_json::to_string(&written).unwrap_or_else(|_| "[]".into()))
        .execute(&mut *tx)
        .await?;
        let links: Vec<(&str, &str, bool, Option<NaiveDate>)> = writes
            .iter()
            .flat_map(|p| {
                p.categories
                    .iter()
                    .enumerate()
                    .map(move |(i, c)| (p.id.as_str(), c.as_str(), i == 0, p.announced))
            })
            .collect();
        // Four parameters per link: chunk to stay far below SQLite's 32,766-parameter limit.
        for chunk in links.chunks(4_000) {
            let mut insert = QueryBuilder::<Sqlite>::new(
                "INSERT INTO paper_categories (paper_id, category, is_primary, announced) ",
            );
            insert.push_values(chunk, |mut row, (id, category, primary, announced)| {
                row.push_bind(*id)
                    .push_bind(*category)
                    .push_bind(*primary)
                    .push_bind(*announced);
            });
            insert.build().execute(&mut *tx).await?;
        }

        tx.commit().await?;
        Ok(counts)
    }

    pub async fn get(&self, id: &ArxivId) -> Result<Option<Paper>, StoreError> {
        let row: Option<PaperRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {PAPER_COLUMNS} FROM papers WHERE id = ?"
        )))
        .bind(id.as_str())
        .fetch_optional(&self.pool)
        .await?;
        row.map(PaperRow::into_paper).transpose()
    }

    pub async fn changed_since(
        &self,
        after: Option<&Watermark>,
        limit: u32,
    ) -> Result<Vec<Changed>, StoreError> {
        // Keyset paging on (modified_at, id): stable however many rows share a timestamp.
        let (since, after_id) = match after {
            Some(w) => (Some(w.modified_at), w.id.as_str()),
            None => (None, ""),
        };
        let rows: Vec<ChangedRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {PAPER_COLUMNS}, modified_at FROM papers \
             WHERE ?1 IS NULL OR modified_at > ?1 OR (modified_at = ?1 AND id > ?2) \
             ORDER BY modified_at, id LIMIT ?3"
        )))
        .bind(since)
        .bind(after_id)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(ChangedRow::into_changed).collect()
    }

    pub async fn list_day(
        &self,
        expr: &CategoryExpr,
        date: NaiveDate,
        offset: u32,
        limit: u32,
    ) -> Result<Listing, StoreError> {
        let included = codes_json(&expr.included());
        let excluded = codes_json(&expr.excluded());
        // `hits`: the day's papers in any included category, and whether one of those is primary;
        // `listed`: minus the papers in any excluded category.
        let listed = "WITH hits AS ( \
                 SELECT paper_id, MAX(is_primary) AS is_new FROM paper_categories \
                 WHERE announced = ?1 AND category IN (SELECT value FROM json_each(?2)) \
                 GROUP BY paper_id), \
             listed AS ( \
                 SELECT paper_id, is_new FROM hits h WHERE NOT EXISTS ( \
                     SELECT 1 FROM paper_categories x WHERE x.paper_id = h.paper_id \
                     AND x.category IN (SELECT value FROM json_each(?3))))";

        let counts: Vec<(bool, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{listed} SELECT is_new, COUNT(*) FROM listed GROUP BY is_new"
        )))
        .bind(date)
        .bind(&included)
        .bind(&excluded)
        .fetch_all(&self.pool)
        .await?;

        let rows: Vec<(bool, PaperRow)> =
            sqlx::query_as::<_, ListedRow>(sqlx::AssertSqlSafe(format!(
                "{listed} SELECT l.is_new, {cols} FROM listed l JOIN papers p ON p.id = l.paper_id \
                 ORDER BY l.is_new DESC, p.id ASC LIMIT ?4 OFFSET ?5",
                cols = prefixed_columns("p")
            )))
            .bind(date)
            .bind(&included)
            .bind(&excluded)
            .bind(i64::from(limit))
            .bind(i64::from(offset))
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .map(|r| (r.is_new, r.paper))
            .collect();

        listing(date, &counts, rows)
    }

    pub async fn announced_dates(&self) -> Result<Vec<NaiveDate>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT DISTINCT announced FROM paper_categories WHERE announced IS NOT NULL \
             ORDER BY announced DESC",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn day_counts(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<DayCount>, StoreError> {
        let rows: Vec<(NaiveDate, String, i64)> = sqlx::query_as(
            "SELECT announced, category, COUNT(*) FROM paper_categories \
             WHERE announced BETWEEN ? AND ? GROUP BY announced, category \
             ORDER BY announced, category",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        day_counts(rows)
    }

    pub async fn paper_count(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM papers")
            .fetch_one(&self.pool)
            .await?;
        Ok(n.max(0) as u64)
    }
}

/// Why nothing can be written in `dir`, if so: a file of the size of SQLite's shared-memory
/// file is written there and removed (an empty one fits even on a full disk).
fn unwritable(dir: &Path) -> Option<std::io::Error> {
    use std::io::Write as _;
    let probe = dir.join(format!(".papers-write-test-{}", std::process::id()));
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .and_then(|mut file| {
            file.write_all(&[0u8; 32 * 1024])?;
            file.sync_all()
        });
    let _ = std::fs::remove_file(&probe);
    match written {
        Ok(()) => None,
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => None,
        Err(error) => Some(error),
    }
}

fn create_dir(path: &Path) -> Result<(), StoreError> {
    std::fs::create_dir_all(path).map_err(|source| StoreError::DataDir {
        path: path.display().to_string(),
        source,
    })
}

fn codes_json(categories: &[Category]) -> String {
    let codes: Vec<&str> = categories.iter().map(Category::as_str).collect();
    serde_json::to_string(&codes).unwrap_or_else(|_| "[]".into())
}
