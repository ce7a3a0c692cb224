//! One error type for every handler: a readable page (or, through [`crate::api`], a JSON object)
//! with the right status, never internals (database and index errors are logged; the reader gets
//! a plain message).

use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use papers_core::StoreError;
use papers_indexer::IndexError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request names something that is not there (an unknown topic, a paper arXiv lacks).
    #[error("{0}")]
    NotFound(String),
    /// The request is malformed (a bad date, a bad page size, an unknown category).
    #[error("{0}")]
    BadRequest(String),
    #[error("Too many requests from your address; please slow down.")]
    TooManyRequests,
    /// Any other refusal, made by a layer rather than a handler (a request body too large, a
    /// query string that does not fit the route, a timeout): its status and plain message.
    #[error("{message}")]
    Other { status: StatusCode, message: String },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Index(IndexError),
}

impl From<IndexError> for AppError {
    /// A query the reader can fix is a 400 with the parser's reason; anything else is ours.
    fn from(error: IndexError) -> Self {
        match error {
            IndexError::Query(reason) => AppError::BadRequest(reason.to_string()),
            IndexError::Store(error) => AppError::Store(error),
            other => AppError::Index(other),
        }
    }
}

impl AppError {
    /// Status, page title and the message a reader may see.
    pub fn parts(&self) -> (StatusCode, &'static str, String) {
        match self {
            AppError::NotFound(message) => (StatusCode::NOT_FOUND, "Not found", message.clone()),
            AppError::BadRequest(message) => {
                (StatusCode::BAD_REQUEST, "Bad request", message.clone())
            }
            AppError::TooManyRequests => (
                StatusCode::TOO_MANY_REQUESTS,
                "Too many requests",
                self.to_string(),
            ),
            AppError::Other { status, message } => (
                *status,
                status.canonical_reason().unwrap_or("Error"),
                message.clone(),
            ),
            AppError::Store(error) => {
                tracing::error!(%error, "store error while answering a request");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Temporarily unavailable",
                    "The database did not answer. Please try again in a moment.".to_string(),
                )
            }
            AppError::Index(error) => {
                tracing::error!(%error, "search index error while answering a request");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Temporarily unavailable",
                    "Search is not available right now. Please try again in a moment.".to_string(),
                )
            }
        }
    }
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
        let (status, title, message) = self.parts();
        let page = ErrorPage {
            status: status.as_u16(),
            title,
            message,
        };
        (status, page).into_response()
    }
}
