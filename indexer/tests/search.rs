//! The search index as a reader meets it: built from the Store, kept in step, searched in the
//! query language, with highlighted snippets.

use chrono::NaiveDate;
use papers_core::venue::{LinkSource, VenueLink};
use papers_core::{ArxivId, Category, Paper, Store};
use papers_indexer::{SearchIndex, SearchOptions, Sort};

fn paper(
    id: &str,
    title: &str,
    abstract_text: &str,
    authors: &[&str],
    categories: &[&str],
    day: &str,
) -> Paper {
    Paper {
        id: ArxivId::parse(id).unwrap(),
        version: 1,
        title: title.into(),
        authors: authors.iter().map(|a| a.to_string()).collect(),
        abstract_text: abstract_text.into(),
        categories: categories
            .iter()
            .map(|c| Category::parse(c).unwrap())
            .collect(),
        comment: None,
        journal_ref: None,
        doi: None,
        published: None,
        updated: None,
        announced: Some(NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap()),
    }
    .normalized()
    .unwrap()
}

fn corpus() -> Vec<Paper> {
    vec![
        paper(
            "2506.00001",
            "Low-Rank Adaptation of Attention Layers",
            "We adapt attention layers with low-rank updates and study their rank.",
            &["Ada Lovelace", "Alan Turing"],
            &["cs.LG", "cs.CL"],
            "2025-06-02",
        ),
        paper(
            "2506.00002",
            "Diffusion Models for Text",
            "A diffusion language model that denoises tokens; attention is not needed.",
            &["Grace Hopper"],
            &["cs.CL"],
            "2025-06-03",
        ),
        paper(
            "2506.00003",
            "Schrödinger Bridges for Image Diffusion",
            "Schrödinger bridge matching for images, with <script>alert(1)</script> in the abstract.",
            &["Erwin Schrödinger"],
            &["cs.CV", "stat.ML"],
            "2026-01-05",
        ),
        paper(
            "hep-th/9901001",
            "Strings and Branes",
            "An old-style paper about branes.",
            &["Edward Witten"],
            &["hep-th"],
            "1999-01-04",
        ),
    ]
}

async fn indexed(papers: Vec<Paper>) -> (Store, SearchIndex, tempfile::TempDir, tempfile::TempDir) {
    let (store, db_dir) = papers_core::testing::sqlite_store().await;
    store.upsert(papers).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::open(dir.path()).unwrap();
    index.sync(&store, false, |_| {}).await.unwrap();
    (store, index, dir, db_dir)
}

fn ids(index: &SearchIndex, q: &str) -> Vec<String> {
    index
        .search(q, &SearchOptions::default())
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.id)
        .collect()
}

#[tokio::test]
async fn words_are_stemmed_folded_and_ranked() {
    let (_store, index, _d, _db) = indexed(corpus()).await;
    // "adapting" finds "adapt"/"Adaptation" (stemming); the paper with more matches comes first.
    assert_eq!(ids(&index, "adapting attention")[0], "2506.00001");
    // ASCII folding both ways.
    assert_eq!(ids(&index, "schrodinger"), ["2506.00003"]);
    assert_eq!(ids(&index, "au:schrödinger"), ["2506.00003"]);
    // Any word matches (OR); AND and exclusion narrow.
    assert_eq!(ids(&index, "branes diffusion").len(), 3);
    assert_eq!(ids(&index, "diffusion AND text"), ["2506.00002"]);
    assert_eq!(ids(&index, "diffusion -images"), ["2506.00002"]);
    assert_eq!(ids(&index, "\"low rank updates\""), ["2506.00001"]);
    assert!(
        ids(&index, "\"rank low updates\"").is_empty(),
        "phrases keep word order"
    );
    assert_eq!(ids(&index, "ti:diffusion").len(), 2);
    assert_eq!(ids(&index, "abs:denoises"), ["2506.00002"]);
}

#[tokio::test]
async fn filters_restrict_without_matching_everything() {
    let (_store, index, _d, _db) = indexed(corpus()).await;
    assert_eq!(ids(&index, "attention cat:cs.LG"), ["2506.00001"]);
    assert_eq!(
        ids(&index, "diffusion cat:cs.CV cat:cs.CL").len(),
        2,
        "several cat: are any of them"
    );
    assert_eq!(ids(&index, "diffusion cat:cs").len(), 2, "a whole archive");
    assert_eq!(ids(&index, "cat:hep-th"), ["hep-th/9901001"]);
    assert_eq!(ids(&index, "diffusion year:2026"), ["2506.00003"]);
    assert_eq!(
        ids(&index, "diffusion after:2025-06-03 before:2026-01-05"),
        ["2506.00002"]
    );
    // Only filters: everything they let through, newest first.
    assert_eq!(
        ids(&index, "cat:cs"),
        ["2506.00003", "2506.00002", "2506.00001"]
    );
    // Only an exclusion: everything else.
    assert_eq!(ids(&index, "-diffusion").len(), 2);
    assert!(
        ids(&index, "venue:ICLR.2026").is_empty(),
        "no venues yet, and no error"
    );
}

#[tokio::test]
async fn results_are_sorted_paged_and_counted() {
    let (_store, index, _d, _db) = indexed(corpus()).await;
    let newest = index
        .search(
            "diffusion attention",
            &SearchOptions {
                limit: 10,
                offset: 0,
                sort: Sort::Newest,
            },
        )
        .unwrap();
    let order: Vec<_> = newest.hits.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(order, ["2506.00003", "2506.00002", "2506.00001"]);
    let page = index
        .search(
            "diffusion attention",
            &SearchOptions {
                limit: 1,
                offset: 1,
                sort: Sort::Relevance,
            },
        )
        .unwrap();
    assert_eq!(page.total, 3);
    assert_eq!(page.hits.len(), 1);
}

#[tokio::test]
async fn snippets_highlight_matches_and_escape_html() {
    let (_store, index, _d, _db) = indexed(corpus()).await;
    let hit = &index
        .search("bridge", &SearchOptions::default())
        .unwrap()
        .hits[0];
    assert!(
        hit.snippet_html.contains("<b>bridge</b>"),
        "{}",
        hit.snippet_html
    );
    assert!(
        hit.snippet_html.contains("&lt;script&gt;"),
        "{}",
        hit.snippet_html
    );
    assert!(!hit.snippet_html.contains("<script>"));
    assert!(
        hit.title_html.contains("<b>Bridges</b>"),
        "{}",
        hit.title_html
    );
    assert_eq!(hit.authors, ["Erwin Schrödinger"]);
    assert_eq!(hit.categories, ["cs.CV", "stat.ML"]);
    assert_eq!(hit.date, NaiveDate::from_ymd_opt(2026, 1, 5));
}

#[tokio::test]
async fn a_pasted_id_jumps_to_the_paper() {
    let (_store, index, _d, _db) = indexed(corpus()).await;
    let found = index
        .search(
            "https://arxiv.org/abs/2506.00002v1",
            &SearchOptions::default(),
        )
        .unwrap();
    assert_eq!(found.jump.as_ref().map(ArxivId::as_str), Some("2506.00002"));
    assert_eq!(found.hits[0].title, "Diffusion Models for Text");
    let missing = index
        .search("2607.99999", &SearchOptions::default())
        .unwrap();
    assert_eq!(
        missing.jump.as_ref().map(ArxivId::as_str),
        Some("2607.99999")
    );
    assert!(
        missing.hits.is_empty(),
        "not stored: the caller offers to fetch it"
    );
}

#[tokio::test]
async fn garbage_queries_get_a_reason_not_an_error_page() {
    let (_store, index, _d, _db) = indexed(corpus()).await;
    for q in [
        "\"unclosed attention",
        "AND OR",
        "((",
        "a\u{0}ttention",
        "-",
        "ti:",
        "\u{202e}rtl",
    ] {
        // Lenient: a result (possibly empty) or a typed query error, never a panic.
        let _ = index.search(q, &SearchOptions::default());
    }
    assert_eq!(
        ids(&index, "\"attention is not"),
        ["2506.00002"],
        "an unclosed quote runs to the end"
    );
    let long = "attention ".repeat(200);
    let error = index.search(&long, &SearchOptions::default()).unwrap_err();
    assert!(error.to_string().contains("at most 1000"), "{error}");
    let error = index
        .search("cat:cs.NOPE", &SearchOptions::default())
        .unwrap_err();
    assert!(error.to_string().contains("cat:cs.NOPE"), "{error}");
}

#[tokio::test]
async fn sync_follows_the_store_incrementally_and_rebuild_starts_over() {
    let (store, index, dir, _db) = indexed(corpus()).await;
    assert_eq!(index.documents(), 4);

    // Nothing changed: nothing indexed.
    let again = index.sync(&store, false, |_| {}).await.unwrap();
    assert_eq!((again.indexed, again.commits), (0, 0));

    // A new version replaces the document (one per paper), a new paper is added.
    let mut revised = corpus().remove(1);
    revised.version = 2;
    revised.title = "Discrete Diffusion Models for Text".into();
    let extra = paper(
        "2507.00009",
        "Sparse Attention Sinks",
        "Sinks in attention maps.",
        &["A B"],
        &["cs.LG"],
        "2025-07-01",
    );
    store.upsert(vec![revised, extra]).await.unwrap();
    let report = index.sync(&store, false, |_| {}).await.unwrap();
    assert_eq!(report.indexed, 2);
    assert_eq!(index.documents(), 5);
    assert_eq!(ids(&index, "discrete"), ["2506.00002"]);
    let hit = &index
        .search("2506.00002", &SearchOptions::default())
        .unwrap()
        .hits[0];
    assert_eq!(hit.version, 2);

    // Reopened (another process, or after a restart): same documents, same watermark.
    drop(index);
    let reopened = SearchIndex::open(dir.path()).unwrap();
    assert_eq!(reopened.documents(), 5);
    assert_eq!(
        reopened.sync(&store, false, |_| {}).await.unwrap().indexed,
        0
    );

    let rebuilt = reopened.sync(&store, true, |_| {}).await.unwrap();
    assert!(rebuilt.from_scratch);
    assert_eq!(rebuilt.indexed, 5);
    assert_eq!(reopened.documents(), 5, "a rebuild replaces, never doubles");
}

#[tokio::test]
async fn a_second_writer_is_told_the_index_is_busy() {
    let (store, index, dir, _db) = indexed(corpus()).await;
    let other = SearchIndex::open(dir.path()).unwrap();
    // Hold the writer lock as a running sync would.
    let _lock = tantivy::Index::open_in_dir(dir.path())
        .unwrap()
        .writer::<tantivy::TantivyDocument>(15_000_000)
        .unwrap();
    let error = other.sync(&store, false, |_| {}).await.unwrap_err();
    assert!(error.to_string().contains("another process"), "{error}");
    drop(index);
}

#[tokio::test]
async fn venue_finds_what_comments_claim_and_nothing_they_only_mention() {
    let mut accepted = paper(
        "2506.00101",
        "Sparse attention at scale",
        "We sparsify attention.",
        &["Ada Lovelace"],
        &["cs.LG"],
        "2025-06-02",
    );
    accepted.comment = Some("12 pages. Accepted to ICLR 2026 (oral)".into());
    let mut submitted = paper(
        "2506.00102",
        "Dense attention at scale",
        "We densify attention.",
        &["Alan Turing"],
        &["cs.LG"],
        "2025-06-02",
    );
    submitted.comment = Some("Submitted to ICLR 2026".into());
    let mut other = paper(
        "2506.00103",
        "Attention for speech",
        "Attention for audio.",
        &["Grace Hopper"],
        &["cs.SD"],
        "2025-06-02",
    );
    other.comment = Some("Interspeech 2025".into());
    let mut journal = paper(
        "2506.00104",
        "Attention in journals",
        "Attention, published.",
        &["Alan Kay"],
        &["cs.LG"],
        "2025-06-02",
    );
    // No comment; the journal ref says where it appeared.
    journal.journal_ref = Some("Transactions on Machine Learning Research (TMLR), 2025".into());
    let (_store, index, _dir, _db) = indexed(vec![accepted, submitted, other, journal]).await;
    let ids = |q: &str| {
        index
            .search(q, &SearchOptions::default())
            .unwrap()
            .hits
            .into_iter()
            .map(|h| h.id.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids("attention venue:ICLR.2026"), ["2506.00101"]);
    assert_eq!(ids("attention venue:iclr"), ["2506.00101"], "any case");
    assert_eq!(
        ids("attention venue:ICLR.2026.Oral"),
        ["2506.00101"],
        "with its group"
    );
    assert_eq!(ids("attention venue:INTERSPEECH.2025"), ["2506.00103"]);
    assert_eq!(
        ids("attention venue:TMLR.2025"),
        ["2506.00104"],
        "from the journal ref"
    );
    assert!(ids("attention venue:NeurIPS").is_empty());
    assert!(
        ids("attention venue:ICLR.2025").is_empty(),
        "another edition"
    );
}

#[tokio::test]
async fn the_sync_links_comments_claims_and_indexes_what_imports_link() {
    let mut claimed = paper(
        "2506.00101",
        "Sparse attention at scale",
        "We sparsify attention.",
        &["Ada Lovelace"],
        &["cs.LG"],
        "2025-06-02",
    );
    claimed.comment = Some("Accepted to TMLR".into());
    let plain = paper(
        "2506.00102",
        "Dense attention at scale",
        "We densify attention.",
        &["Alan Turing"],
        &["cs.LG"],
        "2025-06-02",
    );
    // Known only at OpenReview: no arXiv category, no announcement.
    let mut only_at_venue = plain.clone();
    only_at_venue.id = ArxivId::venue_paper("openreview", "Xy12ab").unwrap();
    only_at_venue.title = "Rotary attention revisited".into();
    only_at_venue.categories.clear();
    only_at_venue.announced = None;
    let (store, index, _dir, _db) =
        indexed(vec![claimed, plain, only_at_venue.normalized().unwrap()]).await;

    // The comment's claim is now a link in the Store, filed under the year it was announced.
    let claimed_id = ArxivId::parse("2506.00101").unwrap();
    let links = store
        .venue_links(std::slice::from_ref(&claimed_id))
        .await
        .unwrap();
    let link = &links[&claimed_id][0];
    assert_eq!(
        (link.edition(), link.source),
        ("TMLR.2025".to_string(), LinkSource::Arxiv)
    );

    // An import links the plain paper and the venue-only one; the next sync indexes both.
    let poster = |source| VenueLink {
        venue: "NeurIPS".into(),
        year: 2025,
        group: Some("Poster".into()),
        source,
        url: None,
        pdf_url: None,
    };
    store
        .put_venue_links(&[
            (
                ArxivId::parse("2506.00102").unwrap(),
                poster(LinkSource::Curated),
            ),
            (
                ArxivId::parse_any("openreview:Xy12ab").unwrap(),
                poster(LinkSource::OpenReview),
            ),
        ])
        .await
        .unwrap();
    assert!(
        ids(&index, "venue:NeurIPS.2025").is_empty(),
        "not synced yet"
    );
    index.sync(&store, false, |_| {}).await.unwrap();
    let mut found = ids(&index, "attention venue:neurips.2025.poster");
    found.sort();
    assert_eq!(found, ["2506.00102", "openreview:Xy12ab"]);
    assert_eq!(ids(&index, "venue:TMLR.2025"), ["2506.00101"]);
    assert_eq!(ids(&index, "rotary"), ["openreview:Xy12ab"]);
}
