//! kill -9 in the middle of long work, then run it again: nothing stored is lost, nothing is
//! stored twice, and the search index ends up agreeing with the Store. The kill lands wherever
//! the work happens to be after a delay; several delays cover different phases (an import's
//! batches; an index build's commits, the LSA training, the embedding, the topics).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

const PAPERS: &str = env!("CARGO_BIN_EXE_papers");
const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/demo/arxiv-sample.jsonl.gz");

fn command(data: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(PAPERS);
    command
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("PAPERS_DATABASE_URL")
        .env_remove("PAPERS_CONFIG")
        .env("PAPERS_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

fn run(data: &Path, args: &[&str]) -> String {
    let out = command(data, args).output().unwrap();
    assert!(
        out.status.success(),
        "papers {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Starts `papers ARGS`, waits `after`, and kills it with SIGKILL (if it is still running).
fn kill_during(data: &Path, args: &[&str], after: Duration) -> bool {
    let mut child = command(data, args).spawn().unwrap();
    std::thread::sleep(after);
    let was_running = child.try_wait().unwrap().is_none();
    // Child::kill sends SIGKILL on Unix: no destructor, no flush, no commit.
    let _ = child.kill();
    let _ = child.wait();
    was_running
}

/// `n` papers with ids 2601.00001 … in the import format.
fn papers_file(dir: &Path, n: usize) -> std::path::PathBuf {
    let path = dir.join("many.jsonl");
    let mut text = String::new();
    for i in 1..=n {
        text.push_str(
            &serde_json::json!({
                "id": format!("2601.{i:05}"),
                "title": format!("Paper {i} on low-rank attention and diffusion"),
                "authors": ["Ada Lovelace", format!("Author {}", i % 97)],
                "categories": ["cs.LG"],
                "abstract": format!("Abstract {i}: we study attention, diffusion and rank {}.", i % 13),
                "announced": format!("2026-01-{:02}", 1 + i % 28),
            })
            .to_string(),
        );
        text.push('\n');
    }
    std::fs::write(&path, text).unwrap();
    path
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

#[test]
fn an_import_killed_midway_completes_on_the_next_run_with_nothing_twice() {
    let dir = tempfile::tempdir().unwrap();
    let file = papers_file(dir.path(), 20_000);
    let data = dir.path().join("data");
    let mut killed = 0;
    for after in [150, 400] {
        killed += u32::from(kill_during(
            &data,
            &["import", file.to_str().unwrap()],
            Duration::from_millis(after),
        ));
    }
    assert!(
        killed > 0,
        "the import finished before any kill: make the file bigger"
    );
    run(&data, &["import", file.to_str().unwrap()]);
    // Every paper once: the topic of all of them, counted by the Store, through the index.
    let report = json(&run(&data, &["index", "--json"]));
    assert_eq!(report["documents"], 20_000, "{report}");
    let out = run(&data, &["search", "\"paper 19999 on\"", "--json"]);
    assert!(out.contains("2601.19999"), "{out}");
}

#[test]
fn an_index_build_killed_anywhere_is_finished_by_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    run(&data, &["import", SAMPLE]);
    // From scratch each time, killed at different moments of the build.
    for after in [300, 1_000, 2_500] {
        kill_during(&data, &["index", "--rebuild"], Duration::from_millis(after));
        let report = json(&run(&data, &["index", "--json"]));
        assert_eq!(
            report["documents"], 2526,
            "after a kill at {after} ms: {report}"
        );
        assert_eq!(
            report["vectors"]["vectors"], 2526,
            "every paper has its vector: {report}"
        );
        let out = run(&data, &["search", "attention", "--limit", "3", "--json"]);
        assert_eq!(
            out.lines().count(),
            3,
            "search works after the kill at {after} ms: {out}"
        );
    }
    // Nothing left to do: the index, vectors and topics agree with the Store.
    let again = json(&run(&data, &["index", "--json"]));
    assert_eq!(again["indexed"], 0, "{again}");
    assert_eq!(again["vectors"]["embedded"], 0, "{again}");
}
