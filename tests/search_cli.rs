//! `papers index`, `papers search`, `papers related` and `papers topic` end to end on the bundled
//! sample, as the README shows them.

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
    // The default embedder was trained and every paper embedded; the topics were filled.
    assert_eq!(report["vectors"]["embedded"], 2526, "{report}");
    assert_eq!(report["vectors"]["trained"], true);
    assert!(
        report["vectors"]["embedder"]
            .as_str()
            .unwrap()
            .starts_with("lsa256-")
    );
    let topics = report["topics"].as_array().unwrap();
    let names: Vec<&str> = topics.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["attention", "diffusion", "low-rank"]);
    assert!(
        topics.iter().all(|t| t["papers"].as_u64().unwrap() > 50),
        "{report}"
    );
    let (_, out, _) = papers(dir, &["index", "--json"]);
    let again: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(again["indexed"], 0, "nothing changed since the last run");
    assert_eq!(again["vectors"]["embedded"], 0, "nothing to embed again");
    assert_eq!(
        again["vectors"]["trained"], false,
        "the saved model is reused"
    );

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

    // Related papers: never the paper itself, best first, with a snippet.
    let (code, out, err) = papers(dir, &["related", id, "--limit", "5", "--json"]);
    assert_eq!(code, Some(0), "{err}");
    let related: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(related.len(), 5);
    assert!(related.iter().all(|r| r["id"] != id));
    let scores: Vec<f64> = related
        .iter()
        .map(|r| r["score"].as_f64().unwrap())
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    assert!(
        related
            .iter()
            .all(|r| !r["snippet"].as_str().unwrap().is_empty())
    );
    let (code, _, err) = papers(dir, &["related", "2601.99999"]);
    assert_eq!(code, Some(1));
    assert!(
        err.contains("not stored") && err.contains("papers fetch"),
        "{err}"
    );

    // Topics: each with its count, then one topic's papers newest first, all on its subject.
    let (code, out, _) = papers(dir, &["topic"]);
    assert_eq!(code, Some(0));
    assert!(
        out.contains("low-rank") && out.contains("Low-rank methods"),
        "{out}"
    );
    let (_, out, _) = papers(dir, &["topic", "low-rank", "--limit", "30", "--json"]);
    let members: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(members.len(), 30);
    let dates: Vec<&str> = members
        .iter()
        .map(|m| m["date"].as_str().unwrap())
        .collect();
    assert!(
        dates.windows(2).all(|w| w[0] >= w[1]),
        "newest first: {dates:?}"
    );
    let (code, _, err) = papers(dir, &["topic", "quantum-gravity"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("attention, diffusion, low-rank"), "{err}");

    // A reader that goes away (`papers topic attention | head -0`) ends the command quietly.
    let mut child = Command::new(PAPERS)
        .arg("--data-dir")
        .arg(dir)
        .args(["topic", "attention", "--limit", "1000"])
        .env_remove("PAPERS_DATABASE_URL")
        .env_remove("PAPERS_CONFIG")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
}
