//! The JSON API as a script meets it: papers, days, search, related papers and topics, errors as
//! JSON, and an OpenAPI document that describes what the router really serves.

mod support;

use axum::http::StatusCode;
use serde_json::Value;
use support::{Answer, Site, paper};

fn json(answer: &Answer) -> Value {
    assert!(
        answer
            .header("content-type")
            .starts_with("application/json"),
        "JSON, not {:?}: {}",
        answer.header("content-type"),
        answer.body
    );
    answer.json()
}

/// An API error: the given status, and a JSON body naming it with a message.
fn error(answer: &Answer, status: StatusCode) -> String {
    assert_eq!(answer.status, status, "{}", answer.body);
    let body = json(answer);
    assert_eq!(body["status"], status.as_u16(), "{body}");
    body["error"]
        .as_str()
        .unwrap_or_else(|| panic!("an error message: {body}"))
        .to_string()
}

#[tokio::test]
async fn a_stored_paper_is_its_metadata_with_links() {
    let mut p = paper("2607.00001", "Sparse Attention", &["cs.LG", "stat.ML"]);
    p.version = 3;
    let site = Site::with(vec![p]).await;
    for uri in ["/api/papers/2607.00001", "/api/papers/2607.00001v1"] {
        let answer = site.get(uri).await;
        assert_eq!(answer.status, StatusCode::OK, "{uri}: {}", answer.body);
        let body = json(&answer);
        assert_eq!(body["id"], "2607.00001", "{uri}");
        assert_eq!(body["version"], 3, "{uri}: the latest stored version");
        assert_eq!(body["title"], "Sparse Attention");
        assert_eq!(
            body["authors"],
            serde_json::json!(["Ada Lovelace", "Alan <b>Turing</b>"])
        );
        assert_eq!(
            body["abstract"],
            "We study attention & low-rank <i>adapters</i>."
        );
        assert_eq!(body["categories"], serde_json::json!(["cs.LG", "stat.ML"]));
        assert_eq!(body["announced"], "2026-07-01");
        assert_eq!(body["url"], "https://papers.example.org/arxiv/2607.00001");
        assert_eq!(body["abs_url"], "https://arxiv.org/abs/2607.00001");
        assert_eq!(body["pdf_url"], "https://arxiv.org/pdf/2607.00001");
    }
}

#[tokio::test]
async fn an_old_style_paper_is_found_by_either_path() {
    let site = Site::with(vec![paper("hep-th/9901001", "Strings", &["hep-th"])]).await;
    for uri in ["/api/papers/hep-th/9901001", "/api/papers/hep-th%2F9901001"] {
        let answer = site.get(uri).await;
        assert_eq!(answer.status, StatusCode::OK, "{uri}: {}", answer.body);
        assert_eq!(json(&answer)["id"], "hep-th/9901001", "{uri}");
    }
}

#[tokio::test]
async fn a_paper_not_stored_is_queued() {
    let site = Site::with(vec![paper("2607.00001", "Stored", &["cs.LG"])]).await;
    let answer = site.get("/api/papers/2607.99999v2").await;
    assert_eq!(answer.status, StatusCode::ACCEPTED, "{}", answer.body);
    let body = json(&answer);
    assert_eq!(body["fetch"], "queued", "{body}");
    assert_eq!(body["stored"], false);
    assert_eq!(body["id"], "2607.99999");
}

#[tokio::test]
async fn a_garbage_id_is_a_json_400() {
    let site = Site::with(vec![paper("2607.00001", "Stored", &["cs.LG"])]).await;
    for uri in [
        "/api/papers/banana",
        "/api/papers/2607.1",
        "/api/related/banana",
        "/api/papers/hep-th/notanumber",
    ] {
        let message = error(&site.get(uri).await, StatusCode::BAD_REQUEST);
        assert!(message.contains("is not an arXiv id"), "{uri}: {message}");
    }
}

#[tokio::test]
async fn a_day_as_json_has_counts_and_kinds() {
    let mut older = paper("2606.00001", "Yesterday", &["cs.LG"]);
    older.announced = chrono::NaiveDate::from_ymd_opt(2026, 6, 30);
    let site = Site::with(vec![
        older,
        paper("2607.00001", "Primary One", &["cs.LG"]),
        paper("2607.00002", "Primary Two", &["cs.LG"]),
        paper("2607.00003", "Cross Listed", &["stat.ML", "cs.LG"]),
    ])
    .await;

    let body = json(&site.get("/api/arxiv/cs.LG?date=2026-07-01").await);
    assert_eq!(body["expr"], "cs.LG");
    assert_eq!(body["date"], "2026-07-01");
    assert_eq!(
        (&body["total"], &body["new"], &body["cross"]),
        (&3.into(), &2.into(), &1.into())
    );
    assert_eq!(body["previous_day"], "2026-06-30");
    assert_eq!(body["next_day"], Value::Null);
    let papers = body["papers"].as_array().unwrap();
    let kinds: Vec<(&str, &str)> = papers
        .iter()
        .map(|p| {
            (
                p["paper"]["id"].as_str().unwrap(),
                p["kind"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("2607.00001", "new"),
            ("2607.00002", "new"),
            ("2607.00003", "cross")
        ],
        "{body}"
    );
    assert_eq!(
        papers[0]["paper"]["url"],
        "https://papers.example.org/arxiv/2607.00001"
    );

    // Paged like the page.
    let body = json(
        &site
            .get("/api/arxiv/cs.LG?date=2026-07-01&show=2&skip=2")
            .await,
    );
    assert_eq!((&body["show"], &body["skip"]), (&2.into(), &2.into()));
    assert_eq!(body["papers"].as_array().unwrap().len(), 1);
    assert_eq!(body["total"], 3);

    let message = error(
        &site.get("/api/arxiv/cs.LG?date=2026-02-30").await,
        StatusCode::BAD_REQUEST,
    );
    assert!(message.contains("YYYY-MM-DD"), "{message}");
    let message = error(
        &site.get("/api/arxiv/cs.NOPE").await,
        StatusCode::BAD_REQUEST,
    );
    assert!(message.contains("cs.NOPE"), "{message}");
}

#[tokio::test]
async fn search_as_json_gives_scored_hits_with_snippets() {
    let site = Site::with(vec![
        paper("2607.00001", "Sparse Kernels for Graphs", &["cs.LG"]),
        paper("2607.00002", "Kernels Kernels Kernels", &["cs.CV"]),
        paper("2607.00003", "Unrelated Robotics", &["cs.RO"]),
    ])
    .await;
    let body = json(&site.get("/api/search?q=kernels").await);
    assert_eq!(body["total"], 2, "{body}");
    assert_eq!(body["jump"], Value::Null);
    let hits = body["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 2);
    for hit in hits {
        assert!(
            hit["id"].as_str().unwrap().starts_with("2607.0000"),
            "{hit}"
        );
        assert!(hit["title"].as_str().unwrap().contains("Kernels"), "{hit}");
        assert!(hit["score"].as_f64().unwrap() > 0.0, "{hit}");
        assert!(
            hit["title_html"]
                .as_str()
                .unwrap()
                .contains("<b>Kernels</b>"),
            "{hit}"
        );
        let snippet = hit["snippet_html"].as_str().expect("a snippet");
        assert!(
            !snippet.contains("<i>"),
            "the snippet is escaped HTML: {snippet}"
        );
    }
    let scores: Vec<f64> = hits.iter().map(|h| h["score"].as_f64().unwrap()).collect();
    assert!(scores[0] >= scores[1], "best first: {scores:?}");

    // A filter narrows the hits.
    let body = json(&site.get("/api/search?q=kernels&cat=cs.CV").await);
    assert_eq!(body["hits"][0]["id"], "2607.00002", "{body}");
    assert_eq!(body["total"], 1);

    // A pasted id says where to go.
    let body = json(&site.get("/api/search?q=2607.00003").await);
    assert_eq!(body["jump"], "2607.00003", "{body}");

    for uri in ["/api/search", "/api/search?q=", "/api/search?q=%20"] {
        let message = error(&site.get(uri).await, StatusCode::BAD_REQUEST);
        assert!(message.contains("q is empty"), "{uri}: {message}");
    }
    let message = error(
        &site.get("/api/search?q=kernels&sort=sideways").await,
        StatusCode::BAD_REQUEST,
    );
    assert!(
        message.contains("sort must be relevance or newest"),
        "{message}"
    );
}

#[tokio::test]
async fn related_papers_on_the_demo_are_ten_others_best_first() {
    let site = Site::demo().await;
    let id = "2605.28822";
    let body = json(&site.get(&format!("/api/related/{id}")).await);
    assert_eq!(body["id"], id);
    let related = body["related"].as_array().unwrap();
    assert_eq!(related.len(), 10, "{body}");
    let mut previous = f64::INFINITY;
    for other in related {
        let other_id = other["id"].as_str().unwrap();
        assert_ne!(other_id, id, "a paper is not related to itself");
        assert_eq!(
            other["url"],
            format!("https://papers.example.org/arxiv/{other_id}")
        );
        assert!(!other["title"].as_str().unwrap().is_empty());
        let score = other["score"]
            .as_f64()
            .unwrap_or_else(|| panic!("a score: {other}"));
        assert!(score <= previous, "scores descend: {body}");
        previous = score;
    }

    let message = error(
        &site.get("/api/related/2607.99999").await,
        StatusCode::NOT_FOUND,
    );
    assert!(
        message.contains("2607.99999 is not stored here"),
        "{message}"
    );
}

#[tokio::test]
async fn topics_list_their_counts_and_papers() {
    let mut older = paper("2606.00001", "Linear Attention Revisited", &["cs.LG"]);
    older.announced = chrono::NaiveDate::from_ymd_opt(2026, 6, 30);
    let site = Site::with(vec![
        older,
        paper("2607.00001", "Sparse Attention Heads", &["cs.CL"]),
        paper("2607.00002", "Galaxy Surveys", &["astro-ph.GA"]),
    ])
    .await;

    let body = json(&site.get("/api/topics").await);
    let topics = body["topics"].as_array().unwrap();
    let names: Vec<&str> = topics.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["attention", "diffusion", "low-rank"]);
    assert_eq!(topics[0]["title"], "Attention");
    assert_eq!(topics[0]["papers"], 2, "{body}");
    assert!(
        topics[0]["query"]
            .as_str()
            .unwrap()
            .contains("ti:attention")
    );

    let body = json(&site.get("/api/topics/attention").await);
    assert_eq!(body["total"], 2, "{body}");
    let ids: Vec<&str> = body["papers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["2607.00001", "2606.00001"], "newest first");

    let body = json(&site.get("/api/topics/attention?show=1&skip=1").await);
    assert_eq!(body["papers"][0]["id"], "2606.00001", "{body}");

    let message = error(
        &site.get("/api/topics/astrology").await,
        StatusCode::NOT_FOUND,
    );
    assert!(
        message.contains("attention, diffusion, low-rank"),
        "{message}"
    );
}

#[tokio::test]
async fn an_unknown_api_route_is_a_json_404() {
    let site = Site::with(Vec::new()).await;
    for uri in [
        "/api/whatever",
        "/api/papers",
        "/api/",
        "/api/search/extra/parts",
    ] {
        let answer = site.get(uri).await;
        assert!(
            answer
                .header("content-type")
                .starts_with("application/json"),
            "{uri}: a 404 under /api/ is JSON, not {:?}",
            answer.header("content-type")
        );
        let message = error(&answer, StatusCode::NOT_FOUND);
        assert!(
            message.contains("/api/openapi.json"),
            "{uri}: points to the docs: {message}"
        );
    }
}

/// Every route the API router serves (web/src/api.rs), with a URL that reaches it.
const SERVED: &[(&str, &str)] = &[
    ("/api/papers/{id}", "/api/papers/2607.00001"),
    ("/api/arxiv/{expr}", "/api/arxiv/cs.LG"),
    ("/api/search", "/api/search?q=attention"),
    ("/api/related/{id}", "/api/related/2607.00001"),
    ("/api/topics", "/api/topics"),
    ("/api/topics/{name}", "/api/topics/attention"),
    ("/api/venues", "/api/venues"),
    ("/api/venues/{key}", "/api/venues/ICLR.2026?group=Oral"),
    ("/api/summaries/{id}", "/api/summaries/2607.00001"),
    (
        "/api/summaries/{id}/stream",
        "/api/summaries/2607.00001/stream",
    ),
];

#[tokio::test]
async fn the_openapi_document_describes_every_route() {
    let site = Site::with(vec![paper("2607.00001", "Sparse Attention", &["cs.LG"])]).await;
    let oral = papers_core::venue::VenueLink {
        venue: "ICLR".into(),
        year: 2026,
        group: Some("Oral".into()),
        source: papers_core::venue::LinkSource::OpenReview,
        url: None,
        pdf_url: None,
    };
    site.store
        .put_venue_links(&[(papers_core::ArxivId::parse("2607.00001").unwrap(), oral)])
        .await
        .unwrap();
    let answer = site.get("/api/openapi.json").await;
    assert_eq!(answer.status, StatusCode::OK);
    let doc = json(&answer);
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
    let paths = doc["paths"].as_object().expect("paths");

    for (route, url) in SERVED {
        assert!(
            paths.contains_key(*route),
            "{route} is served but not documented"
        );
        let answer = site.get(url).await;
        assert!(
            answer.status.is_success(),
            "{url} ({route}) answers: {} {}",
            answer.status,
            answer.body
        );
    }
    // The old-style alias (`/api/papers/{archive}/{number}`) is documented under `{id}`, whose
    // description shows it, and the `{id}` template reaches it with the slash encoded (see
    // an_old_style_paper_is_found_by_either_path).
    let id_doc = paths["/api/papers/{id}"].to_string();
    assert!(id_doc.contains("/api/papers/hep-th/9901001"), "{id_doc}");

    // Nothing documented is missing from the router, and each operation says what it answers.
    for (path, item) in paths {
        assert!(
            SERVED.iter().any(|(route, _)| route == path),
            "{path} is documented but the router does not serve it"
        );
        let get = &item["get"];
        assert!(get.is_object(), "{path}: every route is a GET");
        assert!(
            get["responses"]["200"].is_object(),
            "{path}: documents its 200"
        );
        for parameter in get["parameters"].as_array().into_iter().flatten() {
            if parameter["in"] == "path" {
                let name = parameter["name"].as_str().unwrap();
                assert!(
                    path.contains(&format!("{{{name}}}")),
                    "{path}: parameter {name}"
                );
            }
        }
    }

    // Every $ref points at a schema the document has.
    let text = doc.to_string();
    for reference in text.split("\"$ref\":\"").skip(1) {
        let target = &reference[..reference.find('"').unwrap()];
        let name = target
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("a local schema reference: {target}"));
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "{target} is missing"
        );
    }
}
