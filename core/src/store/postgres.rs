//! The PostgreSQL backend: for several machines sharing one database. Bulk writes go through
//! `UNNEST` of arrays, one statement per table per batch, instead of one row per round trip.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::postgres::{PgPool, PgPoolOptions};

use super::row::{
    ChangedRow, ListedRow, PAPER_COLUMNS, PaperColumns, PaperRow, day_counts, listing,
    prefixed_columns,
};
use super::{
    Changed, DayCount, Listing, StoreError, UpsertCounts, Watermark, plan_batch, redact_url,
};
use crate::arxiv_id::ArxivId;
use crate::category::{Category, CategoryExpr};
use crate::paper::Paper;

#[derive(Clone, Debug)]
pub struct PgStore {
    pub(super) pool: PgPool,
}

impl PgStore {
    pub async fn connect(url: &str) -> Result<PgStore, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await
            .map_err(|source| StoreError::Connect {
                url: redact_url(url),
                source,
            })?;
        Ok(PgStore { pool })
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        sqlx::migrate!("../migrations/postgres")
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
        let (now,): (i64,) =
            sqlx::query_as("SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) AS BIGINT)")
                .fetch_one(&self.pool)
                .await?;
        Ok(now)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub async fn upsert_batch(&self, batch: Vec<Paper>) -> Result<UpsertCounts, StoreError> {
        let mut tx = self.pool.begin().await?;

        let ids: Vec<String> = batch.iter().map(|p| p.id.to_string()).collect();
        // FOR UPDATE: a concurrent writer of the same papers waits until we commit our merge.
        let rows: Vec<PaperRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {PAPER_COLUMNS} FROM papers WHERE id = ANY($1) FOR UPDATE"
        )))
        .bind(&ids)
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

        let mut cols = Columns::default();
        for paper in &writes {
            cols.push(PaperColumns::from_paper(paper));
        }
        // The version guard is a second line of defence: the merge already never lowers a version.
        sqlx::query(
            "INSERT INTO papers (id, version, title, authors, abstract, categories, \
             primary_category, comment, journal_ref, doi, published, updated, announced, \
             modified_at) \
             SELECT *, now() FROM UNNEST($1::text[], $2::bigint[], $3::text[], $4::text[], \
             $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], \
             $11::timestamptz[], $12::timestamptz[], $13::date[]) \
             ON CONFLICT (id) DO UPDATE SET version = excluded.version, title = excluded.title, \
             authors = excluded.authors, abstract = excluded.abstract, \
             categories = excluded.categories, primary_category = excluded.primary_category, \
             comment = excluded.comment, journal_ref = excluded.journal_ref, doi = excluded.doi, \
             published = excluded.published, updated = excluded.updated, \
             announced = excluded.announced, modified_at = excluded.modified_at \
             WHERE excluded.version >= papers.version",
        )
        .bind(&cols.id)
        .bind(&cols.version)
        .bind(&cols.title)
        .bind(&cols.authors)
        .bind(&cols.abstract_text)
        .bind(&cols.categories)
        .bind(&cols.primary_category)
        .bind(&cols.comment)
        .bind(&cols.journal_ref)
        .bind(&cols.doi)
        .bind(&cols.published)
        .bind(&cols.updated)
        .bind(&cols.announced)
        .execute(&mut *tx)
        .await?;

        sqlx::query("DELETE FROM paper_categories WHERE paper_id = ANY($1)")
            .bind(&cols.id)
            .execute(&mut *tx)
            .await?;
        let mut link_ids = Vec::new();
        let mut link_categories = Vec::new();
        let mut link_primary = Vec::new();
        let mut link_announced = Vec::new();
        for paper in &writes {
            for (i, category) in paper.categories.iter().enumerate() {
                link_ids.push(paper.id.to_string());
                link_categories.push(category.to_string());
                link_primary.push(i == 0);
                link_announced.push(paper.announced);
            }
        }
        sqlx::query(
            "INSERT INTO paper_categories (paper_id, category, is_primary, announced) \
             SELECT * FROM UNNEST($1::text[], $2::text[], $3::bool[], $4::date[])",
        )
        .bind(&link_ids)
        .bind(&link_categories)
        .bind(&link_primary)
        .bind(&link_announced)
        .execute(&mut *tx)
        .await?;

        tx.commit().await?;
        Ok(counts)
    }

    pub async fn get(&self, id: &ArxivId) -> Result<Option<Paper>, StoreError> {
        let row: Option<PaperRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {PAPER_COLUMNS} FROM papers WHERE id = $1"
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
             WHERE $1::timestamptz IS NULL OR modified_at > $1 OR (modified_at = $1 AND id > $2) \
             ORDER BY modified_at, id LIMIT $3"
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
        let included = codes(&expr.included());
        let excluded = codes(&expr.excluded());
        // `hits`: the day's papers in any included category, and whether one of those is primary;
        // `listed`: minus the papers in any excluded category.
        let listed = "WITH hits AS ( \
                 SELECT paper_id, bool_or(is_primary) AS is_new FROM paper_categories \
                 WHERE announced = $1 AND category = ANY($2) GROUP BY paper_id), \
             listed AS ( \
                 SELECT paper_id, is_new FROM hits h WHERE NOT EXISTS ( \
                     SELECT 1 FROM paper_categories x WHERE x.paper_id = h.paper_id \
                     AND x.category = ANY($3)))";

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
                 ORDER BY l.is_new DESC, p.id ASC LIMIT $4 OFFSET $5",
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
             WHERE announced BETWEEN $1 AND $2 GROUP BY announced, category \
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

fn codes(categories: &[Category]) -> Vec<String> {
    categories.iter().map(Category::to_string).collect()
}

/// A batch of papers as one array per column, for `UNNEST`.
#[derive(Default)]
struct Columns {
    id: Vec<String>,
    version: Vec<i64>,
    title: Vec<String>,
    authors: Vec<String>,
    abstract_text: Vec<String>,
    categories: Vec<String>,
    primary_category: Vec<String>,
    comment: Vec<Option<String>>,
    journal_ref: Vec<Option<String>>,
    doi: Vec<Option<String>>,
    published: Vec<Option<DateTime<Utc>>>,
    updated: Vec<Option<DateTime<Utc>>>,
    announced: Vec<Option<NaiveDate>>,
}

impl Columns {
    fn push(&mut self, c: PaperColumns) {
        self.id.push(c.id);
        self.version.push(c.version);
        self.title.push(c.title);
        self.authors.push(c.authors);
        self.abstract_text.push(c.abstract_text);
        self.categories.push(c.categories);
        self.primary_category.push(c.primary_category);
        self.comment.push(c.comment);
        self.journal_ref.push(c.journal_ref);
        self.doi.push(c.doi);
        self.published.push(c.published);
        self.updated.push(c.updated);
        self.announced.push(c.announced);
    }
}
