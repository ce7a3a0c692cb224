//! The reading view as a visitor meets it: real pages from a real Store, hostile titles escaped,
//! bad URLs answered with a readable error page and the right status.

mod support;

use axum::http::StatusCode;
use chrono::NaiveDate;
use support::{Site, paper, shows_escaped};

#[tokio::test]
async fn listing_shows_the_day_and_escapes_what_feeds_supply() {
    let site = Site::with(vec![
        paper(
            "2607.00001",
            "<script>alert('x')</script> Sparse Attention",
            &["cs.LG"],
        ),
        paper("2607.00002", "Diffusion for Graphs", &["stat.ML", "cs.LG"]),
        paper("2607.00003", "Unrelated Robotics", &["cs.RO"]),
    ])
    .await;

    let answer = site.get("/arxiv/cs.LG").await;
    let (status, html) = (answer.status, answer.body);
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
    let answer = site.get("/arxiv/cs.LG,cs.RO-stat.ML").await;
    let (_, html) = (answer.status, answer.body);
    assert!(html.contains("Unrelated Robotics") && !html.contains("Diffusion for Graphs"));
}

#[tokio::test]
async fn home_lists_categories_with_counts() {
    let site = Site::with(vec![paper("2607.00001", "A", &["cs.LG", "cs.CL"])]).await;
    let answer = site.get("/").await;
    let (status, html) = (answer.status, answer.body);
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Machine Learning"));
    assert!(html.contains("href=\"/arxiv/cs.CL\""));

    // An earlier day: its own counts, and category links that open that day.
    let mut older = paper("2606.00001", "B", &["math.NA"]);
    older.announced = NaiveDate::from_ymd_opt(2026, 6, 30);
    site.store.upsert(vec![older]).await.unwrap();
    // The server caches the days for a few seconds; a test need not wait them out.
    site.state.calendar.forget();
    let answer = site.get("/").await;
    let (_, html) = (answer.status, answer.body);
    assert!(
        html.contains("href=\"/?date=2026-06-30\""),
        "recent days link"
    );
    let answer = site.get("/?date=2026-06-30").await;
    let (status, html) = (answer.status, answer.body);
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("href=\"/arxiv/math.NA?date=2026-06-30\""),
        "{html}"
    );
    assert!(!html.contains("/arxiv/cs.CL"));
    let answer = site.get("/?date=June").await;
    let (status, _) = (answer.status, answer.body);
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn bad_urls_get_readable_errors() {
    let site = Site::with(vec![paper("2607.00001", "A", &["cs.LG"])]).await;
    for (uri, want, says) in [
        (
            "/arxiv/cs.NOPE",
            StatusCode::BAD_REQUEST,
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
        let answer = site.get(uri).await;
        let (status, html) = (answer.status, answer.body);
        assert_eq!(status, want, "{uri}");
        assert!(html.contains(says), "{uri}: {html}");
    }

    let answer = site.get("/arxiv/%3Cimg%20src=x%3E").await;
    let (status, html) = (answer.status, answer.body);
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(!html.contains("<img src=x>"), "echoes markup");
    assert!(shows_escaped(&html, "<img src=x>"), "{html}");
}

#[tokio::test]
async fn an_empty_store_says_so() {
    let site = Site::with(Vec::new()).await;
    let answer = site.get("/").await;
    let (status, html) = (answer.status, answer.body);
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("papers"));
    let answer = site.get("/arxiv/cs.LG").await;
    let (status, html) = (answer.status, answer.body);
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("No papers are stored yet"));
}

#[tokio::test]
async fn health_reports_the_store() {
    let site = Site::with(Vec::new()).await;
    let answer = site.get("/healthz").await;
    let (status, body) = (answer.status, answer.body);
    assert_eq!(status, StatusCode::OK);
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["status"], "ok", "{body}");

    // A database that is gone is reported, not hidden.
    site.store.close().await;
    let answer = site.get("/healthz").await;
    let (status, body) = (answer.status, answer.body);
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    let answer = site.get("/arxiv/cs.LG").await;
    let (status, html) = (answer.status, answer.body);
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(html.contains("try again"), "{html}");
}
