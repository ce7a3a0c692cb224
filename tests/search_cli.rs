//! `papers index` and `papers search` end to end on the bundled sample, as the README shows them.

use std::process::Command;

const PAPERS: &str = env!("CARGO_BIN_EXE_papers");
const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/demo/arxiv-sample.jsonl.gz");

fn papers(data: &std::path::Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(PAPERS)
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("PAPERS_DATABASE_URL")
        .env_remove("PAPERS_CONFIG")
        .env("PAPERS_LOG", "warn")
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn index_then_search_the_sample() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path();

    let (code, _, err) = papers(dir, &["search", "attention"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("run `papers index` first"), "{err}");

    assert_eq!(papers(dir, &["import", SAMPLE]).0, Some(0));
    let (code, out, err) = papers(dir, &["index", "--json"]);
    assert_eq!(code, Some(0), "{err}");
    let report: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(report["indexed"], 2526);
    assert_eq!(report["documents"], 2526);
    let (_, out, _) = papers(dir, &["index", "--json"]);
    let again: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(again["indexed"], 0, "nothing changed since the last run");

    let (code, out, err) = papers(
        dir,
        &[
            "search",
            "low-rank adaptation cat:cs.LG",
            "--limit",
            "5",
            "--json",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    let hits: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(hits.len(), 5);
    for hit in &hits {
        assert!(
            hit["categories"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c == "cs.LG"),
            "{hit}"
        );
        let text = format!("{} {}", hit["title"], hit["snippet"]).to_lowercase();
        assert!(text.contains("rank") || text.contains("adapt"), "{hit}");
        assert!(hit["score"].as_f64().unwrap() > 0.0);
    }

    // A paper's exact title finds it first.
    let (id, title) = (
        hits[2]["id"].as_str().unwrap(),
        hits[2]["title"].as_str().unwrap(),
    );
    let (_, out, _) = papers(dir, &["search", title, "--limit", "1", "--json"]);
    let first: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(first["id"], id);

    // Its id jumps to it; a malformed category is a clear error with status 1.
    let (_, out, _) = papers(dir, &["search", &format!("https://arxiv.org/abs/{id}")]);
    assert!(out.contains(title), "{out}");
    let (code, _, err) = papers(dir, &["search", "cat:cs.ZZ diffusion"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("unknown category in cat:cs.ZZ"), "{err}");
}
