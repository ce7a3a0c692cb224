//! `papers venues detect`: comment strings on stdin, one JSON line each on stdout, no database.

use std::io::Write;
use std::process::{Command, Stdio};

const PAPERS: &str = env!("CARGO_BIN_EXE_papers");

#[test]
fn detect_reads_comments_and_prints_one_json_line_each() {
    let data = tempfile::tempdir().unwrap();
    let mut child = Command::new(PAPERS)
        .arg("--data-dir")
        .arg(data.path().join("never-made"))
        .args(["venues", "detect"])
        .env_remove("PAPERS_DATABASE_URL")
        .env_remove("PAPERS_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(
            "Accepted to ICLR 2026 (oral)\nSubmitted to NeurIPS 2025\n12 pages, 3 figures\n\
             Findings of ACL 2025\nNeurIPS 2025 Workshop on Efficient Reasoning\n"
                .as_bytes(),
        )
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5, "one line per comment");
    assert_eq!(lines[0]["venue"], "ICLR");
    assert_eq!(lines[0]["year"], 2026);
    assert_eq!(lines[0]["group"], "Oral");
    assert_eq!(
        lines[1]["venue"],
        serde_json::Value::Null,
        "a submission is no venue"
    );
    assert_eq!(lines[2]["venue"], serde_json::Value::Null);
    assert_eq!(lines[3]["group"], "Findings");
    assert_eq!(lines[4]["kind"], "workshop");
    assert!(
        !data.path().join("never-made").exists(),
        "no database was created"
    );
}
