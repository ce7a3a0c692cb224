//! Summaries, for `bench/summaries.sh`: the queue's throughput with the mock provider, and the
//! local model's speed. Prints Markdown rows.
//!
//! ```text
//! cargo bench --bench summaries [-- PAPERS]
//! ```
//!
//! Queue: PAPERS FAQs (six streamed requests each) through the persistent queue on SQLite, with
//! one worker and with four, against the same FAQs written directly by `generate::faq` (no queue,
//! no Store) in the same run: the ratio is what the queue costs. The mock answers at once, so
//! this is the service's own overhead, not a model's speed.
//!
//! Local model: SmolLM2-135M-Instruct (`PAPERS_BENCH_SMOLLM2`, default
//! `~/.cache/papers/models/SmolLM2-135M-Instruct.Q4_1.gguf`) reading a paper and answering the
//! first question, three times: prompt and generation tokens per second.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use papers_core::retry::RetryPolicy;
use papers_core::{ArxivId, Category, Lang, Paper, Secret, Store};
use papers_summarizer::Summarizer;
use papers_summarizer::generate;
use papers_summarizer::local::LocalModel;
use papers_summarizer::prompt::{self, Source};
use papers_summarizer::provider::Provider;
use papers_summarizer::provider::endpoint::Endpoint;
use papers_summarizer::service::Options;
use papers_summarizer::testing::MockLlm;

const ABSTRACT: &str = "Attention is quadratic in the sequence length, which makes long inputs costly. \
    Prior work approximates it with kernels or sparsity. We propose a low-rank attention that keeps \
    the softmax exact while the cost grows linearly with length. Experiments on long-document \
    benchmarks show a 3x speedup at equal accuracy, and the method composes with flash kernels.";

fn paper(n: usize) -> Paper {
    Paper {
        id: ArxivId::parse(&format!("2606.{n:05}")).unwrap(),
        version: 1,
        title: format!("Low-rank attention, part {n}"),
        authors: vec!["Ada Lovelace".into()],
        abstract_text: ABSTRACT.into(),
        categories: vec![Category::parse("cs.LG").unwrap()],
        comment: None,
        journal_ref: None,
        doi: None,
        published: None,
        updated: None,
        announced: NaiveDate::from_ymd_opt(2026, 6, 1),
    }
    .normalized()
    .unwrap()
}

fn retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 2,
        min_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(10),
        max_total: Duration::from_secs(1),
    }
}

fn endpoint(mock: &MockLlm) -> Provider {
    Provider::Endpoint(
        Endpoint::new(
            &mock.url,
            "mock",
            Some(Secret::new("k")),
            Duration::from_secs(10),
        )
        .unwrap(),
    )
}

async fn store(dir: &std::path::Path, name: &str) -> Store {
    let store = Store::connect(&format!("sqlite:{}", dir.join(name).display()))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    store
}

/// FAQs a second written straight through `generate::faq`, one after another.
async fn direct(mock: &MockLlm, papers: &[Paper]) -> f64 {
    let provider = endpoint(mock);
    let (answers, _) = tokio::sync::watch::channel(Vec::new());
    let started = Instant::now();
    for p in papers {
        generate::faq(
            &provider,
            p,
            Lang::En,
            &Source::Abstract,
            &retry(),
            &answers,
        )
        .await
        .unwrap();
    }
    papers.len() as f64 / started.elapsed().as_secs_f64()
}

/// FAQs a second through the queue with `workers` workers: all requested, then waited for.
async fn queued(mock: &MockLlm, store: Store, papers: &[Paper], workers: usize) -> f64 {
    let options = Options {
        worker: format!("bench-{workers}"),
        lease: Duration::from_secs(30),
        retry: retry(),
        poll: Duration::from_millis(50),
        concurrency: workers,
        daily_tokens: None,
        pdf: None,
    };
    store.upsert(papers.to_vec()).await.unwrap();
    let summarizer: Arc<Summarizer> = Summarizer::new(store.clone(), endpoint(mock), options);
    let started = Instant::now();
    for p in papers {
        summarizer.request(p, Lang::En, false).await.unwrap();
    }
    let (_stop, running) = tokio::sync::watch::channel(false);
    let handles = summarizer.spawn_workers(running);
    loop {
        let (queued, running) = store.summary_queue_len().await.unwrap();
        if queued + running == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let rate = papers.len() as f64 / started.elapsed().as_secs_f64();
    handles.iter().for_each(|h| h.abort());
    rate
}

fn local_model() {
    let path = std::env::var_os("PAPERS_BENCH_SMOLLM2")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var("HOME").unwrap_or_default())
                .join(".cache/papers/models/SmolLM2-135M-Instruct.Q4_1.gguf")
        });
    if !path.is_file() {
        println!(
            "\n(local model: no file at {}; run scripts/fetch-smollm2.sh)",
            path.display()
        );
        return;
    }
    let started = Instant::now();
    let mut model = LocalModel::load(&path).unwrap();
    let load = started.elapsed();
    let p = paper(1);
    let prompt = prompt::for_lang(Lang::En);
    let mut messages = prompt.opening(&p, &Source::Abstract);
    if let Some(last) = messages.last_mut() {
        last.content = format!("{}\n\n{}", last.content, prompt.questions[0]);
    }
    println!(
        "\n| local model run | prompt tokens | prompt tokens/s | generated tokens | generated tokens/s |"
    );
    println!("|---|---:|---:|---:|---:|");
    for run in 1..=3 {
        // The prompt alone (one token generated) and then the whole answer: the difference is
        // the generation's own time.
        let t = Instant::now();
        let (_, read) = model.chat(&messages, 1, &mut |_| true).unwrap();
        let prompt_secs = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let (_, used) = model.chat(&messages, 128, &mut |_| true).unwrap();
        let total = t.elapsed().as_secs_f64();
        let generated = used.completion_tokens.saturating_sub(1).max(1);
        println!(
            "| {run} | {} | {:.0} | {} | {:.1} |",
            read.prompt_tokens,
            read.prompt_tokens as f64 / prompt_secs,
            used.completion_tokens,
            generated as f64 / (total - prompt_secs).max(1e-6)
        );
    }
    println!("\nload: {:.2} s ({})", load.as_secs_f64(), model.name());
}

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(200);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mock = MockLlm::start().await;
        let dir = tempfile::tempdir().unwrap();
        let papers: Vec<Paper> = (0..n).map(paper).collect();
        // Warm the mock and the connection pool.
        direct(&mock, &papers[..5]).await;
        let direct_rate = direct(&mock, &papers).await;
        let one = queued(&mock, store(dir.path(), "one.db").await, &papers, 1).await;
        let four = queued(&mock, store(dir.path(), "four.db").await, &papers, 4).await;
        println!("| {n} FAQs with the mock provider | FAQs/s | vs direct |");
        println!("|---|---:|---:|");
        println!(
            "| direct `generate::faq`, one after another (baseline) | {direct_rate:.1} | 1.00 |"
        );
        println!(
            "| queue on SQLite, 1 worker | {one:.1} | {:.2} |",
            one / direct_rate
        );
        println!(
            "| queue on SQLite, 4 workers | {four:.1} | {:.2} |",
            four / direct_rate
        );
    });
    local_model();
    println!(
        "\n{}, {} cores, {}",
        chrono::Utc::now().date_naive(),
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0),
        std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(
                |c| c.lines().find(|l| l.starts_with("model name")).map(|l| l
                    .split(':')
                    .nth(1)
                    .unwrap_or("")
                    .trim()
                    .to_string())
            )
            .unwrap_or_default()
    );
}
