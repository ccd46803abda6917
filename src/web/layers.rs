//! Cross-cutting middleware: request ids, security headers and the Dutch error pages.

use askama::Template;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_http::request_id::{MakeRequestId, RequestId};

use crate::error::ErrorDetail;
use crate::state::AppState;
use crate::web::page::{Html, Page};

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Random 128-bit request ids; an id sent by a trusted proxy is kept by `SetRequestId`.
#[derive(Clone, Copy, Default)]
pub struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _request: &axum::http::Request<B>) -> Option<RequestId> {
        let id = crate::tokens::random_hex(16);
        HeaderValue::from_str(&id).ok().map(RequestId::new)
    }
}

pub fn request_id_of<B>(request: &axum::http::Request<B>) -> String {
    request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(64)
        .collect()
}

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
font-src 'self'; connect-src 'self'; frame-src 'self'; form-action 'self'; frame-ancestors 'none'; \
base-uri 'none'; object-src 'none'";

/// Security headers on every response. No page needs inline script or style, so the
/// Content-Security-Policy needs neither nonces nor `unsafe-inline`.
pub async fn security_headers(state: AppState, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let mut set = |name: HeaderName, value: &'static str| {
        headers.entry(name).or_insert(HeaderValue::from_static(value));
    };
    set(header::CONTENT_SECURITY_POLICY, CSP);
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::REFERRER_POLICY, "strict-origin-when-cross-origin");
    set(header::X_FRAME_OPTIONS, "DENY");
    set(HeaderName::from_static("cross-origin-opener-policy"), "same-origin");
    set(HeaderName::from_static("cross-origin-resource-policy"), "same-origin");
    set(
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
    );
    if state.config.is_https() {
        set(header::STRICT_TRANSPORT_SECURITY, "max-age=63072000; includeSubDomains");
    }
    response
}

#[derive(Template)]
#[template(path = "errors/error.html")]
struct ErrorPage {
    page: Page,
    status: u16,
    title: &'static str,
    explanation: String,
    request_id: String,
}

fn describe(status: StatusCode) -> (&'static str, &'static str) {
    match status.as_u16() {
        400 => (
            "Dit verzoek klopt niet",
            "De gegevens in het verzoek konden niet worden verwerkt. Controleer het adres of het formulier en probeer het opnieuw.",
        ),
        401 => ("Inloggen nodig", "Voor deze pagina moet u ingelogd zijn."),
        403 => (
            "Geen toegang",
            "U heeft geen toestemming om deze pagina te bekijken of deze handeling uit te voeren.",
        ),
        404 => (
            "Pagina niet gevonden",
            "Deze pagina bestaat niet (meer). Misschien is het adres veranderd of bevat het een tikfout.",
        ),
        405 => (
            "Deze handeling kan hier niet",
            "Dit adres ondersteunt deze manier van opvragen niet. Ga terug en probeer het via de knoppen op de pagina.",
        ),
        408 => (
            "Dat duurde te lang",
            "Het verwerken van uw verzoek duurde te lang. Probeer het over een moment opnieuw.",
        ),
        409 => ("Dit botst met bestaande gegevens", "De gegevens zijn intussen gewijzigd of bestaan al."),
        413 => (
            "Te veel gegevens verstuurd",
            "Wat u verstuurde is groter dan wij kunnen aannemen. Maak de tekst of het bestand kleiner en probeer het opnieuw.",
        ),
        415 => ("Onbekend formaat", "Het formaat van wat u verstuurde wordt hier niet ondersteund."),
        422 => (
            "Dit verzoek klopt niet",
            "Niet alle gegevens konden worden gelezen. Controleer het formulier en probeer het opnieuw.",
        ),
        429 => (
            "Even geduld",
            "U heeft dit in korte tijd te vaak geprobeerd. Wacht even en probeer het dan opnieuw.",
        ),
        503 => (
            "Tijdelijk niet beschikbaar",
            "Het platform is even niet bereikbaar. Probeer het over een paar minuten opnieuw.",
        ),
        _ if status.is_server_error() => (
            "Er ging iets mis",
            "Er ging aan onze kant iets mis. Wij zijn op de hoogte gebracht. Probeer het later opnieuw; blijft het misgaan, noem dan de code hieronder.",
        ),
        _ => ("Dit lukte niet", "Uw verzoek kon niet worden verwerkt."),
    }
}

/// Gives every error response that has no HTML body of its own a Dutch page (or a JSON body
/// under `/api`), whether it came from a handler, an extractor rejection, the router
/// (404/405), the body limit (413), a timeout or a caught panic.
pub async fn error_pages(state: AppState, request: Request, next: Next) -> Response {
    let request_id = request_id_of(&request);
    let path = request.uri().path().to_owned();
    let is_head = request.method() == axum::http::Method::HEAD;
    let response = next.run(request).await;
    let status = response.status();
    // Health checks answer monitoring tools in plain text, whatever their status.
    if !(status.is_client_error() || status.is_server_error()) || path == "/healthz" || path == "/readyz" {
        return response;
    }
    let has_own_body = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html") || ct.starts_with("application/json"));
    if has_own_body {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    let detail = parts.extensions.get::<ErrorDetail>().and_then(|d| d.message.clone());
    let (title, default_explanation) = describe(status);
    let explanation = detail.unwrap_or_else(|| default_explanation.to_owned());

    let mut rendered = if path.starts_with("/api/") {
        axum::Json(serde_json::json!({
            "error": { "status": status.as_u16(), "title": title, "detail": explanation, "request_id": request_id }
        }))
        .into_response()
    } else {
        let page = Page::new(&state, &path);
        Html(ErrorPage { page, status: status.as_u16(), title, explanation, request_id }).into_response()
    };
    // Keep what the original response said about itself (Retry-After, Allow, ...).
    for name in [header::RETRY_AFTER, header::ALLOW, header::WWW_AUTHENTICATE, header::LOCATION] {
        if let Some(value) = parts.headers.remove(&name) {
            rendered.headers_mut().insert(name, value);
        }
    }
    *rendered.status_mut() = status;
    if is_head {
        *rendered.body_mut() = Body::empty();
    }
    rendered
}
