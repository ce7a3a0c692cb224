//! `/arxiv/{expr}`: one category expression's papers for one announced day, as arXiv lists them
//! (new submissions, then cross-lists), with the neighbouring days and paging.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use chrono::NaiveDate;
use serde::Deserialize;

use super::Card;
use crate::{AppError, AppState, params};

/// Days offered as links beside a listing.
const RECENT_DAYS: usize = 14;

#[derive(Debug, Default, Deserialize)]
pub struct ListingQuery {
    pub date: Option<String>,
    pub show: Option<String>,
    pub skip: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "listing.html")]
pub struct ListingPage {
    expr: String,
    date: NaiveDate,
    total: u64,
    new: u64,
    cross: u64,
    cards: Vec<Card>,
    previous_day: Option<NaiveDate>,
    next_day: Option<NaiveDate>,
    days: Vec<NaiveDate>,
    show: u32,
    previous_skip: Option<u64>,
    next_skip: Option<u64>,
    first: u64,
    last: u64,
}

/// One page of one day, as the page and the JSON API show it.
pub struct Day {
    pub date: NaiveDate,
    pub listing: papers_core::store::Listing,
    pub older: Option<NaiveDate>,
    pub newer: Option<NaiveDate>,
    pub dates: Vec<NaiveDate>,
}

/// Reads the day a query asks for (the latest announced one by default).
pub async fn day(
    state: &AppState,
    expr: &papers_core::CategoryExpr,
    query: &ListingQuery,
) -> Result<(Day, u32, u32), AppError> {
    let show = params::show(query.show.as_deref())?;
    let skip = params::skip(query.skip.as_deref())?;
    // Dates come newest first.
    let dates = state.calendar.dates(&state.store).await?;
    let date = match params::optional_date(query.date.as_deref())? {
        Some(date) => date,
        None => *dates
            .first()
            .ok_or_else(|| AppError::NotFound("No papers are stored yet.".into()))?,
    };
    let older = dates.iter().find(|d| **d < date).copied();
    let newer = dates.iter().rev().find(|d| **d > date).copied();
    let listing = state.store.list_day(expr, date, skip, show).await?;
    Ok((
        Day {
            date,
            listing,
            older,
            newer,
            dates: dates.to_vec(),
        },
        show,
        skip,
    ))
}

pub async fn listing(
    State(state): State<AppState>,
    Path(expr): Path<String>,
    Query(query): Query<ListingQuery>,
) -> Result<ListingPage, AppError> {
    let expr = params::category_expr(&expr)?;
    let (day, show, skip) = day(&state, &expr, &query).await?;
    let skip = u64::from(skip);
    let cards: Vec<Card> = day
        .listing
        .papers
        .iter()
        .enumerate()
        .map(|(i, listed)| Card::new(skip + i as u64 + 1, &listed.paper, Some(listed.kind)))
        .collect();
    let cards = super::with_venues(&state, cards).await;
    let next = skip + u64::from(show);
    Ok(ListingPage {
        expr: expr.to_string(),
        date: day.date,
        total: day.listing.total,
        new: day.listing.new,
        cross: day.listing.cross,
        first: skip + 1,
        last: skip + cards.len() as u64,
        cards,
        previous_day: day.older,
        next_day: day.newer,
        days: day.dates.into_iter().take(RECENT_DAYS).collect(),
        show,
        previous_skip: (skip > 0).then(|| skip.saturating_sub(u64::from(show))),
        next_skip: (next < day.listing.total).then_some(next),
    })
}
