//! Per-request context that pages and guards rely on: the cross-site check for unsafe methods
//! (`web::csrf`), body limits announced up front, and the visitor's address. The logged-in user
//! is added by the session layer (`web::auth`).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::{AppError, ErrorDetail};
use crate::state::AppState;
use crate::web::limits::{self, BODY_LIMIT, UPLOAD_LIMIT};
use crate::web::{cookies, csrf};

fn forbidden(message: &str) -> Response {
    let mut response = AppError::Forbidden.into_response();
    response.extensions_mut().insert(ErrorDetail { message: Some(message.to_owned()) });
    response
}

const EXPIRED_FORM: &str = "Dit formulier is verlopen of komt niet van deze site. Laad de pagina opnieuw en probeer het nog eens; wat u had ingevuld, staat nog in het vorige scherm. Lukt het dan nog niet, gebruik dan een recente versie van uw browser.";

/// A body announced larger than its limit is refused before anything reads it: an upload over
/// `UPLOAD_LIMIT` with the Dutch upload message, anything else over `BODY_LIMIT` with 413
/// (also on routes that would not read it). Bodies without a length are held to the same limits
/// by the extractors that read them.
fn declared_too_large(headers: &HeaderMap) -> Option<Response> {
    let length: u64 = headers.get(header::CONTENT_LENGTH)?.to_str().ok()?.parse().ok()?;
    let is_upload = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("multipart/form-data"));
    if is_upload && length > UPLOAD_LIMIT as u64 {
        Some(limits::too_large_response())
    } else if !is_upload && length > BODY_LIMIT as u64 {
        Some(StatusCode::PAYLOAD_TOO_LARGE.into_response())
    } else {
        None
    }
}

pub async fn context(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let unsafe_method = !matches!(request.method(), &Method::GET | &Method::HEAD | &Method::OPTIONS);
    let exempt = csrf::EXEMPT_PREFIXES.iter().any(|p| request.uri().path().starts_with(p));
    if unsafe_method && !exempt {
        let own_origin = state.config.base_url.origin().ascii_serialization();
        // A session cookie is enough to be strict: the check needs no database round trip.
        let has_session = cookies::get(request.headers(), cookies::SESSION).is_some();
        if let Err(refusal) = csrf::check(request.headers(), &own_origin, has_session) {
            tracing::info!(path = %request.uri().path(), ?refusal, "cross-site request refused");
            return forbidden(EXPIRED_FORM);
        }
    }
    if unsafe_method && let Some(too_large) = declared_too_large(request.headers()) {
        return too_large;
    }
    next.run(request).await
}

/// The client's address as seen by this server (a proxy in front should be trusted to set
/// the real one; see README).
pub struct ClientIp(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let ip = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string());
        Ok(ClientIp(ip.unwrap_or_else(|| "onbekend".into())))
    }
}
