//! End to end: the `papers` binary, as a newcomer runs it from the README.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use support::server::{PAPERS, Server, get, serve};

/// Starts `papers ARGS… --addr 127.0.0.1:0` and returns it with the address it printed.
fn start(args: &[&str]) -> (Server, String) {
    let mut command = Command::new(PAPERS);
    command
        .args(args)
        .args(["--addr", "127.0.0.1:0"])
        .env_remove("PAPERS_DATABASE_URL")
        .env("PAPERS_LOG", "warn")
        .stderr(Stdio::inherit());
    serve(command)
}

/// The titles of some sample papers, read from the bundled sample itself.
fn sample_titles(date: &str, category: &str) -> Vec<String> {
    let file = std::fs::File::open(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/demo/arxiv-sample.jsonl.gz"
    ))
    .unwrap();
    BufReader::new(flate2::read::GzDecoder::new(file))
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(&l.unwrap()).unwrap())
        .filter(|p| p["announced"] == date && p["categories"][0] == category)
        .map(|p| {
            p["title"]
                .as_str()
                .unwrap()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

#[test]
fn demo_serves_health_and_a_category_page_with_real_titles() {
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().to_str().unwrap();
    let (_server, addr) = start(&["--data-dir", data_dir, "demo"]);

    let (status, body) = get(&addr, "/healthz");
    assert_eq!(status, 200, "{body}");
    let health: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(health["status"], "ok");
    assert!(health["papers"].as_u64().unwrap() > 2_000, "{health}");

    // The latest day of the sample, cs.CL: every paper whose primary category is cs.CL is new.
    let titles = sample_titles("2026-07-01", "cs.CL");
    assert!(!titles.is_empty());
    let (status, page) = get(&addr, "/arxiv/cs.CL?date=2026-07-01&show=200");
    assert_eq!(status, 200);
    for title in &titles {
        let escaped = title
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&#34;")
            .replace('\'', "&#39;");
        assert!(page.contains(&escaped), "missing title {title:?}");
    }
    // Without a date the latest day is shown.
    let (_, latest) = get(&addr, "/arxiv/cs.CL");
    assert!(latest.contains("2026-07-01"));

    // Bad input gets a clear page, not an internal error.
    let (status, body) = get(&addr, "/arxiv/cs.NOPE");
    assert_eq!(status, 400, "an unknown category is a bad request");
    assert!(body.contains("cs.NOPE"), "{body}");
    let (status, body) = get(&addr, "/arxiv/cs.CL?date=yesterday");
    assert_eq!(status, 400);
    assert!(body.contains("YYYY-MM-DD"), "{body}");
}

#[test]
fn demo_twice_imports_nothing_new() {
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().to_str().unwrap();
    let summary = |out: std::process::Output| String::from_utf8(out.stdout).unwrap();
    let import = || {
        Command::new(PAPERS)
            .args([
                "--data-dir",
                data_dir,
                "import",
                concat!(env!("CARGO_MANIFEST_DIR"), "/demo/arxiv-sample.jsonl.gz"),
            ])
            .env_remove("PAPERS_DATABASE_URL")
            .output()
            .unwrap()
    };
    let first = summary(import());
    assert!(
        first.contains(" 0 updated, 0 unchanged, 0 rejected"),
        "{first}"
    );
    let second = summary(import());
    assert!(second.contains(": 0 new, 0 updated,"), "{second}");
    assert!(std::path::Path::new(data_dir).join("papers.db").exists());
}

/// Exit statuses as the README documents them: 0 with rejected lines among good ones, 1 when no
/// line is usable or the file is missing, 2 for a configuration error.
#[test]
fn import_exit_statuses() {
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().to_str().unwrap();
    let run = |args: &[&str], stdin: &str| {
        let mut child = Command::new(PAPERS)
            .args(["--data-dir", data_dir])
            .args(args)
            .env_remove("PAPERS_DATABASE_URL")
            .env("PAPERS_LOG", "error")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let good =
        r#"{"id":"2606.00001","title":"T","authors":["A"],"categories":["cs.LG"],"abstract":"x"}"#;

    let (code, out, _) = run(&["import", "-"], &format!("{good}\nnot json\n"));
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("1 new, 0 updated, 0 unchanged, 1 rejected"),
        "{out}"
    );

    let (code, _, err) = run(&["import", "-"], "not json\n{}\n");
    assert_eq!(code, Some(1));
    assert!(
        err.contains("no line of standard input was a usable paper"),
        "{err}"
    );

    let (code, _, err) = run(&["import", "/no/such/file.jsonl"], "");
    assert_eq!(code, Some(1));
    assert!(err.contains("/no/such/file.jsonl"), "{err}");

    let (code, _, err) = run(&["serve", "--addr", "not-an-address"], "");
    assert_eq!(code, Some(2), "{err}");
}
