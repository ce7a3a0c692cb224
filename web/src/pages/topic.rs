//! `/topic/{name}`: a topic's papers (a saved query from papers.toml, matched at index time),
//! newest day first, grouped by day.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use chrono::NaiveDate;
use papers_core::Topic;
use serde::Deserialize;

use super::Card;
use crate::{AppError, AppState, params};

#[derive(Debug, Default, Deserialize)]
pub struct TopicQuery {
    pub show: Option<String>,
    pub skip: Option<String>,
}

/// A day's papers within the topic.
struct DayGroup {
    date: Option<NaiveDate>,
    cards: Vec<Card>,
}

#[derive(Template, WebTemplate)]
#[template(path = "topic.html")]
pub struct TopicPage {
    topic: Topic,
    total: u64,
    groups: Vec<DayGroup>,
    show: u32,
    previous_skip: Option<u64>,
    next_skip: Option<u64>,
}

/// The topic named in the URL, or a 404 that lists the ones there are.
pub fn find<'a>(state: &'a AppState, name: &str) -> Result<&'a Topic, AppError> {
    state
        .site
        .topics
        .iter()
        .find(|t| t.name == name)
        .ok_or_else(|| {
            let names: Vec<&str> = state.site.topics.iter().map(|t| t.name.as_str()).collect();
            AppError::NotFound(format!(
                "There is no topic '{}'. Topics: {}.",
                params::clip(name),
                names.join(", ")
            ))
        })
}

pub async fn topic(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(query): Query<TopicQuery>,
) -> Result<TopicPage, AppError> {
    let topic = find(&state, &name)?.clone();
    let show = params::show(query.show.as_deref())?;
    let skip = params::skip(query.skip.as_deref())?;
    let total = state.store.topic_count(&topic.name).await?;
    let papers = state.store.topic_papers(&topic.name, show, skip).await?;
    let cards: Vec<Card> = papers
        .iter()
        .enumerate()
        .map(|(i, paper)| Card::new(u64::from(skip) + i as u64 + 1, paper, None))
        .collect();
    let cards = super::with_venues(&state, cards).await;
    let mut groups: Vec<DayGroup> = Vec::new();
    for (paper, card) in papers.iter().zip(cards) {
        match groups.last_mut() {
            Some(group) if group.date == paper.announced => group.cards.push(card),
            _ => groups.push(DayGroup {
                date: paper.announced,
                cards: vec![card],
            }),
        }
    }
    let skip = u64::from(skip);
    let next = skip + u64::from(show);
    Ok(TopicPage {
        topic,
        total,
        groups,
        show,
        previous_skip: (skip > 0).then(|| skip.saturating_sub(u64::from(show))),
        next_skip: (next < total).then_some(next),
    })
}
