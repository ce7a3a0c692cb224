//! The reading pages: the home page (the latest day's categories) and one category expression's
//! papers for one day, with previous/next day and paging.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use chrono::NaiveDate;
use papers_core::store::{ListedPaper, ListingKind};
use papers_core::{CategoryExpr, Paper};
use serde::Deserialize;

use crate::{AppError, AppState};

/// Page sizes a reader may ask for; the default matches Cool Papers'.
const DEFAULT_SHOW: u32 = 25;
const MAX_SHOW: u32 = 200;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/arxiv/{expr}", get(listing))
}

/// One archive's line on the home page.
struct ArchiveCounts {
    archive: String,
    group: &'static str,
    /// (category code, human name, papers that day)
    categories: Vec<(String, &'static str, u64)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
struct HomePage {
    /// The day shown: the latest, or the one asked for with `?date=`.
    day: Option<NaiveDate>,
    /// The query string category links carry so they open the same day (empty for the latest).
    day_query: String,
    papers: u64,
    archives: Vec<ArchiveCounts>,
    recent_days: Vec<NaiveDate>,
}

#[derive(Debug, Deserialize)]
struct HomeQuery {
    date: Option<String>,
}

async fn home(
    State(state): State<AppState>,
    Query(query): Query<HomeQuery>,
) -> Result<HomePage, AppError> {
    let store = &state.store;
    let dates = store.announced_dates().await?;
    let papers = store.paper_count().await?;
    let latest = dates.first().copied();
    let day = match query.date.as_deref() {
        Some(text) if !text.is_empty() => Some(parse_date(text)?),
        _ => latest,
    };
    let mut by_archive: BTreeMap<String, ArchiveCounts> = BTreeMap::new();
    if let Some(day) = day {
        for count in store.day_counts(day, day).await? {
            let info = count.category.info();
            let archive = count.category.archive().to_string();
            let entry = by_archive
                .entry(archive.clone())
                .or_insert_with(|| ArchiveCounts {
                    archive,
                    group: info.map_or("Other", |i| i.group),
                    categories: Vec::new(),
                });
            entry.categories.push((
                count.category.to_string(),
                info.map_or("", |i| i.name),
                count.papers,
            ));
        }
    }
    let mut archives: Vec<ArchiveCounts> = by_archive.into_values().collect();
    archives.sort_by(|a, b| (a.group, &a.archive).cmp(&(b.group, &b.archive)));
    Ok(HomePage {
        day_query: match day {
            Some(d) if day != latest => format!("?date={d}"),
            _ => String::new(),
        },
        day,
        papers,
        archives,
        recent_days: dates.into_iter().take(30).collect(),
    })
}

fn parse_date(text: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| AppError::BadRequest(format!("date '{}' is not YYYY-MM-DD", clip(text))))
}

#[derive(Debug, Deserialize)]
struct ListingQuery {
    date: Option<String>,
    show: Option<String>,
    skip: Option<String>,
}

/// A paper as the listing shows it.
struct Entry {
    number: u64,
    kind: &'static str,
    paper: Paper,
    abs_url: String,
    pdf_url: String,
    categories: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "listing.html")]
struct ListingPage {
    expr: String,
    date: NaiveDate,
    total: u64,
    new: u64,
    cross: u64,
    entries: Vec<Entry>,
    previous_day: Option<NaiveDate>,
    next_day: Option<NaiveDate>,
    show: u32,
    previous_skip: Option<u64>,
    next_skip: Option<u64>,
}

async fn listing(
    State(state): State<AppState>,
    Path(expr): Path<String>,
    Query(query): Query<ListingQuery>,
) -> Result<ListingPage, AppError> {
    let expr = CategoryExpr::parse(&expr).map_err(|e| AppError::NotFound(e.to_string()))?;
    let show = parse_number(query.show.as_deref(), "show", DEFAULT_SHOW)?;
    if show == 0 || show > MAX_SHOW {
        return Err(AppError::BadRequest(format!(
            "show must be between 1 and {MAX_SHOW}"
        )));
    }
    let skip = parse_number(query.skip.as_deref(), "skip", 0)?;

    // Dates come newest first.
    let dates = state.store.announced_dates().await?;
    let date = match query.date.as_deref() {
        Some(text) => parse_date(text)?,
        None => *dates
            .first()
            .ok_or_else(|| AppError::NotFound("No papers are stored yet.".into()))?,
    };
    let older = dates.iter().find(|d| **d < date).copied();
    let newer = dates.iter().rev().find(|d| **d > date).copied();

    let listing = state.store.list_day(&expr, date, skip, show).await?;
    let entries = listing
        .papers
        .into_iter()
        .enumerate()
        .map(|(i, ListedPaper { kind, paper })| Entry {
            number: u64::from(skip) + i as u64 + 1,
            kind: match kind {
                ListingKind::New => "new",
                ListingKind::Cross => "cross-list",
            },
            abs_url: paper.id.abs_url(None),
            pdf_url: paper.id.pdf_url(None),
            categories: paper
                .categories
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" "),
            paper,
        })
        .collect();
    let next = u64::from(skip) + u64::from(show);
    Ok(ListingPage {
        expr: expr.to_string(),
        date,
        total: listing.total,
        new: listing.new,
        cross: listing.cross,
        entries,
        previous_day: older,
        next_day: newer,
        show,
        previous_skip: (skip > 0).then(|| u64::from(skip.saturating_sub(show))),
        next_skip: (next < listing.total).then_some(next),
    })
}

fn parse_number(value: Option<&str>, name: &str, default: u32) -> Result<u32, AppError> {
    match value {
        None | Some("") => Ok(default),
        Some(text) => text.parse().map_err(|_| {
            AppError::BadRequest(format!(
                "{name} must be a whole number, not '{}'",
                clip(text)
            ))
        }),
    }
}

/// Keeps echoed input short (it is escaped by the template either way).
fn clip(text: &str) -> String {
    text.chars().take(40).collect()
}
