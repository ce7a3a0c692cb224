//! The reading pages, one module each: the home page, a category's day, a paper, search results,
//! a topic, a venue, and the small files browsers and robots ask for. [`Card`] is a paper as
//! every list shows it.

mod home;
pub mod listing;
pub mod paper;
pub mod search;
mod site;
pub mod topic;
pub mod venue;

use std::collections::HashMap;

use axum::Router;
use axum::routing::get;
use papers_core::store::ListingKind;
use papers_core::venue::VenueLink;
use papers_core::{ArxivId, Paper};

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
        // A paper known only at a venue: `/paper/openreview:rJx1Y`.
        .route("/paper/{id}", get(paper::venue_paper))
        .route("/venue", get(venue::index))
        // `ICLR` (its latest edition) or `ICLR.2026`.
        .route("/venue/{key}", get(venue::edition))
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
        Err(_) => match ArxivId::parse_any(&key) {
            // A venue paper's id under /arxiv/ (a hand-edited link): its own page.
            Ok(id) if !id.is_arxiv() => {
                axum::response::Redirect::permanent(&page_path(&id)).into_response()
            }
            _ => listing::listing(state, key, query).await.into_response(),
        },
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
    /// Our page for it: `/arxiv/{id}`, or `/paper/{id}` for a paper known only at a venue.
    pub page_url: String,
    /// Its page at the source (arXiv, OpenReview) and what to call that link; `None` when the
    /// id says nothing of where it is (a curated list's paper).
    pub source_url: Option<String>,
    pub source_label: String,
    pub pdf_url: Option<String>,
    /// Where it was accepted, filled by [`with_venues`].
    pub venues: Vec<Badge>,
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
            page_url: page_path(&paper.id),
            source_url: paper.id.source_url(),
            source_label: source_label(&paper.id),
            pdf_url: paper.id.source_pdf_url(),
            venues: Vec::new(),
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

/// What the Copy button puts on the clipboard: the link is the paper's page at its source, and
/// left out when the id names none.
pub fn copy_text(paper: &Paper) -> String {
    let mut text = format!("{}\n{}", paper.title, authors_line(&paper.authors, 40));
    if let Some(url) = paper.id.source_url() {
        text.push('\n');
        text.push_str(&url);
    }
    text
}

/// Our page for a paper: arXiv papers under `/arxiv/`, papers known only at a venue under
/// `/paper/` (the id is letters, digits, `.`, `/`, `:`, `_` and `-`: nothing to encode).
pub fn page_path(id: &ArxivId) -> String {
    if id.is_arxiv() {
        format!("/arxiv/{id}")
    } else {
        format!("/paper/{id}")
    }
}

/// The text of the link to a paper's source page: `arXiv:2501.01234`, `OpenReview`.
pub fn source_label(id: &ArxivId) -> String {
    match id.venue_source() {
        None => format!("arXiv:{id}"),
        Some("openreview") => "OpenReview".into(),
        Some(other) => other.to_string(),
    }
}

/// A link an import supplied, kept only when it is a web address (never `javascript:`): the
/// Store may hold links written before imports checked them.
pub fn web_url(url: Option<String>) -> Option<String> {
    url.as_deref().and_then(papers_core::html::web_url)
}

/// A venue link as a badge: "ICLR 2026 · Oral", linking to that edition's group.
pub struct Badge {
    pub label: String,
    pub href: String,
    /// Where the link comes from, as a tooltip.
    pub title: String,
}

impl Badge {
    pub fn new(link: &VenueLink) -> Badge {
        let mut label = format!("{} {}", link.venue, link.year);
        if let Some(group) = &link.group {
            label.push_str(" · ");
            label.push_str(group);
        }
        Badge {
            href: venue::edition_path(&link.venue, link.year, link.group.as_deref()),
            title: format!("From {}", link.source.label()),
            label,
        }
    }
}

/// The venue links of `ids` in one Store call. They only decorate a page: when the Store
/// fails, the page is shown without them.
pub async fn venue_links(state: &AppState, ids: &[ArxivId]) -> HashMap<ArxivId, Vec<VenueLink>> {
    if ids.is_empty() {
        return HashMap::new();
    }
    match state.store.venue_links(ids).await {
        Ok(links) => links,
        Err(error) => {
            tracing::warn!(%error, papers = ids.len(), "the page shows no venue badges");
            HashMap::new()
        }
    }
}

/// Fills the cards' venue badges.
pub async fn with_venues(state: &AppState, mut cards: Vec<Card>) -> Vec<Card> {
    let ids: Vec<ArxivId> = cards
        .iter()
        .filter_map(|c| ArxivId::parse_any(&c.id).ok())
        .collect();
    let links = venue_links(state, &ids).await;
    for card in &mut cards {
        if let Some(links) = ArxivId::parse_any(&card.id)
            .ok()
            .and_then(|id| links.get(&id))
        {
            card.venues = links.iter().map(Badge::new).collect();
        }
    }
    cards
}
