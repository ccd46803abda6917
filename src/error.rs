//! One error type for every handler. It becomes a response with the right status; the
//! `web::error_pages` middleware turns that into a Dutch page (or JSON under `/api`) that shows
//! the request id. Internal causes are logged, never shown.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("niet gevonden")]
    NotFound,
    #[error("niet ingelogd")]
    Unauthorized,
    #[error("geen toegang")]
    Forbidden,
    #[error("ongeldige invoer: {0}")]
    BadRequest(String),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("te veel verzoeken")]
    TooManyRequests { retry_after_secs: u64 },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Template(#[from] askama::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

/// Placed in the response extensions so the error-page middleware knows what to say.
#[derive(Clone, Debug)]
pub struct ErrorDetail {
    pub message: Option<String>,
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Database(sqlx::Error::RowNotFound) => StatusCode::NOT_FOUND,
            _ if self.database_unavailable() => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Database(_) | AppError::Template(_) | AppError::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }
}

/// Seconds a client is asked to wait when the database cannot be reached.
const DATABASE_RETRY_AFTER_SECS: u64 = 5;

impl AppError {
    /// The database cannot be reached right now (restarting, unreachable, out of connection
    /// slots, or the pool found no connection in time): a 503 with `Retry-After`, not a 500.
    fn database_unavailable(&self) -> bool {
        let error = match self {
            AppError::Database(error) => error,
            AppError::Internal(error) => match error.downcast_ref::<sqlx::Error>() {
                Some(error) => error,
                None => return false,
            },
            _ => return false,
        };
        match error {
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_) => true,
            sqlx::Error::Database(db) => db.code().is_some_and(|code| {
                // 08: connection exception; 57P01-03: shutting down, crashed, starting up;
                // 53300: too many connections.
                code.starts_with("08") || matches!(code.as_ref(), "57P01" | "57P02" | "57P03" | "53300")
            }),
            _ => false,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = match &self {
            AppError::BadRequest(m) | AppError::Conflict(m) => Some(m.clone()),
            _ => None,
        };
        let unavailable = status == StatusCode::SERVICE_UNAVAILABLE;
        if unavailable {
            tracing::warn!(error = %self, "database unavailable");
        } else if status.is_server_error() {
            // Logged inside the request span, so the line carries the request id.
            tracing::error!(error = %self, debug = ?self, "request failed");
        }
        let mut response = status.into_response();
        if unavailable {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(DATABASE_RETRY_AFTER_SECS),
            );
        }
        if let AppError::TooManyRequests { retry_after_secs } = self {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(retry_after_secs.max(1)),
            );
        }
        response.extensions_mut().insert(ErrorDetail { message });
        response
    }
}
