//! kill -9 in the middle of a crawl, an OAI-PMH backfill, an incremental index sync and a summary
//! generation; then the same command again, to its end. Afterwards nothing stored before the
//! kill is gone, nothing is stored (or indexed) twice, the search index holds exactly the Store's
//! papers, and the work the killed run left (a harvest's checkpoint, a summary job) is finished.
//!
//! Each kill lands at a point the test sees, not after a guessed delay: a request the mock arXiv
//! holds back, a progress line, the index writer's lock held open, vectors appearing in the
//! Store, the mock LLM's answers under way. Every scenario runs on SQLite and on PostgreSQL.
//! The summary scenario takes about half a minute: a dead worker's job is taken over only when
//! its lease (30 s) has run out, and the test waits for that rather than shortening it.

mod support;

use std::collections::HashSet;
use std::io::Read;
use std::path::Path;
use std::time::Duration;

use chrono::NaiveDate;
use papers_core::testing::PgSchema;
use papers_core::{ArxivId, JobState, Lang, Maker, Paper};
use papers_summarizer::testing::MockLlm;
use support::kill::{Backend, Site};
use support::mock_arxiv::{Fault, MockArxiv};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/demo/arxiv-sample.jsonl.gz");
const CATEGORIES: [&str; 4] = ["cs.LG", "cs.CL", "cs.AI", "cs.CV"];

/// One test per database for a scenario `async fn NAME(Backend)`; under `CI=true` a missing
/// PostgreSQL fails (in `PgSchema::create`) instead of skipping.
macro_rules! on_both_databases {
    ($name:ident) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(Backend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(pg) = PgSchema::create().await else {
                    return;
                };
                super::$name(Backend::Postgres(pg)).await;
            }
        }
    };
}

on_both_databases!(a_crawl_killed_mid_run_is_done_whole_by_the_next);
on_both_databases!(an_oai_backfill_killed_mid_harvest_resumes_from_its_checkpoint);
on_both_databases!(an_index_sync_killed_mid_way_is_finished_by_the_next);
on_both_databases!(a_summary_killed_mid_generation_is_taken_over_and_written_once);

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// Real papers from the bundled demo sample, announced on `date`, in any of `categories`.
fn sample(date: &str, categories: &[&str], limit: usize) -> Vec<Paper> {
    sample_papers()
        .into_iter()
        .filter(|p| p.announced.is_some_and(|d| d.to_string() == date))
        .filter(|p| {
            p.categories
                .iter()
                .any(|c| categories.contains(&c.as_str()))
        })
        .take(limit)
        .collect()
}

fn sample_papers() -> Vec<Paper> {
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(SAMPLE).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    text.lines()
        .map(|line| papers_crawler::jsonl::parse_line(line).unwrap().paper)
        .collect()
}

/// How the feed announces a paper for the listed categories.
fn announce_type(paper: &Paper) -> &'static str {
    if paper
        .primary_category()
        .is_some_and(|c| CATEGORIES.contains(&c.as_str()))
    {
        "new"
    } else {
        "cross"
    }
}

/// The API knows more than the feed: a comment and a DOI for every paper.
fn with_api_details(papers: &[Paper]) -> Vec<Paper> {
    papers
        .iter()
        .map(|p| {
            let mut p = p.clone();
            p.comment = Some(format!("{} pages", 8 + p.title.len() % 20));
            p.doi = Some(format!("10.1234/{}", p.id));
            p.published = Some("2026-06-29T17:00:00Z".parse().unwrap());
            p
        })
        .collect()
}

fn ids<'a>(papers: impl IntoIterator<Item = &'a Paper>) -> HashSet<String> {
    papers.into_iter().map(|p| p.id.to_string()).collect()
}

/// The site's crawler pointed at the mock arXiv.
fn crawling(site: &mut Site, mock: &MockArxiv) {
    site.set("PAPERS_ARXIV_FEED_URL", &mock.feed_url());
    site.set("PAPERS_ARXIV_API_URL", &mock.api_url());
    site.set("PAPERS_ARXIV_OAI_URL", &mock.oai_url());
    site.set("PAPERS_ARXIV_MIN_INTERVAL_SECS", "0");
    site.set("PAPERS_ARXIV_TIMEOUT_SECS", "5");
    site.set("PAPERS_CATEGORIES", &CATEGORIES.join(","));
}

/// Panics unless `got` holds exactly the `want`ed ids, naming a few that differ.
fn same_ids(got: &HashSet<String>, want: &HashSet<String>, what: &str) {
    let missing: Vec<_> = want.difference(got).take(5).collect();
    let extra: Vec<_> = got.difference(want).take(5).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{what}: {} ids, {} wanted; missing {missing:?}, not wanted {extra:?}",
        got.len(),
        want.len()
    );
}

/// The index agrees with the Store: the same ids, each once (checked by the helpers).
async fn index_agrees_with_the_store(site: &Site) -> HashSet<String> {
    let stored = site.stored_ids().await;
    same_ids(
        &site.indexed_ids(),
        &stored,
        "the index holds the Store's papers",
    );
    stored
}

async fn a_crawl_killed_mid_run_is_done_whole_by_the_next(backend: Backend) {
    let mock = MockArxiv::start().await;
    let mut site = Site::new(backend);
    crawling(&mut site, &mock);

    // Yesterday: crawled and indexed in full.
    let yesterday = sample("2026-06-30", &CATEGORIES, 40);
    assert!(yesterday.len() >= 30, "the demo sample has a full day");
    mock.set_listing(
        day("2026-06-30"),
        yesterday
            .iter()
            .map(|p| (p.clone(), announce_type(p)))
            .collect(),
    );
    mock.add_papers(with_api_details(&yesterday));
    let first = site.ok(&["crawl", "--json"]).await.json();
    assert_eq!(first["new"], yesterday.len() as u64, "{first}");
    site.ok(&["index"]).await;
    let before = site.stored_ids().await;
    same_ids(&before, &ids(&yesterday), "yesterday's papers");

    // Today: a full day, completed by the API in batches of 100, and a new version of one of
    // yesterday's papers.
    let today = sample("2026-07-01", &CATEGORIES, 400);
    assert!(
        today.len() > 100,
        "at least two API batches: {}",
        today.len()
    );
    let mut revised = yesterday[0].clone();
    revised.version = 2;
    revised.title = format!("{} zyxwv revised", revised.title);
    revised.announced = None;
    let mut listing: Vec<(Paper, &'static str)> = today
        .iter()
        .map(|p| (p.clone(), announce_type(p)))
        .collect();
    listing.push((revised.clone(), "replace"));
    mock.set_listing(day("2026-07-01"), listing);
    let mut served = with_api_details(&today);
    served.extend(with_api_details(std::slice::from_ref(&revised)));
    mock.add_papers(served);

    // The API answers the first batch and holds the second: the kill lands while the crawl
    // waits for it, with today's feed read and a batch completed in memory.
    let asked_before = mock.requests_to("/api/query").len();
    mock.push_fault("/api/query", Fault::Delay(Duration::ZERO));
    mock.push_fault("/api/query", Fault::Delay(Duration::from_secs(30)));
    let mut crawl = site.start(&["crawl", "--json"]);
    crawl
        .wait_for("the second API batch", async |_| {
            mock.requests_to("/api/query").len() >= asked_before + 2
        })
        .await;
    crawl.kill();
    let after_kill = site.stored_ids().await;
    assert!(
        before.is_subset(&after_kill),
        "yesterday's papers survive the kill"
    );

    // Cron runs it again: it takes over the dead run's lease at once, reads the feed again (the
    // killed run must not have remembered it as seen) and stores the whole day.
    let again = site.ok(&["crawl", "--json"]).await.json();
    assert_eq!(again["outcome"], "ok", "{again}");
    assert_eq!(again["not_modified"], false, "{again}");
    assert_eq!(
        again["completed"],
        today.len() as u64 + 1,
        "every listed paper completed by the API: {again}"
    );
    let stored = site.stored_ids().await;
    let expected: HashSet<String> = before.union(&ids(&today)).cloned().collect();
    same_ids(&stored, &expected, "yesterday and today, each paper once");
    for paper in [&today[0], &today[today.len() / 2], &today[today.len() - 1]] {
        let got = site.paper(paper.id.as_str()).await.unwrap();
        assert_eq!(
            got.doi,
            Some(format!("10.1234/{}", paper.id)),
            "the API's details"
        );
        assert_eq!(got.announced, Some(day("2026-07-01")));
    }
    let got = site.paper(revised.id.as_str()).await.unwrap();
    assert_eq!(got.version, 2);
    assert_eq!(got.title, revised.title);
    assert_eq!(
        got.announced,
        Some(day("2026-06-30")),
        "still listed on its first day"
    );

    // Search follows: every paper once, the revised one under its new title.
    let report = site.ok(&["index", "--json"]).await.json();
    assert_eq!(report["documents"], expected.len() as u64, "{report}");
    index_agrees_with_the_store(&site).await;
    let found = site.ok(&["search", "zyxwv", "--json"]).await.stdout;
    assert_eq!(found.lines().count(), 1, "{found}");
    assert!(found.contains(revised.id.as_str()), "{found}");
    site.finish().await;
}

async fn an_oai_backfill_killed_mid_harvest_resumes_from_its_checkpoint(backend: Backend) {
    let mock = MockArxiv::start().await;
    let mut site = Site::new(backend);
    crawling(&mut site, &mock);
    // Progress lines as JSON on stderr: the test waits for the second page's.
    site.set("PAPERS_LOG", "info");

    // The day's listing is crawled first: these papers know their listing day and DOI, which
    // the harvest's records do not carry and must not take away.
    let listed = sample("2026-07-01", &CATEGORIES, 30);
    mock.set_listing(
        day("2026-07-01"),
        listed
            .iter()
            .map(|p| (p.clone(), announce_type(p)))
            .collect(),
    );
    mock.add_papers(with_api_details(&listed));
    site.ok(&["crawl"]).await;
    let before = site.stored_ids().await;
    same_ids(&before, &ids(&listed), "the listed papers");

    // The harvest: three days of cs papers (the listed ones among them), 20 records a page.
    let history: Vec<Paper> = ["2026-06-29", "2026-06-30", "2026-07-01"]
        .iter()
        .flat_map(|d| sample(d, &CATEGORIES, 80))
        .filter(|p| p.primary_category().is_some_and(|c| c.archive() == "cs"))
        // OAI-PMH records carry no listing day and, here, no DOI.
        .map(|mut p| {
            p.announced = None;
            p.doi = None;
            p.published = Some("2026-06-29T17:00:00Z".parse().unwrap());
            p
        })
        .collect();
    assert!(history.len() >= 150, "{}", history.len());
    mock.add_papers(history.clone());
    mock.set_oai_page_size(20);
    // Two pages at once, then the third held back: the kill lands after the second page's
    // checkpoint, while the harvest waits for the third.
    mock.push_fault("/oai2", Fault::Delay(Duration::ZERO));
    mock.push_fault("/oai2", Fault::Delay(Duration::ZERO));
    mock.push_fault("/oai2", Fault::Delay(Duration::from_secs(30)));
    let args = [
        "--log-format",
        "json",
        "crawl",
        "--backfill",
        "--set",
        "cs",
        "--from",
        "2026-06-01",
        "--json",
    ];
    let mut harvest = site.start(&args);
    harvest
        .wait_for("the second page's checkpoint", async |run| {
            run.logged("backfill progress")
                .iter()
                .any(|event| event["fields"]["pages"] == 2)
                && mock.requests_to("/oai2").len() >= 3
        })
        .await;
    harvest.kill();
    let after_kill = site.stored_ids().await;
    let everything: HashSet<String> = before.union(&ids(&history)).cloned().collect();
    assert!(before.is_subset(&after_kill), "listed papers survive");
    assert!(after_kill.is_subset(&everything));
    assert!(
        after_kill.difference(&before).count() <= 40,
        "at most the two pages: {}",
        after_kill.len()
    );
    assert!(
        after_kill.len() < everything.len(),
        "the kill cut the harvest"
    );

    // Run again: the harvest goes on from the third page, by its resumption token.
    let asked = mock.requests_to("/oai2").len();
    let run = site.ok(&args).await;
    let report = run.json();
    assert_eq!(report["resumed"], true, "{report}");
    assert_eq!(report["finished"], true, "{report}");
    let resumed_with = &mock.requests_to("/oai2")[asked];
    assert!(
        resumed_with.query.contains("resumptionToken"),
        "resumed by token, not from the start: {}",
        resumed_with.query
    );
    let stored = site.stored_ids().await;
    assert!(
        after_kill.is_subset(&stored),
        "what the killed run stored is kept"
    );
    same_ids(&stored, &everything, "every record once");
    for paper in &listed {
        let got = site.paper(paper.id.as_str()).await.unwrap();
        assert_eq!(
            got.announced,
            Some(day("2026-07-01")),
            "{} keeps its listing day",
            paper.id
        );
        assert_eq!(got.doi, Some(format!("10.1234/{}", paper.id)));
    }

    site.ok(&["index"]).await;
    index_agrees_with_the_store(&site).await;
    site.finish().await;
}

/// Writes `papers` in the import format to `path`.
fn write_jsonl(path: &Path, papers: &[Paper]) {
    let mut text = String::new();
    for p in papers {
        let categories: Vec<&str> = p.categories.iter().map(|c| c.as_str()).collect();
        text.push_str(
            &serde_json::json!({
                "id": p.id.as_str(),
                "version": p.version,
                "title": p.title,
                "authors": p.authors,
                "categories": categories,
                "abstract": p.abstract_text,
                "announced": p.announced,
            })
            .to_string(),
        );
        text.push('\n');
    }
    std::fs::write(path, text).unwrap();
}

/// `n` new papers with ids 2607.{start}…, words drawn from the sample's abstracts so that the
/// trained model has something to embed.
fn new_papers(start: usize, n: usize, words: &[&str]) -> Vec<Paper> {
    (start..start + n)
        .map(|i| {
            let pick = |k: usize| words[(i * 7 + k * 13) % words.len()];
            let title = format!("Paper {i}: {} {} {}", pick(1), pick(2), pick(3));
            let abstract_text = (0..40).map(pick).collect::<Vec<_>>().join(" ");
            Paper {
                id: ArxivId::parse(&format!("2607.{i:05}")).unwrap(),
                version: 1,
                title,
                authors: vec!["Ada Lovelace".into(), format!("Author {}", i % 97)],
                abstract_text,
                categories: vec![papers_core::Category::parse("cs.LG").unwrap()],
                comment: None,
                journal_ref: None,
                doi: None,
                published: None,
                updated: None,
                announced: Some(day("2026-07-02")),
            }
        })
        .collect()
}

async fn an_index_sync_killed_mid_way_is_finished_by_the_next(backend: Backend) {
    let site = Site::new(backend);
    let dir = tempfile::tempdir().unwrap();
    // A part of the sample, indexed: enough to train the model on, quick to index.
    let sample: Vec<Paper> = sample_papers().into_iter().take(300).collect();
    let file = dir.path().join("sample.jsonl");
    write_jsonl(&file, &sample);
    site.ok(&["import", file.to_str().unwrap()]).await;
    let first = site.ok(&["index", "--json"]).await.json();
    let embedder = first["vectors"]["embedder"]
        .as_str()
        .unwrap_or_else(|| panic!("the sample trains a model: {first}"))
        .to_string();
    let indexed_before = index_agrees_with_the_store(&site).await;

    let text: String = sample
        .iter()
        .map(|p| p.abstract_text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let words: Vec<&str> = text.split_whitespace().filter(|w| w.len() > 3).collect();

    // New papers, and new versions of papers already indexed.
    let mut batch = new_papers(1, 2_000, &words);
    let revised: Vec<Paper> = sample
        .iter()
        .take(50)
        .map(|p| {
            let mut p = p.clone();
            p.version += 1;
            p.title = format!("Zyxwv revision of {}", p.title);
            p
        })
        .collect();
    batch.extend(revised.iter().cloned());
    let file = dir.path().join("batch.jsonl");
    write_jsonl(&file, &batch);
    site.ok(&["import", file.to_str().unwrap()]).await;

    // Killed while the full-text sync holds the index writer: the index keeps its last commit,
    // whole, and search answers from it.
    let lock = site.index_dir().join(".tantivy-writer.lock");
    let mut sync = site.start(&["index"]);
    sync.wait_for("the index writer taken", async |run| run.holds_open(&lock))
        .await;
    sync.kill();
    let after_kill = site.indexed_ids();
    let all = site.stored_ids().await;
    assert!(
        after_kill == indexed_before || after_kill == all,
        "the index is its last commit, not part of one: {} documents",
        after_kill.len()
    );
    let out = site
        .ok(&["search", "attention", "--limit", "3", "--json"])
        .await;
    assert_eq!(
        out.stdout.lines().count(),
        3,
        "search works after the kill: {out:?}"
    );

    let report = site.ok(&["index", "--json"]).await.json();
    assert_eq!(report["documents"], all.len() as u64, "{report}");
    index_agrees_with_the_store(&site).await;
    let found = site
        .ok(&["search", "zyxwv", "--limit", "200", "--json"])
        .await
        .stdout;
    assert_eq!(
        found.lines().count(),
        revised.len(),
        "each revision found once: {found}"
    );
    same_ids(
        &site.vector_ids(&embedder),
        &all,
        "every paper has its vector",
    );

    // More papers; killed while their vectors are being made (some in the Store, not all).
    let more = new_papers(10_001, 1_500, &words);
    let file = dir.path().join("more.jsonl");
    write_jsonl(&file, &more);
    site.ok(&["import", file.to_str().unwrap()]).await;
    let store = site.store().await;
    let mut sync = site.start(&["index"]);
    // Papers are embedded in id order, a batch per transaction: once the first paper still
    // without a vector is not the first new one, a batch is stored and more are to come.
    sync.wait_for("some of the new vectors stored", async |_| {
        let next = store.papers_to_embed(&embedder, "", 1).await.unwrap();
        next.first().is_some_and(|p| p.id != more[0].id)
    })
    .await;
    sync.kill();
    store.close().await;

    let report = site.ok(&["index", "--json"]).await.json();
    let all = index_agrees_with_the_store(&site).await;
    assert_eq!(report["documents"], all.len() as u64, "{report}");
    let embedded = report["vectors"]["embedded"].as_u64().unwrap();
    assert!(
        embedded > 0 && embedded < more.len() as u64,
        "the vectors made before the kill are kept, the rest made now: {report}"
    );
    assert_eq!(report["vectors"]["vectors"], all.len() as u64, "{report}");
    same_ids(
        &site.vector_ids(&embedder),
        &all,
        "the vectors file searches load has every paper",
    );
    let related = site
        .ok(&["related", more[more.len() - 1].id.as_str(), "--json"])
        .await;
    assert!(!related.stdout.trim().is_empty(), "{related:?}");

    // And killed once every new vector is in the Store, while they are exported to the file
    // searches load: the next run has nothing to embed, yet must still write that file.
    let last = new_papers(20_001, 1_500, &words);
    let file = dir.path().join("last.jsonl");
    write_jsonl(&file, &last);
    site.ok(&["import", file.to_str().unwrap()]).await;
    let store = site.store().await;
    let partial = papers_indexer::vector_store::path_for(&site.index_dir(), &embedder)
        .with_extension("partial");
    let mut sync = site.start(&["index"]);
    let mut polls = 0u32;
    sync.wait_for("every new vector stored", async |run| {
        // The file is watched at every poll, the Store (a heavier question) at every fifth.
        polls += 1;
        run.holds_open(&partial)
            || (polls.is_multiple_of(5)
                && store
                    .papers_to_embed(&embedder, "", 1)
                    .await
                    .unwrap()
                    .is_empty())
    })
    .await;
    sync.kill_if_running();
    store.close().await;
    site.ok(&["index"]).await;
    let all = index_agrees_with_the_store(&site).await;
    same_ids(
        &site.vector_ids(&embedder),
        &all,
        "the vectors file has the papers embedded before the kill",
    );
    site.ok(&["related", last[0].id.as_str(), "--json"]).await;

    // Nothing left to do.
    let again = site.ok(&["index", "--json"]).await.json();
    assert_eq!(again["indexed"], 0, "{again}");
    assert_eq!(again["vectors"]["embedded"], 0, "{again}");
    site.finish().await;
}

async fn a_summary_killed_mid_generation_is_taken_over_and_written_once(backend: Backend) {
    let llm = MockLlm::start().await;
    // Each answer streams for about half a second: six of them are long enough to kill into.
    llm.set_chunk_delay(Duration::from_millis(100));
    let mut site = Site::new(backend);
    site.set("PAPERS_LLM_BASE_URL", &llm.url);
    site.set("PAPERS_LLM_MODEL", "mock-model");
    site.set("PAPERS_SUMMARY_FULL_TEXT", "false");
    let papers = sample("2026-07-01", &["cs.LG"], 3);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("papers.jsonl");
    write_jsonl(&file, &papers);
    site.ok(&["import", file.to_str().unwrap()]).await;
    let paper = &papers[0];
    let args = ["summarize", paper.id.as_str(), "--json"];
    let store = site.store().await;
    let maker = Maker {
        provider: "endpoint",
        model: "mock-model",
        prompt_version: papers_summarizer::prompt::version(),
    };

    // Killed while the job is running: the first answer written, the second under way.
    let mut run = site.start(&args);
    run.wait_for("the second answer under way", async |_| {
        let job = store
            .summary_job(&paper.id, paper.version, Lang::En)
            .await
            .unwrap();
        llm.requests() >= 2 && job.is_some_and(|j| j.state == JobState::Running)
    })
    .await;
    run.kill();
    let asked_before = llm.requests();
    assert!(
        asked_before < 6,
        "the generation was cut: {asked_before} answers asked"
    );
    let job = store
        .summary_job(&paper.id, paper.version, Lang::En)
        .await
        .unwrap()
        .expect("the job is still in the queue");
    assert_eq!(
        job.state,
        JobState::Running,
        "left running by a dead worker"
    );
    assert!(
        store
            .summary(&paper.id, Lang::En, &maker)
            .await
            .unwrap()
            .is_none(),
        "no answer stored from a cut generation"
    );

    // Two runs start at once (cron, and an operator): the job is taken over once the dead
    // worker's lease has run out, by one of them, and written once.
    let (a, b) = tokio::join!(site.run(&args), site.run(&args));
    for run in [&a, &b] {
        assert_eq!(run.code, Some(0), "{run:?}");
        assert_eq!(run.json()["written"], 1, "{run:?}");
        assert_eq!(run.json()["failed"], 0, "{run:?}");
    }
    assert_eq!(
        llm.requests() - asked_before,
        6,
        "one generation of six answers after the kill"
    );
    let summary = store
        .summary(&paper.id, Lang::En, &maker)
        .await
        .unwrap()
        .expect("the summary is stored");
    assert_eq!(summary.answers.len(), 6);
    assert!(
        summary.answers.iter().all(|a| a.contains("**Answer** to:")),
        "{:?}",
        summary.answers
    );
    assert!(
        store
            .summary_job(&paper.id, paper.version, Lang::En)
            .await
            .unwrap()
            .is_none(),
        "the job is done"
    );
    assert_eq!(store.summary_queue_len().await.unwrap(), (0, 0));

    // From the cache from now on.
    let cached = site.ok(&args).await.json();
    assert_eq!(cached["cached"], 1, "{cached}");
    assert_eq!(cached["written"], 0, "{cached}");
    assert_eq!(llm.requests() - asked_before, 6, "no generation again");
    store.close().await;
    site.finish().await;
}
