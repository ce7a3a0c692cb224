//! `papers search`, `papers related` and `papers topic`: reading what `papers index` built.

use papers_core::{ArxivId, Config, Store};
use papers_indexer::semantic::Meaning;
use papers_indexer::{SearchIndex, SearchOptions, Sort};

use super::index::index_dir;

pub async fn search(
    config: &Config,
    query: &str,
    limit: usize,
    sort: Sort,
    json: bool,
) -> anyhow::Result<()> {
    let dir = index_dir(config);
    let index = SearchIndex::open(&dir)?;
    if index.documents() == 0 {
        anyhow::bail!(
            "the search index at {} is empty: run `papers index` first",
            dir.display()
        );
    }
    let options = SearchOptions {
        limit,
        offset: 0,
        sort,
    };
    // Hybrid when `papers index` has made vectors; full text alone otherwise.
    let meaning = Meaning::load(config, &dir)?;
    let semantic = match &meaning {
        Some(meaning) => meaning.for_query(query).await,
        None => None,
    };
    let results = index.search_with(query, &options, semantic.as_ref())?;
    if json {
        for hit in &results.hits {
            let line = serde_json::json!({
                "id": hit.id, "title": hit.title, "score": hit.score, "snippet": hit.snippet_html,
                "authors": hit.authors, "categories": hit.categories, "date": hit.date,
            });
            println!("{line}");
        }
        return Ok(());
    }
    if let Some(id) = &results.jump
        && results.hits.is_empty()
    {
        println!("{id} is not stored yet: `papers fetch {id}` adds it");
        return Ok(());
    }
    println!("{} results for {query:?}", results.total);
    for hit in &results.hits {
        let date = hit.date.map_or_else(String::new, |d| d.to_string());
        println!(
            "\n{}  {}  [{}]  {date}",
            hit.id,
            hit.title,
            hit.categories.join(", ")
        );
        println!("    {}", plain(&hit.snippet_html));
    }
    Ok(())
}

/// A snippet for a terminal: highlights as *word*, entities back to characters.
fn plain(html: &str) -> String {
    html.replace("<b>", "*")
        .replace("</b>", "*")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The papers nearest in meaning to one paper.
pub async fn related(
    store: &Store,
    config: &Config,
    id: &str,
    limit: usize,
    json: bool,
) -> anyhow::Result<()> {
    let id = ArxivId::parse(id)?;
    let Some(meaning) = Meaning::load(config, &index_dir(config))? else {
        anyhow::bail!(
            "there are no paper vectors yet: run `papers index` (with an embedder configured; see the README)"
        );
    };
    let Some(related) = meaning.related(id.as_str(), limit) else {
        match store.get(&id).await? {
            Some(_) => anyhow::bail!("{id} has no vector yet: run `papers index`"),
            None => anyhow::bail!("{id} is not stored: `papers fetch {id}` adds it"),
        }
    };
    if !json && let Some(paper) = store.get(&id).await? {
        println!("Related to {id}  {}", paper.title);
    }
    for (other, score) in related.iter() {
        let Some(paper) = store.get(&ArxivId::parse(other)?).await? else {
            continue;
        };
        if json {
            let line = serde_json::json!({
                "id": paper.id.as_str(), "title": paper.title, "score": score,
                "snippet": opening(&paper.abstract_text, 300),
                "authors": paper.authors, "categories": paper.categories.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
                "date": paper.announced,
            });
            println!("{line}");
        } else {
            println!(
                "\n{}  {}  [{:.3}]\n    {}",
                paper.id,
                paper.title,
                score,
                opening(&paper.abstract_text, 160)
            );
        }
    }
    Ok(())
}

/// The topics and their sizes, or one topic's papers, newest first.
pub async fn topic(
    store: &Store,
    config: &Config,
    name: Option<&str>,
    limit: u32,
    json: bool,
) -> anyhow::Result<()> {
    let Some(name) = name else {
        for topic in &config.topics {
            let count = store.topic_count(&topic.name).await?;
            if json {
                let line = serde_json::json!({
                    "name": topic.name, "title": topic.title, "query": topic.query, "papers": count,
                });
                println!("{line}");
            } else {
                println!("{:<16} {:>7} papers  {}", topic.name, count, topic.title);
            }
        }
        return Ok(());
    };
    let Some(topic) = config.topics.iter().find(|t| t.name == name) else {
        let names: Vec<&str> = config.topics.iter().map(|t| t.name.as_str()).collect();
        anyhow::bail!(
            "no topic named '{name}'; the topics are: {}",
            names.join(", ")
        );
    };
    let papers = store.topic_papers(&topic.name, limit, 0).await?;
    if papers.is_empty() && !json {
        println!(
            "{} has no papers yet: `papers index` computes topic membership",
            topic.name
        );
    }
    for paper in papers {
        let date = paper.announced.map_or_else(String::new, |d| d.to_string());
        if json {
            let line = serde_json::json!({
                "id": paper.id.as_str(), "title": paper.title, "date": paper.announced,
                "authors": paper.authors,
            });
            println!("{line}");
        } else {
            println!("{}  {date}  {}", paper.id, paper.title);
        }
    }
    Ok(())
}

/// The first `max` characters of `text`, cut at a word.
fn opening(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((end, _)) => format!("{}…", &text[..text[..end].rfind(' ').unwrap_or(end)]),
    }
}
