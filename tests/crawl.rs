//! `papers crawl` and `papers fetch` end to end: the real binary against a mock arXiv serving
//! arXiv's formats, with faults switched on. Each test checks what the Store holds afterwards and
//! the exit status, as an operator running it from cron would.

mod support;

use std::io::Read;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use papers_core::{ArxivId, Paper, Store};
use support::mock_arxiv::{Fault, MockArxiv};

const PAPERS: &str = env!("CARGO_BIN_EXE_papers");

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 7, d).unwrap()
}

/// Real papers from the bundled demo sample, announced on `date`, in any of `categories`.
fn sample(date: &str, categories: &[&str], limit: usize) -> Vec<Paper> {
    let file = std::fs::File::open(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/demo/arxiv-sample.jsonl.gz"
    ))
    .unwrap();
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .unwrap();
    text.lines()
        .filter_map(|line| papers_crawler::jsonl::parse_line(line).ok())
        .map(|parsed| parsed.paper)
        .filter(|p| p.announced.is_some_and(|d| d.to_string() == date))
        .filter(|p| {
            p.categories
                .iter()
                .any(|c| categories.contains(&c.as_str()))
        })
        .take(limit)
        .collect()
}

/// How the feed announces a paper for the listed categories.
fn announce_type(paper: &Paper, listed: &[&str]) -> &'static str {
    if paper
        .primary_category()
        .is_some_and(|c| listed.contains(&c.as_str()))
    {
        "new"
    } else {
        "cross"
    }
}

/// The API knows more than the feed: give every paper a comment and a DOI there.
fn with_api_details(papers: &[Paper]) -> Vec<Paper> {
    papers
        .iter()
        .map(|p| {
            let mut p = p.clone();
            p.comment = Some(format!("{} pages", 8 + p.title.len() % 20));
            p.doi = Some(format!("10.1234/{}", p.id));
            p.published = Some(
                chrono::DateTime::parse_from_rfc3339("2026-06-29T17:00:00Z")
                    .unwrap()
                    .into(),
            );
            p
        })
        .collect()
}

struct Site {
    mock: MockArxiv,
    data: tempfile::TempDir,
    env: Vec<(&'static str, String)>,
}

impl Site {
    async fn start() -> Site {
        let mock = MockArxiv::start().await;
        let env = vec![
            ("PAPERS_ARXIV_FEED_URL", mock.feed_url()),
            ("PAPERS_ARXIV_API_URL", mock.api_url()),
            ("PAPERS_ARXIV_OAI_URL", mock.oai_url()),
            ("PAPERS_ARXIV_MIN_INTERVAL_SECS", "0".to_string()),
            ("PAPERS_ARXIV_TIMEOUT_SECS", "5".to_string()),
            ("PAPERS_CATEGORIES", "cs.LG,cs.CL".to_string()),
            ("PAPERS_LOG", "warn".to_string()),
        ];
        Site {
            mock,
            data: tempfile::tempdir().unwrap(),
            env,
        }
    }

    fn set(&mut self, name: &'static str, value: &str) {
        self.env.retain(|(n, _)| *n != name);
        self.env.push((name, value.to_string()));
    }

    /// A day's listing for cs.LG + cs.CL, with the API knowing every paper in full.
    fn list(&self, date: NaiveDate, papers: &[Paper]) {
        let entries = papers
            .iter()
            .map(|p| (p.clone(), announce_type(p, &["cs.LG", "cs.CL"])))
            .collect();
        self.mock.set_listing(date, entries);
        self.mock.add_papers(with_api_details(papers));
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(PAPERS);
        command
            .args(["--data-dir", self.data.path().to_str().unwrap()])
            .args(args)
            .env_remove("PAPERS_DATABASE_URL")
            .env_remove("PAPERS_CONFIG")
            .envs(self.env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }

    /// Runs `papers ARGS…` to the end without blocking the mock's runtime.
    async fn papers(&self, args: &[&str]) -> Run {
        let mut command = self.command(args);
        let output = tokio::task::spawn_blocking(move || command.output().unwrap())
            .await
            .unwrap();
        Run::from(output)
    }

    async fn store(&self) -> Store {
        let url = format!("sqlite:{}", self.data.path().join("papers.db").display());
        Store::connect(&url).await.unwrap()
    }
}

#[derive(Debug)]
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl From<Output> for Run {
    fn from(out: Output) -> Run {
        Run {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl Run {
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(self.stdout.trim()).unwrap_or_else(|e| panic!("{e}: {self:?}"))
    }
}

async fn stored(site: &Site, id: &ArxivId) -> Option<Paper> {
    let store = site.store().await;
    let paper = store.get(id).await.unwrap();
    store.close().await;
    paper
}

async fn count(site: &Site) -> u64 {
    let store = site.store().await;
    let n = store.paper_count().await.unwrap();
    store.close().await;
    n
}

fn requests_to(mock: &MockArxiv, prefix: &str) -> Vec<Instant> {
    mock.requests()
        .into_iter()
        .filter(|r| r.path.starts_with(prefix))
        .map(|r| r.at)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_day_is_crawled_completed_and_stored_once() {
    let site = Site::start().await;
    let papers = sample("2026-07-01", &["cs.LG", "cs.CL"], 40);
    assert!(papers.len() >= 30, "the demo sample has a full day");
    site.list(day(1), &papers);

    let run = site.papers(&["crawl", "--json"]).await;
    assert_eq!(run.code, Some(0), "{run:?}");
    let summary = run.json();
    assert_eq!(summary["outcome"], "ok");
    assert_eq!(summary["new"], papers.len() as u64);
    assert_eq!(summary["completed"], papers.len() as u64);
    assert_eq!(count(&site).await, papers.len() as u64);

    let first = stored(&site, &papers[0].id).await.unwrap();
    assert_eq!(first.title, papers[0].title);
    assert_eq!(first.announced, Some(day(1)), "the feed's day");
    assert_eq!(
        first.doi,
        Some(format!("10.1234/{}", papers[0].id)),
        "the API's details"
    );
    assert!(first.comment.is_some());

    // Run again: the feed is unchanged (conditional GET), nothing is written, nothing doubles.
    let again = site.papers(&["crawl"]).await;
    assert_eq!(again.code, Some(0), "{again:?}");
    assert!(again.stdout.contains("unchanged"), "{again:?}");
    assert_eq!(count(&site).await, papers.len() as u64);
    let feed_requests: Vec<_> = site
        .mock
        .requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/rss"))
        .collect();
    assert!(
        feed_requests[1]
            .headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("if-none-match")),
        "the second run asks conditionally"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transient_faults_are_retried_and_nothing_is_lost() {
    let site = Site::start().await;
    let papers = sample("2026-07-01", &["cs.LG", "cs.CL"], 20);
    site.list(day(1), &papers);
    site.mock.push_fault(
        "/rss",
        Fault::Status {
            code: 503,
            retry_after: Some("1".into()),
        },
    );
    site.mock.push_fault("/rss", Fault::DropMidBody);
    site.mock.push_fault(
        "/api/query",
        Fault::Status {
            code: 429,
            retry_after: None,
        },
    );
    site.mock.push_fault("/api/query", Fault::TruncateBody);

    let run = site.papers(&["crawl", "--json"]).await;
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(run.json()["new"], papers.len() as u64);
    assert_eq!(
        run.json()["completed"],
        papers.len() as u64,
        "the API answered in the end"
    );
    assert_eq!(count(&site).await, papers.len() as u64);

    let feeds = requests_to(&site.mock, "/rss");
    assert_eq!(feeds.len(), 3, "503, dropped body, then success");
    assert!(
        feeds[1] - feeds[0] >= Duration::from_secs(1),
        "Retry-After: 1 was honoured"
    );
    assert_eq!(
        requests_to(&site.mock, "/api/query").len(),
        3,
        "429, truncated XML, success"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_response_slower_than_the_timeout_is_retried() {
    let mut site = Site::start().await;
    site.set("PAPERS_ARXIV_TIMEOUT_SECS", "1");
    let papers = sample("2026-07-01", &["cs.LG"], 5);
    site.list(day(1), &papers);
    site.mock
        .push_fault("/api/query", Fault::Delay(Duration::from_secs(3)));

    let run = site.papers(&["crawl", "--json"]).await;
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(run.json()["completed"], papers.len() as u64);
    assert_eq!(requests_to(&site.mock, "/api/query").len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_malformed_entry_is_skipped_and_the_rest_kept() {
    let site = Site::start().await;
    let papers = sample("2026-07-01", &["cs.LG", "cs.CL"], 12);
    site.list(day(1), &papers);
    site.mock.push_fault("/rss", Fault::MalformedEntry);

    let run = site.papers(&["crawl", "--json"]).await;
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(run.json()["skipped"], 1);
    assert_eq!(count(&site).await, papers.len() as u64 - 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_weekend_feed_is_a_normal_run() {
    let site = Site::start().await;
    site.mock
        .set_listing(NaiveDate::from_ymd_opt(2026, 7, 4).unwrap(), Vec::new());
    let run = site.papers(&["crawl"]).await;
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("0 listed"), "{run:?}");
    assert_eq!(count(&site).await, 0);
    assert!(
        requests_to(&site.mock, "/api/query").is_empty(),
        "nothing to complete"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_version_updates_the_paper_and_keeps_its_first_day() {
    let site = Site::start().await;
    let papers = sample("2026-07-01", &["cs.LG"], 3);
    site.list(day(1), &papers);
    assert_eq!(site.papers(&["crawl"]).await.code, Some(0));

    let mut v2 = papers[0].clone();
    v2.version = 2;
    v2.title = format!("{} (revised)", v2.title);
    v2.announced = None;
    site.mock.set_listing(day(2), vec![(v2.clone(), "replace")]);
    site.mock.add_papers(with_api_details(&[v2.clone()]));
    let run = site.papers(&["crawl", "--json"]).await;
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(run.json()["updated"], 1);

    let stored = stored(&site, &papers[0].id).await.unwrap();
    assert_eq!(stored.version, 2);
    assert!(stored.title.ends_with("(revised)"));
    assert_eq!(
        stored.announced,
        Some(day(1)),
        "still listed on its first day"
    );
    assert_eq!(count(&site).await, papers.len() as u64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_give_the_documented_exit_statuses() {
    // The API refuses (400 is not retried): the feed's own metadata is stored, the run is partial.
    let site = Site::start().await;
    let papers = sample("2026-07-01", &["cs.LG"], 4);
    site.list(day(1), &papers);
    site.mock.push_fault(
        "/api/query",
        Fault::Status {
            code: 400,
            retry_after: None,
        },
    );
    let run = site.papers(&["crawl", "--json"]).await;
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_eq!(run.json()["outcome"], "partial");
    assert_eq!(count(&site).await, papers.len() as u64, "nothing lost");
    assert_eq!(
        requests_to(&site.mock, "/api/query").len(),
        1,
        "400 is not retried"
    );

    // The feed itself is gone: nothing could be done.
    let site = Site::start().await;
    site.mock.push_fault(
        "/rss",
        Fault::Status {
            code: 404,
            retry_after: None,
        },
    );
    let run = site.papers(&["crawl"]).await;
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stderr.contains("404"), "{run:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_requests_are_spaced_as_configured() {
    let mut site = Site::start().await;
    site.set("PAPERS_ARXIV_MIN_INTERVAL_SECS", "0.4");
    let papers = sample("2026-07-01", &["cs.LG", "cs.CL", "cs.AI", "cs.CV"], 250);
    site.set("PAPERS_CATEGORIES", "cs.LG,cs.CL,cs.AI,cs.CV");
    let entries = papers
        .iter()
        .map(|p| {
            (
                p.clone(),
                announce_type(p, &["cs.LG", "cs.CL", "cs.AI", "cs.CV"]),
            )
        })
        .collect();
    site.mock.set_listing(day(1), entries);
    site.mock.add_papers(with_api_details(&papers));

    let run = site.papers(&["crawl"]).await;
    assert_eq!(run.code, Some(0), "{run:?}");
    let times: Vec<Instant> = site.mock.requests().into_iter().map(|r| r.at).collect();
    assert!(
        times.len() >= 3,
        "a feed and at least two API batches: {}",
        times.len()
    );
    for pair in times.windows(2) {
        assert!(
            pair[1] - pair[0] >= Duration::from_millis(380),
            "requests {:?} apart",
            pair[1] - pair[0]
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_crawls_at_once_never_overlap() {
    let site = Site::start().await;
    let papers = sample("2026-07-01", &["cs.LG"], 5);
    site.list(day(1), &papers);
    site.mock
        .push_fault("/rss", Fault::Delay(Duration::from_secs(2)));

    let first = {
        let mut command = site.command(&["crawl"]);
        tokio::task::spawn_blocking(move || Run::from(command.output().unwrap()))
    };
    tokio::time::sleep(Duration::from_millis(700)).await;
    let second = site.papers(&["crawl"]).await;
    let first = first.await.unwrap();
    assert_eq!(second.code, Some(0), "{second:?}");
    assert!(
        second.stdout.contains("another crawl is in progress"),
        "{second:?}"
    );
    assert_eq!(first.code, Some(0), "{first:?}");
    assert_eq!(count(&site).await, papers.len() as u64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_backfill_resumes_from_its_checkpoint() {
    let mut site = Site::start().await;
    let papers: Vec<Paper> = ["2026-06-29", "2026-06-30", "2026-07-01"]
        .iter()
        .flat_map(|d| sample(d, &["cs.LG", "cs.CL", "cs.CV", "cs.AI"], 80))
        .filter(|p| p.primary_category().is_some_and(|c| c.archive() == "cs"))
        .collect();
    assert!(papers.len() >= 150, "{}", papers.len());
    let mut served = with_api_details(&papers);
    // A paper revised twice: the harvest must store its latest version, not v1.
    served[0].version = 3;
    served[0].updated = Some(
        chrono::DateTime::parse_from_rfc3339("2026-07-10T09:30:00Z")
            .unwrap()
            .into(),
    );
    site.mock.add_papers(served.clone());
    site.mock.set_oai_page_size(20);
    site.set("PAPERS_ARXIV_MIN_INTERVAL_SECS", "0.3");
    let args = [
        "crawl",
        "--backfill",
        "--set",
        "cs",
        "--from",
        "2026-06-01",
        "--json",
    ];

    // Kill -9 once a few pages are in.
    let mut child = site.command(&args).spawn().unwrap();
    let started = Instant::now();
    while requests_to(&site.mock, "/oai2").len() < 4 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the backfill did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let stored_after_kill = count(&site).await;
    assert!(stored_after_kill > 0 && stored_after_kill < papers.len() as u64);

    // The killed run's lease is taken over at once (its process is gone), and the harvest goes
    // on from the checkpoint.
    site.set("PAPERS_ARXIV_MIN_INTERVAL_SECS", "0");
    let before = requests_to(&site.mock, "/oai2").len();
    // OAI-PMH's flow control: 503 with Retry-After, then the same request again.
    site.mock.push_fault(
        "/oai2",
        Fault::Status {
            code: 503,
            retry_after: Some("1".into()),
        },
    );
    let resumed = site.papers(&args).await;
    assert_eq!(resumed.code, Some(0), "{resumed:?}");
    assert_eq!(resumed.json()["resumed"], true);
    assert_eq!(resumed.json()["finished"], true);
    assert_eq!(count(&site).await, papers.len() as u64, "every record once");
    let revised = stored(&site, &served[0].id).await.unwrap();
    assert_eq!(revised.version, 3, "the version history of arXivRaw");
    assert_eq!(revised.updated, served[0].updated);
    assert_eq!(revised.authors, served[0].authors, "authors in order");
    assert_eq!(revised.comment, served[0].comment);
    let first_of_resumed_run = site
        .mock
        .requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/oai2"))
        .nth(before)
        .unwrap();
    assert!(
        first_of_resumed_run.query.contains("resumptionToken"),
        "resumed by token"
    );
    let resumed_requests = &site.mock.requests_to("/oai2")[before..];
    assert_eq!(
        resumed_requests[1].query, resumed_requests[0].query,
        "the page refused with 503 is asked again"
    );
    assert!(
        resumed_requests[1].at - resumed_requests[0].at >= Duration::from_secs(1),
        "Retry-After: 1 was honoured"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetch_stores_papers_by_any_id_form() {
    let site = Site::start().await;
    let papers = sample("2026-07-01", &["cs.CL"], 2);
    site.mock.add_papers(with_api_details(&papers));
    let url = format!("https://arxiv.org/abs/{}v1", papers[1].id);
    let run = site
        .papers(&["fetch", papers[0].id.as_str(), &url, "2601.99999"])
        .await;
    assert_eq!(
        run.code,
        Some(1),
        "one id is not on arXiv: partial; {run:?}"
    );
    assert!(run.stderr.contains("2601.99999"), "{run:?}");
    assert!(stored(&site, &papers[1].id).await.is_some());
    assert_eq!(count(&site).await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_category_backfill_pages_the_api_stores_repeats_once_and_resumes() {
    let mut site = Site::start().await;
    let at = |date: &str| -> Option<chrono::DateTime<chrono::Utc>> {
        Some(
            chrono::DateTime::parse_from_rfc3339(&format!("{date}T12:00:00Z"))
                .unwrap()
                .into(),
        )
    };
    let mut wanted = Vec::new();
    for (i, date) in ["2026-06-29", "2026-06-30", "2026-07-01"]
        .iter()
        .enumerate()
    {
        for mut paper in with_api_details(&sample(date, &["cs.LG"], 60)) {
            // Submitted on the 10th, 11th, 12th of June: inside the searched range.
            paper.published = at(&format!("2026-06-{}", 10 + i));
            wanted.push(paper);
        }
    }
    assert!(wanted.len() >= 40, "{}", wanted.len());
    let mut too_early = with_api_details(&sample("2026-06-30", &["cs.LG"], 60)[..1]);
    too_early[0].id = ArxivId::parse("2605.99999").unwrap();
    too_early[0].published = at("2026-05-20");
    let other_category: Vec<Paper> = with_api_details(&sample("2026-06-30", &["cs.CV"], 200))
        .into_iter()
        .filter(|p| p.categories.iter().all(|c| c.as_str() != "cs.LG"))
        .take(5)
        .map(|mut p| {
            p.published = at("2026-06-11");
            p
        })
        .collect();
    assert_eq!(other_category.len(), 5);
    site.mock.add_papers(
        wanted
            .iter()
            .chain(&too_early)
            .chain(&other_category)
            .cloned()
            .collect(),
    );
    site.mock.set_api_page_overlap(3);
    site.set("PAPERS_ARXIV_MIN_INTERVAL_SECS", "0.3");
    let args = [
        "crawl",
        "--backfill",
        "--category",
        "cs.LG",
        "--from",
        "2026-06-01",
        "--until",
        "2026-06-30",
        "--page-size",
        "10",
        "--json",
    ];

    let mut child = site.command(&args).spawn().unwrap();
    let started = Instant::now();
    while requests_to(&site.mock, "/api/query").len() < 3 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the backfill did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let after_kill = count(&site).await;
    assert!(
        after_kill > 0 && after_kill < wanted.len() as u64,
        "{after_kill}"
    );

    site.set("PAPERS_ARXIV_MIN_INTERVAL_SECS", "0");
    let run = site.papers(&args).await;
    assert_eq!(run.code, Some(0), "{run:?}");
    let report = run.json();
    assert_eq!(report["resumed"], true);
    assert_eq!(report["finished"], true);
    assert!(
        report["duplicates"].as_u64().unwrap() > 0,
        "pages overlapped: {report}"
    );
    assert_eq!(
        count(&site).await,
        wanted.len() as u64,
        "each paper once, nothing outside the range"
    );
    assert!(stored(&site, &too_early[0].id).await.is_none());
    assert!(stored(&site, &other_category[0].id).await.is_none());
    let last = stored(&site, &wanted[wanted.len() - 1].id).await.unwrap();
    assert_eq!(
        last.doi,
        wanted[wanted.len() - 1].doi,
        "the API's full metadata"
    );
    let query = &site.mock.requests_to("/api/query")[0].query;
    assert!(query.contains("submittedDate"), "{query}");
}

/// [`support::server::get`] off the mock's runtime.
async fn http_get(addr: String, path: String) -> (u16, String) {
    tokio::task::spawn_blocking(move || support::server::get(&addr, &path))
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paper_page_not_stored_is_fetched_on_demand_and_never_waits() {
    let site = Site::start().await;
    let papers = sample("2026-07-01", &["cs.CL"], 1);
    site.mock.add_papers(with_api_details(&papers));
    let mut command = site.command(&["serve", "--addr", "127.0.0.1:0"]);
    command.env("PAPERS_PAGE_CACHE_SECS", "0");
    let (_server, addr) = tokio::task::spawn_blocking(move || support::server::serve(command))
        .await
        .unwrap();

    // The first visit answers at once: queued, not fetched while the reader waits.
    let id = papers[0].id.to_string();
    let (status, body) = http_get(addr.clone(), format!("/arxiv/{id}")).await;
    assert_eq!(status, 202, "{body}");
    assert!(body.contains("queued for fetching"), "{body}");
    let (status, _) = http_get(addr.clone(), "/arxiv/2601.99999".into()).await;
    assert_eq!(status, 202, "an id arXiv lacks is queued too, at first");

    // In the background the crawler's fetch stores it; a reload shows the paper.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (status, body) = http_get(addr.clone(), format!("/arxiv/{id}")).await;
        if status == 200 {
            assert!(body.contains(&papers[0].title), "{body}");
            break;
        }
        assert!(Instant::now() < deadline, "never fetched: {status} {body}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Once arXiv has said it has no such paper, the page says so instead of queueing it again.
    loop {
        let (status, body) = http_get(addr.clone(), "/arxiv/2601.99999".into()).await;
        if status == 404 {
            assert!(body.contains("arXiv has no paper"), "{body}");
            break;
        }
        assert_eq!(status, 202, "{body}");
        assert!(Instant::now() < deadline, "never answered by arXiv");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let asked = site.mock.requests_to("/api").len();
    assert!(asked <= 2, "each id asked for once: {asked} API calls");
    let (status, _) = http_get(addr.clone(), "/arxiv/2601.99999".into()).await;
    assert_eq!(status, 404);
    assert_eq!(
        site.mock.requests_to("/api").len(),
        asked,
        "an id arXiv lacks is not asked for again"
    );
}
