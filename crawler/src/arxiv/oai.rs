//! OAI-PMH, `export.arxiv.org/oai2`: `ListRecords` and `GetRecord` responses in the `arXiv`
//! and `arXivRaw` metadata formats.
//!
//! - `arXiv`: `<id>`, `<created>`, `<updated>` (dates of v1 and of the latest version), authors
//!   as `<author><keyname/><forenames/><suffix/></author>`, `<categories>` space-separated,
//!   `<comments>`, `<journal-ref>`, `<doi>`, `<abstract>`. It does not say how many versions
//!   exist, so the version is 1 unless the id carries one.
//! - `arXivRaw`: one `<version version="vN"><date>RFC 2822</date>…</version>` per version,
//!   authors as one string (`A, B and C`), and otherwise the same fields.
//!
//! A harvest pages with `<resumptionToken>`; an empty token marks the last page. Deleted records
//! (`<header status="deleted">`) carry only their identifier.

use chrono::{DateTime, NaiveDate, Utc};
use papers_core::{ArxivId, Category, Paper};
use quick_xml::events::BytesStart;

use super::xml::{self, Capture, Ev, XmlStream};
use super::{EntryError, XmlError};

/// One harvested record.
#[derive(Clone, Debug, PartialEq)]
pub struct OaiRecord {
    pub paper: Paper,
    /// The header's `<datestamp>`: when the record last changed in the repository.
    pub datestamp: Option<NaiveDate>,
    /// The header's `<setSpec>`s (`cs`, `physics:hep-th`), in order.
    pub sets: Vec<String>,
}

/// An OAI-PMH protocol error, `<error code="noRecordsMatch">No records match</error>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OaiError {
    /// `noRecordsMatch`, `badResumptionToken`, `badArgument`, `idDoesNotExist`, …
    pub code: String,
    pub message: String,
}

/// One OAI-PMH response.
#[derive(Clone, Debug, PartialEq)]
pub struct OaiPage {
    pub records: Vec<OaiRecord>,
    /// Records withdrawn from the repository (`status="deleted"`).
    pub deleted: Vec<ArxivId>,
    /// Malformed records, skipped.
    pub skipped: Vec<EntryError>,
    /// The token for the next page; `None` on the last page (empty `<resumptionToken/>`) or
    /// when the response has none.
    pub resumption_token: Option<String>,
    /// The `completeListSize` attribute of the token: records in the whole list.
    pub complete_list_size: Option<u64>,
    /// The `cursor` attribute of the token: records returned before this page.
    pub cursor: Option<u64>,
    pub error: Option<OaiError>,
    /// The document broke off or is not OAI-PMH; `records` holds what came before.
    pub fatal: Option<XmlError>,
}

/// Parses one OAI-PMH response. Never fails as a whole: see [`OaiPage`].
pub fn parse_oai(body: &[u8]) -> OaiPage {
    let mut page = OaiPage {
        records: Vec::new(),
        deleted: Vec::new(),
        skipped: Vec::new(),
        resumption_token: None,
        complete_list_size: None,
        cursor: None,
        error: None,
        fatal: None,
    };
    let mut parser = OaiParser::default();
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
    page
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    ErrorMessage,
    Token,
    Identifier,
    Datestamp,
    SetSpec,
    Id,
    Created,
    Updated,
    Title,
    Abstract,
    Categories,
    Comments,
    JournalRef,
    Doi,
    /// arXivRaw: the whole author list as one string.
    AuthorList,
    Keyname,
    Forenames,
    Suffix,
    VersionDate,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Format {
    Arxiv,
    Raw,
    /// Another metadata format (`oai_dc`, …), by local name.
    Other(String),
}

/// One record's raw fields (entities resolved).
#[derive(Default)]
struct RawRecord {
    identifier: String,
    datestamp: Option<NaiveDate>,
    sets: Vec<String>,
    deleted: bool,
    format: Option<Format>,
    id: String,
    title: String,
    abstract_text: String,
    /// arXiv: built from each `<author>`.
    authors: Vec<String>,
    /// arXivRaw: the `<authors>` string.
    author_list: String,
    categories: String,
    comments: Option<String>,
    journal_ref: Option<String>,
    doi: Option<String>,
    created: Option<NaiveDate>,
    updated: Option<NaiveDate>,
    keyname: String,
    forenames: String,
    suffix: String,
    /// arXivRaw: `<version>` elements seen, the number of the one open, the highest number.
    versions: u32,
    version_open: u32,
    max_version: u32,
    v1_date: Option<DateTime<Utc>>,
    first_date: Option<DateTime<Utc>>,
    latest_date: Option<DateTime<Utc>>,
}

#[derive(Default)]
struct OaiParser {
    root_seen: bool,
    record_depth: Option<usize>,
    header_depth: Option<usize>,
    metadata_depth: Option<usize>,
    /// Depth of the `<arXiv>` / `<arXivRaw>` element.
    format_depth: Option<usize>,
    /// arXiv: depth of the open `<author>`.
    author_depth: Option<usize>,
    /// arXivRaw: depth of the open `<version>`.
    version_depth: Option<usize>,
    capture: Capture<Field>,
    record: RawRecord,
    error_code: Option<String>,
    /// 1-based position of the last record started.
    position: usize,
}

impl OaiParser {
    /// An element opens. Returns why parsing must stop, if it must.
    fn open(&mut self, e: &BytesStart<'_>, depth: usize, page: &mut OaiPage) -> Option<String> {
        let name = e.local_name().into_inner();
        if !self.root_seen {
            self.root_seen = true;
            if name != "OAI-PMH" {
                return Some(format!(
                    "expected an <OAI-PMH> response, found <{}>",
                    xml::clip(name, 40)
                ));
            }
            return None;
        }
        let Some(record_depth) = self.record_depth else {
            match name {
                "record" => {
                    self.record_depth = Some(depth);
                    self.header_depth = None;
                    self.metadata_depth = None;
                    self.format_depth = None;
                    self.author_depth = None;
                    self.version_depth = None;
                    self.position += 1;
                }
                "resumptionToken" => {
                    let number = |name| xml::attr(e, name).and_then(|v| v.trim().parse().ok());
                    page.complete_list_size = number("completeListSize");
                    page.cursor = number("cursor");
                    self.capture.begin(Field::Token, depth);
                }
                "error" if depth == 2 => {
                    self.error_code = Some(xml::attr(e, "code").unwrap_or_default().into_owned());
                    self.capture.begin(Field::ErrorMessage, depth);
                }
                _ => {}
            }
            return None;
        };

        if let Some(header_depth) = self.header_depth {
            if depth == header_depth + 1 {
                match name {
                    "identifier" => self.capture.begin(Field::Identifier, depth),
                    "datestamp" => self.capture.begin(Field::Datestamp, depth),
                    "setSpec" => self.capture.begin(Field::SetSpec, depth),
                    _ => {}
                }
            }
            return None;
        }
        if let Some(format_depth) = self.format_depth {
            self.open_metadata(e, name, depth, format_depth);
            return None;
        }
        if let Some(metadata_depth) = self.metadata_depth {
            if depth == metadata_depth + 1 && self.record.format.is_none() {
                self.format_depth = Some(depth);
                self.record.format = Some(match name {
                    "arXiv" => Format::Arxiv,
                    "arXivRaw" => Format::Raw,
                    other => Format::Other(xml::clip(other, 40).to_string()),
                });
            }
            return None;
        }
        if depth == record_depth + 1 {
            match name {
                "header" => {
                    self.header_depth = Some(depth);
                    self.record.deleted = xml::attr(e, "status").is_some_and(|s| s == "deleted");
                }
                "metadata" => self.metadata_depth = Some(depth),
                _ => {}
            }
        }
        None
    }

    /// An element inside `<arXiv>` / `<arXivRaw>` opens.
    fn open_metadata(&mut self, e: &BytesStart<'_>, name: &str, depth: usize, format_depth: usize) {
        if let Some(author_depth) = self.author_depth {
            if depth == author_depth + 1 {
                match name {
                    "keyname" => self.capture.begin(Field::Keyname, depth),
                    "forenames" => self.capture.begin(Field::Forenames, depth),
                    "suffix" => self.capture.begin(Field::Suffix, depth),
                    _ => {}
                }
            }
            return;
        }
        if let Some(version_depth) = self.version_depth {
            if depth == version_depth + 1 && name == "date" {
                self.capture.begin(Field::VersionDate, depth);
            }
            return;
        }
        let raw = self.record.format == Some(Format::Raw);
        if depth == format_depth + 2 && name == "author" && !raw {
            self.author_depth = Some(depth);
            self.record.keyname.clear();
            self.record.forenames.clear();
            self.record.suffix.clear();
            return;
        }
        if depth != format_depth + 1 {
            return;
        }
        let field = match name {
            "id" => Field::Id,
            "created" => Field::Created,
            "updated" => Field::Updated,
            "title" => Field::Title,
            "abstract" => Field::Abstract,
            "categories" => Field::Categories,
            "comments" => Field::Comments,
            "journal-ref" => Field::JournalRef,
            "doi" => Field::Doi,
            // arXiv: a container of <author>s; arXivRaw: the list as text.
            "authors" if raw => Field::AuthorList,
            "version" => {
                let record = &mut self.record;
                record.versions += 1;
                let number = xml::attr(e, "version")
                    .and_then(|v| v.trim().trim_start_matches(['v', 'V']).parse::<u32>().ok())
                    .filter(|&n| n > 0)
                    .unwrap_or(record.versions);
                record.version_open = number;
                self.version_depth = Some(depth);
                return;
            }
            _ => return,
        };
        self.capture.begin(field, depth);
    }

    /// The element at `depth` closes.
    fn close(&mut self, depth: usize, page: &mut OaiPage) {
        if let Some(field) = self.capture.end(depth) {
            self.commit(field, page);
        }
        if self.author_depth == Some(depth) {
            self.author_depth = None;
            let record = &mut self.record;
            let mut name = String::with_capacity(
                record.forenames.len() + record.keyname.len() + record.suffix.len() + 2,
            );
            for part in [&record.forenames, &record.keyname, &record.suffix] {
                let part = part.trim();
                if !part.is_empty() {
                    if !name.is_empty() {
                        name.push(' ');
                    }
                    name.push_str(part);
                }
            }
            record.authors.push(name);
        } else if self.version_depth == Some(depth) {
            self.version_depth = None;
        } else if self.header_depth == Some(depth) {
            self.header_depth = None;
        } else if self.format_depth == Some(depth) {
            self.format_depth = None;
        } else if self.metadata_depth == Some(depth) {
            self.metadata_depth = None;
        } else if self.record_depth == Some(depth) {
            self.record_depth = None;
            self.header_depth = None;
            self.metadata_depth = None;
            self.format_depth = None;
            let record = std::mem::take(&mut self.record);
            match finish_record(record) {
                Outcome::Record(record) => page.records.push(record),
                Outcome::Deleted(id) => page.deleted.push(id),
                Outcome::Skip(id, reason) => page.skipped.push(EntryError {
                    position: self.position,
                    id,
                    reason,
                }),
            }
        }
    }

    fn commit(&mut self, field: Field, page: &mut OaiPage) {
        let text = &mut self.capture.text;
        let record = &mut self.record;
        let take = |text: &mut String| std::mem::take(text);
        match field {
            Field::ErrorMessage => {
                if page.error.is_none() {
                    page.error = Some(OaiError {
                        code: self.error_code.take().unwrap_or_default(),
                        message: papers_core::paper::normalize_text(text),
                    });
                }
            }
            Field::Token => {
                let token = text.trim();
                page.resumption_token = (!token.is_empty()).then(|| token.to_string());
            }
            Field::Identifier => record.identifier = take(text),
            Field::Datestamp => record.datestamp = xml::parse_date(text),
            Field::SetSpec => record.sets.push(text.trim().to_string()),
            Field::Id => record.id = take(text),
            Field::Created => record.created = xml::parse_date(text),
            Field::Updated => record.updated = xml::parse_date(text),
            Field::Title => record.title = take(text),
            Field::Abstract => record.abstract_text = take(text),
            Field::Categories => record.categories = take(text),
            Field::Comments => record.comments = Some(take(text)),
            Field::JournalRef => record.journal_ref = Some(take(text)),
            Field::Doi => record.doi = Some(take(text)),
            Field::AuthorList => record.author_list = take(text),
            Field::Keyname => record.keyname = take(text),
            Field::Forenames => record.forenames = take(text),
            Field::Suffix => record.suffix = take(text),
            Field::VersionDate => {
                let date = xml::parse_rfc2822(text).map(|t| t.with_timezone(&Utc));
                if date.is_some() {
                    let number = record.version_open;
                    if number == 1 {
                        record.v1_date = date;
                    }
                    if record.first_date.is_none() {
                        record.first_date = date;
                    }
                    if number >= record.max_version {
                        record.latest_date = date;
                    }
                }
                record.max_version = record.max_version.max(record.version_open);
            }
        }
    }
}

/// What a record became; built once per record and consumed at once, so its size is no concern.
#[allow(clippy::large_enum_variant)]
enum Outcome {
    Record(OaiRecord),
    Deleted(ArxivId),
    Skip(Option<String>, String),
}

fn midnight(date: NaiveDate) -> Option<DateTime<Utc>> {
    date.and_hms_opt(0, 0, 0).map(|t| t.and_utc())
}

fn finish_record(record: RawRecord) -> Outcome {
    let id_text = match record.id.trim() {
        "" => record.identifier.trim(),
        id => id,
    };
    let reported_id = || (!id_text.is_empty()).then(|| xml::clip(id_text, 100).to_string());
    if id_text.is_empty() {
        return Outcome::Skip(None, "record has no identifier".into());
    }
    let (id, version) = match ArxivId::parse_versioned(id_text) {
        Ok(parsed) => parsed,
        Err(error) => return Outcome::Skip(reported_id(), format!("bad id: {error}")),
    };
    if record.deleted {
        return Outcome::Deleted(id);
    }
    let format = match record.format {
        Some(Format::Other(name)) => {
            return Outcome::Skip(
                reported_id(),
                format!("unsupported metadata format <{name}>"),
            );
        }
        None => return Outcome::Skip(reported_id(), "record has no metadata".into()),
        Some(format) => format,
    };

    let (version, authors, published, updated) = match format {
        Format::Raw => {
            let mut authors = Vec::new();
            xml::split_authors(&record.author_list, &mut authors);
            let count = record.versions.max(record.max_version);
            (
                version.unwrap_or(count).max(count).max(1),
                authors,
                record.v1_date.or(record.first_date),
                record.latest_date,
            )
        }
        _ => {
            let created = record.created.and_then(midnight);
            (
                version.unwrap_or(1),
                record.authors,
                created,
                record.updated.and_then(midnight).or(created),
            )
        }
    };
    let (categories, _dropped) =
        Category::from_source_list(std::iter::once(record.categories.as_str()));
    let paper = Paper {
        id,
        version,
        title: record.title,
        authors,
        abstract_text: record.abstract_text,
        categories,
        comment: record.comments,
        journal_ref: record.journal_ref,
        doi: record.doi,
        published,
        updated,
        announced: None,
    };
    match paper.normalized() {
        Ok(paper) => Outcome::Record(OaiRecord {
            paper,
            datestamp: record.datestamp,
            sets: record.sets,
        }),
        Err(error) => Outcome::Skip(reported_id(), error.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    macro_rules! fixture {
        ($name:literal) => {
            include_bytes!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../tests/fixtures/arxiv/oai/",
                $name
            )) as &[u8]
        };
    }

    const GET_RAW: &[u8] = fixture!("GetRecord_arXivRaw.xml");
    const LIST_RAW: &[u8] = fixture!("ListRecords_arXivRaw_2016-10-20.xml");
    const HEP_EX: &[u8] = fixture!("ListRecords_arXiv_arxiv-physics-hep-ex.xml");
    const HEP_TH: &[u8] = fixture!("ListRecords_arXiv_arxiv-physics-hep-th.xml");
    const SINGLE: &[u8] = fixture!("ListRecords_arXiv_arxiv-single.xml");
    const ALL: &[(&str, &[u8], usize)] = &[
        ("GetRecord_arXivRaw", GET_RAW, 1),
        ("ListRecords_arXivRaw", LIST_RAW, 387),
        ("hep-ex", HEP_EX, 3),
        ("hep-th", HEP_TH, 3),
        ("single", SINGLE, 1),
    ];

    fn codes(paper: &Paper) -> Vec<&str> {
        paper.categories.iter().map(Category::as_str).collect()
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<DateTime<Utc>> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s).single()
    }

    fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    #[test]
    fn every_capture_parses_completely() {
        for (name, body, records) in ALL {
            let page = parse_oai(body);
            assert_eq!(page.fatal, None, "{name}");
            assert_eq!(page.error, None, "{name}");
            assert!(page.skipped.is_empty(), "{name}: {:?}", page.skipped);
            assert!(page.deleted.is_empty(), "{name}");
            assert_eq!(page.records.len(), *records, "{name}");
            for record in &page.records {
                let paper = &record.paper;
                assert!(
                    paper.published.is_some() && paper.updated.is_some(),
                    "{name}"
                );
                assert!(paper.published <= paper.updated, "{name} {}", paper.id);
                assert!(
                    record.datestamp.is_some() && !record.sets.is_empty(),
                    "{name}"
                );
            }
        }
    }

    #[test]
    fn get_record_arxiv_raw() {
        let page = parse_oai(GET_RAW);
        assert_eq!(page.resumption_token, None);
        let record = &page.records[0];
        assert_eq!(record.datestamp, ymd(2008, 4, 16));
        assert_eq!(record.sets, vec!["cs"]);
        let paper = &record.paper;
        assert_eq!(paper.id.as_str(), "0804.2273");
        assert_eq!(paper.version, 1);
        assert_eq!(
            paper.title,
            "Object Re-Use & Exchange: A Resource-Centric Approach"
        );
        assert_eq!(
            paper.authors,
            vec![
                "Carl Lagoze",
                "Herbert Van de Sompel",
                "Michael L. Nelson",
                "Simeon Warner",
                "Robert Sanderson",
                "Pete Johnston"
            ]
        );
        assert_eq!(codes(paper), vec!["cs.DL", "cs.NI"]);
        assert_eq!(paper.published, utc(2008, 4, 14, 21, 2, 0));
        assert_eq!(paper.updated, paper.published);
        assert!(paper.abstract_text.starts_with(
            "The OAI Object Reuse and Exchange (OAI-ORE) framework recasts the repository-centric"
        ));
    }

    #[test]
    fn list_records_arxiv_raw() {
        let page = parse_oai(LIST_RAW);
        assert_eq!(page.resumption_token.as_deref(), Some("1403493|1001"));
        assert_eq!(page.complete_list_size, Some(1440));
        assert_eq!(page.cursor, Some(0));

        let first = &page.records[0].paper;
        assert_eq!(first.id.as_str(), "0803.4354");
        assert_eq!(first.version, 6);
        assert_eq!(first.published, utc(2008, 3, 30, 23, 26, 50));
        assert_eq!(first.updated, utc(2016, 10, 20, 16, 58, 38));
        assert_eq!(
            first.title,
            "A O(n^8) X O(n^7) Linear Programming Model of the Traveling Salesman Problem"
        );
        assert_eq!(first.authors, vec!["Moustapha Diaby"]);
        assert_eq!(codes(first), vec!["cs.DM"]);
        assert!(
            first
                .comment
                .as_deref()
                .unwrap()
                .starts_with("Theorem 25 and Corollary 26")
        );

        let last = &page.records[386].paper;
        assert_eq!(last.id.as_str(), "1606.07946");
        assert_eq!(
            last.journal_ref.as_deref(),
            Some("J. Number Theory 172 (2017) 1-20")
        );
        assert!(last.abstract_text.contains(r"$\sqrt{c (\varphi ) \log n}$"));

        let by_id = |id: &str| {
            page.records
                .iter()
                .map(|r| &r.paper)
                .find(|p| p.id.as_str() == id)
                .unwrap_or_else(|| panic!("{id}"))
        };
        // "A, B and C", the single-digit day of an RFC 2822 date, and \&quot; decoded once.
        let fritsch = page
            .records
            .iter()
            .map(|r| &r.paper)
            .find(|p| p.authors.first().is_some_and(|a| a == "K. Fritsch"))
            .unwrap();
        assert_eq!(
            fritsch.authors,
            vec!["K. Fritsch", "R. D'Ortenzio", "D. Venus"]
        );
        assert!(
            page.records
                .iter()
                .any(|r| r.paper.authors.iter().any(|a| a == r#"Erik Sj\"oqvist"#))
        );
        assert_eq!(by_id("0803.4354").authors.len(), 1);
    }

    #[test]
    fn list_records_arxiv_format() {
        let page = parse_oai(HEP_EX);
        assert_eq!(page.resumption_token, None);
        assert_eq!(page.complete_list_size, None);
        let ids: Vec<&str> = page.records.iter().map(|r| r.paper.id.as_str()).collect();
        assert_eq!(ids, vec!["1706.05371", "1706.09418", "1707.00874"]);
        let first = &page.records[0];
        assert_eq!(first.sets, vec!["physics:hep-ex"]);
        assert_eq!(first.datestamp, ymd(2017, 12, 14));
        assert_eq!(first.paper.authors.len(), 13);
        assert_eq!(first.paper.authors[0], "Tyler Anderson");
        assert_eq!(first.paper.authors[12], "Mani Tripathi");
        assert_eq!(
            first.paper.title,
            "Evaluation of Silicon Photomultipliers for use as Photosensors in Liquid Xenon Detectors"
        );
        assert_eq!(codes(&first.paper), vec!["physics.ins-det", "hep-ex"]);
        assert_eq!(first.paper.published, utc(2017, 6, 16, 0, 0, 0));
        assert_eq!(first.paper.updated, utc(2017, 12, 12, 0, 0, 0));
        assert_eq!(
            first.paper.version, 1,
            "the arXiv format has no version count"
        );

        let second = &page.records[1].paper;
        assert_eq!(
            second.doi.as_deref(),
            Some("10.1140/epjc/s10052-017-5414-4")
        );
        assert_eq!(
            second.journal_ref.as_deref(),
            Some("Eur. Phys. J. C (2017) 77:856")
        );
        assert_eq!(second.authors[2], "Manuel E. Krauss");

        let page = parse_oai(SINGLE);
        let record = &page.records[0];
        assert_eq!(
            record.sets,
            vec!["math", "physics:hep-th", "physics:math-ph", "physics:nlin"]
        );
        assert_eq!(record.paper.id.as_str(), "1401.2122");
        assert_eq!(record.paper.authors, vec!["A. Sergyeyev"]);
        // math.MP is an alias of math-ph, already listed.
        assert_eq!(
            codes(&record.paper),
            vec!["math.AP", "hep-th", "math-ph", "math.DG", "nlin.SI"]
        );
        assert_eq!(record.paper.published, utc(2014, 1, 9, 0, 0, 0));
        assert_eq!(record.paper.updated, utc(2017, 10, 23, 0, 0, 0));

        let page = parse_oai(HEP_TH);
        let ids: Vec<&str> = page.records.iter().map(|r| r.paper.id.as_str()).collect();
        assert_eq!(ids, vec!["1412.8323", "1507.07790", "1607.01710"]);
    }

    const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">
<responseDate>2026-01-01T00:00:00Z</responseDate>
<request verb="ListRecords" metadataPrefix="arXiv">http://export.arxiv.org/oai2</request>
"#;

    fn record(id: &str, title: &str, keyname: &str, categories: &str) -> String {
        format!(
            r#"<record><header><identifier>oai:arXiv.org:{id}</identifier><datestamp>2026-01-02</datestamp><setSpec>cs</setSpec></header>
<metadata><arXiv xmlns="http://arxiv.org/OAI/arXiv/"><id>{id}</id><created>2026-01-01</created><authors><author><keyname>{keyname}</keyname><forenames>Ada</forenames><suffix>Jr</suffix></author></authors><title>{title}</title><categories>{categories}</categories><abstract>Abstract of {id}.</abstract></arXiv></metadata></record>
"#
        )
    }

    fn list(records: &[String], token: &str) -> String {
        format!(
            "{HEAD}<ListRecords>{}{token}</ListRecords></OAI-PMH>",
            records.concat()
        )
    }

    #[test]
    fn no_records_match_error() {
        let body = format!(
            r#"{HEAD}<error code="noRecordsMatch">No records match the
   request</error></OAI-PMH>"#
        );
        let page = parse_oai(body.as_bytes());
        assert_eq!(page.fatal, None);
        assert_eq!(
            page.error,
            Some(OaiError {
                code: "noRecordsMatch".into(),
                message: "No records match the request".into()
            })
        );
        assert!(page.records.is_empty());
    }

    #[test]
    fn last_page_and_deleted_records() {
        let deleted = r#"<record><header status="deleted"><identifier>oai:arXiv.org:1501.00002</identifier><datestamp>2026-01-02</datestamp></header></record>"#;
        let body = list(
            &[
                record("2601.00001", "One", "Lovelace", "cs.LG"),
                deleted.to_string(),
                record("2601.00003", "Three", "Turing", "cs.AI stat.ML"),
            ],
            r#"<resumptionToken cursor="2000" completeListSize="2003"/>"#,
        );
        let page = parse_oai(body.as_bytes());
        assert_eq!(page.fatal, None);
        assert_eq!(page.records.len(), 2);
        assert_eq!(page.records[0].paper.authors, vec!["Ada Lovelace Jr"]);
        assert_eq!(codes(&page.records[1].paper), vec!["cs.AI", "stat.ML"]);
        assert_eq!(page.deleted, vec![ArxivId::parse("1501.00002").unwrap()]);
        assert_eq!(
            page.resumption_token, None,
            "an empty token is the last page"
        );
        assert_eq!(page.complete_list_size, Some(2003));
        assert_eq!(page.cursor, Some(2000));

        let body = list(
            &[],
            "<resumptionToken cursor=\"0\" completeListSize=\"5\">  </resumptionToken>",
        );
        assert_eq!(parse_oai(body.as_bytes()).resumption_token, None);
    }

    #[test]
    fn malformed_records_are_skipped() {
        let body = list(
            &[
                record("2601.00001", "Good", "Lovelace", "cs.LG"),
                record("2601.00002", "No category", "Lovelace", "68T07"),
                record("2601.00003", "", "Lovelace", "cs.LG"),
                record("9999.99999", "Bad id", "Lovelace", "cs.LG"),
                record("2601.00005", "Good too", "Turing", "cs.LG"),
            ],
            "<resumptionToken>123|1001</resumptionToken>",
        );
        let page = parse_oai(body.as_bytes());
        assert_eq!(page.fatal, None);
        let ids: Vec<&str> = page.records.iter().map(|r| r.paper.id.as_str()).collect();
        assert_eq!(ids, vec!["2601.00001", "2601.00005"]);
        let skipped: Vec<(usize, &str)> = page
            .skipped
            .iter()
            .map(|s| (s.position, s.reason.as_str()))
            .collect();
        assert_eq!(skipped[0], (2, "no arXiv category"));
        assert_eq!(skipped[1], (3, "title is empty"));
        assert_eq!(skipped[2].0, 4);
        assert!(skipped[2].1.starts_with("bad id"));
        assert_eq!(page.skipped[2].id.as_deref(), Some("9999.99999"));
        assert_eq!(page.resumption_token.as_deref(), Some("123|1001"));
    }

    #[test]
    fn truncated_response_keeps_complete_records() {
        let body = list(
            &[
                record("2601.00001", "One", "Lovelace", "cs.LG"),
                record("2601.00002", "Two", "Lovelace", "cs.LG"),
                record("2601.00003", "Three", "Lovelace", "cs.LG"),
            ],
            "<resumptionToken>123|1001</resumptionToken>",
        );
        let cut = body.find("Three").unwrap();
        let page = parse_oai(&body.as_bytes()[..cut]);
        assert_eq!(page.records.len(), 2);
        assert!(page.fatal.is_some());
        assert_eq!(page.resumption_token, None);

        // The real capture cut in the middle of its 3rd record.
        let third = std::str::from_utf8(LIST_RAW)
            .unwrap()
            .match_indices("<record>")
            .nth(2)
            .unwrap()
            .0;
        let page = parse_oai(&LIST_RAW[..third + 500]);
        assert_eq!(page.records.len(), 2);
        let fatal = page.fatal.unwrap();
        assert!(fatal.offset <= (third + 500) as u64, "{fatal}");
    }

    #[test]
    fn entities_decoded_once() {
        let body = list(
            &[record(
                "2601.00001",
                "&lt;script&gt; &amp;amp; Caf&#233; \\&quot;o",
                "Ren&#xE9;",
                "cs.LG",
            )],
            "",
        );
        let page = parse_oai(body.as_bytes());
        let paper = &page.records[0].paper;
        assert_eq!(paper.title, r#"<script> &amp; Café \"o"#);
        assert_eq!(paper.authors, vec!["Ada René Jr"]);
    }

    #[test]
    fn other_documents_are_fatal_or_skipped() {
        for body in [&b"<html></html>"[..], b"", b"<OAI-PMH>"] {
            assert!(parse_oai(body).fatal.is_some(), "{body:?}");
        }
        let dc = format!(
            "{HEAD}<GetRecord><record><header><identifier>oai:arXiv.org:2601.00001</identifier></header><metadata><oai_dc:dc xmlns:oai_dc=\"x\"><dc:title xmlns:dc=\"y\">T</dc:title></oai_dc:dc></metadata></record></GetRecord></OAI-PMH>"
        );
        let page = parse_oai(dc.as_bytes());
        assert_eq!(page.fatal, None);
        assert_eq!(page.skipped.len(), 1);
        assert!(
            page.skipped[0]
                .reason
                .contains("unsupported metadata format <dc>")
        );
    }

    #[test]
    fn truncations_never_panic() {
        for (name, body, records) in ALL {
            let end = body.trim_ascii_end().len();
            let step = (body.len() / 300).max(1);
            for cut in (0..end).step_by(step).chain([end - 1]) {
                let page = parse_oai(&body[..cut]);
                assert!(page.records.len() <= *records, "{name} cut at {cut}");
                assert!(page.fatal.is_some(), "{name} cut at {cut}");
            }
            let mut broken = body.to_vec();
            for at in (0..body.len()).step_by(step * 11) {
                broken[at] = [b'<', b'/', b'&', 0xe2][at % 4];
                let _ = parse_oai(&broken);
            }
        }
    }
}
