//! `/arxiv/{id}`: one paper, by any id form or version, with its related papers, its venues and
//! the meta tags reference managers read. A paper not stored yet is queued for an on-demand
//! fetch and the page says so; it never waits on arXiv. `/paper/{id}`: the same page for a paper
//! known only at a venue (`openreview:rJx1Y`), which has no arXiv links and is never fetched.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use papers_core::{ArxivId, Lang, Paper};
use papers_summarizer::{Answer, JobView};

use super::{Badge, copy_text, page_path, source_label};
use crate::fetch_queue::FetchStatus;
use crate::{AppError, AppState};

/// Authors listed before the rest fold under "et al.".
const SHOWN_AUTHORS: usize = 40;
/// Related papers shown.
pub const RELATED: usize = 10;

#[derive(Template, WebTemplate)]
#[template(path = "paper.html")]
struct PaperPage {
    paper: Paper,
    site_url: String,
    /// The version asked for in the URL, when it is not the latest stored.
    asked_version: Option<u32>,
    shown_authors: Vec<String>,
    folded_authors: Vec<String>,
    categories: Vec<String>,
    /// The category the announced day links to (an arXiv paper's primary one).
    announced_in: Option<String>,
    /// Our page's path: `/arxiv/{id}`, or `/paper/{id}` for a venue paper.
    page_path: String,
    /// The paper at its source (arXiv, OpenReview), when its id says where.
    source_url: Option<String>,
    source_label: String,
    pdf_url: Option<String>,
    venues: Vec<VenueLine>,
    copy: String,
    related: Vec<Related>,
    /// `citation_date` and the page's date line: YYYY/MM/DD.
    citation_date: Option<String>,
    /// The cached English FAQ, if any.
    summary: Option<Answer>,
    /// A generation is queued or running: the page follows it.
    summary_following: bool,
}

/// One venue link of the paper: its badge, where it comes from, and its links there.
struct VenueLine {
    badge: Badge,
    /// "ICLR 2026", for `citation_conference_title`.
    conference: String,
    /// "OpenReview", "the arXiv comment", "a curated list".
    source: &'static str,
    url: Option<String>,
    pdf_url: Option<String>,
}

/// A related paper as the page lists it.
struct Related {
    id: String,
    title: String,
    href: String,
    announced: Option<NaiveDate>,
}

#[derive(Template, WebTemplate)]
#[template(path = "not_stored.html")]
struct NotStoredPage {
    id: String,
    abs_url: String,
    status: FetchStatus,
}

pub async fn paper(
    State(state): State<AppState>,
    id: ArxivId,
    version: Option<u32>,
) -> Result<Response, AppError> {
    let Some(paper) = state.store.get(&id).await? else {
        if !id.is_arxiv() {
            // Nothing to fetch: venue papers arrive with their venue's import.
            return Err(AppError::NotFound(format!("There is no paper {id} here.")));
        }
        return Ok(not_stored(&state, &id));
    };
    let related = related(&state, &paper)
        .await?
        .into_iter()
        .map(|p| Related {
            id: p.id.to_string(),
            href: page_path(&p.id),
            title: p.title,
            announced: p.announced,
        })
        .collect();
    let source_url = paper.id.source_url();
    let pdf_url = paper.id.source_pdf_url();
    // A link the page already offers (an OpenReview paper's forum) is not repeated.
    let other = |url: Option<String>, same: &Option<String>| {
        super::web_url(url).filter(|u| Some(u) != same.as_ref())
    };
    let venues = super::venue_links(&state, std::slice::from_ref(&paper.id))
        .await
        .remove(&paper.id)
        .unwrap_or_default()
        .into_iter()
        .map(|link| VenueLine {
            badge: Badge::new(&link),
            conference: format!("{} {}", link.venue, link.year),
            source: link.source.label(),
            url: other(link.url, &source_url),
            pdf_url: other(link.pdf_url, &pdf_url),
        })
        .collect();
    // The FAQ is extra: a summary store that fails leaves the paper readable without it.
    let faq = match state.summaries.state(&paper, Lang::En).await {
        Ok(faq) => Some(faq),
        Err(e) => {
            tracing::warn!(id = %paper.id, error = %e, "the paper page shows no FAQ");
            None
        }
    };
    let summary_following = faq.as_ref().is_some_and(|f| {
        matches!(
            f.job,
            Some(JobView::Queued { .. } | JobView::Running { .. })
        )
    });
    let (shown, folded) = if paper.authors.len() > SHOWN_AUTHORS {
        (
            paper.authors[..SHOWN_AUTHORS].to_vec(),
            paper.authors[SHOWN_AUTHORS..].to_vec(),
        )
    } else {
        (paper.authors.clone(), Vec::new())
    };
    let date = paper
        .published
        .map(|d| d.date_naive())
        .or(paper.announced)
        .map(|d| d.format("%Y/%m/%d").to_string());
    Ok(PaperPage {
        site_url: state.site.url.clone(),
        asked_version: version.filter(|v| *v != paper.version),
        shown_authors: shown,
        folded_authors: folded,
        categories: paper.categories.iter().map(ToString::to_string).collect(),
        announced_in: paper.primary_category().map(ToString::to_string),
        page_path: page_path(&paper.id),
        source_url,
        source_label: match paper.id.venue_source() {
            None => "arXiv page".into(),
            Some(_) => format!("{} page", source_label(&paper.id)),
        },
        pdf_url,
        venues,
        copy: copy_text(&paper),
        related,
        citation_date: date,
        summary: faq.and_then(|f| f.summary),
        summary_following,
        paper,
    }
    .into_response())
}

/// `/arxiv/{archive}/{number}`: an old-style id such as `hep-th/9901001v2`.
pub async fn old_style(
    state: State<AppState>,
    Path((archive, number)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let text = format!("{archive}/{number}");
    let (id, version) = ArxivId::parse_versioned(&text).map_err(|e| {
        AppError::NotFound(format!(
            "'{}' is not an arXiv id: {e}.",
            crate::params::clip(&text)
        ))
    })?;
    paper(state, id, version).await
}

/// `/paper/{id}`: a paper known only at a venue; an arXiv id here goes to its `/arxiv/` page.
pub async fn venue_paper(
    state: State<AppState>,
    Path(text): Path<String>,
) -> Result<Response, AppError> {
    let (id, version) = ArxivId::parse_any_versioned(&text).map_err(|e| {
        AppError::NotFound(format!(
            "'{}' is not a paper id: {e}.",
            crate::params::clip(&text)
        ))
    })?;
    if id.is_arxiv() {
        let version = version.map_or_else(String::new, |v| format!("v{v}"));
        return Ok(Redirect::permanent(&format!("/arxiv/{id}{version}")).into_response());
    }
    paper(state, id, None).await
}

/// The stored papers nearest in meaning, in order.
pub async fn related(state: &AppState, paper: &Paper) -> Result<Vec<Paper>, AppError> {
    let mut papers = Vec::new();
    for (id, _) in state.library.related(paper.id.as_str(), RELATED).await {
        if let Ok(id) = ArxivId::parse_any(&id)
            && let Some(found) = state.store.get(&id).await?
        {
            papers.push(found);
        }
    }
    Ok(papers)
}

/// The answer for a paper the Store lacks: queued (202), unknown to arXiv (404), or the queue is
/// full (503, come back later).
pub fn not_stored(state: &AppState, id: &ArxivId) -> Response {
    let status = state.fetches.request(id);
    let code = match status {
        FetchStatus::Queued => StatusCode::ACCEPTED,
        FetchStatus::Missing | FetchStatus::Disabled => StatusCode::NOT_FOUND,
        FetchStatus::Full => StatusCode::SERVICE_UNAVAILABLE,
    };
    let page = NotStoredPage {
        id: id.to_string(),
        abs_url: id.abs_url(None),
        status,
    };
    (code, page).into_response()
}
