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
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("listening on {addr}"))?;
    let local = listener.local_addr().context("reading the bound address")?;
    // Printed on stdout so scripts (and the end-to-end tests) can find a port picked with :0.
    println!("serving on http://{local}");
    tracing::info!(%local, database = store.backend(), "serving");
    papers_web::serve(state, listener, shutdown_signal())
        .await
        .context("serving HTTP")?;
    tracing::info!("stopped");
    Ok(())
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
