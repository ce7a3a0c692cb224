//! RSS 2.0 and Atom 1.0 for every list of papers.
//!
//! Everything goes through quick-xml's `Writer`, so every piece of text and every attribute value
//! is escaped by the writer, never by hand. Two rules keep a subscriber's reader happy:
//!
//! - An item's identity (`<guid>` / `<id>`) is the URL of our paper page, without a version, so a
//!   new version of a paper updates the item a reader already has instead of adding a copy.
//! - Dates come from the data, never from the clock: the same papers always give the same bytes,
//!   which is what lets [`crate::conditional`] answer 304 from an ETag.

use std::borrow::Cow;
use std::io;

use chrono::{DateTime, NaiveDate, NaiveTime, SecondsFormat, Utc};
use papers_core::Paper;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

/// What a feed is about, as the channel (RSS) or feed (Atom) header describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Channel {
    pub title: String,
    pub description: String,
    /// absolute URL of the HTML page this feed mirrors
    pub page_url: String,
    /// absolute URL of this feed itself
    pub feed_url: String,
}

/// The two feed formats; RSS is the default because more readers take it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    #[default]
    Rss,
    Atom,
}

impl Format {
    /// The format a `?format=` query value asks for: none or `rss` is RSS, `atom` is Atom
    /// (ASCII case ignored). Anything else is refused with a message naming the value.
    pub fn from_query(value: Option<&str>) -> Result<Format, String> {
        match value {
            None => Ok(Format::Rss),
            Some(v) if v.eq_ignore_ascii_case("rss") => Ok(Format::Rss),
            Some(v) if v.eq_ignore_ascii_case("atom") => Ok(Format::Atom),
            // `{:?}` quotes the value and escapes control characters in the echo.
            Some(v) => Err(format!(
                "unknown feed format {v:?}: expected \"rss\" or \"atom\""
            )),
        }
    }

    /// The Content-Type to serve this format with.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Rss => "application/rss+xml; charset=utf-8",
            Format::Atom => "application/atom+xml; charset=utf-8",
        }
    }
}

/// The feed of `papers`, in their order, for `channel`. `base_url` is the site's absolute root
/// (no trailing slash); each item links to our page for the paper, `{base_url}/arxiv/{id}` (or
/// `{base_url}/paper/{id}` for a paper known only at a venue).
pub fn render(format: Format, channel: &Channel, papers: &[Paper], base_url: &str) -> String {
    let base_url = base_url.trim_end_matches('/');
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    let written = match format {
        Format::Rss => write_rss(&mut writer, channel, papers, base_url),
        Format::Atom => write_atom(&mut writer, channel, papers, base_url),
    };
    // A Vec<u8> sink has no I/O that could fail, and every byte written came from a `&str` (the
    // writer only adds ASCII markup), so neither of these can happen.
    written.expect("writing XML into memory cannot fail");
    String::from_utf8(writer.into_inner()).expect("XML written from &str is UTF-8")
}

/// The newest date among the papers' entries (see [`render`]: the RSS `lastBuildDate` and the
/// Atom feed `<updated>`); `None` when no paper has a date. A natural `Last-Modified`.
pub fn last_updated(papers: &[Paper]) -> Option<DateTime<Utc>> {
    papers.iter().filter_map(updated_at).max()
}

const ATOM_NS: &str = "http://www.w3.org/2005/Atom";
const DC_NS: &str = "http://purl.org/dc/elements/1.1/";

type XmlWriter = Writer<Vec<u8>>;

fn write_rss(
    w: &mut XmlWriter,
    channel: &Channel,
    papers: &[Paper],
    base_url: &str,
) -> io::Result<()> {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.create_element("rss")
        .with_attributes([
            ("version", "2.0"),
            ("xmlns:atom", ATOM_NS),
            ("xmlns:dc", DC_NS),
        ])
        .write_inner_content(|w| {
            w.create_element("channel").write_inner_content(|w| {
                element(w, "title", &[], &channel.title)?;
                element(w, "link", &[], &channel.page_url)?;
                element(w, "description", &[], &channel.description)?;
                empty(
                    w,
                    "atom:link",
                    &[
                        ("href", &channel.feed_url),
                        ("rel", "self"),
                        ("type", "application/rss+xml"),
                    ],
                )?;
                let built = last_updated(papers).unwrap_or(DateTime::UNIX_EPOCH);
                element(w, "lastBuildDate", &[], &built.to_rfc2822())?;
                for paper in papers {
                    write_rss_item(w, paper, base_url)?;
                }
                Ok(())
            })?;
            Ok(())
        })?;
    Ok(())
}

fn write_rss_item(w: &mut XmlWriter, paper: &Paper, base_url: &str) -> io::Result<()> {
    let url = paper_url(base_url, paper);
    w.create_element("item").write_inner_content(|w| {
        element(w, "title", &[], &title(paper))?;
        element(w, "link", &[], &url)?;
        element(w, "guid", &[("isPermaLink", "true")], &url)?;
        if !paper.authors.is_empty() {
            element(w, "dc:creator", &[], &paper.authors.join(", "))?;
        }
        let abstract_text = clean(&paper.abstract_text);
        if !abstract_text.is_empty() {
            // RSS readers take <description> as HTML, so the plain-text abstract is HTML-escaped
            // first (the writer then XML-escapes that): `a < b` or `<script>` in an abstract is
            // shown as those characters, not parsed as markup. The HTML escapes are the XML ones.
            let html = quick_xml::escape::escape(abstract_text.as_ref());
            element(w, "description", &[], &html)?;
        }
        for category in &paper.categories {
            element(w, "category", &[], category.as_str())?;
        }
        if let Some(date) = announced_at(paper) {
            element(w, "pubDate", &[], &date.to_rfc2822())?;
        }
        Ok(())
    })?;
    Ok(())
}

fn write_atom(
    w: &mut XmlWriter,
    channel: &Channel,
    papers: &[Paper],
    base_url: &str,
) -> io::Result<()> {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.create_element("feed")
        .with_attribute(("xmlns", ATOM_NS))
        .write_inner_content(|w| {
            // The feed's own URL is its identity: stable, unique, and already absolute.
            element(w, "id", &[], &channel.feed_url)?;
            element(w, "title", &[], &channel.title)?;
            if !clean(&channel.description).is_empty() {
                element(w, "subtitle", &[], &channel.description)?;
            }
            let updated = last_updated(papers).unwrap_or(DateTime::UNIX_EPOCH);
            element(w, "updated", &[], &rfc3339(updated))?;
            empty(
                w,
                "link",
                &[
                    ("rel", "self"),
                    ("type", "application/atom+xml"),
                    ("href", &channel.feed_url),
                ],
            )?;
            empty(
                w,
                "link",
                &[
                    ("rel", "alternate"),
                    ("type", "text/html"),
                    ("href", &channel.page_url),
                ],
            )?;
            // Atom wants an author for every entry; an entry without one inherits the feed's.
            // Only then (or for an empty feed, which validators also ask it of) is one given, so
            // readers never show the site as the author of a real paper.
            if papers.is_empty() || papers.iter().any(|p| p.authors.is_empty()) {
                person(w, &channel.title)?;
            }
            for paper in papers {
                write_atom_entry(w, paper, base_url)?;
            }
            Ok(())
        })?;
    Ok(())
}

fn write_atom_entry(w: &mut XmlWriter, paper: &Paper, base_url: &str) -> io::Result<()> {
    let url = paper_url(base_url, paper);
    w.create_element("entry").write_inner_content(|w| {
        element(w, "id", &[], &url)?;
        element(w, "title", &[("type", "text")], &title(paper))?;
        let updated = updated_at(paper).unwrap_or(DateTime::UNIX_EPOCH);
        element(w, "updated", &[], &rfc3339(updated))?;
        if let Some(published) = announced_at(paper) {
            element(w, "published", &[], &rfc3339(published))?;
        }
        for author in &paper.authors {
            person(w, author)?;
        }
        empty(
            w,
            "link",
            &[("rel", "alternate"), ("type", "text/html"), ("href", &url)],
        )?;
        // An empty <summary> is invalid Atom (and some parsers refuse the whole feed for it).
        if !clean(&paper.abstract_text).is_empty() {
            element(w, "summary", &[("type", "text")], &paper.abstract_text)?;
        }
        for category in &paper.categories {
            match category.info() {
                Some(info) => empty(
                    w,
                    "category",
                    &[("term", category.as_str()), ("label", info.name)],
                )?,
                None => empty(w, "category", &[("term", category.as_str())])?,
            }
        }
        Ok(())
    })?;
    Ok(())
}

/// `<author><name>…</name></author>`.
fn person(w: &mut XmlWriter, name: &str) -> io::Result<()> {
    w.create_element("author")
        .write_inner_content(|w| element(w, "name", &[], name))?;
    Ok(())
}

/// `<name attrs…>text</name>`; the writer escapes, [`clean`] drops what XML cannot carry.
fn element(w: &mut XmlWriter, name: &str, attrs: &[(&str, &str)], text: &str) -> io::Result<()> {
    w.create_element(name)
        .with_attributes(attrs.iter().map(|&(key, value)| (key, clean(value))))
        .write_text_content(BytesText::new(&clean(text)))?;
    Ok(())
}

/// `<name attrs…/>`.
fn empty(w: &mut XmlWriter, name: &str, attrs: &[(&str, &str)]) -> io::Result<()> {
    w.create_element(name)
        .with_attributes(attrs.iter().map(|&(key, value)| (key, clean(value))))
        .write_empty()?;
    Ok(())
}

/// The text without the characters XML 1.0 cannot carry at all, not even escaped (C0 controls
/// other than tab, LF and CR; U+FFFE and U+FFFF): one such character in a title would make a
/// strict reader refuse the whole feed. Escaping cannot help, so they are dropped.
fn clean(text: &str) -> Cow<'_, str> {
    fn allowed(c: char) -> bool {
        matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
    }
    if text.chars().all(allowed) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.chars().filter(|&c| allowed(c)).collect())
    }
}

/// The item's title; the arXiv id stands in should the title be empty once cleaned, because an
/// item without a title is unreadable in a list (and an empty Atom title is refused by parsers).
fn title(paper: &Paper) -> Cow<'_, str> {
    let title = clean(&paper.title);
    if title.trim().is_empty() {
        Cow::Owned(paper.id.to_string())
    } else {
        title
    }
}

/// Our page for the paper: versionless, so it is also the item's stable identity.
fn paper_url(base_url: &str, paper: &Paper) -> String {
    format!("{base_url}{}", crate::pages::page_path(&paper.id))
}

/// When the paper reached readers: its first daily listing (midnight UTC), else the submission
/// of v1. This is the item's date and does not move when a new version appears.
fn announced_at(paper: &Paper) -> Option<DateTime<Utc>> {
    paper.announced.map(midnight_utc).or(paper.published)
}

/// When the entry last changed: the later of the latest version's submission and the listing
/// (v1 is submitted before it is listed, so the listing date alone would otherwise come after
/// `updated`, and Atom's `<updated>` would be earlier than its `<published>`).
/// `Option`'s order puts `None` first, so `max` also takes whichever one is known.
fn updated_at(paper: &Paper) -> Option<DateTime<Utc>> {
    paper.updated.max(announced_at(paper))
}

fn midnight_utc(date: NaiveDate) -> DateTime<Utc> {
    date.and_time(NaiveTime::MIN).and_utc()
}

fn rfc3339(date: DateTime<Utc>) -> String {
    date.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use papers_core::{ArxivId, Category};

    const BASE: &str = "https://papers.example";

    fn channel() -> Channel {
        Channel {
            title: "cs.LG — papers".into(),
            description: "New papers in Machine Learning".into(),
            page_url: format!("{BASE}/arxiv/cs.LG"),
            feed_url: format!("{BASE}/arxiv/cs.LG/feed"),
        }
    }

    fn paper(id: &str, version: u32, title: &str) -> Paper {
        Paper {
            id: ArxivId::parse(id).unwrap(),
            version,
            title: title.into(),
            authors: vec!["Ada Lovelace".into(), "Alan Turing".into()],
            abstract_text: "We study $O(n)$ attention & friends.".into(),
            categories: vec![
                Category::parse("cs.LG").unwrap(),
                Category::parse("stat.ML").unwrap(),
            ],
            comment: None,
            journal_ref: None,
            doi: None,
            published: Some(Utc.with_ymd_and_hms(2026, 5, 29, 17, 3, 0).unwrap()),
            updated: Some(Utc.with_ymd_and_hms(2026, 5, 29, 17, 3, 0).unwrap()),
            announced: NaiveDate::from_ymd_opt(2026, 6, 1),
        }
    }

    fn papers() -> Vec<Paper> {
        let mut second = paper("2506.00002", 1, "Sparse Mixtures");
        second.authors = vec!["Grace Hopper".into()];
        second.announced = NaiveDate::from_ymd_opt(2026, 6, 2);
        vec![paper("2506.00001", 1, "Low-Rank Attention"), second]
    }

    fn parse(xml: &str) -> feed_rs::model::Feed {
        feed_rs::parser::parse(xml.as_bytes()).unwrap_or_else(|e| panic!("{e}\n{xml}"))
    }

    fn both(papers: &[Paper]) -> [(Format, feed_rs::model::Feed, String); 2] {
        [Format::Rss, Format::Atom].map(|format| {
            let xml = render(format, &channel(), papers, BASE);
            (format, parse(&xml), xml)
        })
    }

    fn day(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).unwrap()
    }

    fn title_of(entry: &feed_rs::model::Entry) -> &str {
        &entry.title.as_ref().expect("a title").content
    }

    #[test]
    fn format_comes_from_the_query() {
        assert_eq!(Format::from_query(None), Ok(Format::Rss));
        assert_eq!(Format::from_query(Some("rss")), Ok(Format::Rss));
        assert_eq!(Format::from_query(Some("Atom")), Ok(Format::Atom));
        let err = Format::from_query(Some("json")).unwrap_err();
        assert!(err.contains("\"json\""), "{err}");
        assert_eq!(
            Format::Rss.content_type(),
            "application/rss+xml; charset=utf-8"
        );
        assert_eq!(
            Format::Atom.content_type(),
            "application/atom+xml; charset=utf-8"
        );
    }

    #[test]
    fn items_carry_titles_links_authors_categories_and_dates() {
        for (format, feed, _) in both(&papers()) {
            assert_eq!(feed.entries.len(), 2, "{format:?}");
            assert_eq!(
                feed.title.as_ref().map(|t| t.content.as_str()),
                Some("cs.LG — papers")
            );
            let first = &feed.entries[0];
            assert_eq!(title_of(first), "Low-Rank Attention", "{format:?}");
            assert_eq!(title_of(&feed.entries[1]), "Sparse Mixtures");
            assert_eq!(first.id, format!("{BASE}/arxiv/2506.00001"), "{format:?}");
            assert_eq!(first.links[0].href, format!("{BASE}/arxiv/2506.00001"));
            assert!(first.summary.is_some(), "{format:?}");
            let terms: Vec<&str> = first.categories.iter().map(|c| c.term.as_str()).collect();
            assert_eq!(terms, ["cs.LG", "stat.ML"], "{format:?}");
            // Dated by the listing, not by the submission the day before.
            assert_eq!(first.published, Some(day(2026, 6, 1)), "{format:?}");
            // The feed is as new as its newest item, not as the moment it was rendered.
            assert_eq!(feed.updated, Some(day(2026, 6, 2)), "{format:?}");
            let second_authors: Vec<_> = feed.entries[1]
                .authors
                .iter()
                .filter_map(|a| a.name.as_deref())
                .collect();
            assert_eq!(second_authors, ["Grace Hopper"], "{format:?}");
        }
    }

    #[test]
    fn rss_joins_authors_and_atom_lists_each() {
        let [(_, rss, _), (_, atom, xml)] = both(&papers());
        let names = |e: &feed_rs::model::Entry| -> Vec<String> {
            e.authors.iter().filter_map(|a| a.name.clone()).collect()
        };
        assert_eq!(names(&rss.entries[0]), ["Ada Lovelace, Alan Turing"]);
        assert_eq!(names(&atom.entries[0]), ["Ada Lovelace", "Alan Turing"]);
        // RSS's description is HTML (so `&` arrives as `&amp;`), Atom's summary is plain text.
        assert_eq!(
            rss.entries[0].summary.as_ref().unwrap().content,
            "We study $O(n)$ attention &amp; friends."
        );
        // Every entry has its own authors, so the feed claims none of its own.
        assert!(atom.authors.is_empty(), "{xml}");
        assert_eq!(
            atom.entries[0].summary.as_ref().unwrap().content,
            "We study $O(n)$ attention & friends."
        );
        assert_eq!(
            atom.entries[0].categories[0].label.as_deref(),
            Some("Machine Learning")
        );
    }

    #[test]
    fn feeds_link_to_themselves_and_to_their_page() {
        for (format, feed, xml) in both(&papers()) {
            let rel = |rel: &str| {
                feed.links
                    .iter()
                    .find(|l| l.rel.as_deref() == Some(rel))
                    .map(|l| l.href.clone())
            };
            assert_eq!(
                rel("self"),
                Some(format!("{BASE}/arxiv/cs.LG/feed")),
                "{format:?}: {xml}"
            );
            let page = format!("{BASE}/arxiv/cs.LG");
            match format {
                // RSS's <link> has no rel; it is the page.
                Format::Rss => assert!(feed.links.iter().any(|l| l.href == page)),
                Format::Atom => assert_eq!(rel("alternate"), Some(page)),
            }
        }
    }

    #[test]
    fn a_new_version_keeps_the_item_identity() {
        let v1 = vec![paper("2506.00001", 1, "Low-Rank Attention")];
        let mut revised = paper("2506.00001", 3, "Low-Rank Attention, Revisited");
        revised.updated = Some(Utc.with_ymd_and_hms(2026, 6, 20, 9, 0, 0).unwrap());
        for format in [Format::Rss, Format::Atom] {
            let before = parse(&render(format, &channel(), &v1, BASE));
            let after = parse(&render(format, &channel(), &[revised.clone()], BASE));
            assert_eq!(before.entries[0].id, after.entries[0].id, "{format:?}");
            assert_eq!(
                before.entries[0].links[0].href,
                after.entries[0].links[0].href
            );
            assert!(!after.entries[0].id.contains("v3"));
            assert_eq!(
                before.entries[0].published, after.entries[0].published,
                "{format:?}"
            );
        }
        // Atom says when the entry changed.
        let atom = parse(&render(Format::Atom, &channel(), &[revised], BASE));
        assert_eq!(
            atom.entries[0].updated,
            Some(Utc.with_ymd_and_hms(2026, 6, 20, 9, 0, 0).unwrap())
        );
    }

    #[test]
    fn hostile_text_is_text() {
        let hostile = [
            "<script>alert(1)</script>",
            "\"><img src=x onerror=alert(1)>",
            "Q&A: R&D at AT&T &amp; more",
        ];
        for title in hostile {
            let mut p = paper("2506.00001", 1, title);
            p.abstract_text = title.to_string();
            p.authors = vec![title.to_string()];
            for (format, feed, xml) in both(&[p]) {
                assert_eq!(title_of(&feed.entries[0]), title, "{format:?}: {xml}");
                assert!(!xml.contains("<script"), "{format:?}: {xml}");
                assert!(!xml.contains("<img"), "{format:?}: {xml}");
                let summary = &feed.entries[0].summary.as_ref().unwrap().content;
                match format {
                    // Atom's summary is declared text; RSS's description is HTML, escaped once
                    // more so that a reader shows these characters instead of running them.
                    Format::Atom => assert_eq!(summary, title),
                    Format::Rss => {
                        assert_eq!(*summary, quick_xml::escape::escape(title));
                        assert!(!summary.contains('<'));
                    }
                }
            }
        }
    }

    #[test]
    fn characters_xml_cannot_carry_are_dropped() {
        let mut p = paper("2506.00001", 1, "Bell\u{7} and \u{1b}[31mescape");
        p.abstract_text = "A nul\u{0} byte, a form feed\u{c} and \u{fffe}.".into();
        for (format, feed, _) in both(&[p]) {
            assert_eq!(
                title_of(&feed.entries[0]),
                "Bell and [31mescape",
                "{format:?}"
            );
            let summary = &feed.entries[0].summary.as_ref().unwrap().content;
            assert_eq!(summary, "A nul byte, a form feed and .", "{format:?}");
        }
    }

    #[test]
    fn an_empty_list_is_a_valid_feed() {
        for (format, feed, xml) in both(&[]) {
            assert!(feed.entries.is_empty(), "{format:?}");
            assert_eq!(
                feed.updated,
                Some(DateTime::UNIX_EPOCH),
                "{format:?}: {xml}"
            );
        }
        let atom = parse(&render(Format::Atom, &channel(), &[], BASE));
        assert_eq!(atom.id, format!("{BASE}/arxiv/cs.LG/feed"));
    }

    #[test]
    fn output_depends_only_on_the_data() {
        let a = render(Format::Atom, &channel(), &papers(), BASE);
        let b = render(Format::Atom, &channel(), &papers(), &format!("{BASE}/"));
        assert_eq!(a, b);
        assert_eq!(last_updated(&papers()), Some(day(2026, 6, 2)));
        assert_eq!(last_updated(&[]), None);
    }

    #[test]
    fn a_paper_without_dates_or_abstract_still_parses() {
        let mut p = paper("hep-th/9901001", 1, "\u{1}");
        p.published = None;
        p.updated = None;
        p.announced = None;
        p.abstract_text = String::new();
        p.authors.clear();
        for (format, feed, xml) in both(&[p]) {
            let entry = &feed.entries[0];
            assert_eq!(title_of(entry), "hep-th/9901001", "{format:?}: {xml}");
            assert_eq!(entry.id, format!("{BASE}/arxiv/hep-th/9901001"));
            assert_eq!(entry.published, None, "{format:?}");
        }
    }
}
