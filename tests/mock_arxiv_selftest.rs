//! The mock arXiv checked against itself and against the real captures in `tests/fixtures/arxiv`:
//! its feeds, API and OAI-PMH answers, conditional GET, paging, and every fault, read with a tiny
//! HTTP/1.1 client over a raw TCP stream (so a cut connection is seen as it is on the wire).

mod support;

use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use papers_core::{ArxivId, Category, Paper};
use quick_xml::events::Event;
use support::mock_arxiv::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

// ---------------------------------------------------------------------------------------------
// A tiny HTTP/1.1 client

type Headers = Vec<(String, String)>;

/// GET `url` (http://host:port/path?query): status, headers, and whatever body arrived before
/// the server closed the connection (de-chunked if chunked).
async fn get(url: &str) -> (u16, Headers, Vec<u8>) {
    get_with(url, &[]).await
}

async fn get_with(url: &str, extra: &[(&str, &str)]) -> (u16, Headers, Vec<u8>) {
    let rest = url.strip_prefix("http://").expect("an http:// URL");
    let (host, target) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let mut stream = TcpStream::connect(host).await.expect("connect to the mock");
    let mut request = format!(
        "GET {target} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: mock-selftest\r\nConnection: close\r\n"
    );
    for (name, value) in extra {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();

    let mut raw = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
        }
    }
    let head_end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no response head: {:?}", String::from_utf8_lossy(&raw)));
    let head = String::from_utf8_lossy(&raw[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers: Headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = raw[head_end + 4..].to_vec();
    if header(&headers, "transfer-encoding").is_some_and(|t| t.contains("chunked")) {
        body = dechunk(&body);
    }
    (status, headers, body)
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line_end) = data.windows(2).position(|w| w == b"\r\n") {
        let size_text = String::from_utf8_lossy(&data[..line_end]).into_owned();
        let size = usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16).unwrap();
        data = &data[line_end + 2..];
        if size == 0 || data.len() < size {
            out.extend_from_slice(&data[..size.min(data.len())]);
            break;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[(size + 2).min(data.len())..];
    }
    out
}

fn header<'a>(headers: &'a Headers, name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Form-encodes a query value.
fn enc(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(char::from(b))
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Walking XML

/// One element: its path of qualified names from the root (`rss/channel/item/guid`), its
/// attributes and its own text (unescaped).
#[derive(Clone, Debug)]
struct El {
    path: String,
    attrs: Vec<(String, String)>,
    text: String,
}

impl El {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Walks the document with quick_xml to Eof; every element closed, or an error.
fn walk(xml: &[u8]) -> Result<Vec<El>, String> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut els: Vec<El> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    let mut roots = 0;
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| format!("at byte {}: {e}", reader.buffer_position()))?;
        match event {
            Event::Start(e) => {
                let index = push_element(&e, &mut els, &open, &mut roots)?;
                open.push(index);
            }
            Event::Empty(e) => {
                push_element(&e, &mut els, &open, &mut roots)?;
            }
            Event::End(_) => {
                open.pop().ok_or("an end tag without a start")?;
            }
            Event::Text(t) => {
                if let Some(&top) = open.last() {
                    els[top].text.push_str(&t.xml10_content());
                } else if !t.xml10_content().trim().is_empty() {
                    return Err("text outside the root element".into());
                }
            }
            Event::CData(t) => {
                let &top = open.last().ok_or("CDATA outside the root")?;
                els[top].text.push_str(&t.xml10_content());
            }
            Event::GeneralRef(r) => {
                let &top = open.last().ok_or("a reference outside the root")?;
                let resolved = match r.resolve_char_ref().map_err(|e| e.to_string())? {
                    Some(c) => c,
                    None => match r.xml10_content().as_ref() {
                        "lt" => '<',
                        "gt" => '>',
                        "amp" => '&',
                        "apos" => '\'',
                        "quot" => '"',
                        other => return Err(format!("unknown entity &{other};")),
                    },
                };
                els[top].text.push(resolved);
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !open.is_empty() {
        return Err(format!(
            "the document ends inside <{}>",
            els[*open.last().unwrap()].path
        ));
    }
    if roots != 1 {
        return Err(format!("{roots} root elements"));
    }
    Ok(els)
}

fn push_element(
    e: &quick_xml::events::BytesStart,
    els: &mut Vec<El>,
    open: &[usize],
    roots: &mut usize,
) -> Result<usize, String> {
    let name = e.name().as_ref().to_string();
    let path = match open.last() {
        Some(&parent) => format!("{}/{name}", els[parent].path),
        None => {
            *roots += 1;
            name
        }
    };
    let mut attrs = Vec::new();
    for attr in e.attributes() {
        let attr = attr.map_err(|e| e.to_string())?;
        let value = attr
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| e.to_string())?;
        attrs.push((attr.key.as_ref().to_string(), value.into_owned()));
    }
    els.push(El {
        path,
        attrs,
        text: String::new(),
    });
    Ok(els.len() - 1)
}

fn xml(body: &[u8]) -> Vec<El> {
    walk(body).unwrap_or_else(|e| {
        panic!(
            "not well-formed XML ({e}):\n{}",
            String::from_utf8_lossy(body)
        )
    })
}

fn all<'a>(els: &'a [El], path: &str) -> Vec<&'a El> {
    els.iter().filter(|e| e.path == path).collect()
}

fn texts(els: &[El], path: &str) -> Vec<String> {
    all(els, path).iter().map(|e| e.text.clone()).collect()
}

fn text(els: &[El], path: &str) -> String {
    let found = texts(els, path);
    assert_eq!(found.len(), 1, "exactly one <{path}>: {found:?}");
    found[0].clone()
}

/// Every element path of a document (a shape to compare with a capture).
fn shape(els: &[El]) -> std::collections::BTreeSet<String> {
    els.iter().map(|e| e.path.clone()).collect()
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/arxiv/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

// ---------------------------------------------------------------------------------------------
// Papers

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn paper(id: &str, version: u32, categories: &[&str], published: &str) -> Paper {
    Paper {
        id: ArxivId::parse(id).unwrap(),
        version,
        title: format!("On <{id}> & \"friends\""),
        authors: vec![
            "Ada Lovelace".into(),
            "Alan M. Turing".into(),
            "Plato".into(),
        ],
        abstract_text: format!("We study {id}: $a < b$ & 'c' > d."),
        categories: categories
            .iter()
            .map(|c| Category::parse(c).unwrap())
            .collect(),
        comment: Some("12 pages, 3 figures".into()),
        journal_ref: None,
        doi: None,
        published: Some(utc(published)),
        updated: Some(utc(published)),
        announced: None,
    }
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Feeds

#[tokio::test]
async fn a_feed_for_two_categories_lists_a_paper_in_both_once() {
    let mock = MockArxiv::start().await;
    let both = paper("2609.00001", 1, &["cs.LG", "cs.CL"], "2026-09-22T17:00:00Z");
    let cl = paper("2609.00002", 1, &["cs.CL"], "2026-09-22T18:00:00Z");
    let cross = paper(
        "2609.00003",
        1,
        &["stat.ML", "cs.LG"],
        "2026-09-22T19:00:00Z",
    );
    let elsewhere = paper("2609.00004", 1, &["cs.AI"], "2026-09-22T20:00:00Z");
    let mut replaced = paper(
        "2501.00005",
        3,
        &["math.ST", "cs.CL"],
        "2025-01-02T10:00:00Z",
    );
    replaced.doi = Some("10.1000/xyz<1>".into());
    replaced.journal_ref = Some("J. Mock & Co. 1 (2026)".into());
    mock.set_listing(
        day(2026, 9, 24),
        vec![
            (both.clone(), "new"),
            (cl.clone(), "new"),
            (cross.clone(), "cross"),
            (elsewhere.clone(), "new"),
            (replaced.clone(), "replace-cross"),
            (both.clone(), "new"),
        ],
    );

    let url = format!("{}/rss/cs.LG+cs.CL", mock.feed_url());
    let (status, headers, body) = get(&url).await;
    assert_eq!(status, 200);
    assert!(header(&headers, "content-type").unwrap().contains("xml"));
    let els = xml(&body);
    assert_eq!(
        text(&els, "rss/channel/title"),
        "cs.LG, cs.CL updates on arXiv.org"
    );
    assert_eq!(
        text(&els, "rss/channel/pubDate"),
        "Thu, 24 Sep 2026 00:00:00 -0400"
    );
    assert_eq!(
        texts(&els, "rss/channel/item/guid"),
        [
            "oai:arXiv.org:2609.00001v1",
            "oai:arXiv.org:2609.00002v1",
            "oai:arXiv.org:2609.00003v1",
            "oai:arXiv.org:2501.00005v3"
        ],
        "every listed paper in cs.LG or cs.CL, each once"
    );
    assert_eq!(
        texts(&els, "rss/channel/item/arxiv:announce_type"),
        ["new", "new", "cross", "replace-cross"]
    );
    assert_eq!(texts(&els, "rss/channel/item/title")[0], both.title);
    assert_eq!(
        texts(&els, "rss/channel/item/description")[0],
        format!(
            "arXiv:2609.00001v1 Announce Type: new \nAbstract: {}",
            both.abstract_text
        )
    );
    assert_eq!(
        texts(&els, "rss/channel/item/link")[3],
        "https://arxiv.org/abs/2501.00005"
    );
    assert_eq!(
        texts(&els, "rss/channel/item/dc:creator")[0],
        "Ada Lovelace, Alan M. Turing, Plato"
    );
    assert_eq!(
        texts(&els, "rss/channel/item/arxiv:DOI"),
        ["10.1000/xyz<1>"]
    );
    assert_eq!(
        texts(&els, "rss/channel/item/arxiv:journal_reference"),
        ["J. Mock & Co. 1 (2026)"]
    );
    assert_eq!(
        texts(&els, "rss/channel/item/category"),
        [
            "cs.LG", "cs.CL", "cs.CL", "stat.ML", "cs.LG", "math.ST", "cs.CL"
        ],
        "every category, primary first"
    );
    for guid in all(&els, "rss/channel/item/guid") {
        assert_eq!(guid.attr("isPermaLink"), Some("false"));
    }
    // The same elements as the real capture (plus the journal reference it happens to lack).
    let capture = shape(&xml(&fixture(
        "feeds/rss2_cs.LG+cs.AI+cs.CL+stat.ML_2026-09-24.xml",
    )));
    let mut ours = shape(&els);
    assert!(ours.remove("rss/channel/item/arxiv:journal_reference"));
    assert_eq!(ours, capture);

    // The Atom flavour lists the same papers.
    let (status, _, body) = get(&format!("{}/atom/cs.LG+cs.CL", mock.feed_url())).await;
    assert_eq!(status, 200);
    let atom = xml(&body);
    assert_eq!(
        texts(&atom, "feed/entry/id"),
        [
            "oai:arXiv.org:2609.00001v1",
            "oai:arXiv.org:2609.00002v1",
            "oai:arXiv.org:2609.00003v1",
            "oai:arXiv.org:2501.00005v3"
        ]
    );
    assert_eq!(
        text(&atom, "feed/title"),
        "cs.LG, cs.CL updates on arXiv.org"
    );
    assert_eq!(
        texts(&atom, "feed/entry/published")[0],
        "2026-09-24T00:00:00-04:00"
    );
    let capture = shape(&xml(&fixture("feeds/atom_cs.AI_2025-08-20.xml")));
    let mut ours = shape(&atom);
    assert!(ours.remove("feed/entry/arxiv:journal_reference"));
    assert!(ours.remove("feed/entry/arxiv:DOI"));
    assert_eq!(ours, capture);

    // A feed for an archive lists its categories.
    let (_, _, body) = get(&format!("{}/rss/cs", mock.feed_url())).await;
    assert_eq!(
        xml(&body)
            .iter()
            .filter(|e| e.path == "rss/channel/item")
            .count(),
        5
    );
}

#[tokio::test]
async fn the_feed_answers_conditional_requests() {
    let mock = MockArxiv::start().await;
    let p = paper("2609.00001", 1, &["cs.LG"], "2026-09-22T17:00:00Z");
    mock.set_listing(day(2026, 9, 24), vec![(p.clone(), "new")]);
    let url = format!("{}/rss/cs.LG", mock.feed_url());

    let (status, headers, body) = get(&url).await;
    assert_eq!(status, 200);
    assert!(!body.is_empty());
    let etag = header(&headers, "etag").expect("an ETag").to_string();
    let modified = header(&headers, "last-modified")
        .expect("a Last-Modified")
        .to_string();
    assert!(modified.ends_with(" GMT"), "{modified}");

    let (status, headers, body) = get_with(&url, &[("If-None-Match", &etag)]).await;
    assert_eq!(status, 304);
    assert!(body.is_empty());
    assert_eq!(header(&headers, "etag"), Some(etag.as_str()));
    let (status, _, _) = get_with(&url, &[("If-Modified-Since", &modified)]).await;
    assert_eq!(status, 304);
    let (status, _, _) = get_with(&url, &[("If-None-Match", "\"something-else\"")]).await;
    assert_eq!(status, 200);
    // If-None-Match decides over If-Modified-Since.
    let (status, _, _) = get_with(
        &url,
        &[
            ("If-None-Match", "\"something-else\""),
            ("If-Modified-Since", &modified),
        ],
    )
    .await;
    assert_eq!(status, 200);

    // A new listing is a new body: the old validators no longer match.
    mock.set_listing(day(2026, 9, 25), vec![(p, "new")]);
    let (status, headers, _) = get_with(
        &url,
        &[("If-None-Match", &etag), ("If-Modified-Since", &modified)],
    )
    .await;
    assert_eq!(status, 200);
    assert_ne!(header(&headers, "etag"), Some(etag.as_str()));
    let (status, _, _) = get_with(&url, &[("If-Modified-Since", &modified)]).await;
    assert_eq!(status, 200, "Last-Modified moved on");
}

#[tokio::test]
async fn a_weekend_feed_is_empty_but_valid() {
    let mock = MockArxiv::start().await;
    mock.set_listing(day(2026, 9, 26), Vec::new());

    let (status, _, body) = get(&format!("{}/rss/cs.LG+cs.CL", mock.feed_url())).await;
    assert_eq!(status, 200);
    let els = xml(&body);
    assert!(all(&els, "rss/channel/item").is_empty());
    assert_eq!(
        texts(&els, "rss/channel/skipDays/day"),
        ["Sunday", "Saturday"]
    );
    assert_eq!(
        text(&els, "rss/channel/pubDate"),
        "Sat, 26 Sep 2026 00:00:00 -0400"
    );
    assert_eq!(all(&els, "rss").len(), 1);

    let (status, _, body) = get(&format!("{}/atom/cs.LG", mock.feed_url())).await;
    assert_eq!(status, 200);
    let els = xml(&body);
    assert!(all(&els, "feed/entry").is_empty());
    assert_eq!(text(&els, "feed/title"), "cs.LG updates on arXiv.org");
}

// ---------------------------------------------------------------------------------------------
// API

#[tokio::test]
async fn the_api_returns_exactly_the_known_ids_with_versions() {
    let mock = MockArxiv::start().await;
    let mut a = paper(
        "2606.00001",
        2,
        &["cs.LG", "stat.ML"],
        "2026-06-01T10:00:00Z",
    );
    a.updated = Some(utc("2026-06-20T11:30:00Z"));
    a.doi = Some("10.1234/abc".into());
    a.journal_ref = Some("JMLR 27 (2026)".into());
    let b = paper("hep-th/9901001", 1, &["hep-th"], "1999-01-04T12:00:00Z");
    mock.add_papers(vec![a.clone(), b.clone()]);
    // Adding a paper with a known id replaces it.
    a.title = "A revised title".into();
    mock.add_papers(vec![a.clone()]);

    let url = format!(
        "{}?id_list={}&start=0&max_results=3",
        mock.api_url(),
        enc("2606.00001,hep-th/9901001v1,2606.99999")
    );
    let (status, _, body) = get(&url).await;
    assert_eq!(status, 200);
    let els = xml(&body);
    assert_eq!(
        texts(&els, "feed/entry/id"),
        [
            "http://arxiv.org/abs/2606.00001v2",
            "http://arxiv.org/abs/hep-th/9901001v1"
        ],
        "unknown ids are simply absent"
    );
    assert_eq!(text(&els, "feed/opensearch:totalResults"), "2");
    assert_eq!(text(&els, "feed/opensearch:itemsPerPage"), "3");
    assert_eq!(text(&els, "feed/opensearch:startIndex"), "0");
    assert_eq!(texts(&els, "feed/entry/title")[0], "A revised title");
    assert_eq!(texts(&els, "feed/entry/summary")[0], a.abstract_text);
    assert_eq!(
        texts(&els, "feed/entry/published")[0],
        "2026-06-01T10:00:00Z"
    );
    assert_eq!(texts(&els, "feed/entry/updated")[0], "2026-06-20T11:30:00Z");
    assert_eq!(
        texts(&els, "feed/entry/arxiv:comment")[0],
        "12 pages, 3 figures"
    );
    assert_eq!(
        texts(&els, "feed/entry/arxiv:journal_ref"),
        ["JMLR 27 (2026)"]
    );
    assert_eq!(texts(&els, "feed/entry/arxiv:doi"), ["10.1234/abc"]);
    let primaries: Vec<_> = all(&els, "feed/entry/arxiv:primary_category")
        .iter()
        .map(|e| e.attr("term").unwrap().to_string())
        .collect();
    assert_eq!(primaries, ["cs.LG", "hep-th"]);
    let categories: Vec<_> = all(&els, "feed/entry/category")
        .iter()
        .map(|e| e.attr("term").unwrap().to_string())
        .collect();
    assert_eq!(categories, ["cs.LG", "stat.ML", "hep-th"]);
    assert_eq!(texts(&els, "feed/entry/author/name")[..3], a.authors[..]);
    let links: Vec<_> = all(&els, "feed/entry/link")
        .iter()
        .map(|e| e.attr("href").unwrap().to_string())
        .collect();
    assert!(links.contains(&"https://arxiv.org/abs/2606.00001v2".to_string()));
    assert!(links.contains(&"https://arxiv.org/pdf/2606.00001v2".to_string()));
    assert!(links.contains(&"https://doi.org/10.1234/abc".to_string()));
    // The same elements as a real answer.
    assert_eq!(
        shape(&els),
        shape(&xml(&fixture("api/q_testing_s0_m10.xml")))
    );

    // An older version by its versioned id; a version arXiv does not have is absent.
    let (_, _, body) = get(&format!(
        "{}?id_list=2606.00001v1,2606.00001v9",
        mock.api_url()
    ))
    .await;
    assert_eq!(
        texts(&xml(&body), "feed/entry/id"),
        ["http://arxiv.org/abs/2606.00001v1"]
    );
    // Only unknown ids: an empty result, like the capture.
    let (status, _, body) = get(&format!(
        "{}?id_list=2601.99999&max_results=100",
        mock.api_url()
    ))
    .await;
    assert_eq!(status, 200);
    let els = xml(&body);
    assert_eq!(text(&els, "feed/opensearch:totalResults"), "0");
    assert_eq!(
        shape(&els),
        shape(&xml(&fixture("api/id_0000.0000_s0_m100.xml")))
    );
}

#[tokio::test]
async fn a_malformed_id_gets_the_error_feed() {
    let mock = MockArxiv::start().await;
    mock.add_papers(vec![paper(
        "2606.00001",
        1,
        &["cs.LG"],
        "2026-06-01T10:00:00Z",
    )]);
    let (status, _, body) = get(&format!(
        "{}?id_list=2606.00001,abc&start=0&max_results=100",
        mock.api_url()
    ))
    .await;
    assert_eq!(status, 400);
    let els = xml(&body);
    assert_eq!(
        text(&els, "feed/entry/id"),
        "https://arxiv.org/api/errors#incorrect_id_format_for_abc"
    );
    assert_eq!(text(&els, "feed/entry/title"), "Error");
    assert_eq!(
        text(&els, "feed/entry/summary"),
        "incorrect id format for abc"
    );
    assert_eq!(text(&els, "feed/entry/author/name"), "arXiv api core");
    assert_eq!(text(&els, "feed/opensearch:totalResults"), "1");
    assert_eq!(shape(&els), shape(&xml(&fixture("api/id_abc_s0_m100.xml"))));

    let (status, _, body) = get(&format!(
        "{}?search_query=cat:cs.LG&start=x",
        mock.api_url()
    ))
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        text(&xml(&body), "feed/entry/summary"),
        "start must be an integer"
    );
}

#[tokio::test]
async fn the_api_searches_by_category_and_submission_date() {
    let mock = MockArxiv::start().await;
    mock.add_papers(vec![
        paper("2606.00003", 1, &["cs.LG"], "2026-06-30T23:59:00Z"),
        paper("2606.00001", 1, &["cs.LG"], "2026-06-01T00:00:00Z"),
        paper(
            "2606.00002",
            1,
            &["stat.ML", "cs.LG"],
            "2026-06-15T12:00:00Z",
        ),
        paper("2606.00004", 1, &["cs.CL"], "2026-06-15T12:00:00Z"),
        paper("2607.00001", 1, &["cs.LG"], "2026-07-01T00:00:00Z"),
        paper("2605.00001", 1, &["cs.LG"], "2026-05-31T23:59:59Z"),
    ]);
    let query = enc("cat:cs.LG AND submittedDate:[202606010000 TO 202606302359]");
    let page = |start: usize| {
        format!(
            "{}?search_query={query}&start={start}&max_results=2&sortBy=submittedDate&sortOrder=ascending",
            mock.api_url()
        )
    };
    let (status, _, body) = get(&page(0)).await;
    assert_eq!(status, 200);
    let first = xml(&body);
    assert_eq!(text(&first, "feed/opensearch:totalResults"), "3");
    assert_eq!(
        texts(&first, "feed/entry/id"),
        [
            "http://arxiv.org/abs/2606.00001v1",
            "http://arxiv.org/abs/2606.00002v1"
        ]
    );
    let (_, _, body) = get(&page(2)).await;
    let second = xml(&body);
    assert_eq!(text(&second, "feed/opensearch:startIndex"), "2");
    assert_eq!(
        texts(&second, "feed/entry/id"),
        ["http://arxiv.org/abs/2606.00003v1"]
    );
    // Without a range: every cs.LG paper, max_results defaulting to 10.
    let (_, _, body) = get(&format!("{}?search_query=cat:cs.LG", mock.api_url())).await;
    let els = xml(&body);
    assert_eq!(text(&els, "feed/opensearch:totalResults"), "5");
    assert_eq!(text(&els, "feed/opensearch:itemsPerPage"), "10");
}

// ---------------------------------------------------------------------------------------------
// OAI-PMH

#[tokio::test]
async fn oai_pages_every_record_once_and_ends_with_an_empty_token() {
    let mock = MockArxiv::start().await;
    let mut papers = Vec::new();
    for i in 1..=24 {
        papers.push(paper(
            &format!("2606.{i:05}"),
            1,
            &["cs.LG"],
            &format!("2026-06-{:02}T12:00:00Z", 1 + i % 28),
        ));
    }
    // Cross-listed to cs: in the cs set too, as on arXiv.
    papers.push(paper(
        "2606.00100",
        1,
        &["math.OC", "cs.DS"],
        "2026-06-10T09:00:00Z",
    ));
    let outside = vec![
        paper("2606.00200", 1, &["math.OC"], "2026-06-10T09:00:00Z"),
        paper("2605.00300", 1, &["cs.LG"], "2026-05-31T09:00:00Z"),
    ];
    let mut all_papers = papers.clone();
    all_papers.extend(outside);
    mock.add_papers(all_papers);
    mock.set_oai_page_size(10);

    let mut url = format!(
        "{}?verb=ListRecords&metadataPrefix=arXiv&set=cs&from=2026-06-01&until=2026-06-30",
        mock.oai_url()
    );
    let mut seen: Vec<String> = Vec::new();
    let mut pages = 0;
    loop {
        let (status, _, body) = get(&url).await;
        assert_eq!(status, 200);
        let els = xml(&body);
        pages += 1;
        seen.extend(texts(&els, "OAI-PMH/ListRecords/record/header/identifier"));
        assert!(
            texts(&els, "OAI-PMH/ListRecords/record/header/setSpec")
                .iter()
                .all(|s| s == "cs")
        );
        let token = all(&els, "OAI-PMH/ListRecords/resumptionToken");
        assert_eq!(token.len(), 1, "page {pages} has a token");
        assert_eq!(token[0].attr("completeListSize"), Some("25"));
        assert_eq!(
            token[0].attr("cursor"),
            Some((10 * (pages - 1)).to_string().as_str())
        );
        if token[0].text.is_empty() {
            break;
        }
        assert!(pages < 5, "the harvest must end");
        url = format!(
            "{}?verb=ListRecords&resumptionToken={}",
            mock.oai_url(),
            enc(&token[0].text)
        );
    }
    assert_eq!(pages, 3);
    let mut expected: Vec<String> = papers
        .iter()
        .map(|p| format!("oai:arXiv.org:{}", p.id))
        .collect();
    let mut got = seen.clone();
    expected.sort();
    got.sort();
    assert_eq!(got, expected, "every record once");
    assert_eq!(seen.len(), 25);

    // The arXiv metadata format.
    let (_, _, body) = get(&format!(
        "{}?verb=GetRecord&identifier=oai:arXiv.org:2606.00100&metadataPrefix=arXiv",
        mock.oai_url()
    ))
    .await;
    let els = xml(&body);
    let meta = "OAI-PMH/GetRecord/record/metadata/arXiv";
    assert_eq!(text(&els, &format!("{meta}/id")), "2606.00100");
    assert_eq!(text(&els, &format!("{meta}/created")), "2026-06-10");
    assert_eq!(text(&els, &format!("{meta}/categories")), "math.OC cs.DS");
    assert_eq!(
        texts(&els, &format!("{meta}/authors/author/keyname")),
        ["Lovelace", "Turing", "Plato"]
    );
    assert_eq!(
        texts(&els, &format!("{meta}/authors/author/forenames")),
        ["Ada", "Alan M."]
    );
    assert_eq!(
        texts(&els, "OAI-PMH/GetRecord/record/header/setSpec"),
        ["math", "cs"]
    );
    assert_eq!(
        text(&els, &format!("{meta}/abstract")).trim(),
        papers[24].abstract_text
    );
    let capture = shape(&xml(&fixture("oai/ListRecords_arXiv_arxiv-single.xml")));
    let ours = shape(&els);
    assert!(ours.is_subset(&capture), "{:?}", ours.difference(&capture));

    // Errors, as OAI-PMH has them.
    let oai_error = |body: Vec<u8>| {
        let els = xml(&body);
        all(&els, "OAI-PMH/error")[0]
            .attr("code")
            .unwrap()
            .to_string()
    };
    let (_, _, body) = get(&format!(
        "{}?verb=ListRecords&metadataPrefix=arXiv&set=cs&from=2030-01-01",
        mock.oai_url()
    ))
    .await;
    assert_eq!(oai_error(body), "noRecordsMatch");
    let (_, _, body) = get(&format!(
        "{}?verb=ListRecords&resumptionToken=garbage",
        mock.oai_url()
    ))
    .await;
    assert_eq!(oai_error(body), "badResumptionToken");
    let (_, _, body) = get(&format!(
        "{}?verb=GetRecord&identifier=oai:arXiv.org:2601.99999&metadataPrefix=arXiv",
        mock.oai_url()
    ))
    .await;
    assert_eq!(oai_error(body), "idDoesNotExist");

    // A list that fits in one page has no token at all.
    let (_, _, body) = get(&format!(
        "{}?verb=ListRecords&metadataPrefix=arXiv&set=math",
        mock.oai_url()
    ))
    .await;
    let els = xml(&body);
    assert_eq!(all(&els, "OAI-PMH/ListRecords/record").len(), 2);
    assert!(all(&els, "OAI-PMH/ListRecords/resumptionToken").is_empty());
}

// ---------------------------------------------------------------------------------------------
// Faults and the request log

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_fault_is_served_once_then_service_resumes() {
    let mock = MockArxiv::start().await;
    let papers: Vec<Paper> = (1..=5)
        .map(|i| {
            paper(
                &format!("2606.{i:05}"),
                1,
                &["cs.LG"],
                "2026-06-03T12:00:00Z",
            )
        })
        .collect();
    mock.set_listing(
        day(2026, 6, 4),
        papers.iter().map(|p| (p.clone(), "new")).collect(),
    );
    mock.add_papers(papers.clone());
    let rss = format!("{}/rss/cs.LG", mock.feed_url());
    let api = format!(
        "{}?id_list=2606.00001,2606.00002,2606.00003",
        mock.api_url()
    );
    let oai = format!(
        "{}?verb=ListRecords&metadataPrefix=arXiv&set=cs",
        mock.oai_url()
    );
    let (_, _, normal_rss) = get(&rss).await;
    let normal_guids = texts(&xml(&normal_rss), "rss/channel/item/guid");
    assert_eq!(normal_guids.len(), 5);

    // A fault for one endpoint leaves the others alone.
    mock.push_fault(
        "/oai2",
        Fault::Status {
            code: 503,
            retry_after: Some("2".into()),
        },
    );
    mock.push_fault(
        "/rss",
        Fault::Status {
            code: 503,
            retry_after: Some("2".into()),
        },
    );
    let http_date = "Wed, 21 Oct 2026 07:28:00 GMT";
    mock.push_fault(
        "/rss",
        Fault::Status {
            code: 429,
            retry_after: Some(http_date.into()),
        },
    );
    let (status, _, _) = get(&api).await;
    assert_eq!(status, 200);
    let (status, headers, _) = get(&rss).await;
    assert_eq!((status, header(&headers, "retry-after")), (503, Some("2")));
    let (status, headers, _) = get(&rss).await;
    assert_eq!(
        (status, header(&headers, "retry-after")),
        (429, Some(http_date))
    );
    let (status, _, body) = get(&rss).await;
    assert_eq!((status, &body), (200, &normal_rss));
    let (status, _, _) = get(&oai).await;
    assert_eq!(status, 503);
    let (status, _, _) = get(&oai).await;
    assert_eq!(status, 200);

    // Delay: the normal answer, late.
    mock.push_fault("/api/query", Fault::Delay(Duration::from_millis(400)));
    let started = Instant::now();
    let (status, _, body) = get(&api).await;
    assert!(started.elapsed() >= Duration::from_millis(400));
    assert_eq!(status, 200);
    assert_eq!(texts(&xml(&body), "feed/entry/id").len(), 3);
    let started = Instant::now();
    get(&api).await;
    assert!(started.elapsed() < Duration::from_millis(400));

    // DropMidBody: the head with the full Content-Length, half the body, then the connection
    // closes. Even a conditional request that would get a 304 gets the cut body.
    let (_, headers, _) = get(&rss).await;
    let etag = header(&headers, "etag").unwrap().to_string();
    mock.push_fault("/rss", Fault::DropMidBody);
    let (status, headers, body) = get_with(&rss, &[("If-None-Match", &etag)]).await;
    assert_eq!(status, 200);
    let length: usize = header(&headers, "content-length").unwrap().parse().unwrap();
    assert_eq!(length, normal_rss.len(), "Content-Length of the whole body");
    assert_eq!(body.len(), normal_rss.len() / 2, "half the body arrived");
    assert_eq!(body[..], normal_rss[..body.len()]);
    assert!(walk(&body).is_err());
    let (status, _, body) = get(&rss).await;
    assert_eq!((status, &body), (200, &normal_rss));

    // TruncateBody: half the body as a complete response.
    mock.push_fault("/rss", Fault::TruncateBody);
    let (status, headers, body) = get(&rss).await;
    assert_eq!(status, 200);
    let length: usize = header(&headers, "content-length").unwrap().parse().unwrap();
    assert_eq!(length, body.len(), "a complete response");
    assert_eq!(body.len(), normal_rss.len() / 2);
    assert_eq!(body[..], normal_rss[..body.len()]);
    assert!(walk(&body).is_err(), "the XML stops mid-way");
    mock.push_fault("/oai2", Fault::TruncateBody);
    let (status, _, body) = get(&oai).await;
    assert_eq!(status, 200);
    assert!(walk(&body).is_err());
    let (_, _, body) = get(&rss).await;
    assert_eq!(body, normal_rss);

    // MalformedEntry: well-formed XML, one id replaced, on each endpoint.
    mock.push_fault("/rss", Fault::MalformedEntry);
    let (status, _, body) = get(&rss).await;
    assert_eq!(status, 200);
    let guids = texts(&xml(&body), "rss/channel/item/guid");
    let bad: Vec<usize> = (0..guids.len())
        .filter(|&i| guids[i] != normal_guids[i])
        .collect();
    assert_eq!(bad.len(), 1, "{guids:?}");
    assert_eq!(guids[bad[0]], format!("oai:arXiv.org:{MALFORMED_ID}"));
    mock.push_fault("/api/query", Fault::MalformedEntry);
    let (_, _, body) = get(&api).await;
    let ids = texts(&xml(&body), "feed/entry/id");
    assert_eq!(ids.len(), 3);
    assert_eq!(ids.iter().filter(|id| id.contains(MALFORMED_ID)).count(), 1);
    mock.push_fault("/oai2", Fault::MalformedEntry);
    let (_, _, body) = get(&oai).await;
    let ids = texts(&xml(&body), "OAI-PMH/ListRecords/record/header/identifier");
    assert_eq!(ids.len(), 5);
    assert_eq!(ids.iter().filter(|id| id.contains(MALFORMED_ID)).count(), 1);
    let (_, _, body) = get(&rss).await;
    assert_eq!(body, normal_rss);
    let (_, _, body) = get(&api).await;
    assert!(!String::from_utf8(body).unwrap().contains(MALFORMED_ID));

    assert_eq!(mock.pending_faults(), 0);
}

#[tokio::test]
async fn requests_are_logged_in_order() {
    let mock = MockArxiv::start().await;
    mock.push_fault(
        "/api/query",
        Fault::Status {
            code: 500,
            retry_after: None,
        },
    );
    get_with(
        &format!("{}/rss/cs.LG+cs.CL", mock.feed_url()),
        &[("If-None-Match", "\"abc\"")],
    )
    .await;
    get(&format!("{}?id_list=2606.00001", mock.api_url())).await;
    get(&format!(
        "{}?verb=ListRecords&resumptionToken=10%7C%7C%7Ccs",
        mock.oai_url()
    ))
    .await;
    get(&format!("{}/nowhere", mock.base_url())).await;

    let log = mock.requests();
    let seen: Vec<(&str, &str)> = log
        .iter()
        .map(|r| (r.path.as_str(), r.query.as_str()))
        .collect();
    assert_eq!(
        seen,
        [
            ("/rss/cs.LG+cs.CL", ""),
            ("/api/query", "id_list=2606.00001"),
            ("/oai2", "verb=ListRecords&resumptionToken=10%7C%7C%7Ccs"),
            ("/nowhere", ""),
        ]
    );
    assert_eq!(log[0].header("if-none-match"), Some("\"abc\""));
    assert!(
        log[0]
            .headers
            .iter()
            .any(|(n, v)| n == "user-agent" && v == "mock-selftest")
    );
    assert_eq!(
        log[2].params(),
        [
            ("verb".to_string(), "ListRecords".to_string()),
            ("resumptionToken".to_string(), "10|||cs".to_string())
        ]
    );
    assert!(log.windows(2).all(|w| w[0].at <= w[1].at));
    assert_eq!(mock.requests_to("/api").len(), 1);
}
