//! PostgreSQL going away under a running server: while it is gone, requests get a 503 with a
//! message (pages and the JSON API alike, and `/readyz` says not ready); when it is back, the
//! same server answers again without a restart. The outage is made by a TCP proxy between the
//! server and the test PostgreSQL that drops every connection and refuses new ones, which is
//! what a restart of the database looks like from the server.

mod support;

use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use papers_core::testing::PgSchema;
use support::server::{PAPERS, get, serve};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::AbortHandle;

/// A proxy to PostgreSQL that can be cut (every connection dropped, new ones closed at once)
/// and restored.
#[derive(Clone)]
struct Proxy {
    addr: String,
    up: Arc<AtomicBool>,
    links: Arc<Mutex<Vec<AbortHandle>>>,
}

impl Proxy {
    async fn start(target: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let proxy = Proxy {
            addr: listener.local_addr().unwrap().to_string(),
            up: Arc::new(AtomicBool::new(true)),
            links: Arc::default(),
        };
        let accepting = proxy.clone();
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if !accepting.up.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let target = target.clone();
                let link = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                accepting.links.lock().unwrap().push(link.abort_handle());
            }
        });
        proxy
    }

    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        for link in self.links.lock().unwrap().drain(..) {
            link.abort();
        }
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

/// `postgres://user@HOST:PORT/db?…` with HOST:PORT replaced by `addr`.
fn through(url: &str, addr: &str) -> (String, String) {
    let (scheme, rest) = url.split_once("://").unwrap();
    let (userinfo, rest) = rest.rsplit_once('@').map_or(("", rest), |(u, r)| (u, r));
    let (host, path) = rest.split_once('/').unwrap();
    let host = if host.contains(':') {
        host.to_string()
    } else {
        format!("{host}:5432")
    };
    let at = if userinfo.is_empty() { "" } else { "@" };
    (format!("{scheme}://{userinfo}{at}{addr}/{path}"), host)
}

/// Polls `path` until its status is `want` (or the time is up) and returns the last answer.
fn wait_for(addr: &str, path: &str, want: u16, patience: Duration) -> (u16, String) {
    let started = Instant::now();
    loop {
        let answer = get(addr, path);
        if answer.0 == want || started.elapsed() > patience {
            return answer;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_is_a_503_and_the_server_recovers_by_itself() {
    let Some(pg) = PgSchema::create().await else {
        return;
    };
    let (_, target) = through(&pg.url, "unused:0");
    let proxy = Proxy::start(target).await;
    let (url, _) = through(&pg.url, &proxy.addr);
    let data = tempfile::tempdir().unwrap();
    let papers = data.path().join("papers.jsonl");
    std::fs::write(
        &papers,
        r#"{"id": "2606.00001", "title": "Attention at low rank", "authors": ["Ada Lovelace"], "categories": ["cs.LG"], "abstract": "We study attention.", "announced": "2026-06-30"}"#,
    )
    .unwrap();
    let command = |args: &[&str]| {
        let mut command = Command::new(PAPERS);
        command
            .arg("--data-dir")
            .arg(data.path())
            .args(args)
            .env_remove("PAPERS_CONFIG")
            .env("PAPERS_DATABASE_URL", &url)
            .env("PAPERS_PAGE_CACHE_SECS", "0")
            .env("PAPERS_RATE_LIMIT", "0")
            .env("PAPERS_LOG", "warn");
        command
    };
    let mut import = command(&["import", papers.to_str().unwrap()]);
    let imported = tokio::task::spawn_blocking(move || import.output().unwrap())
        .await
        .unwrap();
    assert!(imported.status.success(), "{imported:?}");
    let mut index = command(&["index"]);
    let indexed = tokio::task::spawn_blocking(move || index.output().unwrap())
        .await
        .unwrap();
    assert!(indexed.status.success(), "{indexed:?}");
    let serve_command = command(&["serve", "--addr", "127.0.0.1:0"]);
    let proxy_for_test = proxy.clone();
    tokio::task::spawn_blocking(move || {
        let (_server, addr) = serve(serve_command);
        assert_eq!(get(&addr, "/api/papers/2606.00001").0, 200);
        assert_eq!(get(&addr, "/arxiv/2606.00001").0, 200);
        assert_eq!(get(&addr, "/readyz").0, 200);

        proxy_for_test.cut();
        let (status, body) = wait_for(
            &addr,
            "/api/papers/2606.00001",
            503,
            Duration::from_secs(30),
        );
        assert_eq!(status, 503, "{body}");
        assert!(body.contains("database did not answer"), "{body}");
        assert!(!body.contains("5432"), "no address of the database: {body}");
        let (status, body) = get(&addr, "/arxiv/2606.00001");
        assert_eq!(status, 503, "{body}");
        assert!(body.contains("try again in a moment"), "{body}");
        assert_eq!(get(&addr, "/readyz").0, 503);
        // The process is still up and answers what needs no database.
        assert_eq!(get(&addr, "/robots.txt").0, 200);

        proxy_for_test.restore();
        let (status, body) = wait_for(
            &addr,
            "/api/papers/2606.00001",
            200,
            Duration::from_secs(30),
        );
        assert_eq!(status, 200, "the same server recovers: {body}");
        assert!(body.contains("Attention at low rank"));
        assert_eq!(
            wait_for(&addr, "/readyz", 200, Duration::from_secs(10)).0,
            200
        );
    })
    .await
    .unwrap();
    pg.drop().await;
}
