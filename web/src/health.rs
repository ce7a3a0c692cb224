//! The operator's endpoints: `/healthz` (the process answers and its database does), `/readyz`
//! (ready for traffic: database up and a search index with documents) and `/metrics`
//! (Prometheus text format).

use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

/// How long `/healthz` reuses its count of papers: monitors poll it, unthrottled, and on a large
/// PostgreSQL table a count is a scan.
const COUNT_FOR: Duration = Duration::from_secs(10);

async fn paper_count(state: &AppState) -> Result<u64, papers_core::StoreError> {
    let cached = *state.metrics.papers.lock().expect("the count lock");
    if let Some((at, papers)) = cached
        && at.elapsed() < COUNT_FOR
    {
        // The database must still answer: a ping is an index-free round trip.
        state.store.ping().await?;
        return Ok(papers);
    }
    let papers = state.store.paper_count().await?;
    *state.metrics.papers.lock().expect("the count lock") = Some((Instant::now(), papers));
    Ok(papers)
}

async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let backend = state.store.backend();
    match paper_count(&state).await {
        Ok(papers) => (
            StatusCode::OK,
            Json(json!({ "status": "ok", "database": backend, "papers": papers })),
        ),
        Err(error) => {
            tracing::warn!(%error, "health check: database unavailable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "database": backend })),
            )
        }
    }
}

/// Not ready while the database is down or the search index is empty (`papers index` has not
/// run): a load balancer then sends readers to a server that can answer them fully.
async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let database = state.store.ping().await;
    let documents = state.library.documents();
    let ready = database.is_ok() && documents > 0;
    if let Err(error) = &database {
        tracing::warn!(%error, "readiness: database unavailable");
    }
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(json!({
            "ready": ready,
            "database": database.is_ok(),
            "indexed": documents,
            "vectors": state.library.has_vectors(),
        })),
    )
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    // A database that does not answer makes the queue gauges NaN rather than failing the scrape.
    let (queued, running) = match state.store.summary_queue_len().await {
        Ok((queued, running)) => (queued as f64, running as f64),
        Err(_) => (f64::NAN, f64::NAN),
    };
    let body = state.metrics.render(&[
        (
            "papers_summary_jobs_queued",
            "Summary generations waiting (all servers).",
            queued,
        ),
        (
            "papers_summary_jobs_running",
            "Summary generations under way (all servers).",
            running,
        ),
        (
            "papers_index_documents",
            "Papers in the search index.",
            state.library.documents() as f64,
        ),
        (
            "papers_fetch_queue_pending",
            "Papers waiting for an on-demand fetch.",
            state.fetches.pending() as f64,
        ),
    ]);
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
}
