//! Who a request acts for: the roles, the logged-in user that the session layer
//! (`accounts::session::identify`) puts in every request as `CurrentUser`, and the extractors
//! and redirect that handlers and guards use to ask for it.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};

pub use super::role::Role;

/// The user behind a valid session cookie.
#[derive(Clone, Debug)]
pub struct SessionUser {
    pub id: i64,
    pub email: String,
    pub role: Role,
    pub session_hash: String,
}

impl SessionUser {
    pub fn can(&self, role: Role) -> bool {
        self.role >= role
    }
}

/// `Some` when a valid session cookie came with the request.
#[derive(Clone, Debug)]
pub struct CurrentUser(pub Option<SessionUser>);

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<CurrentUser>().cloned().unwrap_or(CurrentUser(None)))
    }
}

/// The logged-in user, or a redirect to the login page that comes back here afterwards.
pub struct LoggedIn(pub SessionUser);

impl<S: Send + Sync> FromRequestParts<S> for LoggedIn {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<CurrentUser>().and_then(|c| c.0.clone()) {
            Some(user) => Ok(LoggedIn(user)),
            None => Err(login_redirect(parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/"))),
        }
    }
}

/// To the login page, which comes back to `next` afterwards.
pub fn login_redirect(next: &str) -> Response {
    let query = crate::web::filters::query_string(&[("volgende", next)]);
    Redirect::to(&format!("/inloggen?{query}")).into_response()
}
