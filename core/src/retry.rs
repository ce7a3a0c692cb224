//! The one retry policy every outbound call uses (arXiv now, LLM endpoints later): exponential
//! backoff with jitter, bounded in attempts and in total time, a server's `Retry-After` honoured,
//! and only transient failures retried. Built on `backon`; the `backoff` crate is unmaintained
//! (RUSTSEC-2025-0012).
//!
//! At a call site it is one line around the operation:
//!
//! ```no_run
//! # use papers_core::{http::HttpError, retry::RetryPolicy};
//! # async fn fetch_page(url: &str) -> Result<String, HttpError> { Ok(url.to_string()) }
//! # async fn example(policy: RetryPolicy, url: &str) -> Result<(), HttpError> {
//! let page = policy.run("arXiv API", || fetch_page(url)).await?;
//! # Ok(()) }
//! ```

use std::fmt::Display;
use std::future::Future;
use std::time::{Duration, Instant};

use backon::{ExponentialBuilder, Retryable};

/// What the policy needs to know about an error.
pub trait Transient {
    /// Worth another attempt: timeouts, dropped connections, truncated bodies, 429, 5xx.
    fn is_transient(&self) -> bool;
    /// How long the server asked us to wait, if it did.
    fn retry_after(&self) -> Option<Duration> {
        None
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first one included.
    pub max_attempts: usize,
    /// The first backoff delay; each next one doubles, plus jitter.
    pub min_delay: Duration,
    pub max_delay: Duration,
    /// The most time to spend waiting between attempts. A `Retry-After` that would go past it
    /// ends the retries instead of stalling a cron job for an hour.
    pub max_total: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            min_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(60),
            max_total: Duration::from_secs(300),
        }
    }
}

impl RetryPolicy {
    /// Runs `op` until it succeeds, fails for good, or the policy is spent; each retry is logged
    /// with its cause and the wait. `what` names the operation in those log lines.
    pub async fn run<T, E, F, Fut>(&self, what: &str, op: F) -> Result<T, E>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
        E: Transient + Display,
    {
        let started = Instant::now();
        let max_total = self.max_total;
        let backoff = ExponentialBuilder::default()
            .with_jitter()
            .with_min_delay(self.min_delay)
            .with_max_delay(self.max_delay)
            .with_max_times(self.max_attempts.saturating_sub(1))
            .with_total_delay(Some(self.max_total));
        op.retry(backoff)
            .sleep(tokio::time::sleep)
            .when(|e: &E| e.is_transient())
            .adjust(move |e: &E, planned: Option<Duration>| {
                // `planned` is None once the backoff is spent: stop whatever the server says.
                let planned = planned?;
                match e.retry_after() {
                    Some(asked) if started.elapsed() + asked > max_total => None,
                    Some(asked) => Some(asked),
                    None => Some(planned),
                }
            })
            .notify(|e: &E, wait: Duration| {
                tracing::warn!(operation = what, error = %e, retry_in = ?wait, "retrying");
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[derive(Debug)]
    struct Failure {
        transient: bool,
        retry_after: Option<Duration>,
    }

    impl Display for Failure {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "failure (transient: {})", self.transient)
        }
    }

    impl Transient for Failure {
        fn is_transient(&self) -> bool {
            self.transient
        }
        fn retry_after(&self) -> Option<Duration> {
            self.retry_after
        }
    }

    fn quick() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 4,
            min_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
            max_total: Duration::from_secs(2),
        }
    }

    /// Fails `failures` times with `failure`, then succeeds; counts the attempts.
    async fn attempts(
        policy: &RetryPolicy,
        failures: usize,
        failure: fn() -> Failure,
    ) -> (usize, bool) {
        let calls = AtomicUsize::new(0);
        let result = policy
            .run("test", || async {
                let n = calls.fetch_add(1, Ordering::SeqCst);
                if n < failures { Err(failure()) } else { Ok(()) }
            })
            .await;
        (calls.load(Ordering::SeqCst), result.is_ok())
    }

    fn transient() -> Failure {
        Failure {
            transient: true,
            retry_after: None,
        }
    }

    fn permanent() -> Failure {
        Failure {
            transient: false,
            retry_after: None,
        }
    }

    #[tokio::test]
    async fn transient_failures_are_retried_until_success() {
        assert_eq!(attempts(&quick(), 2, transient).await, (3, true));
    }

    #[tokio::test]
    async fn attempts_are_bounded() {
        assert_eq!(attempts(&quick(), 10, transient).await, (4, false));
    }

    #[tokio::test]
    async fn permanent_failures_are_not_retried() {
        assert_eq!(attempts(&quick(), 1, permanent).await, (1, false));
    }

    #[tokio::test]
    async fn retry_after_is_honoured() {
        let started = Instant::now();
        let asked = || Failure {
            transient: true,
            retry_after: Some(Duration::from_millis(300)),
        };
        assert_eq!(attempts(&quick(), 1, asked).await, (2, true));
        assert!(
            started.elapsed() >= Duration::from_millis(300),
            "waited as asked"
        );
    }

    #[tokio::test]
    async fn a_retry_after_beyond_the_budget_ends_the_retries() {
        let started = Instant::now();
        let too_long = || Failure {
            transient: true,
            retry_after: Some(Duration::from_secs(3600)),
        };
        assert_eq!(attempts(&quick(), 1, too_long).await, (1, false));
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "did not wait an hour"
        );
    }
}
