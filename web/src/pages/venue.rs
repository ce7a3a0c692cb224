//! `/venue`: every venue with its editions and papers per group; `/venue/{name}.{year}`: an
//! edition's papers by title, one group at a time when asked (`?group=Oral`), paged like a
//! topic; `/venue/{name}`: the latest edition. Names are matched as readers type them (any
//! case, `NIPS` for NeurIPS) against the editions the Store holds.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use papers_core::venue::{GroupCount, canonical_name, parse_edition, search_key};
use serde::Deserialize;

use super::Card;
use crate::{AppError, AppState, params};

/// Venue names a 404 lists at most.
const LISTED: usize = 60;
/// A longer name in a URL is not a venue.
const MAX_KEY_CHARS: usize = 120;

#[derive(Debug, Default, Deserialize)]
pub struct VenueQuery {
    pub group: Option<String>,
    pub show: Option<String>,
    pub skip: Option<String>,
}

/// An edition as stored: its venue's name, its year and its papers per group (`None`: papers
/// filed under no group).
#[derive(Clone, Debug)]
pub struct Edition {
    pub venue: String,
    pub year: u16,
    pub groups: Vec<(Option<String>, u64)>,
}

impl Edition {
    pub fn total(&self) -> u64 {
        self.groups.iter().map(|(_, n)| n).sum()
    }

    /// Papers in `group`, or in the whole edition.
    pub fn count(&self, group: Option<&str>) -> u64 {
        match group {
            None => self.total(),
            Some(group) => self
                .groups
                .iter()
                .filter(|(g, _)| g.as_deref() == Some(group))
                .map(|(_, n)| n)
                .sum(),
        }
    }

    fn named_groups(&self) -> impl Iterator<Item = (&str, u64)> {
        self.groups
            .iter()
            .filter_map(|(g, n)| g.as_deref().map(|g| (g, *n)))
    }
}

/// A venue with its editions, newest first.
#[derive(Clone, Debug)]
pub struct Venue {
    pub name: String,
    pub editions: Vec<Edition>,
}

/// The Store's counts (ordered by venue, year descending, group) as venues and editions.
pub fn venues(counts: Vec<GroupCount>) -> Vec<Venue> {
    let mut venues: Vec<Venue> = Vec::new();
    for count in counts {
        if venues.last().is_none_or(|v| v.name != count.venue) {
            venues.push(Venue {
                name: count.venue.clone(),
                editions: Vec::new(),
            });
        }
        let venue = venues.last_mut().expect("pushed above");
        if venue.editions.last().is_none_or(|e| e.year != count.year) {
            venue.editions.push(Edition {
                venue: count.venue.clone(),
                year: count.year,
                groups: Vec::new(),
            });
        }
        let edition = venue.editions.last_mut().expect("pushed above");
        edition.groups.push((count.group, count.papers));
    }
    venues
}

/// What a URL names, found among the stored editions.
pub struct Resolved {
    pub edition: Edition,
    /// The group asked for, as stored (`?group=oral` finds `Oral`).
    pub group: Option<String>,
    /// The URL named the venue only: this is its latest edition.
    pub latest: bool,
    /// The venue's editions, newest first (for links between them).
    pub years: Vec<u16>,
}

/// Finds the edition `key` names (`ICLR.2026`, or `ICLR` for the latest) and the group asked
/// for. `Err` is a message for a 404 that says what there is instead.
pub fn resolve(venues: &[Venue], key: &str, group: Option<&str>) -> Result<Resolved, String> {
    let key = key.trim();
    let shown = params::clip(key);
    let known = || {
        if venues.is_empty() {
            return "No venues are stored yet.".to_string();
        }
        let mut names: Vec<&str> = venues.iter().map(|v| v.name.as_str()).collect();
        let more = names.len().saturating_sub(LISTED);
        names.truncate(LISTED);
        let more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        format!("Venues: {}{more}.", names.join(", "))
    };
    if key.chars().count() > MAX_KEY_CHARS {
        return Err(format!("There is no venue '{shown}'. {}", known()));
    }
    let (name, year) = match parse_edition(key) {
        Some((name, year)) => (name, Some(year)),
        None => (key, None),
    };
    let wanted = search_key(name);
    let alias = canonical_name(name);
    let venue = venues
        .iter()
        .find(|v| search_key(&v.name) == wanted)
        .or_else(|| alias.and_then(|a| venues.iter().find(|v| v.name == a)))
        .ok_or_else(|| format!("There is no venue '{shown}'. {}", known()))?;
    let years: Vec<u16> = venue.editions.iter().map(|e| e.year).collect();
    let edition = match year {
        None => venue.editions.first(),
        Some(year) => venue.editions.iter().find(|e| e.year == year),
    }
    .ok_or_else(|| {
        let years: Vec<String> = years.iter().map(u16::to_string).collect();
        format!(
            "{} has no edition {}. Editions: {}.",
            venue.name,
            year.map_or_else(String::new, |y| y.to_string()),
            years.join(", ")
        )
    })?;
    let group = match group.map(str::trim).filter(|g| !g.is_empty()) {
        None => None,
        Some(asked) => {
            let found = edition
                .named_groups()
                .map(|(g, _)| g)
                .find(|g| g.to_lowercase() == asked.to_lowercase());
            match found {
                Some(g) => Some(g.to_string()),
                None => {
                    let groups: Vec<&str> = edition.named_groups().map(|(g, _)| g).collect();
                    let there = if groups.is_empty() {
                        "Its papers are not divided into groups.".to_string()
                    } else {
                        format!("Groups: {}.", groups.join(", "))
                    };
                    return Err(format!(
                        "{} {} has no group '{}'. {there}",
                        edition.venue,
                        edition.year,
                        params::clip(asked)
                    ));
                }
            }
        }
    };
    Ok(Resolved {
        edition: edition.clone(),
        group,
        latest: year.is_none(),
        years,
    })
}

/// "1 paper", "31 papers".
pub fn papers(n: u64) -> String {
    if n == 1 {
        "1 paper".into()
    } else {
        format!("{n} papers")
    }
}

/// `/venue/ICLR`: a venue's own path (the latest edition).
pub fn venue_path(venue: &str) -> String {
    format!("/venue/{}", encode_segment(venue))
}

/// `/venue/ICLR.2026`, with `?group=Oral` when given.
pub fn edition_path(venue: &str, year: u16, group: Option<&str>) -> String {
    let path = format!("/venue/{}.{year}", encode_segment(venue));
    with_query(path, group, None)
}

/// `path?group=…&show=…&skip=…`, the parts given.
fn with_query(path: String, group: Option<&str>, page: Option<(u32, u64)>) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    if let Some(group) = group {
        pairs.push(("group", group.to_string()));
    }
    if let Some((show, skip)) = page {
        pairs.push(("show", show.to_string()));
        pairs.push(("skip", skip.to_string()));
    }
    if pairs.is_empty() {
        return path;
    }
    // Plain string pairs always encode.
    format!(
        "{path}?{}",
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    )
}

/// A venue name as one path segment: everything but unreserved characters percent-encoded
/// (names are whatever an import said: `ACM MM`, or worse).
fn encode_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

// ---- /venue ------------------------------------------------------------------------------------

/// A link with a count: an edition's group, or the whole edition.
struct Count {
    label: String,
    papers: u64,
    href: String,
}

struct EditionLink {
    year: u16,
    href: String,
    papers: u64,
    groups: Vec<Count>,
}

struct VenueLinks {
    name: String,
    href: String,
    editions: Vec<EditionLink>,
}

#[derive(Template, WebTemplate)]
#[template(path = "venues.html")]
pub struct VenuesPage {
    venues: Vec<VenueLinks>,
    /// Why the page asked for is not there (a 404 that shows what is).
    error: Option<String>,
}

impl VenuesPage {
    fn new(venues: &[Venue], error: Option<String>) -> VenuesPage {
        let venues = venues
            .iter()
            .map(|venue| VenueLinks {
                name: venue.name.clone(),
                href: venue_path(&venue.name),
                editions: venue
                    .editions
                    .iter()
                    .map(|e| EditionLink {
                        year: e.year,
                        href: edition_path(&e.venue, e.year, None),
                        papers: e.total(),
                        groups: e
                            .named_groups()
                            .map(|(g, n)| Count {
                                label: g.to_string(),
                                papers: n,
                                href: edition_path(&e.venue, e.year, Some(g)),
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect();
        VenuesPage { venues, error }
    }
}

pub async fn index(State(state): State<AppState>) -> Result<VenuesPage, AppError> {
    let venues = venues(state.store.venue_groups().await?);
    Ok(VenuesPage::new(&venues, None))
}

// ---- /venue/{name}.{year} ----------------------------------------------------------------------

/// A tab of the edition page: all papers, or one group.
struct Tab {
    label: String,
    papers: u64,
    href: String,
    current: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "venue.html")]
pub struct EditionPage {
    venue: String,
    year: u16,
    group: Option<String>,
    /// The venue's own page, which always shows its latest edition.
    venue_href: String,
    /// Absolute URL of the edition (and group): the canonical address of this page.
    canonical: String,
    /// This page's feed (the latest edition's, on the venue's own page), without `?format=`.
    feed_path: String,
    /// This edition (and group), first page.
    here: String,
    /// `&` or `?`: how `format=atom` joins the feed's path.
    feed_join: &'static str,
    tabs: Vec<Tab>,
    /// The venue's editions: (year, link, the one shown).
    editions: Vec<(u16, String, bool)>,
    total: u64,
    cards: Vec<Card>,
    first: u64,
    last: u64,
    show: u32,
    previous_href: Option<String>,
    next_href: Option<String>,
}

pub async fn edition(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Query(query): Query<VenueQuery>,
) -> Result<Response, AppError> {
    let show = params::show(query.show.as_deref())?;
    let skip = params::skip(query.skip.as_deref())?;
    let venues = venues(state.store.venue_groups().await?);
    let found = match resolve(&venues, &key, query.group.as_deref()) {
        Ok(found) => found,
        Err(message) => {
            let page = VenuesPage::new(&venues, Some(message));
            return Ok((StatusCode::NOT_FOUND, page).into_response());
        }
    };
    let Resolved {
        edition,
        group,
        latest,
        years,
    } = found;
    let (venue, year) = (edition.venue.clone(), edition.year);
    let papers = state
        .store
        .venue_papers(&venue, year, group.as_deref(), show, skip)
        .await?;
    let skip = u64::from(skip);
    let cards: Vec<Card> = papers
        .iter()
        .enumerate()
        .map(|(i, (paper, _))| Card::new(skip + i as u64 + 1, paper, None))
        .collect();
    let cards = super::with_venues(&state, cards).await;
    let total = edition.count(group.as_deref());
    let edition_href = |group: Option<&str>| edition_path(&venue, year, group);
    let mut tabs = vec![Tab {
        label: "All".into(),
        papers: edition.total(),
        href: edition_href(None),
        current: group.is_none(),
    }];
    tabs.extend(edition.named_groups().map(|(g, n)| Tab {
        label: g.to_string(),
        papers: n,
        href: edition_href(Some(g)),
        current: group.as_deref() == Some(g),
    }));
    let base = format!("/venue/{}.{year}", encode_segment(&venue));
    let page_href = |skip: u64| with_query(base.clone(), group.as_deref(), Some((show, skip)));
    let next = skip + u64::from(show);
    let feed_base = if latest {
        format!("{}/feed", venue_path(&venue))
    } else {
        format!("{base}/feed")
    };
    let feed_path = with_query(feed_base, group.as_deref(), None);
    Ok(EditionPage {
        canonical: format!("{}{}", state.site.url, edition_href(group.as_deref())),
        here: edition_href(group.as_deref()),
        feed_join: if feed_path.contains('?') { "&" } else { "?" },
        feed_path,
        venue_href: venue_path(&venue),
        editions: years
            .iter()
            .map(|y| (*y, edition_path(&venue, *y, None), *y == year))
            .collect(),
        first: skip + 1,
        last: skip + cards.len() as u64,
        previous_href: (skip > 0).then(|| page_href(skip.saturating_sub(u64::from(show)))),
        next_href: (next < total).then(|| page_href(next)),
        tabs,
        total,
        cards,
        show,
        venue,
        year,
        group,
    }
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(venue: &str, year: u16, group: Option<&str>, papers: u64) -> GroupCount {
        GroupCount {
            venue: venue.into(),
            year,
            group: group.map(str::to_string),
            papers,
        }
    }

    fn stored() -> Vec<Venue> {
        venues(vec![
            count("ACM MM", 2025, None, 1),
            count("ICLR", 2026, None, 1),
            count("ICLR", 2026, Some("Oral"), 2),
            count("ICLR", 2026, Some("Poster"), 5),
            count("ICLR", 2025, Some("Spotlight"), 3),
            count("NeurIPS", 2025, Some("Poster"), 4),
        ])
    }

    #[test]
    fn counts_become_venues_and_editions() {
        let venues = stored();
        let names: Vec<&str> = venues.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["ACM MM", "ICLR", "NeurIPS"]);
        let iclr = &venues[1];
        assert_eq!(iclr.editions.len(), 2);
        assert_eq!(iclr.editions[0].year, 2026);
        assert_eq!(iclr.editions[0].total(), 8);
        assert_eq!(iclr.editions[0].count(Some("Oral")), 2);
    }

    #[test]
    fn names_resolve_as_readers_type_them() {
        let venues = stored();
        let latest = resolve(&venues, "iclr", None).unwrap();
        assert_eq!((latest.edition.year, latest.latest), (2026, true));
        assert_eq!(latest.years, [2026, 2025]);
        let found = resolve(&venues, "ICLR.2025", Some("spotlight")).unwrap();
        assert_eq!(found.edition.year, 2025);
        assert_eq!(found.group.as_deref(), Some("Spotlight"));
        assert!(!found.latest);
        assert_eq!(
            resolve(&venues, "NIPS", None).unwrap().edition.venue,
            "NeurIPS"
        );
        assert_eq!(
            resolve(&venues, "acmmm.2025", None).unwrap().edition.venue,
            "ACM MM"
        );
        assert_eq!(resolve(&venues, "ICLR.2026", Some("")).unwrap().group, None);
    }

    #[test]
    fn what_is_not_there_says_what_is() {
        let venues = stored();
        let err = resolve(&venues, "CVPR", None).err().unwrap();
        assert!(
            err.contains("'CVPR'") && err.contains("ICLR, NeurIPS"),
            "{err}"
        );
        let err = resolve(&venues, "ICLR.2019", None).err().unwrap();
        assert!(err.contains("2026, 2025"), "{err}");
        let err = resolve(&venues, "ICLR.2026", Some("Best")).err().unwrap();
        assert!(err.contains("Oral, Poster"), "{err}");
        let err = resolve(&venues, &"x".repeat(500), None).err().unwrap();
        assert!(err.len() < 300, "{err}");
        assert!(
            resolve(&[], "ICLR", None)
                .err()
                .unwrap()
                .contains("No venues")
        );
    }

    #[test]
    fn paths_encode_names() {
        assert_eq!(edition_path("ICLR", 2026, None), "/venue/ICLR.2026");
        assert_eq!(
            edition_path("ACM MM", 2025, Some("Best Paper")),
            "/venue/ACM%20MM.2025?group=Best+Paper"
        );
        assert_eq!(venue_path("A/B?"), "/venue/A%2FB%3F");
    }
}
