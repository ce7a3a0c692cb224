//! papers-web: the HTTP server. For now a plain reading view of the Store (the home page, a
//! category expression's papers for one day) and `/healthz`; the «Web» issue grows it into the
//! full site. It only reads the Store and never waits on arXiv.

pub mod assets;
pub mod conditional;
mod error;
pub mod feed;
mod health;
mod pages;

use std::future::Future;

use axum::Router;
use papers_core::Store;
use tokio::net::TcpListener;

pub use error::AppError;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
}

/// The whole site: every module's routes merged in one place.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(health::routes())
        .merge(pages::routes())
        .merge(assets::routes())
        .fallback(|| async { AppError::NotFound("There is no page at this address.".into()) })
        .with_state(state)
}

/// Serves until `shutdown` resolves, then finishes the requests in flight.
pub async fn serve(
    store: Store,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(AppState { store }))
        .with_graceful_shutdown(shutdown)
        .await
}
