//! The `papers` table row, shared by both backends: how a [`Paper`] is laid out in columns.

use chrono::{DateTime, NaiveDate, Utc};

use super::{DayCount, ListedPaper, Listing, ListingKind, StoreError};
use crate::arxiv_id::ArxivId;
use crate::category::Category;
use crate::paper::Paper;

/// Columns of `papers` that make up a [`Paper`], in the order every SELECT lists them.
pub(crate) const PAPER_COLUMNS: &str = "id, version, title, authors, abstract, categories, \
     comment, journal_ref, doi, published, updated, announced";

#[derive(sqlx::FromRow)]
pub(crate) struct PaperRow {
    pub id: String,
    pub version: i64,
    pub title: String,
    pub authors: String,
    #[sqlx(rename = "abstract")]
    pub abstract_text: String,
    pub categories: String,
    pub comment: Option<String>,
    pub journal_ref: Option<String>,
    pub doi: Option<String>,
    pub published: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    pub announced: Option<NaiveDate>,
}

/// A paper flattened into column values, ready to bind.
pub(crate) struct PaperColumns {
    pub id: String,
    pub version: i64,
    pub title: String,
    pub authors: String,
    pub abstract_text: String,
    pub categories: String,
    pub primary_category: String,
    pub comment: Option<String>,
    pub journal_ref: Option<String>,
    pub doi: Option<String>,
    pub published: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    pub announced: Option<NaiveDate>,
}

impl PaperColumns {
    pub fn from_paper(paper: &Paper) -> PaperColumns {
        PaperColumns {
            id: paper.id.to_string(),
            version: i64::from(paper.version),
            title: paper.title.clone(),
            authors: serde_json::to_string(&paper.authors).unwrap_or_else(|_| "[]".into()),
            abstract_text: paper.abstract_text.clone(),
            categories: join_categories(&paper.categories),
            primary_category: paper
                .primary_category()
                .map(ToString::to_string)
                .unwrap_or_default(),
            comment: paper.comment.clone(),
            journal_ref: paper.journal_ref.clone(),
            doi: paper.doi.clone(),
            published: paper.published,
            updated: paper.updated,
            announced: paper.announced,
        }
    }
}

fn join_categories(categories: &[Category]) -> String {
    let codes: Vec<&str> = categories.iter().map(Category::as_str).collect();
    codes.join(" ")
}

impl PaperRow {
    pub fn into_paper(self) -> Result<Paper, StoreError> {
        let corrupt = |reason: String| StoreError::Corrupt {
            id: self.id.clone(),
            reason,
        };
        let id = ArxivId::parse_any(&self.id).map_err(|e| corrupt(e.to_string()))?;
        let version = u32::try_from(self.version)
            .map_err(|_| corrupt(format!("version {} out of range", self.version)))?;
        let authors: Vec<String> =
            serde_json::from_str(&self.authors).map_err(|e| corrupt(format!("authors: {e}")))?;
        let categories = self
            .categories
            .split(' ')
            .filter(|c| !c.is_empty())
            .map(Category::from_source)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| corrupt(e.to_string()))?;
        Ok(Paper {
            id,
            version,
            title: self.title,
            authors,
            abstract_text: self.abstract_text,
            categories,
            comment: self.comment,
            journal_ref: self.journal_ref,
            doi: self.doi,
            published: self.published,
            updated: self.updated,
            announced: self.announced,
        })
    }
}

/// `p.id, p.version, …`: the paper columns of a joined table.
pub(crate) fn prefixed_columns(alias: &str) -> String {
    PAPER_COLUMNS
        .split(", ")
        .map(|c| format!("{alias}.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A listing row: the paper plus whether it is new in the listed categories.
pub(crate) struct ListedRow {
    pub is_new: bool,
    pub paper: PaperRow,
}

impl<'r, R: sqlx::Row> sqlx::FromRow<'r, R> for ListedRow
where
    PaperRow: sqlx::FromRow<'r, R>,
    bool: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    &'static str: sqlx::ColumnIndex<R>,
{
    fn from_row(row: &'r R) -> Result<Self, sqlx::Error> {
        Ok(ListedRow {
            is_new: row.try_get("is_new")?,
            paper: PaperRow::from_row(row)?,
        })
    }
}

/// A paper with the time its row last changed, for derived data that follows the Store.
pub(crate) struct ChangedRow {
    pub modified_at: DateTime<Utc>,
    pub paper: PaperRow,
}

impl<'r, R: sqlx::Row> sqlx::FromRow<'r, R> for ChangedRow
where
    PaperRow: sqlx::FromRow<'r, R>,
    DateTime<Utc>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    &'static str: sqlx::ColumnIndex<R>,
{
    fn from_row(row: &'r R) -> Result<Self, sqlx::Error> {
        Ok(ChangedRow {
            modified_at: row.try_get("modified_at")?,
            paper: PaperRow::from_row(row)?,
        })
    }
}

impl ChangedRow {
    pub fn into_changed(self) -> Result<super::Changed, StoreError> {
        Ok(super::Changed {
            modified_at: self.modified_at,
            paper: self.paper.into_paper()?,
        })
    }
}

/// Assembles a [`Listing`] from the per-kind counts and the page's rows.
pub(crate) fn listing(
    date: NaiveDate,
    counts: &[(bool, i64)],
    rows: Vec<(bool, PaperRow)>,
) -> Result<Listing, StoreError> {
    let count = |kind: bool| {
        counts
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, n)| (*n).max(0) as u64)
            .sum::<u64>()
    };
    let papers = rows
        .into_iter()
        .map(|(is_new, row)| {
            Ok(ListedPaper {
                kind: if is_new {
                    ListingKind::New
                } else {
                    ListingKind::Cross
                },
                paper: row.into_paper()?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Listing {
        date,
        total: count(true) + count(false),
        new: count(true),
        cross: count(false),
        papers,
    })
}

pub(crate) fn day_counts(rows: Vec<(NaiveDate, String, i64)>) -> Result<Vec<DayCount>, StoreError> {
    rows.into_iter()
        .map(|(date, category, n)| {
            Ok(DayCount {
                date,
                category: Category::from_source(&category).map_err(|e| StoreError::Corrupt {
                    id: format!("category row {category}"),
                    reason: e.to_string(),
                })?,
                papers: n.max(0) as u64,
            })
        })
        .collect()
}
