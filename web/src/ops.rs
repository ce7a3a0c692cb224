//! Operating the server: the middleware every request passes through, and its metrics.
//!
//! Outermost first: the access log and metrics (one line and one count per request, whatever
//! happened inside), the per-client rate limit, security headers, compression, the request
//! timeout, the body-size limit and the page cache.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

use crate::AppState;

/// A request taking longer than this is answered 503 (a search is milliseconds; this is a bug or
/// a stuck database, and the client should not hang with it).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);
/// The largest request body accepted: the site takes only small JSON posts.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Scripts only from this site (no inline code); KaTeX sets inline styles on the math it renders.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; \
     object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// Upper bounds (seconds) of the latency histogram's buckets.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

/// Request counts and latencies by route and status, for `/metrics`.
#[derive(Default)]
pub struct Metrics {
    routes: Mutex<HashMap<(String, u16), RouteStats>>,
    in_flight: AtomicU64,
    rate_limited: AtomicU64,
    /// Connections open now, and those closed unserved: past the per-client cap, or cut off for
    /// not sending their headers in time (see [`crate::server`]).
    pub(crate) connections: AtomicU64,
    pub(crate) connections_refused: AtomicU64,
    pub(crate) header_timeouts: AtomicU64,
    clients: Mutex<HashMap<IpAddr, Bucket>>,
    /// `/healthz`'s count of papers, and when it was taken.
    pub(crate) papers: Mutex<Option<(Instant, u64)>>,
}

#[derive(Default)]
struct RouteStats {
    count: u64,
    seconds: f64,
    /// Cumulative: requests at or under each bucket's bound.
    buckets: [u64; BUCKETS.len()],
}

impl Metrics {
    fn observe(&self, route: &str, status: u16, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        let mut routes = self.routes.lock().expect("the metrics lock");
        let stats = routes.entry((route.to_string(), status)).or_default();
        stats.count += 1;
        stats.seconds += seconds;
        for (bucket, bound) in stats.buckets.iter_mut().zip(BUCKETS) {
            if seconds <= bound {
                *bucket += 1;
            }
        }
    }

    /// The Prometheus text exposition of what was counted, plus the given gauges.
    pub fn render(&self, gauges: &[(&str, &str, f64)]) -> String {
        let mut out = String::new();
        out.push_str("# HELP papers_http_requests_total Requests answered, by route and status.\n");
        out.push_str("# TYPE papers_http_requests_total counter\n");
        let routes = self.routes.lock().expect("the metrics lock");
        let mut keys: Vec<_> = routes.keys().collect();
        keys.sort();
        for key in &keys {
            let (route, status) = key;
            let _ = writeln!(
                out,
                "papers_http_requests_total{{route=\"{}\",status=\"{status}\"}} {}",
                label(route),
                routes[*key].count
            );
        }
        out.push_str("# HELP papers_http_request_duration_seconds Time to answer, by route.\n");
        out.push_str("# TYPE papers_http_request_duration_seconds histogram\n");
        let mut by_route: HashMap<&str, RouteStats> = HashMap::new();
        for ((route, _), stats) in routes.iter() {
            let total = by_route.entry(route).or_default();
            total.count += stats.count;
            total.seconds += stats.seconds;
            for (sum, n) in total.buckets.iter_mut().zip(stats.buckets) {
                *sum += n;
            }
        }
        let mut names: Vec<_> = by_route.keys().copied().collect();
        names.sort();
        for route in names {
            let stats = &by_route[route];
            let route = label(route);
            for (bound, n) in BUCKETS.iter().zip(stats.buckets) {
                let _ = writeln!(
                    out,
                    "papers_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {n}"
                );
            }
            let _ = writeln!(
                out,
                "papers_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}\n\
                 papers_http_request_duration_seconds_sum{{route=\"{route}\"}} {}\n\
                 papers_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                stats.count, stats.seconds, stats.count
            );
        }
        drop(routes);
        let mut gauges: Vec<(&str, &str, f64)> = gauges.to_vec();
        gauges.push((
            "papers_http_in_flight",
            "Requests being answered now.",
            self.in_flight.load(Ordering::Relaxed) as f64,
        ));
        gauges.push((
            "papers_http_connections",
            "Client connections open now.",
            self.connections.load(Ordering::Relaxed) as f64,
        ));
        for (name, help, value) in gauges {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP papers_http_rate_limited_total Requests refused by the per-client rate limit.\n\
             # TYPE papers_http_rate_limited_total counter\npapers_http_rate_limited_total {}",
            self.rate_limited.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP papers_http_connections_refused_total Connections closed at once: one address \
             held too many.\n# TYPE papers_http_connections_refused_total counter\n\
             papers_http_connections_refused_total {}\n\
             # HELP papers_http_header_timeouts_total Connections closed for not sending their \
             request headers in time.\n# TYPE papers_http_header_timeouts_total counter\n\
             papers_http_header_timeouts_total {}",
            self.connections_refused.load(Ordering::Relaxed),
            self.header_timeouts.load(Ordering::Relaxed)
        );
        out
    }
}

/// Route templates are ours, but escape anyway: a label must never break the format.
fn label(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

/// A token bucket per client address: `rate` tokens a second, up to twice that saved up.
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Client buckets kept at most; past it the idle ones (full again) are forgotten.
const MAX_CLIENTS: usize = 100_000;

impl Metrics {
    /// `None` if the client may go on, else how long until it may.
    fn take_token(&self, client: IpAddr, rate: u32) -> Option<Duration> {
        let rate = f64::from(rate);
        let burst = rate * 2.0;
        let now = Instant::now();
        let mut clients = self.clients.lock().expect("the rate-limit lock");
        if clients.len() >= MAX_CLIENTS {
            clients
                .retain(|_, b| (b.tokens + now.duration_since(b.at).as_secs_f64() * rate) < burst);
        }
        let bucket = clients.entry(client).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        bucket.tokens =
            (bucket.tokens + now.duration_since(bucket.at).as_secs_f64() * rate).min(burst);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            None
        } else {
            Some(Duration::from_secs_f64((1.0 - bucket.tokens) / rate))
        }
    }
}

/// Wraps the routes in the operating layers.
pub fn layers(routes: Router<AppState>, state: AppState) -> Router<AppState> {
    let header = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    routes
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::page_cache::layer,
        ))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            REQUEST_TIMEOUT,
        ))
        .layer(middleware::from_fn(plain_errors))
        .layer(CompressionLayer::new())
        .layer(header(
            header::CONTENT_SECURITY_POLICY,
            CONTENT_SECURITY_POLICY,
        ))
        .layer(header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header(
            header::REFERRER_POLICY,
            "strict-origin-when-cross-origin",
        ))
        .layer(middleware::from_fn_with_state(state.clone(), rate_limit))
        .layer(middleware::from_fn_with_state(state, access_log))
}

fn client_of(request: &Request) -> Option<IpAddr> {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
}

/// The address a client is limited by: an IPv4 address, or an IPv6 /64 (one subscriber's
/// network, whose addresses it may rotate through freely).
pub(crate) fn rate_key(client: IpAddr) -> IpAddr {
    match client {
        IpAddr::V4(_) => client,
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(std::net::Ipv6Addr::from(bits))
        }
    }
}

/// Refuses a client past its rate with 429 and Retry-After. Static files and the operator's
/// endpoints are not counted: a page pulls several assets, and monitors poll.
async fn rate_limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let exempt = path.starts_with("/static/")
        || matches!(path, "/healthz" | "/readyz" | "/metrics" | "/favicon.ico");
    if state.site.rate_limit > 0
        && !exempt
        && let Some(client) = client_of(&request)
        && let Some(wait) = state
            .metrics
            .take_token(rate_key(client), state.site.rate_limit)
    {
        state.metrics.rate_limited.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(%client, path, "rate limited");
        let seconds = wait.as_secs().max(1).to_string();
        // The API's clients get its JSON errors; readers get the page.
        let mut response = if path.starts_with("/api/") {
            crate::api::ApiError(crate::AppError::TooManyRequests).into_response()
        } else {
            crate::AppError::TooManyRequests.into_response()
        };
        if let Ok(value) = HeaderValue::from_str(&seconds) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return response;
    }
    next.run(request).await
}

/// The longest plain-text error body turned into a page; longer ones are not ours to show.
const PLAIN_ERROR_BYTES: usize = 2_048;

/// Errors made below the handlers (axum's refusal of a query string that does not fit, the body
/// limit's 413, the timeout's 503) come as plain text or nothing; readers get the site's error
/// page instead, and the API's clients its JSON.
async fn plain_errors(request: Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let status = response.status();
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|t| t.starts_with("text/plain"));
    if !(status.is_client_error() || status.is_server_error()) || !plain {
        return response;
    }
    let body = axum::body::to_bytes(response.into_body(), PLAIN_ERROR_BYTES)
        .await
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&body).trim().to_string();
    let message = if text.is_empty() {
        status
            .canonical_reason()
            .unwrap_or("The request could not be answered.")
            .to_string()
    } else {
        text
    };
    let error = crate::AppError::Other { status, message };
    if api {
        crate::api::ApiError(error).into_response()
    } else {
        error.into_response()
    }
}

/// Counts a request in flight until it is answered or dropped: a client that leaves mid-request
/// (hyper drops the handler's future) must not leave the gauge up, and is counted as status 499.
struct InFlight {
    state: AppState,
    route: String,
    started: Instant,
    answered: bool,
}

impl InFlight {
    fn new(state: &AppState, route: String) -> InFlight {
        state.metrics.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight {
            state: state.clone(),
            route,
            started: Instant::now(),
            answered: false,
        }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.state.metrics.in_flight.fetch_sub(1, Ordering::Relaxed);
        if !self.answered {
            self.state
                .metrics
                .observe(&self.route, 499, self.started.elapsed());
        }
    }
}

/// One structured line per request, and its count and latency in the metrics.
async fn access_log(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_string();
    let client = client_of(&request);
    let mut in_flight = InFlight::new(&state, route.clone());
    let response = next.run(request).await;
    in_flight.answered = true;
    drop(in_flight);
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    state.metrics.observe(&route, status, elapsed);
    tracing::info!(
        target: "access",
        %method,
        path,
        status,
        micros = elapsed.as_micros() as u64,
        client = client.map(|c| c.to_string()),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipv6_network_is_one_client_and_ipv4_addresses_are_each_one() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(rate_key(a), rate_key(b), "same /64");
        assert_ne!(rate_key(a), rate_key(other));
        let v4: IpAddr = "203.0.113.7".parse().unwrap();
        assert_eq!(rate_key(v4), v4);

        // One /64 shares one bucket: two a second, a burst of four.
        let metrics = Metrics::default();
        for _ in 0..4 {
            assert!(metrics.take_token(rate_key(a), 2).is_none());
        }
        assert!(
            metrics.take_token(rate_key(b), 2).is_some(),
            "a rotated address waits too"
        );
        assert!(metrics.take_token(rate_key(other), 2).is_none());
    }

    #[test]
    fn refused_requests_are_a_counter_and_in_flight_a_gauge() {
        let metrics = Metrics::default();
        metrics.rate_limited.fetch_add(3, Ordering::Relaxed);
        let text = metrics.render(&[]);
        assert!(
            text.contains(
                "# TYPE papers_http_rate_limited_total counter\npapers_http_rate_limited_total 3"
            ),
            "{text}"
        );
        assert!(
            text.contains("# TYPE papers_http_in_flight gauge\npapers_http_in_flight 0"),
            "{text}"
        );
    }
}
