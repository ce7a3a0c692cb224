//! `/search?q=`: full-text and meaning search with filters (category, venue, dates), sort and
//! paging. A pasted arXiv id or URL goes straight to that paper.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Days, NaiveDate};
use papers_core::ArxivId;
use papers_indexer::{SearchOptions, SearchResults, Sort};
use serde::Deserialize;

use super::Card;
use crate::{AppError, AppState, params};

#[derive(Debug, Default, Deserialize)]
pub struct SearchQuery {
    pub q: Option<String>,
    /// A category (`cs.LG`) or an archive (`cs`).
    pub cat: Option<String>,
    /// A venue or edition (`ICLR`, `ICLR.2026`).
    pub venue: Option<String>,
    /// First and last announced day, inclusive.
    pub from: Option<String>,
    pub to: Option<String>,
    /// `relevance` (default) or `newest`.
    pub sort: Option<String>,
    pub show: Option<String>,
    pub skip: Option<String>,
}

/// A search as the page, its feed and the API run it: the reader's words plus the filters,
/// already checked.
pub struct Search {
    pub words: String,
    pub cat: String,
    pub venue: String,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub sort: Sort,
    pub show: u32,
    pub skip: u32,
}

impl Search {
    pub fn parse(query: &SearchQuery) -> Result<Search, AppError> {
        // Filters become `cat:` and `venue:` terms; one plain token each, so a value cannot add
        // words or operators to the query (the query parser then checks it is a real category).
        let cat = filter_token(
            query.cat.as_deref(),
            "cat",
            "an arXiv category or archive (cs.LG, or cs)",
        )?;
        let venue = filter_token(
            query.venue.as_deref(),
            "venue",
            "a venue (ICLR, or ICLR.2026)",
        )?;
        let sort = match query.sort.as_deref().unwrap_or("") {
            "" | "relevance" => Sort::Relevance,
            "newest" => Sort::Newest,
            other => {
                return Err(AppError::BadRequest(format!(
                    "sort must be relevance or newest, not '{}'.",
                    params::clip(other)
                )));
            }
        };
        let from = params::optional_date(query.from.as_deref())?;
        let to = params::optional_date(query.to.as_deref())?;
        if let (Some(from), Some(to)) = (from, to)
            && from > to
        {
            return Err(AppError::BadRequest(format!(
                "The date range is empty: {from} is after {to}."
            )));
        }
        Ok(Search {
            words: params::query(query.q.as_deref())?,
            cat,
            venue,
            from,
            to,
            sort,
            show: params::show(query.show.as_deref())?,
            skip: params::skip(query.skip.as_deref())?,
        })
    }

    /// The words plus the filters in the query language the index reads.
    pub fn query_text(&self) -> String {
        let mut text = self.words.clone();
        if !self.cat.is_empty() {
            text.push_str(&format!(" cat:{}", self.cat));
        }
        if !self.venue.is_empty() {
            text.push_str(&format!(" venue:{}", self.venue));
        }
        if let Some(from) = self.from {
            text.push_str(&format!(" after:{from}"));
        }
        // `before:` excludes its day; the form's last day is included.
        if let Some(after_to) = self.to.and_then(|to| to.checked_add_days(Days::new(1))) {
            text.push_str(&format!(" before:{after_to}"));
        }
        text
    }

    pub async fn run(&self, state: &AppState) -> Result<SearchResults, AppError> {
        let options = SearchOptions {
            limit: self.show as usize,
            offset: self.skip as usize,
            sort: self.sort,
        };
        Ok(state.library.search(&self.query_text(), options).await?)
    }

    /// The query string of this search, for links to other pages of it and to its feed.
    pub fn link_query(&self, skip: Option<u64>) -> String {
        let mut pairs = vec![("q", self.words.clone())];
        for (name, value) in [("cat", &self.cat), ("venue", &self.venue)] {
            if !value.is_empty() {
                pairs.push((name, value.clone()));
            }
        }
        if let Some(from) = self.from {
            pairs.push(("from", from.to_string()));
        }
        if let Some(to) = self.to {
            pairs.push(("to", to.to_string()));
        }
        if self.sort == Sort::Newest {
            pairs.push(("sort", "newest".into()));
        }
        if let Some(skip) = skip {
            pairs.push(("show", self.show.to_string()));
            pairs.push(("skip", skip.to_string()));
        }
        // Plain string pairs always encode.
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    }
}

/// A filter's value: empty, or one token of letters, digits, `.` and `-`.
fn filter_token(value: Option<&str>, name: &str, what: &str) -> Result<String, AppError> {
    let value = value.unwrap_or("").trim();
    let plain = value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    if !plain || value.len() > 40 {
        return Err(AppError::BadRequest(format!(
            "{name} '{}' is not {what}.",
            params::clip(value)
        )));
    }
    Ok(value.to_string())
}

#[derive(Template, WebTemplate)]
#[template(path = "search.html")]
pub struct SearchPage {
    q: String,
    cat: String,
    venue: String,
    from: String,
    to: String,
    newest: bool,
    /// Why the search could not run, in words a reader can act on.
    error: Option<String>,
    total: usize,
    cards: Vec<Card>,
    first: u64,
    last: u64,
    feed_query: String,
    previous_query: Option<String>,
    next_query: Option<String>,
    /// Search ran with meaning as well as words.
    hybrid: bool,
}

impl SearchPage {
    fn empty(query: &SearchQuery) -> SearchPage {
        let text = |value: &Option<String>| params::clip(value.as_deref().unwrap_or(""));
        SearchPage {
            q: text(&query.q),
            cat: text(&query.cat),
            venue: text(&query.venue),
            from: text(&query.from),
            to: text(&query.to),
            newest: query.sort.as_deref() == Some("newest"),
            error: None,
            total: 0,
            cards: Vec::new(),
            first: 0,
            last: 0,
            feed_query: String::new(),
            previous_query: None,
            next_query: None,
            hybrid: false,
        }
    }
}

pub async fn search(
    State(state): State<AppState>,
    Query(query): Query<SearchQuery>,
) -> Result<Response, AppError> {
    let mut page = SearchPage::empty(&query);
    let search = match Search::parse(&query) {
        Ok(search) => {
            // What the search box shows again: the words as searched (trimmed, no control
            // characters), not the raw input.
            page.q = search.words.clone();
            search
        }
        Err(AppError::BadRequest(reason)) => {
            page.error = Some(reason);
            return Ok((StatusCode::BAD_REQUEST, page).into_response());
        }
        Err(other) => return Err(other),
    };
    if search.query_text().trim().is_empty() {
        return Ok(page.into_response());
    }
    let results = match search.run(&state).await {
        Ok(results) => results,
        Err(AppError::BadRequest(reason)) => {
            page.error = Some(reason);
            return Ok((StatusCode::BAD_REQUEST, page).into_response());
        }
        Err(other) => return Err(other),
    };
    if let Some(id) = &results.jump {
        // A pasted id or URL: its page (a local path built from a checked id, never the input).
        return Ok(Redirect::to(&format!("/arxiv/{id}")).into_response());
    }
    let skip = u64::from(search.skip);
    page.cards = super::with_venues(&state, cards(&results, skip)).await;
    page.total = results.total;
    page.first = skip + 1;
    page.last = skip + page.cards.len() as u64;
    page.hybrid = state.library.has_vectors();
    page.feed_query = search.link_query(None);
    let show = u64::from(search.show);
    page.previous_query = (skip > 0).then(|| search.link_query(Some(skip.saturating_sub(show))));
    page.next_query =
        ((skip + show) < results.total as u64).then(|| search.link_query(Some(skip + show)));
    Ok(page.into_response())
}

/// Search hits as cards: highlighted title and snippet, already escaped by the index.
pub fn cards(results: &SearchResults, skip: u64) -> Vec<Card> {
    results
        .hits
        .iter()
        .enumerate()
        .map(|(i, hit)| {
            // The index holds ids the service wrote; one that does not parse gets no links out.
            let parsed = ArxivId::parse_any(&hit.id).ok();
            let source_url = parsed.as_ref().and_then(ArxivId::source_url);
            let mut copy = format!("{}\n{}", hit.title, super::authors_line(&hit.authors, 40));
            if let Some(url) = &source_url {
                copy.push('\n');
                copy.push_str(url);
            }
            Card {
                number: skip + i as u64 + 1,
                copy,
                page_url: parsed
                    .as_ref()
                    .map_or_else(|| format!("/arxiv/{}", hit.id), super::page_path),
                source_label: parsed
                    .as_ref()
                    .map_or_else(String::new, super::source_label),
                pdf_url: parsed.as_ref().and_then(ArxivId::source_pdf_url),
                source_url,
                venues: Vec::new(),
                id: hit.id.clone(),
                version: hit.version as u32,
                title: hit.title.clone(),
                title_html: Some(hit.title_html.clone()),
                authors: super::authors_line(&hit.authors, 12),
                abstract_text: String::new(),
                snippet_html: Some(hit.snippet_html.clone()),
                kind: None,
                categories: hit.categories.clone(),
                comment: None,
                date: hit.date,
            }
        })
        .collect()
}
