//! arXiv's endpoints as the crawler calls them: URLs built from configuration and validated ids
//! only, every request through the one HTTP client (retry policy, politeness), and each response
//! parsed on arrival so that a body cut short is retried like a dropped connection.

use chrono::NaiveDate;
use papers_core::http::{Fetched, HttpClient, HttpError, HttpOptions, Url, Validators};
use papers_core::{ArxivId, Category, CrawlerConfig};

use crate::arxiv::api::{ApiPage, parse_api};
use crate::arxiv::feed::{FeedPage, parse_feed};
use crate::arxiv::oai::{OaiPage, parse_oai};

/// Ids per API request: arXiv's examples use lists of this size, and a response stays small.
pub const API_BATCH: usize = 100;

/// Why a source could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error(transparent)]
    Http(#[from] HttpError),
    #[error("{url}: arXiv answered with an error: {message}")]
    Api { url: String, message: String },
}

#[derive(Clone)]
pub struct ArxivClient {
    http: HttpClient,
    config: CrawlerConfig,
}

/// Where an OAI-PMH harvest is: its first request, or a resumption token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OaiRequest {
    Start {
        set: Option<String>,
        from: Option<NaiveDate>,
        until: Option<NaiveDate>,
    },
    Resume(String),
}

impl ArxivClient {
    pub fn new(config: CrawlerConfig) -> Result<Self, SourceError> {
        let options = HttpOptions::new(
            config.contact.as_deref(),
            config.min_interval,
            config.timeout,
        );
        let http = HttpClient::new(options)?;
        Ok(Self::with_http(config, http))
    }

    /// With a client configured by the caller (tests shorten the retry waits).
    pub fn with_http(config: CrawlerConfig, http: HttpClient) -> Self {
        ArxivClient { http, config }
    }

    pub fn config(&self) -> &CrawlerConfig {
        &self.config
    }

    /// The listing feed URL for some categories: `{feed_url}/rss/cs.AI+cs.LG`.
    pub fn feed_url(&self, categories: &[Category]) -> String {
        let codes: Vec<&str> = categories.iter().map(Category::as_str).collect();
        format!("{}/rss/{}", self.config.feed_url, codes.join("+"))
    }

    /// The day's listing feed. `None` when the server says it has not changed since `validators`.
    pub async fn feed(
        &self,
        categories: &[Category],
        validators: Option<&Validators>,
    ) -> Result<Option<(FeedPage, Validators)>, SourceError> {
        let url = self.feed_url(categories);
        let fetched = self
            .http
            .get_checked(&url, validators, |fetched: Fetched| {
                if fetched.not_modified() {
                    return Ok(None);
                }
                let page = parse_feed(&fetched.body);
                complete(&url, page.fatal.as_ref())?;
                Ok(Some((page, fetched.validators)))
            })
            .await?;
        Ok(fetched)
    }

    /// Metadata for up to [`API_BATCH`] papers by id.
    pub async fn by_ids(&self, ids: &[ArxivId]) -> Result<ApiPage, SourceError> {
        let list: Vec<&str> = ids.iter().map(ArxivId::as_str).collect();
        let mut url = self.api_base()?;
        url.query_pairs_mut()
            .append_pair("id_list", &list.join(","))
            .append_pair("start", "0")
            .append_pair("max_results", &ids.len().to_string());
        self.api(url).await
    }

    /// One page of an API search, oldest submissions first (for backfills by category and date).
    pub async fn search(&self, query: &str, start: u64, max: u64) -> Result<ApiPage, SourceError> {
        let mut url = self.api_base()?;
        url.query_pairs_mut()
            .append_pair("search_query", query)
            .append_pair("start", &start.to_string())
            .append_pair("max_results", &max.to_string())
            .append_pair("sortBy", "submittedDate")
            .append_pair("sortOrder", "ascending");
        self.api(url).await
    }

    async fn api(&self, url: Url) -> Result<ApiPage, SourceError> {
        let url = url.to_string();
        let page = self
            .http
            .get_checked(&url, None, |fetched: Fetched| {
                let page = parse_api(&fetched.body);
                complete(&url, page.fatal.as_ref())?;
                Ok(page)
            })
            .await?;
        if let Some(message) = &page.api_error {
            return Err(SourceError::Api {
                url,
                message: message.clone(),
            });
        }
        Ok(page)
    }

    /// One page of an OAI-PMH `ListRecords` harvest in the `arXivRaw` metadata format: the only
    /// one that says how many versions a paper has (`arXiv` gives just the first and last dates).
    pub async fn oai(&self, request: &OaiRequest) -> Result<OaiPage, SourceError> {
        let mut url =
            Url::parse(&self.config.oai_url).map_err(|e| bad_url(&self.config.oai_url, e))?;
        {
            let mut query = url.query_pairs_mut();
            query.append_pair("verb", "ListRecords");
            match request {
                OaiRequest::Start { set, from, until } => {
                    query.append_pair("metadataPrefix", "arXivRaw");
                    if let Some(set) = set {
                        query.append_pair("set", set);
                    }
                    if let Some(from) = from {
                        query.append_pair("from", &from.to_string());
                    }
                    if let Some(until) = until {
                        query.append_pair("until", &until.to_string());
                    }
                }
                OaiRequest::Resume(token) => {
                    query.append_pair("resumptionToken", token);
                }
            }
        }
        let url = url.to_string();
        let page = self
            .http
            .get_checked(&url, None, |fetched: Fetched| {
                let page = parse_oai(&fetched.body);
                complete(&url, page.fatal.as_ref())?;
                Ok(page)
            })
            .await?;
        Ok(page)
    }

    fn api_base(&self) -> Result<Url, SourceError> {
        Url::parse(&self.config.api_url).map_err(|e| bad_url(&self.config.api_url, e))
    }
}

/// A response whose XML stops half way was cut off in transit: retry it like a dropped connection.
fn complete(url: &str, fatal: Option<&crate::arxiv::XmlError>) -> Result<(), HttpError> {
    match fatal {
        Some(error) => Err(HttpError::Truncated {
            url: url.to_string(),
            message: error.to_string(),
        }),
        None => Ok(()),
    }
}

fn bad_url(url: &str, error: impl std::fmt::Display) -> SourceError {
    SourceError::Http(HttpError::Other {
        url: url.to_string(),
        message: format!("not a valid URL: {error}"),
    })
}
