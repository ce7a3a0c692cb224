//! Query-string values as pages, feeds and the API read them: parsed here once, each refusal a
//! [`AppError::BadRequest`] that says what is wrong (the value echoed back short; templates escape it).

use chrono::NaiveDate;
use papers_core::CategoryExpr;

use crate::AppError;

/// Papers per page unless asked otherwise (Cool Papers' default), and the most one page may hold.
pub const DEFAULT_SHOW: u32 = 25;
pub const MAX_SHOW: u32 = 200;
/// The deepest a list may be paged; beyond it nobody is reading, only scraping.
pub const MAX_SKIP: u32 = 100_000;
/// The longest search query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 1_000;

pub fn date(text: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        AppError::BadRequest(format!(
            "The date '{}' is not a calendar date written YYYY-MM-DD.",
            clip(text)
        ))
    })
}

/// `None` or empty: no date asked for.
pub fn optional_date(text: Option<&str>) -> Result<Option<NaiveDate>, AppError> {
    match text {
        None | Some("") => Ok(None),
        Some(text) => date(text).map(Some),
    }
}

/// `?show=`: 1 to [`MAX_SHOW`].
pub fn show(text: Option<&str>) -> Result<u32, AppError> {
    let show = number(text, "show", DEFAULT_SHOW)?;
    if show == 0 || show > MAX_SHOW {
        return Err(AppError::BadRequest(format!(
            "show must be between 1 and {MAX_SHOW} papers per page, not {show}."
        )));
    }
    Ok(show)
}

/// `?skip=`: 0 to [`MAX_SKIP`].
pub fn skip(text: Option<&str>) -> Result<u32, AppError> {
    let skip = number(text, "skip", 0)?;
    if skip > MAX_SKIP {
        return Err(AppError::BadRequest(format!(
            "skip must be at most {MAX_SKIP}, not {skip}."
        )));
    }
    Ok(skip)
}

fn number(text: Option<&str>, name: &str, default: u32) -> Result<u32, AppError> {
    match text {
        None | Some("") => Ok(default),
        Some(text) => text.parse().map_err(|_| {
            AppError::BadRequest(format!(
                "{name} must be a whole number of papers, not '{}'.",
                clip(text)
            ))
        }),
    }
}

/// A category expression from the URL (`cs.AI`, `cs.AI,cs.CL`, `cs.AI+cs.LG-cs.CY`).
pub fn category_expr(text: &str) -> Result<CategoryExpr, AppError> {
    CategoryExpr::parse(text).map_err(|e| {
        AppError::BadRequest(format!(
            "'{}' is not a list of arXiv categories: {e}.",
            clip(text)
        ))
    })
}

/// A search query: trimmed, not too long, no control characters (they mean nothing in a query
/// and would only reach the logs).
pub fn query(text: Option<&str>) -> Result<String, AppError> {
    let text: String = text
        .unwrap_or("")
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let text = text.trim();
    if text.chars().count() > MAX_QUERY_CHARS {
        return Err(AppError::BadRequest(format!(
            "The query is too long: at most {MAX_QUERY_CHARS} characters, please."
        )));
    }
    Ok(text.to_string())
}

/// Keeps echoed input short.
pub fn clip(text: &str) -> String {
    let mut clipped: String = text.chars().take(40).collect();
    if clipped.len() < text.len() {
        clipped.push('…');
    }
    clipped
}
