//! The crawler's bookkeeping, on both backends: leases that keep runs apart and survive a killed
//! holder, named state (checkpoints), and the run log.

use std::time::Duration;

use papers_core::{Store, store_test};

async fn one_lease_holder_at_a_time(store: Store) {
    let ttl = Duration::from_secs(60);
    assert!(store.try_lock("crawl", "run-a", ttl).await.unwrap());
    assert!(
        !store.try_lock("crawl", "run-b", ttl).await.unwrap(),
        "held by run-a"
    );
    assert!(store.renew_lock("crawl", "run-a", ttl).await.unwrap());
    assert!(!store.renew_lock("crawl", "run-b", ttl).await.unwrap());
    // Another name is another lease.
    assert!(store.try_lock("backfill", "run-b", ttl).await.unwrap());

    store.unlock("crawl", "run-b").await.unwrap();
    assert!(
        !store.try_lock("crawl", "run-c", ttl).await.unwrap(),
        "only the holder unlocks"
    );
    store.unlock("crawl", "run-a").await.unwrap();
    assert!(store.try_lock("crawl", "run-c", ttl).await.unwrap());
}
store_test!(leases_on, one_lease_holder_at_a_time);

async fn an_expired_lease_is_taken_over(store: Store) {
    // A holder killed with -9 never unlocks; once its lease runs out the next run takes over.
    assert!(
        store
            .try_lock("crawl", "killed", Duration::ZERO)
            .await
            .unwrap()
    );
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    assert!(
        store
            .try_lock("crawl", "next", Duration::from_secs(60))
            .await
            .unwrap()
    );
    assert!(
        !store
            .renew_lock("crawl", "killed", Duration::from_secs(60))
            .await
            .unwrap()
    );
}
store_test!(expired_leases_on, an_expired_lease_is_taken_over);

async fn a_dead_holders_lease_is_taken_over_once(store: Store) {
    let ttl = Duration::from_secs(60);
    assert!(store.try_lock("crawl", "dead", ttl).await.unwrap());
    assert_eq!(
        store.lock_holder("crawl").await.unwrap().as_deref(),
        Some("dead")
    );
    assert!(
        store
            .take_over_lock("crawl", "dead", "a", ttl)
            .await
            .unwrap()
    );
    assert!(
        !store
            .take_over_lock("crawl", "dead", "b", ttl)
            .await
            .unwrap(),
        "already taken"
    );
    assert_eq!(
        store.lock_holder("crawl").await.unwrap().as_deref(),
        Some("a")
    );
}
store_test!(take_over_on, a_dead_holders_lease_is_taken_over_once);

async fn named_state_round_trips(store: Store) {
    assert_eq!(store.state("oai:cs").await.unwrap(), None);
    store.set_state("oai:cs", r#"{"token":"a"}"#).await.unwrap();
    store.set_state("oai:cs", r#"{"token":"b"}"#).await.unwrap();
    assert_eq!(
        store.state("oai:cs").await.unwrap().as_deref(),
        Some(r#"{"token":"b"}"#)
    );
    store.clear_state("oai:cs").await.unwrap();
    assert_eq!(store.state("oai:cs").await.unwrap(), None);
}
store_test!(state_on, named_state_round_trips);

async fn runs_are_logged(store: Store) {
    let first = store.start_run("daily").await.unwrap();
    let second = store.start_run("fetch").await.unwrap();
    store.finish_run(first, "ok", r#"{"new":3}"#).await.unwrap();
    let runs = store.recent_runs(10).await.unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!((runs[0].id, runs[0].status.as_str()), (second, "running"));
    assert_eq!(runs[1].kind, "daily");
    assert_eq!(runs[1].status, "ok");
    assert_eq!(runs[1].summary.as_deref(), Some(r#"{"new":3}"#));
    assert!(runs[1].finished_at.unwrap() >= runs[1].started_at);
}
store_test!(runs_on, runs_are_logged);
