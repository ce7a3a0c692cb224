//! A feed for every list: a category expression's day, a topic, a venue's edition, a search.
//! RSS 2.0 by default, Atom with `?format=atom`; ETag and Last-Modified so a feed reader polling
//! every few minutes gets a 304 until something changes.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use papers_core::{ArxivId, Paper};
use papers_indexer::Sort;
use serde::Deserialize;

use crate::feed::{self, Channel, Format};
use crate::pages::listing::{ListingQuery, day};
use crate::pages::search::{Search, SearchQuery};
use crate::pages::topic::find;
use crate::pages::venue;
use crate::{AppError, AppState, conditional, params};

/// Items in a topic or search feed; a day's feed has the whole day (up to [`params::MAX_SHOW`]).
const FEED_ITEMS: u32 = 50;
/// Feed readers may reuse a feed this long before asking again (then mostly for a 304).
const CACHE_CONTROL: &str = "public, max-age=300";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/arxiv/{expr}/feed", get(category_feed))
        .route("/topic/{name}/feed", get(topic_feed))
        .route("/search/feed", get(search_feed))
        // `ICLR.2026`, or `ICLR`: whichever edition is the latest.
        .route("/venue/{key}/feed", get(venue_feed))
}

#[derive(Debug, Default, Deserialize)]
struct FeedQuery {
    format: Option<String>,
    date: Option<String>,
}

fn format(text: Option<&str>) -> Result<Format, AppError> {
    Format::from_query(text).map_err(AppError::BadRequest)
}

fn respond(
    state: &AppState,
    headers: &HeaderMap,
    format: Format,
    channel: Channel,
    papers: &[Paper],
) -> Response {
    let body = feed::render(format, &channel, papers, &state.site.url);
    conditional::respond(
        headers,
        format.content_type(),
        CACHE_CONTROL,
        body,
        feed::last_updated(papers),
    )
}

async fn category_feed(
    State(state): State<AppState>,
    Path(expr): Path<String>,
    Query(query): Query<FeedQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let format = format(query.format.as_deref())?;
    let expr = params::category_expr(&expr)?;
    let listing_query = ListingQuery {
        date: query.date,
        show: Some(params::MAX_SHOW.to_string()),
        skip: None,
    };
    let (day, _, _) = day(&state, &expr, &listing_query).await?;
    let papers: Vec<Paper> = day.listing.papers.into_iter().map(|l| l.paper).collect();
    let page_url = format!("{}/arxiv/{expr}", state.site.url);
    let channel = Channel {
        title: format!("{expr} — papers"),
        description: format!("arXiv papers in {expr}, {}", day.date),
        feed_url: format!("{page_url}/feed"),
        page_url,
    };
    Ok(respond(&state, &headers, format, channel, &papers))
}

#[derive(Debug, Default, Deserialize)]
struct TopicFeedQuery {
    format: Option<String>,
}

async fn topic_feed(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(query): Query<TopicFeedQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let format = format(query.format.as_deref())?;
    let topic = find(&state, &name)?.clone();
    let papers = state.store.topic_papers(&topic.name, FEED_ITEMS, 0).await?;
    let page_url = format!("{}/topic/{}", state.site.url, topic.name);
    let channel = Channel {
        title: format!("{} — papers", topic.title),
        description: format!("New arXiv papers matching {}", topic.query),
        feed_url: format!("{page_url}/feed"),
        page_url,
    };
    Ok(respond(&state, &headers, format, channel, &papers))
}

#[derive(Debug, Default, Deserialize)]
struct VenueFeedQuery {
    format: Option<String>,
    group: Option<String>,
}

/// An edition's papers (one group's, when asked), as its page lists them, up to
/// [`params::MAX_SHOW`]: the Store knows no date a paper joined an edition, so there is no
/// "newest" to put first.
async fn venue_feed(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Query(query): Query<VenueFeedQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let format = format(query.format.as_deref())?;
    let venues = venue::venues(state.store.venue_groups().await?);
    let found =
        venue::resolve(&venues, &key, query.group.as_deref()).map_err(AppError::NotFound)?;
    let (name, year) = (found.edition.venue.as_str(), found.edition.year);
    let group = found.group.as_deref();
    let papers: Vec<Paper> = state
        .store
        .venue_papers(name, year, group, params::MAX_SHOW, 0)
        .await?
        .into_iter()
        .map(|(paper, _)| paper)
        .collect();
    // The latest-edition feed keeps its own address, so a subscriber moves on with the venue.
    let path = if found.latest {
        venue::venue_path(name)
    } else {
        venue::edition_path(name, year, None)
    };
    let with_group = |path: String| match group {
        Some(g) => format!(
            "{path}?{}",
            serde_urlencoded::to_string([("group", g)]).unwrap_or_default()
        ),
        None => path,
    };
    let label = match group {
        Some(g) => format!("{name} {year} · {g}"),
        None => format!("{name} {year}"),
    };
    let channel = Channel {
        title: format!("{label} — papers"),
        description: format!("Papers accepted at {label}"),
        page_url: format!("{}{}", state.site.url, with_group(path.clone())),
        feed_url: format!("{}{}", state.site.url, with_group(format!("{path}/feed"))),
    };
    Ok(respond(&state, &headers, format, channel, &papers))
}

#[derive(Debug, Default, Deserialize)]
struct SearchFeedQuery {
    format: Option<String>,
    #[serde(flatten)]
    search: SearchQuery,
}

/// The newest papers matching a search: what a subscriber to it wants to see arrive.
async fn search_feed(
    State(state): State<AppState>,
    Query(query): Query<SearchFeedQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let format = format(query.format.as_deref())?;
    let mut search = Search::parse(&query.search)?;
    if search.query_text().trim().is_empty() {
        return Err(AppError::BadRequest(
            "A search feed needs a query: /search/feed?q=words".into(),
        ));
    }
    search.sort = Sort::Newest;
    search.show = FEED_ITEMS;
    search.skip = 0;
    let results = search.run(&state).await?;
    let mut papers = Vec::with_capacity(results.hits.len());
    for hit in &results.hits {
        if let Ok(id) = ArxivId::parse_any(&hit.id)
            && let Some(paper) = state.store.get(&id).await?
        {
            papers.push(paper);
        }
    }
    let page_url = format!("{}/search?{}", state.site.url, search.link_query(None));
    let channel = Channel {
        title: format!("{} — papers search", search.words),
        description: format!("New arXiv papers matching {}", search.query_text()),
        feed_url: format!("{}/search/feed?{}", state.site.url, search.link_query(None)),
        page_url,
    };
    Ok(respond(&state, &headers, format, channel, &papers))
}
