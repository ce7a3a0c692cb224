//! Accepting connections and serving HTTP/1.1 on them.
//!
//! `axum::serve` sets no timer, so a client that sends its request headers a byte at a time (a
//! slow loris) keeps its connection, and a file descriptor, for as long as it likes; a few
//! thousand such clients exhaust the descriptors and nobody else gets in. This loop serves with
//! hyper directly and adds what is missing: a deadline for the headers (which also closes idle
//! kept-alive connections), and a cap on the connections one client address may hold, so one
//! address cannot crowd out the others. Shutdown finishes the requests in flight, within a bound.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::IpAddr;
use std::pin::pin;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use papers_core::Config;
use tokio::net::TcpListener;
use tower::ServiceExt as _;

use crate::ops::{Metrics, rate_key};

/// How long shutdown waits for the requests in flight (a summary's event stream can last
/// minutes; a service manager's stop timeout is usually 90 s).
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);
/// The largest request head (request line and headers) read: a request of ours is a path, a
/// short query and a few headers. A larger one is answered 431 without being buffered further
/// (hyper's default is 400 KB).
pub const MAX_HEAD_BYTES: usize = 64 * 1024;

/// What a connection may cost us.
#[derive(Clone, Copy, Debug)]
pub struct ConnectionLimits {
    /// Time to send a request's headers; also how long an idle kept-alive connection stays.
    pub header_timeout: Duration,
    /// Connections open at once per client address (an IPv6 /64 counts as one); 0: no cap.
    pub per_client: u32,
}

impl ConnectionLimits {
    pub fn from_config(config: &Config) -> ConnectionLimits {
        ConnectionLimits {
            header_timeout: config.header_timeout,
            per_client: config.max_connections_per_client,
        }
    }
}

/// Serves `router` on `listener` until `shutdown` resolves, then lets the requests in flight
/// finish (for at most [`SHUTDOWN_GRACE`]).
pub async fn serve(
    router: Router,
    listener: TcpListener,
    limits: ConnectionLimits,
    metrics: Arc<Metrics>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let graceful = GracefulShutdown::new();
    let open = OpenConnections::default();
    let mut shutdown = pin!(shutdown);
    // Refusals are logged at most once a second, with their count: an attack makes thousands.
    let mut refusals_logged: Option<Instant> = None;
    let mut refusals_unlogged = 0u64;
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(error) => {
                    accept_failed(error).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(slot) = open.take(peer.ip(), limits.per_client) else {
            metrics.connections_refused.fetch_add(1, Ordering::Relaxed);
            refusals_unlogged += 1;
            if refusals_logged.is_none_or(|at| at.elapsed() >= Duration::from_secs(1)) {
                tracing::warn!(client = %peer.ip(), limit = limits.per_client,
                    refused = refusals_unlogged,
                    "too many connections from one address; closing the new ones");
                refusals_logged = Some(Instant::now());
                refusals_unlogged = 0;
            }
            continue;
        };
        // Small responses go out at once rather than waiting on Nagle's algorithm.
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        // The client's address feeds the rate limits and the access log, as axum's
        // `into_make_service_with_connect_info` would put it.
        let service = service_fn(move |mut request: Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            router.clone().oneshot(request.map(Body::new))
        });
        let connection = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_timeout)
            .max_buf_size(MAX_HEAD_BYTES)
            .serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        let metrics = metrics.clone();
        metrics.connections.fetch_add(1, Ordering::Relaxed);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                if error.is_timeout() {
                    metrics.header_timeouts.fetch_add(1, Ordering::Relaxed);
                    tracing::info!(client = %peer.ip(), "closed a connection that sent no complete request in time");
                } else {
                    tracing::debug!(client = %peer.ip(), %error, "connection ended with an error");
                }
            }
            metrics.connections.fetch_sub(1, Ordering::Relaxed);
            drop(slot);
        });
    }
    // No new connections from here; those open finish their requests and close.
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(SHUTDOWN_GRACE) => {
            tracing::warn!(grace = ?SHUTDOWN_GRACE, "requests still in flight at shutdown were cut off");
        }
    }
    Ok(())
}

/// A failed accept: the client's own trouble (it reset before we got to it) is nothing; anything
/// else (out of file descriptors, above all) is logged, and we pause so as not to spin on it
/// while connections close and free descriptors.
async fn accept_failed(error: io::Error) {
    if matches!(
        error.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionRefused
    ) {
        return;
    }
    tracing::error!(%error, "cannot accept connections; trying again in a second");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// Open connections by client address.
#[derive(Clone, Default)]
struct OpenConnections(Arc<Mutex<HashMap<IpAddr, u32>>>);

impl OpenConnections {
    /// A slot for one more connection from `client`, or `None` if it holds `cap` already.
    fn take(&self, client: IpAddr, cap: u32) -> Option<Slot> {
        if cap == 0 {
            return Some(Slot(None));
        }
        let key = rate_key(client);
        let mut open = self.0.lock().expect("the connections lock");
        let count = open.entry(key).or_insert(0);
        if *count >= cap {
            return None;
        }
        *count += 1;
        Some(Slot(Some((self.clone(), key))))
    }
}

/// One connection's place in [`OpenConnections`], given back when the connection ends.
struct Slot(Option<(OpenConnections, IpAddr)>);

impl Drop for Slot {
    fn drop(&mut self) {
        if let Some((open, key)) = self.0.take() {
            let mut open = open.0.lock().expect("the connections lock");
            if let Some(count) = open.get_mut(&key) {
                *count -= 1;
                if *count == 0 {
                    open.remove(&key);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_gets_its_cap_and_its_slots_back() {
        let open = OpenConnections::default();
        let me: IpAddr = "192.0.2.7".parse().unwrap();
        let other: IpAddr = "198.51.100.1".parse().unwrap();
        let slots: Vec<Slot> = (0..3).map(|_| open.take(me, 3).unwrap()).collect();
        assert!(open.take(me, 3).is_none(), "a fourth is refused");
        assert!(open.take(other, 3).is_some(), "another address is not");
        drop(slots);
        assert!(
            open.take(me, 3).is_some(),
            "closed connections free their slots"
        );
        assert!(open.0.lock().unwrap().len() <= 1, "no empty entries kept");
    }

    #[test]
    fn an_ipv6_network_counts_as_one_address_and_zero_means_no_cap() {
        let open = OpenConnections::default();
        let a: IpAddr = "2001:db8::1".parse().unwrap();
        let b: IpAddr = "2001:db8::2".parse().unwrap();
        let _first = open.take(a, 1).unwrap();
        assert!(open.take(b, 1).is_none(), "same /64");
        let unlimited: Vec<Slot> = (0..1000).map(|_| open.take(a, 0).unwrap()).collect();
        assert_eq!(unlimited.len(), 1000);
    }
}
