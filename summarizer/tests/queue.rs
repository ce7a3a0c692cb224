//! The persistent queue, on SQLite and PostgreSQL: one generation however many ask (and across
//! two servers), a stopped worker's job resumed elsewhere, the daily budget, stale answers, and
//! the extractive provider.

mod support;

use std::sync::Arc;
use std::time::Duration;

use papers_core::{Enqueued, Lang, Store, store_test};
use papers_summarizer::provider::Provider;
use papers_summarizer::testing::MockLlm;
use papers_summarizer::{JobView, Summarizer, Update};
use support::{endpoint, follow, options, paper, start};

async fn fifty_concurrent_requests_over_two_servers_make_one_generation(store: Store) {
    let mock = MockLlm::start().await;
    // Slow enough that every request arrives while the generation runs.
    mock.set_chunk_delay(Duration::from_millis(30));
    let p = paper("2606.00100", 1, 3);
    store.upsert(vec![p.clone()]).await.unwrap();
    let one = start(
        &store,
        endpoint(&mock, Duration::from_secs(5)),
        options("one", Duration::from_secs(30)),
    );
    let two = start(
        &store,
        endpoint(&mock, Duration::from_secs(5)),
        options("two", Duration::from_secs(30)),
    );
    let asks = (0..50).map(|n| {
        let server = Arc::clone(if n % 2 == 0 { &one } else { &two });
        let p = p.clone();
        tokio::spawn(async move { server.request(&p, Lang::En, true).await.unwrap().0 })
    });
    let mut new = 0;
    for ask in asks {
        if ask.await.unwrap() == Some(Enqueued::New) {
            new += 1;
        }
    }
    assert_eq!(new, 1, "exactly one request queued a generation");
    assert_eq!(follow(&one, &p, Lang::En).await.last(), Some(&Update::Done));
    assert_eq!(follow(&two, &p, Lang::En).await.last(), Some(&Update::Done));
    assert_eq!(mock.requests(), 6, "one FAQ: six questions, asked once");
    // Both servers read the same cached answer.
    let a = one.cached(&p, Lang::En).await.unwrap().unwrap();
    let b = two.cached(&p, Lang::En).await.unwrap().unwrap();
    assert_eq!(a.sections[5].markdown, b.sections[5].markdown);
}
store_test!(
    single_flight_on,
    fifty_concurrent_requests_over_two_servers_make_one_generation
);

async fn a_stopped_worker_s_job_is_resumed_after_its_lease(store: Store) {
    let mock = MockLlm::start().await;
    mock.set_chunk_delay(Duration::from_millis(60));
    let papers: Vec<_> = (0..3)
        .map(|n| paper(&format!("2606.0020{n}"), 1, 4))
        .collect();
    store.upsert(papers.clone()).await.unwrap();
    let lease = Duration::from_secs(1);
    let mut first = options("first", lease);
    first.concurrency = 1;
    let one = Summarizer::new(
        store.clone(),
        endpoint(&mock, Duration::from_secs(5)),
        first,
    );
    for p in &papers {
        one.request(p, Lang::En, true).await.unwrap();
    }
    let (_keep, running) = tokio::sync::watch::channel(false);
    let workers = one.spawn_workers(running);
    // Wait until a generation is under way, then stop the worker dead, mid-answer.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let interrupted = loop {
        assert!(
            std::time::Instant::now() < deadline,
            "no generation started"
        );
        let mut found = None;
        for p in &papers {
            if let Some(JobView::Running { answers }) = one.state(p, Lang::En).await.unwrap().job
                && !answers.is_empty()
            {
                found = Some(p.clone());
            }
        }
        if let Some(p) = found {
            break p;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    for worker in workers {
        worker.abort();
    }
    let requests_at_stop = mock.requests();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        mock.requests(),
        requests_at_stop,
        "the stopped worker's generation stopped too"
    );
    let job = store
        .summary_job(&interrupted.id, 1, Lang::En)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        job.state,
        papers_core::JobState::Running,
        "left running, with a lease that runs out"
    );

    // A new process (another worker name): it takes the abandoned job once the lease is over,
    // and the queued ones.
    let two = start(
        &store,
        endpoint(&mock, Duration::from_secs(5)),
        options("second", lease),
    );
    for p in &papers {
        assert_eq!(
            follow(&two, p, Lang::En).await.last(),
            Some(&Update::Done),
            "{}",
            p.id
        );
        let answer = two.cached(p, Lang::En).await.unwrap().unwrap();
        assert!(
            answer
                .sections
                .iter()
                .all(|s| s.markdown.starts_with("**Answer**"))
        );
    }
    assert_eq!(
        store.summary_queue_len().await.unwrap(),
        (0, 0),
        "nothing left queued or running"
    );
}
store_test!(resume_on, a_stopped_worker_s_job_is_resumed_after_its_lease);

async fn a_spent_daily_budget_holds_new_jobs(store: Store) {
    let mock = MockLlm::start().await;
    let (a, b) = (paper("2606.00300", 1, 5), paper("2606.00301", 1, 5));
    store.upsert(vec![a.clone(), b.clone()]).await.unwrap();
    let mut limited = options("w", Duration::from_secs(30));
    // One FAQ from the mock costs 6 × 120 tokens: the budget is spent by the first.
    limited.daily_tokens = Some(500);
    let summarizer = start(&store, endpoint(&mock, Duration::from_secs(5)), limited);
    summarizer.request(&a, Lang::En, true).await.unwrap();
    assert_eq!(
        follow(&summarizer, &a, Lang::En).await.last(),
        Some(&Update::Done)
    );

    summarizer.request(&b, Lang::En, true).await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let state = summarizer.state(&b, Lang::En).await.unwrap();
    assert_eq!(
        state.job,
        Some(JobView::Queued {
            position: 0,
            waiting_for_budget: true
        })
    );
    assert_eq!(mock.requests(), 6, "no generation past the budget");
}
store_test!(budget_on, a_spent_daily_budget_holds_new_jobs);

async fn a_new_version_shows_the_old_answer_as_stale_until_regenerated(store: Store) {
    let mock = MockLlm::start().await;
    let v1 = paper("2606.00400", 1, 6);
    store.upsert(vec![v1.clone()]).await.unwrap();
    let summarizer = start(
        &store,
        endpoint(&mock, Duration::from_secs(5)),
        options("w", Duration::from_secs(30)),
    );
    summarizer.request(&v1, Lang::En, true).await.unwrap();
    follow(&summarizer, &v1, Lang::En).await;

    let mut v2 = v1.clone();
    v2.version = 2;
    v2.abstract_text.push_str(" Version two adds experiments.");
    store.upsert(vec![v2.clone()]).await.unwrap();
    let old = summarizer.cached(&v2, Lang::En).await.unwrap().unwrap();
    assert!(
        old.stale && old.version == 1,
        "the old answer stays visible, marked stale"
    );

    let (enqueued, _) = summarizer.request(&v2, Lang::En, true).await.unwrap();
    assert_eq!(
        enqueued,
        Some(Enqueued::New),
        "a stale answer is regenerated on request"
    );
    assert_eq!(
        follow(&summarizer, &v2, Lang::En).await.last(),
        Some(&Update::Done)
    );
    let new = summarizer.cached(&v2, Lang::En).await.unwrap().unwrap();
    assert!(!new.stale && new.version == 2);
}
store_test!(
    stale_on,
    a_new_version_shows_the_old_answer_as_stale_until_regenerated
);

async fn the_extractive_provider_quotes_the_abstract_in_each_language(store: Store) {
    let p = paper("2606.00500", 1, 7);
    store.upsert(vec![p.clone()]).await.unwrap();
    let summarizer = start(
        &store,
        Provider::Extractive,
        options("w", Duration::from_secs(30)),
    );
    for lang in Lang::ALL {
        summarizer.request(&p, lang, true).await.unwrap();
        assert_eq!(
            follow(&summarizer, &p, lang).await.last(),
            Some(&Update::Done)
        );
        let answer = summarizer.cached(&p, lang).await.unwrap().unwrap();
        assert_eq!(answer.provider, "extractive");
        assert_eq!(answer.sections.len(), 6);
        let method = &answer.sections[2].markdown;
        assert!(
            method.contains("We propose a low-rank attention"),
            "{method}"
        );
        let problem = &answer.sections[0].markdown;
        assert!(problem.contains("quadratic"), "{problem}");
        let experiments = &answer.sections[3].markdown;
        assert!(experiments.contains("3x speedup"), "{experiments}");
        if lang == Lang::Zh {
            assert!(
                method.contains("摘自英文摘要"),
                "the Chinese FAQ says it quotes English"
            );
            assert_eq!(answer.sections[0].title, "问题");
        }
    }
}
store_test!(
    extractive_on,
    the_extractive_provider_quotes_the_abstract_in_each_language
);
