//! The summary API and panel through HTTP: start, stream, cache, single flight, the per-client
//! limit, bad requests, and a model's hostile Markdown rendered inert.

mod support;

use std::time::Duration;

use papers_summarizer::testing::{Fault, MockLlm};
use support::{Site, paper};

const ID: &str = "2607.00001";

async fn site_with_llm(mock: &MockLlm, tweak: impl FnOnce(&mut papers_core::Config)) -> Site {
    let papers = vec![
        paper(ID, "Low-rank attention", &["cs.LG"]),
        paper("2607.00002", "Diffusion at low rank", &["cs.LG"]),
        paper("2607.00003", "Sparse attention", &["cs.CL"]),
    ];
    let url = mock.url.clone();
    Site::configured(papers, move |config| {
        config.summaries.llm_base_url = Some(url);
        config.summaries.llm_model = "mock-model".into();
        config.summaries.timeout = Duration::from_secs(5);
        tweak(config);
    })
    .await
}

/// Follows the stream to its end (the body ends after `done`, `failed` or `idle`).
async fn stream(site: &Site, id: &str) -> String {
    let answer = tokio::time::timeout(
        Duration::from_secs(60),
        site.get(&format!("/api/summaries/{id}/stream?lang=en")),
    )
    .await
    .expect("the stream ends");
    assert_eq!(answer.status, 200);
    assert!(
        answer
            .header("content-type")
            .starts_with("text/event-stream")
    );
    answer.body
}

#[tokio::test]
async fn a_summary_is_started_streamed_and_then_served_from_the_cache() {
    let mock = MockLlm::start().await;
    mock.set_chunk_delay(Duration::from_millis(10));
    let site = site_with_llm(&mock, |_| {}).await;

    let started = site.post(&format!("/api/summaries/{ID}"), None).await;
    assert_eq!(started.status, 202, "{}", started.body);
    let state = started.json();
    assert!(
        ["queued", "running"].contains(&state["state"].as_str().unwrap()),
        "{state}"
    );
    assert_eq!(state["provider"], "endpoint");
    assert_eq!(state["model"], "mock-model");

    let events = stream(&site, ID).await;
    assert!(events.contains("event: delta"), "{events}");
    assert!(events.contains("event: done"), "{events}");
    let done = events
        .split("event: done\ndata: ")
        .nth(1)
        .unwrap()
        .lines()
        .next()
        .unwrap();
    let done: serde_json::Value = serde_json::from_str(done).unwrap();
    assert_eq!(done["state"], "done");
    assert_eq!(done["summary"]["sections"].as_array().unwrap().len(), 6);

    let cached = site.get(&format!("/api/summaries/{ID}?lang=en")).await;
    assert_eq!(cached.status, 200);
    let cached = cached.json();
    assert_eq!(cached["state"], "done");
    assert_eq!(cached["summary"]["sections"][2]["title"], "Method");
    assert!(
        cached["summary"]["sections"][0]["html"]
            .as_str()
            .unwrap()
            .contains("<strong>Answer</strong>")
    );

    // Asked again: the cache answers at once, and the model is not asked again.
    let again = site.post(&format!("/api/summaries/{ID}"), None).await;
    assert_eq!(again.status, 200);
    assert_eq!(again.json()["state"], "done");
    assert_eq!(mock.requests(), 6);

    // The paper page shows the FAQ, says who wrote it, and has the button.
    let page = site.get(&format!("/arxiv/{ID}")).await;
    assert!(page.body.contains(r#"class="summarize""#));
    assert!(
        page.body
            .contains("Written by a language model · mock-model"),
        "{}",
        page.body
    );
    assert!(page.body.contains("<h3>Experiments</h3>"));
    assert!(
        !page
            .body
            .contains(r#"id="summary" data-id="2607.00001" data-lang="en" hidden"#)
    );
}

#[tokio::test]
async fn fifty_simultaneous_clicks_make_one_generation() {
    let mock = MockLlm::start().await;
    mock.set_chunk_delay(Duration::from_millis(30));
    let site = site_with_llm(&mock, |_| {}).await;
    let site = std::sync::Arc::new(site);
    let clicks: Vec<_> = (0..50)
        .map(|n| {
            let site = std::sync::Arc::clone(&site);
            tokio::spawn(async move {
                site.post(
                    &format!("/api/summaries/{ID}"),
                    Some(&format!("10.0.0.{n}")),
                )
                .await
                .status
            })
        })
        .collect();
    for click in clicks {
        let status = click.await.unwrap();
        assert!(status == 202 || status == 200, "{status}");
    }
    assert!(stream(&site, ID).await.contains("event: done"));
    assert_eq!(mock.requests(), 6, "one generation of six questions");
}

#[tokio::test]
async fn a_model_s_hostile_markdown_is_inert_on_the_page_and_in_the_api() {
    let mock = MockLlm::start().await;
    // An HTML block, then inline tricks inside ordinary Markdown.
    let block = "<script>alert(1)</script>\n\n<iframe src=\"https://evil.example/\"></iframe>";
    let inline = "Read [click](javascript:alert(2)), see ![x](http://evil.example/track.png), \
                  <img src=x onerror=alert(3)> and [ok](https://example.org/a\"onmouseover=\"alert(4)); \
                  note $a<b$.";
    mock.script([Fault::Say(block.into()), Fault::Say(inline.into())]);
    let site = site_with_llm(&mock, |_| {}).await;
    site.post(&format!("/api/summaries/{ID}"), None).await;
    assert!(stream(&site, ID).await.contains("event: done"));

    let api = site.get(&format!("/api/summaries/{ID}")).await.json();
    let first = api["summary"]["sections"][0]["html"]
        .as_str()
        .unwrap()
        .to_string();
    let second = api["summary"]["sections"][1]["html"]
        .as_str()
        .unwrap()
        .to_string();
    let page = site.get(&format!("/arxiv/{ID}")).await.body;
    let summary_part = page
        .split(r#"id="summary""#)
        .nth(1)
        .unwrap()
        .split("</section>")
        .next()
        .unwrap();
    for shown in [first.as_str(), second.as_str(), summary_part] {
        assert!(!shown.contains("<script"), "{shown}");
        assert!(!shown.contains("<iframe"), "{shown}");
        assert!(!shown.contains("<img"), "{shown}");
        for tag in tags(shown) {
            assert!(SAFE_TAGS.contains(&tag.as_str()), "<{tag}> in {shown}");
        }
        assert!(!shown.contains("href=\"javascript"), "{shown}");
        assert!(!shown.contains("\"onmouseover"), "{shown}");
    }
    assert!(
        first.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "raw HTML shows as text: {first}"
    );
    assert!(
        second.contains("<a>click</a>"),
        "a javascript: link keeps only its text: {second}"
    );
    assert!(
        second.contains("x,"),
        "an image keeps only its alt text: {second}"
    );
    assert!(
        second.contains(r#"href="https://example.org/a&quot;onmouseover=&quot;alert(4)""#),
        "{second}"
    );
    assert!(
        second.contains(r"\(a&lt;b\)"),
        "math kept for KaTeX, escaped: {second}"
    );
}

/// What a summary may contain: text formatting, links, and the panel's own markup. Nothing that
/// loads a URL (img, iframe, script, link, object…).
const SAFE_TAGS: &[&str] = &[
    "a",
    "p",
    "strong",
    "em",
    "del",
    "code",
    "pre",
    "ul",
    "ol",
    "li",
    "blockquote",
    "span",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "br",
    "hr",
    "button",
];

/// The names of the elements in `html` (opening tags).
fn tags(html: &str) -> Vec<String> {
    html.split('<')
        .skip(1)
        .filter(|rest| !rest.starts_with('/'))
        .map(|rest| {
            rest.chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_lowercase()
        })
        .collect()
}

#[tokio::test]
async fn new_generations_are_limited_per_client_address() {
    let mock = MockLlm::start().await;
    let site = site_with_llm(&mock, |config| config.summaries.per_client_per_hour = 2).await;
    let me = Some("192.0.2.7");
    assert_eq!(site.post("/api/summaries/2607.00001", me).await.status, 202);
    assert_eq!(site.post("/api/summaries/2607.00002", me).await.status, 202);
    let refused = site.post("/api/summaries/2607.00003", me).await;
    assert_eq!(refused.status, 429);
    let wait: u64 = refused.header("retry-after").parse().unwrap();
    assert!(wait > 60, "an hourly window: {wait}");
    assert!(
        refused.json()["error"]
            .as_str()
            .unwrap()
            .contains("Too many new summaries")
    );
    // Joining a generation under way, or reading one, costs nothing.
    assert_ne!(site.post("/api/summaries/2607.00001", me).await.status, 429);
    assert_eq!(site.get("/api/summaries/2607.00003").await.status, 200);
    // Another reader is not affected.
    assert_eq!(
        site.post("/api/summaries/2607.00003", Some("198.51.100.1"))
            .await
            .status,
        202
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_from_one_client_is_refused_past_its_allowance_and_others_are_not() {
    let mock = MockLlm::start().await;
    let site = site_with_llm(&mock, |config| config.summaries.per_client_per_hour = 2).await;
    let me = Some("192.0.2.7");
    // Six different generations (three papers, two languages) asked for at once.
    let uris: Vec<String> = ["2607.00001", "2607.00002", "2607.00003"]
        .iter()
        .flat_map(|id| ["en", "zh"].map(|lang| format!("/api/summaries/{id}?lang={lang}")))
        .collect();
    let answers = futures_util::future::join_all(uris.iter().map(|uri| site.post(uri, me))).await;
    let statuses: Vec<u16> = answers.iter().map(|a| a.status.as_u16()).collect();
    assert_eq!(
        statuses.iter().filter(|&&s| s == 202).count(),
        2,
        "exactly the allowance is started: {statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|&&s| s == 429).count(),
        4,
        "the rest are refused: {statuses:?}"
    );
    for refused in answers.iter().filter(|a| a.status.as_u16() == 429) {
        let wait: u64 = refused.header("retry-after").parse().unwrap();
        assert!(wait > 60, "an hourly window: {wait}");
    }
    // Another reader starts one of the refused generations; the burst's client can still read.
    let refused_uri = &uris[statuses.iter().position(|&s| s == 429).unwrap()];
    assert_eq!(
        site.post(refused_uri, Some("198.51.100.1")).await.status,
        202
    );
    assert_eq!(site.get(refused_uri).await.status, 200);
}

#[tokio::test]
async fn bad_summary_requests_get_clear_json_errors() {
    let site = Site::with(vec![paper(ID, "Low-rank attention", &["cs.LG"])]).await;
    let bad_lang = site.get(&format!("/api/summaries/{ID}?lang=fr")).await;
    assert_eq!(bad_lang.status, 400);
    assert!(
        bad_lang.json()["error"]
            .as_str()
            .unwrap()
            .contains("use en or zh")
    );
    let not_stored = site.post("/api/summaries/2607.09999", None).await;
    assert_eq!(not_stored.status, 404);
    assert!(
        not_stored.json()["error"]
            .as_str()
            .unwrap()
            .contains("not stored")
    );
    assert_eq!(site.get("/api/summaries/not-an-id").await.status, 400);
    assert_eq!(
        site.get("/api/summaries/2607.09999/stream").await.status,
        404
    );
    let none = site.get(&format!("/api/summaries/{ID}")).await.json();
    assert_eq!(none["state"], "none");
    assert_eq!(none["summary"], serde_json::Value::Null);
    // Another site's page cannot start generations in a visitor's name.
    let forged = site
        .send(
            axum::http::Method::POST,
            &format!("/api/summaries/{ID}"),
            &[("sec-fetch-site", "cross-site")],
            None,
        )
        .await;
    assert_eq!(forged.status, 403);
    assert!(
        forged.json()["error"]
            .as_str()
            .unwrap()
            .contains("not from other sites")
    );
    let ours = site
        .send(
            axum::http::Method::POST,
            &format!("/api/summaries/{ID}"),
            &[("sec-fetch-site", "same-origin")],
            None,
        )
        .await;
    assert_eq!(ours.status, 202);
}

#[tokio::test]
async fn without_a_model_the_faq_is_extractive_and_says_so() {
    // No endpoint and no local model file: the default provider is extractive.
    let site = Site::with(vec![paper(ID, "Low-rank attention", &["cs.LG"])]).await;
    let started = site
        .post(&format!("/api/summaries/{ID}?lang=zh"), None)
        .await;
    assert_eq!(started.json()["provider"], "extractive");
    assert!(stream_lang(&site, ID, "zh").await.contains("event: done"));
    let page = site.get(&format!("/arxiv/{ID}")).await.body;
    // The page shows the English FAQ; the Chinese one is only in the API.
    assert!(!page.contains("摘自英文摘要"));
    let zh = site
        .get(&format!("/api/summaries/{ID}?lang=zh"))
        .await
        .json();
    assert_eq!(zh["summary"]["provider"], "extractive");
    assert_eq!(zh["summary"]["sections"][0]["title"], "问题");
    // Every list's cards carry the Summary button.
    let day = site.get("/arxiv/cs.LG?date=2026-07-01").await.body;
    assert!(
        day.contains(&format!(
            r#"class="summarize" type="button" data-id="{ID}""#
        )),
        "{day}"
    );
}

async fn stream_lang(site: &Site, id: &str, lang: &str) -> String {
    tokio::time::timeout(
        Duration::from_secs(60),
        site.get(&format!("/api/summaries/{id}/stream?lang={lang}")),
    )
    .await
    .expect("the stream ends")
    .body
}

#[tokio::test]
async fn summary_answers_are_never_served_from_the_page_cache() {
    let site = Site::with(vec![paper(ID, "Low-rank attention", &["cs.LG"])]).await;
    let cached_site = support::with_limits(&site, 0, Duration::from_secs(60));
    let router = papers_web::router(cached_site);
    let get = |router: axum::Router| async move {
        use http_body_util::BodyExt;
        use tower::ServiceExt;
        let response = router
            .oneshot(
                axum::http::Request::get(format!("/api/summaries/{ID}"))
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        serde_json::from_slice::<serde_json::Value>(&body).unwrap()
    };
    assert_eq!(get(router.clone()).await["state"], "none");
    site.post(&format!("/api/summaries/{ID}"), None).await;
    stream(&site, ID).await;
    assert_eq!(
        get(router).await["state"],
        "done",
        "a fresh state, not the cached 'none'"
    );
}
