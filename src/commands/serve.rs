//! `papers serve`: the web site, until Ctrl-C or SIGTERM.

use anyhow::Context;
use papers_core::{Config, Store};
use tokio::net::TcpListener;

pub async fn run(store: &Store, config: &Config) -> anyhow::Result<()> {
    let addr = config.addr;
    if config.public_url.is_none() && addr.ip().is_unspecified() {
        tracing::warn!(
            %addr,
            "no public address set: feeds and canonical links will say http://{addr}; \
             set [serve] public_url or PAPERS_PUBLIC_URL"
        );
    }
    let state =
        papers_web::AppState::new(store.clone(), config).context("starting the web server")?;
    if !config.index_sync.is_zero() {
        follow_the_database(config.clone())?;
    }
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("listening on {addr}"))?;
    let local = listener.local_addr().context("reading the bound address")?;
    // Printed on stdout so scripts (and the end-to-end tests) can find a port picked with :0.
    println!("serving on http://{local}");
    tracing::info!(%local, database = store.backend(), "serving");
    let limits = papers_web::server::ConnectionLimits::from_config(config);
    papers_web::serve(state, listener, limits, shutdown_signal())
        .await
        .context("serving HTTP")?;
    tracing::info!("stopped");
    Ok(())
}

/// Keeps this server's own search index, vectors and topics up to date with the database, every
/// `index_sync`: what `papers index` does, for a server among several on one PostgreSQL, each
/// with its own data dir. The work (tokenising, embedding) is CPU-bound, so it runs on a thread
/// and runtime of its own, with its own connections, never on the threads serving requests.
fn follow_the_database(config: Config) -> anyhow::Result<()> {
    let every = config.index_sync;
    tracing::info!(every = ?every, "this server keeps its own index in sync with the database");
    std::thread::Builder::new()
        .name("index-sync".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(error) => {
                    tracing::error!(%error, "cannot start the index sync; search will not follow the database");
                    return;
                }
            };
            runtime.block_on(sync_forever(config, every));
        })
        .context("starting the index sync thread")?;
    Ok(())
}

async fn sync_forever(config: Config, every: std::time::Duration) {
    let url = config.database_url();
    let mut store: Option<Store> = None;
    loop {
        if store.is_none() {
            match Store::connect(&url).await {
                Ok(connected) => store = Some(connected),
                Err(error) => tracing::warn!(%error, "index sync: database unreachable; retrying"),
            }
        }
        if let Some(store) = &store {
            match papers_indexer::update::update(store, &config, false, false).await {
                Ok(report) if report.text.indexed > 0 || report.text.removed > 0 => {
                    tracing::info!(
                        indexed = report.text.indexed,
                        removed = report.text.removed,
                        documents = report.text.documents,
                        "index synced with the database"
                    );
                }
                Ok(_) => {}
                // `papers index` from cron on the same data dir: it does the work this time.
                Err(papers_indexer::IndexError::Busy(_)) => {
                    tracing::debug!("index sync: the index is busy; next time")
                }
                Err(error) => tracing::warn!(%error, "index sync failed; next time"),
            }
        }
        tokio::time::sleep(every).await;
    }
}

/// Resolves on Ctrl-C or SIGTERM (what systemd and docker send), so requests in flight finish.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
