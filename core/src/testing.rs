//! Test support shared by every crate's tests: run one test body against both Store backends.
//!
//! SQLite gets a fresh file in a temporary directory. PostgreSQL comes from
//! `PAPERS_TEST_POSTGRES_URL`; each test gets its own schema, dropped afterwards, so tests run in
//! parallel on one database. Without that variable the PostgreSQL half is skipped loudly, except
//! under `CI=true`, where it fails: CI must never pass with half the backends untested.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::Executor;
use sqlx::postgres::PgPoolOptions;

use crate::store::Store;

/// A SQLite store in its own temporary directory (kept alive by the returned guard).
pub async fn sqlite_store() -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite:{}", dir.path().join("papers.db").display());
    let store = Store::connect(&url).await.expect("open SQLite");
    store.migrate().await.expect("migrate SQLite");
    (store, dir)
}

/// The PostgreSQL URL for tests, or `None` (after saying so) when the tests must be skipped.
pub fn postgres_url() -> Option<String> {
    match std::env::var("PAPERS_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!(
                "CI=true but PAPERS_TEST_POSTGRES_URL is not set: PostgreSQL tests must run in CI"
            )
        }
        _ => {
            eprintln!(
                "SKIPPED: PostgreSQL half of this test (set PAPERS_TEST_POSTGRES_URL, \
                 e.g. postgres://postgres@127.0.0.1:5432/test)"
            );
            None
        }
    }
}

/// Runs `body` on a migrated PostgreSQL store in a schema of its own, then drops the schema.
pub async fn with_postgres_store<F, Fut>(body: F)
where
    F: FnOnce(Store) -> Fut,
    Fut: Future<Output = ()>,
{
    let Some(schema) = PgSchema::create().await else {
        return;
    };
    let store = Store::connect(&schema.url)
        .await
        .expect("connect to the test schema");
    store.migrate().await.expect("migrate PostgreSQL");
    body(store.clone()).await;
    store.close().await;
    schema.drop().await;
}

/// A schema of its own in the test PostgreSQL, for tests that run the `papers` binary: `url`
/// connects into it (through the URL's `options`), so several processes share one database.
pub struct PgSchema {
    pub url: String,
    admin_url: String,
    schema: String,
}

impl PgSchema {
    /// `None` when no test PostgreSQL is configured (and not under CI, where that fails).
    pub async fn create() -> Option<PgSchema> {
        let admin_url = postgres_url()?;
        let schema = unique_schema();
        let admin = PgPoolOptions::new()
            .max_connections(1)
            .connect(&admin_url)
            .await
            .expect("connect to PAPERS_TEST_POSTGRES_URL");
        admin
            .execute(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .await
            .expect("create test schema");
        admin.close().await;
        let join = if admin_url.contains('?') { '&' } else { '?' };
        let url = format!("{admin_url}{join}options=-c%20search_path%3D{schema}");
        Some(PgSchema {
            url,
            admin_url,
            schema,
        })
    }

    /// Drops the schema and everything in it.
    pub async fn drop(self) {
        let admin = PgPoolOptions::new()
            .max_connections(1)
            .connect(&self.admin_url)
            .await
            .expect("connect to PAPERS_TEST_POSTGRES_URL");
        admin
            .execute(sqlx::AssertSqlSafe(format!(
                "DROP SCHEMA {} CASCADE",
                self.schema
            )))
            .await
            .expect("drop test schema");
        admin.close().await;
    }
}

fn unique_schema() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "papers_test_{}_{}_{}",
        std::process::id(),
        nanos,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// Declares one test per backend running the same async body `fn(Store)`:
/// `store_test!(name, body)` makes `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! store_test {
    ($name:ident, $body:ident) => {
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                let (store, _dir) = $crate::testing::sqlite_store().await;
                super::$body(store.clone()).await;
                store.close().await;
            }

            #[tokio::test]
            async fn postgres() {
                $crate::testing::with_postgres_store(super::$body).await;
            }
        }
    };
}
