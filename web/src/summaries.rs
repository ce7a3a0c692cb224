//! The summary API: start or join a generation, read the cache or the queue, follow it as
//! server-sent events. Pages use it from `summary.js`; other tools may too.
//!
//! - `POST /api/summaries/{id}?lang=en`: starts the FAQ of a stored paper, or joins the one under
//!   way; a fresh cached answer comes back at once. New generations are limited per client.
//! - `GET /api/summaries/{id}?lang=en`: the cached answer and/or the job's state.
//! - `GET /api/summaries/{id}/stream?lang=en`: events `queued`, `started`, `delta`, `restart`,
//!   `done` (with the answer), `failed`, `idle`.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use futures_util::stream::{self, Stream};
use papers_core::{Enqueued, Lang, Paper};
use papers_summarizer::{State as SummaryState, Update};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::{ApiError, parse_paper_id};
use crate::{AppError, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/summaries/{id}", get(state).post(start))
        .route("/api/summaries/{id}/stream", get(follow))
}

#[derive(Debug, Default, Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

fn lang(query: &LangQuery) -> Result<Lang, ApiError> {
    match query.lang.as_deref().filter(|l| !l.is_empty()) {
        None => Ok(Lang::En),
        Some(code) => Lang::parse(code).ok_or_else(|| {
            ApiError(AppError::BadRequest(format!(
                "'{}' is not a summary language: use en or zh.",
                crate::params::clip(code)
            )))
        }),
    }
}

async fn stored_paper(state: &AppState, id: &str) -> Result<Paper, ApiError> {
    let id = parse_paper_id(id)?;
    state.store.get(&id).await?.ok_or_else(|| {
        ApiError(AppError::NotFound(if id.is_arxiv() {
            format!("Paper {id} is not stored here; open /arxiv/{id} to fetch it first.")
        } else {
            format!("Paper {id} is not stored here.")
        }))
    })
}

/// The API's view of a paper's FAQ in one language.
fn body(state: &AppState, paper: &Paper, lang: Lang, summary: &SummaryState) -> Value {
    let word = match (&summary.summary, &summary.job) {
        (_, Some(job)) => match job {
            papers_summarizer::JobView::Queued { .. } => "queued",
            papers_summarizer::JobView::Running { .. } => "running",
            papers_summarizer::JobView::Failed { .. } => "failed",
        },
        (Some(answer), None) if answer.stale => "stale",
        (Some(_), None) => "done",
        (None, None) => "none",
    };
    let provider = state.summaries.provider();
    json!({
        "id": paper.id.to_string(),
        "version": paper.version,
        "lang": lang,
        "state": word,
        "provider": provider.kind(),
        "model": provider.model(),
        "summary": summary.summary,
        "job": summary.job,
    })
}

async fn state(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<LangQuery>,
) -> Result<Response, ApiError> {
    let lang = lang(&query)?;
    let paper = stored_paper(&state, &id).await?;
    let summary = state
        .summaries
        .state(&paper, lang)
        .await
        .map_err(store_error)?;
    Ok(Json(body(&state, &paper, lang, &summary)).into_response())
}

async fn start(
    State(state): State<AppState>,
    client: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(query): Query<LangQuery>,
) -> Result<Response, ApiError> {
    // Another site's page may not spend our readers' allowance (or our tokens) behind their
    // backs: browsers say where a request comes from; scripts and curl send no such header.
    if headers
        .get("sec-fetch-site")
        .is_some_and(|site| site.as_bytes() == b"cross-site")
    {
        return Err(ApiError(AppError::Other {
            status: StatusCode::FORBIDDEN,
            message: "Summaries are started from this site's pages or from scripts, not from other sites.".into(),
        }));
    }
    let lang = lang(&query)?;
    let paper = stored_paper(&state, &id).await?;
    let starts = state
        .summaries
        .would_start(&paper, lang)
        .await
        .map_err(store_error)?;
    if starts {
        // Only a request that would start a generation spends the client's allowance.
        let client = client.map(|Extension(ConnectInfo(addr))| addr.ip());
        if let Some(wait) = state.summary_limit.take(client) {
            return Ok(too_many(wait));
        }
    }
    let (enqueued, summary) = state
        .summaries
        .request(&paper, lang, true)
        .await
        .map_err(store_error)?;
    let status = match enqueued {
        None => StatusCode::OK,
        Some(Enqueued::New | Enqueued::Joined) => StatusCode::ACCEPTED,
    };
    Ok((status, Json(body(&state, &paper, lang, &summary))).into_response())
}

fn too_many(wait: Duration) -> Response {
    let secs = wait.as_secs().max(1);
    let mut response = (
        StatusCode::TOO_MANY_REQUESTS,
        Json(json!({
            "error": format!("Too many new summaries from your address; try again in {} minutes, \
                              or read the ones already made.", secs.div_ceil(60)),
            "status": 429,
        })),
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(&secs.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

fn store_error(error: papers_summarizer::SummaryError) -> ApiError {
    match error {
        papers_summarizer::SummaryError::Store(e) => ApiError(e.into()),
    }
}

async fn follow(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<LangQuery>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let lang = lang(&query)?;
    let paper = stored_paper(&state, &id).await?;
    let updates = state.summaries.follow(paper.clone(), lang);
    let events = stream::unfold(
        (updates, state, paper, false),
        move |(mut updates, state, paper, ended)| async move {
            if ended {
                return None;
            }
            let update = updates.recv().await?;
            let last = matches!(update, Update::Done | Update::Failed { .. } | Update::Idle);
            let event = event(&state, &paper, lang, update).await;
            Some((Ok(event), (updates, state, paper, last)))
        },
    );
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

/// One update as an SSE event; `done` carries the answer itself, so a page needs no second request.
async fn event(state: &AppState, paper: &Paper, lang: Lang, update: Update) -> Event {
    let name = match &update {
        Update::Queued { .. } => "queued",
        Update::Started => "started",
        Update::Delta { .. } => "delta",
        Update::Restart { .. } => "restart",
        Update::Done => "done",
        Update::Failed { .. } => "failed",
        Update::Idle => "idle",
    };
    let data = match update {
        Update::Done => match state.summaries.state(paper, lang).await {
            Ok(summary) => body(state, paper, lang, &summary),
            Err(e) => {
                tracing::warn!(id = %paper.id, error = %e, "cannot read a finished summary");
                json!({ "error": "the summary was written but cannot be read now; reload the page" })
            }
        },
        other => serde_json::to_value(other).unwrap_or(Value::Null),
    };
    Event::default().event(name).data(data.to_string())
}

/// New generations per client address per hour: a fixed window per address.
pub struct SummaryLimit {
    per_hour: u32,
    clients: Mutex<HashMap<Option<IpAddr>, (Instant, u32)>>,
}

const WINDOW: Duration = Duration::from_secs(3600);
/// Addresses remembered at most; past it, the expired windows are forgotten.
const MAX_CLIENTS: usize = 100_000;

impl SummaryLimit {
    pub fn new(per_hour: u32) -> SummaryLimit {
        SummaryLimit {
            per_hour,
            clients: Mutex::default(),
        }
    }

    /// `None` if `client` may start one more generation now (and counts it), else how long to wait.
    pub fn take(&self, client: Option<IpAddr>) -> Option<Duration> {
        if self.per_hour == 0 {
            return None;
        }
        let now = Instant::now();
        let mut clients = self.clients.lock().ok()?;
        if clients.len() >= MAX_CLIENTS {
            clients.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let (start, count) = clients
            .entry(client.map(crate::ops::rate_key))
            .or_insert((now, 0));
        if now.duration_since(*start) >= WINDOW {
            *start = now;
            *count = 0;
        }
        if *count >= self.per_hour {
            return Some(WINDOW.saturating_sub(now.duration_since(*start)));
        }
        *count += 1;
        None
    }
}
