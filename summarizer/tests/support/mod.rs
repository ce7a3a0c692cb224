//! What the summarizer's tests share: papers, a summarizer with quick retries, and following a
//! generation to its end.

#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use papers_core::retry::RetryPolicy;
use papers_core::{ArxivId, Category, Lang, Paper, Secret, Store};
use papers_summarizer::provider::Provider;
use papers_summarizer::provider::endpoint::Endpoint;
use papers_summarizer::service::Options;
use papers_summarizer::testing::MockLlm;
use papers_summarizer::{Summarizer, Update};

pub const ABSTRACT: &str = "Attention is quadratic in the sequence length, which makes long inputs costly. \
    Prior work approximates it with kernels or sparsity. We propose a low-rank attention that keeps \
    the softmax. Experiments on long-document benchmarks show a 3x speedup at equal accuracy.";

pub fn paper(id: &str, version: u32, day: u32) -> Paper {
    Paper {
        id: ArxivId::parse(id).unwrap(),
        version,
        title: format!("Low-rank attention {id}"),
        authors: vec!["Ada Lovelace".into(), "Alan Turing".into()],
        abstract_text: ABSTRACT.into(),
        categories: vec![Category::parse("cs.LG").unwrap()],
        comment: None,
        journal_ref: None,
        doi: None,
        published: None,
        updated: None,
        announced: NaiveDate::from_ymd_opt(2026, 6, day),
    }
    .normalized()
    .unwrap()
}

/// Retries in milliseconds, so fault tests stay fast (a Retry-After is still honoured).
pub fn options(worker: &str, lease: Duration) -> Options {
    Options {
        worker: worker.into(),
        lease,
        retry: RetryPolicy {
            max_attempts: 4,
            min_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
            max_total: Duration::from_secs(10),
        },
        poll: Duration::from_millis(100),
        concurrency: 2,
        daily_tokens: None,
        pdf: None,
    }
}

pub fn endpoint(mock: &MockLlm, timeout: Duration) -> Provider {
    Provider::Endpoint(
        Endpoint::new(
            &mock.url,
            "mock-model",
            Some(Secret::new("sk-test")),
            timeout,
        )
        .unwrap(),
    )
}

/// A summarizer on `store` talking to `mock`, its workers started.
pub fn start(store: &Store, provider: Provider, options: Options) -> Arc<Summarizer> {
    let summarizer = Summarizer::new(store.clone(), provider, options);
    let (_never, running) = tokio::sync::watch::channel(false);
    summarizer.spawn_workers(running);
    summarizer
}

/// Follows a generation to its end; returns every update, the last being done, failed or idle.
pub async fn follow(summarizer: &Arc<Summarizer>, paper: &Paper, lang: Lang) -> Vec<Update> {
    follow_within(summarizer, paper, lang, Duration::from_secs(60)).await
}

/// [`follow`] with a longer patience (a real model on two cores).
pub async fn follow_within(
    summarizer: &Arc<Summarizer>,
    paper: &Paper,
    lang: Lang,
    patience: Duration,
) -> Vec<Update> {
    let mut updates = summarizer.follow(paper.clone(), lang);
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + patience;
    loop {
        let update = tokio::time::timeout_at(deadline, updates.recv())
            .await
            .expect("the generation ended in time")
            .expect("the follower ends with done, failed or idle");
        let last = matches!(update, Update::Done | Update::Failed { .. } | Update::Idle);
        seen.push(update);
        if last {
            return seen;
        }
    }
}

/// The answers as a follower saw them being written: deltas appended, restarts honoured.
pub fn streamed_answers(updates: &[Update]) -> Vec<String> {
    let mut answers: Vec<String> = Vec::new();
    for update in updates {
        match update {
            Update::Delta { question, text } => {
                if answers.len() <= *question {
                    answers.resize(question + 1, String::new());
                }
                answers[*question].push_str(text);
            }
            Update::Restart { question } => {
                if let Some(answer) = answers.get_mut(*question) {
                    answer.clear();
                }
            }
            _ => {}
        }
    }
    answers
}
