//! Hostile metadata and hostile requests. Titles, authors and abstracts come from arXiv and are
//! shown as text on every surface (pages, meta tags, search highlights, feeds, JSON); bad
//! parameters get a 400 that says what is wrong, never a 500; every answer carries the security
//! headers; pages run no inline code; and the search shortcut never redirects off the site.

mod support;

use axum::http::StatusCode;
use support::{Answer, Site, paper, shows_escaped};

const SCRIPT_TITLE: &str = "<script>alert(1)</script>";
const IMG_TITLE: &str = "\"><img src=x onerror=alert(1)>";
const HOSTILE_AUTHOR: &str = "<img src=x onerror=alert(2)> Mallory";
/// "self-attention" puts both papers in the attention topic.
const HOSTILE_ABSTRACT: &str =
    "We study <i>self-attention</i> & <script>alert(\"abstract\")</script> \"quoted\" text.";

/// Two papers with hostile titles, authors and abstracts, indexed and in the attention topic,
/// beside an ordinary one.
async fn hostile_site() -> Site {
    let hostile = |id: &str, title: &str| {
        let mut p = paper(id, title, &["cs.LG"]);
        p.authors.push(HOSTILE_AUTHOR.into());
        p.abstract_text = HOSTILE_ABSTRACT.into();
        p.comment = Some("<b>10 pages</b>".into());
        p
    };
    let site = Site::with(vec![
        hostile("2607.00001", SCRIPT_TITLE),
        hostile("2607.00002", IMG_TITLE),
        paper("2607.00003", "An Ordinary Paper", &["cs.LG"]),
    ])
    .await;
    site.reindex().await;
    site
}

/// The page shows `text` only escaped, and nothing of the hostile markup is live.
fn assert_text_only(html: &str, text: &str, surface: &str) {
    assert!(
        shows_escaped(html, text),
        "{surface}: {text:?} is not shown escaped:\n{html}"
    );
    assert_no_live_markup(html, surface);
}

fn assert_no_live_markup(html: &str, surface: &str) {
    for raw in [
        "<script>alert",
        "<img src=x",
        "<i>self",
        "<b>Turing",
        "<b>10 pages",
        "\"quoted\"",
    ] {
        assert!(!html.contains(raw), "{surface}: raw {raw:?} in\n{html}");
    }
    assert_eq!(
        tags_with_event_handlers(html),
        Vec::<String>::new(),
        "{surface}"
    );
}

/// Decodes the entities askama and the index write, for reading an attribute value back.
fn unescape(text: &str) -> String {
    text.replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&#60;", "<")
        .replace("&lt;", "<")
        .replace("&#62;", ">")
        .replace("&gt;", ">")
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

/// The text between the first `start` and the next `end`, decoded.
fn text_between(html: &str, start: &str, end: &str) -> String {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("no {start:?} in\n{html}"))
        + start.len();
    let len = html[from..]
        .find(end)
        .unwrap_or_else(|| panic!("no {end:?} after {start:?}"));
    unescape(&html[from..from + len])
}

/// The value of the first `attribute="…"` after `start`, decoded.
fn attribute_after(html: &str, start: &str, attribute: &str) -> String {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("no {start:?} in\n{html}"));
    let rest = &html[from..];
    let key = format!("{attribute}=\"");
    let value_from = rest.find(&key).unwrap() + key.len();
    let len = rest[value_from..].find('"').unwrap();
    unescape(&rest[value_from..value_from + len])
}

/// Every HTML start tag in the page: its name and the attribute names, quoted values skipped.
fn tags(html: &str) -> Vec<(String, Vec<String>, usize)> {
    let bytes = html.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'<' && i + 1 < bytes.len() && bytes[i + 1].is_ascii_alphabetic() {
            let start = i;
            i += 1;
            let name_start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'-') {
                i += 1;
            }
            let name = html[name_start..i].to_ascii_lowercase();
            let mut attributes = Vec::new();
            loop {
                while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
                    i += 1;
                }
                if i >= bytes.len() || bytes[i] == b'>' {
                    break;
                }
                let attr_start = i;
                while i < bytes.len()
                    && !bytes[i].is_ascii_whitespace()
                    && !matches!(bytes[i], b'=' | b'>' | b'/')
                {
                    i += 1;
                }
                attributes.push(html[attr_start..i].to_ascii_lowercase());
                if i < bytes.len() && bytes[i] == b'=' {
                    i += 1;
                    match bytes.get(i) {
                        Some(&quote @ (b'"' | b'\'')) => {
                            i += 1;
                            while i < bytes.len() && bytes[i] != quote {
                                i += 1;
                            }
                            i += 1;
                        }
                        _ => {
                            while i < bytes.len()
                                && !bytes[i].is_ascii_whitespace()
                                && bytes[i] != b'>'
                            {
                                i += 1;
                            }
                        }
                    }
                }
            }
            found.push((name, attributes, start));
        }
        i += 1;
    }
    found
}

/// Tags carrying an `on…` attribute (an inline event handler), as text for the failure message.
fn tags_with_event_handlers(html: &str) -> Vec<String> {
    tags(html)
        .into_iter()
        .filter(|(_, attributes, _)| attributes.iter().any(|a| a.starts_with("on")))
        .map(|(name, attributes, _)| format!("<{name} {}>", attributes.join(" ")))
        .collect()
}

/// Scripts with code in the page itself instead of a `src`.
fn inline_scripts(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (name, attributes, start) in tags(html) {
        if name != "script" {
            continue;
        }
        let open_end = start + html[start..].find('>').unwrap() + 1;
        let close = open_end + html[open_end..].find("</script>").expect("a closed script");
        let content = html[open_end..close].trim();
        if !attributes.iter().any(|a| a == "src") || !content.is_empty() {
            found.push(html[start..close].to_string());
        }
    }
    found
}

// ----------------------------------------------------------------------------------------------
// Hostile metadata is text everywhere

#[tokio::test]
async fn hostile_titles_are_text_in_the_day_listing() {
    let site = hostile_site().await;
    let html = site.get("/arxiv/cs.LG").await.body;
    assert_eq!(
        html.matches("<article class=\"paper\"").count(),
        3,
        "{html}"
    );
    for text in [
        SCRIPT_TITLE,
        IMG_TITLE,
        HOSTILE_AUTHOR,
        HOSTILE_ABSTRACT,
        "<b>10 pages</b>",
    ] {
        assert_text_only(&html, text, "listing");
    }
    // The Copy button's attribute holds the whole title, not a broken-out fragment.
    let copied = attribute_after(&html, "data-id=\"2607.00002\"", "data-copy");
    assert!(copied.starts_with(&format!("{IMG_TITLE}\n")), "{copied:?}");
}

#[tokio::test]
async fn hostile_titles_are_text_on_the_paper_page_and_in_its_meta_tags() {
    let site = hostile_site().await;
    for (id, title) in [("2607.00001", SCRIPT_TITLE), ("2607.00002", IMG_TITLE)] {
        let html = site.get(&format!("/arxiv/{id}")).await.body;
        let surface = format!("paper page {id}");
        for text in [title, HOSTILE_AUTHOR, HOSTILE_ABSTRACT] {
            assert_text_only(&html, text, &surface);
        }
        assert_eq!(
            text_between(&html, "<title>", "</title>"),
            format!("{title} — papers")
        );
        assert_eq!(
            text_between(&html, "<h1 class=\"title tex\">", "</h1>"),
            title
        );
        // Each attribute holds exactly the text: the quotes did not end it early.
        for (start, attribute) in [
            ("<meta name=\"citation_title\"", "content"),
            ("<meta property=\"og:title\"", "content"),
        ] {
            assert_eq!(
                attribute_after(&html, start, attribute),
                title,
                "{surface}: {start}"
            );
        }
        let authors: Vec<String> = html
            .match_indices("<meta name=\"citation_author\"")
            .map(|(at, _)| attribute_after(&html[at..], "<meta", "content"))
            .collect();
        assert!(
            authors.contains(&HOSTILE_AUTHOR.to_string()),
            "{surface}: {authors:?}"
        );
        for start in [
            "<meta name=\"description\"",
            "<meta property=\"og:description\"",
        ] {
            assert_eq!(
                attribute_after(&html, start, "content"),
                HOSTILE_ABSTRACT,
                "{surface}: {start}"
            );
        }
    }
}

#[tokio::test]
async fn hostile_titles_are_text_in_search_results_and_highlights() {
    let site = hostile_site().await;
    // A word of the title: the highlighted title is built from escaped text.
    let html = site.get("/search?q=alert").await.body;
    assert!(html.contains("2 papers"), "{html}");
    for text in [SCRIPT_TITLE, IMG_TITLE] {
        assert!(shows_escaped(&html, text), "{text:?} shown escaped: {html}");
    }
    assert!(
        html.contains("&lt;script&gt;<b>alert</b>(&quot;abstract&quot;)&lt;/script&gt;"),
        "the snippet highlights inside escaped text: {html}"
    );
    assert_no_live_markup(&html, "search for a title word");

    // A word of the abstract: the snippet is escaped around its highlight.
    let html = site.get("/search?q=self-attention").await.body;
    assert!(html.contains("<p class=\"snippet tex\">"), "{html}");
    for text in [SCRIPT_TITLE, IMG_TITLE, HOSTILE_AUTHOR] {
        assert_text_only(&html, text, "search for an abstract word");
    }

    // By author.
    let html = site.get("/search?q=au:Mallory").await.body;
    assert!(html.contains("2 papers"), "{html}");
    assert_no_live_markup(&html, "search by author");

    // The query itself is echoed as text: in the window title, both boxes and the message.
    let html = site
        .get("/search?q=%3Cscript%3Ealert(9)%3C%2Fscript%3E%22%3E")
        .await
        .body;
    assert!(!html.contains("<script>alert(9)"), "{html}");
    assert!(!html.contains("value=\"<script>"), "{html}");
    assert_eq!(
        attribute_after(&html, "<input name=\"q\"", "value"),
        "<script>alert(9)</script>\">"
    );
    assert_eq!(tags_with_event_handlers(&html), Vec::<String>::new());
}

#[tokio::test]
async fn hostile_titles_are_text_on_the_topic_page() {
    let site = hostile_site().await;
    let html = site.get("/topic/attention").await.body;
    assert!(
        html.contains("2 papers match"),
        "both hostile papers are attention papers: {html}"
    );
    for text in [SCRIPT_TITLE, IMG_TITLE, HOSTILE_AUTHOR, HOSTILE_ABSTRACT] {
        assert_text_only(&html, text, "topic page");
    }
}

#[tokio::test]
async fn hostile_titles_round_trip_through_rss_and_atom() {
    let site = hostile_site().await;
    for uri in [
        "/arxiv/cs.LG/feed",
        "/arxiv/cs.LG/feed?format=atom",
        "/topic/attention/feed",
        "/topic/attention/feed?format=atom",
        "/search/feed?q=self-attention",
        "/search/feed?q=self-attention&format=atom",
    ] {
        let answer = site.get(uri).await;
        assert_eq!(answer.status, StatusCode::OK, "{uri}");
        assert!(
            !answer.body.contains("<script"),
            "{uri}: raw script in\n{}",
            answer.body
        );
        assert!(
            !answer.body.contains("<img"),
            "{uri}: raw img in\n{}",
            answer.body
        );
        let feed = feed_rs::parser::parse(answer.body.as_bytes())
            .unwrap_or_else(|e| panic!("{uri}: {e}\n{}", answer.body));
        let titles: Vec<&str> = feed
            .entries
            .iter()
            .map(|e| e.title.as_ref().unwrap().content.as_str())
            .collect();
        assert!(titles.contains(&SCRIPT_TITLE), "{uri}: {titles:?}");
        assert!(titles.contains(&IMG_TITLE), "{uri}: {titles:?}");
    }
}

#[tokio::test]
async fn hostile_titles_are_exact_strings_in_json() {
    let site = hostile_site().await;
    for (id, title) in [("2607.00001", SCRIPT_TITLE), ("2607.00002", IMG_TITLE)] {
        let body = site.get(&format!("/api/papers/{id}")).await.json();
        assert_eq!(body["title"], title);
        assert_eq!(body["abstract"], HOSTILE_ABSTRACT);
        assert_eq!(body["authors"][2], HOSTILE_AUTHOR);
    }
    let day = site.get("/api/arxiv/cs.LG").await.json();
    assert_eq!(day["papers"][0]["paper"]["title"], SCRIPT_TITLE, "{day}");
    let search = site.get("/api/search?q=alert").await.json();
    for hit in search["hits"].as_array().unwrap() {
        let title = hit["title"].as_str().unwrap();
        assert!([SCRIPT_TITLE, IMG_TITLE].contains(&title), "{hit}");
        // The highlighted forms are escaped HTML, ready to insert.
        for html in [&hit["title_html"], &hit["snippet_html"]] {
            let html = html.as_str().unwrap();
            assert!(
                !html.contains("<script") && !html.contains("<img"),
                "{html}"
            );
        }
    }
    let topic = site.get("/api/topics/attention").await.json();
    let titles: Vec<&str> = topic["papers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["title"].as_str().unwrap())
        .collect();
    assert!(
        titles.contains(&SCRIPT_TITLE) && titles.contains(&IMG_TITLE),
        "{titles:?}"
    );
}

// ----------------------------------------------------------------------------------------------
// Hostile requests

/// A 400 page that says what is wrong.
async fn assert_refused(site: &Site, uri: &str, says: &str) -> Answer {
    let answer = site.get(uri).await;
    assert_eq!(
        answer.status,
        StatusCode::BAD_REQUEST,
        "{uri}: {}",
        answer.body
    );
    assert!(
        unescape(&answer.body).contains(says),
        "{uri}: the page should say {says:?}:\n{}",
        answer.body
    );
    answer
}

#[tokio::test]
async fn bad_parameters_get_a_400_that_says_what_is_wrong() {
    let site = hostile_site().await;
    for (uri, says) in [
        (
            "/arxiv/cs.LG?date=2025-13-45",
            "The date '2025-13-45' is not a calendar date written YYYY-MM-DD.",
        ),
        (
            "/arxiv/cs.LG?skip=-1",
            "skip must be a whole number of papers, not '-1'.",
        ),
        ("/arxiv/cs.LG?skip=100001", "skip must be at most 100000"),
        (
            "/arxiv/cs.LG?show=100000",
            "show must be between 1 and 200 papers per page, not 100000.",
        ),
        (
            "/arxiv/cs.LG?show=abc",
            "show must be a whole number of papers, not 'abc'.",
        ),
        (
            "/arxiv/cs.LG?show=99999999999999999999",
            "show must be a whole number",
        ),
        (
            "/arxiv/cs.NOPE",
            "'cs.NOPE' is not a list of arXiv categories",
        ),
        ("/arxiv/cs.LG/feed?date=2025-13-45", "YYYY-MM-DD"),
        ("/?date=2025-13-45", "YYYY-MM-DD"),
        ("/topic/attention?show=abc", "show must be a whole number"),
        ("/search?q=attention&skip=-1", "skip must be a whole number"),
        (
            "/search?sort=sideways",
            "sort must be relevance or newest, not 'sideways'.",
        ),
        (
            "/search?q=attention&from=2026-07-02&to=2026-07-01",
            "The date range is empty: 2026-07-02 is after 2026-07-01.",
        ),
        ("/search?q=attention&from=yesterday", "YYYY-MM-DD"),
        (
            "/search?q=attention&cat=cs.LG%20OR%20x",
            "cat 'cs.LG OR x' is not an arXiv category",
        ),
        ("/search?q=attention&venue=ICLR%22%20OR%20x", "venue"),
        (
            "/search?q=attention&cat=cs.NOPE",
            "unknown category in cat:cs.NOPE",
        ),
        (
            "/search?q=attention%20cat:cs.NOPE",
            "unknown category in cat:cs.NOPE",
        ),
        (
            "/search?q=after:2026-13-01",
            "after:2026-13-01 is not a date",
        ),
        ("/search?q=year:26", "year:26 is not a year"),
    ] {
        assert_refused(&site, uri, says).await;
    }
    // The search form keeps what was typed, so the reader can fix it.
    let answer = assert_refused(
        &site,
        "/search?q=attention&cat=cs.LG%20OR%20x",
        "role=\"alert\"",
    )
    .await;
    assert!(
        answer.body.contains("value=\"attention\""),
        "{}",
        answer.body
    );
}

#[tokio::test]
async fn a_ten_kilobyte_query_is_refused_as_too_long() {
    let site = hostile_site().await;
    let long = "a".repeat(10 * 1024);
    let answer = assert_refused(&site, &format!("/search?q={long}"), "too long").await;
    assert!(
        !answer.body.contains(&long),
        "the query is not echoed whole"
    );
    let answer = site.get(&format!("/api/search?q={long}")).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(
        answer.json()["error"]
            .as_str()
            .unwrap()
            .contains("too long")
    );
    let answer = site.get(&format!("/search/feed?q={long}")).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn odd_queries_are_read_leniently_never_as_errors() {
    let site = hostile_site().await;
    // An unbalanced quote closes at the end; a stray OR or AND is ignored (the query language
    // is lenient where a person would be).
    for q in [
        "%22ordinary%20paper",
        "ordinary%20paper%22",
        "ordinary%20OR",
        "OR%20ordinary",
        "ordinary%20AND",
        "ordinary%20OR%20OR%20AND%20paper",
    ] {
        let answer = site.get(&format!("/search?q={q}")).await;
        assert_eq!(answer.status, StatusCode::OK, "{q}: {}", answer.body);
        assert!(
            answer.body.contains("An Ordinary Paper"),
            "{q}: {}",
            answer.body
        );
    }
    // Nothing but operators is nothing to search for: said plainly, not a server error.
    for q in ["OR", "AND%20OR", "-", "%22%22"] {
        let answer = site.get(&format!("/search?q={q}")).await;
        assert!(
            answer.status == StatusCode::OK || answer.status == StatusCode::BAD_REQUEST,
            "{q}: {} {}",
            answer.status,
            answer.body
        );
        if answer.status == StatusCode::BAD_REQUEST {
            assert!(
                answer.body.contains("the query is empty"),
                "{q}: {}",
                answer.body
            );
        }
    }
}

#[tokio::test]
async fn control_characters_in_a_query_are_spaces_and_never_echoed() {
    let site = hostile_site().await;
    for q in [
        "%01ordinary%07%1bpaper%7f",
        "ordinary%0D%0Apaper",
        "ordinary%00paper",
    ] {
        let answer = site.get(&format!("/search?q={q}")).await;
        assert_eq!(answer.status, StatusCode::OK, "{q}: {}", answer.body);
        assert!(
            answer.body.contains("An Ordinary Paper"),
            "{q}: the words still search"
        );
        let echoed: Vec<char> = answer
            .body
            .chars()
            .filter(|c| c.is_control() && *c != '\n')
            .collect();
        assert!(
            echoed.is_empty(),
            "{q}: control characters echoed into the page ({echoed:?}), e.g. the search box: {}",
            answer
                .body
                .lines()
                .find(|l| l.contains("name=\"q\""))
                .unwrap_or("")
        );
    }
}

#[tokio::test]
async fn no_answer_is_a_server_error() {
    let site = hostile_site().await;
    for uri in [
        "/arxiv/%00",
        "/arxiv/%FF%FE",
        "/arxiv/cs.LG?date=%00",
        "/arxiv/cs.LG?show=%F0%9F%98%80",
        "/arxiv/..%2F..%2Fetc%2Fpasswd",
        "/arxiv/cs.LG,,,,",
        "/arxiv/-cs.LG",
        "/arxiv/cs.LG?date=99999-01-01",
        "/arxiv/cs.LG?date=0000-00-00",
        "/arxiv/9999.99999v99999999999",
        "/arxiv/hep-th/..",
        "/search?q=%F0%9F%98%80%F0%9F%98%80",
        "/search?q=ti:",
        "/search?q=au:%22%22",
        "/search?q=*",
        "/search?q=((((",
        "/search?q=cat:",
        "/search?q=attention&show=0",
        "/topic/%2e%2e",
        "/topic/attention/feed?format=%00",
        "/static/..%2F..%2FCargo.toml",
        "/api/papers/%00",
        "/api/arxiv/%3Cscript%3E",
        "/api/topics/%22",
    ] {
        let answer = site.get(uri).await;
        assert!(
            !answer.status.is_server_error(),
            "{uri}: {} {}",
            answer.status,
            answer.body
        );
        // HTML must not carry the markup in URLs live; JSON is not HTML (and is sent nosniff).
        if answer.header("content-type").starts_with("text/html") {
            assert_eq!(
                tags_with_event_handlers(&answer.body),
                Vec::<String>::new(),
                "{uri}"
            );
            assert!(!answer.body.contains("<script>"), "{uri}: {}", answer.body);
        }
    }
}

// ----------------------------------------------------------------------------------------------
// Headers, inline code and redirects

/// The directives of a Content-Security-Policy, by name.
fn directive<'a>(policy: &'a str, name: &str) -> Option<&'a str> {
    policy
        .split(';')
        .map(str::trim)
        .find(|d| d.split_whitespace().next() == Some(name))
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let site = hostile_site().await;
    let stylesheet = {
        let html = site.get("/").await.body;
        let from = html.find("<link rel=\"stylesheet\" href=\"").unwrap() + 29;
        html[from..from + html[from..].find('"').unwrap()].to_string()
    };
    let feed_etag = site
        .get("/arxiv/cs.LG/feed")
        .await
        .header("etag")
        .to_string();
    let mut answers = Vec::new();
    for uri in [
        "/",
        "/arxiv/cs.LG",
        "/arxiv/2607.00001",
        "/arxiv/2607.99999",
        "/search?q=attention",
        "/search?q=2607.00001",
        "/search?sort=sideways",
        "/topic/attention",
        "/topic/nope",
        "/arxiv/cs.LG/feed",
        "/api/papers/2607.00001",
        "/api/whatever",
        "/api/openapi.json",
        "/opensearch.xml",
        "/robots.txt",
        "/favicon.ico",
        stylesheet.as_str(),
        "/healthz",
        "/readyz",
        "/metrics",
        "/nowhere",
    ] {
        answers.push((uri.to_string(), site.get(uri).await));
    }
    answers.push((
        "a 304 feed".into(),
        site.request("/arxiv/cs.LG/feed", &[("if-none-match", &feed_etag)])
            .await,
    ));
    for (uri, answer) in &answers {
        assert!(!answer.status.is_server_error(), "{uri}: {}", answer.status);
        let policy = answer.header("content-security-policy");
        assert!(!policy.is_empty(), "{uri}: no Content-Security-Policy");
        let scripts = directive(policy, "script-src")
            .or_else(|| directive(policy, "default-src"))
            .unwrap_or_else(|| panic!("{uri}: the policy does not govern scripts: {policy}"));
        assert!(!scripts.contains("'unsafe-inline'"), "{uri}: {scripts}");
        assert!(!scripts.contains("'unsafe-eval'"), "{uri}: {scripts}");
        assert!(!scripts.contains('*'), "{uri}: {scripts}");
        assert_eq!(
            directive(policy, "object-src"),
            Some("object-src 'none'"),
            "{uri}"
        );
        assert_eq!(answer.header("x-content-type-options"), "nosniff", "{uri}");
        assert!(
            !answer.header("x-frame-options").is_empty() || policy.contains("frame-ancestors"),
            "{uri}"
        );
    }
}

#[tokio::test]
async fn pages_run_no_inline_code() {
    let site = hostile_site().await;
    for uri in [
        "/",
        "/arxiv/cs.LG",
        "/arxiv/cs.LG?date=2026-06-01",
        "/arxiv/2607.00001",
        "/arxiv/2607.00002",
        "/arxiv/2607.99999",
        "/search",
        "/search?q=self-attention",
        "/search?q=zyzzyva",
        "/search?sort=sideways",
        "/topic/attention",
        "/topic/nope",
        "/arxiv/cs.NOPE",
        "/nowhere",
    ] {
        let html = site.get(uri).await.body;
        assert!(html.contains("<script"), "{uri}: a page with its scripts");
        assert_eq!(
            inline_scripts(&html),
            Vec::<String>::new(),
            "{uri}: inline scripts"
        );
        assert_eq!(
            tags_with_event_handlers(&html),
            Vec::<String>::new(),
            "{uri}: on… attributes"
        );
        assert!(!html.contains("javascript:"), "{uri}: javascript: URLs");
        assert!(
            !html.contains(" style=\""),
            "{uri}: inline styles from our templates"
        );
    }
}

#[tokio::test]
async fn the_search_shortcut_never_redirects_off_the_site() {
    let site = hostile_site().await;
    for q in [
        "2607.00001",
        "https://arxiv.org/abs/2607.00001v2",
        "https%3A%2F%2Fevil.example%2Fabs%2F2607.00001",
        "%2F%2Fevil.example%2F2607.00001",
        "%2F%5Cevil.example%2F2607.00001",
        "https://arxiv.org/abs/2607.00001?next=//evil.example",
        "https://arxiv.org/abs/2607.00001%23@evil.example",
        "javascript:alert(1)//2607.00001",
        "2607.00001%0D%0ALocation:%20https://evil.example",
        "arXiv:2607.00001%20//evil.example",
        "@evil.example/2607.00001",
        "hep-th/9901001",
        "https://arxiv.org/abs/hep-th/9901001v2",
    ] {
        let answer = site.get(&format!("/search?q={q}")).await;
        assert!(!answer.status.is_server_error(), "{q}: {}", answer.status);
        if answer.status.is_redirection() {
            let location = answer.header("location");
            assert!(
                location.starts_with("/arxiv/"),
                "{q}: redirected to {location:?}"
            );
            let id = &location["/arxiv/".len()..];
            assert!(
                papers_core::ArxivId::parse(id).is_ok_and(|parsed| parsed.as_str() == id),
                "{q}: the redirect names a canonical id, nothing else: {location:?}"
            );
            assert!(
                !location.contains("//") && !location.contains('\\'),
                "{q}: {location:?}"
            );
        }
    }
}

#[tokio::test]
async fn refusals_made_below_the_handlers_are_pages_and_json_too() {
    let site = Site::with(vec![paper("2607.00001", "A", &["cs.LG"])]).await;
    // A query string that does not fit the route (a repeated parameter) is refused by axum
    // itself: the reader still gets the site's page, the API's client JSON.
    let page = site.get("/search?q=a&q=b").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(
        page.header("content-type").starts_with("text/html"),
        "{}",
        page.header("content-type")
    );
    assert!(page.body.contains("duplicate field"), "{}", page.body);
    assert!(page.body.contains("Back to the front page"));
    let api = site.get("/api/search?q=a&q=b").await;
    assert_eq!(api.status, StatusCode::BAD_REQUEST);
    assert_eq!(api.json()["status"], 400);
    assert!(
        api.json()["error"]
            .as_str()
            .unwrap()
            .contains("duplicate field")
    );
}
