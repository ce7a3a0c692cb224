//! A full disk and a read-only data directory, for real: the data directory is a small tmpfs
//! mounted for the test, filled to the last byte or remounted read-only. Every command then
//! fails with a message that says what is wrong and what to do, nothing already stored is lost
//! or damaged (SQLite's own integrity check), and once the disk has room again the same commands
//! finish the work.
//!
//! Mounting needs root (the CI machine runs as root); elsewhere these tests are reported as
//! SKIPPED, and under CI=true a failed mount fails them.

use std::fs::File;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use sqlx::Connection;

const PAPERS: &str = env!("CARGO_BIN_EXE_papers");
const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/demo/arxiv-sample.jsonl.gz");
const SAMPLE_PAPERS: u64 = 2526;

/// A tmpfs mounted on a fresh directory for one test, unmounted when dropped.
struct Tmpfs {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl Tmpfs {
    fn mount(megabytes: u32) -> Option<Tmpfs> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data");
        std::fs::create_dir(&path).unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(&path)
            .output();
        match out {
            Ok(out) if out.status.success() => Some(Tmpfs { _dir: dir, path }),
            other => {
                let why = format!("cannot mount a tmpfs (run as root): {other:?}");
                if std::env::var("CI").is_ok_and(|v| v == "true") {
                    panic!("CI=true: {why}");
                }
                eprintln!("SKIPPED: {why}");
                None
            }
        }
    }

    fn remount(&self, options: &str) {
        let out = Command::new("mount")
            .args(["-o", &format!("remount,{options}")])
            .arg(&self.path)
            .output()
            .unwrap();
        assert!(out.status.success(), "remount {options}: {out:?}");
    }

    /// Fills the file system with one file until a write fails for want of space.
    fn fill(&self) -> PathBuf {
        let filler = self.path.join("filler");
        let mut file = File::create(&filler).unwrap();
        let block = vec![0u8; 64 * 1024];
        loop {
            match file.write_all(&block) {
                Ok(()) => {}
                Err(e) if e.kind() == ErrorKind::StorageFull => break,
                Err(e) => panic!("filling the disk: {e}"),
            }
        }
        // Small writes too, up to the last page.
        while file.write_all(&[0u8; 512]).is_ok() {}
        let _ = file.sync_all();
        filler
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.path).output();
    }
}

fn papers(data: &Path, args: &[&str]) -> Output {
    Command::new(PAPERS)
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("PAPERS_DATABASE_URL")
        .env_remove("PAPERS_CONFIG")
        .env("PAPERS_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

fn succeeds(data: &Path, args: &[&str]) -> String {
    let out = papers(data, args);
    assert!(
        out.status.success(),
        "papers {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs `papers ARGS`, expecting it to fail; returns what it said.
fn fails(data: &Path, args: &[&str]) -> String {
    let out = papers(data, args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "papers {args:?} succeeded: {stderr}");
    assert!(
        !stderr.contains("panicked"),
        "papers {args:?} panicked: {stderr}"
    );
    stderr
}

/// `n` papers not in the sample (ids 2612.*), in the import format.
fn new_papers(dir: &Path, n: usize) -> PathBuf {
    let path = dir.join("new.jsonl");
    let mut text = String::new();
    for i in 1..=n {
        let line = serde_json::json!({
            "id": format!("2612.{i:05}"),
            "title": format!("Paper {i} on low-rank attention for diffusion models"),
            "authors": ["Ada Lovelace", format!("Author {}", i % 97)],
            "categories": ["cs.LG"],
            "abstract": format!("Abstract {i}: {}", "we study attention and rank. ".repeat(40)),
            "announced": "2026-12-01",
        });
        text.push_str(&line.to_string());
        text.push('\n');
    }
    std::fs::write(&path, text).unwrap();
    path
}

/// SQLite's integrity check of the database, and (papers, distinct ids) in it.
fn check_database(data: &Path) -> (String, u64, u64) {
    let url = format!("sqlite:{}", data.join("papers.db").display());
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let mut db = sqlx::SqliteConnection::connect(&url).await.unwrap();
        let (check,): (String,) = sqlx::query_as("PRAGMA integrity_check")
            .fetch_one(&mut db)
            .await
            .unwrap();
        let (all, ids): (i64, i64) =
            sqlx::query_as("SELECT count(*), count(DISTINCT id) FROM papers")
                .fetch_one(&mut db)
                .await
                .unwrap();
        db.close().await.unwrap();
        (check, all as u64, ids as u64)
    })
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

#[test]
fn a_full_disk_is_a_clear_error_and_loses_nothing() {
    let Some(disk) = Tmpfs::mount(64) else {
        return;
    };
    let data = &disk.path;
    let scratch = tempfile::tempdir().unwrap();
    let more = new_papers(scratch.path(), 3000);
    succeeds(data, &["import", SAMPLE]);
    succeeds(data, &["index"]);

    let filler = disk.fill();
    // An import and an index rebuild: refused for want of space, and said so, whether the
    // database or the data directory ran out of it first.
    for args in [
        &["import", more.to_str().unwrap()][..],
        &["index", "--rebuild"],
    ] {
        let said = fails(data, args);
        assert!(said.contains("is full"), "{args:?}: {said}");
        assert!(said.contains("free some space"), "{args:?}: {said}");
        assert!(!said.contains("disk I/O error"), "{args:?}: {said}");
    }

    std::fs::remove_file(filler).unwrap();
    // The index from before still answers, and the database is intact.
    let hits = succeeds(data, &["search", "attention", "--limit", "3", "--json"]);
    assert_eq!(
        hits.lines().count(),
        3,
        "the old index still answers: {hits}"
    );
    let (check, all, ids) = check_database(data);
    assert_eq!(check, "ok", "the database is intact");
    assert!(all >= SAMPLE_PAPERS && all == ids, "{all} rows, {ids} ids");
    // With room again, the same commands finish the work.
    succeeds(data, &["import", more.to_str().unwrap()]);
    let report = json(&succeeds(data, &["index", "--json"]));
    assert_eq!(report["documents"], SAMPLE_PAPERS + 3000, "{report}");
    let (check, all, ids) = check_database(data);
    assert_eq!(
        (check.as_str(), all, ids),
        ("ok", SAMPLE_PAPERS + 3000, SAMPLE_PAPERS + 3000)
    );
    let hits = succeeds(data, &["search", "\"paper 2999 on\"", "--json"]);
    assert!(hits.contains("2612.02999"), "{hits}");
}

#[test]
fn a_read_only_data_dir_is_a_clear_error_and_loses_nothing() {
    let Some(disk) = Tmpfs::mount(64) else {
        return;
    };
    let data = &disk.path;
    let scratch = tempfile::tempdir().unwrap();
    let more = new_papers(scratch.path(), 100);
    succeeds(data, &["import", SAMPLE]);
    succeeds(data, &["index"]);

    disk.remount("ro");
    for args in [
        &["import", more.to_str().unwrap()][..],
        &["index"],
        &["serve", "--addr", "127.0.0.1:0"],
    ] {
        let said = fails(data, args);
        assert!(said.contains("Read-only file system"), "{args:?}: {said}");
        assert!(said.contains("make it writable"), "{args:?}: {said}");
    }

    disk.remount("rw");
    let (check, all, _) = check_database(data);
    assert_eq!((check.as_str(), all), ("ok", SAMPLE_PAPERS));
    succeeds(data, &["import", more.to_str().unwrap()]);
    let report = json(&succeeds(data, &["index", "--json"]));
    assert_eq!(report["documents"], SAMPLE_PAPERS + 100, "{report}");
}
