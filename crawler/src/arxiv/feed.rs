//! The daily listing feeds, `rss.arxiv.org/rss/{cats}` (RSS 2.0) and `rss.arxiv.org/atom/{cats}`
//! (Atom 1.0).
//!
//! Each item carries the id with its version (`<guid>` / `<id>`, and again on the first line of
//! the description: `arXiv:2609.26811v1 Announce Type: new`), the title, the authors as one
//! comma-separated `<dc:creator>`, the abstract after `Abstract: `, the categories (primary
//! first) and the announce type. The feed has no submission dates; what it knows that no other
//! source does is the listing day, which becomes [`Paper::announced`] of new submissions.

use chrono::{DateTime, FixedOffset, NaiveDate};
use papers_core::{ArxivId, Category, Paper};
use quick_xml::events::BytesStart;

use super::xml::{self, Capture, Ev, XmlStream};
use super::{AnnounceType, EntryError, FeedEntry, XmlError};

/// Which of the two feed flavours a response was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeedFormat {
    /// `<rss version="2.0"><channel><item>…`
    Rss,
    /// `<feed xmlns="http://www.w3.org/2005/Atom"><entry>…`
    Atom,
}

/// One listing feed response.
#[derive(Clone, Debug, PartialEq)]
pub struct FeedPage {
    /// The flavour, from the root element (`Rss` when there was no usable root; `fatal` then says
    /// why).
    pub format: FeedFormat,
    /// The listing day: the channel's `<pubDate>` (RSS) or the first entry's `<published>`
    /// (Atom), as a date in its own offset; else the feed's update time seen from UTC-04:00.
    pub day: Option<NaiveDate>,
    /// The papers, in feed order. New submissions (new, cross) have `announced` = `day`;
    /// replacements have `announced` = `None` (they were first listed earlier).
    pub entries: Vec<FeedEntry>,
    /// Malformed items, skipped.
    pub skipped: Vec<EntryError>,
    /// The document broke off or is not a feed; `entries` holds what came before.
    pub fatal: Option<XmlError>,
}

/// Parses one listing feed response (RSS 2.0 or Atom, told apart by the root element). Never
/// fails as a whole: see [`FeedPage`].
pub fn parse_feed(body: &[u8]) -> FeedPage {
    let mut page = FeedPage {
        format: FeedFormat::Rss,
        day: None,
        entries: Vec::new(),
        skipped: Vec::new(),
        fatal: None,
    };
    let mut parser = FeedParser::default();
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
            Ev::Start(e, depth) => parser.open(&e, depth, &mut page),
            Ev::Empty(e, depth) => {
                let stop = parser.open(&e, depth, &mut page);
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

    page.day = parser.day(page.format);
    for entry in &mut page.entries {
        if !entry.announce_type.is_replacement() {
            entry.paper.announced = page.day;
        }
    }
    page
}

/// The item child whose text is being collected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    Id,
    Link,
    Title,
    Description,
    Creator,
    Category,
    AnnounceType,
    JournalRef,
    Doi,
    Published,
    Updated,
    /// RSS `<item><pubDate>`: the listing day again.
    ItemPubDate,
    /// RSS `<channel><pubDate>`.
    ChannelPubDate,
    /// RSS `<channel><lastBuildDate>`.
    ChannelBuildDate,
    /// Atom `<feed><updated>`.
    FeedUpdated,
}

/// One item's raw fields, as the feed wrote them (entities resolved).
#[derive(Default)]
struct RawItem {
    id: String,
    link: String,
    title: String,
    description: String,
    creators: Vec<String>,
    categories: Vec<String>,
    announce_type: Option<AnnounceType>,
    journal_ref: Option<String>,
    doi: Option<String>,
}

#[derive(Default)]
struct FeedParser {
    root_seen: bool,
    /// Depth of the open `<item>` / `<entry>`.
    item_depth: Option<usize>,
    /// Depth of an open `<author>` inside the item (Atom style authors).
    author_depth: Option<usize>,
    capture: Capture<Field>,
    item: RawItem,
    /// 1-based position of the last item started.
    position: usize,
    channel_pub_date: Option<DateTime<FixedOffset>>,
    channel_build_date: Option<DateTime<FixedOffset>>,
    feed_updated: Option<DateTime<FixedOffset>>,
    first_published: Option<DateTime<FixedOffset>>,
    first_updated: Option<DateTime<FixedOffset>>,
}

impl FeedParser {
    /// An element opens. Returns why parsing must stop, if it must.
    fn open(&mut self, e: &BytesStart<'_>, depth: usize, page: &mut FeedPage) -> Option<String> {
        let name = e.local_name().into_inner();
        if !self.root_seen {
            self.root_seen = true;
            page.format = match name {
                "rss" => FeedFormat::Rss,
                "feed" => FeedFormat::Atom,
                other => {
                    return Some(format!(
                        "expected an RSS or Atom feed, found <{}>",
                        xml::clip(other, 40)
                    ));
                }
            };
            return None;
        }
        let Some(item_depth) = self.item_depth else {
            match (name, depth) {
                ("item" | "entry", _) => {
                    self.item_depth = Some(depth);
                    self.author_depth = None;
                    self.position += 1;
                }
                ("pubDate", 3) => self.capture.begin(Field::ChannelPubDate, depth),
                ("lastBuildDate", 3) => self.capture.begin(Field::ChannelBuildDate, depth),
                ("updated", 2) => self.capture.begin(Field::FeedUpdated, depth),
                _ => {}
            }
            return None;
        };
        if let Some(author_depth) = self.author_depth {
            if depth == author_depth + 1 && name == "name" {
                self.capture.begin(Field::Creator, depth);
            }
            return None;
        }
        if depth != item_depth + 1 {
            return None;
        }
        let field = match name {
            "guid" | "id" => Field::Id,
            "title" => Field::Title,
            "description" | "summary" => Field::Description,
            "creator" => Field::Creator,
            "announce_type" => Field::AnnounceType,
            "journal_reference" | "journal_ref" => Field::JournalRef,
            "published" => Field::Published,
            "updated" => Field::Updated,
            "pubDate" => Field::ItemPubDate,
            "author" => {
                self.author_depth = Some(depth);
                return None;
            }
            "category" => {
                // Atom writes the code in `term`, RSS as the text.
                if let Some(term) = xml::attr(e, "term") {
                    self.item.categories.push(term.into_owned());
                    return None;
                }
                Field::Category
            }
            "link" => {
                // Atom: `<link href=… rel="alternate"/>`; RSS: the URL as text.
                if let Some(href) = xml::attr(e, "href") {
                    let rel = xml::attr(e, "rel");
                    if self.item.link.is_empty() && rel.is_none_or(|r| r == "alternate") {
                        self.item.link = href.into_owned();
                    }
                    return None;
                }
                Field::Link
            }
            other if other.eq_ignore_ascii_case("doi") => Field::Doi,
            _ => return None,
        };
        self.capture.begin(field, depth);
        None
    }

    /// The element at `depth` closes.
    fn close(&mut self, depth: usize, page: &mut FeedPage) {
        if let Some(field) = self.capture.end(depth) {
            self.commit(field);
        }
        if self.author_depth == Some(depth) {
            self.author_depth = None;
        } else if self.item_depth == Some(depth) {
            self.item_depth = None;
            self.author_depth = None;
            let item = std::mem::take(&mut self.item);
            match finish_item(item) {
                Ok(entry) => page.entries.push(entry),
                Err((id, reason)) => page.skipped.push(EntryError {
                    position: self.position,
                    id,
                    reason,
                }),
            }
        }
    }

    fn commit(&mut self, field: Field) {
        let text = &mut self.capture.text;
        let item = &mut self.item;
        match field {
            Field::Id => item.id = std::mem::take(text),
            Field::Link => item.link = std::mem::take(text),
            Field::Title => item.title = std::mem::take(text),
            Field::Description => item.description = std::mem::take(text),
            Field::Creator => item.creators.push(std::mem::take(text)),
            Field::Category => item.categories.push(std::mem::take(text)),
            Field::AnnounceType => item.announce_type = AnnounceType::parse(text),
            Field::JournalRef => item.journal_ref = Some(std::mem::take(text)),
            Field::Doi => item.doi = Some(std::mem::take(text)),
            Field::Published => {
                if self.first_published.is_none() {
                    self.first_published = xml::parse_rfc3339(text);
                }
            }
            Field::Updated => {
                if self.first_updated.is_none() {
                    self.first_updated = xml::parse_rfc3339(text);
                }
            }
            Field::ItemPubDate => {
                if self.first_published.is_none() {
                    self.first_published = xml::parse_rfc2822(text);
                }
            }
            Field::ChannelPubDate => self.channel_pub_date = xml::parse_rfc2822(text),
            Field::ChannelBuildDate => self.channel_build_date = xml::parse_rfc2822(text),
            Field::FeedUpdated => self.feed_updated = xml::parse_rfc3339(text),
        }
    }

    /// The listing day. A date stamped at the listing's midnight (New York) is read in its own
    /// offset; a build or update time is seen from UTC-04:00, arXiv's announcement zone.
    fn day(&self, format: FeedFormat) -> Option<NaiveDate> {
        let own = |t: &Option<DateTime<FixedOffset>>| t.map(|t| t.date_naive());
        let new_york = |t: &Option<DateTime<FixedOffset>>| t.map(xml::announce_date);
        match format {
            FeedFormat::Rss => own(&self.channel_pub_date)
                .or_else(|| new_york(&self.channel_build_date))
                .or_else(|| own(&self.first_published)),
            FeedFormat::Atom => own(&self.first_published)
                .or_else(|| new_york(&self.feed_updated))
                .or_else(|| new_york(&self.first_updated)),
        }
    }
}

/// Turns an item into an entry, or says why it cannot be one (with the id when known).
fn finish_item(item: RawItem) -> Result<FeedEntry, (Option<String>, String)> {
    let description = Description::split(&item.description);

    // The id: <guid>/<id>, else the description's first line, else the abstract page link.
    let candidates = [
        item.id.trim(),
        description.id.unwrap_or(""),
        item.link.trim(),
    ];
    let mut parsed: Option<(ArxivId, Option<u32>)> = None;
    let mut first_error: Option<(String, String)> = None;
    for candidate in candidates.into_iter().filter(|c| !c.is_empty()) {
        match ArxivId::parse_versioned(candidate) {
            Ok((id, version)) => match &mut parsed {
                None => parsed = Some((id, version)),
                // A later source may carry the version the first one lacked.
                Some((first, first_version)) => {
                    if *first == id && first_version.is_none() {
                        *first_version = version;
                    }
                }
            },
            Err(error) => {
                if first_error.is_none() {
                    first_error = Some((xml::clip(candidate, 100).to_string(), error.to_string()));
                }
            }
        }
    }
    let (id, version) = match (parsed, first_error) {
        (Some(found), _) => found,
        (None, Some((text, error))) => return Err((Some(text), format!("bad id: {error}"))),
        (None, None) => return Err((None, "no id (<guid>, <id> or arXiv: line)".into())),
    };
    let version = version.unwrap_or(1);

    let mut authors = Vec::new();
    for creator in &item.creators {
        xml::split_authors(creator, &mut authors);
    }
    let (categories, _dropped) =
        Category::from_source_list(item.categories.iter().map(String::as_str));
    let announce_type =
        item.announce_type
            .or(description.announce_type)
            .unwrap_or(if version > 1 {
                AnnounceType::Replace
            } else {
                AnnounceType::New
            });

    let paper = Paper {
        id,
        version,
        title: strip_listing_suffix(&item.title).to_string(),
        authors,
        abstract_text: description.abstract_text.to_string(),
        categories,
        comment: None,
        journal_ref: item.journal_ref,
        doi: item.doi,
        published: None,
        updated: None,
        // Set once the listing day is known (the end of the feed for Atom).
        announced: None,
    };
    match paper.normalized() {
        Ok(paper) => Ok(FeedEntry {
            paper,
            announce_type,
        }),
        Err(error) => Err((
            Some(candidates_id(&item.id, description.id)),
            error.to_string(),
        )),
    }
}

/// The id text to report for an item refused after its id was read.
fn candidates_id(id: &str, description_id: Option<&str>) -> String {
    let id = id.trim();
    let id = if id.is_empty() {
        description_id.unwrap_or("")
    } else {
        id
    };
    xml::clip(id, 100).to_string()
}

/// Older feeds appended `(arXiv:2101.00001v2 [cs.LG] UPDATED)` to titles; it is not the title.
fn strip_listing_suffix(title: &str) -> &str {
    let trimmed = title.trim_end();
    if trimmed.ends_with(')')
        && let Some(pos) = trimmed.rfind(" (arXiv:")
    {
        return &trimmed[..pos];
    }
    title
}

/// The parts of a description / summary: `arXiv:ID Announce Type: T \nAbstract: text`.
struct Description<'a> {
    id: Option<&'a str>,
    announce_type: Option<AnnounceType>,
    abstract_text: &'a str,
}

impl<'a> Description<'a> {
    fn split(text: &'a str) -> Self {
        let trimmed = text.trim_start();
        let has_header = trimmed
            .get(..6)
            .is_some_and(|p| p.eq_ignore_ascii_case("arxiv:"));
        let abstract_at = trimmed.find("Abstract:");
        let mut description = Description {
            id: None,
            announce_type: None,
            abstract_text: trimmed,
        };
        if let Some(pos) = abstract_at
            && (has_header || trimmed[..pos].trim().is_empty())
        {
            description.abstract_text = &trimmed[pos + "Abstract:".len()..];
        }
        if has_header {
            let header_end = abstract_at
                .or_else(|| trimmed.find('\n'))
                .unwrap_or(trimmed.len());
            let header = &trimmed[..header_end];
            description.id = header.split_whitespace().next();
            description.announce_type = header
                .find("Announce Type:")
                .and_then(|pos| {
                    header[pos + "Announce Type:".len()..]
                        .split_whitespace()
                        .next()
                })
                .and_then(AnnounceType::parse);
        }
        description
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    macro_rules! fixture {
        ($name:literal) => {
            include_bytes!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../tests/fixtures/arxiv/feeds/",
                $name
            ))
        };
    }

    const RSS: &[u8] = fixture!("rss2_cs.LG+cs.AI+cs.CL+stat.ML_2026-09-24.xml");
    const ATOM: &[u8] = fixture!("atom_cs.AI_2025-08-20.xml");

    fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    fn codes(paper: &Paper) -> Vec<&str> {
        paper.categories.iter().map(Category::as_str).collect()
    }

    #[test]
    fn rss_fixture() {
        let page = parse_feed(RSS);
        assert_eq!(page.fatal, None);
        assert_eq!(page.format, FeedFormat::Rss);
        assert_eq!(page.day, date(2026, 9, 24));
        assert!(page.skipped.is_empty(), "{:?}", page.skipped);
        assert_eq!(page.entries.len(), 4);

        let first = &page.entries[0];
        assert_eq!(first.paper.id.as_str(), "2609.26811");
        assert_eq!(first.paper.version, 1);
        assert_eq!(first.announce_type, AnnounceType::New);
        assert_eq!(
            first.paper.title,
            "The Drift Contract: Spectral Updates for Depth-Robust Local Learning"
        );
        assert_eq!(first.paper.authors, vec!["Fabien Polly"]);
        assert_eq!(codes(&first.paper), vec!["cs.LG"]);
        assert!(
            first
                .paper
                .abstract_text
                .starts_with("Local learning trains each layer with its own auxiliary loss"),
            "{}",
            first.paper.abstract_text
        );
        assert!(
            first
                .paper
                .abstract_text
                .ends_with("where normalization is absent.")
        );
        assert_eq!(first.paper.announced, date(2026, 9, 24));
        assert_eq!(first.paper.published, None);

        let second = &page.entries[1];
        assert_eq!(
            second.paper.authors,
            vec!["Naser Mansour", "Sidahmed Benabderrahmane", "Ameer Rahwan"]
        );
        assert_eq!(codes(&second.paper), vec!["cs.LG", "cs.AI"]);

        let cross = &page.entries[2];
        assert_eq!(cross.paper.id.as_str(), "2205.06398");
        assert_eq!(cross.paper.version, 2);
        assert_eq!(cross.announce_type, AnnounceType::Cross);
        assert_eq!(codes(&cross.paper), vec!["stat.ME", "stat.AP", "stat.ML"]);
        assert_eq!(
            cross.paper.doi.as_deref(),
            Some("10.1093/bioinformatics/btac431")
        );
        assert_eq!(cross.paper.announced, date(2026, 9, 24));

        let replaced = &page.entries[3];
        assert_eq!(replaced.paper.id.as_str(), "2009.13987");
        assert_eq!(replaced.paper.version, 3);
        assert_eq!(replaced.announce_type, AnnounceType::Replace);
        assert_eq!(
            replaced.paper.announced, None,
            "replacements were listed before"
        );
        assert_eq!(
            replaced.paper.authors,
            vec!["Michael Joswig", "Marek Kaluba", "Lukas Ruff"]
        );
        assert_eq!(codes(&replaced.paper), vec!["cs.LG", "math.MG", "stat.ML"]);
    }

    #[test]
    fn atom_fixture() {
        let page = parse_feed(ATOM);
        assert_eq!(page.fatal, None);
        assert_eq!(page.format, FeedFormat::Atom);
        assert_eq!(page.day, date(2025, 8, 20));
        assert!(page.skipped.is_empty(), "{:?}", page.skipped);
        assert_eq!(page.entries.len(), 7);

        let first = &page.entries[0];
        assert_eq!(first.paper.id.as_str(), "2508.13426");
        assert_eq!(first.paper.version, 1);
        assert_eq!(first.announce_type, AnnounceType::Cross);
        assert_eq!(
            first.paper.title,
            "ALIGN: Word Association Learning for Cross-Cultural Generalization in Large Language Models"
        );
        assert_eq!(
            first.paper.authors,
            vec!["Chunhua Liu", "Kabir Manandhar Shrestha", "Sukai Huang"]
        );
        assert_eq!(codes(&first.paper), vec!["cs.CL", "cs.AI"]);
        assert!(
            first
                .paper
                .abstract_text
                .starts_with("As large language models (LLMs)")
        );
        assert_eq!(first.paper.announced, date(2025, 8, 20));

        // LaTeX accents and math are kept verbatim.
        assert_eq!(
            page.entries[2].paper.authors,
            vec![r"Paulo Andr\'e Lima de Castro"]
        );
        assert_eq!(codes(&page.entries[2].paper), vec!["q-fin.CP", "cs.AI"]);
        assert!(
            page.entries[3]
                .paper
                .abstract_text
                .contains(r"$1.13\times$ faster")
        );
        // "Announce Type: cross" without the trailing space arXiv usually writes.
        assert_eq!(
            page.entries[4].paper.abstract_text,
            "Spectral graph embedding methods are widely used."
        );

        let new = &page.entries[5];
        assert_eq!(new.paper.id.as_str(), "2508.14001");
        assert_eq!(new.announce_type, AnnounceType::New);
        assert_eq!(new.paper.authors, vec!["Alice Smith", "Bob Jones"]);
        assert_eq!(codes(&new.paper), vec!["cs.AI", "cs.LG"]);
        assert_eq!(page.entries[6].paper.id.as_str(), "2508.14002");
        assert_eq!(codes(&page.entries[6].paper), vec!["cs.AI", "cs.MA"]);
    }

    const RSS_HEAD: &str = r#"<?xml version='1.0' encoding='UTF-8'?>
<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0">
  <channel>
    <title>cs.LG updates on arXiv.org</title>
    <pubDate>Mon, 28 Sep 2026 00:00:00 -0400</pubDate>
"#;

    fn rss_item(id: &str, title: &str, creator: &str, category: &str) -> String {
        format!(
            r#"    <item>
      <title>{title}</title>
      <link>https://arxiv.org/abs/{id}</link>
      <description>arXiv:{id}v1 Announce Type: new
Abstract: An abstract about {id}.</description>
      <guid isPermaLink="false">oai:arXiv.org:{id}v1</guid>
      {category}
      <arxiv:announce_type>new</arxiv:announce_type>
      <dc:creator>{creator}</dc:creator>
    </item>
"#
        )
    }

    fn rss(items: &[String]) -> String {
        format!("{RSS_HEAD}{}  </channel>\n</rss>\n", items.concat())
    }

    #[test]
    fn empty_weekend_feed_is_a_normal_page() {
        let page = parse_feed(rss(&[]).as_bytes());
        assert_eq!(page.fatal, None);
        assert!(page.entries.is_empty() && page.skipped.is_empty());
        assert_eq!(page.day, date(2026, 9, 28));

        let atom = br#"<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns="http://www.w3.org/2005/Atom"><id>x</id><updated>2025-08-23T04:00:00+00:00</updated></feed>"#;
        let page = parse_feed(atom);
        assert_eq!(page.fatal, None);
        assert_eq!(page.format, FeedFormat::Atom);
        assert!(page.entries.is_empty());
        assert_eq!(page.day, date(2025, 8, 23), "updated seen from UTC-04:00");
    }

    #[test]
    fn malformed_items_are_skipped_and_the_rest_kept() {
        let cat = "<category>cs.LG</category>";
        let body = rss(&[
            rss_item("2609.00001", "Good one", "Ada Lovelace", cat),
            rss_item("2609.00002", "No category", "Ada Lovelace", ""),
            rss_item("2609.00003", "   ", "Ada Lovelace", cat),
            rss_item("2609.00004", "No author", "", cat),
            rss_item("2699.00005", "Bad id", "Ada Lovelace", cat),
            rss_item("2609.00006", "Good two", "A and B", cat),
        ]);
        let page = parse_feed(body.as_bytes());
        assert_eq!(page.fatal, None);
        let ids: Vec<&str> = page.entries.iter().map(|e| e.paper.id.as_str()).collect();
        assert_eq!(ids, vec!["2609.00001", "2609.00006"]);
        assert_eq!(page.entries[1].paper.authors, vec!["A", "B"]);
        let skipped: Vec<(usize, Option<&str>, &str)> = page
            .skipped
            .iter()
            .map(|s| (s.position, s.id.as_deref(), s.reason.as_str()))
            .collect();
        assert_eq!(skipped.len(), 4, "{skipped:?}");
        assert_eq!(skipped[0].0, 2);
        assert_eq!(skipped[0].2, "no arXiv category");
        assert_eq!(skipped[1].0, 3);
        assert_eq!(skipped[1].2, "title is empty");
        assert_eq!(skipped[2].2, "no author");
        assert_eq!(skipped[3].0, 5);
        assert_eq!(skipped[3].1, Some("oai:arXiv.org:2699.00005v1"));
        assert!(skipped[3].2.starts_with("bad id"), "{}", skipped[3].2);
    }

    #[test]
    fn truncated_feed_keeps_complete_items() {
        let cat = "<category>cs.LG</category>";
        let body = rss(&[
            rss_item("2609.00001", "One", "Ada Lovelace", cat),
            rss_item("2609.00002", "Two", "Ada Lovelace", cat),
            rss_item("2609.00003", "Three", "Ada Lovelace", cat),
        ]);
        let cut = body.find("Three").unwrap() + 2;
        let page = parse_feed(&body.as_bytes()[..cut]);
        assert_eq!(page.entries.len(), 2);
        assert_eq!(page.entries[1].paper.title, "Two");
        let fatal = page.fatal.expect("a truncated body is fatal");
        assert!(fatal.offset > 0 && fatal.offset <= cut as u64, "{fatal}");
        assert_eq!(page.day, date(2026, 9, 28));

        // Mismatched tags stop the parse too.
        let broken = body.replacen("</title>", "</titel>", 3);
        let page = parse_feed(broken.as_bytes());
        assert!(page.fatal.is_some());
    }

    #[test]
    fn entities_are_decoded_once() {
        let item = rss_item(
            "2609.00001",
            "Caf&#233; &amp; Bar: &lt;script&gt;alert(1)&lt;/script&gt; &amp;amp; &#x3B1;",
            "Ren&#233; Descartes and Blaise Pascal",
            "<category><![CDATA[cs.LG]]></category>",
        );
        let page = parse_feed(rss(&[item]).as_bytes());
        assert_eq!(page.fatal, None);
        let paper = &page.entries[0].paper;
        assert_eq!(paper.title, "Café & Bar: <script>alert(1)</script> &amp; α");
        assert_eq!(paper.authors, vec!["René Descartes", "Blaise Pascal"]);
        assert_eq!(codes(paper), vec!["cs.LG"]);
    }

    #[test]
    fn fallbacks_for_id_and_announce_type() {
        // No <guid>, no <arxiv:announce_type>: both come from the description line.
        let body = format!(
            "{RSS_HEAD}<item><title>T</title><description>arXiv:2609.00007v2 Announce Type: replace-cross \nAbstract: A.</description><category>cs.LG</category><dc:creator>A. Person</dc:creator></item></channel></rss>"
        );
        let page = parse_feed(body.as_bytes());
        assert_eq!(page.fatal, None);
        let entry = &page.entries[0];
        assert_eq!(entry.paper.id.as_str(), "2609.00007");
        assert_eq!(entry.paper.version, 2);
        assert_eq!(entry.announce_type, AnnounceType::ReplaceCross);
        assert_eq!(entry.paper.announced, None);
        assert_eq!(entry.paper.abstract_text, "A.");
        assert_eq!(page.day, date(2026, 9, 28));

        // No channel <pubDate>: the first item's says the day.
        let body = body
            .replace("<pubDate>Mon, 28 Sep 2026 00:00:00 -0400</pubDate>", "")
            .replace(
                "<title>T</title>",
                "<title>T</title><pubDate>Tue, 29 Sep 2026 00:00:00 -0400</pubDate>",
            );
        let page = parse_feed(body.as_bytes());
        assert_eq!(page.day, date(2026, 9, 29));
        assert_eq!(page.entries[0].paper.announced, None, "replace-cross");
    }

    #[test]
    fn not_a_feed_is_fatal() {
        for body in [
            &b"<html><body>Service unavailable</body></html>"[..],
            b"",
            b"not xml at all",
            b"\xff\xfe<rss>",
        ] {
            let page = parse_feed(body);
            assert!(page.fatal.is_some(), "{body:?}");
            assert!(page.entries.is_empty());
        }
    }

    #[test]
    fn author_lists() {
        let mut out = Vec::new();
        xml::split_authors(
            "K. Fritsch, R. D'Ortenzio and D. Venus, and Ann Other",
            &mut out,
        );
        assert_eq!(
            out,
            vec!["K. Fritsch", "R. D'Ortenzio", "D. Venus", "Ann Other"]
        );
        out.clear();
        xml::split_authors(
            "Maciej Bilicki (1,2), John A. Peacock (3) and Louise\n Steward (1) ((1) University of Cape Town, (2) Zielona G\\'ora, (3) Edinburgh)",
            &mut out,
        );
        assert_eq!(
            out,
            vec![
                "Maciej Bilicki (1,2)",
                "John A. Peacock (3)",
                "Louise\n Steward (1)"
            ]
        );
        out.clear();
        xml::split_authors("Alexander Andersson, Sandra Anderson", &mut out);
        assert_eq!(out, vec!["Alexander Andersson", "Sandra Anderson"]);
    }

    /// Cuts every fixture at many offsets: never a panic, and a cut document is either fatal
    /// or (cut after the root closed) complete.
    #[test]
    fn truncations_never_panic() {
        for body in [RSS, ATOM] {
            let full = parse_feed(body).entries.len();
            let end = body.trim_ascii_end().len();
            let step = (body.len() / 400).max(1);
            for cut in (0..end).step_by(step).chain([end - 1]) {
                let page = parse_feed(&body[..cut]);
                assert!(page.entries.len() <= full);
                assert!(page.fatal.is_some(), "cut at {cut}");
            }
            // Bytes flipped in the middle.
            for at in (0..body.len()).step_by(step * 7) {
                let mut broken = body.to_vec();
                broken[at] = b'<';
                let _ = parse_feed(&broken);
                broken[at] = 0xff;
                let _ = parse_feed(&broken);
            }
        }
    }
}
