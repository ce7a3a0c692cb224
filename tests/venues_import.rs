//! `papers venues import` end to end: an ICLR edition from a mock OpenReview (the API's real note
//! shape, paged, with a 429 on the way), a curated JSON Lines list, matched against the arXiv
//! papers already stored, then searchable with `venue:` and listed by `papers venues list`.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::mock_openreview::{MockOpenReview, PAGE_CAP, fixture};

const PAPERS: &str = env!("CARGO_BIN_EXE_papers");

struct Run {
    code: Option<i32>,
    out: String,
    err: String,
}

impl Run {
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(self.out.trim())
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", self.out, self.err))
    }
}

/// Runs the binary on its own thread, so the mock keeps answering meanwhile.
fn papers(data: &Path, openreview: &str, args: &[&str]) -> impl Future<Output = Run> + use<> {
    let data = data.to_path_buf();
    let openreview = openreview.to_string();
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let run = tokio::task::spawn_blocking(move || {
        let out = Command::new(PAPERS)
            .arg("--data-dir")
            .arg(&data)
            .args(&args)
            .env_remove("PAPERS_DATABASE_URL")
            .env_remove("PAPERS_CONFIG")
            .env("PAPERS_OPENREVIEW_URL", &openreview)
            .env("PAPERS_LOG", "warn")
            .output()
            .unwrap();
        Run {
            code: out.status.code(),
            out: String::from_utf8_lossy(&out.stdout).into_owned(),
            err: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    });
    async { run.await.unwrap() }
}

/// Two arXiv papers: one ICLR lists (same title, other case and punctuation), one a curated list
/// names by its arXiv id.
fn arxiv_papers(dir: &Path) -> PathBuf {
    let path = dir.join("arxiv.jsonl");
    let lines = [
        serde_json::json!({
            "id": "2506.00001", "title": "Low-rank adaptation of attention layers.",
            "authors": ["Ada Lovelace", "Alan Turing"], "categories": ["cs.LG"],
            "abstract": "We adapt attention layers with low-rank updates.", "announced": "2025-06-02"
        }),
        serde_json::json!({
            "id": "2506.00002", "title": "Findings on Sparse Attention",
            "authors": ["Grace Hopper"], "categories": ["cs.CL"],
            "abstract": "Sparse attention for long documents.", "announced": "2025-06-03"
        }),
    ];
    let text: Vec<String> = lines.iter().map(ToString::to_string).collect();
    std::fs::write(&path, text.join("\n") + "\n").unwrap();
    path
}

fn search_ids(run: &Run) -> Vec<String> {
    let mut ids: Vec<String> = run
        .out
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    ids.sort();
    ids
}

fn groups(run: &Run) -> Vec<(String, u64, Option<String>, u64)> {
    run.out
        .lines()
        .map(|l| {
            let g: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                g["venue"].as_str().unwrap().to_string(),
                g["year"].as_u64().unwrap(),
                g["group"].as_str().map(str::to_string),
                g["papers"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_openreview_edition_and_a_curated_list_become_venue_links() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path();
    let mock = MockOpenReview::start(fixture("iclr2026-notes.json")).await;
    let arxiv = arxiv_papers(dir);
    let run = papers(dir, &mock.url, &["import", arxiv.to_str().unwrap()]).await;
    assert_eq!(run.code, Some(0), "{}", run.err);

    // The second page is refused once with a 429: the import waits as asked and goes on.
    mock.fault_at(PAGE_CAP, 429, Some("1"));
    let run = papers(
        dir,
        &mock.url,
        &["venues", "import", "openreview", "iclr.2026", "--json"],
    )
    .await;
    assert_eq!(run.code, Some(0), "{}", run.err);
    // Five accepted notes (the withdrawn one is filed elsewhere), in pages of two.
    assert_eq!(mock.offsets(), [0, 2, 2, 4]);
    let report = run.json();
    assert_eq!(report["records"], 5, "{report}");
    assert_eq!(
        report["by_title"], 1,
        "the arXiv paper is matched, not stored twice"
    );
    assert_eq!(report["venue_only"], 4);
    assert_eq!(report["links_changed"], 5);

    // Again: nothing new, nothing stored twice.
    let again = papers(
        dir,
        &mock.url,
        &["venues", "import", "openreview", "ICLR.2026", "--json"],
    )
    .await;
    let again = again.json();
    assert_eq!(
        (again["by_title"].clone(), again["venue_only"].clone()),
        (1.into(), 4.into())
    );
    assert_eq!(again["links_changed"], 0, "{again}");

    // A curated list: one paper by its arXiv id, one only at the venue, and a line with a
    // `javascript:` link, which is refused with its line number (exit code 2).
    let list = dir.join("acl-2025.jsonl");
    std::fs::write(
        &list,
        [
            r#"{"title": "Findings on sparse attention (camera ready)", "authors": ["Grace Hopper"], "venue": "acl", "year": 2025, "group": "findings", "arxiv": "arXiv:2506.00002v1", "pdf": "https://aclanthology.org/2025.findings-acl.1.pdf"}"#,
            r#"{"title": "Attention Heads in Dialogue", "authors": ["Noam Chomsky"], "abstract": "Heads that track turns.", "venue": "ACL", "year": 2025, "url": "https://aclanthology.org/2025.acl-long.7/"}"#,
            r#"{"title": "Evil", "authors": ["Mallory"], "venue": "ACL", "year": 2025, "pdf": "javascript:alert(1)"}"#,
        ]
        .join("\n"),
    )
    .unwrap();
    let run = papers(
        dir,
        &mock.url,
        &[
            "venues",
            "import",
            "jsonl",
            list.to_str().unwrap(),
            "--json",
        ],
    )
    .await;
    assert_eq!(
        run.code,
        Some(2),
        "a bad line is the operator's to fix: {}",
        run.err
    );
    let report = run.json();
    assert_eq!(
        (report["by_arxiv_id"].clone(), report["venue_only"].clone()),
        (1.into(), 1.into())
    );
    assert!(
        report["rejected_lines"][0]
            .as_str()
            .unwrap()
            .starts_with("line 3:"),
        "{report}"
    );

    let run = papers(dir, &mock.url, &["venues", "list", "--json"]).await;
    let oral = |g: &str| Some(g.to_string());
    assert_eq!(
        groups(&run),
        [
            ("ACL".to_string(), 2025, None, 1),
            ("ACL".to_string(), 2025, oral("Findings"), 1),
            ("ICLR".to_string(), 2026, None, 1),
            ("ICLR".to_string(), 2026, oral("Oral"), 1),
            ("ICLR".to_string(), 2026, oral("Poster"), 2),
            ("ICLR".to_string(), 2026, oral("Spotlight"), 1),
        ]
    );

    // Indexed, every venue is searchable; venue-only papers are found like the rest.
    let run = papers(dir, &mock.url, &["index", "--json"]).await;
    assert_eq!(run.code, Some(0), "{}", run.err);
    let search = |q: &'static str| papers(dir, &mock.url, &["search", q, "--json"]);
    assert_eq!(
        search_ids(&search("venue:ICLR.2026.Oral").await),
        ["2506.00001"]
    );
    assert_eq!(
        search_ids(&search("venue:acl.2025.findings").await),
        ["2506.00002"]
    );
    assert_eq!(
        search_ids(&search("venue:ICLR.2026.Poster").await),
        ["openreview:Qm7DiffPst", "openreview:Rt4Poster2"]
    );
    assert_eq!(search_ids(&search("venue:ICLR.2026").await).len(), 5);
    assert_eq!(
        search_ids(&search("masked diffusion").await),
        ["openreview:Qm7DiffPst"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_openreview_fails_clearly_and_keeps_what_is_stored() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path();
    let mock = MockOpenReview::start(fixture("iclr2026-notes.json")).await;
    let run = papers(
        dir,
        &mock.url,
        &["venues", "import", "openreview", "ICLR.2026"],
    )
    .await;
    assert_eq!(run.code, Some(0), "{}", run.err);

    // Down for an hour: no point waiting, and nothing already stored is touched.
    mock.fault_at(0, 503, Some("3600"));
    let run = papers(
        dir,
        &mock.url,
        &["venues", "import", "openreview", "ICLR.2026"],
    )
    .await;
    assert_eq!(run.code, Some(1));
    assert!(run.err.contains("HTTP 503"), "{}", run.err);
    assert!(
        run.err.contains("importing ICLR.2026 from OpenReview"),
        "{}",
        run.err
    );
    let run = papers(dir, &mock.url, &["venues", "list", "--json"]).await;
    assert_eq!(groups(&run).iter().map(|g| g.3).sum::<u64>(), 5);

    // A name that is no edition is refused before any request.
    let before = mock.offsets().len();
    let run = papers(dir, &mock.url, &["venues", "import", "openreview", "ICLR"]).await;
    assert_eq!(run.code, Some(1));
    assert!(run.err.contains("is not an edition"), "{}", run.err);
    assert_eq!(mock.offsets().len(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_venue_only_paper_that_reaches_arxiv_later_becomes_one_paper() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path();
    let mock = MockOpenReview::start(fixture("iclr2026-notes.json")).await;
    let run = papers(
        dir,
        &mock.url,
        &["venues", "import", "openreview", "ICLR.2026"],
    )
    .await;
    assert_eq!(run.code, Some(0), "{}", run.err);
    assert_eq!(papers(dir, &mock.url, &["index"]).await.code, Some(0));
    let search = |q: &'static str| papers(dir, &mock.url, &["search", q, "--json"]);
    assert_eq!(
        search_ids(&search("\"rank collapse\"").await),
        ["openreview:Rt4Poster2"]
    );

    // The paper appears on arXiv; the next import of the edition finds it and merges.
    let arxiv = dir.join("later.jsonl");
    let line = serde_json::json!({
        "id": "2602.00007", "title": "Rank collapse in deep transformers",
        "authors": ["Donald E. Knuth"], "categories": ["cs.LG"],
        "abstract": "Residual connections prevent rank collapse.", "announced": "2026-02-03"
    });
    std::fs::write(&arxiv, format!("{line}\n")).unwrap();
    assert_eq!(
        papers(dir, &mock.url, &["import", arxiv.to_str().unwrap()])
            .await
            .code,
        Some(0)
    );
    let run = papers(
        dir,
        &mock.url,
        &["venues", "import", "openreview", "ICLR.2026", "--json"],
    )
    .await;
    let report = run.json();
    assert_eq!(report["merged"], 1, "{report}");
    assert_eq!(report["by_title"], 1, "{report}");
    assert_eq!(report["venue_only"], 4, "{report}");

    let run = papers(dir, &mock.url, &["index", "--json"]).await;
    assert_eq!(run.json()["removed"], 1, "{}", run.out);
    // One paper, the arXiv one, still at ICLR 2026 as a Poster.
    assert_eq!(
        search_ids(&search("\"rank collapse\"").await),
        ["2602.00007"]
    );
    assert_eq!(
        search_ids(&search("\"rank collapse\" venue:ICLR.2026.Poster").await),
        ["2602.00007"]
    );
    let run = papers(dir, &mock.url, &["venues", "list", "--json"]).await;
    assert_eq!(
        groups(&run).iter().map(|g| g.3).sum::<u64>(),
        5,
        "{}",
        run.out
    );
    // Nothing left to drop on the next sync.
    let run = papers(dir, &mock.url, &["index", "--json"]).await;
    assert_eq!(run.json()["removed"], 0, "{}", run.out);
}
