//! Any OpenAI-compatible embeddings endpoint: `POST {url}/embeddings` with `{"model", "input"}`,
//! answered by `{"data": [{"index", "embedding"}]}` (OpenAI, vLLM, Ollama, llama.cpp's server,
//! text-embeddings-inference, …).
//!
//! The URL comes from the operator's configuration, never from a visitor. Requests go through
//! the one HTTP client, so 429 and 5xx are retried with backoff (honouring `Retry-After`) while
//! indexing; a search's query embedding gets one short attempt instead, and the search falls back
//! to full text alone if the service does not answer in time.

use std::sync::OnceLock;
use std::time::Duration;

use papers_core::EmbeddingService;
use papers_core::http::{HttpClient, HttpOptions};
use papers_core::retry::RetryPolicy;
use serde::Deserialize;

use super::{EmbedError, Embedder, lsa::normalize};

/// Texts per request: large enough to amortise the round trip, small enough for any server.
const BATCH: usize = 64;
/// Characters of one text sent (about 2,000 tokens): beyond it a model's context is usually full.
const MAX_CHARS: usize = 8_000;

pub struct ApiEmbedder {
    client: HttpClient,
    url: String,
    model: String,
    key: Option<papers_core::Secret>,
    name: String,
    dim: OnceLock<usize>,
}

#[derive(Deserialize)]
struct Response {
    data: Vec<Datum>,
}

#[derive(Deserialize)]
struct Datum {
    index: usize,
    embedding: Vec<f32>,
}

impl ApiEmbedder {
    /// `interactive`: for a search's query (one attempt, a short timeout) rather than indexing
    /// (retries with backoff, a minute per request).
    pub fn new(service: &EmbeddingService, interactive: bool) -> Result<ApiEmbedder, EmbedError> {
        let mut options = if interactive {
            HttpOptions::new(None, Duration::ZERO, Duration::from_secs(5))
        } else {
            HttpOptions::new(None, Duration::ZERO, Duration::from_secs(60))
        };
        if interactive {
            options.retry = RetryPolicy {
                max_attempts: 1,
                ..RetryPolicy::default()
            };
        }
        let client = HttpClient::new(options).map_err(|e| EmbedError::Service(e.to_string()))?;
        let model: String = service
            .model
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        Ok(ApiEmbedder {
            client,
            url: format!("{}/embeddings", service.url.trim_end_matches('/')),
            model: service.model.clone(),
            key: service.api_key.clone(),
            name: format!("api-{model}"),
            dim: OnceLock::new(),
        })
    }

    async fn request(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let input: Vec<&str> = texts
            .iter()
            .map(|t| match t.char_indices().nth(MAX_CHARS) {
                Some((end, _)) => &t[..end],
                None => t,
            })
            .collect();
        let body = serde_json::to_vec(&serde_json::json!({ "model": self.model, "input": input }))
            .expect("a JSON body");
        let fetched = self
            .client
            .post_json(&self.url, &body, self.key.as_ref().map(|k| k.expose()))
            .await
            .map_err(|e| EmbedError::Service(e.to_string()))?;
        let response: Response = serde_json::from_slice(&fetched.body).map_err(|e| {
            EmbedError::Service(format!("{}: not an embeddings response: {e}", self.url))
        })?;
        let mut vectors: Vec<Option<Vec<f32>>> = vec![None; texts.len()];
        for datum in response.data {
            if let Some(slot) = vectors.get_mut(datum.index) {
                *slot = Some(datum.embedding);
            }
        }
        let mut out = Vec::with_capacity(texts.len());
        for (i, vector) in vectors.into_iter().enumerate() {
            let mut vector = vector.ok_or_else(|| {
                EmbedError::Service(format!("{}: no embedding for input {i}", self.url))
            })?;
            let dim = *self.dim.get_or_init(|| vector.len());
            if vector.len() != dim || dim == 0 || vector.iter().any(|x| !x.is_finite()) {
                return Err(EmbedError::Service(format!(
                    "{}: an embedding of {} values where {dim} were expected, or not finite",
                    self.url,
                    vector.len()
                )));
            }
            normalize(&mut vector);
            out.push(vector);
        }
        Ok(out)
    }
}

impl Embedder for ApiEmbedder {
    fn name(&self) -> &str {
        &self.name
    }

    async fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let mut out = Vec::with_capacity(texts.len());
        for batch in texts.chunks(BATCH) {
            out.extend(self.request(batch).await?);
        }
        Ok(out)
    }
}
