//! The OpenAI-compatible provider end to end, against the mock server and its faults: what a
//! reader gets is a complete, cached FAQ, or a failure with a reason and nothing half-stored.

mod support;

use std::time::Duration;

use papers_core::testing::sqlite_store;
use papers_core::{Lang, Secret};
use papers_summarizer::provider::Provider;
use papers_summarizer::provider::endpoint::Endpoint;
use papers_summarizer::testing::{Fault, MockLlm};
use papers_summarizer::{JobView, Update};
use support::{endpoint, follow, options, paper, start, streamed_answers};

#[tokio::test]
async fn a_streamed_faq_is_asked_in_one_conversation_and_cached() {
    let (store, _dir) = sqlite_store().await;
    let mock = MockLlm::start().await;
    let p = paper("2606.00001", 1, 1);
    store.upsert(vec![p.clone()]).await.unwrap();
    let summarizer = start(
        &store,
        endpoint(&mock, Duration::from_secs(5)),
        options("w", Duration::from_secs(30)),
    );

    summarizer.request(&p, Lang::En, true).await.unwrap();
    let updates = follow(&summarizer, &p, Lang::En).await;
    assert_eq!(updates.last(), Some(&Update::Done), "{updates:?}");

    let answer = summarizer
        .cached(&p, Lang::En)
        .await
        .unwrap()
        .expect("cached");
    assert_eq!(
        (answer.provider.as_str(), answer.model.as_str()),
        ("endpoint", "mock-model")
    );
    assert_eq!(answer.source, "abstract");
    assert!(!answer.stale);
    assert_eq!(answer.sections.len(), 6);
    assert_eq!(answer.sections[0].title, "Problem");
    assert!(
        answer.sections[0]
            .markdown
            .contains("What problem does this paper try to solve?")
    );
    assert!(
        answer.sections[5]
            .markdown
            .contains("Summarise the paper's main content.")
    );
    assert!(answer.sections[0].html.contains("<strong>Answer</strong>"));
    // What the follower saw stream in is exactly what was stored.
    let stored: Vec<String> = answer.sections.iter().map(|s| s.markdown.clone()).collect();
    assert_eq!(streamed_answers(&updates), stored);

    // One request per question, each carrying the conversation so far, the key as a bearer.
    assert_eq!(mock.requests(), 6);
    let bodies = mock.bodies();
    assert_eq!(bodies[0]["messages"].as_array().unwrap().len(), 2);
    assert_eq!(bodies[5]["messages"].as_array().unwrap().len(), 12);
    assert_eq!(bodies[5]["messages"][2]["role"], "assistant");
    assert_eq!(bodies[5]["messages"][2]["content"], stored[0].as_str());
    assert!(
        bodies[0]["messages"][1]["content"]
            .as_str()
            .unwrap()
            .contains("We propose a low-rank attention")
    );
    assert_eq!(bodies[0]["stream"], true);
    assert_eq!(mock.authorizations()[0].as_deref(), Some("Bearer sk-test"));

    // Asked again: from the cache, no new request.
    let (enqueued, state) = summarizer.request(&p, Lang::En, true).await.unwrap();
    assert!(enqueued.is_none() && state.job.is_none());
    assert_eq!(mock.requests(), 6);
}

#[tokio::test]
async fn every_fault_is_retried_and_the_whole_answer_cached() {
    let (store, _dir) = sqlite_store().await;
    let mock = MockLlm::start().await;
    // The hang must end by the client's timeout, not the mock's hour.
    let summarizer = start(
        &store,
        endpoint(&mock, Duration::from_millis(800)),
        options("w", Duration::from_secs(30)),
    );
    let faults = [
        Fault::TooMany(1),
        Fault::ServerError,
        Fault::Hang,
        Fault::DropMidStream,
        Fault::MalformedChunk,
        Fault::EmptyChoices,
        Fault::Plain,
    ];
    for (n, fault) in faults.into_iter().enumerate() {
        let p = paper(&format!("2606.{:05}", n + 10), 1, 2);
        store.upsert(vec![p.clone()]).await.unwrap();
        let before = mock.requests();
        mock.script([fault.clone()]);
        let started = std::time::Instant::now();
        summarizer.request(&p, Lang::En, true).await.unwrap();
        let updates = follow(&summarizer, &p, Lang::En).await;
        assert_eq!(
            updates.last(),
            Some(&Update::Done),
            "{fault:?}: {updates:?}"
        );
        let answer = summarizer
            .cached(&p, Lang::En)
            .await
            .unwrap()
            .expect("cached");
        let first = &answer.sections[0].markdown;
        assert!(first.starts_with("**Answer** to:"), "{fault:?}: {first}");
        assert!(
            !first.contains("Half an"),
            "{fault:?}: a cut-off attempt leaked into the answer: {first}"
        );
        assert!(answer.sections.iter().all(|s| !s.markdown.is_empty()));
        // A plain JSON answer needs no retry; every other fault costs exactly one more request.
        let extra = if fault == Fault::Plain { 0 } else { 1 };
        assert_eq!(mock.requests() - before, 6 + extra, "{fault:?}");
        if let Fault::TooMany(secs) = fault {
            assert!(
                started.elapsed() >= Duration::from_secs(secs),
                "Retry-After was not honoured"
            );
        }
    }
}

#[tokio::test]
async fn a_dead_endpoint_fails_the_job_with_a_reason_and_a_new_request_retries() {
    let (store, _dir) = sqlite_store().await;
    let mock = MockLlm::start().await;
    let p = paper("2606.00002", 1, 1);
    store.upsert(vec![p.clone()]).await.unwrap();
    let summarizer = start(
        &store,
        endpoint(&mock, Duration::from_secs(5)),
        options("w", Duration::from_secs(30)),
    );
    // More 500s than the policy has attempts.
    mock.script(std::iter::repeat_n(Fault::ServerError, 4));
    summarizer.request(&p, Lang::En, true).await.unwrap();
    let updates = follow(&summarizer, &p, Lang::En).await;
    let Some(Update::Failed { reason }) = updates.last() else {
        panic!("{updates:?}")
    };
    assert!(reason.contains("HTTP 500"), "{reason}");
    let state = summarizer.state(&p, Lang::En).await.unwrap();
    assert!(state.summary.is_none(), "nothing half-made is cached");
    assert!(matches!(state.job, Some(JobView::Failed { .. })));

    // The endpoint is back: asking again queues a new generation, which succeeds.
    let (enqueued, _) = summarizer.request(&p, Lang::En, true).await.unwrap();
    assert_eq!(enqueued, Some(papers_core::Enqueued::New));
    assert_eq!(
        follow(&summarizer, &p, Lang::En).await.last(),
        Some(&Update::Done)
    );
    assert!(summarizer.cached(&p, Lang::En).await.unwrap().is_some());
}

#[tokio::test]
async fn an_endpoint_nobody_answers_fails_cleanly() {
    let (store, _dir) = sqlite_store().await;
    let p = paper("2606.00003", 1, 1);
    store.upsert(vec![p.clone()]).await.unwrap();
    // Port 9 (discard): nothing listens there on a test machine.
    let provider = Provider::Endpoint(
        Endpoint::new(
            "http://127.0.0.1:9/v1",
            "m",
            Some(Secret::new("sk-secret-key")),
            Duration::from_secs(2),
        )
        .unwrap(),
    );
    let summarizer = start(&store, provider, options("w", Duration::from_secs(30)));
    summarizer.request(&p, Lang::En, true).await.unwrap();
    let updates = follow(&summarizer, &p, Lang::En).await;
    let Some(Update::Failed { reason }) = updates.last() else {
        panic!("{updates:?}")
    };
    assert!(reason.contains("cannot connect"), "{reason}");
    assert!(
        !reason.contains("sk-secret-key"),
        "the key must never show: {reason}"
    );
}
