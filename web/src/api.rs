//! The JSON API: the pages' data for scripts and other tools, described by the OpenAPI document
//! at `/api/openapi.json`. Errors are JSON too: `{"error": "...", "status": 400}`.

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use papers_core::venue::VenueLink;
use papers_core::{ArxivId, Paper};
use serde_json::{Value, json};

use crate::fetch_queue::FetchStatus;
use crate::pages::listing::{ListingQuery, day};
use crate::pages::paper::RELATED;
use crate::pages::search::{Search, SearchQuery};
use crate::pages::topic::{TopicQuery, find};
use crate::pages::venue::{self as venue_pages, Edition, VenueQuery, edition_path};
use crate::pages::{page_path, venue_links, web_url};
use crate::{AppError, AppState, params};

/// The OpenAPI 3.1 description of these routes.
const OPENAPI: &str = include_str!("openapi.json");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", get(openapi))
        .route("/api/papers/{id}", get(paper))
        .route("/api/papers/{archive}/{number}", get(old_style_paper))
        .route("/api/arxiv/{expr}", get(listing))
        .route("/api/search", get(search))
        .route("/api/related/{id}", get(related))
        .route("/api/topics", get(topics))
        .route("/api/topics/{name}", get(topic))
        .route("/api/venues", get(venues))
        .route("/api/venues/{key}", get(venue))
        .route("/api/", get(no_such_route))
        .route("/api/{*rest}", get(no_such_route))
}

/// An [`AppError`] answered as JSON.
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        ApiError(error)
    }
}

impl From<papers_core::StoreError> for ApiError {
    fn from(error: papers_core::StoreError) -> Self {
        ApiError(error.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, _, message) = self.0.parts();
        let mut response = (
            status,
            Json(json!({ "error": message, "status": status.as_u16() })),
        )
            .into_response();
        if status == StatusCode::TOO_MANY_REQUESTS {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
        }
        response
    }
}

type ApiResult = Result<Response, ApiError>;

async fn no_such_route() -> ApiError {
    ApiError(AppError::NotFound(
        "No such API route: see /api/openapi.json.".into(),
    ))
}

async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI)
}

/// A paper as the API shows it: its stored metadata, its venues, and links (those at its source
/// only when its id says where: a venue paper has no arXiv ones).
fn paper_json(state: &AppState, paper: &Paper, venues: &[VenueLink]) -> Value {
    let mut value = serde_json::to_value(paper).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        map.insert(
            "url".into(),
            format!("{}{}", state.site.url, page_path(&paper.id)).into(),
        );
        if let Some(url) = paper.id.source_url() {
            map.insert("abs_url".into(), url.into());
        }
        if let Some(url) = paper.id.source_pdf_url() {
            map.insert("pdf_url".into(), url.into());
        }
        let venues: Vec<Value> = venues
            .iter()
            .map(|link| {
                json!({
                    "venue": link.venue,
                    "year": link.year,
                    "group": link.group,
                    "source": link.source,
                    "url": web_url(link.url.clone()),
                    "pdf_url": web_url(link.pdf_url.clone()),
                    "page": format!("{}{}", state.site.url,
                        edition_path(&link.venue, link.year, link.group.as_deref())),
                })
            })
            .collect();
        map.insert("venues".into(), venues.into());
    }
    value
}

/// Papers as JSON with their venues, read in one Store call.
async fn papers_json<'a>(
    state: &AppState,
    papers: impl IntoIterator<Item = &'a Paper> + Clone,
) -> Vec<Value> {
    let ids: Vec<ArxivId> = papers.clone().into_iter().map(|p| p.id.clone()).collect();
    let links = venue_links(state, &ids).await;
    papers
        .into_iter()
        .map(|p| paper_json(state, p, links.get(&p.id).map_or(&[], Vec::as_slice)))
        .collect()
}

/// An arXiv id as a reader may paste it.
pub(crate) fn parse_id(text: &str) -> Result<ArxivId, ApiError> {
    ArxivId::parse_versioned(text)
        .map(|(id, _)| id)
        .map_err(|e| {
            ApiError(AppError::BadRequest(format!(
                "'{}' is not an arXiv id: {e}.",
                params::clip(text)
            )))
        })
}

/// The id of a paper this service may hold: an arXiv id, or a venue paper's (`openreview:…`).
pub(crate) fn parse_paper_id(text: &str) -> Result<ArxivId, ApiError> {
    ArxivId::parse_any_versioned(text)
        .map(|(id, _)| id)
        .map_err(|e| {
            ApiError(AppError::BadRequest(format!(
                "'{}' is not a paper id: {e}.",
                params::clip(text)
            )))
        })
}

async fn paper(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult {
    paper_by_id(&state, parse_paper_id(&id)?).await
}

async fn old_style_paper(
    State(state): State<AppState>,
    Path((archive, number)): Path<(String, String)>,
) -> ApiResult {
    paper_by_id(&state, parse_id(&format!("{archive}/{number}"))?).await
}

async fn paper_by_id(state: &AppState, id: ArxivId) -> ApiResult {
    if let Some(paper) = state.store.get(&id).await? {
        let papers = papers_json(state, std::slice::from_ref(&paper)).await;
        return Ok(Json(&papers[0]).into_response());
    }
    if !id.is_arxiv() {
        // Nothing to fetch: venue papers arrive with their venue's import.
        return Err(ApiError(AppError::NotFound(format!(
            "{id} is not stored here."
        ))));
    }
    // Not stored: queue it, as the page does, and say what became of the request.
    let (status, word) = match state.fetches.request(&id) {
        FetchStatus::Queued => (StatusCode::ACCEPTED, "queued"),
        FetchStatus::Missing => (StatusCode::NOT_FOUND, "not on arXiv"),
        FetchStatus::Full => (StatusCode::SERVICE_UNAVAILABLE, "fetch queue full"),
        FetchStatus::Disabled => (StatusCode::NOT_FOUND, "not stored"),
    };
    Ok((
        status,
        Json(json!({ "id": id.to_string(), "stored": false, "fetch": word })),
    )
        .into_response())
}

async fn listing(
    State(state): State<AppState>,
    Path(expr): Path<String>,
    Query(query): Query<ListingQuery>,
) -> ApiResult {
    let expr = params::category_expr(&expr)?;
    let (day, show, skip) = day(&state, &expr, &query).await?;
    let json = papers_json(&state, day.listing.papers.iter().map(|l| &l.paper)).await;
    let papers: Vec<Value> = day
        .listing
        .papers
        .iter()
        .zip(json)
        .map(|(listed, paper)| json!({ "kind": listed.kind, "paper": paper }))
        .collect();
    Ok(Json(json!({
        "expr": expr.to_string(),
        "date": day.date,
        "total": day.listing.total,
        "new": day.listing.new,
        "cross": day.listing.cross,
        "show": show,
        "skip": skip,
        "previous_day": day.older,
        "next_day": day.newer,
        "papers": papers,
    }))
    .into_response())
}

async fn search(State(state): State<AppState>, Query(query): Query<SearchQuery>) -> ApiResult {
    let search = Search::parse(&query)?;
    if search.query_text().trim().is_empty() {
        return Err(ApiError(AppError::BadRequest(
            "q is empty: /api/search?q=words".into(),
        )));
    }
    let results = search.run(&state).await?;
    Ok(Json(json!({
        "query": search.query_text(),
        "total": results.total,
        "show": search.show,
        "skip": search.skip,
        "jump": results.jump.as_ref().map(ToString::to_string),
        "hybrid": state.library.has_vectors(),
        "hits": results.hits,
    }))
    .into_response())
}

async fn related(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult {
    let id = parse_paper_id(&id)?;
    let Some(paper) = state.store.get(&id).await? else {
        return Err(ApiError(AppError::NotFound(format!(
            "{id} is not stored here."
        ))));
    };
    let scores: std::collections::HashMap<String, f32> = state
        .library
        .related(paper.id.as_str(), RELATED)
        .await
        .into_iter()
        .collect();
    let related = crate::pages::paper::related(&state, &paper).await?;
    let items: Vec<Value> = related
        .iter()
        .map(|other| {
            json!({
                "id": other.id.to_string(),
                "title": other.title,
                "score": scores.get(other.id.as_str()),
                "url": format!("{}{}", state.site.url, page_path(&other.id)),
            })
        })
        .collect();
    Ok(Json(json!({ "id": id.to_string(), "related": items })).into_response())
}

async fn topics(State(state): State<AppState>) -> ApiResult {
    let mut items = Vec::new();
    for topic in &state.site.topics {
        items.push(json!({
            "name": topic.name,
            "title": topic.title,
            "query": topic.query,
            "papers": state.store.topic_count(&topic.name).await?,
        }));
    }
    Ok(Json(json!({ "topics": items })).into_response())
}

async fn topic(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(query): Query<TopicQuery>,
) -> ApiResult {
    let topic = find(&state, &name)?.clone();
    let show = params::show(query.show.as_deref())?;
    let skip = params::skip(query.skip.as_deref())?;
    let total = state.store.topic_count(&topic.name).await?;
    let papers = state.store.topic_papers(&topic.name, show, skip).await?;
    let papers = papers_json(&state, &papers).await;
    Ok(Json(json!({
        "name": topic.name, "title": topic.title, "query": topic.query,
        "total": total, "show": show, "skip": skip, "papers": papers,
    }))
    .into_response())
}

/// An edition's groups as JSON: `[{"group": "Oral", "papers": 2}, …]` (`null`: no group).
fn groups_json(edition: &Edition) -> Vec<Value> {
    edition
        .groups
        .iter()
        .map(|(group, papers)| json!({ "group": group, "papers": papers }))
        .collect()
}

async fn venues(State(state): State<AppState>) -> ApiResult {
    let venues = venue_pages::venues(state.store.venue_groups().await?);
    let items: Vec<Value> = venues
        .iter()
        .map(|venue| {
            let editions: Vec<Value> = venue
                .editions
                .iter()
                .map(|e| {
                    json!({
                        "year": e.year,
                        "edition": format!("{}.{}", e.venue, e.year),
                        "papers": e.total(),
                        "groups": groups_json(e),
                        "url": format!("{}{}", state.site.url, edition_path(&e.venue, e.year, None)),
                    })
                })
                .collect();
            json!({ "name": venue.name, "editions": editions })
        })
        .collect();
    Ok(Json(json!({ "venues": items })).into_response())
}

async fn venue(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Query(query): Query<VenueQuery>,
) -> ApiResult {
    let show = params::show(query.show.as_deref())?;
    let skip = params::skip(query.skip.as_deref())?;
    let venues = venue_pages::venues(state.store.venue_groups().await?);
    let found = venue_pages::resolve(&venues, &key, query.group.as_deref())
        .map_err(|message| ApiError(AppError::NotFound(message)))?;
    let edition = &found.edition;
    let group = found.group.as_deref();
    let papers: Vec<Paper> = state
        .store
        .venue_papers(&edition.venue, edition.year, group, show, skip)
        .await?
        .into_iter()
        .map(|(paper, _)| paper)
        .collect();
    let papers = papers_json(&state, &papers).await;
    Ok(Json(json!({
        "venue": edition.venue,
        "year": edition.year,
        "edition": format!("{}.{}", edition.venue, edition.year),
        "group": group,
        "total": edition.count(group),
        "groups": groups_json(edition),
        "show": show,
        "skip": skip,
        "url": format!("{}{}", state.site.url, edition_path(&edition.venue, edition.year, group)),
        "papers": papers,
    }))
    .into_response())
}
