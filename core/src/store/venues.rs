//! Venue links: which papers were accepted where (`venue_papers`), and the reads venue pages,
//! feeds, the index and imports need.

use std::collections::HashMap;

use chrono::Utc;

use super::StoreError;
use super::dialect::{Dialect, both};
use super::row::{PaperRow, prefixed_columns};
use crate::arxiv_id::ArxivId;
use crate::paper::Paper;
use crate::venue::{GroupCount, LinkSource, VenueLink};

/// Papers per statement: 7 bound values each stays under SQLite's parameter limit.
const CHUNK: usize = 400;

/// What a paper is matched by when a venue lists it without an arXiv id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatchCandidate {
    pub id: ArxivId,
    pub title: String,
    pub first_author: Option<String>,
}

#[derive(sqlx::FromRow)]
struct LinkRow {
    paper_id: String,
    venue: String,
    year: i32,
    grp: String,
    source: String,
    url: Option<String>,
    pdf_url: Option<String>,
}

impl LinkRow {
    fn into_link(self) -> Result<(ArxivId, VenueLink), StoreError> {
        let corrupt = |reason: String| StoreError::Corrupt {
            id: self.paper_id.clone(),
            reason,
        };
        let id = ArxivId::parse_any(&self.paper_id).map_err(|e| corrupt(e.to_string()))?;
        let source = LinkSource::parse(&self.source)
            .ok_or_else(|| corrupt(format!("unknown venue source '{}'", self.source)))?;
        let year = u16::try_from(self.year)
            .map_err(|_| corrupt(format!("venue year {} out of range", self.year)))?;
        Ok((
            id,
            VenueLink {
                venue: self.venue,
                year,
                group: Some(self.grp).filter(|g| !g.is_empty()),
                source,
                url: self.url,
                pdf_url: self.pdf_url,
            },
        ))
    }
}

const LINK_COLUMNS: &str = "paper_id, venue, year, grp, source, url, pdf_url";

/// `(?, ?, …), (…)`: the placeholders of `rows` rows of `width` values.
fn placeholders(rows: usize, width: usize) -> String {
    let row = format!("({})", vec!["?"; width].join(", "));
    vec![row; rows].join(", ")
}

/// Sets the sort key (the title in lower case) of the venue links of `ids` from their papers.
const SORT_KEYS: &str = "UPDATE venue_papers SET sort_key = COALESCE((SELECT LOWER(p.title) \
     FROM papers p WHERE p.id = venue_papers.paper_id), '') WHERE paper_id IN";

both! {
    /// Makes `claims` the comment-derived links of their papers, replacing the ones they had.
    /// Links an import made are kept, and win over a claim of the same edition.
    pub async fn replace_comment_venues(&self, claims: &[(ArxivId, Vec<VenueLink>)]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        for chunk in claims.chunks(CHUNK) {
            let sql = format!(
                "DELETE FROM venue_papers WHERE source = 'arxiv' AND paper_id IN ({})",
                vec!["?"; chunk.len()].join(", ")
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(Self::sql_owned(sql)));
            for (id, _) in chunk {
                query = query.bind(id.as_str());
            }
            query.execute(&mut *tx).await?;
            let rows: Vec<(&ArxivId, &VenueLink)> = chunk
                .iter()
                .flat_map(|(id, links)| links.iter().map(move |l| (id, l)))
                .collect();
            if !rows.is_empty() {
                let sql = format!(
                    "INSERT INTO venue_papers ({LINK_COLUMNS}) VALUES {} ON CONFLICT DO NOTHING",
                    placeholders(rows.len(), 7)
                );
                let mut query = sqlx::query(sqlx::AssertSqlSafe(Self::sql_owned(sql)));
                for (id, link) in rows {
                    query = query
                        .bind(id.as_str())
                        .bind(&link.venue)
                        .bind(i32::from(link.year))
                        .bind(link.group.as_deref().unwrap_or(""))
                        .bind(LinkSource::Arxiv.as_str())
                        .bind(&link.url)
                        .bind(&link.pdf_url);
                }
                query.execute(&mut *tx).await?;
            }
            // These papers changed: their titles (every link's sort key) may have too.
            let sql = format!("{SORT_KEYS} ({})", vec!["?"; chunk.len()].join(", "));
            let mut query = sqlx::query(sqlx::AssertSqlSafe(Self::sql_owned(sql)));
            for (id, _) in chunk {
                query = query.bind(id.as_str());
            }
            query.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Stores links an import found (replacing what the same paper had at the same edition) and
    /// marks their papers changed, so the index picks the venue up. Returns how many links were
    /// new or different; writing the same links again changes nothing.
    pub async fn put_venue_links(&self, links: &[(ArxivId, VenueLink)]) -> Result<u64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let mut changed = 0u64;
        for chunk in links.chunks(CHUNK) {
            let sql = format!(
                "SELECT {LINK_COLUMNS} FROM venue_papers WHERE paper_id IN ({})",
                vec!["?"; chunk.len()].join(", ")
            );
            let mut query = sqlx::query_as::<_, LinkRow>(sqlx::AssertSqlSafe(Self::sql_owned(sql)));
            for (id, _) in chunk {
                query = query.bind(id.as_str());
            }
            let stored = query
                .fetch_all(&mut *tx)
                .await?
                .into_iter()
                .map(LinkRow::into_link)
                .collect::<Result<Vec<_>, _>>()?;
            let fresh: Vec<&(ArxivId, VenueLink)> = chunk
                .iter()
                .filter(|(id, link)| {
                    !stored.iter().any(|(sid, s)| sid == id && s == link)
                })
                .collect();
            if fresh.is_empty() {
                continue;
            }
            changed += fresh.len() as u64;
            let sql = format!(
                "INSERT INTO venue_papers ({LINK_COLUMNS}) VALUES {} \
                 ON CONFLICT (paper_id, venue, year) DO UPDATE SET grp = excluded.grp, \
                 source = excluded.source, url = excluded.url, pdf_url = excluded.pdf_url",
                placeholders(fresh.len(), 7)
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(Self::sql_owned(sql)));
            for (id, link) in &fresh {
                query = query
                    .bind(id.as_str())
                    .bind(&link.venue)
                    .bind(i32::from(link.year))
                    .bind(link.group.as_deref().unwrap_or(""))
                    .bind(link.source.as_str())
                    .bind(&link.url)
                    .bind(&link.pdf_url);
            }
            query.execute(&mut *tx).await?;
            let sql = format!("{SORT_KEYS} ({})", vec!["?"; fresh.len()].join(", "));
            let mut query = sqlx::query(sqlx::AssertSqlSafe(Self::sql_owned(sql)));
            for (id, _) in &fresh {
                query = query.bind(id.as_str());
            }
            query.execute(&mut *tx).await?;
            let sql = format!(
                "UPDATE papers SET modified_at = ? WHERE id IN ({})",
                vec!["?"; fresh.len()].join(", ")
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(Self::sql_owned(sql))).bind(Utc::now());
            for (id, _) in &fresh {
                query = query.bind(id.as_str());
            }
            query.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(changed)
    }

    /// The venue links of `ids`, by paper.
    pub async fn venue_links(&self, ids: &[ArxivId]) -> Result<HashMap<ArxivId, Vec<VenueLink>>, StoreError> {
        let mut links: HashMap<ArxivId, Vec<VenueLink>> = HashMap::new();
        for chunk in ids.chunks(CHUNK) {
            let sql = format!(
                "SELECT {LINK_COLUMNS} FROM venue_papers WHERE paper_id IN ({}) \
                 ORDER BY paper_id, year DESC, venue",
                vec!["?"; chunk.len()].join(", ")
            );
            let mut query = sqlx::query_as::<_, LinkRow>(sqlx::AssertSqlSafe(Self::sql_owned(sql)));
            for id in chunk {
                query = query.bind(id.as_str());
            }
            for row in query.fetch_all(&self.pool).await? {
                let (id, link) = row.into_link()?;
                links.entry(id).or_default().push(link);
            }
        }
        Ok(links)
    }

    /// Papers per venue, edition and group: what `/venue` lists.
    pub async fn venue_groups(&self) -> Result<Vec<GroupCount>, StoreError> {
        let rows: Vec<(String, i32, String, i64)> = sqlx::query_as(
            "SELECT venue, year, grp, COUNT(*) FROM venue_papers GROUP BY venue, year, grp \
             ORDER BY venue, year DESC, grp",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(venue, year, group, papers)| {
                Some(GroupCount {
                    venue,
                    year: u16::try_from(year).ok()?,
                    group: Some(group).filter(|g| !g.is_empty()),
                    papers: papers as u64,
                })
            })
            .collect())
    }

    /// A page of an edition's papers (of one group, when given), by title.
    pub async fn venue_papers(
        &self,
        venue: &str,
        year: u16,
        group: Option<&str>,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<(Paper, VenueLink)>, StoreError> {
        let group_clause = if group.is_some() { " AND v.grp = ?" } else { "" };
        let sql = format!(
            "SELECT {}, v.grp AS link_grp, v.source AS link_source, v.url AS link_url, \
             v.pdf_url AS link_pdf_url \
             FROM venue_papers v JOIN papers p ON p.id = v.paper_id \
             WHERE v.venue = ? AND v.year = ?{group_clause} \
             ORDER BY v.sort_key, v.paper_id LIMIT ? OFFSET ?",
            prefixed_columns("p")
        );
        let mut query = sqlx::query_as::<_, EditionRow>(sqlx::AssertSqlSafe(Self::sql_owned(sql)))
            .bind(venue)
            .bind(i32::from(year));
        if let Some(group) = group {
            query = query.bind(group);
        }
        let rows = query
            .bind(i64::from(limit))
            .bind(i64::from(offset))
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter()
            .map(|row| {
                let link = VenueLink {
                    venue: venue.to_string(),
                    year,
                    group: Some(row.link_grp).filter(|g| !g.is_empty()),
                    source: LinkSource::parse(&row.link_source).unwrap_or(LinkSource::Arxiv),
                    url: row.link_url,
                    pdf_url: row.link_pdf_url,
                };
                Ok((row.paper.into_paper()?, link))
            })
            .collect()
    }

    /// Merges `duplicate`, a venue-only paper, into `into`, the arXiv paper it turned out to
    /// be: its venue links move over (where `into` has none for the edition), then it is removed
    /// and remembered as removed so every index drops it. False if `duplicate` was not stored.
    pub async fn merge_venue_paper(&self, duplicate: &ArxivId, into: &ArxivId) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(sqlx::AssertSqlSafe(Self::sql(
            "INSERT INTO venue_papers (paper_id, venue, year, grp, source, url, pdf_url) \
             SELECT ?, venue, year, grp, source, url, pdf_url FROM venue_papers WHERE paper_id = ? \
             ON CONFLICT DO NOTHING",
        )))
        .bind(into.as_str())
        .bind(duplicate.as_str())
        .execute(&mut *tx)
        .await?;
        let removed = sqlx::query(sqlx::AssertSqlSafe(Self::sql("DELETE FROM papers WHERE id = ?")))
            .bind(duplicate.as_str())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if removed == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query(sqlx::AssertSqlSafe(Self::sql(
            "INSERT INTO removed_papers (id, merged_into, removed_at) VALUES (?, ?, ?) \
             ON CONFLICT (id) DO UPDATE SET merged_into = excluded.merged_into, removed_at = excluded.removed_at",
        )))
        .bind(duplicate.as_str())
        .bind(into.as_str())
        .bind(Utc::now())
        .execute(&mut *tx)
        .await?;
        sqlx::query(sqlx::AssertSqlSafe(Self::sql_owned(format!("{SORT_KEYS} (?)"))))
            .bind(into.as_str())
            .execute(&mut *tx)
            .await?;
        sqlx::query(sqlx::AssertSqlSafe(Self::sql("UPDATE papers SET modified_at = ? WHERE id = ?")))
            .bind(Utc::now())
            .bind(into.as_str())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Papers removed from the Store (and not stored again since), for indexes to drop.
    pub async fn removed_papers(&self) -> Result<Vec<ArxivId>, StoreError> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT id FROM removed_papers WHERE id NOT IN (SELECT id FROM papers) ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().filter_map(|(id,)| ArxivId::parse_any(&id).ok()).collect())
    }

    /// Every paper's id, title and first author, for matching a venue's list against them.
    pub async fn match_candidates(&self) -> Result<Vec<MatchCandidate>, StoreError> {
        let rows: Vec<(String, String, String)> =
            sqlx::query_as("SELECT id, title, authors FROM papers")
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter()
            .map(|(id, title, authors)| {
                let parsed = ArxivId::parse_any(&id).map_err(|e| StoreError::Corrupt {
                    id: id.clone(),
                    reason: e.to_string(),
                })?;
                let first_author = serde_json::from_str::<Vec<String>>(&authors)
                    .ok()
                    .and_then(|a| a.into_iter().next());
                Ok(MatchCandidate { id: parsed, title, first_author })
            })
            .collect()
    }
}

/// A paper with its link to the edition being listed.
#[derive(sqlx::FromRow)]
struct EditionRow {
    #[sqlx(flatten)]
    paper: PaperRow,
    link_grp: String,
    link_source: String,
    link_url: Option<String>,
    link_pdf_url: Option<String>,
}
