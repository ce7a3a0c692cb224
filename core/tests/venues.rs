//! The Store's venue links, run on SQLite and on PostgreSQL: a comment's claims, imports that
//! overrule them, venue-only papers, edition pages and the counts `/venue` shows.

use chrono::NaiveDate;
use papers_core::store::Watermark;
use papers_core::venue::{GroupCount, LinkSource, VenueLink};
use papers_core::{ArxivId, Category, Paper, Store, store_test};

fn arxiv_paper(id: &str, title: &str) -> Paper {
    Paper {
        id: ArxivId::parse(id).unwrap(),
        version: 1,
        title: title.into(),
        authors: vec!["Ada Lovelace".into()],
        abstract_text: "We study attention at low rank.".into(),
        categories: vec![Category::parse("cs.LG").unwrap()],
        comment: None,
        journal_ref: None,
        doi: None,
        published: None,
        updated: None,
        announced: NaiveDate::from_ymd_opt(2026, 6, 1),
    }
    .normalized()
    .unwrap()
}

fn link(venue: &str, year: u16, group: Option<&str>, source: LinkSource) -> VenueLink {
    VenueLink {
        venue: venue.into(),
        year,
        group: group.map(str::to_string),
        source,
        url: None,
        pdf_url: None,
    }
}

fn id(text: &str) -> ArxivId {
    ArxivId::parse_any(text).unwrap()
}

async fn links_of(store: &Store, paper: &str) -> Vec<VenueLink> {
    let mut map = store.venue_links(&[id(paper)]).await.unwrap();
    map.remove(&id(paper)).unwrap_or_default()
}

async fn comment_claims_yield_to_imports(store: Store) {
    store
        .upsert(vec![
            arxiv_paper("2606.00001", "Beta attention"),
            arxiv_paper("2606.00002", "Alpha diffusion"),
        ])
        .await
        .unwrap();
    store
        .replace_comment_venues(&[
            (
                id("2606.00001"),
                vec![link("ICLR", 2026, None, LinkSource::Arxiv)],
            ),
            (
                id("2606.00002"),
                vec![link("ICLR", 2026, Some("Oral"), LinkSource::Arxiv)],
            ),
        ])
        .await
        .unwrap();

    // OpenReview says the first one is a Spotlight: the import wins over the comment.
    let mut spotlight = link("ICLR", 2026, Some("Spotlight"), LinkSource::OpenReview);
    spotlight.url = Some("https://openreview.net/forum?id=abc".into());
    let changed = store
        .put_venue_links(&[(id("2606.00001"), spotlight.clone())])
        .await
        .unwrap();
    assert_eq!(changed, 1);
    // The same import again changes nothing.
    let again = store
        .put_venue_links(&[(id("2606.00001"), spotlight.clone())])
        .await
        .unwrap();
    assert_eq!(again, 0);
    assert_eq!(
        links_of(&store, "2606.00001").await,
        vec![spotlight.clone()]
    );

    // The index syncs the comment again: the imported link stays, the other paper's claim is
    // replaced by what its comment now says (nothing).
    store
        .replace_comment_venues(&[
            (
                id("2606.00001"),
                vec![link("ICLR", 2026, None, LinkSource::Arxiv)],
            ),
            (id("2606.00002"), vec![]),
        ])
        .await
        .unwrap();
    assert_eq!(links_of(&store, "2606.00001").await, vec![spotlight]);
    assert_eq!(links_of(&store, "2606.00002").await, vec![]);
}
store_test!(
    comment_claims_yield_to_imports_on,
    comment_claims_yield_to_imports
);

async fn an_import_marks_the_paper_changed(store: Store) {
    store
        .upsert(vec![arxiv_paper("2606.00001", "Beta attention")])
        .await
        .unwrap();
    let all = store.changed_since(None, 100).await.unwrap();
    let mark = Watermark::of(all.last().unwrap());
    assert!(
        store
            .changed_since(Some(&mark), 100)
            .await
            .unwrap()
            .is_empty()
    );
    // A clock that ticks in whole microseconds could stamp the import with the same time.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    store
        .put_venue_links(&[(
            id("2606.00001"),
            link("NeurIPS", 2025, Some("Poster"), LinkSource::Curated),
        )])
        .await
        .unwrap();
    let changed = store.changed_since(Some(&mark), 100).await.unwrap();
    assert_eq!(changed.len(), 1, "the index must revisit the linked paper");
    assert_eq!(changed[0].paper.id, id("2606.00001"));
}
store_test!(
    an_import_marks_the_paper_changed_on,
    an_import_marks_the_paper_changed
);

async fn editions_list_venue_only_papers_too(store: Store) {
    // A paper known only at OpenReview: no arXiv category, its own kind of id.
    let mut only_at_venue = arxiv_paper("2606.00003", "Gamma low-rank");
    only_at_venue.id = id("openreview:Xy12_ab");
    only_at_venue.categories = vec![];
    only_at_venue.announced = None;
    let only_at_venue = only_at_venue.normalized().unwrap();
    store
        .upsert(vec![
            arxiv_paper("2606.00001", "beta attention"),
            arxiv_paper("2606.00002", "Alpha diffusion"),
            only_at_venue.clone(),
        ])
        .await
        .unwrap();
    assert_eq!(
        store.get(&only_at_venue.id).await.unwrap(),
        Some(only_at_venue)
    );
    store
        .put_venue_links(&[
            (
                id("2606.00001"),
                link("ICLR", 2026, Some("Poster"), LinkSource::OpenReview),
            ),
            (
                id("2606.00002"),
                link("ICLR", 2026, Some("Oral"), LinkSource::OpenReview),
            ),
            (
                id("openreview:Xy12_ab"),
                link("ICLR", 2026, Some("Poster"), LinkSource::OpenReview),
            ),
            (
                id("2606.00002"),
                link("ICLR", 2025, None, LinkSource::Curated),
            ),
        ])
        .await
        .unwrap();

    let titles = |rows: Vec<(Paper, VenueLink)>| {
        rows.into_iter()
            .map(|(p, l)| (p.title, l.group))
            .collect::<Vec<_>>()
    };
    // By title, whatever its case.
    assert_eq!(
        titles(store.venue_papers("ICLR", 2026, None, 10, 0).await.unwrap()),
        vec![
            ("Alpha diffusion".to_string(), Some("Oral".to_string())),
            ("beta attention".to_string(), Some("Poster".to_string())),
            ("Gamma low-rank".to_string(), Some("Poster".to_string())),
        ]
    );
    assert_eq!(
        titles(
            store
                .venue_papers("ICLR", 2026, Some("Poster"), 1, 1)
                .await
                .unwrap()
        ),
        vec![("Gamma low-rank".to_string(), Some("Poster".to_string()))]
    );
    let count = |venue: &str, year: u16, group: Option<&str>, papers: u64| GroupCount {
        venue: venue.into(),
        year,
        group: group.map(str::to_string),
        papers,
    };
    assert_eq!(
        store.venue_groups().await.unwrap(),
        vec![
            count("ICLR", 2026, Some("Oral"), 1),
            count("ICLR", 2026, Some("Poster"), 2),
            count("ICLR", 2025, None, 1),
        ]
    );
    let candidates = store.match_candidates().await.unwrap();
    assert_eq!(candidates.len(), 3);
    assert!(candidates.iter().any(|c| c.id == id("openreview:Xy12_ab")
        && c.title == "Gamma low-rank"
        && c.first_author.as_deref() == Some("Ada Lovelace")));
}
store_test!(
    editions_list_venue_only_papers_too_on,
    editions_list_venue_only_papers_too
);

async fn a_merged_venue_paper_is_removed_and_remembered(store: Store) {
    let mut only_at_venue = arxiv_paper("2606.00003", "Rank collapse");
    only_at_venue.id = id("openreview:Rt4");
    only_at_venue.categories = vec![];
    store
        .upsert(vec![
            only_at_venue.normalized().unwrap(),
            arxiv_paper("2606.00001", "Rank collapse"),
        ])
        .await
        .unwrap();
    store
        .put_venue_links(&[(
            id("openreview:Rt4"),
            link("ICLR", 2026, Some("Poster"), LinkSource::OpenReview),
        )])
        .await
        .unwrap();
    assert!(store.removed_papers().await.unwrap().is_empty());
    assert!(
        store
            .merge_venue_paper(&id("openreview:Rt4"), &id("2606.00001"))
            .await
            .unwrap()
    );
    assert_eq!(store.get(&id("openreview:Rt4")).await.unwrap(), None);
    assert_eq!(
        links_of(&store, "2606.00001").await,
        vec![link("ICLR", 2026, Some("Poster"), LinkSource::OpenReview)]
    );
    assert_eq!(
        store.removed_papers().await.unwrap(),
        vec![id("openreview:Rt4")]
    );
    // Merging again finds nothing to merge.
    assert!(
        !store
            .merge_venue_paper(&id("openreview:Rt4"), &id("2606.00001"))
            .await
            .unwrap()
    );
}
store_test!(
    a_merged_venue_paper_is_removed_and_remembered_on,
    a_merged_venue_paper_is_removed_and_remembered
);
