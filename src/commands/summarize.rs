//! `papers summarize`: pre-generates FAQ summaries (for cron), so the morning's readers get them
//! from the cache. Jobs go through the same persistent queue as the web's clicks: a run that is
//! stopped leaves its jobs in the queue (those under way are taken over once their lease runs
//! out), and the next run (or a server) finishes them.

use std::time::Duration;

use anyhow::Context;
use chrono::NaiveDate;
use papers_core::{ArxivId, Config, Lang, Paper, Store};
use papers_summarizer::{JobView, Summarizer};
use serde::Serialize;

use crate::progress::Counter;

pub struct Selection {
    pub topic: Option<String>,
    pub ids: Vec<String>,
    pub since: Option<NaiveDate>,
    pub limit: u32,
    pub langs: Vec<Lang>,
}

#[derive(Default, Serialize)]
struct Report {
    selected: u64,
    cached: u64,
    written: u64,
    failed: u64,
    provider: String,
    model: String,
    failures: Vec<Failure>,
}

#[derive(Serialize)]
struct Failure {
    id: String,
    lang: Lang,
    reason: String,
}

pub async fn run(
    store: &Store,
    config: &Config,
    selection: Selection,
    json: bool,
) -> anyhow::Result<bool> {
    let papers = select(store, config, &selection).await?;
    let summarizer =
        Summarizer::from_config(store.clone(), config).map_err(|e| anyhow::anyhow!(e))?;
    let mut report = Report {
        provider: summarizer.provider().kind().into(),
        model: summarizer.provider().model().into(),
        ..Report::default()
    };
    let mut pending: Vec<(Paper, Lang)> = Vec::new();
    for paper in papers {
        for &lang in &selection.langs {
            report.selected += 1;
            let (enqueued, _) = summarizer.request(&paper, lang, false).await?;
            match enqueued {
                None => report.cached += 1,
                Some(_) => pending.push((paper.clone(), lang)),
            }
        }
    }
    if !json {
        eprintln!(
            "{} summaries to write ({} already cached) with {} ({})",
            pending.len(),
            report.cached,
            report.provider,
            report.model
        );
    }
    let (stop, running) = tokio::sync::watch::channel(false);
    let workers = summarizer.spawn_workers(running);
    let mut progress = Counter::new(pending.len() as u64, "summaries");
    let total = pending.len() as u64;
    let interrupted =
        wait_for(&summarizer, &mut pending, &mut report, &mut progress, total).await?;
    progress.finish();
    let _ = stop.send(true);
    for worker in workers {
        worker.abort();
    }
    if interrupted {
        eprintln!(
            "stopped: {} summaries stay queued; run again (or start the server) to finish them",
            pending.len()
        );
    }
    if json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        println!(
            "{} written, {} already cached, {} failed ({} {})",
            report.written, report.cached, report.failed, report.provider, report.model
        );
        for f in &report.failures {
            println!("  {} [{}]: {}", f.id, f.lang.code(), f.reason);
        }
    }
    Ok(report.failed == 0 && !interrupted)
}

/// Polls the selected jobs until each is written or failed; true if it stopped first (Ctrl-C,
/// or the day's token budget spent).
async fn wait_for(
    summarizer: &Summarizer,
    pending: &mut Vec<(Paper, Lang)>,
    report: &mut Report,
    progress: &mut Counter,
    total: u64,
) -> anyhow::Result<bool> {
    let mut interrupt = std::pin::pin!(tokio::signal::ctrl_c());
    while !pending.is_empty() {
        let mut still = Vec::with_capacity(pending.len());
        let mut budget_spent = false;
        for (paper, lang) in pending.drain(..) {
            let state = summarizer.state(&paper, lang).await?;
            match state.job {
                None if state.summary.as_ref().is_some_and(|s| !s.stale) => report.written += 1,
                Some(JobView::Failed { reason }) => {
                    report.failed += 1;
                    report.failures.push(Failure {
                        id: paper.id.to_string(),
                        lang,
                        reason,
                    });
                }
                Some(JobView::Queued {
                    waiting_for_budget: true,
                    ..
                }) => {
                    budget_spent = true;
                    still.push((paper, lang));
                }
                _ => still.push((paper, lang)),
            }
        }
        *pending = still;
        if budget_spent && !pending.is_empty() {
            // Nothing more can happen before midnight (UTC): cron should not wait for it.
            eprintln!(
                "the daily token budget is spent: {} summaries stay queued for tomorrow",
                pending.len()
            );
            return Ok(true);
        }
        let done = total - pending.len() as u64;
        progress.set(done, &format!("{} failed", report.failed));
        if pending.is_empty() {
            break;
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(300)) => {}
            _ = &mut interrupt => return Ok(true),
        }
    }
    Ok(false)
}

async fn select(
    store: &Store,
    config: &Config,
    selection: &Selection,
) -> anyhow::Result<Vec<Paper>> {
    let mut papers = Vec::new();
    for text in &selection.ids {
        let (id, _) = ArxivId::parse_versioned(text)
            .with_context(|| format!("'{text}' is not an arXiv id"))?;
        match store.get(&id).await? {
            Some(paper) => papers.push(paper),
            None => anyhow::bail!("{id} is not stored: `papers fetch {id}` first"),
        }
    }
    if let Some(name) = &selection.topic {
        if !config.topics.iter().any(|t| &t.name == name) {
            let names: Vec<_> = config.topics.iter().map(|t| t.name.as_str()).collect();
            anyhow::bail!("no topic '{name}': the topics are {}", names.join(", "));
        }
        // Newest first, so --limit keeps the latest papers; --since cuts the tail.
        let mut offset = 0;
        'pages: loop {
            let page = store.topic_papers(name, 500, offset).await?;
            if page.is_empty() {
                break;
            }
            offset += page.len() as u32;
            for paper in page {
                if papers.len() >= selection.limit as usize {
                    break 'pages;
                }
                let day = paper.announced.or(paper.published.map(|p| p.date_naive()));
                if let (Some(since), Some(day)) = (selection.since, day)
                    && day < since
                {
                    break 'pages;
                }
                papers.push(paper);
            }
        }
        if papers.is_empty() {
            eprintln!("topic '{name}' has no papers in range (has `papers index` run?)");
        }
    }
    Ok(papers)
}
