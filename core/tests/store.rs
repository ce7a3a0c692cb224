//! The Store's behaviour, one test body per behaviour, run on SQLite and on PostgreSQL.

use chrono::NaiveDate;
use papers_core::store::{ListingKind, UpsertCounts};
use papers_core::{ArxivId, Category, CategoryExpr, Paper, Store, store_test};

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, d).unwrap()
}

/// A normalised paper in the given categories (primary first), announced on June `d`.
fn paper(id: &str, version: u32, categories: &[&str], d: u32) -> Paper {
    Paper {
        id: ArxivId::parse(id).unwrap(),
        version,
        title: format!("Paper {id} v{version}"),
        authors: vec!["Ada Lovelace".into(), "Alan Turing".into()],
        abstract_text: "We study $\\mathrm{softmax}(QK^T)V$ at low rank.".into(),
        categories: categories
            .iter()
            .map(|c| Category::parse(c).unwrap())
            .collect(),
        comment: None,
        journal_ref: None,
        doi: None,
        published: None,
        updated: None,
        announced: Some(day(d)),
    }
    .normalized()
    .unwrap()
}

fn counts(new: u64, updated: u64, unchanged: u64) -> UpsertCounts {
    UpsertCounts {
        new,
        updated,
        unchanged,
    }
}

fn ids(listing: &papers_core::store::Listing) -> Vec<String> {
    listing
        .papers
        .iter()
        .map(|p| p.paper.id.to_string())
        .collect()
}

async fn upsert_is_idempotent(store: Store) {
    let papers = vec![
        paper("2606.00001", 1, &["cs.LG"], 1),
        paper("2606.00002", 1, &["cs.CL", "cs.LG"], 1),
        paper("hep-th/9901001", 2, &["hep-th"], 1),
    ];
    assert_eq!(store.upsert(papers.clone()).await.unwrap(), counts(3, 0, 0));
    assert_eq!(store.upsert(papers.clone()).await.unwrap(), counts(0, 0, 3));
    assert_eq!(store.paper_count().await.unwrap(), 3);
    for p in &papers {
        assert_eq!(store.get(&p.id).await.unwrap().as_ref(), Some(p));
    }
}
store_test!(upsert_is_idempotent_on, upsert_is_idempotent);

async fn newer_versions_win_and_older_never_do(store: Store) {
    let v1 = paper("2606.00001", 1, &["cs.LG"], 1);
    let mut v2 = paper("2606.00001", 2, &["cs.CV"], 3);
    v2.title = "Revised title".into();
    store.upsert(vec![v1.clone()]).await.unwrap();
    assert_eq!(store.upsert(vec![v2]).await.unwrap(), counts(0, 1, 0));
    assert_eq!(store.upsert(vec![v1]).await.unwrap(), counts(0, 0, 1));

    let stored = store
        .get(&ArxivId::parse("2606.00001").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.version, 2);
    assert_eq!(stored.title, "Revised title");
    assert_eq!(
        stored.announced,
        Some(day(1)),
        "announced stays the first listing"
    );
    // The categories moved with the new version: the paper lists under cs.CV, not cs.LG.
    let cv = store.list_day(&expr("cs.CV"), day(1), 0, 10).await.unwrap();
    let lg = store.list_day(&expr("cs.LG"), day(1), 0, 10).await.unwrap();
    assert_eq!(ids(&cv), ["2606.00001"]);
    assert_eq!(lg.total, 0);
}
store_test!(versions_on, newer_versions_win_and_older_never_do);

async fn two_sources_make_one_row(store: Store) {
    let mut from_api = paper("2606.00001", 1, &["cs.LG"], 1);
    from_api.doi = Some("10.1000/example".into());
    from_api.announced = None; // the API does not know the listing day
    let from_feed = paper("2606.00001", 1, &["cs.LG"], 1);
    assert_eq!(store.upsert(vec![from_api]).await.unwrap(), counts(1, 0, 0));
    assert_eq!(
        store.upsert(vec![from_feed]).await.unwrap(),
        counts(0, 1, 0)
    );
    assert_eq!(store.paper_count().await.unwrap(), 1);
    let stored = store
        .get(&ArxivId::parse("2606.00001").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.doi.as_deref(), Some("10.1000/example"));
    assert_eq!(stored.announced, Some(day(1)));
}
store_test!(two_sources_on, two_sources_make_one_row);

async fn get_by_any_id_form(store: Store) {
    store
        .upsert(vec![
            paper("2606.01234", 3, &["cs.LG"], 1),
            paper("math/0309136", 2, &["math.GT"], 1),
        ])
        .await
        .unwrap();
    for form in [
        "2606.01234",
        "2606.01234v1",
        "arXiv:2606.01234v3",
        "https://arxiv.org/abs/2606.01234v2",
        "https://arxiv.org/pdf/2606.01234",
    ] {
        let found = store.get(&ArxivId::parse(form).unwrap()).await.unwrap();
        assert_eq!(found.map(|p| p.version), Some(3), "{form}");
    }
    let old = store
        .get(&ArxivId::parse("math.GT/0309136v1").unwrap())
        .await
        .unwrap();
    assert_eq!(old.map(|p| p.id.to_string()), Some("math/0309136".into()));
    let missing = store
        .get(&ArxivId::parse("2606.99999").unwrap())
        .await
        .unwrap();
    assert_eq!(missing, None);
}
store_test!(get_on, get_by_any_id_form);

fn expr(s: &str) -> CategoryExpr {
    CategoryExpr::parse(s).unwrap()
}

async fn listing_follows_the_category_expression(store: Store) {
    store
        .upsert(vec![
            // Inserted out of order on purpose: the listing orders them.
            paper("2606.00005", 1, &["cs.CL", "cs.LG"], 2),
            paper("2606.00003", 1, &["cs.LG"], 2),
            paper("2606.00004", 1, &["cs.CV", "cs.LG", "cs.CY"], 2),
            paper("2606.00001", 1, &["cs.LG", "stat.ML"], 2),
            paper("2606.00002", 1, &["cs.CL"], 2),
            paper("2606.00009", 1, &["cs.LG"], 1), // another day
        ])
        .await
        .unwrap();

    // New submissions (primary cs.LG) first, then cross-lists, each by id: as arXiv lists a day.
    let lg = store.list_day(&expr("cs.LG"), day(2), 0, 25).await.unwrap();
    assert_eq!(
        ids(&lg),
        ["2606.00001", "2606.00003", "2606.00004", "2606.00005"]
    );
    let kinds: Vec<ListingKind> = lg.papers.iter().map(|p| p.kind).collect();
    use ListingKind::{Cross, New};
    assert_eq!(kinds, [New, New, Cross, Cross]);
    assert_eq!((lg.total, lg.new, lg.cross), (4, 2, 2));

    // Union, and the same paper listed once even if it is in both.
    let union = store
        .list_day(&expr("cs.LG,cs.CL"), day(2), 0, 25)
        .await
        .unwrap();
    assert_eq!(union.total, 5);
    assert_eq!(union.new, 4, "2606.00005 is new through cs.CL");
    assert_eq!(
        ids(&union),
        [
            "2606.00001",
            "2606.00002",
            "2606.00003",
            "2606.00005",
            "2606.00004"
        ]
    );

    // Exclusion removes a paper in ANY excluded category.
    let minus = store
        .list_day(&expr("cs.LG+cs.CL-cs.CY"), day(2), 0, 25)
        .await
        .unwrap();
    assert!(!ids(&minus).contains(&"2606.00004".to_string()));
    assert_eq!(minus.total, 4);

    // A whole archive.
    let cs = store.list_day(&expr("cs"), day(2), 0, 25).await.unwrap();
    assert_eq!(cs.total, 5);

    // Paging: counts are of the whole day, the page is a slice of the same order.
    let page = store.list_day(&expr("cs.LG"), day(2), 1, 2).await.unwrap();
    assert_eq!(ids(&page), ["2606.00003", "2606.00004"]);
    assert_eq!(page.total, 4);
    let past_end = store.list_day(&expr("cs.LG"), day(2), 10, 2).await.unwrap();
    assert!(past_end.papers.is_empty());

    let other_day = store.list_day(&expr("cs.LG"), day(1), 0, 25).await.unwrap();
    assert_eq!(ids(&other_day), ["2606.00009"]);
    let empty_day = store.list_day(&expr("cs.LG"), day(3), 0, 25).await.unwrap();
    assert_eq!(empty_day.total, 0);
}
store_test!(listing_on, listing_follows_the_category_expression);

async fn dates_and_counts(store: Store) {
    store
        .upsert(vec![
            paper("2606.00001", 1, &["cs.LG", "stat.ML"], 2),
            paper("2606.00002", 1, &["cs.LG"], 2),
            paper("2606.00003", 1, &["cs.CL"], 1),
            paper("2606.00004", 1, &["math.NA"], 4),
        ])
        .await
        .unwrap();
    assert_eq!(
        store.announced_dates().await.unwrap(),
        [day(4), day(2), day(1)]
    );

    let counts: Vec<(NaiveDate, String, u64)> = store
        .day_counts(day(1), day(2))
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.date, c.category.to_string(), c.papers))
        .collect();
    assert_eq!(
        counts,
        [
            (day(1), "cs.CL".to_string(), 1),
            (day(2), "cs.LG".to_string(), 2),
            (day(2), "stat.ML".to_string(), 1),
        ]
    );
}
store_test!(dates_and_counts_on, dates_and_counts);

async fn aliases_list_under_one_category(store: Store) {
    // cs.NA is an alias of math.NA: a paper filed under the alias is found under the canonical code.
    let p = paper("2606.00001", 1, &["cs.NA"], 1);
    assert_eq!(p.categories[0].as_str(), "math.NA");
    store.upsert(vec![p]).await.unwrap();
    let listing = store.list_day(&expr("cs.NA"), day(1), 0, 25).await.unwrap();
    assert_eq!(ids(&listing), ["2606.00001"]);
}
store_test!(aliases_on, aliases_list_under_one_category);

async fn large_batches_are_split(store: Store) {
    let papers: Vec<Paper> = (0..1_234)
        .map(|i| paper(&format!("2606.{i:05}"), 1, &["cs.LG", "cs.AI"], 5))
        .collect();
    assert_eq!(store.upsert(papers).await.unwrap(), counts(1_234, 0, 0));
    let listing = store
        .list_day(&expr("cs.AI"), day(5), 1_200, 100)
        .await
        .unwrap();
    assert_eq!(listing.total, 1_234);
    assert_eq!(listing.papers.len(), 34);
}
store_test!(large_batches_on, large_batches_are_split);

/// Follows `changed_since` page by page from `start`, as the indexer does.
async fn follow(
    store: &Store,
    start: Option<papers_core::store::Watermark>,
    page: u32,
) -> (Vec<String>, Option<papers_core::store::Watermark>) {
    let mut seen = Vec::new();
    let mut mark = start;
    loop {
        let changed = store.changed_since(mark.as_ref(), page).await.unwrap();
        let Some(last) = changed.last() else {
            return (seen, mark);
        };
        mark = Some(papers_core::store::Watermark::of(last));
        seen.extend(changed.iter().map(|c| c.paper.id.to_string()));
    }
}

async fn changes_are_followed_once_in_order(store: Store) {
    // One batch: 250 rows share one modified_at; paging must still visit each exactly once.
    let papers: Vec<Paper> = (0..250)
        .map(|i| paper(&format!("2606.{i:05}"), 1, &["cs.LG"], 3))
        .collect();
    store.upsert(papers).await.unwrap();
    let (seen, mark) = follow(&store, None, 40).await;
    assert_eq!(seen.len(), 250);
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 250, "no row twice");

    // Nothing new: nothing to follow. An unchanged re-upsert is not a change.
    store
        .upsert(vec![paper("2606.00007", 1, &["cs.LG"], 3)])
        .await
        .unwrap();
    assert_eq!(
        follow(&store, mark.clone(), 40).await.0,
        Vec::<String>::new()
    );

    // A new version and a new paper are the changes, and the full content comes with them.
    std::thread::sleep(std::time::Duration::from_millis(5));
    store
        .upsert(vec![
            paper("2606.00007", 2, &["cs.LG"], 3),
            paper("2606.99999", 1, &["cs.CL"], 4),
        ])
        .await
        .unwrap();
    let changed = store.changed_since(mark.as_ref(), 10).await.unwrap();
    let mut ids: Vec<String> = changed.iter().map(|c| c.paper.id.to_string()).collect();
    ids.sort();
    assert_eq!(ids, ["2606.00007", "2606.99999"]);
    let revised = changed
        .iter()
        .find(|c| c.paper.id.as_str() == "2606.00007")
        .unwrap();
    assert_eq!(revised.paper.version, 2);
}
store_test!(changes_on, changes_are_followed_once_in_order);

async fn embeddings_follow_paper_versions(store: Store) {
    use papers_core::store::Embedding;
    let papers: Vec<Paper> = (0..5)
        .map(|i| paper(&format!("2606.{i:05}"), 1, &["cs.LG"], 2))
        .collect();
    store.upsert(papers.clone()).await.unwrap();
    let todo = store.papers_to_embed("lsa-4", "", 100).await.unwrap();
    assert_eq!(todo.len(), 5, "nothing embedded yet");
    // Paged by id.
    let first = store.papers_to_embed("lsa-4", "", 2).await.unwrap();
    let rest = store
        .papers_to_embed("lsa-4", first[1].id.as_str(), 100)
        .await
        .unwrap();
    assert_eq!(first.len() + rest.len(), 5);

    let rows: Vec<Embedding> = papers
        .iter()
        .enumerate()
        .map(|(i, p)| Embedding {
            id: p.id.clone(),
            version: 1,
            vector: vec![i as f32, -0.5, 1e-7, f32::MAX],
        })
        .collect();
    store.put_embeddings("lsa-4", &rows).await.unwrap();
    assert!(
        store
            .papers_to_embed("lsa-4", "", 100)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .papers_to_embed("minilm", "", 100)
            .await
            .unwrap()
            .len(),
        5,
        "per embedder"
    );
    assert_eq!(
        store.embeddings("lsa-4", "", 100).await.unwrap(),
        rows,
        "bit for bit"
    );

    // A new version makes its vector stale; replacing it leaves one row.
    store
        .upsert(vec![paper("2606.00003", 2, &["cs.LG"], 2)])
        .await
        .unwrap();
    let stale = store.papers_to_embed("lsa-4", "", 100).await.unwrap();
    assert_eq!(stale.len(), 1);
    assert_eq!((stale[0].id.as_str(), stale[0].version), ("2606.00003", 2));
    let fresh = Embedding {
        id: stale[0].id.clone(),
        version: 2,
        vector: vec![9.0; 4],
    };
    store
        .put_embeddings("lsa-4", std::slice::from_ref(&fresh))
        .await
        .unwrap();
    let stored = store.embeddings("lsa-4", "", 100).await.unwrap();
    assert_eq!(stored.len(), 5);
    assert_eq!(stored[3], fresh);

    // A retrained model's predecessor is forgotten, and only it.
    store.put_embeddings("lsa-5", &rows[..2]).await.unwrap();
    assert_eq!(store.delete_embeddings("lsa-4").await.unwrap(), 5);
    assert!(store.embeddings("lsa-4", "", 100).await.unwrap().is_empty());
    assert_eq!(store.embeddings("lsa-5", "", 100).await.unwrap().len(), 2);
}
store_test!(embeddings_on, embeddings_follow_paper_versions);

async fn topic_members_are_replaced_whole(store: Store) {
    // Announced on days 2..=6, so newest first is 2606.00004 down to 2606.00000.
    let papers: Vec<Paper> = (0..5)
        .map(|i| paper(&format!("2606.{i:05}"), 1, &["cs.LG"], 2 + i))
        .collect();
    store.upsert(papers.clone()).await.unwrap();
    let id = |i: usize| papers[i].id.clone();
    store
        .set_topic_members("attention", &[id(0), id(3), id(4)])
        .await
        .unwrap();
    store
        .set_topic_members("diffusion", &[id(1)])
        .await
        .unwrap();
    let listed = |page: Vec<Paper>| page.iter().map(|p| p.id.to_string()).collect::<Vec<_>>();
    assert_eq!(
        listed(store.topic_papers("attention", 10, 0).await.unwrap()),
        ["2606.00004", "2606.00003", "2606.00000"],
        "newest first"
    );
    assert_eq!(
        listed(store.topic_papers("attention", 1, 1).await.unwrap()),
        ["2606.00003"],
        "paged"
    );
    assert_eq!(store.topic_count("attention").await.unwrap(), 3);

    // The next index run's membership replaces the old one; other topics are untouched.
    store
        .set_topic_members("attention", &[id(2)])
        .await
        .unwrap();
    assert_eq!(
        listed(store.topic_papers("attention", 10, 0).await.unwrap()),
        ["2606.00002"]
    );
    assert_eq!(store.topic_count("diffusion").await.unwrap(), 1);
    assert_eq!(store.topic_count("low-rank").await.unwrap(), 0);
    // Many members go in chunks.
    let many: Vec<_> = (0..5).cycle().take(1_200).map(id).collect();
    store.set_topic_members("diffusion", &many).await.unwrap();
    assert_eq!(store.topic_count("diffusion").await.unwrap(), 5);
}
store_test!(topics_on, topic_members_are_replaced_whole);

async fn the_clock_is_the_database_s(store: Store) {
    // Leases are compared by this clock on every machine: Unix seconds, as the database has them.
    let before = chrono::Utc::now().timestamp();
    let now = store.clock().await.unwrap();
    let after = chrono::Utc::now().timestamp();
    assert!(
        (before - 2..=after + 2).contains(&now),
        "{before} <= {now} <= {after}"
    );
}
store_test!(clock_on, the_clock_is_the_database_s);
