//! Several machines: two `papers serve` processes, each with its own data dir (index, vectors)
//! and `PAPERS_INDEX_SYNC_SECS`, and one `papers crawl`, all on one PostgreSQL. A paper crawled
//! once becomes searchable on both servers; 20 summary requests spread over both make one
//! generation, and the answer is served by both.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use papers_core::testing::PgSchema;
use papers_core::{ArxivId, Category, Paper};
use papers_summarizer::testing::MockLlm;
use support::mock_arxiv::MockArxiv;
use support::server::{PAPERS, Server, get, serve};

/// Longest wait for a server to see what another process wrote.
const PATIENCE: Duration = Duration::from_secs(90);

fn paper(id: &str, title: &str) -> Paper {
    Paper {
        id: ArxivId::parse(id).unwrap(),
        version: 1,
        title: title.into(),
        authors: vec!["Ada Lovelace".into()],
        abstract_text: format!("{title}. We study it at low rank, with attention."),
        categories: vec![Category::parse("cs.LG").unwrap()],
        comment: Some("9 pages".into()),
        journal_ref: None,
        doi: None,
        published: Some("2026-06-29T17:00:00Z".parse().unwrap()),
        updated: None,
        announced: NaiveDate::from_ymd_opt(2026, 6, 30),
    }
}

/// A plain HTTP/1.1 POST with an empty body; returns the status.
fn post(addr: &str, path: &str) -> u16 {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response[9..12].parse().unwrap()
}

/// Polls `check` on `addr` until it holds or [`PATIENCE`] runs out.
fn eventually(addr: &str, what: &str, check: impl Fn(&str) -> bool) {
    let started = Instant::now();
    loop {
        if check(addr) {
            return;
        }
        assert!(
            started.elapsed() < PATIENCE,
            "{addr} never showed {what} within {PATIENCE:?}"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}

fn command(data: &std::path::Path, env: &[(&str, String)], args: &[&str]) -> Command {
    let mut command = Command::new(PAPERS);
    command
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("PAPERS_CONFIG")
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())));
    command
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_follow_one_crawl_and_share_one_summary() {
    let Some(pg) = PgSchema::create().await else {
        return;
    };
    let mock = MockArxiv::start().await;
    let llm = MockLlm::start().await;
    let papers = vec![
        paper("2606.00001", "Grokking in tiny low-rank transformers"),
        paper("2606.00002", "Diffusion samplers without a score"),
    ];
    let day = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    mock.set_listing(day, papers.iter().map(|p| (p.clone(), "new")).collect());
    mock.add_papers(papers);
    let env = vec![
        ("PAPERS_DATABASE_URL", pg.url.clone()),
        ("PAPERS_ARXIV_FEED_URL", mock.feed_url()),
        ("PAPERS_ARXIV_API_URL", mock.api_url()),
        ("PAPERS_ARXIV_OAI_URL", mock.oai_url()),
        ("PAPERS_ARXIV_MIN_INTERVAL_SECS", "0".into()),
        ("PAPERS_CATEGORIES", "cs.LG".into()),
        ("PAPERS_INDEX_SYNC_SECS", "1".into()),
        ("PAPERS_RATE_LIMIT", "0".into()),
        ("PAPERS_PAGE_CACHE_SECS", "0".into()),
        ("PAPERS_LLM_BASE_URL", llm.url.clone()),
        ("PAPERS_SUMMARY_FULL_TEXT", "false".into()),
        ("PAPERS_LOG", "warn".into()),
    ];
    let (a_dir, b_dir, crawl_dir) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );

    let servers: Vec<(Server, String)> = tokio::task::spawn_blocking({
        let env = env.clone();
        let dirs = [a_dir.path().to_path_buf(), b_dir.path().to_path_buf()];
        move || {
            dirs.iter()
                .map(|dir| serve(command(dir, &env, &["serve", "--addr", "127.0.0.1:0"])))
                .collect()
        }
    })
    .await
    .unwrap();
    let addrs: Vec<String> = servers.iter().map(|(_, addr)| addr.clone()).collect();

    // One crawl, on a third machine's data dir: both servers' own indexes follow the database.
    let crawl = tokio::task::spawn_blocking({
        let env = env.clone();
        let dir = crawl_dir.path().to_path_buf();
        move || command(&dir, &env, &["crawl"]).output().unwrap()
    })
    .await
    .unwrap();
    assert!(
        crawl.status.success(),
        "{}",
        String::from_utf8_lossy(&crawl.stderr)
    );
    let addrs_for_search = addrs.clone();
    tokio::task::spawn_blocking(move || {
        for addr in &addrs_for_search {
            eventually(addr, "the crawled paper in its search", |addr| {
                let (status, body) = get(addr, "/api/search?q=grokking");
                status == 200 && body.contains("2606.00001")
            });
        }
    })
    .await
    .unwrap();

    // 20 readers click Summary at once, ten on each server: one generation (six questions).
    let addrs_for_clicks = addrs.clone();
    let statuses = tokio::task::spawn_blocking(move || {
        let clicks: Vec<_> = (0..20)
            .map(|n| {
                let addr = addrs_for_clicks[n % 2].clone();
                std::thread::spawn(move || post(&addr, "/api/summaries/2606.00001"))
            })
            .collect();
        clicks
            .into_iter()
            .map(|c| c.join().unwrap())
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    assert!(
        statuses.iter().all(|s| [200, 202].contains(s)),
        "{statuses:?}"
    );
    let addrs_for_answers = addrs.clone();
    tokio::task::spawn_blocking(move || {
        for addr in &addrs_for_answers {
            eventually(addr, "the summary done", |addr| {
                let (_, body) = get(addr, "/api/summaries/2606.00001");
                let state: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
                state["state"] == "done"
            });
        }
    })
    .await
    .unwrap();
    assert_eq!(
        llm.requests(),
        6,
        "one FAQ of six answers, whichever server's worker wrote it"
    );

    drop(servers);
    pg.drop().await;
}
