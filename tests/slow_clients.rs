//! Slow and greedy clients against the real server: a slow loris (hundreds of connections, each
//! sending its headers a few bytes at a time) neither takes the server down nor keeps others
//! out. The server runs with fewer file descriptors (256) than the attacker opens connections
//! (400), so without the per-address cap the attacker would hold every descriptor; and its
//! header deadline cuts off the connections it did let in.

mod support;

use std::net::SocketAddr;
use std::process::Command;
use std::time::{Duration, Instant};

use support::server::{PAPERS, get, serve};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// Connections the slow loris opens, from 127.0.0.1.
const LORIS: usize = 400;
/// What the server lets one address hold.
const PER_CLIENT: usize = 16;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_loris_is_capped_and_cut_off_while_others_are_served() {
    let data = tempfile::tempdir().unwrap();
    let papers = data.path().join("papers.jsonl");
    std::fs::write(
        &papers,
        r#"{"id": "2606.00001", "title": "Attention at low rank", "authors": ["Ada Lovelace"], "categories": ["cs.LG"], "abstract": "We study attention.", "announced": "2026-06-30"}"#,
    )
    .unwrap();
    let command = |args: &[&str]| {
        // Few descriptors, as a server under a real attack would run out of them.
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg("ulimit -n 256 && exec \"$0\" \"$@\"")
            .arg(PAPERS)
            .arg("--data-dir")
            .arg(data.path())
            .args(args)
            .env_remove("PAPERS_CONFIG")
            .env_remove("PAPERS_DATABASE_URL")
            .env("PAPERS_RATE_LIMIT", "0")
            .env("PAPERS_HEADER_TIMEOUT_SECS", "1")
            .env("PAPERS_MAX_CONNECTIONS_PER_CLIENT", PER_CLIENT.to_string())
            .env("PAPERS_LOG", "warn");
        command
    };
    for args in [&["import", papers.to_str().unwrap()][..], &["index"]] {
        let output = command(args).output().unwrap();
        assert!(output.status.success(), "{args:?}: {output:?}");
    }
    let serve_command = command(&["serve", "--addr", "127.0.0.1:0"]);
    let (_server, addr) = tokio::task::spawn_blocking(move || serve(serve_command))
        .await
        .unwrap();
    let addr: SocketAddr = addr.parse().unwrap();

    // The attack: every connection starts a request and never finishes its headers.
    let mut loris = Vec::new();
    for _ in 0..LORIS {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let _ = stream.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").await;
        loris.push(stream);
    }
    // Another reader, from another address, is served all the while.
    let (status, body) = request_from("127.0.0.2", addr, "/api/papers/2606.00001").await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Attention at low rank"), "{body}");

    // Past the cap, the attacker's connections were closed at once; the ones let in are cut off
    // after the header deadline even though they keep trickling bytes.
    let started = Instant::now();
    let mut closed = 0;
    for stream in &mut loris {
        if closed_within(stream, Duration::from_secs(15)).await {
            closed += 1;
        }
    }
    assert_eq!(
        closed,
        LORIS,
        "every slow connection is closed by the server (after {:?})",
        started.elapsed()
    );

    // Every one of the attacker's connections was refused or cut off, and the counts are where an
    // operator looks (polled: a connection's count lands just after the server closes it).
    let deadline = Instant::now() + Duration::from_secs(10);
    let (refused, cut_off, metrics) = loop {
        let (status, metrics) =
            tokio::task::spawn_blocking(move || get(&addr.to_string(), "/metrics"))
                .await
                .unwrap();
        assert_eq!(status, 200);
        let count = |name: &str| -> u64 {
            metrics
                .lines()
                .find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
                .unwrap_or_else(|| panic!("{name} in {metrics}"))
        };
        let refused = count("papers_http_connections_refused_total ");
        let cut_off = count("papers_http_header_timeouts_total ");
        if refused + cut_off >= LORIS as u64 || Instant::now() > deadline {
            break (refused, cut_off, metrics);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(refused + cut_off, LORIS as u64, "{metrics}");
    assert!(refused > 0 && cut_off >= PER_CLIENT as u64, "{metrics}");
    // Its address may connect again once its connections are gone.
    let (status, _) = request_from("127.0.0.1", addr, "/robots.txt").await;
    assert_eq!(status, 200);
}

/// Whether the server closes `stream` within `patience`, while the client keeps sending a header
/// byte every 200 ms as a slow loris does.
async fn closed_within(stream: &mut TcpStream, patience: Duration) -> bool {
    let deadline = Instant::now() + patience;
    let mut buf = [0u8; 1024];
    while Instant::now() < deadline {
        match tokio::time::timeout(Duration::from_millis(200), stream.read(&mut buf)).await {
            // The end of the stream, a reset, or the server's 408 before it closes: all say
            // the server let go of this connection.
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
            Err(_) => {
                if stream.write_all(b"X").await.is_err() {
                    return true;
                }
            }
        }
    }
    false
}

/// A GET from a socket bound to `source` (another loopback address: another client).
async fn request_from(source: &str, addr: SocketAddr, path: &str) -> (u16, String) {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(format!("{source}:0").parse().unwrap()).unwrap();
    let mut stream = tokio::time::timeout(Duration::from_secs(10), socket.connect(addr))
        .await
        .expect("the server accepts another client within 10 s")
        .unwrap();
    stream
        .write_all(
            format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .await
        .unwrap();
    let mut response = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut response))
        .await
        .expect("the server answers another client within 10 s")
        .unwrap();
    let response = String::from_utf8_lossy(&response).to_string();
    let status = response
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_requests_are_refused_before_they_are_read() {
    let data = tempfile::tempdir().unwrap();
    let mut command = Command::new(PAPERS);
    command
        .arg("--data-dir")
        .arg(data.path())
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env_remove("PAPERS_CONFIG")
        .env_remove("PAPERS_DATABASE_URL")
        .env("PAPERS_RATE_LIMIT", "0")
        .env("PAPERS_LOG", "warn");
    let (_server, addr) = tokio::task::spawn_blocking(move || serve(command))
        .await
        .unwrap();
    let addr: SocketAddr = addr.parse().unwrap();

    // A 200 KB header: 431, once the head passes 64 KB, not after reading it all.
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let huge = "a".repeat(200 * 1024);
    let head = format!("GET /robots.txt HTTP/1.1\r\nHost: x\r\nX-Huge: {huge}\r\n\r\n");
    // The server may close while we are still writing: only its answer matters.
    let _ = stream.write_all(head.as_bytes()).await;
    assert_eq!(read_status(&mut stream).await, 431);

    // A body of 100 MB announced: 413 before a byte of it is sent.
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(
            b"POST /api/summaries/2606.00001 HTTP/1.1\r\nHost: x\r\n\
              Content-Type: application/json\r\nContent-Length: 100000000\r\n\r\n",
        )
        .await
        .unwrap();
    assert_eq!(read_status(&mut stream).await, 413);

    // And the server is none the worse for either.
    let (status, _) = tokio::task::spawn_blocking(move || get(&addr.to_string(), "/robots.txt"))
        .await
        .unwrap();
    assert_eq!(status, 200);
}

/// The status of the response on `stream` (0 if none came within 10 s).
async fn read_status(stream: &mut TcpStream) -> u16 {
    let mut response = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + Duration::from_secs(10);
    while response.len() < 12 && Instant::now() < deadline {
        match tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => response.extend_from_slice(&buf[..n]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&response)
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}
