//! The arXiv API, `export.arxiv.org/api/query`: an Atom feed of full records.
//!
//! Two styles are in the wild and both are read: the current one (namespaces declared on the
//! root, `<link>`s without `rel` in some responses) and the pre-2025 one (`opensearch:` and
//! `arxiv:` declared on each element, elements in another order). Elements are matched by local
//! name, so whatever prefix a capture binds does not matter.
//!
//! A failed query is still a 200 with an Atom feed: one entry whose id is
//! `http(s)://arxiv.org/api/errors#…` and whose summary is the message. It becomes
//! [`ApiPage::api_error`], not a paper.

use chrono::{DateTime, Utc};
use papers_core::paper::normalize_text;
use papers_core::{ArxivId, Category, Paper};
use quick_xml::events::BytesStart;

use super::xml::{self, Capture, Ev, XmlStream};
use super::{EntryError, XmlError};

/// One API response.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiPage {
    /// `opensearch:totalResults`: matches of the whole query.
    pub total_results: Option<u64>,
    /// `opensearch:startIndex`: 0-based index of the first entry of this page.
    pub start_index: Option<u64>,
    /// `opensearch:itemsPerPage`.
    pub items_per_page: Option<u64>,
    /// The papers, in response order.
    pub entries: Vec<Paper>,
    /// Malformed entries, skipped.
    pub skipped: Vec<EntryError>,
    /// The message of an error feed (`incorrect id format for abc`).
    pub api_error: Option<String>,
    /// The document broke off or is not an Atom feed; `entries` holds what came before.
    pub fatal: Option<XmlError>,
}

/// Parses one API response. Never fails as a whole: see [`ApiPage`].
pub fn parse_api(body: &[u8]) -> ApiPage {
    let mut page = ApiPage {
        total_results: None,
        start_index: None,
        items_per_page: None,
        entries: Vec::new(),
        skipped: Vec::new(),
        api_error: None,
        fatal: None,
    };
    let mut parser = ApiParser::default();
    let mut stream = XmlStream::new(body);
    loop {
        let event = match stream.next() {
            Ok(event) => event,
            Err(error) => {
                page.fatal = Some(error);
                break;
            }
        };
        let stop = match event {
            Ev::Start(e, depth) => parser.open(&e, depth),
            Ev::Empty(e, depth) => {
                let stop = parser.open(&e, depth);
                if stop.is_none() {
                    parser.close(depth, &mut page);
                }
                stop
            }
            Ev::End(depth) => {
                parser.close(depth, &mut page);
                None
            }
            Ev::Text(piece) => {
                parser.capture.push(&piece);
                None
            }
            Ev::Other => None,
            Ev::Eof => break,
        };
        if let Some(reason) = stop {
            page.fatal = Some(stream.error(reason));
            break;
        }
    }
    page
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    TotalResults,
    StartIndex,
    ItemsPerPage,
    Id,
    Title,
    Summary,
    AuthorName,
    Comment,
    JournalRef,
    Doi,
    Published,
    Updated,
}

/// One entry's raw fields (entities resolved).
#[derive(Default)]
struct RawEntry {
    id: Option<String>,
    title: String,
    summary: String,
    authors: Vec<String>,
    primary_category: Option<String>,
    categories: Vec<String>,
    comment: Option<String>,
    journal_ref: Option<String>,
    doi: Option<String>,
    /// `<link title="doi" href="http://dx.doi.org/…"/>`, when there is no `<arxiv:doi>`.
    doi_link: Option<String>,
    published: Option<DateTime<Utc>>,
    updated: Option<DateTime<Utc>>,
}

#[derive(Default)]
struct ApiParser {
    root_seen: bool,
    entry_depth: Option<usize>,
    author_depth: Option<usize>,
    capture: Capture<Field>,
    entry: RawEntry,
    /// 1-based position of the last entry started.
    position: usize,
}

impl ApiParser {
    /// An element opens. Returns why parsing must stop, if it must.
    fn open(&mut self, e: &BytesStart<'_>, depth: usize) -> Option<String> {
        let name = e.local_name().into_inner();
        if !self.root_seen {
            self.root_seen = true;
            if name != "feed" {
                return Some(format!(
                    "expected an Atom <feed>, found <{}>",
                    xml::clip(name, 40)
                ));
            }
            return None;
        }
        let Some(entry_depth) = self.entry_depth else {
            match (name, depth) {
                ("entry", _) => {
                    self.entry_depth = Some(depth);
                    self.author_depth = None;
                    self.position += 1;
                }
                ("totalResults", 2) => self.capture.begin(Field::TotalResults, depth),
                ("startIndex", 2) => self.capture.begin(Field::StartIndex, depth),
                ("itemsPerPage", 2) => self.capture.begin(Field::ItemsPerPage, depth),
                _ => {}
            }
            return None;
        };
        if let Some(author_depth) = self.author_depth {
            if depth == author_depth + 1 && name == "name" {
                self.capture.begin(Field::AuthorName, depth);
            }
            return None;
        }
        if depth != entry_depth + 1 {
            return None;
        }
        let field = match name {
            "id" => Field::Id,
            "title" => Field::Title,
            "summary" => Field::Summary,
            "published" => Field::Published,
            "updated" => Field::Updated,
            "comment" => Field::Comment,
            "journal_ref" => Field::JournalRef,
            "doi" => Field::Doi,
            "author" => {
                self.author_depth = Some(depth);
                return None;
            }
            "primary_category" => {
                if let Some(term) = xml::attr(e, "term") {
                    self.entry.primary_category = Some(term.into_owned());
                }
                return None;
            }
            "category" => {
                if let Some(term) = xml::attr(e, "term") {
                    self.entry.categories.push(term.into_owned());
                }
                return None;
            }
            "link" => {
                if xml::attr(e, "title").is_some_and(|t| t == "doi")
                    && let Some(href) = xml::attr(e, "href")
                {
                    self.entry.doi_link = Some(href.into_owned());
                }
                return None;
            }
            _ => return None,
        };
        self.capture.begin(field, depth);
        None
    }

    /// The element at `depth` closes.
    fn close(&mut self, depth: usize, page: &mut ApiPage) {
        if let Some(field) = self.capture.end(depth) {
            self.commit(field, page);
        }
        if self.author_depth == Some(depth) {
            self.author_depth = None;
        } else if self.entry_depth == Some(depth) {
            self.entry_depth = None;
            self.author_depth = None;
            let entry = std::mem::take(&mut self.entry);
            match finish_entry(entry) {
                Outcome::Paper(paper) => page.entries.push(paper),
                Outcome::ApiError(message) => {
                    page.api_error.get_or_insert(message);
                }
                Outcome::Skip(id, reason) => page.skipped.push(EntryError {
                    position: self.position,
                    id,
                    reason,
                }),
            }
        }
    }

    fn commit(&mut self, field: Field, page: &mut ApiPage) {
        let text = &mut self.capture.text;
        let entry = &mut self.entry;
        let number = |text: &str| text.trim().parse::<u64>().ok();
        let time = |text: &str| xml::parse_rfc3339(text).map(|t| t.with_timezone(&Utc));
        match field {
            Field::TotalResults => page.total_results = number(text),
            Field::StartIndex => page.start_index = number(text),
            Field::ItemsPerPage => page.items_per_page = number(text),
            Field::Id => entry.id = Some(std::mem::take(text)),
            Field::Title => entry.title = std::mem::take(text),
            Field::Summary => entry.summary = std::mem::take(text),
            Field::AuthorName => entry.authors.push(std::mem::take(text)),
            Field::Comment => entry.comment = Some(std::mem::take(text)),
            Field::JournalRef => entry.journal_ref = Some(std::mem::take(text)),
            Field::Doi => entry.doi = Some(std::mem::take(text)),
            Field::Published => entry.published = time(text),
            Field::Updated => entry.updated = time(text),
        }
    }
}

enum Outcome {
    Paper(Paper),
    ApiError(String),
    Skip(Option<String>, String),
}

fn finish_entry(entry: RawEntry) -> Outcome {
    let Some(id_text) = entry
        .id
        .as_deref()
        .map(str::trim)
        .filter(|id| !id.is_empty())
    else {
        return Outcome::Skip(None, "entry has no <id>".into());
    };
    if id_text.contains("arxiv.org/api/errors") {
        let mut message = normalize_text(&entry.summary);
        if message.is_empty() {
            message = id_text.rsplit('#').next().unwrap_or(id_text).to_string();
        }
        return Outcome::ApiError(message);
    }
    let reported_id = || Some(xml::clip(id_text, 100).to_string());
    let (id, version) = match ArxivId::parse_versioned(id_text) {
        Ok(parsed) => parsed,
        Err(error) => return Outcome::Skip(reported_id(), format!("bad id: {error}")),
    };
    let (categories, _dropped) = Category::from_source_list(
        entry
            .primary_category
            .iter()
            .chain(&entry.categories)
            .map(String::as_str),
    );
    let doi = entry.doi.or_else(|| {
        let link = entry.doi_link?;
        link.split_once("doi.org/").map(|(_, doi)| doi.to_string())
    });
    let paper = Paper {
        id,
        version: version.unwrap_or(1),
        title: entry.title,
        authors: entry.authors,
        abstract_text: entry.summary,
        categories,
        comment: entry.comment,
        journal_ref: entry.journal_ref,
        doi,
        published: entry.published,
        updated: entry.updated,
        announced: None,
    };
    match paper.normalized() {
        Ok(paper) => Outcome::Paper(paper),
        Err(error) => Outcome::Skip(reported_id(), error.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    macro_rules! fixture {
        ($name:literal) => {
            (
                $name,
                include_bytes!(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../tests/fixtures/arxiv/api/",
                    $name
                )) as &[u8],
            )
        };
    }

    /// A capture: (name, body), its entry count and its totalResults.
    type Fixture = ((&'static str, &'static [u8]), usize, u64);

    const FIXTURES: &[Fixture] = &[
        (fixture!("id_0000.0000_s0_m100.xml"), 0, 0),
        (fixture!("id_0808.05394_1707.08567_s0_m100.xml"), 1, 1),
        (fixture!("id_0808.05394_s0_m100.xml"), 0, 0),
        (fixture!("id_1605.08386_s0_m100.xml"), 1, 1),
        (fixture!("id_1707.08567_s0_m100.xml"), 1, 1),
        (fixture!("id_2104.12255v1_s0_m100.xml"), 1, 1),
        (fixture!("id_abc_s0_m100.xml"), 0, 1),
        (fixture!("id_astro-ph_0601001_s0_m100.xml"), 1, 1),
        (fixture!("id_quant-ph_0201082v1_s0_m100.xml"), 1, 1),
        (fixture!("old_format_deep_dream_0.xml"), 10, 24617),
        (fixture!("old_format_deep_dream_1.xml"), 10, 24617),
        (fixture!("old_format_deep_dream_2.xml"), 10, 24617),
        (fixture!("q_testing_s0_m10.xml"), 10, 214881),
        (fixture!("q_testing_s0_m100.xml"), 100, 214881),
        (fixture!("q_testing_s0_m15.xml"), 15, 214881),
        (fixture!("q_testing_s10_m10.xml"), 10, 214881),
        (fixture!("q_testing_s20_m10.xml"), 10, 214881),
        (fixture!("q_testing_s30_m10.xml"), 10, 214881),
        (fixture!("q_testing_s40_m10.xml"), 10, 214881),
        (fixture!("q_testing_s50_m10.xml"), 10, 214881),
        (fixture!("q_testing_s5_m10.xml"), 10, 214881),
        (fixture!("q_testing_s5_m15.xml"), 15, 214881),
        (fixture!("q_testing_s9_m15.xml"), 15, 214881),
        (fixture!("rsxiv_query.xml"), 10, 7432),
        (fixture!("rsxiv_query_empty.xml"), 0, 0),
        (fixture!("rsxiv_query_missing_id.xml"), 1, 1),
    ];

    fn find(name: &str) -> &'static [u8] {
        FIXTURES
            .iter()
            .find(|((n, _), _, _)| *n == name)
            .map(|((_, body), _, _)| *body)
            .unwrap()
    }

    fn codes(paper: &Paper) -> Vec<&str> {
        paper.categories.iter().map(Category::as_str).collect()
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<DateTime<Utc>> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s).single()
    }

    #[test]
    fn every_capture_parses_completely() {
        for ((name, body), entries, total) in FIXTURES {
            let page = parse_api(body);
            assert_eq!(page.fatal, None, "{name}");
            assert!(page.skipped.is_empty(), "{name}: {:?}", page.skipped);
            assert_eq!(page.entries.len(), *entries, "{name}");
            assert_eq!(page.total_results, Some(*total), "{name}");
            assert!(page.start_index.is_some(), "{name}");
            for paper in &page.entries {
                assert!(
                    !paper.title.is_empty() && !paper.authors.is_empty(),
                    "{name}"
                );
                assert!(
                    paper.published.is_some() && paper.updated.is_some(),
                    "{name}"
                );
                assert!(!paper.abstract_text.is_empty(), "{name}");
            }
        }
    }

    #[test]
    fn current_style_record() {
        let page = parse_api(find("id_astro-ph_0601001_s0_m100.xml"));
        assert_eq!(page.items_per_page, Some(100));
        assert_eq!(page.start_index, Some(0));
        let paper = &page.entries[0];
        assert_eq!(paper.id.as_str(), "astro-ph/0601001");
        assert_eq!(paper.version, 1);
        assert_eq!(
            paper.title,
            "Frequency of Hot Jupiters and Very Hot Jupiters from the OGLE-III Transit Surveys Toward the Galactic Bulge and Carina"
        );
        assert_eq!(
            paper.authors,
            vec![
                "Andrew Gould",
                "Susan Dorsher",
                "B. Scott Gaudi",
                "Andrzej Udalski"
            ]
        );
        assert_eq!(codes(paper), vec!["astro-ph"]);
        assert_eq!(
            paper.journal_ref.as_deref(),
            Some("ActaAstron.56:1-50,2006")
        );
        assert!(
            paper
                .comment
                .as_deref()
                .unwrap()
                .starts_with("62 pages including 16 figures")
        );
        // &amp; and &lt; in the summary, decoded once.
        assert!(paper.abstract_text.starts_with("We derive the frequencies"));
        assert!(
            paper
                .abstract_text
                .contains("following Gould & Morgan (2003)")
        );
        assert!(paper.abstract_text.contains("limit of V_max<17.5."));
        assert!(paper.abstract_text.contains("(1/310)(1^{+1.39}_{-0.59})"));
        assert_eq!(paper.published, utc(2006, 1, 2, 14, 57, 58));
        assert_eq!(paper.updated, utc(2006, 1, 2, 14, 57, 58));
        assert_eq!(paper.announced, None);

        let page = parse_api(find("id_quant-ph_0201082v1_s0_m100.xml"));
        assert_eq!(page.entries[0].id.as_str(), "quant-ph/0201082");
        assert_eq!(codes(&page.entries[0]), vec!["quant-ph", "cs.PL"]);

        let page = parse_api(find("id_2104.12255v1_s0_m100.xml"));
        let paper = &page.entries[0];
        assert_eq!(paper.title, "0", "a title that is just 0 is a title");
        assert_eq!(paper.authors, vec!["Quan Thoi Minh Nguyen"]);

        let page = parse_api(find("id_0808.05394_1707.08567_s0_m100.xml"));
        let paper = &page.entries[0];
        assert_eq!(paper.id.as_str(), "1707.08567");
        assert_eq!(paper.authors.len(), 34);
        assert_eq!(paper.authors[32], "Dirk Wübben");
        assert_eq!(codes(paper), vec!["cs.IT"]);
    }

    #[test]
    fn old_style_records() {
        let page = parse_api(find("old_format_deep_dream_0.xml"));
        assert_eq!(page.total_results, Some(24617));
        assert_eq!(page.start_index, Some(0));
        assert_eq!(page.items_per_page, Some(10));
        let first = &page.entries[0];
        assert_eq!(first.id.as_str(), "1611.09520");
        assert_eq!(first.version, 2);
        assert_eq!(
            first.title,
            "Hierarchical Neural Representation of Dreamed Objects Revealed by Brain Decoding with Deep Neural Network Features"
        );
        assert_eq!(
            first.authors,
            vec!["Tomoyasu Horikawa", "Yukiyasu Kamitani"]
        );
        assert_eq!(codes(first), vec!["q-bio.NC"]);
        assert_eq!(first.published, utc(2016, 11, 29, 8, 18, 38));
        assert_eq!(first.updated, utc(2017, 1, 23, 6, 54, 20));

        let second = &page.entries[1];
        assert_eq!(second.id.as_str(), "1511.08339");
        assert_eq!(second.title, "Dreaming of atmospheres");
        assert_eq!(second.doi.as_deref(), Some("10.3847/0004-637X/820/2/107"));
        assert_eq!(second.comment.as_deref(), Some("ApJ accepted"));
    }

    #[test]
    fn primary_category_comes_first() {
        let page = parse_api(find("rsxiv_query.xml"));
        let first = &page.entries[0];
        assert_eq!(first.id.as_str(), "nucl-ex/0408020");
        assert_eq!(codes(first), vec!["nucl-ex", "hep-ph"]);
        assert_eq!(first.authors.len(), 9);
        assert_eq!(first.authors[8], "H. de Vries");

        // MSC codes among the categories are not arXiv categories and are dropped.
        let body = br#"<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
<entry><id>http://arxiv.org/abs/2301.00001v3</id><title>T</title><summary>S</summary>
<author><name>A</name></author>
<category term="14C20, 14A20"/><category term="math.AG"/><category term="math.CO"/>
<arxiv:primary_category term="math.CO"/></entry></feed>"#;
        let page = parse_api(body);
        assert_eq!(codes(&page.entries[0]), vec!["math.CO", "math.AG"]);
        assert_eq!(page.entries[0].version, 3);
    }

    #[test]
    fn error_feed_sets_api_error() {
        let page = parse_api(find("id_abc_s0_m100.xml"));
        assert_eq!(
            page.api_error.as_deref(),
            Some("incorrect id format for abc")
        );
        assert!(page.entries.is_empty() && page.skipped.is_empty());
        assert_eq!(page.fatal, None);
    }

    #[test]
    fn empty_results() {
        for name in ["rsxiv_query_empty.xml", "id_0000.0000_s0_m100.xml"] {
            let page = parse_api(find(name));
            assert_eq!(page.total_results, Some(0));
            assert!(page.entries.is_empty() && page.skipped.is_empty());
            assert_eq!((page.api_error, page.fatal), (None, None));
        }
    }

    #[test]
    fn missing_id_is_skipped_and_the_others_kept() {
        // The capture asked for four ids and got one entry back.
        let page = parse_api(find("rsxiv_query_missing_id.xml"));
        assert_eq!(page.entries.len(), 1);
        assert_eq!(page.entries[0].id.as_str(), "2201.13452");
        assert_eq!(page.entries[0].authors, vec!["Hong-Ming Yin", "Jun Zou"]);
        assert_eq!(page.entries[0].comment.as_deref(), Some("34 pages"));

        // An entry that lost its <id> among good ones.
        let body = String::from_utf8(find("rsxiv_query.xml").to_vec()).unwrap();
        let broken = body.replacen("<id>http://arxiv.org/abs/1309.4668v1</id>", "", 1);
        let page = parse_api(broken.as_bytes());
        assert_eq!(page.fatal, None);
        assert_eq!(page.entries.len(), 9);
        assert_eq!(page.skipped.len(), 1);
        assert_eq!(page.skipped[0].position, 2);
        assert_eq!(page.skipped[0].id, None);
        assert!(page.skipped[0].reason.contains("no <id>"));
        assert!(!page.entries.iter().any(|p| p.id.as_str() == "1309.4668"));
    }

    #[test]
    fn malformed_entries_are_skipped() {
        let body = String::from_utf8(find("rsxiv_query.xml").to_vec()).unwrap();
        let broken = body
            .replacen(
                "http://arxiv.org/abs/1309.4668v1",
                "http://arxiv.org/abs/1399.4668v1",
                1,
            )
            .replacen(
                "<title>Electron cloud observations at the ISIS Proton Synchrotron</title>",
                "<title> </title>",
                1,
            );
        let page = parse_api(broken.as_bytes());
        assert_eq!(page.entries.len(), 9);
        assert_eq!(page.skipped.len(), 1);
        assert_eq!(
            page.skipped[0].id.as_deref(),
            Some("http://arxiv.org/abs/1399.4668v1")
        );

        let entry = |id: &str, author: &str| {
            format!(
                "<entry><id>http://arxiv.org/abs/{id}v1</id><title>T {id}</title><summary>S</summary>{author}<category term=\"cs.LG\"/></entry>"
            )
        };
        let body = format!(
            "<feed xmlns=\"http://www.w3.org/2005/Atom\">{}{}{}</feed>",
            entry("2301.00001", "<author><name>A</name></author>"),
            entry("2301.00002", "<author><name> </name></author>"),
            entry("2301.00003", "<author><name>C</name></author>"),
        );
        let page = parse_api(body.as_bytes());
        assert_eq!(page.entries.len(), 2);
        assert_eq!(page.skipped.len(), 1);
        assert_eq!(page.skipped[0].position, 2);
        assert_eq!(page.skipped[0].reason, "no author");
    }

    #[test]
    fn truncated_response_keeps_complete_entries() {
        let body = find("rsxiv_query.xml");
        let text = std::str::from_utf8(body).unwrap();
        let third = text.match_indices("<entry>").nth(2).unwrap().0;
        let cut = third + 300;
        let page = parse_api(&body[..cut]);
        assert_eq!(page.entries.len(), 2);
        assert_eq!(page.entries[1].id.as_str(), "1309.4668");
        let fatal = page.fatal.expect("truncated");
        assert!(fatal.offset <= cut as u64);
        assert_eq!(page.total_results, Some(7432));
    }

    #[test]
    fn entities_cdata_and_latex() {
        let body = br#"<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom"><entry>
<id>https://arxiv.org/abs/2501.00001v1</id>
<title>&lt;script&gt;alert("x")&lt;/script&gt; &amp; Caf&#233; &#x3B2;</title>
<summary><![CDATA[Uses $\alpha < \beta$ & \emph{care}.]]> More &amp;amp;.</summary>
<author><name>Ren&#233;e O&apos;Neil</name></author>
<category term="cs.LG"/></entry></feed>"#;
        let page = parse_api(body);
        assert_eq!(page.fatal, None);
        let paper = &page.entries[0];
        assert_eq!(paper.title, r#"<script>alert("x")</script> & Café β"#);
        assert_eq!(
            paper.abstract_text,
            r"Uses $\alpha < \beta$ & \emph{care}. More &amp;."
        );
        assert_eq!(paper.authors, vec!["Renée O'Neil"]);
    }

    #[test]
    fn not_a_feed_is_fatal() {
        for body in [
            &b"<html><head><title>503</title></head></html>"[..],
            b"",
            b"   ",
            b"Rate exceeded.",
        ] {
            let page = parse_api(body);
            assert!(page.fatal.is_some(), "{body:?}");
        }
    }

    #[test]
    fn truncations_never_panic() {
        for ((name, body), entries, _) in FIXTURES {
            let end = body.trim_ascii_end().len();
            let step = (body.len() / 300).max(1);
            for cut in (0..end).step_by(step).chain([end - 1]) {
                let page = parse_api(&body[..cut]);
                assert!(page.entries.len() <= *entries, "{name} cut at {cut}");
                assert!(page.fatal.is_some(), "{name} cut at {cut}");
            }
            let mut broken = body.to_vec();
            for at in (0..body.len()).step_by(step * 13) {
                broken[at] = [b'<', b'>', b'&', 0xc3][at % 4];
                let _ = parse_api(&broken);
            }
        }
    }
}
