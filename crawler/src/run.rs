//! What makes a crawl safe to start from cron: a lease in the Store so two runs never overlap
//! (the second reports it and leaves), a row in the run log, and an outcome an exit status can
//! say: all good, partial, or nothing done.

use std::path::Path;
use std::time::Duration;

use papers_core::{Store, StoreError};

/// The lease's name: daily crawls, backfills and fetches all write papers, so they share one.
pub const LOCK_NAME: &str = "crawl";
/// How long a lease lasts without renewal; a live run renews it every third of it. A run killed
/// with -9 on this machine is noticed at once (its pid is gone); one on another machine blocks
/// the next run at most this long.
pub const LOCK_TTL: Duration = Duration::from_secs(120);

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Everything asked for was done (an empty weekend feed included).
    Ok,
    /// Some sources failed after retries; what succeeded is stored.
    Partial,
    /// Nothing could be done.
    Failed,
}

impl Outcome {
    /// 0, 1, 2: as the README documents for `papers crawl`.
    pub fn exit_code(self) -> i32 {
        match self {
            Outcome::Ok => 0,
            Outcome::Partial => 1,
            Outcome::Failed => 2,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Partial => "partial",
            Outcome::Failed => "failed",
        }
    }
}

/// A run either happened or found another in progress.
pub enum Guarded<T> {
    Ran(T),
    Busy,
}

/// Runs `work` holding the crawl lease, renewing it while the work goes on, and logs the run.
/// `outcome` tells how the finished work went; `summary` is stored as the run's JSON summary.
pub async fn guarded<T, W, Fut>(
    store: &Store,
    kind: &str,
    work: W,
    outcome: impl Fn(&T) -> Outcome,
    summary: impl Fn(&T) -> String,
) -> Result<Guarded<T>, StoreError>
where
    W: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<T, StoreError>>,
{
    let holder = format!("{kind} on {} pid {}", hostname(), std::process::id());
    if !acquire(store, &holder).await? {
        return Ok(Guarded::Busy);
    }
    let run_id = store.start_run(kind).await?;

    let renewer = {
        let store = store.clone();
        let holder = holder.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(LOCK_TTL / 3).await;
                match store.renew_lock(LOCK_NAME, &holder, LOCK_TTL).await {
                    Ok(true) => {}
                    Ok(false) => tracing::error!("lost the crawl lease; another run may start"),
                    Err(error) => tracing::warn!(%error, "cannot renew the crawl lease"),
                }
            }
        })
    };
    let result = work().await;
    renewer.abort();

    let finished = match &result {
        Ok(value) => {
            store
                .finish_run(run_id, outcome(value).as_str(), &summary(value))
                .await
        }
        Err(error) => {
            let text = serde_json::json!({ "error": error.to_string() }).to_string();
            store
                .finish_run(run_id, Outcome::Failed.as_str(), &text)
                .await
        }
    };
    if let Err(error) = finished {
        tracing::warn!(%error, "cannot record the end of the crawl run");
    }
    store.unlock(LOCK_NAME, &holder).await?;
    result.map(Guarded::Ran)
}

/// Takes the lease if it is free or lapsed, or if its holder is a process on this machine that no
/// longer exists (killed with -9): cron may start the next run at once.
async fn acquire(store: &Store, holder: &str) -> Result<bool, StoreError> {
    if store.try_lock(LOCK_NAME, holder, LOCK_TTL).await? {
        return Ok(true);
    }
    let Some(current) = store.lock_holder(LOCK_NAME).await? else {
        // Released between the two calls: try once more.
        return store.try_lock(LOCK_NAME, holder, LOCK_TTL).await;
    };
    if holder_is_dead_here(&current) {
        tracing::warn!(previous = %current, "the previous crawl died without releasing its lease; taking over");
        return store
            .take_over_lock(LOCK_NAME, &current, holder, LOCK_TTL)
            .await;
    }
    Ok(false)
}

/// `"{kind} on {host} pid {pid}"` with our host and a pid that is not running.
fn holder_is_dead_here(holder: &str) -> bool {
    let Some((rest, pid)) = holder.rsplit_once(" pid ") else {
        return false;
    };
    let Some((_, host)) = rest.split_once(" on ") else {
        return false;
    };
    let Ok(pid) = pid.parse::<u32>() else {
        return false;
    };
    host == hostname() && pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists()
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into())
}
