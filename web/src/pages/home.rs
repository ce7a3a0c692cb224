//! `/`: the latest announced day's categories grouped by archive with their counts, the topics,
//! and the recent days.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use chrono::NaiveDate;
use serde::Deserialize;

use crate::{AppError, AppState, params};

/// One archive's line on the home page.
struct ArchiveCounts {
    archive: String,
    group: &'static str,
    /// (category code, human name, papers that day)
    categories: Vec<(String, &'static str, u64)>,
}

/// A topic with how many papers it holds.
struct TopicCount {
    name: String,
    title: String,
    query: String,
    papers: u64,
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub struct HomePage {
    /// The day shown: the latest, or the one asked for with `?date=`.
    day: Option<NaiveDate>,
    /// The query string category links carry so they open the same day (empty for the latest).
    day_query: String,
    papers: u64,
    archives: Vec<ArchiveCounts>,
    topics: Vec<TopicCount>,
    recent_days: Vec<NaiveDate>,
}

#[derive(Debug, Deserialize)]
pub struct HomeQuery {
    date: Option<String>,
}

pub async fn home(
    State(state): State<AppState>,
    Query(query): Query<HomeQuery>,
) -> Result<HomePage, AppError> {
    let store = &state.store;
    let dates = state.calendar.dates(store).await?;
    let papers = store.paper_count().await?;
    let latest = dates.first().copied();
    let day = params::optional_date(query.date.as_deref())?.or(latest);
    let mut by_archive: BTreeMap<String, ArchiveCounts> = BTreeMap::new();
    if let Some(day) = day {
        for count in store.day_counts(day, day).await? {
            let info = count.category.info();
            let archive = count.category.archive().to_string();
            let entry = by_archive
                .entry(archive.clone())
                .or_insert_with(|| ArchiveCounts {
                    archive,
                    group: info.map_or("Other", |i| i.group),
                    categories: Vec::new(),
                });
            entry.categories.push((
                count.category.to_string(),
                info.map_or("", |i| i.name),
                count.papers,
            ));
        }
    }
    let mut archives: Vec<ArchiveCounts> = by_archive.into_values().collect();
    archives.sort_by(|a, b| (a.group, &a.archive).cmp(&(b.group, &b.archive)));
    let mut topics = Vec::new();
    for topic in &state.site.topics {
        topics.push(TopicCount {
            name: topic.name.clone(),
            title: topic.title.clone(),
            query: topic.query.clone(),
            papers: store.topic_count(&topic.name).await?,
        });
    }
    Ok(HomePage {
        day_query: match day {
            Some(d) if day != latest => format!("?date={d}"),
            _ => String::new(),
        },
        day,
        papers,
        archives,
        topics,
        recent_days: dates.iter().take(30).copied().collect(),
    })
}
