//! The reading view as a visitor meets it: real pages from a real Store, hostile titles escaped,
//! bad URLs answered with a readable error page and the right status.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::NaiveDate;
use http_body_util::BodyExt;
use papers_core::testing::sqlite_store;
use papers_core::{ArxivId, Category, Paper, Store};
use papers_web::{AppState, router};
use tower::ServiceExt;

fn paper(id: &str, title: &str, categories: &[&str]) -> Paper {
    Paper {
        id: ArxivId::parse(id).unwrap(),
        version: 1,
        title: title.into(),
        authors: vec!["Ada Lovelace".into(), "Alan <b>Turing</b>".into()],
        abstract_text: "We study attention & low-rank <i>adapters</i>.".into(),
        categories: categories
            .iter()
            .map(|c| Category::parse(c).unwrap())
            .collect(),
        comment: None,
        journal_ref: None,
        doi: None,
        published: None,
        updated: None,
        announced: NaiveDate::from_ymd_opt(2026, 7, 1),
    }
}

async fn get(store: &Store, uri: &str) -> (StatusCode, String) {
    let app = router(AppState {
        store: store.clone(),
    });
    let response = app
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

#[tokio::test]
async fn listing_shows_the_day_and_escapes_what_feeds_supply() {
    let (store, _dir) = sqlite_store().await;
    store
        .upsert(vec![
            paper(
                "2607.00001",
                "<script>alert('x')</script> Sparse Attention",
                &["cs.LG"],
            ),
            paper("2607.00002", "Diffusion for Graphs", &["stat.ML", "cs.LG"]),
            paper("2607.00003", "Unrelated Robotics", &["cs.RO"]),
        ])
        .await
        .unwrap();

    let (status, html) = get(&store, "/arxiv/cs.LG").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("<script>alert"), "raw script from a title");
    assert!(
        shows_escaped(&html, "<script>"),
        "the title is shown, escaped"
    );
    assert!(!html.contains("<b>Turing</b>") && !html.contains("<i>adapters</i>"));
    assert!(html.contains("Diffusion for Graphs"));
    assert!(!html.contains("Unrelated Robotics"));
    assert!(
        html.contains("2026-07-01"),
        "the day shown is the latest one"
    );
    assert!(html.contains("https://arxiv.org/abs/2607.00001"));

    // Union and exclusion through the URL.
    let (_, html) = get(&store, "/arxiv/cs.LG,cs.RO-stat.ML").await;
    assert!(html.contains("Unrelated Robotics") && !html.contains("Diffusion for Graphs"));
}

#[tokio::test]
async fn home_lists_categories_with_counts() {
    let (store, _dir) = sqlite_store().await;
    store
        .upsert(vec![paper("2607.00001", "A", &["cs.LG", "cs.CL"])])
        .await
        .unwrap();
    let (status, html) = get(&store, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Machine Learning"));
    assert!(html.contains("href=\"/arxiv/cs.CL\""));

    // An earlier day: its own counts, and category links that open that day.
    let mut older = paper("2606.00001", "B", &["math.NA"]);
    older.announced = NaiveDate::from_ymd_opt(2026, 6, 30);
    store.upsert(vec![older]).await.unwrap();
    let (_, html) = get(&store, "/").await;
    assert!(
        html.contains("href=\"/?date=2026-06-30\""),
        "recent days link"
    );
    let (status, html) = get(&store, "/?date=2026-06-30").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("href=\"/arxiv/math.NA?date=2026-06-30\""),
        "{html}"
    );
    assert!(!html.contains("/arxiv/cs.CL"));
    let (status, _) = get(&store, "/?date=June").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn bad_urls_get_readable_errors() {
    let (store, _dir) = sqlite_store().await;
    store
        .upsert(vec![paper("2607.00001", "A", &["cs.LG"])])
        .await
        .unwrap();
    for (uri, want, says) in [
        (
            "/arxiv/cs.NOPE",
            StatusCode::NOT_FOUND,
            "unknown arXiv category",
        ),
        (
            "/arxiv/cs.LG?date=yesterday",
            StatusCode::BAD_REQUEST,
            "YYYY-MM-DD",
        ),
        (
            "/arxiv/cs.LG?show=0",
            StatusCode::BAD_REQUEST,
            "show must be",
        ),
        (
            "/arxiv/cs.LG?show=100000",
            StatusCode::BAD_REQUEST,
            "show must be",
        ),
        (
            "/arxiv/cs.LG?skip=-1",
            StatusCode::BAD_REQUEST,
            "whole number",
        ),
        ("/nowhere", StatusCode::NOT_FOUND, "no page at this address"),
    ] {
        let (status, html) = get(&store, uri).await;
        assert_eq!(status, want, "{uri}");
        assert!(html.contains(says), "{uri}: {html}");
    }

    let (status, html) = get(&store, "/arxiv/%3Cimg%20src=x%3E").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!html.contains("<img src=x>"), "echoes markup");
    assert!(shows_escaped(&html, "<img src=x>"), "{html}");
}

/// Whether `text` appears in the page HTML-escaped (askama writes `<` as `&#60;`).
fn shows_escaped(html: &str, text: &str) -> bool {
    let numeric = text.replace('<', "&#60;").replace('>', "&#62;");
    let named = text.replace('<', "&lt;").replace('>', "&gt;");
    html.contains(&numeric) || html.contains(&named)
}

#[tokio::test]
async fn an_empty_store_says_so() {
    let (store, _dir) = sqlite_store().await;
    let (status, html) = get(&store, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("papers"));
    let (status, html) = get(&store, "/arxiv/cs.LG").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("No papers are stored yet"));
}

#[tokio::test]
async fn health_reports_the_store() {
    let (store, _dir) = sqlite_store().await;
    let (status, body) = get(&store, "/healthz").await;
    assert_eq!(status, StatusCode::OK);
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["status"], "ok", "{body}");

    // A database that is gone is reported, not hidden.
    store.close().await;
    let (status, body) = get(&store, "/healthz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    let (status, html) = get(&store, "/arxiv/cs.LG").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(html.contains("try again"), "{html}");
}
