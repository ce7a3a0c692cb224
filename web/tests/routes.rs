//! Every reading route as a visitor meets it: the front page, a category's day and its paging,
//! a paper by any form of its id, search with its filters and shortcuts, topics, and the small
//! files browsers and robots ask for.

mod support;

use axum::http::StatusCode;
use chrono::NaiveDate;
use papers_core::Paper;
use support::{Site, paper, paper_on};

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

/// The cards of a list page, each as its HTML.
fn cards(html: &str) -> Vec<&str> {
    html.split("<article class=\"paper\"").skip(1).collect()
}

/// The ids of the cards, in page order.
fn card_ids(html: &str) -> Vec<String> {
    cards(html)
        .iter()
        .map(|card| between(card, "data-id=\"", "\"").to_string())
        .collect()
}

/// The text between the first `start` and the next `end`.
fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("no {start:?} in {text}"))
        + start.len();
    let len = text[from..]
        .find(end)
        .unwrap_or_else(|| panic!("no {end:?} after {start:?}"));
    &text[from..from + len]
}

/// The announced day each card shows, in page order.
fn card_dates(html: &str) -> Vec<NaiveDate> {
    cards(html)
        .iter()
        .map(|card| {
            let meta = between(card, "<p class=\"meta\">", "</p>");
            let date = between(meta, "<span>", "</span>");
            NaiveDate::parse_from_str(date, "%Y-%m-%d")
                .unwrap_or_else(|e| panic!("{e}: {date:?} in {card}"))
        })
        .collect()
}

/// `n` papers in cs.LG on 2026-07-01 titled "Graph Kernel {i}", ids 2607.00001…
fn kernels(n: u32) -> Vec<Paper> {
    (1..=n)
        .map(|i| {
            paper(
                &format!("2607.{i:05}"),
                &format!("Graph Kernel {i}"),
                &["cs.LG"],
            )
        })
        .collect()
}

// ----------------------------------------------------------------------------------------------
// The front page

#[tokio::test]
async fn home_lists_the_topics_with_their_counts() {
    let site = Site::demo().await;
    let topics = site.get("/api/topics").await.json();
    let html = site.get("/").await;
    assert_eq!(html.status, StatusCode::OK);
    let html = html.body;
    assert!(
        html.contains("<h2>Topics</h2>"),
        "no topics section: {html}"
    );
    for name in ["attention", "diffusion", "low-rank"] {
        let topic = topics["topics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == name)
            .unwrap_or_else(|| panic!("no topic {name} in {topics}"));
        let count = topic["papers"].as_u64().unwrap();
        assert!(count > 0, "the demo has {name} papers: {topic}");
        let link = format!(
            "<a href=\"/topic/{name}\">{}</a>",
            topic["title"].as_str().unwrap()
        );
        let line = between(&html, &link, "</li>");
        assert!(
            line.contains(&format!("{count} papers")),
            "the {name} line shows its {count} papers: {line}"
        );
    }
}

// ----------------------------------------------------------------------------------------------
// A category's day

#[tokio::test]
async fn a_day_links_to_the_days_before_and_after_and_to_its_feeds() {
    let site = Site::with(vec![
        paper_on("2606.00001", "Monday Graphs", &["cs.LG"], "2026-06-29"),
        paper_on("2606.00002", "Tuesday Graphs", &["cs.LG"], "2026-06-30"),
        paper_on("2607.00001", "Wednesday Graphs", &["cs.LG"], "2026-07-01"),
    ])
    .await;

    let latest = site.get("/arxiv/cs.LG").await;
    assert_eq!(latest.status, StatusCode::OK);
    assert!(latest.body.contains("Wednesday Graphs"), "{}", latest.body);
    assert!(
        !latest.body.contains("Tuesday Graphs"),
        "only the latest day"
    );
    assert!(
        latest
            .body
            .contains("rel=\"prev\" href=\"/arxiv/cs.LG?date=2026-06-30\""),
        "a link to the day before: {}",
        latest.body
    );
    assert!(
        !latest.body.contains("rel=\"next\""),
        "nothing after the latest day"
    );

    let middle = site.get("/arxiv/cs.LG?date=2026-06-30").await;
    assert_eq!(middle.status, StatusCode::OK);
    let html = middle.body;
    assert!(html.contains("Tuesday Graphs") && !html.contains("Wednesday Graphs"));
    assert!(
        html.contains("rel=\"prev\" href=\"/arxiv/cs.LG?date=2026-06-29\""),
        "{html}"
    );
    assert!(
        html.contains("rel=\"next\" href=\"/arxiv/cs.LG?date=2026-07-01\""),
        "{html}"
    );
    assert!(
        html.contains("<title>cs.LG — 2026-06-30 — papers</title>"),
        "{html}"
    );

    // Feed readers find the feeds from the page itself.
    assert!(
        html.contains(
            "<link rel=\"alternate\" type=\"application/rss+xml\" title=\"cs.LG (RSS)\" href=\"/arxiv/cs.LG/feed\">"
        ),
        "{html}"
    );
    assert!(
        html.contains("type=\"application/atom+xml\"")
            && html.contains("href=\"/arxiv/cs.LG/feed?format=atom\""),
        "{html}"
    );

    // A day with nothing in this category says so and still offers the others.
    let empty = site.get("/arxiv/math.NA?date=2026-06-30").await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(
        empty.body.contains("No papers in math.NA on 2026-06-30"),
        "{}",
        empty.body
    );
}

#[tokio::test]
async fn a_long_day_is_paged_with_show_and_skip() {
    let site = Site::with(kernels(30)).await;

    let first = site.get("/arxiv/cs.LG?show=10").await;
    assert_eq!(first.status, StatusCode::OK);
    let html = &first.body;
    assert_eq!(cards(html).len(), 10, "ten papers on the first page");
    assert!(
        html.contains("30 papers: 30 new, 0 cross-listed. Showing 1–10."),
        "{html}"
    );
    assert!(
        html.contains("<article class=\"paper\" id=\"2607.00001\""),
        "numbered from the first"
    );
    assert!(
        html.contains(
            "href=\"/arxiv/cs.LG?date=2026-07-01&amp;show=10&amp;skip=10\">next 10 →</a>"
        ),
        "a next page: {html}"
    );
    assert!(!html.contains("← previous"), "no page before the first");

    let middle = site.get("/arxiv/cs.LG?show=10&skip=10").await;
    assert!(middle.body.contains("Showing 11–20."), "{}", middle.body);
    assert!(
        middle.body.contains(">11. <a"),
        "cards are numbered across pages"
    );
    assert!(
        middle.body.contains("skip=0\">← previous 10</a>"),
        "{}",
        middle.body
    );
    assert!(
        middle.body.contains("skip=20\">next 10 →</a>"),
        "{}",
        middle.body
    );

    let last = site.get("/arxiv/cs.LG?show=10&skip=20").await;
    assert_eq!(cards(&last.body).len(), 10);
    assert!(last.body.contains("Showing 21–30."), "{}", last.body);
    assert!(
        last.body.contains("skip=10\">← previous 10</a>"),
        "{}",
        last.body
    );
    assert!(!last.body.contains("next 10 →"), "no page after the last");

    // A partial last page.
    let partial = site.get("/arxiv/cs.LG?show=25&skip=25").await;
    assert_eq!(cards(&partial.body).len(), 5);
    assert!(partial.body.contains("Showing 26–30."), "{}", partial.body);

    // Without ?show= a page holds 25.
    assert_eq!(cards(&site.get("/arxiv/cs.LG").await.body).len(), 25);
}

#[tokio::test]
async fn paging_past_the_end_shows_an_empty_page_not_an_error() {
    let site = Site::with(kernels(30)).await;
    let answer = site.get("/arxiv/cs.LG?show=10&skip=100").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let html = &answer.body;
    assert!(cards(html).is_empty(), "no papers past the end");
    assert!(
        html.contains("30 papers"),
        "the day's size is still told: {html}"
    );
    // The range line must not claim an inverted range such as "Showing 101–100".
    assert!(
        !html.contains("Showing 101–100"),
        "an empty page past the end shows an inverted range: {}",
        between(html, "<p class=\"counts\">", "</p>")
    );
}

#[tokio::test]
async fn the_day_labels_new_cross_listed_and_replaced_papers() {
    let mut revised = paper("2607.00003", "Revised Graph Paper", &["cs.LG"]);
    revised.version = 2;
    let site = Site::with(vec![
        paper("2607.00001", "Primary Graph Paper", &["cs.LG"]),
        paper("2607.00002", "Statistics Cross List", &["stat.ML", "cs.LG"]),
        revised,
    ])
    .await;
    let html = site.get("/arxiv/cs.LG").await.body;
    assert!(html.contains("3 papers: 2 new, 1 cross-listed."), "{html}");
    // arXiv's order: new submissions first, then cross-lists.
    let ids = card_ids(&html);
    assert_eq!(
        ids.last().map(String::as_str),
        Some("2607.00002"),
        "{ids:?}"
    );
    let card = |id: &str| {
        cards(&html)
            .into_iter()
            .find(|c| c.contains(&format!("data-id=\"{id}\"")))
            .unwrap_or_else(|| panic!("no card {id}"))
            .to_string()
    };
    assert!(card("2607.00001").contains("<span class=\"kind kind-new\">new</span>"));
    assert!(!card("2607.00001").contains("replaced"));
    assert!(
        card("2607.00002").contains("<span class=\"kind kind-cross-list\">cross-list</span>"),
        "{}",
        card("2607.00002")
    );
    assert!(
        card("2607.00003").contains("<span class=\"kind kind-replaced\">replaced (v2)</span>"),
        "{}",
        card("2607.00003")
    );
}

// ----------------------------------------------------------------------------------------------
// A paper

#[tokio::test]
async fn a_paper_opens_by_every_form_of_its_id() {
    let mut revised = paper("2607.00001", "Versioned Attention", &["cs.LG"]);
    revised.version = 2;
    let site = Site::with(vec![
        revised,
        paper("hep-th/9901001", "An Old String Paper", &["hep-th"]),
    ])
    .await;

    for uri in [
        "/arxiv/2607.00001",
        "/arxiv/2607.00001v2",
        "/arxiv/arXiv:2607.00001",
    ] {
        let answer = site.get(uri).await;
        assert_eq!(answer.status, StatusCode::OK, "{uri}: {}", answer.body);
        assert!(
            answer
                .body
                .contains("<h1 class=\"title tex\">Versioned Attention</h1>"),
            "{uri}"
        );
        assert!(
            !answer.body.contains("You asked for version"),
            "{uri}: the latest, no notice"
        );
        assert!(answer.body.contains("<dd>2607.00001v2</dd>"), "{uri}");
    }

    let older = site.get("/arxiv/2607.00001v1").await;
    assert_eq!(older.status, StatusCode::OK);
    assert!(
        older
            .body
            .contains("You asked for version 1; this is version 2, the latest stored."),
        "{}",
        older.body
    );
    assert!(
        older
            .body
            .contains("href=\"https://arxiv.org/abs/2607.00001v1\"")
    );

    for uri in ["/arxiv/hep-th/9901001", "/arxiv/hep-th/9901001v1"] {
        let answer = site.get(uri).await;
        assert_eq!(answer.status, StatusCode::OK, "{uri}: {}", answer.body);
        assert!(answer.body.contains("An Old String Paper"), "{uri}");
        assert!(
            answer.body.contains("https://arxiv.org/abs/hep-th/9901001"),
            "{uri}"
        );
    }

    let nonsense = site.get("/arxiv/hep-th/notanumber").await;
    assert_eq!(nonsense.status, StatusCode::NOT_FOUND, "{}", nonsense.body);
    assert!(
        nonsense.body.contains("is not an arXiv id"),
        "{}",
        nonsense.body
    );
}

#[tokio::test]
async fn the_paper_page_carries_citation_and_open_graph_tags() {
    let mut p = paper(
        "2607.00001",
        "Sparse Attention at Scale",
        &["cs.LG", "stat.ML"],
    );
    p.doi = Some("10.1000/xyz123".into());
    let site = Site::with(vec![p]).await;
    let html = site.get("/arxiv/2607.00001").await.body;
    for tag in [
        "<meta name=\"citation_title\" content=\"Sparse Attention at Scale\">",
        "<meta name=\"citation_author\" content=\"Ada Lovelace\">",
        "<meta name=\"citation_date\" content=\"2026/07/01\">",
        "<meta name=\"citation_publication_date\" content=\"2026/07/01\">",
        "<meta name=\"citation_arxiv_id\" content=\"2607.00001\">",
        "<meta name=\"citation_pdf_url\" content=\"https://arxiv.org/pdf/2607.00001\">",
        "<meta name=\"citation_abstract_html_url\" content=\"https://arxiv.org/abs/2607.00001\">",
        "<meta name=\"citation_doi\" content=\"10.1000/xyz123\">",
        "<meta property=\"og:type\" content=\"article\">",
        "<meta property=\"og:title\" content=\"Sparse Attention at Scale\">",
        "<meta property=\"og:url\" content=\"https://papers.example.org/arxiv/2607.00001\">",
        "<link rel=\"canonical\" href=\"https://papers.example.org/arxiv/2607.00001\">",
    ] {
        assert!(html.contains(tag), "missing {tag} in {html}");
    }
    assert_eq!(
        html.matches("name=\"citation_author\"").count(),
        2,
        "one citation_author per author"
    );
    assert!(html.contains("<meta property=\"og:description\" content=\"We study attention"));
    assert!(html.contains("<title>Sparse Attention at Scale — papers</title>"));
    // The announced day links to the primary category's day.
    assert!(
        html.contains("href=\"/arxiv/cs.LG?date=2026-07-01\""),
        "{html}"
    );
}

#[tokio::test]
async fn a_long_author_list_folds_after_forty() {
    let mut crowd = paper("2607.00001", "A Large Collaboration", &["hep-ex"]);
    crowd.authors = (1..=45).map(|i| format!("Author Number{i}")).collect();
    let mut small = paper("2607.00002", "A Small Team", &["hep-ex"]);
    small.authors = (1..=40).map(|i| format!("Author Number{i}")).collect();
    let site = Site::with(vec![crowd, small]).await;

    let html = site.get("/arxiv/2607.00001").await.body;
    let authors = between(&html, "<div class=\"authors\">", "</div>");
    let (shown, folded) = authors
        .split_once("<details")
        .expect("a fold after 40 authors");
    assert!(
        shown.contains("Author Number40") && !shown.contains("Author Number41"),
        "{shown}"
    );
    assert!(
        folded.contains("<summary>et al. (5 more)</summary>"),
        "{folded}"
    );
    assert!(folded.contains("Author Number41") && folded.contains("Author Number45"));
    // Reference managers still get every author.
    assert_eq!(html.matches("name=\"citation_author\"").count(), 45);

    let html = site.get("/arxiv/2607.00002").await.body;
    let authors = between(&html, "<div class=\"authors\">", "</div>");
    assert!(
        !authors.contains("et al."),
        "40 authors are all shown: {authors}"
    );
    assert!(authors.contains("Author Number40"));
}

#[tokio::test]
async fn the_copy_button_copies_title_authors_and_link() {
    let site = Site::with(vec![paper("2607.00001", "Copyable Attention", &["cs.LG"])]).await;
    let page = site.get("/arxiv/2607.00001").await.body;
    let listing = site.get("/arxiv/cs.LG").await.body;
    for html in [&page, &listing] {
        let button = between(html, "<button class=\"copy\"", "</button>");
        assert!(button.ends_with(">Copy"), "the button reads Copy: {button}");
        let copied = between(button, "data-copy=\"", "\"");
        let lines: Vec<&str> = copied.lines().collect();
        assert_eq!(lines.len(), 3, "title, authors, link: {copied}");
        assert_eq!(lines[0], "Copyable Attention");
        assert!(lines[1].starts_with("Ada Lovelace, Alan "), "{copied}");
        assert_eq!(lines[2], "https://arxiv.org/abs/2607.00001");
    }
}

#[tokio::test]
async fn the_demo_paper_page_lists_related_papers() {
    let site = Site::demo().await;
    let id = "2605.28822";
    let html = site.get(&format!("/arxiv/{id}")).await.body;
    let related = between(&html, "<section class=\"related\">", "</section>");
    assert!(related.contains("<h2>Related papers</h2>"));
    let items: Vec<&str> = related.split("<li>").skip(1).collect();
    assert_eq!(items.len(), 10, "ten related papers: {related}");
    for item in &items {
        let href = between(item, "href=\"", "\"");
        assert!(href.starts_with("/arxiv/"), "{item}");
        assert_ne!(
            href,
            format!("/arxiv/{id}"),
            "a paper is not related to itself"
        );
        // Every related paper opens.
        assert_eq!(site.get(href).await.status, StatusCode::OK, "{href}");
    }
}

#[tokio::test]
async fn a_paper_not_stored_is_queued_and_the_page_says_so() {
    let site = Site::with(vec![paper("2607.00001", "Stored", &["cs.LG"])]).await;
    let answer = site.get("/arxiv/2607.99999").await;
    assert_eq!(answer.status, StatusCode::ACCEPTED, "{}", answer.body);
    assert!(
        answer.body.contains("<h1>arXiv:2607.99999</h1>"),
        "{}",
        answer.body
    );
    assert!(
        answer.body.contains("queued for fetching from arXiv"),
        "{}",
        answer.body
    );
    assert!(
        answer
            .body
            .contains("href=\"https://arxiv.org/abs/2607.99999\"")
    );
    assert!(
        answer
            .body
            .contains("<meta name=\"robots\" content=\"noindex\">")
    );
}

// ----------------------------------------------------------------------------------------------
// Search

#[tokio::test]
async fn search_highlights_the_words_and_counts_the_hits() {
    let site = Site::with(vec![
        paper("2607.00001", "Sparse Kernels for Graphs", &["cs.LG"]),
        paper("2607.00002", "Dense Kernels for Images", &["cs.CV"]),
        paper("2607.00003", "Unrelated Robotics", &["cs.RO"]),
    ])
    .await;
    let answer = site.get("/search?q=kernels").await;
    assert_eq!(answer.status, StatusCode::OK);
    let html = &answer.body;
    assert!(html.contains("2 papers"), "the count: {html}");
    assert!(html.contains("Showing 1–2."), "{html}");
    assert_eq!(cards(html).len(), 2);
    assert!(
        html.contains("<b>Kernels</b>"),
        "the matched word is in bold: {html}"
    );
    assert!(!html.contains("Unrelated Robotics"));
    // The query stays in both search boxes.
    assert!(html.contains("value=\"kernels\""), "{html}");
    assert!(html.contains("<title>kernels — search — papers</title>"));
    // And the search has a feed.
    assert!(html.contains("href=\"/search/feed?q=kernels\""), "{html}");
}

#[tokio::test]
async fn search_highlights_words_in_titles_with_punctuation_at_either_end() {
    let site = Site::with(vec![
        paper("2607.00001", "Are Sparse Kernels All You Need?", &["cs.LG"]),
        paper("2607.00002", "(Sparse) Kernels, Revisited", &["cs.LG"]),
        paper("2607.00003", "\"Sparse\" Kernels", &["cs.LG"]),
    ])
    .await;
    let html = site.get("/search?q=kernels").await.body;
    assert_eq!(cards(&html).len(), 3, "{html}");
    for card in cards(&html) {
        let title = between(card, "<a class=\"paper-link\" href=\"/arxiv/", "</a>");
        assert!(
            title.contains("<b>Kernels</b>"),
            "the matched word is in bold whatever punctuation the title starts or ends with: {title}"
        );
    }
}

#[tokio::test]
async fn what_the_search_tips_promise_about_authors_holds() {
    let mut p = paper("2607.00001", "Sparse Kernels", &["cs.LG"]);
    p.authors = vec!["Grace Hopper".into()];
    let site = Site::with(vec![p]).await;
    // `au:` always finds an author.
    let html = site.get("/search?q=au:hopper").await.body;
    assert_eq!(card_ids(&html), ["2607.00001"], "{html}");
    // The tips say plain words match authors too; then a plain name must find the paper.
    let tips = site.get("/search").await.body;
    let promises_authors = tips.contains("titles, abstracts and authors");
    let html = site.get("/search?q=hopper").await.body;
    if promises_authors {
        assert_eq!(
            card_ids(&html),
            ["2607.00001"],
            "the tips say words match authors, but a plain author name finds nothing"
        );
    }
}

#[tokio::test]
async fn search_pages_through_many_results() {
    let site = Site::with(kernels(30)).await;
    // Links in the page may write `&` as `&amp;` or `&#38;`; both are the same link.
    let first = site
        .get("/search?q=kernel&show=10")
        .await
        .body
        .replace("&#38;", "&amp;");
    assert!(first.contains("30 papers"), "{first}");
    assert!(first.contains("Showing 1–10."), "{first}");
    assert_eq!(cards(&first).len(), 10);
    assert!(
        first.contains("<a href=\"/search?q=kernel&amp;show=10&amp;skip=10\">next →</a>"),
        "{first}"
    );
    assert!(!first.contains("← previous"));

    let last = site
        .get("/search?q=kernel&show=10&skip=20")
        .await
        .body
        .replace("&#38;", "&amp;");
    assert!(last.contains("Showing 21–30."), "{last}");
    assert!(
        last.contains("<a href=\"/search?q=kernel&amp;show=10&amp;skip=10\">← previous</a>"),
        "{last}"
    );
    assert!(!last.contains("next →"));

    // Every paper appears exactly once across the pages.
    let mut seen = Vec::new();
    for skip in [0, 10, 20] {
        let html = site
            .get(&format!("/search?q=kernel&show=10&skip={skip}"))
            .await
            .body;
        seen.extend(card_ids(&html));
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 30, "{seen:?}");
}

#[tokio::test]
async fn search_sorted_by_newest_lists_the_latest_days_first() {
    let site = Site::with(vec![
        paper_on(
            "2606.00001",
            "Kernel Methods Kernel Kernel",
            &["cs.LG"],
            "2026-06-29",
        ),
        paper_on("2607.00001", "Kernel Ideas", &["cs.LG"], "2026-07-01"),
        paper_on(
            "2606.00002",
            "Kernel Methods Kernel",
            &["cs.LG"],
            "2026-06-30",
        ),
    ])
    .await;
    let html = site
        .get("/search?q=kernel&sort=newest")
        .await
        .body
        .replace("&#38;", "&amp;");
    let dates = card_dates(&html);
    assert_eq!(
        dates,
        [date("2026-07-01"), date("2026-06-30"), date("2026-06-29")],
        "{html}"
    );
    assert!(
        html.contains("<option value=\"newest\" selected>"),
        "the form keeps the sort"
    );
    // The feed link keeps the sort too.
    assert!(
        html.contains("/search/feed?q=kernel&amp;sort=newest"),
        "{html}"
    );
}

#[tokio::test]
async fn search_filters_by_category_and_dates() {
    let site = Site::with(vec![
        paper_on(
            "2606.00001",
            "Kernel Language Models",
            &["cs.CL"],
            "2026-06-29",
        ),
        paper_on("2606.00002", "Kernel Vision", &["cs.CV"], "2026-06-30"),
        paper_on(
            "2607.00001",
            "Kernel Translation",
            &["cs.CL", "cs.LG"],
            "2026-07-01",
        ),
    ])
    .await;

    let html = site.get("/search?q=kernel&cat=cs.CL").await.body;
    let mut ids = card_ids(&html);
    ids.sort();
    assert_eq!(
        ids,
        ["2606.00001", "2607.00001"],
        "only cs.CL papers: {html}"
    );
    assert!(
        between(&html, "<input name=\"cat\"", ">").contains("value=\"cs.CL\""),
        "the filter stays in the form"
    );

    // A whole archive.
    let html = site.get("/search?q=kernel&cat=cs").await.body;
    assert_eq!(cards(&html).len(), 3, "{html}");

    // Announced days, both ends included.
    let html = site
        .get("/search?q=kernel&from=2026-06-30&to=2026-07-01")
        .await
        .body;
    let mut ids = card_ids(&html);
    ids.sort();
    assert_eq!(ids, ["2606.00002", "2607.00001"], "{html}");
    let html = site.get("/search?q=kernel&to=2026-06-29").await.body;
    assert_eq!(card_ids(&html), ["2606.00001"], "{html}");
    let html = site
        .get("/search?q=kernel&from=2026-07-01&cat=cs.CV")
        .await
        .body;
    assert!(cards(&html).is_empty());
    assert!(
        html.contains("No papers match <strong>kernel</strong> in cs.CV."),
        "{html}"
    );

    // Venues are not known for these papers: the filter is taken, and says nothing matched.
    let answer = site.get("/search?q=kernel&venue=ICLR.2026").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(
        answer
            .body
            .contains("No papers match <strong>kernel</strong> at ICLR.2026."),
        "{}",
        answer.body
    );
}

#[tokio::test]
async fn an_empty_search_shows_how_to_search() {
    let site = Site::with(vec![paper("2607.00001", "Kernels", &["cs.LG"])]).await;
    for uri in ["/search", "/search?q=", "/search?q=%20%20"] {
        let answer = site.get(uri).await;
        assert_eq!(answer.status, StatusCode::OK, "{uri}");
        assert!(answer.body.contains("Quotes make a phrase"), "{uri}: tips");
        assert!(answer.body.contains("Paste an arXiv id or link"), "{uri}");
        assert!(cards(&answer.body).is_empty());
        assert!(!answer.body.contains("No papers match"), "{uri}");
    }
}

#[tokio::test]
async fn a_search_without_results_says_what_to_try() {
    let site = Site::with(vec![paper("2607.00001", "Kernels", &["cs.LG"])]).await;
    let answer = site.get("/search?q=zyzzyva").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(
        answer.body.contains(
            "No papers match <strong>zyzzyva</strong>. Try fewer or other words, remove a filter, or widen the dates."
        ),
        "{}",
        answer.body
    );
}

#[tokio::test]
async fn a_pasted_id_or_link_opens_the_paper() {
    let site = Site::with(vec![paper("2607.00001", "Kernels", &["cs.LG"])]).await;
    for q in [
        "2607.00001",
        "2607.00001v2",
        "arXiv:2607.00001",
        "https%3A%2F%2Farxiv.org%2Fabs%2F2607.00001v2",
        "https://arxiv.org/pdf/2607.00001",
        "%202607.00001%20",
    ] {
        let answer = site.get(&format!("/search?q={q}")).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{q}: {}", answer.body);
        assert_eq!(answer.header("location"), "/arxiv/2607.00001", "{q}");
    }
    // A paper that is not stored goes to its page too, which queues it.
    let answer = site.get("/search?q=2607.99999").await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(answer.header("location"), "/arxiv/2607.99999");
}

// ----------------------------------------------------------------------------------------------
// Topics

#[tokio::test]
async fn a_topic_page_groups_its_papers_by_day() {
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
            "Attention for Speech",
            &["eess.AS"],
            "2026-07-01",
        ),
        paper_on(
            "2607.00003",
            "Galaxy Surveys",
            &["astro-ph.GA"],
            "2026-07-01",
        ),
    ])
    .await;
    let answer = site.get("/topic/attention").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let html = &answer.body;
    assert!(html.contains("<h1>Attention</h1>"), "{html}");
    assert!(html.contains("3 papers match"), "{html}");
    assert!(!html.contains("Galaxy Surveys"));
    // Newest day first, each day a heading over its papers.
    let newest = html
        .find("<h2 class=\"day\">2026-07-01</h2>")
        .expect("the newest day");
    let older = html
        .find("<h2 class=\"day\">2026-06-30</h2>")
        .expect("the day before");
    assert!(newest < older, "newest day first");
    let first_day = &html[newest..older];
    assert_eq!(cards(first_day).len(), 2, "{first_day}");
    assert!(html[older..].contains("Linear Attention Revisited"));
    assert!(html.contains("href=\"/topic/attention/feed\""), "its feed");
}

#[tokio::test]
async fn an_unknown_topic_is_not_found_and_names_the_topics() {
    let site = Site::with(vec![paper("2607.00001", "Kernels", &["cs.LG"])]).await;
    let answer = site.get("/topic/astrology").await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert!(
        answer.body.contains(
            "There is no topic &#39;astrology&#39;. Topics: attention, diffusion, low-rank."
        ) || answer
            .body
            .contains("There is no topic 'astrology'. Topics: attention, diffusion, low-rank."),
        "{}",
        answer.body
    );
}

// ----------------------------------------------------------------------------------------------
// What browsers and robots ask for

#[tokio::test]
async fn opensearch_robots_and_favicon_answer() {
    let site = Site::with(Vec::new()).await;

    let open = site.get("/opensearch.xml").await;
    assert_eq!(open.status, StatusCode::OK);
    assert!(
        open.header("content-type")
            .starts_with("application/opensearchdescription+xml")
    );
    assert!(
        open.body
            .contains("template=\"https://papers.example.org/search?q={searchTerms}\""),
        "{}",
        open.body
    );
    // Pages point browsers at it.
    let home = site.get("/").await.body;
    assert!(home.contains(
        "<link rel=\"search\" type=\"application/opensearchdescription+xml\" title=\"papers\" href=\"/opensearch.xml\">"
    ));

    let robots = site.get("/robots.txt").await;
    assert_eq!(robots.status, StatusCode::OK);
    assert!(robots.header("content-type").starts_with("text/plain"));
    assert!(
        robots.body.starts_with("User-agent: *\n"),
        "{}",
        robots.body
    );
    assert!(
        robots.body.contains("Disallow: /search\n") && robots.body.contains("Disallow: /api/\n")
    );
    assert!(
        !robots.body.contains("Disallow: /arxiv"),
        "lists and papers may be crawled"
    );

    let icon = site.get("/favicon.ico").await;
    assert_eq!(icon.status, StatusCode::OK);
    assert_eq!(icon.header("content-type"), "image/svg+xml");
    assert!(icon.body.contains("<svg"), "{}", icon.body);
}

#[tokio::test]
async fn the_stylesheet_a_page_links_is_served_with_a_long_immutable_cache() {
    let site = Site::with(vec![paper("2607.00001", "Kernels", &["cs.LG"])]).await;
    let html = site.get("/arxiv/cs.LG").await.body;
    let href = between(&html, "<link rel=\"stylesheet\" href=\"", "\"").to_string();
    assert!(
        href.starts_with("/static/") && href.ends_with(".css"),
        "{href}"
    );
    let css = site.get(&href).await;
    assert_eq!(css.status, StatusCode::OK, "{href}");
    assert!(
        css.header("content-type").starts_with("text/css"),
        "{}",
        css.header("content-type")
    );
    let cache = css.header("cache-control");
    assert!(cache.contains("immutable"), "{href}: {cache}");
    let max_age: u64 = between(&format!("{cache},"), "max-age=", ",")
        .trim()
        .parse()
        .unwrap();
    assert!(max_age >= 30 * 24 * 3600, "a long cache: {cache}");
    assert!(!css.body.is_empty());

    // Every script the page loads is served as well.
    for script in html.split("<script").skip(1) {
        let src = between(script, "src=\"", "\"");
        let answer = site.get(src).await;
        assert_eq!(answer.status, StatusCode::OK, "{src}");
        assert!(
            answer.header("cache-control").contains("immutable"),
            "{src}"
        );
    }
}
