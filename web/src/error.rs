//! One error type for every handler: it renders as a readable page with the right status, and
//! never leaks internals (database errors are logged, the reader gets a plain message).

use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use papers_core::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request names something that is not there (an unknown category, a day with no papers).
    #[error("{0}")]
    NotFound(String),
    /// The request is malformed (a bad date, a bad page size).
    #[error("{0}")]
    BadRequest(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorPage {
    status: u16,
    title: &'static str,
    message: String,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, title, message) = match self {
            AppError::NotFound(message) => (StatusCode::NOT_FOUND, "Not found", message),
            AppError::BadRequest(message) => (StatusCode::BAD_REQUEST, "Bad request", message),
            AppError::Store(error) => {
                tracing::error!(%error, "store error while serving a page");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Temporarily unavailable",
                    "The database did not answer. Please try again in a moment.".to_string(),
                )
            }
        };
        let page = ErrorPage {
            status: status.as_u16(),
            title,
            message,
        };
        (status, page).into_response()
    }
}
