//! The real local model (SmolLM2-135M-Instruct from PyPI) writes a whole FAQ for one paper
//! through the service, as `papers serve` would with no endpoint configured.
//!
//! Needs `PAPERS_TEST_SMOLLM2` (scripts/test sets it and fetches the model); without it the test
//! says SKIPPED, except under CI=true, where it fails.

mod support;

use std::path::PathBuf;
use std::time::Duration;

use papers_core::Lang;
use papers_core::testing::sqlite_store;
use papers_summarizer::Update;
use papers_summarizer::provider::{LocalRunner, Provider};
use support::{follow_within, options, paper, start, streamed_answers};

fn model_path() -> Option<PathBuf> {
    match std::env::var_os("PAPERS_TEST_SMOLLM2").map(PathBuf::from) {
        Some(path) if path.is_file() => Some(path),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => panic!(
            "CI=true but no SmolLM2 model in PAPERS_TEST_SMOLLM2: run scripts/fetch-smollm2.sh DIR"
        ),
        _ => {
            eprintln!(
                "SKIPPED: no SmolLM2 model (set PAPERS_TEST_SMOLLM2; see scripts/fetch-smollm2.sh)"
            );
            None
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_local_model_writes_a_faq_for_a_paper() {
    let Some(path) = model_path() else { return };
    let (store, _dir) = sqlite_store().await;
    let p = paper("2606.00700", 1, 9);
    store.upsert(vec![p.clone()]).await.unwrap();
    let provider = Provider::Local(LocalRunner::load(&path).unwrap());
    assert_eq!(provider.kind(), "local");
    assert_eq!(provider.model(), "SmolLM2-135M-Instruct.Q4_1");
    let summarizer = start(&store, provider, options("local", Duration::from_secs(30)));

    summarizer.request(&p, Lang::En, true).await.unwrap();
    // Six questions, each re-reading the conversation, on two cores in a debug build: minutes.
    let started = std::time::Instant::now();
    let updates = follow_within(&summarizer, &p, Lang::En, Duration::from_secs(600)).await;
    eprintln!("local FAQ in {:.1} s", started.elapsed().as_secs_f64());
    assert_eq!(updates.last(), Some(&Update::Done), "{updates:?}");
    let answer = summarizer
        .cached(&p, Lang::En)
        .await
        .unwrap()
        .expect("cached");
    assert_eq!(answer.provider, "local");
    assert_eq!(answer.sections.len(), 6);
    for section in &answer.sections {
        let words = section.markdown.split_whitespace().count();
        assert!(words >= 3, "{}: '{}'", section.title, section.markdown);
    }
    // It streamed: a reader saw the answers arrive in pieces that add up to what was stored.
    assert!(
        updates
            .iter()
            .filter(|u| matches!(u, Update::Delta { .. }))
            .count()
            > 6
    );
    let stored: Vec<String> = answer.sections.iter().map(|s| s.markdown.clone()).collect();
    let seen: Vec<String> = streamed_answers(&updates)
        .iter()
        .map(|a| a.trim().to_string())
        .collect();
    assert_eq!(seen, stored);
}
