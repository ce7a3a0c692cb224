//! For tests that kill the `papers` binary with SIGKILL in the middle of its work and run it
//! again: one data dir on either database (SQLite in the data dir, or a PostgreSQL schema of its
//! own), the binary started with its stderr collected, a kill at a point the test can see (a
//! progress line, a request to a mock, a row in the Store), and what the Store and the index hold
//! afterwards.
#![allow(dead_code)]

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use papers_core::testing::PgSchema;
use papers_core::{ArxivId, Store};

use super::server::PAPERS;

/// Longest wait for a kill point or for a run to end: far beyond what any of them needs (a
/// summary job waits out its 30 s lease), so a run that hangs fails the test instead of holding
/// it forever.
pub const PATIENCE: Duration = Duration::from_secs(120);

/// Which database the data dir's Store is.
pub enum Backend {
    Sqlite,
    Postgres(PgSchema),
}

/// A data dir and its Store, on one backend, and the environment every run gets.
pub struct Site {
    pub data: tempfile::TempDir,
    backend: Backend,
    env: Vec<(String, String)>,
}

impl Site {
    pub fn new(backend: Backend) -> Site {
        Site {
            data: tempfile::tempdir().unwrap(),
            backend,
            env: vec![("PAPERS_LOG".into(), "warn".into())],
        }
    }

    pub fn data_dir(&self) -> &Path {
        self.data.path()
    }

    /// Sets (or replaces) an environment variable for every later run.
    pub fn set(&mut self, name: &str, value: &str) {
        self.env.retain(|(n, _)| n != name);
        self.env.push((name.into(), value.into()));
    }

    pub fn database_url(&self) -> String {
        match &self.backend {
            Backend::Sqlite => format!("sqlite:{}", self.data_dir().join("papers.db").display()),
            Backend::Postgres(pg) => pg.url.clone(),
        }
    }

    /// `papers --data-dir DIR ARGS…`: SQLite by default in the data dir, as a user runs it, or
    /// the test's PostgreSQL schema.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(PAPERS);
        command
            .arg("--data-dir")
            .arg(self.data_dir())
            .args(args)
            .env_remove("PAPERS_DATABASE_URL")
            .env_remove("PAPERS_CONFIG")
            .env_remove("PAPERS_LLM_BASE_URL")
            .env_remove("PAPERS_EMBEDDER")
            .env_remove("PAPERS_MINILM_DIR")
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Backend::Postgres(pg) = &self.backend {
            command.env("PAPERS_DATABASE_URL", &pg.url);
        }
        command
    }

    /// Runs `papers ARGS…` to its end (at most [`PATIENCE`]), without blocking the runtime
    /// that serves the mocks.
    pub async fn run(&self, args: &[&str]) -> Run {
        self.start(args).finish().await
    }

    /// Runs `papers ARGS…` and insists that it succeeds.
    pub async fn ok(&self, args: &[&str]) -> Run {
        let run = self.run(args).await;
        assert_eq!(run.code, Some(0), "papers {args:?} failed: {run:?}");
        run
    }

    /// Starts `papers ARGS…` in the background.
    pub fn start(&self, args: &[&str]) -> Running {
        Running::spawn(self.command(args), args)
    }

    pub async fn store(&self) -> Store {
        Store::connect(&self.database_url()).await.unwrap()
    }

    /// Every stored paper's id, read through the Store's change log (all rows, by page);
    /// panics if one id comes twice.
    pub async fn stored_ids(&self) -> HashSet<String> {
        let store = self.store().await;
        let mut ids = HashSet::new();
        let mut mark = None;
        loop {
            let page = store.changed_since(mark.as_ref(), 1_000).await.unwrap();
            let Some(last) = page.last() else { break };
            mark = Some(papers_core::store::Watermark::of(last));
            for changed in &page {
                let id = changed.paper.id.to_string();
                assert!(ids.insert(id.clone()), "{id} is stored twice");
            }
        }
        let count = store.paper_count().await.unwrap();
        store.close().await;
        assert_eq!(
            count,
            ids.len() as u64,
            "the Store's count and its rows agree"
        );
        ids
    }

    pub async fn paper(&self, id: &str) -> Option<papers_core::Paper> {
        let store = self.store().await;
        let paper = store.get(&ArxivId::parse(id).unwrap()).await.unwrap();
        store.close().await;
        paper
    }

    pub fn index_dir(&self) -> PathBuf {
        self.data_dir().join("index")
    }

    /// The ids of the documents in the search index (read while no `papers` writes it);
    /// panics if one id has two live documents.
    pub fn indexed_ids(&self) -> HashSet<String> {
        let index = papers_indexer::SearchIndex::open(&self.index_dir()).unwrap();
        // A query of exclusions only matches every document.
        let ids = index.matching_ids("-qqxqqzzyqq").unwrap();
        assert_eq!(
            ids.len() as u64,
            index.documents(),
            "every document is matched"
        );
        let mut set = HashSet::new();
        for id in ids {
            assert!(set.insert(id.to_string()), "{id} is indexed twice");
        }
        set
    }

    /// The ids in the vectors file searches load for `embedder`.
    pub fn vector_ids(&self, embedder: &str) -> HashSet<String> {
        let path = papers_indexer::vector_store::path_for(&self.index_dir(), embedder);
        let vectors = papers_indexer::vector_store::VectorStore::load(&path, embedder)
            .unwrap()
            .unwrap_or_else(|| panic!("no vectors file at {}", path.display()));
        (0..vectors.len())
            .map(|row| vectors.id_of(row).to_string())
            .collect()
    }

    /// Drops the PostgreSQL schema (a SQLite Store goes with the data dir).
    pub async fn finish(self) {
        if let Backend::Postgres(pg) = self.backend {
            pg.drop().await;
        }
    }
}

/// A finished run of the binary.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Standard output as the one JSON object `--json` prints.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(self.stdout.trim()).unwrap_or_else(|e| panic!("{e}: {self:?}"))
    }
}

/// A run in the background, its output collected as it comes (so it never blocks on a pipe).
pub struct Running {
    child: Child,
    what: String,
    stderr: Arc<Mutex<Vec<String>>>,
    stdout: Arc<Mutex<Vec<String>>>,
    readers: Vec<std::thread::JoinHandle<()>>,
}

impl Running {
    fn spawn(mut command: Command, args: &[&str]) -> Running {
        let mut child = command.spawn().expect("start papers");
        let mut readers = Vec::new();
        let mut collect = |pipe: Box<dyn std::io::Read + Send>| {
            let lines = Arc::new(Mutex::new(Vec::new()));
            let sink = Arc::clone(&lines);
            readers.push(std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines() {
                    let Ok(line) = line else { break };
                    sink.lock().unwrap().push(line);
                }
            }));
            lines
        };
        let stderr = collect(Box::new(child.stderr.take().unwrap()));
        let stdout = collect(Box::new(child.stdout.take().unwrap()));
        Running {
            child,
            what: format!("papers {args:?}"),
            stderr,
            stdout,
            readers,
        }
    }

    /// The lines written to stderr so far.
    pub fn stderr_lines(&self) -> Vec<String> {
        self.stderr.lock().unwrap().clone()
    }

    /// The JSON log lines (`--log-format json`) whose message is `message`, as values.
    pub fn logged(&self, message: &str) -> Vec<serde_json::Value> {
        self.stderr_lines()
            .iter()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter(|event| event["fields"]["message"] == message)
            .collect()
    }

    /// Waits until `ready` holds, while the run goes on. Panics if the run ends first (the kill
    /// point was missed: the work must be made longer) or after [`PATIENCE`].
    pub async fn wait_for(&mut self, point: &str, mut ready: impl AsyncFnMut(&Running) -> bool) {
        let started = Instant::now();
        loop {
            if ready(&*self).await {
                return;
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!(
                    "{} ended ({status}) before {point}; stderr: {:?}; stdout: {:?}",
                    self.what,
                    self.stderr_lines(),
                    self.stdout.lock().unwrap()
                );
            }
            assert!(
                started.elapsed() < PATIENCE,
                "{} never reached {point}; stderr: {:?}",
                self.what,
                self.stderr_lines()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Whether the process has `path` open (a lock file it holds, a file it writes): read from
    /// /proc, without touching the file.
    pub fn holds_open(&self, path: &Path) -> bool {
        let Ok(fds) = std::fs::read_dir(format!("/proc/{}/fd", self.child.id())) else {
            return false;
        };
        let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        fds.filter_map(Result::ok)
            .filter_map(|fd| std::fs::read_link(fd.path()).ok())
            .any(|target| target == path)
    }

    /// Waits for the run to end by itself; panics (and kills it) after [`PATIENCE`].
    pub async fn finish(mut self) -> Run {
        let started = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(
                started.elapsed() < PATIENCE,
                "{} still running after {PATIENCE:?}; stderr: {:?}",
                self.what,
                self.stderr_lines()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        // The pipes close with the process: the readers have all its output once they end.
        for reader in std::mem::take(&mut self.readers) {
            reader.join().unwrap();
        }
        let text = |lines: &Mutex<Vec<String>>| {
            let lines = lines.lock().unwrap();
            lines.iter().map(|l| format!("{l}\n")).collect::<String>()
        };
        Run {
            code: status.code(),
            stdout: text(&self.stdout),
            stderr: text(&self.stderr),
        }
    }

    /// Whether the run is still going.
    pub fn running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// SIGKILL (what `Child::kill` sends on Unix: no destructor, no flush, no commit), then
    /// reaps it. Panics if the run had already ended: the kill must land mid-work.
    pub fn kill(mut self) {
        assert!(
            self.child.try_wait().unwrap().is_none(),
            "{} ended before the kill; stderr: {:?}",
            self.what,
            self.stderr_lines()
        );
        self.child.kill().unwrap();
        let status = self.child.wait().unwrap();
        assert_eq!(
            std::os::unix::process::ExitStatusExt::signal(&status),
            Some(9),
            "killed by SIGKILL"
        );
    }
}

impl Running {
    /// SIGKILL if the run is still going (for a kill point that may be the run's last moment);
    /// true if it was killed.
    pub fn kill_if_running(mut self) -> bool {
        if !self.running() {
            return false;
        }
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        true
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // A test that failed half-way leaves no process behind.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
