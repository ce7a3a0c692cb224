//! Configuration, layered: defaults < `papers.toml` < `PAPERS_*` environment < command-line flags.
//!
//! This module does the first three layers; the binary applies its flags on top. The environment is
//! passed in as a lookup function so the layering is testable without touching the process env.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::category::Category;

mod summaries;

pub use summaries::{
    DEFAULT_ARXIV_PDF_URL, DEFAULT_LLM_MODEL, DEFAULT_LOCAL_MODEL_FILE, ProviderChoice,
    SummaryConfig,
};

/// The config file read when none is named: `papers.toml` in the working directory, if present.
pub const DEFAULT_CONFIG_FILE: &str = "papers.toml";
pub const DEFAULT_DATA_DIR: &str = "papers-data";
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";
pub const DEFAULT_ARXIV_FEED_URL: &str = "https://rss.arxiv.org";
pub const DEFAULT_ARXIV_API_URL: &str = "https://export.arxiv.org/api/query";
pub const DEFAULT_ARXIV_OAI_URL: &str = "https://export.arxiv.org/oai2";
/// OpenReview's API v2, which `papers venues import openreview` reads.
pub const DEFAULT_OPENREVIEW_URL: &str = "https://api2.openreview.net";
/// arXiv's terms of use: no more than one request every three seconds.
pub const DEFAULT_ARXIV_MIN_INTERVAL_SECS: u64 = 3;
pub const DEFAULT_ARXIV_TIMEOUT_SECS: u64 = 60;
pub const DEFAULT_CATEGORIES: &[&str] = &["cs.AI", "cs.CL", "cs.CV", "cs.LG", "stat.ML"];

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

impl std::str::FromStr for LogFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "text" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            other => Err(format!("unknown log format '{other}': use text or json")),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Where the SQLite database and derived data (indexes, models) live.
    pub data_dir: PathBuf,
    /// `sqlite:PATH` or `postgres://…`; when unset, a SQLite file in the data dir.
    pub database_url: Option<String>,
    /// Address `papers serve` listens on.
    pub addr: SocketAddr,
    /// The site's public address (`https://papers.example.org`), for the absolute links in feeds,
    /// the OpenSearch description and canonical links; `http://{addr}` when unset. Never taken
    /// from a request's Host header, which a client chooses.
    pub public_url: Option<String>,
    /// Requests per second one client address may make to pages and the API (a burst of twice
    /// as many is allowed); 0 turns the limit off.
    pub rate_limit: u32,
    /// How long the server serves a rendered list, paper, feed or search again before making it
    /// anew; zero turns the page cache off.
    pub page_cache: Duration,
    /// How often `papers serve` brings its own search index and vectors up to date with the
    /// database itself (a server among several on one PostgreSQL); zero leaves it to
    /// `papers index` (cron).
    pub index_sync: Duration,
    /// How long a client has to send a request's headers (and how long an idle kept-alive
    /// connection stays open): a client that trickles them byte by byte is cut off after this.
    pub header_timeout: Duration,
    /// Connections one client address may hold open at once; past it new ones are closed at
    /// once. Zero turns the cap off (behind a proxy, every connection comes from the proxy).
    pub max_connections_per_client: u32,
    pub log_format: LogFormat,
    pub crawler: CrawlerConfig,
    pub search: SearchConfig,
    pub summaries: SummaryConfig,
    /// Named saved queries with their own lists and feeds; [`default_topics`] unless the file
    /// adds or redefines some.
    pub topics: Vec<Topic>,
}

/// Which embedder gives search its sense of meaning.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EmbedderChoice {
    /// MiniLM when its weights are in the model directory, else LSA.
    #[default]
    Auto,
    /// Latent semantic analysis trained on the Store's own papers: no download.
    Lsa,
    /// all-MiniLM-L6-v2 in-process; its files come from `scripts/fetch-minilm.sh`.
    #[serde(rename = "minilm")]
    MiniLm,
    /// An OpenAI-compatible `/v1/embeddings` endpoint ([`EmbeddingService`]).
    #[serde(rename = "api")]
    Api,
    /// No vectors: BM25 alone, no related papers.
    None,
}

impl std::str::FromStr for EmbedderChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(EmbedderChoice::Auto),
            "lsa" => Ok(EmbedderChoice::Lsa),
            "minilm" => Ok(EmbedderChoice::MiniLm),
            "api" => Ok(EmbedderChoice::Api),
            "none" => Ok(EmbedderChoice::None),
            other => Err(format!(
                "unknown embedder '{other}': use auto, lsa, minilm, api or none"
            )),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchConfig {
    pub embedder: EmbedderChoice,
    pub service: EmbeddingService,
    /// Where MiniLM's files are; default `{data_dir}/models/all-MiniLM-L6-v2`.
    pub minilm_dir: Option<PathBuf>,
}

impl Config {
    /// The MiniLM model directory in effect.
    pub fn minilm_dir(&self) -> PathBuf {
        self.search
            .minilm_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("models").join("all-MiniLM-L6-v2"))
    }
}

pub const DEFAULT_EMBEDDINGS_URL: &str = "https://api.openai.com/v1";
pub const DEFAULT_EMBEDDINGS_MODEL: &str = "text-embedding-3-small";

/// An OpenAI-compatible embeddings endpoint (OpenAI, vLLM, Ollama, llama.cpp's server, …), set
/// by the operator. `POST {url}/embeddings`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmbeddingService {
    pub url: String,
    pub model: String,
    /// From `PAPERS_EMBEDDINGS_API_KEY` only: never in a file that might be committed.
    pub api_key: Option<Secret>,
}

impl Default for EmbeddingService {
    fn default() -> Self {
        EmbeddingService {
            url: DEFAULT_EMBEDDINGS_URL.into(),
            model: DEFAULT_EMBEDDINGS_MODEL.into(),
            api_key: None,
        }
    }
}

/// A secret that prints as `***` (in `Debug` too), so it never reaches a log line.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// A topic: a saved query in the search language, with a name for its URL and feed.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Topic {
    /// Lowercase letters, digits and `-`: `/topic/{name}`.
    pub name: String,
    /// What people read: "Low-rank methods".
    pub title: String,
    pub query: String,
}

/// The topics `papers` starts with. Phrases and title words rather than bare abstract words, so
/// a paper that mentions attention in passing is not an attention paper; limited to the archives
/// where the words mean the machine-learning thing (heat diffusion is not a diffusion model).
pub fn default_topics() -> Vec<Topic> {
    let ml = "cat:cs cat:stat cat:eess";
    let topic = |name: &str, title: &str, query: String| Topic {
        name: name.into(),
        title: title.into(),
        query,
    };
    vec![
        topic(
            "attention",
            "Attention",
            format!(
                "ti:attention OR ti:transformer OR ti:transformers OR \"self-attention\" OR \"attention mechanism\" \
                 OR \"linear attention\" OR \"sparse attention\" OR \"attention heads\" OR \"multi-head attention\" \
                 OR \"cross-attention\" OR flashattention OR \"KV cache\" {ml}"
            ),
        ),
        topic(
            "diffusion",
            "Diffusion models",
            format!(
                "\"diffusion model\" OR \"diffusion models\" OR \"denoising diffusion\" OR \"score-based\" \
                 OR \"flow matching\" OR \"latent diffusion\" OR \"diffusion transformer\" OR ti:diffusion {ml}"
            ),
        ),
        topic(
            "low-rank",
            "Low-rank methods",
            format!(
                "\"low-rank\" OR \"low rank\" OR lora OR \"matrix factorization\" OR \"matrix completion\" \
                 OR \"tensor decomposition\" OR \"singular value decomposition\" OR \"nuclear norm\" {ml}"
            ),
        ),
    ]
}

fn topic_name_ok(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 40
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Where and how the crawler talks to arXiv. The endpoints are configurable so tests and mirrors
/// can point them elsewhere; they are set by the operator, never by a web user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrawlerConfig {
    /// Base of the listing feeds; the crawler appends `/rss/{cats}` or `/atom/{cats}`.
    pub feed_url: String,
    pub api_url: String,
    pub oai_url: String,
    /// OpenReview's API v2 (venue imports).
    pub openreview_url: String,
    /// Least time between two requests to one host.
    pub min_interval: Duration,
    /// Categories whose daily listings `papers crawl` reads.
    pub categories: Vec<Category>,
    /// A contact address sent in the User-Agent, as arXiv asks of robots.
    pub contact: Option<String>,
    /// Longest wait for one response, body included, before it counts as failed (and is retried).
    pub timeout: Duration,
}

impl Default for CrawlerConfig {
    fn default() -> Self {
        CrawlerConfig {
            feed_url: DEFAULT_ARXIV_FEED_URL.into(),
            api_url: DEFAULT_ARXIV_API_URL.into(),
            oai_url: DEFAULT_ARXIV_OAI_URL.into(),
            openreview_url: DEFAULT_OPENREVIEW_URL.into(),
            min_interval: Duration::from_secs(DEFAULT_ARXIV_MIN_INTERVAL_SECS),
            categories: DEFAULT_CATEGORIES
                .iter()
                .map(|c| Category::parse(c).expect("default categories are valid"))
                .collect(),
            contact: None,
            timeout: Duration::from_secs(DEFAULT_ARXIV_TIMEOUT_SECS),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("config file {path} is invalid: {message}")]
    Parse { path: String, message: String },
    #[error("{name}='{value}' is invalid: {reason}")]
    Env {
        name: &'static str,
        value: String,
        reason: String,
    },
}

/// The file's shape. Unknown keys are errors, so a typo does not silently fall back to a default.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    log_format: Option<LogFormat>,
    #[serde(default)]
    serve: ServeSection,
    #[serde(default)]
    crawler: CrawlerSection,
    #[serde(default)]
    search: SearchSection,
    #[serde(default)]
    summaries: summaries::SummariesSection,
    #[serde(default)]
    topics: Vec<Topic>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SearchSection {
    embedder: Option<EmbedderChoice>,
    embeddings_url: Option<String>,
    embeddings_model: Option<String>,
    minilm_dir: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CrawlerSection {
    feed_url: Option<String>,
    api_url: Option<String>,
    oai_url: Option<String>,
    openreview_url: Option<String>,
    min_interval_secs: Option<f64>,
    categories: Option<Vec<String>>,
    contact: Option<String>,
    timeout_secs: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ServeSection {
    addr: Option<SocketAddr>,
    public_url: Option<String>,
    rate_limit: Option<u32>,
    page_cache_secs: Option<f64>,
    index_sync_secs: Option<f64>,
    header_timeout_secs: Option<f64>,
    max_connections_per_client: Option<u32>,
}

/// Requests per second per client address by default: far above a reader, well below a scraper.
pub const DEFAULT_RATE_LIMIT: u32 = 50;
/// Seconds a client has to send its request headers: far longer than any real client needs.
pub const DEFAULT_HEADER_TIMEOUT_SECS: u64 = 10;
/// Open connections per client address: a browser opens six, a feed reader one or two.
pub const DEFAULT_MAX_CONNECTIONS_PER_CLIENT: u32 = 64;
/// Seconds a rendered page is served again: new papers arrive once a day, readers all morning.
pub const DEFAULT_PAGE_CACHE_SECS: u64 = 10;

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from(DEFAULT_DATA_DIR),
            database_url: None,
            addr: DEFAULT_ADDR.parse().expect("the default address is valid"),
            public_url: None,
            rate_limit: DEFAULT_RATE_LIMIT,
            page_cache: Duration::from_secs(DEFAULT_PAGE_CACHE_SECS),
            index_sync: Duration::ZERO,
            header_timeout: Duration::from_secs(DEFAULT_HEADER_TIMEOUT_SECS),
            max_connections_per_client: DEFAULT_MAX_CONNECTIONS_PER_CLIENT,
            log_format: LogFormat::Text,
            crawler: CrawlerConfig::default(),
            search: SearchConfig::default(),
            summaries: SummaryConfig::default(),
            topics: default_topics(),
        }
    }
}

impl Config {
    /// Defaults, then the config file, then the environment.
    ///
    /// The file is `file` if given (it must exist), else `$PAPERS_CONFIG` (must exist), else
    /// `papers.toml` in the working directory if there is one.
    pub fn load(
        file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let mut config = Config::default();
        let named = file
            .map(Path::to_path_buf)
            .or_else(|| env("PAPERS_CONFIG").map(PathBuf::from));
        let path = match named {
            Some(path) => Some(path),
            None => Some(PathBuf::from(DEFAULT_CONFIG_FILE)).filter(|p| p.exists()),
        };
        if let Some(path) = path {
            config.apply_file(&path)?;
        }
        config.apply_env(env)?;
        Ok(config)
    }

    fn apply_file(&mut self, path: &Path) -> Result<(), ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        let file: FileConfig = toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        if let Some(dir) = file.data_dir {
            self.data_dir = dir;
        }
        if let Some(url) = file.database_url {
            self.database_url = Some(url);
        }
        if let Some(format) = file.log_format {
            self.log_format = format;
        }
        if let Some(addr) = file.serve.addr {
            self.addr = addr;
        }
        let bad = |message: String| ConfigError::Parse {
            path: path.display().to_string(),
            message,
        };
        if let Some(url) = file.serve.public_url {
            self.public_url = Some(endpoint(&url).map_err(bad)?);
        }
        if let Some(limit) = file.serve.rate_limit {
            self.rate_limit = limit;
        }
        if let Some(secs) = file.serve.page_cache_secs {
            self.page_cache = interval(secs).map_err(bad)?;
        }
        if let Some(secs) = file.serve.index_sync_secs {
            self.index_sync = interval(secs).map_err(bad)?;
        }
        if let Some(secs) = file.serve.header_timeout_secs {
            self.header_timeout = header_timeout(secs).map_err(bad)?;
        }
        if let Some(n) = file.serve.max_connections_per_client {
            self.max_connections_per_client = n;
        }
        let crawler = file.crawler;
        let c = &mut self.crawler;
        for (value, target) in [
            (crawler.feed_url, &mut c.feed_url),
            (crawler.api_url, &mut c.api_url),
            (crawler.oai_url, &mut c.oai_url),
            (crawler.openreview_url, &mut c.openreview_url),
        ] {
            if let Some(url) = value {
                *target = endpoint(&url).map_err(bad)?;
            }
        }
        if let Some(secs) = crawler.min_interval_secs {
            c.min_interval = interval(secs).map_err(bad)?;
        }
        if let Some(list) = crawler.categories {
            c.categories = categories(&list.join(",")).map_err(bad)?;
        }
        if crawler.contact.is_some() {
            c.contact = crawler.contact;
        }
        if let Some(secs) = crawler.timeout_secs {
            c.timeout = interval(secs).map_err(bad)?.max(Duration::from_millis(100));
        }
        if let Some(embedder) = file.search.embedder {
            self.search.embedder = embedder;
        }
        if let Some(url) = file.search.embeddings_url {
            self.search.service.url = endpoint(&url).map_err(bad)?;
        }
        if let Some(model) = file.search.embeddings_model {
            self.search.service.model = model;
        }
        if let Some(dir) = file.search.minilm_dir {
            self.search.minilm_dir = Some(dir);
        }
        self.summaries.apply_file(file.summaries).map_err(bad)?;
        for topic in file.topics {
            if !topic_name_ok(&topic.name) {
                return Err(bad(format!(
                    "topic name '{}' must be 1 to 40 lowercase letters, digits or '-'",
                    topic.name
                )));
            }
            if topic.query.trim().is_empty() {
                return Err(bad(format!("topic '{}' has an empty query", topic.name)));
            }
            // Same name: the file's definition replaces the built-in one.
            self.topics.retain(|t| t.name != topic.name);
            self.topics.push(topic);
        }
        Ok(())
    }

    fn apply_env(&mut self, env: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        let invalid = |name: &'static str, value: &str, reason: String| ConfigError::Env {
            name,
            value: value.to_string(),
            reason,
        };
        if let Some(dir) = env("PAPERS_DATA_DIR").filter(|v| !v.is_empty()) {
            self.data_dir = PathBuf::from(dir);
        }
        if let Some(url) = env("PAPERS_DATABASE_URL").filter(|v| !v.is_empty()) {
            self.database_url = Some(url);
        }
        if let Some(addr) = env("PAPERS_ADDR").filter(|v| !v.is_empty()) {
            self.addr = addr.parse().map_err(|e: std::net::AddrParseError| {
                invalid("PAPERS_ADDR", &addr, e.to_string())
            })?;
        }
        if let Some(url) = env("PAPERS_PUBLIC_URL").filter(|v| !v.is_empty()) {
            self.public_url =
                Some(endpoint(&url).map_err(|e| invalid("PAPERS_PUBLIC_URL", &url, e))?);
        }
        if let Some(text) = env("PAPERS_RATE_LIMIT").filter(|v| !v.is_empty()) {
            self.rate_limit = text.parse().map_err(|_| {
                invalid(
                    "PAPERS_RATE_LIMIT",
                    &text,
                    "not a whole number of requests per second".into(),
                )
            })?;
        }
        let name = "PAPERS_PAGE_CACHE_SECS";
        if let Some(text) = env(name).filter(|v| !v.is_empty()) {
            let secs: f64 = text
                .parse()
                .map_err(|_| invalid(name, &text, "not a number of seconds".into()))?;
            self.page_cache = interval(secs).map_err(|e| invalid(name, &text, e))?;
        }
        let name = "PAPERS_INDEX_SYNC_SECS";
        if let Some(text) = env(name).filter(|v| !v.is_empty()) {
            let secs: f64 = text
                .parse()
                .map_err(|_| invalid(name, &text, "not a number of seconds".into()))?;
            self.index_sync = interval(secs).map_err(|e| invalid(name, &text, e))?;
        }
        let name = "PAPERS_HEADER_TIMEOUT_SECS";
        if let Some(text) = env(name).filter(|v| !v.is_empty()) {
            let secs: f64 = text
                .parse()
                .map_err(|_| invalid(name, &text, "not a number of seconds".into()))?;
            self.header_timeout = header_timeout(secs).map_err(|e| invalid(name, &text, e))?;
        }
        let name = "PAPERS_MAX_CONNECTIONS_PER_CLIENT";
        if let Some(text) = env(name).filter(|v| !v.is_empty()) {
            self.max_connections_per_client = text
                .parse()
                .map_err(|_| invalid(name, &text, "not a whole number of connections".into()))?;
        }
        if let Some(format) = env("PAPERS_LOG_FORMAT").filter(|v| !v.is_empty()) {
            self.log_format = format
                .parse()
                .map_err(|e| invalid("PAPERS_LOG_FORMAT", &format, e))?;
        }
        let c = &mut self.crawler;
        for (name, target) in [
            ("PAPERS_ARXIV_FEED_URL", &mut c.feed_url),
            ("PAPERS_ARXIV_API_URL", &mut c.api_url),
            ("PAPERS_ARXIV_OAI_URL", &mut c.oai_url),
            ("PAPERS_OPENREVIEW_URL", &mut c.openreview_url),
        ] {
            if let Some(url) = env(name).filter(|v| !v.is_empty()) {
                *target = endpoint(&url).map_err(|e| invalid(name, &url, e))?;
            }
        }
        let name = "PAPERS_ARXIV_MIN_INTERVAL_SECS";
        if let Some(text) = env(name).filter(|v| !v.is_empty()) {
            let secs: f64 = text
                .parse()
                .map_err(|_| invalid(name, &text, "not a number of seconds".into()))?;
            c.min_interval = interval(secs).map_err(|e| invalid(name, &text, e))?;
        }
        if let Some(text) = env("PAPERS_CATEGORIES").filter(|v| !v.is_empty()) {
            c.categories = categories(&text).map_err(|e| invalid("PAPERS_CATEGORIES", &text, e))?;
        }
        if let Some(contact) = env("PAPERS_CONTACT").filter(|v| !v.is_empty()) {
            c.contact = Some(contact);
        }
        if let Some(text) = env("PAPERS_EMBEDDER").filter(|v| !v.is_empty()) {
            self.search.embedder = text
                .parse()
                .map_err(|e| invalid("PAPERS_EMBEDDER", &text, e))?;
        }
        let name = "PAPERS_EMBEDDINGS_URL";
        if let Some(url) = env(name).filter(|v| !v.is_empty()) {
            self.search.service.url = endpoint(&url).map_err(|e| invalid(name, &url, e))?;
        }
        if let Some(model) = env("PAPERS_EMBEDDINGS_MODEL").filter(|v| !v.is_empty()) {
            self.search.service.model = model;
        }
        if let Some(dir) = env("PAPERS_MINILM_DIR").filter(|v| !v.is_empty()) {
            self.search.minilm_dir = Some(PathBuf::from(dir));
        }
        if let Some(key) = env("PAPERS_EMBEDDINGS_API_KEY").filter(|v| !v.is_empty()) {
            self.search.service.api_key = Some(Secret::new(key));
        }
        let name = "PAPERS_ARXIV_TIMEOUT_SECS";
        if let Some(text) = env(name).filter(|v| !v.is_empty()) {
            let secs: f64 = text
                .parse()
                .map_err(|_| invalid(name, &text, "not a number of seconds".into()))?;
            c.timeout = interval(secs)
                .map_err(|e| invalid(name, &text, e))?
                .max(Duration::from_millis(100));
        }
        self.summaries.apply_env(&env)?;
        Ok(())
    }

    /// The local summary model in effect: [`SummaryConfig::local_model`] or the default file in
    /// the data dir's models folder.
    pub fn local_model(&self) -> PathBuf {
        self.summaries.local_model.clone().unwrap_or_else(|| {
            self.data_dir
                .join("models")
                .join(summaries::DEFAULT_LOCAL_MODEL_FILE)
        })
    }

    /// The site's public address without a trailing `/`: [`Config::public_url`] or `http://{addr}`.
    pub fn site_url(&self) -> String {
        match &self.public_url {
            Some(url) => url.clone(),
            None => format!("http://{}", self.addr),
        }
    }

    /// The database to use: the configured URL, else `sqlite:` + a file in the data dir.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite:{}", self.data_dir.join("papers.db").display()),
        }
    }
}

/// An endpoint must be an absolute http(s) URL; a trailing `/` is dropped so paths join cleanly.
fn endpoint(url: &str) -> Result<String, String> {
    let url = url.trim();
    if !(url.starts_with("http://") || url.starts_with("https://")) || url.len() < 10 {
        return Err(format!("'{url}' is not an http:// or https:// URL"));
    }
    Ok(url.trim_end_matches('/').to_string())
}

fn interval(secs: f64) -> Result<Duration, String> {
    if !(0.0..=3600.0).contains(&secs) {
        return Err(format!("{secs} is not between 0 and 3600 seconds"));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// A header timeout: zero would cut off every client, and past a minute it protects nothing.
fn header_timeout(secs: f64) -> Result<Duration, String> {
    if !(0.1..=60.0).contains(&secs) {
        return Err(format!("{secs} is not between 0.1 and 60 seconds"));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// A comma-separated list of categories (strict: each must be in the arXiv taxonomy).
fn categories(text: &str) -> Result<Vec<Category>, String> {
    let mut list: Vec<Category> = Vec::new();
    for code in text.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        let category = Category::parse(code).map_err(|e| e.to_string())?;
        if !list.contains(&category) {
            list.push(category);
        }
    }
    if list.is_empty() {
        return Err("no category given".into());
    }
    Ok(list)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn defaults_give_a_sqlite_file_in_the_data_dir() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::load(Some(&write(&dir, "")), env(&[])).unwrap();
        assert_eq!(config.database_url(), "sqlite:papers-data/papers.db");
        assert_eq!(config.addr.to_string(), "127.0.0.1:8080");
    }

    #[test]
    fn the_environment_overrides_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = write(
            &dir,
            "data_dir = \"/srv/papers\"\nlog_format = \"json\"\n[serve]\naddr = \"0.0.0.0:9000\"\n",
        );
        let config = Config::load(Some(&file), env(&[])).unwrap();
        assert_eq!(config.data_dir, PathBuf::from("/srv/papers"));
        assert_eq!(config.log_format, LogFormat::Json);
        assert_eq!(config.addr.to_string(), "0.0.0.0:9000");
        assert_eq!(config.database_url(), "sqlite:/srv/papers/papers.db");

        let config = Config::load(
            Some(&file),
            env(&[
                ("PAPERS_ADDR", "127.0.0.1:7000"),
                ("PAPERS_DATABASE_URL", "postgres://papers@db/papers"),
            ]),
        )
        .unwrap();
        assert_eq!(config.addr.to_string(), "127.0.0.1:7000");
        assert_eq!(config.database_url(), "postgres://papers@db/papers");
        assert_eq!(
            config.data_dir,
            PathBuf::from("/srv/papers"),
            "file value kept"
        );
    }

    #[test]
    fn mistakes_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let typo = write(&dir, "data_dri = \"x\"\n");
        let err = Config::load(Some(&typo), env(&[])).unwrap_err().to_string();
        assert!(err.contains("data_dri"), "{err}");

        let missing = dir.path().join("nope.toml");
        let err = Config::load(Some(&missing), env(&[]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("nope.toml"), "{err}");

        let fine = write(&dir, "");
        let err = Config::load(Some(&fine), env(&[("PAPERS_ADDR", "localhost")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("PAPERS_ADDR='localhost'"), "{err}");
    }

    #[test]
    fn connection_limits_come_from_the_file_and_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::load(Some(&write(&dir, "")), env(&[])).unwrap();
        assert_eq!(
            config.header_timeout,
            Duration::from_secs(DEFAULT_HEADER_TIMEOUT_SECS)
        );
        assert_eq!(
            config.max_connections_per_client,
            DEFAULT_MAX_CONNECTIONS_PER_CLIENT
        );
        let file = write(
            &dir,
            "[serve]\nheader_timeout_secs = 2.5\nmax_connections_per_client = 0\n",
        );
        let config = Config::load(Some(&file), env(&[])).unwrap();
        assert_eq!(config.header_timeout, Duration::from_millis(2500));
        assert_eq!(config.max_connections_per_client, 0, "0 turns the cap off");
        let config = Config::load(
            Some(&file),
            env(&[
                ("PAPERS_HEADER_TIMEOUT_SECS", "1"),
                ("PAPERS_MAX_CONNECTIONS_PER_CLIENT", "8"),
            ]),
        )
        .unwrap();
        assert_eq!(config.header_timeout, Duration::from_secs(1));
        assert_eq!(config.max_connections_per_client, 8);
        for (name, value) in [
            ("PAPERS_HEADER_TIMEOUT_SECS", "0"),
            ("PAPERS_HEADER_TIMEOUT_SECS", "forever"),
            ("PAPERS_MAX_CONNECTIONS_PER_CLIENT", "-1"),
        ] {
            let err = Config::load(Some(&file), env(&[(name, value)]))
                .unwrap_err()
                .to_string();
            assert!(err.contains(name), "{err}");
        }
    }

    #[test]
    fn the_site_address_and_rate_limit_layer_like_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::load(Some(&write(&dir, "")), env(&[])).unwrap();
        assert_eq!(config.site_url(), "http://127.0.0.1:8080");
        assert_eq!(config.rate_limit, DEFAULT_RATE_LIMIT);

        let file = write(
            &dir,
            "[serve]\npublic_url = \"https://papers.example.org/\"\nrate_limit = 5\n",
        );
        let config = Config::load(Some(&file), env(&[])).unwrap();
        assert_eq!(config.site_url(), "https://papers.example.org");
        assert_eq!(config.rate_limit, 5);

        let config = Config::load(
            Some(&file),
            env(&[
                ("PAPERS_PUBLIC_URL", "http://10.0.0.7:8080"),
                ("PAPERS_RATE_LIMIT", "0"),
            ]),
        )
        .unwrap();
        assert_eq!(config.site_url(), "http://10.0.0.7:8080");
        assert_eq!(config.rate_limit, 0, "0 turns the limit off");
        let config = Config::load(Some(&file), env(&[("PAPERS_PAGE_CACHE_SECS", "0")])).unwrap();
        assert_eq!(config.page_cache, Duration::ZERO);

        for (name, value) in [
            ("PAPERS_PUBLIC_URL", "javascript:alert(1)"),
            ("PAPERS_RATE_LIMIT", "lots"),
        ] {
            let err = Config::load(Some(&file), env(&[(name, value)]))
                .unwrap_err()
                .to_string();
            assert!(err.contains(name), "{err}");
        }
    }

    #[test]
    fn crawler_settings_layer_like_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::load(Some(&write(&dir, "")), env(&[])).unwrap();
        assert_eq!(config.crawler.api_url, "https://export.arxiv.org/api/query");
        assert_eq!(config.crawler.min_interval, Duration::from_secs(3));
        let codes: Vec<&str> = config
            .crawler
            .categories
            .iter()
            .map(Category::as_str)
            .collect();
        assert_eq!(codes, ["cs.AI", "cs.CL", "cs.CV", "cs.LG", "stat.ML"]);

        let file = write(
            &dir,
            "[crawler]\nfeed_url = \"http://mirror.local/\"\ncategories = [\"cs.LG\", \"cs.NA\"]\n\
             min_interval_secs = 0.5\ncontact = \"ops@example.org\"\n",
        );
        let config = Config::load(Some(&file), env(&[])).unwrap();
        assert_eq!(config.crawler.feed_url, "http://mirror.local");
        assert_eq!(config.crawler.min_interval, Duration::from_millis(500));
        assert_eq!(config.crawler.contact.as_deref(), Some("ops@example.org"));
        let codes: Vec<&str> = config
            .crawler
            .categories
            .iter()
            .map(Category::as_str)
            .collect();
        assert_eq!(codes, ["cs.LG", "math.NA"]);

        let config = Config::load(
            Some(&file),
            env(&[
                ("PAPERS_ARXIV_API_URL", "http://127.0.0.1:9/api/query"),
                ("PAPERS_CATEGORIES", "cs.CV, cs.RO"),
                ("PAPERS_ARXIV_MIN_INTERVAL_SECS", "0"),
            ]),
        )
        .unwrap();
        assert_eq!(config.crawler.api_url, "http://127.0.0.1:9/api/query");
        assert_eq!(config.crawler.min_interval, Duration::ZERO);
        assert_eq!(config.crawler.categories.len(), 2);

        for (name, value, says) in [
            ("PAPERS_CATEGORIES", "cs.LG,cs.NOPE", "cs.NOPE"),
            ("PAPERS_ARXIV_FEED_URL", "ftp://x", "not an http"),
            ("PAPERS_ARXIV_MIN_INTERVAL_SECS", "-1", "between 0 and 3600"),
        ] {
            let err = Config::load(Some(&file), env(&[(name, value)]))
                .unwrap_err()
                .to_string();
            assert!(err.contains(name) && err.contains(says), "{err}");
        }
    }

    #[test]
    fn topics_start_predefined_and_the_file_adds_or_redefines_them() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::load(Some(&write(&dir, "")), env(&[])).unwrap();
        let names: Vec<&str> = config.topics.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["attention", "diffusion", "low-rank"]);
        assert_eq!(config.search.embedder, EmbedderChoice::Auto);
        assert_eq!(
            config.minilm_dir(),
            PathBuf::from("papers-data/models/all-MiniLM-L6-v2")
        );

        let file = write(
            &dir,
            "[search]\nembedder = \"none\"\n\n[[topics]]\nname = \"diffusion\"\ntitle = \"Diffusion\"\n\
             query = \"ti:diffusion cat:cs.CV\"\n\n[[topics]]\nname = \"mamba\"\ntitle = \"State-space models\"\n\
             query = \"mamba OR \\\"state space model\\\"\"\n",
        );
        let config = Config::load(Some(&file), env(&[])).unwrap();
        assert_eq!(config.search.embedder, EmbedderChoice::None);
        let names: Vec<&str> = config.topics.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["attention", "low-rank", "diffusion", "mamba"]);
        assert_eq!(config.topics[2].query, "ti:diffusion cat:cs.CV");
        assert_eq!(config.topics[3].query, "mamba OR \"state space model\"");
        let config = Config::load(
            Some(&file),
            env(&[
                ("PAPERS_EMBEDDER", "minilm"),
                ("PAPERS_MINILM_DIR", "/opt/minilm"),
            ]),
        )
        .unwrap();
        assert_eq!(config.search.embedder, EmbedderChoice::MiniLm);
        assert_eq!(config.minilm_dir(), PathBuf::from("/opt/minilm"));
        let config = Config::load(
            Some(&write(
                &dir,
                "[search]\nembedder = \"api\"\nembeddings_url = \"http://gpu.local:8000/v1/\"\n",
            )),
            env(&[
                ("PAPERS_EMBEDDINGS_API_KEY", "sk-secret"),
                ("PAPERS_EMBEDDINGS_MODEL", "bge-small"),
            ]),
        )
        .unwrap();
        assert_eq!(config.search.embedder, EmbedderChoice::Api);
        assert_eq!(config.search.service.url, "http://gpu.local:8000/v1");
        assert_eq!(config.search.service.model, "bge-small");
        assert_eq!(
            config.search.service.api_key.as_ref().unwrap().expose(),
            "sk-secret"
        );
        assert!(
            !format!("{config:?}").contains("sk-secret"),
            "the key never prints"
        );

        for (text, says) in [
            (
                "[[topics]]\nname = \"Low Rank\"\ntitle = \"x\"\nquery = \"x\"\n",
                "lowercase",
            ),
            (
                "[[topics]]\nname = \"x\"\ntitle = \"x\"\nquery = \" \"\n",
                "empty query",
            ),
            ("[[topics]]\nname = \"x\"\nquery = \"x\"\n", "title"),
            ("[search]\nembedder = \"bert\"\n", "bert"),
        ] {
            let err = Config::load(Some(&write(&dir, text)), env(&[]))
                .unwrap_err()
                .to_string();
            assert!(err.contains(says), "{text}: {err}");
        }
    }

    fn write(dir: &tempfile::TempDir, text: &str) -> PathBuf {
        let path = dir.path().join(format!("papers-{}.toml", text.len()));
        std::fs::write(&path, text).unwrap();
        path
    }
}
