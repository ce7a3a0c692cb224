//! A mock of OpenReview's API v2 for the venue import tests: `GET /notes?content.venueid=…
//! &limit=…&offset=…` over the notes in `tests/fixtures/openreview` (the API's real note shape),
//! filtered by venue id, paged with a server-side cap, with queued faults.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};
use tokio::net::TcpListener;

/// Notes per page at most, whatever `limit` asks (the real API caps at 1000).
pub const PAGE_CAP: usize = 2;

#[derive(Default)]
struct Inner {
    notes: Vec<Value>,
    /// Statuses (with Retry-After) served once, each instead of the next request for its offset.
    faults: Vec<(usize, u16, Option<String>)>,
    /// Every request's offset, in order.
    offsets: Vec<usize>,
}

#[derive(Clone)]
pub struct MockOpenReview {
    inner: Arc<Mutex<Inner>>,
    pub url: String,
}

impl MockOpenReview {
    pub async fn start(notes: Vec<Value>) -> MockOpenReview {
        let inner = Arc::new(Mutex::new(Inner {
            notes,
            ..Inner::default()
        }));
        let app = Router::new()
            .route("/notes", get(notes_page))
            .with_state(Arc::clone(&inner));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        MockOpenReview { inner, url }
    }

    /// Serves `status` once, to the next request for the page at `offset`.
    pub fn fault_at(&self, offset: usize, status: u16, retry_after: Option<&str>) {
        let mut inner = self.inner.lock().unwrap();
        inner
            .faults
            .push((offset, status, retry_after.map(str::to_string)));
    }

    pub fn offsets(&self) -> Vec<usize> {
        self.inner.lock().unwrap().offsets.clone()
    }
}

/// The notes of `tests/fixtures/openreview/{name}`.
pub fn fixture(name: &str) -> Vec<Value> {
    let path = format!(
        "{}/tests/fixtures/openreview/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

async fn notes_page(
    State(inner): State<Arc<Mutex<Inner>>>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let mut inner = inner.lock().unwrap();
    let offset: usize = query
        .get("offset")
        .and_then(|o| o.parse().ok())
        .unwrap_or(0);
    inner.offsets.push(offset);
    if let Some(at) = inner.faults.iter().position(|(o, _, _)| *o == offset) {
        let (_, status, retry_after) = inner.faults.remove(at);
        let mut response = (
            StatusCode::from_u16(status).unwrap(),
            json!({"name": "RateLimitError", "message": "Too many requests", "status": status})
                .to_string(),
        )
            .into_response();
        if let Some(after) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, after.parse().unwrap());
        }
        return response;
    }
    let Some(venue_id) = query.get("content.venueid") else {
        return (
            StatusCode::BAD_REQUEST,
            json!({"name": "ValidationError", "message": "missing filter"}).to_string(),
        )
            .into_response();
    };
    let limit: usize = query
        .get("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(1000)
        .min(PAGE_CAP);
    let matching: Vec<&Value> = inner
        .notes
        .iter()
        .filter(|n| n["content"]["venueid"]["value"] == venue_id.as_str())
        .collect();
    let page: Vec<&Value> = matching.iter().skip(offset).take(limit).copied().collect();
    (
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        json!({"notes": page, "count": matching.len()}).to_string(),
    )
        .into_response()
}
