//! `papers index` (bring the search index up to date with the Store) and `papers search`.

use std::path::PathBuf;
use std::time::Instant;

use papers_core::{Config, Store};
use papers_indexer::{SearchIndex, SearchOptions, Sort};

/// The index lives beside the SQLite file: derived data, rebuilt from the Store at will.
pub fn index_dir(config: &Config) -> PathBuf {
    config.data_dir.join("index")
}

pub async fn index(
    store: &Store,
    config: &Config,
    rebuild: bool,
    json: bool,
) -> anyhow::Result<()> {
    let dir = index_dir(config);
    let index = SearchIndex::open(&dir)?;
    let started = Instant::now();
    let report = index
        .sync(store, rebuild, |r| {
            if r.commits > 0 {
                tracing::info!(indexed = r.indexed, commits = r.commits, "indexing");
            }
        })
        .await?;
    if json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        println!(
            "index {}: {} papers indexed{} in {:.1}s, {} documents",
            dir.display(),
            report.indexed,
            if report.from_scratch {
                " from scratch"
            } else {
                ""
            },
            started.elapsed().as_secs_f64(),
            report.documents
        );
    }
    Ok(())
}

pub fn search(
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
    let results = index.search(query, &options)?;
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
