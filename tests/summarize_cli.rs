//! `papers summarize` end to end on the bundled sample, as the README shows it: a topic's newest
//! papers summarised once (extractive here), cached papers skipped on the next run, and a
//! generation through an OpenAI-compatible endpoint (the test's mock).

use std::process::Command;

use papers_summarizer::testing::{Fault, MockLlm};

const PAPERS: &str = env!("CARGO_BIN_EXE_papers");
const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/demo/arxiv-sample.jsonl.gz");

fn papers(
    data: &std::path::Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> (Option<i32>, String, String) {
    let mut command = Command::new(PAPERS);
    command
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("PAPERS_DATABASE_URL")
        .env_remove("PAPERS_CONFIG")
        .env_remove("PAPERS_LLM_BASE_URL")
        .env("PAPERS_LOG", "warn");
    for (name, value) in env {
        command.env(name, value);
    }
    let out = command.output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn report(out: &str) -> serde_json::Value {
    serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn summarize_a_topic_then_skip_what_is_cached_then_use_an_endpoint() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_path_buf();
    let run = |args: &'static [&'static str], env: Vec<(&'static str, String)>| {
        let dir = dir.clone();
        tokio::task::spawn_blocking(move || {
            let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
            papers(&dir, args, &env)
        })
    };
    let extractive = || vec![("PAPERS_LLM_PROVIDER", "extractive".to_string())];
    assert_eq!(run(&["import", SAMPLE], vec![]).await.unwrap().0, Some(0));
    assert_eq!(run(&["index"], vec![]).await.unwrap().0, Some(0));

    let args: &[&str] = &[
        "summarize",
        "--topic",
        "attention",
        "--since",
        "2026-06-01",
        "--limit",
        "5",
        "--lang",
        "en",
        "--lang",
        "zh",
        "--json",
    ];
    let (code, out, err) = run(args, extractive()).await.unwrap();
    assert_eq!(code, Some(0), "{err}");
    let first = report(&out);
    assert_eq!(
        first["selected"], 10,
        "five papers in two languages: {first}"
    );
    assert_eq!(first["written"], 10);
    assert_eq!(first["cached"], 0);
    assert_eq!(first["provider"], "extractive");

    let (code, out, _) = run(args, extractive()).await.unwrap();
    assert_eq!(code, Some(0));
    let second = report(&out);
    assert_eq!(
        (second["written"].as_u64(), second["cached"].as_u64()),
        (Some(0), Some(10)),
        "{second}"
    );

    // Plain output for a person, and a clear refusal of an unknown topic.
    let (code, out, _) = run(
        &["summarize", "--topic", "attention", "--limit", "2"],
        extractive(),
    )
    .await
    .unwrap();
    assert_eq!(code, Some(0));
    assert!(
        out.contains("0 written, 2 already cached, 0 failed (extractive"),
        "{out}"
    );
    let (code, _, err) = run(&["summarize", "--topic", "nope"], extractive())
        .await
        .unwrap();
    assert_eq!(code, Some(1));
    assert!(err.contains("no topic 'nope'"), "{err}");

    // Through an endpoint: one paper by id, one 429 on the way, one generation.
    let mock = MockLlm::start().await;
    mock.script([Fault::TooMany(1)]);
    let endpoint = vec![
        ("PAPERS_LLM_BASE_URL", mock.url.clone()),
        ("PAPERS_LLM_MODEL", "mock-model".to_string()),
    ];
    let (code, out, err) = run(&["summarize", "2605.28962", "--json"], endpoint)
        .await
        .unwrap();
    assert_eq!(code, Some(0), "{err}");
    let third = report(&out);
    assert_eq!(
        (third["provider"].as_str(), third["model"].as_str()),
        (Some("endpoint"), Some("mock-model"))
    );
    assert_eq!(third["written"], 1, "{third}");
    assert_eq!(mock.requests(), 7, "six questions and one retried 429");
}
