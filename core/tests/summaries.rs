//! The Store's summaries: cached answers, the generation queue and its leases, and PDF text, run
//! on SQLite and on PostgreSQL.

use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use papers_core::{
    ArxivId, Category, Enqueued, FullText, JobState, Lang, Maker, Paper, Store, StoredSummary,
    SummaryJob, store_test,
};
use tokio::task::JoinSet;

/// Long enough that no lease runs out during a test unless the test means it to.
const LEASE: Duration = Duration::from_secs(60);

const MAKER: Maker<'static> = Maker {
    provider: "endpoint",
    model: "qwen3-8b",
    prompt_version: 1,
};

fn paper(id: &str, version: u32) -> Paper {
    Paper {
        id: ArxivId::parse(id).unwrap(),
        version,
        title: format!("Paper {id} v{version}"),
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

/// Stores papers `2606.00001` … `2606.0000n` (jobs and summaries reference them).
async fn papers(store: &Store, n: u32) -> Vec<ArxivId> {
    let papers: Vec<Paper> = (1..=n).map(|i| paper(&format!("2606.{i:05}"), 2)).collect();
    store.upsert(papers.clone()).await.unwrap();
    papers.into_iter().map(|p| p.id).collect()
}

fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap()
}

fn answers(texts: &[&str]) -> Vec<String> {
    texts.iter().map(|t| t.to_string()).collect()
}

/// The summary a worker would store for `job`.
fn summary_for(job: &SummaryJob, tokens: u64, created_at: DateTime<Utc>) -> StoredSummary {
    StoredSummary {
        paper_id: job.paper_id.clone(),
        version: job.version,
        lang: job.lang,
        provider: MAKER.provider.into(),
        model: MAKER.model.into(),
        prompt_version: MAKER.prompt_version,
        answers: answers(&[
            &format!("{} v{} answer 1", job.paper_id, job.version),
            "answer 2",
        ]),
        source: "full-text".into(),
        tokens,
        created_at,
    }
}

/// Runs one job through the queue as a worker does and stores its summary.
async fn generate(
    store: &Store,
    paper: &ArxivId,
    version: u32,
    tokens: u64,
    created_at: DateTime<Utc>,
) -> StoredSummary {
    let (_, queued) = store
        .enqueue_summary(paper, version, Lang::En, 0)
        .await
        .unwrap();
    let job = store.claim_summary_job("w", LEASE).await.unwrap().unwrap();
    assert_eq!(job.id, queued.id);
    let summary = summary_for(&job, tokens, created_at);
    assert!(
        store
            .finish_summary_job(job.id, "w", &summary)
            .await
            .unwrap()
    );
    summary
}

async fn job(store: &Store, paper: &ArxivId, version: u32, lang: Lang) -> Option<SummaryJob> {
    store.summary_job(paper, version, lang).await.unwrap()
}

async fn enqueue_is_single_flight(store: Store) {
    let [p] = papers(&store, 1).await.try_into().unwrap();
    let mut clicks = JoinSet::new();
    for _ in 0..50 {
        let (store, p) = (store.clone(), p.clone());
        clicks.spawn(async move { store.enqueue_summary(&p, 2, Lang::En, 0).await.unwrap() });
    }
    let results = clicks.join_all().await;
    let new = results.iter().filter(|(e, _)| *e == Enqueued::New).count();
    let joined = results
        .iter()
        .filter(|(e, _)| *e == Enqueued::Joined)
        .count();
    assert_eq!((new, joined), (1, 49));
    let job_id = results[0].1.id;
    assert!(results.iter().all(|(_, j)| j.id == job_id), "one job");
    let queued = job(&store, &p, 2, Lang::En).await.unwrap();
    assert_eq!(queued.id, job_id);
    assert_eq!(queued.state, JobState::Queued);
    assert_eq!((queued.attempts, queued.worker), (0, None));

    // Another language, or another version of the paper, is another generation.
    let (zh, zh_job) = store.enqueue_summary(&p, 2, Lang::Zh, 0).await.unwrap();
    let (v1, v1_job) = store.enqueue_summary(&p, 1, Lang::En, 0).await.unwrap();
    assert_eq!((zh, v1), (Enqueued::New, Enqueued::New));
    assert_ne!(zh_job.id, job_id);
    assert_ne!(v1_job.id, job_id);
    assert_ne!(zh_job.id, v1_job.id);
    assert_eq!(store.summary_queue_len().await.unwrap(), (3, 0));

    // Asking while it runs joins the running generation.
    let running = store.claim_summary_job("w", LEASE).await.unwrap().unwrap();
    assert_eq!(store.summary_queue_len().await.unwrap(), (2, 1));
    let (again, same) = store
        .enqueue_summary(&running.paper_id, running.version, running.lang, 0)
        .await
        .unwrap();
    assert_eq!(again, Enqueued::Joined);
    assert_eq!((same.id, same.state), (running.id, JobState::Running));
    assert_eq!(store.summary_queue_len().await.unwrap(), (2, 1));
}
store_test!(enqueue_is_single_flight_on, enqueue_is_single_flight);

async fn higher_priority_goes_first(store: Store) {
    let [a, b, c] = papers(&store, 3).await.try_into().unwrap();
    let (_, low) = store.enqueue_summary(&a, 2, Lang::En, 1).await.unwrap();
    let (_, high) = store.enqueue_summary(&b, 2, Lang::En, 5).await.unwrap();
    let (_, high_later) = store.enqueue_summary(&c, 2, Lang::En, 5).await.unwrap();
    assert_eq!(store.queue_position(&high).await.unwrap(), 0);
    assert_eq!(store.queue_position(&high_later).await.unwrap(), 1);
    assert_eq!(store.queue_position(&low).await.unwrap(), 2);

    // Asked for again with a higher priority, it moves up; with a lower one, it does not move down.
    let (joined, moved) = store.enqueue_summary(&a, 2, Lang::En, 10).await.unwrap();
    assert_eq!(
        (joined, moved.id, moved.priority),
        (Enqueued::Joined, low.id, 10)
    );
    assert_eq!(store.queue_position(&moved).await.unwrap(), 0);
    let (_, kept) = store.enqueue_summary(&a, 2, Lang::En, 0).await.unwrap();
    assert_eq!(kept.priority, 10);
    let high = job(&store, &b, 2, Lang::En).await.unwrap();
    assert_eq!(store.queue_position(&high).await.unwrap(), 1);

    let mut order = Vec::new();
    while let Some(job) = store.claim_summary_job("w", LEASE).await.unwrap() {
        order.push(job.id);
    }
    assert_eq!(order, [low.id, high.id, high_later.id]);
}
store_test!(priority_on, higher_priority_goes_first);

async fn each_job_goes_to_one_worker(store: Store) {
    let ids = papers(&store, 12).await;
    let mut queued = Vec::new();
    for p in &ids {
        for lang in Lang::ALL {
            queued.push(store.enqueue_summary(p, 2, lang, 0).await.unwrap().1.id);
        }
    }

    let mut workers = JoinSet::new();
    for w in 0..8 {
        let store = store.clone();
        workers.spawn(async move {
            let name = format!("worker-{w}");
            let mut claimed = Vec::new();
            while let Some(job) = store.claim_summary_job(&name, LEASE).await.unwrap() {
                assert_eq!(job.state, JobState::Running);
                assert_eq!(job.worker.as_deref(), Some(name.as_str()));
                assert_eq!(job.attempts, 1);
                claimed.push(job.id);
            }
            claimed
        });
    }
    let mut claimed: Vec<i64> = workers.join_all().await.into_iter().flatten().collect();
    claimed.sort_unstable();
    queued.sort_unstable();
    assert_eq!(claimed, queued, "every job claimed, none twice");
    assert_eq!(store.summary_queue_len().await.unwrap(), (0, 24));
    // Running jobs whose leases hold are nobody else's.
    assert_eq!(store.claim_summary_job("late", LEASE).await.unwrap(), None);
}
store_test!(claim_is_exclusive_on, each_job_goes_to_one_worker);

async fn an_expired_lease_passes_the_job_on(store: Store) {
    let [p] = papers(&store, 1).await.try_into().unwrap();
    store.enqueue_summary(&p, 2, Lang::En, 0).await.unwrap();
    let first = store
        .claim_summary_job("dead", Duration::ZERO)
        .await
        .unwrap()
        .unwrap();
    assert!(
        store
            .renew_summary_job(first.id, "dead", Duration::ZERO, &answers(&["half"]))
            .await
            .unwrap()
    );
    // Leases are whole seconds and expire once strictly past: let the clock pass a second.
    tokio::time::sleep(Duration::from_millis(1100)).await;

    let taken = store
        .claim_summary_job("alive", LEASE)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(taken.id, first.id);
    assert_eq!(taken.worker.as_deref(), Some("alive"));
    assert_eq!(taken.attempts, 2);
    assert!(taken.partial.is_empty(), "the new worker starts afresh");

    // The worker that lost it can no longer touch it.
    let late = summary_for(&first, 10, at(1_780_000_000));
    assert!(
        !store
            .renew_summary_job(first.id, "dead", LEASE, &answers(&["stale"]))
            .await
            .unwrap()
    );
    assert!(
        !store
            .finish_summary_job(first.id, "dead", &late)
            .await
            .unwrap()
    );
    store
        .fail_summary_job(first.id, "dead", "late")
        .await
        .unwrap();
    store.release_summary_job(first.id, "dead").await.unwrap();
    assert_eq!(store.summary(&p, Lang::En, &MAKER).await.unwrap(), None);
    let still = job(&store, &p, 2, Lang::En).await.unwrap();
    assert_eq!(still.state, JobState::Running);
    assert_eq!(still.worker.as_deref(), Some("alive"));
    assert_eq!(still.error, None);

    let done = summary_for(&taken, 20, at(1_780_000_100));
    assert!(
        store
            .renew_summary_job(taken.id, "alive", LEASE, &[])
            .await
            .unwrap()
    );
    assert!(
        store
            .finish_summary_job(taken.id, "alive", &done)
            .await
            .unwrap()
    );
    assert_eq!(
        store.summary(&p, Lang::En, &MAKER).await.unwrap(),
        Some(done)
    );
    assert_eq!(job(&store, &p, 2, Lang::En).await, None);
    assert_eq!(store.summary_queue_len().await.unwrap(), (0, 0));
}
store_test!(leases_on, an_expired_lease_passes_the_job_on);

async fn renew_saves_partial_answers(store: Store) {
    let [p] = papers(&store, 1).await.try_into().unwrap();
    store.enqueue_summary(&p, 2, Lang::Zh, 0).await.unwrap();
    let claimed = store.claim_summary_job("w", LEASE).await.unwrap().unwrap();
    assert!(
        store
            .renew_summary_job(claimed.id, "w", LEASE, &answers(&["a", "b"]))
            .await
            .unwrap()
    );
    let running = job(&store, &p, 2, Lang::Zh).await.unwrap();
    assert_eq!(running.partial, ["a", "b"]);
    assert_eq!(running.state, JobState::Running);
    assert_eq!(running.worker.as_deref(), Some("w"));
}
store_test!(renew_on, renew_saves_partial_answers);

async fn finish_stores_the_summary(store: Store) {
    let [p] = papers(&store, 1).await.try_into().unwrap();
    assert_eq!(store.summary(&p, Lang::En, &MAKER).await.unwrap(), None);
    let now = Utc::now();
    let stored = generate(&store, &p, 1, 1234, now).await;
    assert_eq!(job(&store, &p, 1, Lang::En).await, None, "the job is gone");

    let found = store.summary(&p, Lang::En, &MAKER).await.unwrap().unwrap();
    // Times are kept to the second.
    let expected = StoredSummary {
        created_at: at(now.timestamp()),
        ..stored
    };
    assert_eq!(found, expected);
    assert_eq!(found.answers, ["2606.00001 v1 answer 1", "answer 2"]);
    assert_eq!((found.source.as_str(), found.tokens), ("full-text", 1234));

    // A summary is cached per maker and language.
    let other_model = Maker {
        model: "llama-3",
        ..MAKER
    };
    let other_prompt = Maker {
        prompt_version: 2,
        ..MAKER
    };
    let other_provider = Maker {
        provider: "local",
        ..MAKER
    };
    for maker in [other_model, other_prompt, other_provider] {
        assert_eq!(store.summary(&p, Lang::En, &maker).await.unwrap(), None);
    }
    assert_eq!(store.summary(&p, Lang::Zh, &MAKER).await.unwrap(), None);

    // The newest paper version's summary wins, whichever was made last.
    let v2 = generate(&store, &p, 2, 5, at(1_700_000_000)).await;
    let found = store.summary(&p, Lang::En, &MAKER).await.unwrap().unwrap();
    assert_eq!(found, v2);
}
store_test!(finish_on, finish_stores_the_summary);

async fn a_failed_job_can_be_asked_again(store: Store) {
    let [p] = papers(&store, 1).await.try_into().unwrap();
    store.enqueue_summary(&p, 2, Lang::En, 0).await.unwrap();
    let claimed = store.claim_summary_job("w", LEASE).await.unwrap().unwrap();
    store
        .fail_summary_job(claimed.id, "w", "the model is down")
        .await
        .unwrap();
    let failed = job(&store, &p, 2, Lang::En).await.unwrap();
    assert_eq!(failed.state, JobState::Failed);
    assert_eq!(failed.error.as_deref(), Some("the model is down"));
    assert_eq!(store.summary_queue_len().await.unwrap(), (0, 0));
    assert_eq!(store.claim_summary_job("w", LEASE).await.unwrap(), None);

    // Many readers asking again at once make one new generation.
    let mut clicks = JoinSet::new();
    for _ in 0..10 {
        let (store, p) = (store.clone(), p.clone());
        clicks.spawn(async move { store.enqueue_summary(&p, 2, Lang::En, 3).await.unwrap() });
    }
    let results = clicks.join_all().await;
    let new = results.iter().filter(|(e, _)| *e == Enqueued::New).count();
    assert_eq!(new, 1);
    let queued = job(&store, &p, 2, Lang::En).await.unwrap();
    assert_eq!(queued.id, claimed.id);
    assert_eq!(queued.state, JobState::Queued);
    assert_eq!(
        (queued.error, queued.attempts, queued.priority),
        (None, 0, 3)
    );
    assert_eq!(queued.worker, None);
    assert_eq!(store.summary_queue_len().await.unwrap(), (1, 0));
}
store_test!(fail_on, a_failed_job_can_be_asked_again);

async fn release_puts_a_job_back(store: Store) {
    let [p] = papers(&store, 1).await.try_into().unwrap();
    store.enqueue_summary(&p, 2, Lang::En, 0).await.unwrap();
    let claimed = store.claim_summary_job("w", LEASE).await.unwrap().unwrap();
    store
        .renew_summary_job(claimed.id, "w", LEASE, &answers(&["a"]))
        .await
        .unwrap();
    store.release_summary_job(claimed.id, "w").await.unwrap();

    let queued = job(&store, &p, 2, Lang::En).await.unwrap();
    assert_eq!(queued.state, JobState::Queued);
    assert_eq!((queued.worker, queued.attempts), (None, 0));
    assert!(queued.partial.is_empty());
    assert_eq!(store.summary_queue_len().await.unwrap(), (1, 0));
    let again = store.claim_summary_job("w2", LEASE).await.unwrap().unwrap();
    assert_eq!((again.id, again.attempts), (claimed.id, 1));
}
store_test!(release_on, release_puts_a_job_back);

async fn tokens_are_counted_since_a_time(store: Store) {
    let [a, b] = papers(&store, 2).await.try_into().unwrap();
    let t = 1_780_000_000;
    generate(&store, &a, 1, 100, at(t)).await;
    generate(&store, &a, 2, 20, at(t + 10)).await;
    generate(&store, &b, 2, 3, at(t + 20)).await;
    let since = async |secs| store.summary_tokens_since(at(secs)).await.unwrap();
    assert_eq!(since(0).await, 123);
    assert_eq!(since(t).await, 123);
    assert_eq!(since(t + 10).await, 23, "a summary made at `since` counts");
    assert_eq!(since(t + 11).await, 3);
    assert_eq!(since(t + 21).await, 0);
}
store_test!(tokens_on, tokens_are_counted_since_a_time);

async fn fulltext_roundtrips(store: Store) {
    let [p] = papers(&store, 1).await.try_into().unwrap();
    assert_eq!(store.fulltext(&p, 2).await.unwrap(), None);

    let text = FullText::Text("Introduction\n\nAttention is all you need.".into());
    store.put_fulltext(&p, 2, &text).await.unwrap();
    assert_eq!(store.fulltext(&p, 2).await.unwrap(), Some(text.clone()));
    assert_eq!(store.fulltext(&p, 1).await.unwrap(), None, "per version");

    let broken = FullText::Unavailable("PDF has no text layer".into());
    store.put_fulltext(&p, 1, &broken).await.unwrap();
    assert_eq!(store.fulltext(&p, 1).await.unwrap(), Some(broken.clone()));

    // Put again: the newer answer replaces the old, either way round.
    store.put_fulltext(&p, 2, &broken).await.unwrap();
    assert_eq!(store.fulltext(&p, 2).await.unwrap(), Some(broken));
    store.put_fulltext(&p, 1, &text).await.unwrap();
    assert_eq!(store.fulltext(&p, 1).await.unwrap(), Some(text));
}
store_test!(fulltext_on, fulltext_roundtrips);
