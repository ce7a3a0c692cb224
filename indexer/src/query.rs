//! The search language, parsed into a small syntax tree that the index turns into a tantivy query.
//!
//! - words (`diffusion transformer`): any of them, ranked by BM25 over title and abstract together;
//! - `"a phrase"`; `AND` makes the clauses on both sides required; `OR` is the default;
//!   `-word` or `-"a phrase"` excludes; `+word` requires;
//! - fields: `ti:` title, `abs:` abstract, `au:` author, each with a word or a "phrase";
//!   `cat:cs.LG` or a whole archive `cat:cs` (several `cat:` mean any of them), `venue:ICLR.2026`;
//! - dates: `year:2025`, `after:2025-06-01` (that day or later), `before:2025-07-01` (earlier days);
//! - a pasted arXiv id or URL (`2506.01234`, `arXiv:hep-th/9901001`, `https://arxiv.org/abs/…`)
//!   jumps to that paper.
//!
//! Parsing is lenient where a person would be: an unbalanced quote closes at the end, a stray
//! `AND`/`OR` is ignored, control characters are spaces, an unknown `field:` is plain words. It
//! refuses, with a message, only what it cannot mean: a query over [`MAX_QUERY_CHARS`], an unknown
//! category, a malformed date.

use chrono::NaiveDate;
use papers_core::{ArxivId, Category};

/// Longer queries are refused: no person types them, and each word costs a posting-list walk.
pub const MAX_QUERY_CHARS: usize = 1000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextField {
    /// Title and abstract together (how free words are ranked).
    Any,
    Title,
    Abstract,
    Author,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Clause {
    /// One word (it may still split into several tokens: `self-attention`).
    Word(TextField, String),
    Phrase(TextField, String),
    /// A category code (`cs.LG`) or a whole archive (`cs`).
    Category(String),
    Venue(String),
    Year(i32),
    /// On that day or later.
    After(NaiveDate),
    /// Before that day.
    Before(NaiveDate),
}

impl Clause {
    /// Filters restrict the results without ranking them.
    pub fn is_filter(&self) -> bool {
        !matches!(self, Clause::Word(..) | Clause::Phrase(..))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Occur {
    Should,
    Must,
    MustNot,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    pub occur: Occur,
    pub clause: Clause,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Query {
    /// The query is an arXiv id or URL: show that paper.
    Jump(ArxivId),
    Search(Vec<Part>),
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum QueryError {
    #[error("the query is {0} characters long; at most {MAX_QUERY_CHARS} are allowed")]
    TooLong(usize),
    #[error("the query is empty")]
    Empty,
    #[error("unknown category in cat:{0} (try cat:cs.LG or a whole archive, cat:cs)")]
    Category(String),
    #[error("{field}:{value} is not a date (write {field}:YYYY-MM-DD)")]
    Date { field: &'static str, value: String },
    #[error("year:{0} is not a year (write year:2025)")]
    Year(String),
}

/// Parses a query as a person typed it.
/// The words of a query that say what it is about (free words and phrases, in the title or
/// abstract, not excluded), for the query's embedding; `None` for an id, a bare filter, or a
/// query that cannot be parsed.
pub fn embedding_text(input: &str) -> Option<String> {
    let Ok(Query::Search(parts)) = parse(input) else {
        return None;
    };
    let words: Vec<&str> = parts
        .iter()
        .filter(|part| part.occur != Occur::MustNot)
        .filter_map(|part| match &part.clause {
            Clause::Word(field, text) | Clause::Phrase(field, text)
                if *field != TextField::Author =>
            {
                Some(text.as_str())
            }
            _ => None,
        })
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

pub fn parse(input: &str) -> Result<Query, QueryError> {
    let chars = input.chars().count();
    if chars > MAX_QUERY_CHARS {
        return Err(QueryError::TooLong(chars));
    }
    let cleaned: String = input
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let trimmed = cleaned.trim();
    if trimmed.is_empty() {
        return Err(QueryError::Empty);
    }
    if !trimmed.contains(char::is_whitespace)
        && let Ok(id) = ArxivId::parse(trimmed)
    {
        return Ok(Query::Jump(id));
    }

    let mut parts: Vec<Part> = Vec::new();
    // An `AND` seen since the last clause: the clauses on both sides become required.
    let mut and_pending = false;
    for token in tokenize(trimmed) {
        match token {
            Token::And => {
                if let Some(last) = parts.last_mut() {
                    and_pending = true;
                    if last.occur == Occur::Should {
                        last.occur = Occur::Must;
                    }
                }
            }
            Token::Or => and_pending = false,
            Token::Clause {
                sign,
                field,
                value,
                quoted,
            } => {
                let Some(clause) = clause(field.as_deref(), &value, quoted)? else {
                    continue;
                };
                let occur = match sign {
                    Some('-') => Occur::MustNot,
                    Some('+') => Occur::Must,
                    _ if clause.is_filter() => Occur::Must,
                    _ if std::mem::take(&mut and_pending) => Occur::Must,
                    _ => Occur::Should,
                };
                and_pending = false;
                parts.push(Part { occur, clause });
            }
        }
    }
    if parts.is_empty() {
        return Err(QueryError::Empty);
    }
    Ok(Query::Search(parts))
}

#[derive(Debug, PartialEq)]
enum Token {
    And,
    Or,
    Clause {
        sign: Option<char>,
        field: Option<String>,
        value: String,
        quoted: bool,
    },
}

/// Splits on whitespace, keeping quoted stretches (an unclosed quote runs to the end).
fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut rest = text;
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            return tokens;
        }
        let mut sign = None;
        if let Some(c @ ('-' | '+')) = rest.chars().next()
            && rest.len() > 1
        {
            sign = Some(c);
            rest = &rest[1..];
        }
        // `field:` directly followed by a value (or a quote).
        let mut field = None;
        if let Some((name, after)) = rest.split_once(':')
            && !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphabetic())
            && !after.starts_with(char::is_whitespace)
            && !after.is_empty()
        {
            field = Some(name.to_ascii_lowercase());
            rest = after;
        }
        let (value, quoted) = if let Some(inner) = rest.strip_prefix('"') {
            match inner.find('"') {
                Some(end) => {
                    let value = &inner[..end];
                    rest = &inner[end + 1..];
                    (value, true)
                }
                None => {
                    rest = "";
                    (inner, true)
                }
            }
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let value = &rest[..end];
            rest = &rest[end..];
            (value, false)
        };
        if sign.is_none() && field.is_none() && !quoted {
            match value {
                "AND" | "&&" => {
                    tokens.push(Token::And);
                    continue;
                }
                "OR" | "||" => {
                    tokens.push(Token::Or);
                    continue;
                }
                _ => {}
            }
        }
        tokens.push(Token::Clause {
            sign,
            field,
            value: value.trim().to_string(),
            quoted,
        });
    }
}

/// One clause; `None` when there is nothing left to search for (an empty phrase, a lone `-`).
fn clause(field: Option<&str>, value: &str, quoted: bool) -> Result<Option<Clause>, QueryError> {
    let words = |field: TextField| -> Option<Clause> {
        if value.chars().all(|c| !c.is_alphanumeric()) {
            None
        } else if quoted {
            Some(Clause::Phrase(field, value.to_string()))
        } else {
            Some(Clause::Word(field, value.to_string()))
        }
    };
    let date = |field: &'static str| {
        NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| QueryError::Date {
            field,
            value: value.to_string(),
        })
    };
    Ok(match field {
        None => words(TextField::Any),
        Some("ti" | "title") => words(TextField::Title),
        Some("abs" | "abstract") => words(TextField::Abstract),
        Some("au" | "author") => words(TextField::Author),
        Some("cat" | "category") => Some(Clause::Category(category(value)?)),
        Some("venue") if !value.is_empty() => Some(Clause::Venue(value.to_string())),
        Some("year") => match value.parse::<i32>() {
            Ok(year) if (1990..=9999).contains(&year) => Some(Clause::Year(year)),
            _ => return Err(QueryError::Year(value.to_string())),
        },
        Some("after") => Some(Clause::After(date("after")?)),
        Some("before") => Some(Clause::Before(date("before")?)),
        // Not one of ours (`http:`, `note:`): the words as typed.
        Some(other) => {
            let text = format!("{other} {value}");
            if text.chars().all(|c| !c.is_alphanumeric()) {
                None
            } else {
                Some(Clause::Phrase(TextField::Any, text))
            }
        }
    })
}

/// A category code in canonical form, or an archive name (`cs`, `astro-ph`).
fn category(value: &str) -> Result<String, QueryError> {
    if let Ok(category) = Category::parse(value) {
        return Ok(category.as_str().to_string());
    }
    let archive = value.to_ascii_lowercase();
    if papers_core::category::taxonomy()
        .iter()
        .any(|info| info.archive == archive)
    {
        return Ok(archive);
    }
    Err(QueryError::Category(value.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn search(q: &str) -> Vec<Part> {
        match parse(q).unwrap() {
            Query::Search(parts) => parts,
            other => panic!("{q}: {other:?}"),
        }
    }

    fn part(occur: Occur, clause: Clause) -> Part {
        Part { occur, clause }
    }

    fn word(w: &str) -> Clause {
        Clause::Word(TextField::Any, w.into())
    }

    #[test]
    fn words_phrases_and_operators() {
        assert_eq!(
            search("low rank \"attention sink\""),
            [
                part(Occur::Should, word("low")),
                part(Occur::Should, word("rank")),
                part(
                    Occur::Should,
                    Clause::Phrase(TextField::Any, "attention sink".into())
                ),
            ]
        );
        assert_eq!(
            search("diffusion AND language -image"),
            [
                part(Occur::Must, word("diffusion")),
                part(Occur::Must, word("language")),
                part(Occur::MustNot, word("image")),
            ]
        );
        assert_eq!(
            search("a OR b"),
            [
                part(Occur::Should, word("a")),
                part(Occur::Should, word("b"))
            ]
        );
        assert_eq!(search("+lora adapters")[0], part(Occur::Must, word("lora")));
    }

    #[test]
    fn fields_and_filters() {
        assert_eq!(
            search("ti:\"attention is all\" au:vaswani abs:transformer"),
            [
                part(
                    Occur::Should,
                    Clause::Phrase(TextField::Title, "attention is all".into())
                ),
                part(
                    Occur::Should,
                    Clause::Word(TextField::Author, "vaswani".into())
                ),
                part(
                    Occur::Should,
                    Clause::Word(TextField::Abstract, "transformer".into())
                ),
            ]
        );
        assert_eq!(
            search("cat:cs.LG cat:math cat:cs.NA -cat:cs.CY venue:ICLR.2026"),
            [
                part(Occur::Must, Clause::Category("cs.LG".into())),
                part(Occur::Must, Clause::Category("math".into())),
                part(Occur::Must, Clause::Category("math.NA".into())),
                part(Occur::MustNot, Clause::Category("cs.CY".into())),
                part(Occur::Must, Clause::Venue("ICLR.2026".into())),
            ]
        );
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            search("year:2025 after:2025-06-01 before:2025-07-01"),
            [
                part(Occur::Must, Clause::Year(2025)),
                part(Occur::Must, Clause::After(day("2025-06-01"))),
                part(Occur::Must, Clause::Before(day("2025-07-01"))),
            ]
        );
    }

    #[test]
    fn ids_and_urls_jump() {
        for q in [
            "2506.01234",
            "arXiv:2506.01234v2",
            " https://arxiv.org/abs/2506.01234 ",
            "hep-th/9901001",
        ] {
            match parse(q).unwrap() {
                Query::Jump(id) => assert!(["2506.01234", "hep-th/9901001"].contains(&id.as_str())),
                other => panic!("{q}: {other:?}"),
            }
        }
        // An id among words is a word.
        assert_eq!(search("see 2506.01234").len(), 2);
    }

    #[test]
    fn sloppy_input_is_read_leniently() {
        assert_eq!(
            search("\"unbalanced quote"),
            [part(
                Occur::Should,
                Clause::Phrase(TextField::Any, "unbalanced quote".into())
            )]
        );
        assert_eq!(
            search("AND OR attention AND"),
            [part(Occur::Must, word("attention"))]
        );
        assert_eq!(
            search("a\u{0}b\tc"),
            [
                part(Occur::Should, word("a")),
                part(Occur::Should, word("b")),
                part(Occur::Should, word("c"))
            ]
        );
        assert_eq!(
            search("- + -- attention"),
            [part(Occur::Should, word("attention"))]
        );
        assert_eq!(
            search("note:important"),
            [part(
                Occur::Should,
                Clause::Phrase(TextField::Any, "note important".into())
            )]
        );
        assert_eq!(search("\"\" x"), [part(Occur::Should, word("x"))]);
    }

    #[test]
    fn what_cannot_be_meant_is_refused_with_a_reason() {
        assert_eq!(parse(&"a ".repeat(600)), Err(QueryError::TooLong(1200)));
        assert_eq!(parse("   "), Err(QueryError::Empty));
        assert_eq!(parse("\"\""), Err(QueryError::Empty));
        assert_eq!(
            parse("cat:cs.XX"),
            Err(QueryError::Category("cs.XX".into()))
        );
        assert!(matches!(
            parse("after:June"),
            Err(QueryError::Date { field: "after", .. })
        ));
        assert_eq!(parse("year:25"), Err(QueryError::Year("25".into())));
        assert!(
            parse("cat:cs.XX")
                .unwrap_err()
                .to_string()
                .contains("cat:cs.XX")
        );
    }

    proptest::proptest! {
        /// Whatever is typed, parsing returns (no panic), and a search has a clause.
        #[test]
        fn any_input_parses_or_is_refused(q in "\\PC{0,80}|[-+\":a-z .()ANDOR]{0,40}") {
            if let Ok(Query::Search(parts)) = parse(&q) {
                proptest::prop_assert!(!parts.is_empty());
            }
        }
    }
}
