//! Who writes the answers: an OpenAI-compatible endpoint, a local GGUF model in-process, or the
//! extractive fallback. Chosen once from the configuration; every summary records which.

pub mod endpoint;
pub mod extractive;

use std::path::Path;
use std::sync::{Arc, Mutex};

use papers_core::http::HttpError;
use papers_core::retry::Transient;
use papers_core::{Config, ProviderChoice};

use crate::chat::{ChatMessage, Usage};
use crate::local::LocalModel;
use endpoint::Endpoint;

#[derive(Debug, Clone, thiserror::Error)]
pub enum ProviderError {
    #[error(transparent)]
    Http(#[from] HttpError),
    #[error("the local model failed: {0}")]
    Local(String),
}

impl ProviderError {
    /// What a reader is told: what went wrong, never the endpoint's address (an internal host)
    /// or a local file's path. The whole error goes to the log.
    pub fn public_reason(&self) -> String {
        match self {
            ProviderError::Http(HttpError::Status { status, .. }) => {
                format!("the model service answered HTTP {status}")
            }
            ProviderError::Http(HttpError::Timeout { .. }) => "the model service timed out".into(),
            ProviderError::Http(HttpError::Connect { .. }) => {
                "cannot connect to the model service".into()
            }
            ProviderError::Http(HttpError::Truncated { .. }) => {
                "the model service's answer was cut off or garbled".into()
            }
            ProviderError::Http(HttpError::TooLarge { .. }) => {
                "the model service's answer was too long".into()
            }
            ProviderError::Http(HttpError::Other { .. }) => "the model service failed".into(),
            ProviderError::Local(_) => "the local model failed".into(),
        }
    }
}

impl Transient for ProviderError {
    fn is_transient(&self) -> bool {
        match self {
            ProviderError::Http(e) => e.is_transient(),
            ProviderError::Local(_) => false,
        }
    }

    fn retry_after(&self) -> Option<std::time::Duration> {
        match self {
            ProviderError::Http(e) => e.retry_after(),
            ProviderError::Local(_) => None,
        }
    }
}

pub enum Provider {
    Endpoint(Endpoint),
    Local(LocalRunner),
    Extractive,
}

impl Provider {
    /// The provider the configuration asks for. `auto`: the endpoint if a base URL is set, else
    /// the local model if its file is there, else extractive. An explicit choice that cannot be
    /// had is an error; `auto` falls back with a warning instead.
    pub fn from_config(config: &Config) -> Result<Provider, String> {
        let s = &config.summaries;
        let endpoint = || -> Result<Provider, String> {
            let base = s.llm_base_url.as_deref().ok_or(
                "the endpoint provider needs a base URL: set PAPERS_LLM_BASE_URL or [summaries] llm_base_url",
            )?;
            Endpoint::new(base, &s.llm_model, s.llm_api_key.clone(), s.timeout)
                .map(Provider::Endpoint)
                .map_err(|e| e.to_string())
        };
        let local = |path: &Path| LocalRunner::load(path).map(Provider::Local);
        match s.provider {
            ProviderChoice::Endpoint => endpoint(),
            ProviderChoice::Local => local(&config.local_model()),
            ProviderChoice::Extractive => Ok(Provider::Extractive),
            ProviderChoice::Auto if s.llm_base_url.is_some() => endpoint(),
            ProviderChoice::Auto => {
                let path = config.local_model();
                if !path.exists() {
                    return Ok(Provider::Extractive);
                }
                local(&path).or_else(|e| {
                    tracing::warn!(error = %e, "the local model cannot be loaded; summaries are extractive");
                    Ok(Provider::Extractive)
                })
            }
        }
    }

    /// `endpoint`, `local` or `extractive`: what a summary records and the page shows.
    pub fn kind(&self) -> &'static str {
        match self {
            Provider::Endpoint(_) => "endpoint",
            Provider::Local(_) => "local",
            Provider::Extractive => "extractive",
        }
    }

    pub fn model(&self) -> &str {
        match self {
            Provider::Endpoint(e) => e.model(),
            Provider::Local(l) => &l.name,
            Provider::Extractive => "abstract sentences",
        }
    }

    /// Generations that may run at once: the endpoint as configured; the local model is one
    /// model on the CPU, and extractive needs no more than one.
    pub fn concurrency(&self, configured: usize) -> usize {
        match self {
            Provider::Endpoint(_) => configured.max(1),
            Provider::Local(_) | Provider::Extractive => 1,
        }
    }

    /// Characters of full text to give the model; 0 when it reads only the abstract.
    pub fn full_text_chars(&self) -> usize {
        match self {
            // About 6k tokens: fits any current chat model's context with room for six answers.
            Provider::Endpoint(_) => 24_000,
            // Each question re-reads the conversation on two cores: keep the local prompt small.
            Provider::Local(l) => (l.context / 4).min(1_000) * 3,
            Provider::Extractive => 0,
        }
    }

    /// The longest answer to one question, in tokens.
    pub fn answer_tokens(&self) -> u32 {
        match self {
            Provider::Endpoint(_) => 600,
            Provider::Local(_) => 128,
            Provider::Extractive => 0,
        }
    }

    /// One attempt at the reply to `messages`, each piece of text handed to `on_text` as it comes.
    pub async fn reply(
        &self,
        messages: &[ChatMessage],
        max_tokens: u32,
        on_text: &mut (dyn FnMut(&str) + Send),
    ) -> Result<(String, Usage), ProviderError> {
        match self {
            Provider::Endpoint(e) => Ok(e.reply(messages, max_tokens, on_text).await?),
            Provider::Local(l) => l.reply(messages, max_tokens, on_text).await,
            Provider::Extractive => Err(ProviderError::Local(
                "the extractive provider does not chat".into(),
            )),
        }
    }
}

/// The local model, run on a blocking thread; its text comes back over a channel.
pub struct LocalRunner {
    model: Arc<Mutex<LocalModel>>,
    name: String,
    context: usize,
}

impl LocalRunner {
    pub fn load(path: &Path) -> Result<LocalRunner, String> {
        let model = LocalModel::load(path).map_err(|e| e.to_string())?;
        Ok(LocalRunner {
            name: model.name().to_string(),
            context: model.context_tokens(),
            model: Arc::new(Mutex::new(model)),
        })
    }

    async fn reply(
        &self,
        messages: &[ChatMessage],
        max_tokens: u32,
        on_text: &mut (dyn FnMut(&str) + Send),
    ) -> Result<(String, Usage), ProviderError> {
        let (pieces, mut receive) = tokio::sync::mpsc::unbounded_channel::<String>();
        let model = Arc::clone(&self.model);
        let messages = messages.to_vec();
        let job = tokio::task::spawn_blocking(move || {
            let mut model = model
                .lock()
                .map_err(|_| ProviderError::Local("a previous generation panicked".into()))?;
            // A reader gone (the channel closed) does not stop the generation: the answer is
            // still cached for the next one.
            let mut send = |piece: &str| {
                let _ = pieces.send(piece.to_string());
                true
            };
            model
                .chat(&messages, max_tokens as usize, &mut send)
                .map_err(|e| ProviderError::Local(e.to_string()))
        });
        while let Some(piece) = receive.recv().await {
            on_text(&piece);
        }
        job.await
            .map_err(|e| ProviderError::Local(format!("the generation thread stopped: {e}")))?
    }
}
