//! Per-request context that pages and guards rely on: the logged-in user (from the session
//! cookie), and the cross-site check for unsafe methods (`web::csrf`).

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::accounts::session::{self, SessionUser};
use crate::error::{AppError, ErrorDetail};
use crate::media;
use crate::startup::BODY_LIMIT;
use crate::state::AppState;
use crate::web::{cookies, csrf};

/// `Some` when a valid session cookie came with the request.
#[derive(Clone, Debug)]
pub struct CurrentUser(pub Option<SessionUser>);

fn forbidden(message: &str) -> Response {
    let mut response = AppError::Forbidden.into_response();
    response.extensions_mut().insert(ErrorDetail { message: Some(message.to_owned()) });
    response
}

const EXPIRED_FORM: &str = "Dit formulier is verlopen of komt niet van deze site. Laad de pagina opnieuw en probeer het nog eens; wat u had ingevuld, staat nog in het vorige scherm. Lukt het dan nog niet, gebruik dan een recente versie van uw browser.";

/// A body announced larger than its limit is refused before anything reads it: an upload over
/// `media::UPLOAD_LIMIT` with the Dutch upload message, anything else over `BODY_LIMIT` with 413
/// (also on routes that would not read it). Bodies without a length are held to the same limits
/// by the extractors that read them.
fn declared_too_large(headers: &HeaderMap) -> Option<Response> {
    let length: u64 = headers.get(header::CONTENT_LENGTH)?.to_str().ok()?.parse().ok()?;
    let is_upload = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("multipart/form-data"));
    if is_upload && length > media::UPLOAD_LIMIT as u64 {
        Some(media::too_large_response())
    } else if !is_upload && length > BODY_LIMIT as u64 {
        Some(StatusCode::PAYLOAD_TOO_LARGE.into_response())
    } else {
        None
    }
}

pub async fn context(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();

    let user = match cookies::get(&parts.headers, cookies::SESSION) {
        Some(cookie) => match session::lookup(&state.db, &cookie).await {
            Ok(user) => user,
            Err(err) => return AppError::from(err).into_response(),
        },
        None => None,
    };

    let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    let exempt = csrf::EXEMPT_PREFIXES.iter().any(|p| parts.uri.path().starts_with(p));
    if unsafe_method && !exempt {
        let own_origin = state.config.base_url.origin().ascii_serialization();
        if let Err(refusal) = csrf::check(&parts.headers, &own_origin, user.is_some()) {
            tracing::info!(path = %parts.uri.path(), ?refusal, "cross-site request refused");
            return forbidden(EXPIRED_FORM);
        }
    }
    if unsafe_method && let Some(too_large) = declared_too_large(&parts.headers) {
        return too_large;
    }

    parts.extensions.insert(CurrentUser(user));
    next.run(Request::from_parts(parts, body)).await
}
