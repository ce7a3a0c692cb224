//! Event stream and text helpers shared by the feed, API and OAI-PMH parsers.
//!
//! [`XmlStream`] wraps a quick-xml [`Reader`] over the response bytes, reusing one event buffer,
//! and turns its events into [`Ev`]: element starts and ends with their depth (so parsers need
//! no name stack), text pieces (text, CDATA and entity references, each resolved exactly once),
//! and an error when the document ends with elements still open (a truncated body, which the
//! reader itself reports as a normal end of file).

use std::borrow::Cow;

use chrono::{DateTime, FixedOffset, NaiveDate};
use quick_xml::Reader;
use quick_xml::XmlVersion;
use quick_xml::escape::resolve_xml_entity;
use quick_xml::events::{BytesRef, BytesStart, Event};

use crate::arxiv::XmlError;

/// A simplified XML event.
pub(crate) enum Ev<'b> {
    /// An element opens; the number is its depth (the root is 1).
    Start(BytesStart<'b>, usize),
    /// A self-closing element `<x/>` at that depth; no [`Ev::End`] follows.
    Empty(BytesStart<'b>, usize),
    /// The element at that depth closes.
    End(usize),
    /// A piece of character data.
    Text(Piece<'b>),
    /// A declaration, comment, processing instruction or doctype.
    Other,
    /// The document ended with its root closed.
    Eof,
}

/// A piece of character data: text (or CDATA) as written, or one entity reference.
pub(crate) enum Piece<'b> {
    Str(Cow<'b, str>),
    Ref(BytesRef<'b>),
}

impl Piece<'_> {
    /// Appends the piece's characters, resolving a reference (`&amp;` → `&`, `&#233;` →
    /// `é`). An unknown entity is kept as written.
    pub(crate) fn push_to(&self, out: &mut String) {
        match self {
            Piece::Str(text) => out.push_str(text),
            Piece::Ref(reference) => {
                let name: &str = reference;
                if let Some(text) = resolve_xml_entity(name) {
                    out.push_str(text);
                } else if let Ok(Some(c)) = reference.resolve_char_ref() {
                    out.push(c);
                } else {
                    out.push('&');
                    out.push_str(name);
                    out.push(';');
                }
            }
        }
    }
}

/// The events of one response.
pub(crate) struct XmlStream<'a> {
    reader: Reader<&'a [u8]>,
    buf: Vec<u8>,
    depth: usize,
    root_seen: bool,
}

impl<'a> XmlStream<'a> {
    pub(crate) fn new(body: &'a [u8]) -> Self {
        XmlStream {
            reader: Reader::from_reader(body),
            buf: Vec::with_capacity(8 * 1024),
            depth: 0,
            root_seen: false,
        }
    }

    /// The next event, or why the document is not well-formed XML.
    #[allow(clippy::should_implement_trait)]
    pub(crate) fn next(&mut self) -> Result<Ev<'_>, XmlError> {
        self.buf.clear();
        match self.reader.read_event_into(&mut self.buf) {
            Ok(Event::Start(e)) => {
                self.depth += 1;
                self.root_seen = true;
                Ok(Ev::Start(e, self.depth))
            }
            Ok(Event::Empty(e)) => {
                self.root_seen = true;
                Ok(Ev::Empty(e, self.depth + 1))
            }
            Ok(Event::End(_)) => {
                let depth = self.depth;
                self.depth = self.depth.saturating_sub(1);
                Ok(Ev::End(depth))
            }
            Ok(Event::Text(text)) => Ok(Ev::Text(Piece::Str(text.into_inner()))),
            Ok(Event::CData(text)) => Ok(Ev::Text(Piece::Str(text.into_inner()))),
            Ok(Event::GeneralRef(reference)) => Ok(Ev::Text(Piece::Ref(reference))),
            Ok(Event::Eof) => {
                if self.depth > 0 {
                    Err(XmlError {
                        offset: self.reader.buffer_position(),
                        reason: format!(
                            "the document ends with {} element(s) still open (truncated?)",
                            self.depth
                        ),
                    })
                } else if !self.root_seen {
                    Err(XmlError {
                        offset: self.reader.buffer_position(),
                        reason: "no root element (empty or not XML)".into(),
                    })
                } else {
                    Ok(Ev::Eof)
                }
            }
            Ok(Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_)) => {
                Ok(Ev::Other)
            }
            Err(error) => Err(XmlError {
                offset: self.reader.buffer_position(),
                reason: error.to_string(),
            }),
        }
    }

    /// A fatal error at the current position, for a reason the parser found.
    pub(crate) fn error(&self, reason: String) -> XmlError {
        XmlError {
            offset: self.reader.buffer_position(),
            reason,
        }
    }
}

/// Collects the text of one element (and its descendants) at a time.
pub(crate) struct Capture<F> {
    field: Option<(F, usize)>,
    /// The text so far; a parser takes or clears it when the element closes.
    pub(crate) text: String,
}

impl<F> Default for Capture<F> {
    fn default() -> Self {
        Capture {
            field: None,
            text: String::new(),
        }
    }
}

impl<F: Copy> Capture<F> {
    /// Starts collecting the text of `field`, whose element is at `depth`.
    pub(crate) fn begin(&mut self, field: F, depth: usize) {
        self.field = Some((field, depth));
        self.text.clear();
    }

    /// Adds a piece if a field is being collected.
    pub(crate) fn push(&mut self, piece: &Piece<'_>) {
        if self.field.is_some() {
            piece.push_to(&mut self.text);
        }
    }

    /// The field whose element just closed at `depth`, if any; its text is in `text`.
    pub(crate) fn end(&mut self, depth: usize) -> Option<F> {
        match self.field {
            Some((field, at)) if at == depth => {
                self.field = None;
                Some(field)
            }
            _ => None,
        }
    }
}

/// The value of the attribute with this local name (any prefix), entities resolved.
pub(crate) fn attr<'e>(e: &'e BytesStart<'_>, local: &str) -> Option<Cow<'e, str>> {
    let mut attributes = e.attributes();
    attributes.with_checks(false);
    for attribute in attributes.flatten() {
        if attribute.key.local_name().into_inner() == local {
            return Some(
                attribute
                    .normalized_value(XmlVersion::Implicit1_0)
                    .unwrap_or_else(|_| attribute.value.clone()),
            );
        }
    }
    None
}

/// `2025-08-20T00:00:00-04:00`.
pub(crate) fn parse_rfc3339(text: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(text.trim()).ok()
}

/// `Thu, 24 Sep 2026 00:00:00 -0400`; a wrong weekday is forgiven.
pub(crate) fn parse_rfc2822(text: &str) -> Option<DateTime<FixedOffset>> {
    let text = text.trim();
    DateTime::parse_from_rfc2822(text).ok().or_else(|| {
        let (_, rest) = text.split_once(',')?;
        DateTime::parse_from_rfc2822(rest.trim()).ok()
    })
}

/// `2008-04-16` (a time after the date is ignored).
pub(crate) fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    let date = text.get(..10).unwrap_or(text);
    NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()
}

/// The day of an instant as arXiv's announcements see it (UTC-04:00, New York in summer,
/// when mailings go out at 20:00).
pub(crate) fn announce_date(time: DateTime<FixedOffset>) -> NaiveDate {
    match FixedOffset::west_opt(4 * 3600) {
        Some(zone) => time.with_timezone(&zone).date_naive(),
        None => time.date_naive(),
    }
}

/// At most `max` characters of `text`, for error messages.
pub(crate) fn clip(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

/// Splits an author list written as one string, `A, B and C` or `A, B, and C`, appending
/// the names to `out`. Commas and ` and ` inside parentheses (affiliations, `A (MIT, CSAIL)`)
/// do not split, and an affiliation legend `((1) MIT, (2) ETH)` is dropped.
pub(crate) fn split_authors(text: &str, out: &mut Vec<String>) {
    if text.contains("((") {
        let cleaned = drop_legends(text);
        split_plain(&cleaned, out);
    } else {
        split_plain(text, out);
    }
}

fn split_plain(text: &str, out: &mut Vec<String>) {
    let bytes = text.as_bytes();
    let mut push = |piece: &str| {
        let piece = piece.trim();
        if !piece.is_empty() {
            out.push(piece.to_string());
        }
    };
    let mut depth = 0usize;
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'(' => depth += 1,
            b')' => depth = depth.saturating_sub(1),
            b',' | b';' if depth == 0 => {
                push(&text[start..i]);
                start = i + 1;
            }
            b if depth == 0 && b.is_ascii_whitespace() && is_and(bytes, i + 1) => {
                push(&text[start..i]);
                i += 4;
                start = i;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    push(&text[start..]);
}

/// `and` followed by whitespace at `at` (the byte before is whitespace).
fn is_and(bytes: &[u8], at: usize) -> bool {
    bytes.get(at..at + 3) == Some(b"and") && bytes.get(at + 3).is_some_and(u8::is_ascii_whitespace)
}

/// Removes `((…) …)` groups.
fn drop_legends(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == b'(' && bytes[i + 1] == b'(' {
            let mut depth = 0usize;
            let mut end = bytes.len();
            for (j, &b) in bytes.iter().enumerate().skip(i) {
                match b {
                    b'(' => depth += 1,
                    b')' => {
                        depth -= 1;
                        if depth == 0 {
                            end = j + 1;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            out.push_str(&text[copied..i]);
            copied = end;
            i = end;
            continue;
        }
        i += 1;
    }
    if copied < text.len() {
        out.push_str(&text[copied..]);
    }
    out
}
