//! What the operator relies on: health and readiness, Prometheus metrics, compression, the body
//! size limit and the per-client rate limit, all through the real router and its layers.

mod support;

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, Response, StatusCode, header};
use http_body_util::BodyExt;
use papers_web::{AppState, router};
use support::{Site, paper, with_limits};
use tower::ServiceExt;

/// Sends `request` through the whole router of `state` and reads the body as bytes.
async fn send(state: &AppState, request: Request<Body>) -> (Response<()>, Vec<u8>) {
    let response = router(state.clone()).oneshot(request).await.unwrap();
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes().to_vec();
    (Response::from_parts(parts, ()), bytes)
}

/// A GET as it arrives from a client at `addr` (the server records the peer address).
fn get_from(uri: &str, addr: &str) -> Request<Body> {
    let mut request = Request::get(uri).body(Body::empty()).unwrap();
    let addr: SocketAddr = addr.parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(addr));
    request
}

fn metric(text: &str, line_start: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(line_start))
        .map(|value| value.trim().parse().unwrap())
}

#[tokio::test]
async fn healthz_reports_the_database_and_its_papers() {
    let site = Site::with(vec![
        paper("2607.00001", "A", &["cs.LG"]),
        paper("2607.00002", "B", &["cs.LG"]),
    ])
    .await;
    let answer = site.get("/healthz").await;
    assert_eq!(answer.status, StatusCode::OK);
    let body = answer.json();
    assert_eq!(body["status"], "ok", "{body}");
    assert_eq!(body["database"], "sqlite", "{body}");
    assert_eq!(body["papers"], 2, "{body}");
}

#[tokio::test]
async fn readyz_is_ready_only_with_an_index() {
    let site = Site::with(vec![paper("2607.00001", "A", &["cs.LG"])]).await;
    let answer = site.get("/readyz").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let body = answer.json();
    assert_eq!(body["ready"], true, "{body}");
    assert_eq!(body["indexed"], 1, "{body}");

    // An empty store, an empty index: alive, but a load balancer should send readers elsewhere.
    let empty = Site::with(Vec::new()).await;
    let answer = empty.get("/readyz").await;
    assert_eq!(
        answer.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        answer.body
    );
    let body = answer.json();
    assert_eq!(body["ready"], false, "{body}");
    assert_eq!(body["database"], true, "{body}");
    assert_eq!(body["indexed"], 0, "{body}");
    assert_eq!(
        empty.get("/healthz").await.status,
        StatusCode::OK,
        "yet healthy"
    );
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status() {
    let site = Site::with(vec![
        paper("2607.00001", "A", &["cs.LG"]),
        paper("2607.00002", "B", &["cs.CL"]),
    ])
    .await;
    // Three listings and one paper share the `/arxiv/{key}` route; a bad one counts apart.
    for uri in [
        "/arxiv/cs.LG",
        "/arxiv/cs.CL",
        "/arxiv/cs.LG",
        "/arxiv/2607.00001",
    ] {
        assert_eq!(site.get(uri).await.status, StatusCode::OK, "{uri}");
    }
    assert_eq!(
        site.get("/arxiv/cs.NOPE").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(site.get("/nowhere").await.status, StatusCode::NOT_FOUND);

    let answer = site.get("/metrics").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(
        answer
            .header("content-type")
            .starts_with("text/plain; version=0.0.4")
    );
    let text = &answer.body;
    assert!(
        text.contains("# TYPE papers_http_requests_total counter"),
        "{text}"
    );
    assert_eq!(
        metric(
            text,
            "papers_http_requests_total{route=\"/arxiv/{key}\",status=\"200\"} "
        ),
        Some(4.0),
        "{text}"
    );
    assert_eq!(
        metric(
            text,
            "papers_http_requests_total{route=\"/arxiv/{key}\",status=\"400\"} "
        ),
        Some(1.0),
        "{text}"
    );
    // Unknown addresses share one label, so scanners cannot blow up the series.
    assert!(!text.contains("/nowhere"), "{text}");
    assert_eq!(
        metric(
            text,
            "papers_http_request_duration_seconds_count{route=\"/arxiv/{key}\"} "
        ),
        Some(5.0),
        "{text}"
    );
    assert_eq!(
        metric(
            text,
            "papers_http_request_duration_seconds_bucket{route=\"/arxiv/{key}\",le=\"+Inf\"} "
        ),
        Some(5.0),
        "{text}"
    );
    assert!(
        text.contains("# TYPE papers_index_documents gauge"),
        "{text}"
    );
    assert_eq!(metric(text, "papers_index_documents "), Some(2.0), "{text}");
    assert!(
        metric(text, "papers_fetch_queue_pending ").is_some(),
        "{text}"
    );
    assert_eq!(
        metric(text, "papers_summary_jobs_queued "),
        Some(0.0),
        "{text}"
    );
    assert_eq!(
        metric(text, "papers_summary_jobs_running "),
        Some(0.0),
        "{text}"
    );

    // Every sample line is `name{labels} number` or `name number`.
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let (_, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("{line}"));
        assert!(value.parse::<f64>().is_ok(), "not a sample: {line}");
    }
}

#[tokio::test]
async fn a_listing_is_gzipped_for_clients_that_accept_it() {
    let site = Site::with(
        (1..=20)
            .map(|i| {
                paper(
                    &format!("2607.{i:05}"),
                    &format!("Graph Kernel {i}"),
                    &["cs.LG"],
                )
            })
            .collect(),
    )
    .await;
    let request = Request::get("/arxiv/cs.LG")
        .header(header::ACCEPT_ENCODING, "gzip")
        .body(Body::empty())
        .unwrap();
    let (response, body) = send(&site.state, request).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_ENCODING], "gzip");
    let mut html = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&body[..]), &mut html)
        .expect("a gzip body");
    assert!(html.contains("Graph Kernel 20"), "{html}");
    assert!(
        body.len() < html.len(),
        "compressed: {} of {} bytes",
        body.len(),
        html.len()
    );

    // Without Accept-Encoding, plain.
    let (response, body) = send(
        &site.state,
        Request::get("/arxiv/cs.LG").body(Body::empty()).unwrap(),
    )
    .await;
    assert!(response.headers().get(header::CONTENT_ENCODING).is_none());
    assert!(String::from_utf8(body).unwrap().contains("Graph Kernel 20"));
}

#[tokio::test]
async fn a_megabyte_body_is_refused_as_too_large() {
    let site = Site::with(vec![paper("2607.00001", "A", &["cs.LG"])]).await;
    let megabyte = vec![b'x'; 1024 * 1024];
    for uri in [
        "/",
        "/arxiv/cs.LG",
        "/search",
        "/api/search",
        "/api/whatever",
        "/nowhere",
    ] {
        // As a client sends it: with its Content-Length, which the limit checks before anything
        // reads the body; so even on GET-only routes the answer is 413, not 405.
        let request = Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header(header::CONTENT_LENGTH, megabyte.len())
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(megabyte.clone()))
            .unwrap();
        let (response, _) = send(&site.state, request).await;
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE, "{uri}");
    }
    // Sent chunked (no Content-Length), the limit can only stop the body as it is read; no
    // route reads a body (all are GET), so the routing answers first: 405, never a 500.
    let request = Request::post("/arxiv/cs.LG")
        .header(header::TRANSFER_ENCODING, "chunked")
        .body(Body::from(megabyte.clone()))
        .unwrap();
    let (response, _) = send(&site.state, request).await;
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);

    // A small POST reaches the routing, which answers GET only.
    let request = Request::post("/arxiv/cs.LG")
        .header(header::CONTENT_LENGTH, 2)
        .body(Body::from("{}"))
        .unwrap();
    let (response, _) = send(&site.state, request).await;
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(
        response.headers()[header::ALLOW]
            .to_str()
            .unwrap()
            .contains("GET")
    );
}

#[tokio::test]
async fn a_client_past_its_rate_is_told_to_wait_while_others_are_served() {
    let site = Site::with(vec![paper("2607.00001", "A", &["cs.LG"])]).await;
    let state = with_limits(&site, 2, site.state.site.page_cache);
    let greedy = "203.0.113.7:40000";

    // Two a second, with a burst of twice that: four quick requests pass, the fifth waits.
    for n in 1..=4 {
        let (response, _) = send(&state, get_from("/robots.txt", greedy)).await;
        assert_eq!(response.status(), StatusCode::OK, "request {n}");
    }
    let (response, body) = send(&state, get_from("/robots.txt", greedy)).await;
    assert_eq!(
        response.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the fifth quick request"
    );
    let wait: u64 = response.headers()[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .expect("Retry-After in seconds");
    assert!((1..=5).contains(&wait), "Retry-After: {wait}");
    let body = String::from_utf8(body).unwrap();
    assert!(body.contains("Too many requests"), "{body}");

    // Its other port is the same client.
    let (response, _) = send(&state, get_from("/arxiv/cs.LG", "203.0.113.7:40001")).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);

    // Another address is served, and monitors are never limited.
    let (response, _) = send(&state, get_from("/arxiv/cs.LG", "198.51.100.1:50000")).await;
    assert_eq!(response.status(), StatusCode::OK, "another client");
    for uri in ["/healthz", "/readyz", "/metrics", "/favicon.ico"] {
        for _ in 0..3 {
            let (response, _) = send(&state, get_from(uri, greedy)).await;
            assert_eq!(
                response.status(),
                StatusCode::OK,
                "{uri} is not rate limited"
            );
        }
    }
    let (_, metrics) = send(&state, get_from("/metrics", greedy)).await;
    let metrics = String::from_utf8(metrics).unwrap();
    assert_eq!(
        metric(&metrics, "papers_http_rate_limited_total "),
        Some(2.0),
        "{metrics}"
    );

    // With the limit off (rate_limit = 0) the same client is never refused.
    let unlimited = with_limits(&site, 0, site.state.site.page_cache);
    for _ in 0..10 {
        let (response, _) = send(&unlimited, get_from("/robots.txt", greedy)).await;
        assert_eq!(response.status(), StatusCode::OK);
    }
}

#[tokio::test]
async fn pages_are_cached_briefly_with_an_etag_and_made_anew_after() {
    let site = Site::with(vec![paper("2607.00001", "First Paper", &["cs.LG"])]).await;
    let state = with_limits(&site, 0, std::time::Duration::from_millis(300));
    let get = |uri: &str| Request::get(uri).body(Body::empty()).unwrap();

    let (first, body) = send(&state, get("/arxiv/cs.LG")).await;
    assert_eq!(first.status(), StatusCode::OK);
    let etag = first.headers()[header::ETAG].to_str().unwrap().to_string();
    assert!(
        first.headers()[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("max-age"),
        "lists may be kept by browsers and proxies"
    );
    assert!(String::from_utf8(body).unwrap().contains("First Paper"));

    // A paper crawled now: within the cache's lifetime readers see the page as it was...
    site.store
        .upsert(vec![paper("2607.00002", "Second Paper", &["cs.LG"])])
        .await
        .unwrap();
    let (again, body) = send(&state, get("/arxiv/cs.LG")).await;
    assert_eq!(again.headers()[header::ETAG].to_str().unwrap(), etag);
    assert!(!String::from_utf8(body).unwrap().contains("Second Paper"));

    // ...a client holding the page gets a 304 without a body...
    let (not_modified, body) = send(
        &state,
        Request::get("/arxiv/cs.LG")
            .header(header::IF_NONE_MATCH, &etag)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(not_modified.status(), StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());

    // ...and once it has expired, the new paper is there under a new ETag.
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    state.calendar.forget();
    let (fresh, body) = send(&state, get("/arxiv/cs.LG")).await;
    assert_ne!(fresh.headers()[header::ETAG].to_str().unwrap(), etag);
    assert!(String::from_utf8(body).unwrap().contains("Second Paper"));

    // Errors are never cached: a bad page size is refused every time, not served from memory.
    for _ in 0..2 {
        let (bad, _) = send(&state, get("/arxiv/cs.LG?show=0")).await;
        assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    }
}

#[tokio::test]
async fn a_feed_renewed_for_a_poller_holding_it_is_kept_for_the_next_ones() {
    let site = Site::with(vec![paper("2607.00001", "First Paper", &["cs.LG"])]).await;
    let state = with_limits(&site, 0, std::time::Duration::from_millis(300));
    let conditional = |etag: &str| {
        Request::get("/arxiv/cs.LG/feed")
            .header(header::IF_NONE_MATCH, etag)
            .body(Body::empty())
            .unwrap()
    };
    let (first, _) = send(
        &state,
        Request::get("/arxiv/cs.LG/feed")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    let etag = first.headers()[header::ETAG].to_str().unwrap().to_string();

    // Expired; the next poller holds the feed: it gets a 304, and the renewed feed is kept...
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    let (renewed, _) = send(&state, conditional(&etag)).await;
    assert_eq!(renewed.status(), StatusCode::NOT_MODIFIED);

    // ...so a paper crawled just after is not in what the next reader gets from the cache.
    site.store
        .upsert(vec![paper("2607.00002", "Second Paper", &["cs.LG"])])
        .await
        .unwrap();
    let (cached, body) = send(
        &state,
        Request::get("/arxiv/cs.LG/feed")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(cached.status(), StatusCode::OK);
    assert_eq!(cached.headers()[header::ETAG].to_str().unwrap(), etag);
    assert!(!String::from_utf8(body).unwrap().contains("Second Paper"));
}
