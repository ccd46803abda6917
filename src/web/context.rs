//! Per-request context that pages and guards rely on: the logged-in user (from the session
//! cookie), the visitor's CSRF seed, and the CSRF check for unsafe methods.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::accounts::session::{self, SessionUser};
use crate::error::{AppError, ErrorDetail};
use crate::media;
use crate::startup::BODY_LIMIT;
use crate::state::AppState;
use crate::tokens;
use crate::web::{cookies, csrf, input};

/// The seed that this visitor's CSRF tokens are derived from (the `bb_csrf` cookie).
#[derive(Clone, Debug)]
pub struct CsrfSeed(pub String);

/// `Some` when a valid session cookie came with the request.
#[derive(Clone, Debug)]
pub struct CurrentUser(pub Option<SessionUser>);

fn forbidden(message: &str) -> Response {
    let mut response = AppError::Forbidden.into_response();
    response.extensions_mut().insert(ErrorDetail { message: Some(message.to_owned()) });
    response
}

const EXPIRED_FORM: &str = "Dit formulier is verlopen of komt niet van deze site. Laad de pagina opnieuw en probeer het nog eens; wat u had ingevuld, staat nog in het vorige scherm.";

pub async fn context(State(state): State<AppState>, request: Request, next: Next) -> Response {
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
    let existing_seed = cookies::get(&parts.headers, cookies::CSRF);
    let seed = existing_seed.clone().unwrap_or_else(|| tokens::random_hex(16));

    let user = match cookies::get(&parts.headers, cookies::SESSION) {
        Some(cookie) => match session::lookup(&state.db, &cookie).await {
            Ok(user) => user,
            Err(err) => return AppError::from(err).into_response(),
        },
        None => None,
    };

    let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    let exempt = csrf::EXEMPT_PREFIXES.iter().any(|p| parts.uri.path().starts_with(p));
    let body = if unsafe_method && !exempt {
        let cross_site =
            parts.headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("cross-site");
        if cross_site {
            return forbidden(EXPIRED_FORM);
        }
        let content_type = parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
        let is_form = content_type.is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
        let is_upload = content_type.is_some_and(|ct| ct.starts_with("multipart/form-data"));
        let limit = if is_upload { media::UPLOAD_LIMIT } else { BODY_LIMIT };
        let bytes = match to_bytes(body, limit).await {
            Ok(bytes) => bytes,
            Err(_) if is_upload => return media::too_large_response(),
            Err(_) => return axum::http::StatusCode::PAYLOAD_TOO_LARGE.into_response(),
        };
        // Multipart uploads send the token in the query string of the form's action.
        let token = if is_form {
            csrf::token_in_form(&bytes)
        } else {
            parts.uri.query().and_then(|q| csrf::token_in_form(q.as_bytes()))
        };
        let valid = existing_seed.is_some()
            && token.is_some_and(|t| csrf::verify(&state.config.secret_key, &seed, &t));
        if !valid {
            tracing::info!(path = %parts.uri.path(), "CSRF check failed");
            return forbidden(EXPIRED_FORM);
        }
        match is_form.then(|| input::clean_urlencoded(&bytes)).flatten() {
            Some(cleaned) => {
                parts.headers.insert(header::CONTENT_LENGTH, HeaderValue::from(cleaned.len()));
                Body::from(cleaned)
            }
            None => Body::from(bytes),
        }
    } else {
        body
    };

    parts.extensions.insert(CsrfSeed(seed.clone()));
    parts.extensions.insert(CurrentUser(user));
    let mut response = next.run(Request::from_parts(parts, body)).await;
    if existing_seed.is_none() {
        let cookie = cookies::set(cookies::CSRF, &seed, None, state.config.is_https());
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}
