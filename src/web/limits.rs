//! How large a request may be. Every body but a multipart upload is held to `BODY_LIMIT`;
//! an upload may carry one file of `MAX_FILE_BYTES` and the other fields of its form.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::error::ErrorDetail;

/// Largest request body accepted anywhere, except multipart uploads (`UPLOAD_LIMIT`).
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;
/// Largest file accepted in an upload.
pub const MAX_FILE_BYTES: usize = 8 * 1024 * 1024;
/// Largest multipart request body: one file plus room for the other fields of the form.
pub const UPLOAD_LIMIT: usize = MAX_FILE_BYTES + 256 * 1024;

/// The message for a file (or request) over the limit.
pub fn too_large_message() -> String {
    format!("Het bestand is te groot; het mag hoogstens {} MB zijn.", MAX_FILE_BYTES / (1024 * 1024))
}

/// A 413 whose Dutch page names the limit.
pub fn too_large_response() -> Response {
    let mut response = StatusCode::PAYLOAD_TOO_LARGE.into_response();
    response.extensions_mut().insert(ErrorDetail { message: Some(too_large_message()) });
    response
}
