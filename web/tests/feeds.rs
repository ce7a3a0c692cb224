//! The feeds as a feed reader meets them: a category's day, a topic and a search, in RSS and
//! Atom, read back by a real feed parser; and the polling a reader does, answered with 304s.

mod support;

use axum::http::StatusCode;
use support::{Answer, Site, paper, paper_on, shows_escaped};

const SITE: &str = "https://papers.example.org";

fn parse(answer: &Answer) -> feed_rs::model::Feed {
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    feed_rs::parser::parse(answer.body.as_bytes())
        .unwrap_or_else(|e| panic!("not a feed ({e}): {}", answer.body))
}

fn titles(feed: &feed_rs::model::Feed) -> Vec<String> {
    feed.entries
        .iter()
        .map(|e| {
            e.title
                .as_ref()
                .expect("every item has a title")
                .content
                .clone()
        })
        .collect()
}

/// Each item's link, checked to be the absolute URL of our paper page, as the paper id.
fn linked_ids(feed: &feed_rs::model::Feed) -> Vec<String> {
    feed.entries
        .iter()
        .map(|e| {
            let href = &e.links.first().expect("every item links somewhere").href;
            let id = href
                .strip_prefix(&format!("{SITE}/arxiv/"))
                .unwrap_or_else(|| panic!("not an absolute link to our paper page: {href}"));
            id.to_string()
        })
        .collect()
}

/// The site the category feeds are read from: cs.LG has two new papers and a cross-list on
/// 2026-07-01 and one paper the day before.
async fn site() -> Site {
    Site::with(vec![
        paper_on("2606.00001", "Yesterday's Kernel", &["cs.LG"], "2026-06-30"),
        paper("2607.00001", "Sparse Kernel Attention", &["cs.LG"]),
        paper("2607.00002", "Dense Kernel Attention", &["cs.LG"]),
        paper("2607.00003", "Kernel Statistics", &["stat.ML", "cs.LG"]),
        paper("2607.00004", "Robot Kernels", &["cs.RO"]),
    ])
    .await
}

#[tokio::test]
async fn a_category_feed_has_the_latest_day_with_absolute_links() {
    let site = site().await;
    let answer = site.get("/arxiv/cs.LG/feed").await;
    assert_eq!(
        answer.header("content-type"),
        "application/rss+xml; charset=utf-8"
    );
    assert!(
        answer.header("cache-control").contains("max-age="),
        "readers may cache it"
    );
    let feed = parse(&answer);
    assert_eq!(feed.title.as_ref().unwrap().content, "cs.LG — papers");
    assert_eq!(
        titles(&feed),
        [
            "Sparse Kernel Attention",
            "Dense Kernel Attention",
            "Kernel Statistics"
        ],
        "the day as listed: new papers, then cross-lists"
    );
    assert_eq!(
        linked_ids(&feed),
        ["2607.00001", "2607.00002", "2607.00003"]
    );
    assert_eq!(
        feed.entries[0].id,
        format!("{SITE}/arxiv/2607.00001"),
        "the guid"
    );
    assert!(
        feed.links
            .iter()
            .any(|l| l.href == format!("{SITE}/arxiv/cs.LG")),
        "the channel links to the page: {:?}",
        feed.links
    );

    // An earlier day, as the page offers it.
    let feed = parse(&site.get("/arxiv/cs.LG/feed?date=2026-06-30").await);
    assert_eq!(titles(&feed), ["Yesterday's Kernel"]);

    // Expressions work as on the page.
    let feed = parse(&site.get("/arxiv/cs.LG,cs.RO-stat.ML/feed").await);
    let mut ids = linked_ids(&feed);
    ids.sort();
    assert_eq!(ids, ["2607.00001", "2607.00002", "2607.00004"]);
}

#[tokio::test]
async fn the_atom_feed_carries_the_same_items() {
    let site = site().await;
    let rss = parse(&site.get("/arxiv/cs.LG/feed").await);
    let answer = site.get("/arxiv/cs.LG/feed?format=atom").await;
    assert_eq!(
        answer.header("content-type"),
        "application/atom+xml; charset=utf-8"
    );
    assert!(
        answer
            .body
            .contains("<feed xmlns=\"http://www.w3.org/2005/Atom\">"),
        "{}",
        answer.body
    );
    let atom = parse(&answer);
    assert_eq!(titles(&atom), titles(&rss));
    assert_eq!(linked_ids(&atom), linked_ids(&rss));
    let authors: Vec<_> = atom.entries[0]
        .authors
        .iter()
        .filter_map(|a| a.name.clone())
        .collect();
    assert_eq!(
        authors,
        ["Ada Lovelace", "Alan <b>Turing</b>"],
        "each author, as text"
    );
    assert_eq!(
        atom.entries[0].summary.as_ref().unwrap().content,
        "We study attention & low-rank <i>adapters</i>."
    );
    // `atom` in any case.
    assert_eq!(
        site.get("/arxiv/cs.LG/feed?format=Atom")
            .await
            .header("content-type"),
        "application/atom+xml; charset=utf-8"
    );
}

#[tokio::test]
async fn a_topic_feed_lists_the_topic_newest_first() {
    let site = Site::with(vec![
        paper_on(
            "2606.00001",
            "Linear Attention Revisited",
            &["cs.LG"],
            "2026-06-30",
        ),
        paper_on(
            "2607.00001",
            "Sparse Attention Heads",
            &["cs.CL"],
            "2026-07-01",
        ),
        paper_on(
            "2607.00002",
            "Galaxy Surveys",
            &["astro-ph.GA"],
            "2026-07-01",
        ),
    ])
    .await;
    for uri in ["/topic/attention/feed", "/topic/attention/feed?format=atom"] {
        let feed = parse(&site.get(uri).await);
        assert_eq!(
            feed.title.as_ref().unwrap().content,
            "Attention — papers",
            "{uri}"
        );
        assert_eq!(
            titles(&feed),
            ["Sparse Attention Heads", "Linear Attention Revisited"],
            "{uri}"
        );
        assert_eq!(linked_ids(&feed), ["2607.00001", "2606.00001"], "{uri}");
    }
    let unknown = site.get("/topic/astrology/feed").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(
        unknown
            .body
            .contains("Topics: attention, diffusion, low-rank"),
        "{}",
        unknown.body
    );
}

#[tokio::test]
async fn a_search_feed_lists_the_newest_matches() {
    let site = Site::with(vec![
        paper_on(
            "2606.00001",
            "Kernel Kernel Kernel Methods",
            &["cs.LG"],
            "2026-06-29",
        ),
        paper_on("2607.00001", "Kernel Ideas", &["cs.LG"], "2026-07-01"),
        paper_on("2606.00002", "Kernel Tricks", &["cs.CL"], "2026-06-30"),
        paper_on("2606.00003", "Robot Arms", &["cs.RO"], "2026-06-30"),
    ])
    .await;
    for uri in ["/search/feed?q=kernel", "/search/feed?q=kernel&format=atom"] {
        let feed = parse(&site.get(uri).await);
        assert_eq!(
            feed.title.as_ref().unwrap().content,
            "kernel — papers search",
            "{uri}"
        );
        assert_eq!(
            linked_ids(&feed),
            ["2607.00001", "2606.00002", "2606.00001"],
            "{uri}: newest first, whatever the relevance"
        );
        assert_eq!(titles(&feed)[0], "Kernel Ideas");
    }
    // Filters narrow the feed as they narrow the page.
    let feed = parse(&site.get("/search/feed?q=kernel&cat=cs.CL").await);
    assert_eq!(linked_ids(&feed), ["2606.00002"]);

    let empty = site.get("/search/feed?q=").await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    assert!(
        empty.body.contains("A search feed needs a query"),
        "{}",
        empty.body
    );
}

#[tokio::test]
async fn a_json_feed_is_refused_with_a_reason() {
    let site = site().await;
    for uri in [
        "/arxiv/cs.LG/feed?format=json",
        "/topic/attention/feed?format=json",
        "/search/feed?q=kernel&format=json",
    ] {
        let answer = site.get(uri).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{uri}");
        assert!(
            shows_escaped(
                &answer.body,
                "unknown feed format \"json\": expected \"rss\" or \"atom\""
            ),
            "{uri}: {}",
            answer.body
        );
    }
}

#[tokio::test]
async fn a_reader_polling_with_the_etag_gets_304_and_no_body() {
    let site = site().await;
    for uri in [
        "/arxiv/cs.LG/feed",
        "/arxiv/cs.LG/feed?format=atom",
        "/topic/attention/feed",
        "/search/feed?q=kernel",
    ] {
        let first = site.get(uri).await;
        assert_eq!(first.status, StatusCode::OK, "{uri}");
        let etag = first.header("etag").to_string();
        assert!(
            etag.starts_with('"') && etag.ends_with('"'),
            "{uri}: a strong ETag {etag:?}"
        );

        let again = site.request(uri, &[("if-none-match", &etag)]).await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{uri}");
        assert!(
            again.body.is_empty(),
            "{uri}: a 304 has no body: {}",
            again.body
        );
        assert_eq!(again.header("etag"), etag, "{uri}");

        let other = site
            .request(uri, &[("if-none-match", "\"something-else\"")])
            .await;
        assert_eq!(
            other.status,
            StatusCode::OK,
            "{uri}: another tag gets the feed"
        );
        assert_eq!(other.body, first.body, "{uri}");
    }
}

#[tokio::test]
async fn a_reader_polling_with_the_date_gets_304() {
    let site = site().await;
    let first = site.get("/arxiv/cs.LG/feed").await;
    let modified = first.header("last-modified").to_string();
    assert_eq!(
        modified, "Wed, 01 Jul 2026 00:00:00 GMT",
        "the day's date, not the clock"
    );

    let again = site
        .request("/arxiv/cs.LG/feed", &[("if-modified-since", &modified)])
        .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());

    let earlier = site
        .request(
            "/arxiv/cs.LG/feed",
            &[("if-modified-since", "Tue, 30 Jun 2026 00:00:00 GMT")],
        )
        .await;
    assert_eq!(
        earlier.status,
        StatusCode::OK,
        "a copy from before the day is stale"
    );
    assert_eq!(parse(&earlier).entries.len(), 3);
}

#[tokio::test]
async fn a_new_paper_on_the_day_changes_the_etag() {
    let site = site().await;
    let before = site.get("/arxiv/cs.LG/feed").await;
    let etag = before.header("etag").to_string();

    site.store
        .upsert(vec![paper("2607.00005", "Late Kernel Arrival", &["cs.LG"])])
        .await
        .unwrap();

    let after = site
        .request("/arxiv/cs.LG/feed", &[("if-none-match", &etag)])
        .await;
    assert_eq!(
        after.status,
        StatusCode::OK,
        "the reader's copy is stale now"
    );
    assert_ne!(
        after.header("etag"),
        etag,
        "a new day's content, a new ETag"
    );
    let feed = parse(&after);
    assert_eq!(feed.entries.len(), 4);
    assert!(titles(&feed).contains(&"Late Kernel Arrival".to_string()));
}
