//! `import_jsonl` on both backends: bad lines are reported and skipped, good ones stored, and a
//! second run over the same file writes nothing.

use std::io::Write;

use papers_core::{ArxivId, Store, store_test};
use papers_crawler::{ImportReport, import_jsonl};

/// Five good lines (one with MSC junk in its categories), four bad ones and a blank line.
fn corpus() -> String {
    let good = |id: &str, cats: &str| {
        format!(
            r#"{{"id": "{id}", "title": "Attention at\n  Low Rank {id}", "authors": ["A. Author"], "categories": {cats}, "abstract": "We make\nattention $O(n r)$.", "comment": null, "announced": "2026-06-02"}}"#
        )
    };
    [
        good("2606.00001", r#"["cs.LG"]"#),
        good("2606.00002", r#"["cs.CL", "68T50"]"#),
        "{\"id\": \"2606.00003\", \"title\": ".to_string(), // line 3: truncated JSON
        good("not-an-id", r#"["cs.LG"]"#),                  // line 4: bad id
        String::new(),                                      // line 5: blank, ignored
        good("2606.00006", r#"["I.2.7"]"#),                 // line 6: no arXiv category
        good("2606.00007", r#"["cs.CV"]"#),
        good("2606.00008v2", r#"["cs.CV", "cs.LG"]"#),
        "\u{1}garbage".to_string(), // line 9
        good("2606.00010", r#"["stat.ML"]"#),
    ]
    .join("\n")
}

async fn run(store: &Store, bytes: Vec<u8>) -> ImportReport {
    import_jsonl(
        store,
        std::io::Cursor::new(bytes),
        |_: u64, _: &ImportReport| {},
    )
    .await
    .unwrap()
}

async fn bad_lines_are_rejected_and_good_ones_stored(store: Store) {
    let report = run(&store, corpus().into_bytes()).await;
    assert_eq!((report.new, report.updated, report.unchanged), (5, 0, 0));
    assert_eq!(report.rejected, 4);
    let lines: Vec<u64> = report.rejections.iter().map(|r| r.line).collect();
    assert_eq!(lines, [3, 4, 6, 9]);
    assert!(report.rejections[0].reason.contains("invalid JSON"));
    assert!(report.rejections[1].reason.contains("field id"));
    assert!(report.rejections[2].reason.contains("no arXiv category"));
    assert_eq!(report.dropped_categories, 1, "the MSC class 68T50");

    assert_eq!(store.paper_count().await.unwrap(), 5);
    let p = store
        .get(&ArxivId::parse("2606.00008").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(p.version, 2);
    assert_eq!(p.title, "Attention at Low Rank 2606.00008v2");
    assert_eq!(p.abstract_text, "We make attention $O(n r)$.");

    // Re-running is safe: nothing new, nothing duplicated.
    let again = run(&store, corpus().into_bytes()).await;
    assert_eq!((again.new, again.updated, again.unchanged), (0, 0, 5));
    assert_eq!(store.paper_count().await.unwrap(), 5);
}
store_test!(bad_lines_on, bad_lines_are_rejected_and_good_ones_stored);

async fn gzip_is_detected_by_content(store: Store) {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(corpus().as_bytes()).unwrap();
    let report = run(&store, gz.finish().unwrap()).await;
    assert_eq!(report.new, 5);
    assert_eq!(report.rejected, 4);
}
store_test!(gzip_on, gzip_is_detected_by_content);

async fn a_truncated_gzip_keeps_what_was_read(store: Store) {
    // Enough papers for several batches, then cut the compressed stream in the middle.
    let lines: Vec<String> = (0..3_000)
        .map(|i| {
            format!(
                r#"{{"id": "2606.{i:05}", "title": "Paper {i}", "authors": ["A"], "categories": ["cs.LG"], "abstract": "Text {i}.", "announced": "2026-06-02"}}"#
            )
        })
        .collect();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(lines.join("\n").as_bytes()).unwrap();
    let mut bytes = gz.finish().unwrap();
    bytes.truncate(bytes.len() * 2 / 3);

    let err = import_jsonl(
        &store,
        std::io::Cursor::new(bytes),
        |_: u64, _: &ImportReport| {},
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("cannot read the input"), "{err}");
    let stored = store.paper_count().await.unwrap();
    assert!(
        stored >= 1_000,
        "batches read before the fault are kept, got {stored}"
    );
    assert!(stored < 3_000);
}
store_test!(truncated_gzip_on, a_truncated_gzip_keeps_what_was_read);
