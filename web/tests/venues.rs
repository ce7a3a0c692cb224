//! Venues as a visitor meets them, on SQLite and on PostgreSQL: the list of venues, an edition's
//! page with its groups and paging, badges on cards, a paper known only at OpenReview (its page,
//! its links, its API answer and its summary), the edition's feed, and hostile or unknown input.

mod support;

use std::time::Duration;

use axum::http::StatusCode;
use papers_core::venue::{LinkSource, VenueLink};
use papers_core::{ArxivId, Paper, Store, store_test};
use support::{Answer, Site, paper, shows_escaped};

const SITE: &str = "https://papers.example.org";
const VENUE_ID: &str = "openreview:Xy12ab";
const HOSTILE: &str = "<script>alert('x')</script> Kernel Tricks";
/// ICLR 2026's posters: 27 arXiv papers and the OpenReview one.
const POSTERS: u64 = 28;

fn link(venue: &str, year: u16, group: Option<&str>, source: LinkSource) -> VenueLink {
    VenueLink {
        venue: venue.into(),
        year,
        group: group.map(str::to_string),
        source,
        url: None,
        pdf_url: None,
    }
}

fn id(text: &str) -> ArxivId {
    ArxivId::parse_any(text).unwrap()
}

/// A paper known only at OpenReview: no arXiv category, never announced by arXiv.
fn venue_paper() -> Paper {
    let mut p = paper("2607.00999", "Graph Diffusion Off the Record", &["cs.LG"]);
    p.id = id(VENUE_ID);
    p.categories = Vec::new();
    p.announced = None;
    p.abstract_text =
        "We propose graph diffusion for molecules. It is accurate. It is fast.".into();
    p
}

/// ICLR 2026 (2 orals, one of them with a hostile title; a spotlight; 28 posters, one of them
/// only on OpenReview), ICLR 2025 (a spotlight), NeurIPS 2025 (a workshop paper that is also an
/// ICLR 2026 oral), and an import with a hostile venue, group and link.
async fn site(store: Store) -> Site {
    let mut papers = vec![
        paper("2607.00001", "Sparse Attention at Scale", &["cs.LG"]),
        paper("2607.00002", HOSTILE, &["cs.LG"]),
        paper("2607.00003", "Spotlit Kernels", &["cs.LG"]),
        paper("2606.00001", "Last Year's Spotlight", &["cs.LG"]),
        paper("2607.00099", "Evil's Paper", &["cs.LG"]),
        venue_paper(),
    ];
    let mut links = vec![
        (
            id("2607.00001"),
            link("ICLR", 2026, Some("Oral"), LinkSource::OpenReview),
        ),
        (
            id("2607.00002"),
            link("ICLR", 2026, Some("Oral"), LinkSource::OpenReview),
        ),
        (
            id("2607.00003"),
            link("ICLR", 2026, Some("Spotlight"), LinkSource::OpenReview),
        ),
        (
            id("2606.00001"),
            link("ICLR", 2025, Some("Spotlight"), LinkSource::OpenReview),
        ),
        (
            id("2607.00001"),
            link("NeurIPS", 2025, Some("Workshop"), LinkSource::Curated),
        ),
    ];
    for i in 0..27 {
        let pid = format!("2607.{:05}", 100 + i);
        papers.push(paper(&pid, &format!("Poster {i:02}"), &["cs.LG"]));
        links.push((
            id(&pid),
            link("ICLR", 2026, Some("Poster"), LinkSource::OpenReview),
        ));
    }
    let mut at_openreview = link("ICLR", 2026, Some("Poster"), LinkSource::OpenReview);
    at_openreview.url = Some("https://openreview.net/forum?id=Xy12ab".into());
    at_openreview.pdf_url = Some("https://openreview.net/pdf?id=Xy12ab".into());
    links.push((id(VENUE_ID), at_openreview));
    let mut hostile = link(
        "Evil<script>x</script>",
        2024,
        Some("<img src=x onerror=alert(1)>"),
        LinkSource::Curated,
    );
    hostile.url = Some("javascript:alert(1)".into());
    links.push((id("2607.00099"), hostile));
    store.upsert(papers).await.unwrap();
    store.put_venue_links(&links).await.unwrap();
    Site::on(store).await
}

/// The cards of a list page, each as its HTML.
fn cards(html: &str) -> Vec<&str> {
    html.split("<article class=\"paper\"").skip(1).collect()
}

fn card_ids(html: &str) -> Vec<String> {
    cards(html)
        .iter()
        .map(|card| between(card, "data-id=\"", "\"").to_string())
        .collect()
}

fn card_of<'a>(html: &'a str, id: &str) -> &'a str {
    cards(html)
        .into_iter()
        .find(|c| c.contains(&format!("data-id=\"{id}\"")))
        .unwrap_or_else(|| panic!("no card for {id} in {html}"))
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("no {start:?} in {text}"))
        + start.len();
    let len = text[from..].find(end).unwrap();
    &text[from..from + len]
}

fn ok(answer: Answer) -> String {
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.body
}

fn parse_feed(answer: &Answer) -> feed_rs::model::Feed {
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    feed_rs::parser::parse(answer.body.as_bytes())
        .unwrap_or_else(|e| panic!("not a feed ({e}): {}", answer.body))
}

// ---- /venue ------------------------------------------------------------------------------------

async fn the_venue_list_shows_editions_and_group_counts(store: Store) {
    let site = site(store).await;
    let html = ok(site.get("/venue").await);
    assert!(
        html.contains("href=\"/venue\""),
        "the site nav links the venues"
    );
    assert!(html.contains("href=\"/venue/ICLR.2026\""), "{html}");
    assert!(html.contains("href=\"/venue/ICLR.2025\""));
    assert!(html.contains("href=\"/venue/NeurIPS.2025\""));
    let iclr_2026 = between(&html, "href=\"/venue/ICLR.2026\"", "</li>");
    assert!(iclr_2026.contains("31 papers"), "{iclr_2026}");
    for (group, n) in [("Oral", 2), ("Spotlight", 1), ("Poster", POSTERS)] {
        let tag = between(iclr_2026, &format!("?group={group}\">"), "</a>");
        assert!(tag.contains(&format!("{n}")), "{group}: {tag}");
    }
    // Whatever an import calls its venue and group is shown as text, never as markup, and a
    // script "link" goes nowhere.
    assert!(!html.contains("<script>x") && !html.contains("<img src=x"));
    assert!(shows_escaped(&html, "<img src=x onerror=alert(1)>"));
    assert!(!html.contains("javascript:"));
}
store_test!(
    venue_list_on,
    the_venue_list_shows_editions_and_group_counts
);

async fn a_venue_in_any_case_is_its_latest_edition(store: Store) {
    let site = site(store).await;
    for path in ["/venue/iclr", "/venue/ICLR", "/venue/Iclr"] {
        let html = ok(site.get(path).await);
        assert!(
            html.contains("<title>ICLR 2026 — papers</title>"),
            "{path}: {html}"
        );
        assert!(
            html.contains(&format!(
                "<link rel=\"canonical\" href=\"{SITE}/venue/ICLR.2026\">"
            )),
            "{path}: the edition is the canonical address"
        );
        assert!(html.contains("31 papers"), "{path}");
        assert!(
            html.contains("href=\"/venue/ICLR.2025\""),
            "the other edition is offered"
        );
        // The latest edition's feed follows the venue to its next edition.
        assert!(html.contains(
            "<link rel=\"alternate\" type=\"application/rss+xml\" title=\"ICLR 2026 (RSS)\" href=\"/venue/ICLR/feed\">"
        ));
    }
    let html = ok(site.get("/venue/iclr.2026").await);
    assert!(html.contains("31 papers"));
    assert!(html.contains("href=\"/venue/ICLR.2026/feed\""));
    let html = ok(site.get("/venue/ICLR.2025").await);
    assert_eq!(card_ids(&html), ["2606.00001"]);
}
store_test!(latest_edition_on, a_venue_in_any_case_is_its_latest_edition);

async fn groups_filter_and_pages_page(store: Store) {
    let site = site(store).await;
    for group in ["Oral", "oral"] {
        let html = ok(site.get(&format!("/venue/ICLR.2026?group={group}")).await);
        let mut ids = card_ids(&html);
        ids.sort();
        assert_eq!(ids, ["2607.00001", "2607.00002"], "?group={group}");
        assert!(html.contains("2 papers"));
        assert!(
            html.contains("href=\"/venue/ICLR.2026?group=Oral\" aria-current=\"page\""),
            "the Oral tab is the current one"
        );
        assert!(html.contains("<title>ICLR 2026 · Oral — papers</title>"));
    }

    // 28 posters, 10 a page, by title: the venue paper's title ("Graph…") comes first.
    let first = ok(site.get("/venue/ICLR.2026?group=Poster&show=10").await);
    let ids = card_ids(&first);
    assert_eq!(ids.len(), 10);
    assert_eq!(ids[0], VENUE_ID);
    assert!(first.contains("Showing 1–10"));
    assert!(
        first.contains("href=\"/venue/ICLR.2026?group=Poster&#38;show=10&#38;skip=10\"")
            || first.contains("href=\"/venue/ICLR.2026?group=Poster&amp;show=10&amp;skip=10\"")
    );
    let last = ok(site
        .get("/venue/ICLR.2026?group=Poster&show=10&skip=20")
        .await);
    let last_ids = card_ids(&last);
    assert_eq!(last_ids.len(), 8);
    assert!(last.contains("Showing 21–28"));
    assert!(last.contains("previous 10") && !last.contains("next 10"));
    let middle = ok(site
        .get("/venue/ICLR.2026?group=Poster&show=10&skip=10")
        .await);
    let mut all: Vec<String> = [ids, card_ids(&middle), last_ids].concat();
    let count = all.len();
    all.dedup();
    assert_eq!((count, all.len()), (28, 28), "every poster once");

    for bad in [
        "?show=0",
        "?show=100000",
        "?skip=-1",
        "?show=abc",
        "?skip=100001",
    ] {
        let answer = site.get(&format!("/venue/ICLR.2026{bad}")).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{bad}");
    }
}
store_test!(groups_and_paging_on, groups_filter_and_pages_page);

// ---- cards and the paper page ------------------------------------------------------------------

async fn a_venue_only_paper_links_to_its_own_page_and_openreview(store: Store) {
    let site = site(store).await;
    let html = ok(site.get("/venue/ICLR.2026?group=Poster").await);
    let card = card_of(&html, VENUE_ID);
    assert!(card.contains("href=\"/paper/openreview:Xy12ab\""), "{card}");
    assert!(card.contains("href=\"https://openreview.net/forum?id=Xy12ab\">OpenReview</a>"));
    assert!(card.contains("href=\"https://openreview.net/pdf?id=Xy12ab\">PDF</a>"));
    assert!(
        !card.contains("arxiv.org") && !card.contains("/arxiv/"),
        "{card}"
    );
    assert!(card.contains("data-copy=\"Graph Diffusion Off the Record"));
    // An arXiv paper's card keeps its arXiv links and shows every venue it is at.
    let html = ok(site.get("/venue/ICLR.2026?group=Oral").await);
    let card = card_of(&html, "2607.00001");
    assert!(card.contains("href=\"/arxiv/2607.00001\""));
    assert!(card.contains("href=\"https://arxiv.org/abs/2607.00001\">arXiv:2607.00001</a>"));
    assert!(
        card.contains("href=\"/venue/ICLR.2026?group=Oral\""),
        "{card}"
    );
    assert!(card.contains("ICLR 2026 · Oral"));
    assert!(card.contains("NeurIPS 2025 · Workshop"));

    // Badges on the other lists too: a day, a search, a topic.
    let day = ok(site.get("/arxiv/cs.LG").await);
    assert!(card_of(&day, "2607.00001").contains("class=\"venue-badge\""));
    assert!(!card_of(&day, "2607.00003").contains("NeurIPS"));
    let search = ok(site.get("/search?q=sparse+attention").await);
    assert!(
        card_of(&search, "2607.00001").contains("ICLR 2026 · Oral"),
        "{search}"
    );
    let topic = ok(site.get("/topic/attention").await);
    assert!(
        card_of(&topic, "2607.00001").contains("ICLR 2026 · Oral"),
        "{topic}"
    );
    // The venue paper is found by search, and its hit goes to its own page.
    let search = ok(site.get("/search?q=graph+diffusion+record").await);
    let card = card_of(&search, VENUE_ID);
    assert!(card.contains("href=\"/paper/openreview:Xy12ab\""), "{card}");
    assert!(!card.contains("arxiv.org"), "{card}");
    assert!(card.contains("ICLR 2026 · Poster"), "{card}");
}
store_test!(
    venue_only_card_on,
    a_venue_only_paper_links_to_its_own_page_and_openreview
);

async fn the_venue_paper_page(store: Store) {
    let site = site(store).await;
    let html = ok(site.get("/paper/openreview:Xy12ab").await);
    assert!(html.contains("Graph Diffusion Off the Record"));
    assert!(
        html.contains("href=\"/venue/ICLR.2026?group=Poster\""),
        "{html}"
    );
    assert!(html.contains("ICLR 2026 · Poster"));
    assert!(html.contains("from OpenReview"));
    assert!(html.contains("href=\"https://openreview.net/forum?id=Xy12ab\""));
    assert!(html.contains("href=\"https://openreview.net/pdf?id=Xy12ab\""));
    assert!(
        !html.contains("arxiv.org"),
        "no arXiv link for a paper arXiv lacks: {html}"
    );
    assert!(!html.contains("citation_arxiv_id"));
    assert!(!html.contains("<dt>Categories</dt>") && !html.contains("<dt>Announced</dt>"));
    assert!(html.contains(&format!(
        "<link rel=\"canonical\" href=\"{SITE}/paper/openreview:Xy12ab\">"
    )));
    assert!(html.contains("<meta name=\"citation_conference_title\" content=\"ICLR 2026\">"));
    assert!(html.contains("class=\"summarize\""));

    // An arXiv paper's page shows its venues beside its arXiv links.
    let html = ok(site.get("/arxiv/2607.00001").await);
    assert!(html.contains("ICLR 2026 · Oral") && html.contains("NeurIPS 2025 · Workshop"));
    assert!(html.contains("from a curated list"));
    assert!(html.contains("https://arxiv.org/pdf/2607.00001"));
    // A link an import gave as `javascript:` is not a link.
    let html = ok(site.get("/arxiv/2607.00099").await);
    assert!(!html.contains("javascript:"), "{html}");
    assert!(!html.contains("<img src=x"));

    // Ids in the wrong place go to the right one; ids that name nothing are 404s.
    let answer = site.get("/paper/2606.00001").await;
    assert_eq!(answer.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(answer.header("location"), "/arxiv/2606.00001");
    let answer = site.get("/paper/2606.00001v2").await;
    assert_eq!(answer.header("location"), "/arxiv/2606.00001v2");
    let answer = site.get("/arxiv/openreview:Xy12ab").await;
    assert_eq!(answer.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(answer.header("location"), "/paper/openreview:Xy12ab");
    for missing in [
        "/paper/openreview:Nope99",
        "/paper/curated:0123abcd",
        "/paper/garbage",
        "/paper/openreview:%3Cscript%3E",
        "/paper/openreview:",
    ] {
        let answer = site.get(missing).await;
        assert_eq!(
            answer.status,
            StatusCode::NOT_FOUND,
            "{missing}: {}",
            answer.body
        );
        assert!(!answer.body.contains("<script>"), "{missing}");
    }
    assert_eq!(
        site.state.fetches.pending(),
        0,
        "venue ids never go to arXiv"
    );
}
store_test!(venue_paper_page_on, the_venue_paper_page);

// ---- hostile and unknown input -----------------------------------------------------------------

async fn hostile_titles_are_text_on_the_page_and_in_the_feed(store: Store) {
    let site = site(store).await;
    let html = ok(site.get("/venue/ICLR.2026?group=Oral").await);
    assert!(!html.contains("<script>alert"), "raw script from a title");
    assert!(
        shows_escaped(&html, "<script>alert("),
        "the title is shown, escaped"
    );
    assert!(!html.contains("<b>Turing</b>"));
    let answer = site.get("/venue/ICLR.2026/feed?group=Oral").await;
    assert!(!answer.body.contains("<script>"), "{}", answer.body);
    let feed = parse_feed(&answer);
    let titles: Vec<&str> = feed
        .entries
        .iter()
        .map(|e| e.title.as_ref().unwrap().content.as_str())
        .collect();
    assert!(titles.contains(&HOSTILE), "{titles:?}");
    // The hostile venue's own page and feed are text too.
    let evil = "/venue/Evil%3Cscript%3Ex%3C%2Fscript%3E.2024";
    let html = ok(site.get(evil).await);
    assert!(
        !html.contains("<script>x") && !html.contains("<img src=x"),
        "{html}"
    );
    assert!(!html.contains("javascript:"));
    let answer = site.get(&format!("{evil}/feed")).await;
    assert!(!answer.body.contains("<script>x"));
    parse_feed(&answer);
}
store_test!(
    hostile_on,
    hostile_titles_are_text_on_the_page_and_in_the_feed
);

async fn unknown_venues_editions_and_groups_are_404s_that_say_what_exists(store: Store) {
    let site = site(store).await;
    let answer = site.get("/venue/CVPR").await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert!(
        answer.body.contains("There is no venue &#39;CVPR&#39;")
            || answer.body.contains("There is no venue &#x27;CVPR&#x27;")
            || answer.body.contains("There is no venue 'CVPR'"),
        "{}",
        answer.body
    );
    assert!(
        answer.body.contains("href=\"/venue/ICLR.2026\""),
        "the 404 lists the venues"
    );
    assert!(answer.body.contains("href=\"/venue/NeurIPS.2025\""));

    let answer = site.get("/venue/ICLR.2019").await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert!(
        answer
            .body
            .contains("ICLR has no edition 2019. Editions: 2026, 2025."),
        "{}",
        answer.body
    );

    let answer = site.get("/venue/ICLR.2026?group=Best").await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert!(
        answer.body.contains("Groups: Oral, Poster, Spotlight."),
        "{}",
        answer.body
    );

    let long = "x".repeat(5000);
    for garbage in [
        "/venue/%00",
        "/venue/..",
        "/venue/.2026",
        "/venue/ICLR.99999",
        "/venue/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        &format!("/venue/{long}"),
        "/venue/ICLR.2026?group=%3Cscript%3E",
        "/venue/ICLR.2026/feed?group=Nope",
        "/venue/NOPE/feed",
    ] {
        let answer = site.get(garbage).await;
        assert!(
            [StatusCode::BAD_REQUEST, StatusCode::NOT_FOUND].contains(&answer.status),
            "{garbage}: {}",
            answer.status
        );
        assert!(!answer.body.contains("<script>alert"), "{garbage}");
        assert!(answer.body.len() < 20_000, "{garbage}: the echo is clipped");
    }
    let answer = site.get("/venue/%FF%FE").await;
    assert!(answer.status.is_client_error(), "{}", answer.status);
    let answer = site.get("/venue/ICLR.2026/feed?format=json").await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
}
store_test!(
    unknown_on,
    unknown_venues_editions_and_groups_are_404s_that_say_what_exists
);

// ---- feeds -------------------------------------------------------------------------------------

async fn the_edition_feed_has_its_papers(store: Store) {
    let site = site(store).await;
    let answer = site.get("/venue/ICLR.2026/feed").await;
    assert_eq!(
        answer.header("content-type"),
        "application/rss+xml; charset=utf-8"
    );
    let feed = parse_feed(&answer);
    assert_eq!(feed.title.as_ref().unwrap().content, "ICLR 2026 — papers");
    assert_eq!(feed.entries.len(), 31);
    let links: Vec<&str> = feed
        .entries
        .iter()
        .map(|e| e.links[0].href.as_str())
        .collect();
    assert!(
        links.contains(&format!("{SITE}/paper/openreview:Xy12ab").as_str()),
        "{links:?}"
    );
    assert!(links.contains(&format!("{SITE}/arxiv/2607.00001").as_str()));
    assert!(
        !links.iter().any(|l| l.contains("2606.00001")),
        "not last year's"
    );

    let oral = parse_feed(&site.get("/venue/ICLR.2026/feed?group=oral").await);
    let mut links: Vec<String> = oral
        .entries
        .iter()
        .map(|e| e.links[0].href.clone())
        .collect();
    links.sort();
    assert_eq!(
        links,
        [
            format!("{SITE}/arxiv/2607.00001"),
            format!("{SITE}/arxiv/2607.00002")
        ]
    );
    assert_eq!(
        oral.title.as_ref().unwrap().content,
        "ICLR 2026 · Oral — papers"
    );

    let answer = site
        .get("/venue/ICLR.2026/feed?group=Oral&format=atom")
        .await;
    assert_eq!(
        answer.header("content-type"),
        "application/atom+xml; charset=utf-8"
    );
    let atom = parse_feed(&answer);
    assert_eq!(atom.entries.len(), 2);
    assert_eq!(atom.id, format!("{SITE}/venue/ICLR.2026/feed?group=Oral"));

    // The venue's feed is its latest edition's, under an address that stays.
    let latest = parse_feed(&site.get("/venue/iclr/feed").await);
    assert_eq!(latest.entries.len(), 31);
    let atom = parse_feed(&site.get("/venue/iclr/feed?format=atom").await);
    assert_eq!(atom.id, format!("{SITE}/venue/ICLR/feed"));
    let page = ok(site.get("/venue/ICLR.2026?group=Oral").await);
    assert!(page.contains(
        "<link rel=\"alternate\" type=\"application/rss+xml\" title=\"ICLR 2026 · Oral (RSS)\" href=\"/venue/ICLR.2026/feed?group=Oral\">"
    ), "{page}");
    assert!(page.contains("type=\"application/atom+xml\""));
}
store_test!(feed_on, the_edition_feed_has_its_papers);

// ---- the API and summaries ---------------------------------------------------------------------

async fn the_api_gives_a_venue_paper_with_its_venues(store: Store) {
    let site = site(store).await;
    let answer = site.get("/api/papers/openreview:Xy12ab").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert!(!answer.body.contains("arxiv.org"), "{}", answer.body);
    let json = answer.json();
    assert_eq!(json["id"], VENUE_ID);
    assert_eq!(json["url"], format!("{SITE}/paper/openreview:Xy12ab"));
    assert_eq!(json["abs_url"], "https://openreview.net/forum?id=Xy12ab");
    assert_eq!(json["categories"], serde_json::json!([]));
    let venue = &json["venues"][0];
    assert_eq!(venue["venue"], "ICLR");
    assert_eq!(venue["year"], 2026);
    assert_eq!(venue["group"], "Poster");
    assert_eq!(venue["source"], "openreview");
    assert_eq!(venue["url"], "https://openreview.net/forum?id=Xy12ab");
    assert_eq!(venue["pdf_url"], "https://openreview.net/pdf?id=Xy12ab");
    assert_eq!(
        venue["page"],
        format!("{SITE}/venue/ICLR.2026?group=Poster")
    );

    let json = site.get("/api/papers/2607.00001").await.json();
    assert_eq!(json["abs_url"], "https://arxiv.org/abs/2607.00001");
    assert_eq!(json["venues"].as_array().unwrap().len(), 2);
    let json = site.get("/api/papers/2607.00099").await.json();
    assert_eq!(
        json["venues"][0]["url"],
        serde_json::Value::Null,
        "no javascript: link"
    );
    // A day's papers carry their venues (every arXiv paper here is at one).
    let day = site.get("/api/arxiv/cs.LG?show=200").await.json();
    let papers = day["papers"].as_array().unwrap();
    assert_eq!(papers.len(), 32);
    assert!(
        papers
            .iter()
            .all(|p| !p["paper"]["venues"].as_array().unwrap().is_empty())
    );

    // The venue pages as JSON.
    let list = site.get("/api/venues").await.json();
    let iclr = &list["venues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "ICLR")
        .unwrap();
    assert_eq!(iclr["editions"][0]["edition"], "ICLR.2026");
    assert_eq!(iclr["editions"][0]["papers"], 31);
    assert_eq!(iclr["editions"][1]["year"], 2025);
    let oral = site.get("/api/venues/iclr?group=oral").await.json();
    assert_eq!(
        (oral["edition"].as_str(), oral["group"].as_str()),
        (Some("ICLR.2026"), Some("Oral"))
    );
    assert_eq!(oral["total"], 2);
    assert_eq!(oral["papers"].as_array().unwrap().len(), 2);
    assert_eq!(oral["url"], format!("{SITE}/venue/ICLR.2026?group=Oral"));
    let answer = site.get("/api/venues/CVPR").await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert!(answer.json()["error"].as_str().unwrap().contains("ICLR"));
    assert_eq!(
        site.get("/api/venues/ICLR.2026?show=0").await.status,
        StatusCode::BAD_REQUEST
    );

    let answer = site.get("/api/papers/openreview:Nope99").await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(answer.json()["status"], 404);
    let answer = site.get("/api/related/openreview:Xy12ab").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.json()["id"], VENUE_ID);
    assert_eq!(
        site.get("/api/related/openreview:Nope99").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        site.state.fetches.pending(),
        0,
        "venue ids never go to arXiv"
    );
}
store_test!(api_on, the_api_gives_a_venue_paper_with_its_venues);

async fn a_venue_paper_is_summarised_like_any_other(store: Store) {
    let site = site(store).await;
    let started = site.post("/api/summaries/openreview:Xy12ab", None).await;
    assert!(
        [StatusCode::OK, StatusCode::ACCEPTED].contains(&started.status),
        "{}",
        started.body
    );
    let state = started.json();
    assert_eq!(state["id"], VENUE_ID);
    assert_eq!(state["provider"], "extractive");
    let events = tokio::time::timeout(
        Duration::from_secs(60),
        site.get("/api/summaries/openreview:Xy12ab/stream?lang=en"),
    )
    .await
    .expect("the stream ends")
    .body;
    assert!(events.contains("event: done"), "{events}");
    let done = site.get("/api/summaries/openreview:Xy12ab").await.json();
    assert_eq!(done["state"], "done", "{done}");
    assert_eq!(done["summary"]["sections"].as_array().unwrap().len(), 6);
    // The paper page shows it.
    let html = ok(site.get("/paper/openreview:Xy12ab").await);
    assert!(html.contains("class=\"summary-answer tex\""), "{html}");
    let answer = site.post("/api/summaries/openreview:Nope99", None).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
}
store_test!(summary_on, a_venue_paper_is_summarised_like_any_other);
