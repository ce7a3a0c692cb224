//! `[summaries]`: which model writes the paper FAQ, and the limits on it.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use super::{ConfigError, Secret, endpoint, interval};

pub const DEFAULT_LLM_MODEL: &str = "gpt-4o-mini";
pub const DEFAULT_ARXIV_PDF_URL: &str = "https://arxiv.org/pdf";
/// The GGUF file `scripts/fetch-smollm2.sh` installs under `{data_dir}/models`.
pub const DEFAULT_LOCAL_MODEL_FILE: &str = "SmolLM2-135M-Instruct.Q4_1.gguf";

/// Which provider writes summaries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderChoice {
    /// The endpoint if one is configured, else the local model if its file is there, else
    /// extractive.
    #[default]
    Auto,
    Endpoint,
    Local,
    Extractive,
}

impl std::str::FromStr for ProviderChoice {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(ProviderChoice::Auto),
            "endpoint" => Ok(ProviderChoice::Endpoint),
            "local" => Ok(ProviderChoice::Local),
            "extractive" => Ok(ProviderChoice::Extractive),
            other => Err(format!(
                "unknown summary provider '{other}': use auto, endpoint, local or extractive"
            )),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SummaryConfig {
    pub provider: ProviderChoice,
    /// An OpenAI-compatible `/v1` base (Kimi, DeepSeek, OpenAI, vLLM, llama.cpp, Ollama).
    pub llm_base_url: Option<String>,
    pub llm_model: String,
    /// From `PAPERS_LLM_API_KEY` only: never in a file that might be committed.
    pub llm_api_key: Option<Secret>,
    /// A llama-family GGUF; default `{data_dir}/models/SmolLM2-135M-Instruct.Q4_1.gguf`.
    pub local_model: Option<PathBuf>,
    /// Where arXiv PDFs are fetched from; the path is always `/{id}v{version}` of a stored paper.
    pub pdf_url: String,
    /// Read the paper's PDF when it can be had (else the abstract only).
    pub full_text: bool,
    /// Longest wait for one model request (a whole streamed answer).
    pub timeout: Duration,
    /// Generations at once against the endpoint (the local model and extractive run one).
    pub concurrency: usize,
    /// Tokens a day (UTC) after which new generations wait for the next day; none by default.
    pub daily_tokens: Option<u64>,
    /// New generations one client address may start per hour; 0 turns the limit off.
    pub per_client_per_hour: u32,
}

impl Default for SummaryConfig {
    fn default() -> Self {
        SummaryConfig {
            provider: ProviderChoice::Auto,
            llm_base_url: None,
            llm_model: DEFAULT_LLM_MODEL.into(),
            llm_api_key: None,
            local_model: None,
            pdf_url: DEFAULT_ARXIV_PDF_URL.into(),
            full_text: true,
            timeout: Duration::from_secs(120),
            concurrency: 4,
            daily_tokens: None,
            per_client_per_hour: 30,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SummariesSection {
    provider: Option<ProviderChoice>,
    llm_base_url: Option<String>,
    llm_model: Option<String>,
    local_model: Option<PathBuf>,
    pdf_url: Option<String>,
    full_text: Option<bool>,
    timeout_secs: Option<f64>,
    concurrency: Option<usize>,
    daily_tokens: Option<u64>,
    per_client_per_hour: Option<u32>,
}

impl SummaryConfig {
    pub(super) fn apply_file(&mut self, file: SummariesSection) -> Result<(), String> {
        if let Some(provider) = file.provider {
            self.provider = provider;
        }
        if let Some(url) = file.llm_base_url {
            self.llm_base_url = Some(endpoint(&url)?);
        }
        if let Some(model) = file.llm_model {
            self.llm_model = model;
        }
        if let Some(path) = file.local_model {
            self.local_model = Some(path);
        }
        if let Some(url) = file.pdf_url {
            self.pdf_url = endpoint(&url)?;
        }
        if let Some(full_text) = file.full_text {
            self.full_text = full_text;
        }
        if let Some(secs) = file.timeout_secs {
            self.timeout = interval(secs)?.max(Duration::from_secs(1));
        }
        if let Some(n) = file.concurrency {
            self.concurrency = concurrency(n)?;
        }
        if let Some(tokens) = file.daily_tokens {
            self.daily_tokens = Some(tokens).filter(|&t| t > 0);
        }
        if let Some(n) = file.per_client_per_hour {
            self.per_client_per_hour = n;
        }
        Ok(())
    }

    pub(super) fn apply_env(
        &mut self,
        env: &impl Fn(&str) -> Option<String>,
    ) -> Result<(), ConfigError> {
        let get = |name: &str| env(name).filter(|v| !v.trim().is_empty());
        let invalid = |name: &'static str, value: &str, reason: String| ConfigError::Env {
            name,
            value: value.to_string(),
            reason,
        };
        let name = "PAPERS_LLM_PROVIDER";
        if let Some(text) = get(name) {
            self.provider = text.parse().map_err(|e| invalid(name, &text, e))?;
        }
        let name = "PAPERS_LLM_BASE_URL";
        if let Some(url) = get(name) {
            self.llm_base_url = Some(endpoint(&url).map_err(|e| invalid(name, &url, e))?);
        }
        if let Some(model) = get("PAPERS_LLM_MODEL") {
            self.llm_model = model;
        }
        if let Some(key) = get("PAPERS_LLM_API_KEY") {
            self.llm_api_key = Some(Secret::new(key));
        }
        if let Some(path) = get("PAPERS_LLM_LOCAL_MODEL") {
            self.local_model = Some(PathBuf::from(path));
        }
        let name = "PAPERS_ARXIV_PDF_URL";
        if let Some(url) = get(name) {
            self.pdf_url = endpoint(&url).map_err(|e| invalid(name, &url, e))?;
        }
        let name = "PAPERS_SUMMARY_FULL_TEXT";
        if let Some(text) = get(name) {
            self.full_text = match text.trim() {
                "1" | "true" | "yes" => true,
                "0" | "false" | "no" => false,
                _ => return Err(invalid(name, &text, "use true or false".into())),
            };
        }
        let name = "PAPERS_LLM_TIMEOUT_SECS";
        if let Some(text) = get(name) {
            let secs: f64 = text
                .parse()
                .map_err(|_| invalid(name, &text, "not a number of seconds".into()))?;
            self.timeout = interval(secs)
                .map_err(|e| invalid(name, &text, e))?
                .max(Duration::from_millis(100));
        }
        let name = "PAPERS_LLM_CONCURRENCY";
        if let Some(text) = get(name) {
            let n = text
                .parse()
                .map_err(|_| invalid(name, &text, "not a count".into()))?;
            self.concurrency = concurrency(n).map_err(|e| invalid(name, &text, e))?;
        }
        let name = "PAPERS_LLM_DAILY_TOKENS";
        if let Some(text) = get(name) {
            let tokens: u64 = text
                .parse()
                .map_err(|_| invalid(name, &text, "not a number of tokens".into()))?;
            self.daily_tokens = Some(tokens).filter(|&t| t > 0);
        }
        let name = "PAPERS_SUMMARY_LIMIT_PER_HOUR";
        if let Some(text) = get(name) {
            self.per_client_per_hour = text
                .parse()
                .map_err(|_| invalid(name, &text, "not a count".into()))?;
        }
        Ok(())
    }
}

fn concurrency(n: usize) -> Result<usize, String> {
    if (1..=64).contains(&n) {
        Ok(n)
    } else {
        Err(format!("concurrency {n} is not between 1 and 64"))
    }
}
