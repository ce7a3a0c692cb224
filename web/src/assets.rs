//! Static assets, embedded, with content-hashed names (being written).
use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
