//! Per-request context that pages and guards rely on: input hygiene at the edge
//! (`web::input`: paths, query strings and form bodies), the cross-site check for unsafe
//! methods (`web::csrf`) and body limits announced up front. The logged-in user is added by
//! the session layer (`web::auth`); the client's address is `web::client::ClientIp`.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::{AppError, ErrorDetail};
use crate::state::AppState;
use crate::web::limits::{self, BODY_LIMIT, UPLOAD_LIMIT};
use crate::web::{cookies, csrf, input};

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

pub async fn context(state: AppState, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    // Input hygiene (web::input): a path with control characters or invalid UTF-8 names no
    // page; a query string is cleaned before any handler reads it.
    if !input::path_is_clean(parts.uri.path()) {
        return AppError::NotFound.into_response();
    }
    if let Some(cleaned) = parts.uri.query().and_then(|q| input::clean_urlencoded(q.as_bytes()))
        && let Ok(uri) = format!("{}?{cleaned}", parts.uri.path()).parse()
    {
        parts.uri = uri;
    }

    let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    let exempt = csrf::EXEMPT_PREFIXES.iter().any(|p| parts.uri.path().starts_with(p));
    if unsafe_method && !exempt {
        let own_origin = state.config.base_url.origin().ascii_serialization();
        // A session cookie is enough to be strict: the check needs no database round trip.
        let has_session = cookies::get(&parts.headers, cookies::SESSION).is_some();
        if let Err(refusal) = csrf::check(&parts.headers, &own_origin, has_session) {
            tracing::info!(path = %parts.uri.path(), ?refusal, "cross-site request refused");
            return forbidden(EXPIRED_FORM);
        }
    }
    if unsafe_method && let Some(too_large) = declared_too_large(&parts.headers) {
        return too_large;
    }

    // An urlencoded form body is cleaned once, here, for every handler that reads it.
    let is_form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    let body = if unsafe_method && is_form {
        let bytes = match to_bytes(body, BODY_LIMIT).await {
            Ok(bytes) => bytes,
            Err(_) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
        };
        match input::clean_urlencoded(&bytes) {
            Some(cleaned) => {
                parts.headers.insert(header::CONTENT_LENGTH, HeaderValue::from(cleaned.len()));
                Body::from(cleaned)
            }
            None => Body::from(bytes),
        }
    } else {
        body
    };
    next.run(Request::from_parts(parts, body)).await
}
