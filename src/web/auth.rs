//! Who a request acts for: the roles, the logged-in user that the session layer
//! (`accounts::session::identify`) puts in every request as `CurrentUser`, and the extractors
//! and redirect that handlers and guards use to ask for it.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Serialize;

/// Roles in ascending order of power: each may do everything of the ones before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "lowercase")]
pub enum Role {
    Aandeelhouder,
    Redacteur,
    Coordinator,
    Beheerder,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Aandeelhouder, Role::Redacteur, Role::Coordinator, Role::Beheerder];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Aandeelhouder => "aandeelhouder",
            Role::Redacteur => "redacteur",
            Role::Coordinator => "coordinator",
            Role::Beheerder => "beheerder",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Aandeelhouder => "Aandeelhouder",
            Role::Redacteur => "Redacteur",
            Role::Coordinator => "Coördinator",
            Role::Beheerder => "Beheerder",
        }
    }

    pub fn parse(value: &str) -> Option<Role> {
        match value.trim().to_lowercase().as_str() {
            "aandeelhouder" => Some(Role::Aandeelhouder),
            "redacteur" => Some(Role::Redacteur),
            "coordinator" | "coördinator" => Some(Role::Coordinator),
            "beheerder" | "admin" => Some(Role::Beheerder),
            _ => None,
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

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
