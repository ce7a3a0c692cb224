//! The reading pages, one module each: the home page, a category's day, a paper, search results,
//! a topic, and the small files browsers and robots ask for. [`Card`] is a paper as every list
//! shows it.

mod home;
pub mod listing;
pub mod paper;
pub mod search;
mod site;
pub mod topic;

use axum::Router;
use axum::routing::get;
use papers_core::Paper;
use papers_core::store::ListingKind;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        // One segment: a paper id (`2501.01234`, `2501.01234v2`) or a category expression.
        .route("/arxiv/{key}", get(arxiv))
        // Old-style ids have a slash: `/arxiv/hep-th/9901001`.
        .route("/arxiv/{archive}/{number}", get(paper::old_style))
        .route("/search", get(search::search))
        .route("/topic/{name}", get(topic::topic))
        .route("/opensearch.xml", get(site::opensearch))
        .route("/robots.txt", get(site::robots))
}

/// `/arxiv/{key}`: a paper when the key is an arXiv id, else a category expression's day.
async fn arxiv(
    state: axum::extract::State<AppState>,
    key: axum::extract::Path<String>,
    query: axum::extract::Query<listing::ListingQuery>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    match papers_core::ArxivId::parse_versioned(&key) {
        Ok((id, version)) => paper::paper(state, id, version).await.into_response(),
        Err(_) => listing::listing(state, key, query).await.into_response(),
    }
}

/// Authors shown on a card before "et al.".
const CARD_AUTHORS: usize = 12;

/// A paper as a list shows it.
pub struct Card {
    /// Its place in the list (1-based, across pages).
    pub number: u64,
    pub id: String,
    pub version: u32,
    pub title: String,
    /// The title with the query's words in `<b>`, already escaped (search results only).
    pub title_html: Option<String>,
    pub authors: String,
    pub abstract_text: String,
    /// A passage of the abstract with the query's words in `<b>`, already escaped.
    pub snippet_html: Option<String>,
    /// "new" or "cross-list" in a category's day.
    pub kind: Option<&'static str>,
    pub categories: Vec<String>,
    pub comment: Option<String>,
    pub date: Option<chrono::NaiveDate>,
    pub abs_url: String,
    pub pdf_url: String,
    /// Title, authors and link as plain text, for the Copy button.
    pub copy: String,
}

impl Card {
    pub fn new(number: u64, paper: &Paper, kind: Option<ListingKind>) -> Card {
        Card {
            number,
            id: paper.id.to_string(),
            version: paper.version,
            title: paper.title.clone(),
            title_html: None,
            authors: authors_line(&paper.authors, CARD_AUTHORS),
            abstract_text: paper.abstract_text.clone(),
            snippet_html: None,
            kind: kind.map(|kind| match kind {
                ListingKind::New => "new",
                ListingKind::Cross => "cross-list",
            }),
            categories: paper.categories.iter().map(ToString::to_string).collect(),
            comment: paper.comment.clone(),
            date: paper.announced,
            abs_url: paper.id.abs_url(None),
            pdf_url: paper.id.pdf_url(None),
            copy: copy_text(paper),
        }
    }

    /// A paper seen again in a later version than its first.
    pub fn replaced(&self) -> bool {
        self.version > 1
    }
}

/// "A, B, C" or, past `max`, "A, B, … et al. (N authors)".
pub fn authors_line(authors: &[String], max: usize) -> String {
    if authors.len() <= max {
        authors.join(", ")
    } else {
        format!(
            "{}, et al. ({} authors)",
            authors[..max].join(", "),
            authors.len()
        )
    }
}

/// What the Copy button puts on the clipboard.
pub fn copy_text(paper: &Paper) -> String {
    format!(
        "{}\n{}\n{}",
        paper.title,
        authors_line(&paper.authors, 40),
        paper.id.abs_url(None)
    )
}
