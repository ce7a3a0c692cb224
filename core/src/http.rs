//! The one outbound HTTP client. Every request the service makes goes through it, so every request
//! gets the same manners: a User-Agent naming the service and a contact, connect and overall
//! timeouts, one request at a time per host with a minimum spacing (arXiv asks for one request
//! every three seconds on one connection), conditional GET, a body size cap, and the retry policy.
//!
//! URLs come from the operator's configuration or are built from validated ids, never from what a
//! web visitor typed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{
    CONTENT_TYPE, ETAG, HeaderMap, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED, RETRY_AFTER,
};
use tokio::time::Instant;

pub use reqwest::Url;

use crate::retry::{RetryPolicy, Transient};

#[derive(Clone, Debug)]
pub struct HttpOptions {
    pub user_agent: String,
    pub connect_timeout: Duration,
    /// For the whole request, body included: a server that trickles is as bad as a dead one.
    pub timeout: Duration,
    /// Least time between the end of one request to a host and the start of the next.
    pub min_interval: Duration,
    pub retry: RetryPolicy,
    pub max_body_bytes: usize,
}

impl HttpOptions {
    /// Defaults for talking to arXiv, with the operator's contact address in the User-Agent.
    pub fn new(contact: Option<&str>, min_interval: Duration, timeout: Duration) -> Self {
        HttpOptions {
            user_agent: user_agent(contact),
            connect_timeout: Duration::from_secs(10).min(timeout),
            timeout,
            min_interval,
            retry: RetryPolicy::default(),
            max_body_bytes: 64 << 20,
        }
    }
}

/// `papers/0.1.0 (+https://github.com/…; mailto:ops@example.org)`-style: who we are and how to
/// reach whoever runs this instance.
pub fn user_agent(contact: Option<&str>) -> String {
    let version = env!("CARGO_PKG_VERSION");
    match contact {
        Some(contact) => format!("papers/{version} (paper-reading service; mailto:{contact})"),
        None => format!("papers/{version} (paper-reading service)"),
    }
}

/// What makes a later conditional GET cheap: the response's ETag and Last-Modified.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// A successful response: 200 with its body, or 304 Not Modified with none.
#[derive(Clone, Debug)]
pub struct Fetched {
    pub status: u16,
    pub body: Vec<u8>,
    pub validators: Validators,
}

impl Fetched {
    pub fn not_modified(&self) -> bool {
        self.status == StatusCode::NOT_MODIFIED.as_u16()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    #[error("{url}: HTTP {status}")]
    Status {
        url: String,
        status: u16,
        retry_after: Option<Duration>,
    },
    #[error("{url}: timed out")]
    Timeout { url: String },
    #[error("{url}: cannot connect: {message}")]
    Connect { url: String, message: String },
    #[error("{url}: response cut off: {message}")]
    Truncated { url: String, message: String },
    #[error("{url}: response larger than {max} bytes")]
    TooLarge { url: String, max: usize },
    #[error("{url}: {message}")]
    Other { url: String, message: String },
}

impl Transient for HttpError {
    fn is_transient(&self) -> bool {
        match self {
            HttpError::Status { status, .. } => *status == 429 || (500..=599).contains(status),
            HttpError::Timeout { .. } | HttpError::Connect { .. } | HttpError::Truncated { .. } => {
                true
            }
            HttpError::TooLarge { .. } | HttpError::Other { .. } => false,
        }
    }

    fn retry_after(&self) -> Option<Duration> {
        match self {
            HttpError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

#[derive(Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    gates: Arc<Mutex<HashMap<String, Arc<HostGate>>>>,
    options: Arc<HttpOptions>,
}

/// One request at a time per host, spaced by `min_interval`.
#[derive(Default)]
struct HostGate {
    last_done: tokio::sync::Mutex<Option<Instant>>,
}

impl HttpClient {
    pub fn new(options: HttpOptions) -> Result<Self, HttpError> {
        let client = reqwest::Client::builder()
            .user_agent(&options.user_agent)
            .connect_timeout(options.connect_timeout)
            .timeout(options.timeout)
            .pool_max_idle_per_host(1)
            .build()
            .map_err(|e| HttpError::Other {
                url: String::new(),
                message: format!("cannot build the HTTP client: {e}"),
            })?;
        Ok(HttpClient {
            client,
            gates: Arc::default(),
            options: Arc::new(options),
        })
    }

    pub fn options(&self) -> &HttpOptions {
        &self.options
    }

    /// GET with the retry policy; sends the validators (if any) for a conditional GET.
    pub async fn get(
        &self,
        url: &str,
        validators: Option<&Validators>,
    ) -> Result<Fetched, HttpError> {
        self.get_checked(url, validators, Ok).await
    }

    /// GET with the retry policy, where `check` may refuse a complete response: a parser that
    /// finds the XML cut short returns [`HttpError::Truncated`], and the request is retried like
    /// any other truncated body.
    pub async fn get_checked<T>(
        &self,
        url: &str,
        validators: Option<&Validators>,
        check: impl Fn(Fetched) -> Result<T, HttpError>,
    ) -> Result<T, HttpError> {
        self.options
            .retry
            .run(url, || async {
                check(self.get_once(url, validators).await?)
            })
            .await
    }

    /// POST a JSON body (an embeddings or chat API) with the retry policy; `bearer` is sent as
    /// `Authorization: Bearer …`, marked sensitive so it never appears in logs or errors.
    pub async fn post_json(
        &self,
        url: &str,
        body: &[u8],
        bearer: Option<&str>,
    ) -> Result<Fetched, HttpError> {
        self.options
            .retry
            .run(url, || async {
                let mut request = self
                    .client
                    .post(url)
                    .header(CONTENT_TYPE, "application/json")
                    .body(body.to_vec());
                if let Some(key) = bearer {
                    request = request.bearer_auth(key);
                }
                self.gated(url, self.receive(url, request)).await
            })
            .await
    }

    /// One attempt, through the host's gate.
    async fn get_once(
        &self,
        url: &str,
        validators: Option<&Validators>,
    ) -> Result<Fetched, HttpError> {
        self.gated(url, self.send(url, validators)).await
    }

    /// Runs one request when the host's gate lets it: one at a time, `min_interval` apart.
    async fn gated(
        &self,
        url: &str,
        request: impl Future<Output = Result<Fetched, HttpError>>,
    ) -> Result<Fetched, HttpError> {
        let gate = self.gate(url);
        let mut last_done = gate.last_done.lock().await;
        if let Some(done) = *last_done {
            tokio::time::sleep_until(done + self.options.min_interval).await;
        }
        let result = request.await;
        *last_done = Some(Instant::now());
        result
    }

    fn gate(&self, url: &str) -> Arc<HostGate> {
        let host = reqwest::Url::parse(url)
            .ok()
            .and_then(|u| {
                u.host_str()
                    .map(|h| format!("{h}:{}", u.port_or_known_default().unwrap_or(0)))
            })
            .unwrap_or_default();
        let mut gates = self.gates.lock().expect("gate map lock");
        Arc::clone(gates.entry(host).or_default())
    }

    async fn send(&self, url: &str, validators: Option<&Validators>) -> Result<Fetched, HttpError> {
        let mut request = self.client.get(url);
        if let Some(v) = validators {
            if let Some(etag) = &v.etag {
                request = request.header(IF_NONE_MATCH, etag);
            }
            if let Some(modified) = &v.last_modified {
                request = request.header(IF_MODIFIED_SINCE, modified);
            }
        }
        self.receive(url, request).await
    }

    /// Sends a request and reads its response: status, validators, and a body within the cap.
    async fn receive(
        &self,
        url: &str,
        request: reqwest::RequestBuilder,
    ) -> Result<Fetched, HttpError> {
        let mut response = request.send().await.map_err(|e| classify(url, &e))?;
        let status = response.status();
        let validators = validators_of(response.headers());
        if status == StatusCode::NOT_MODIFIED {
            return Ok(Fetched {
                status: status.as_u16(),
                body: Vec::new(),
                validators,
            });
        }
        if !status.is_success() {
            return Err(HttpError::Status {
                url: url.to_string(),
                status: status.as_u16(),
                retry_after: retry_after(response.headers()),
            });
        }
        let max = self.options.max_body_bytes;
        let too_large = || HttpError::TooLarge {
            url: url.to_string(),
            max,
        };
        if response.content_length().is_some_and(|n| n > max as u64) {
            return Err(too_large());
        }
        let mut body = Vec::with_capacity(response.content_length().unwrap_or(0) as usize);
        while let Some(chunk) = response.chunk().await.map_err(|e| classify(url, &e))? {
            if body.len() + chunk.len() > max {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Fetched {
            status: status.as_u16(),
            body,
            validators,
        })
    }
}

/// What a failed request means for the retry policy (also for the summarizer's streamed requests).
pub fn classify(url: &str, error: &reqwest::Error) -> HttpError {
    let url = url.to_string();
    // The source chain says more than the top-level message ("error sending request").
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        message = format!("{message}: {inner}");
        source = inner.source();
    }
    if error.is_timeout() {
        HttpError::Timeout { url }
    } else if error.is_connect() {
        HttpError::Connect { url, message }
    } else if error.is_body() || error.is_decode() || error.is_request() {
        // A connection closed before the promised Content-Length, or mid-chunk.
        HttpError::Truncated { url, message }
    } else {
        HttpError::Other { url, message }
    }
}

fn validators_of(headers: &HeaderMap) -> Validators {
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
            .map(str::to_string)
    };
    Validators {
        etag: text(ETAG),
        last_modified: text(LAST_MODIFIED),
    }
}

/// `Retry-After` as seconds or as an HTTP date (RFC 9110 §10.2.3).
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    parse_retry_after(value, chrono::Utc::now())
}

pub(crate) fn parse_retry_after(
    value: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<Duration> {
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    Some(
        (when.with_timezone(&chrono::Utc) - now)
            .to_std()
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_in_both_forms() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-06-01T12:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Mon, 01 Jun 2026 12:00:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Mon, 01 Jun 2026 11:00:00 GMT", now),
            Some(Duration::ZERO),
            "a date in the past means now"
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn only_transient_failures_are_retried() {
        let status = |status| HttpError::Status {
            url: "u".into(),
            status,
            retry_after: None,
        };
        for code in [429, 500, 502, 503, 504] {
            assert!(status(code).is_transient(), "{code}");
        }
        for code in [400, 401, 403, 404, 410] {
            assert!(!status(code).is_transient(), "{code}");
        }
        assert!(HttpError::Timeout { url: "u".into() }.is_transient());
        assert!(
            !HttpError::TooLarge {
                url: "u".into(),
                max: 1
            }
            .is_transient()
        );
    }

    #[test]
    fn the_user_agent_names_the_contact() {
        assert!(user_agent(Some("ops@example.org")).contains("mailto:ops@example.org"));
        assert!(user_agent(None).starts_with("papers/"));
    }
}
