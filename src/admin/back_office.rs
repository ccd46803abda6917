//! One declaration per back-office route: `BackOffice::get`/`post` registers the handler and
//! records the least role it needs, and wraps the handler in a guard for that role. The same
//! declarations are the route table that the role-matrix test walks, so the two cannot drift.

use axum::Router;
use axum::extract::Request;
use axum::handler::Handler;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{self, MethodRouter};

use crate::accounts::handlers::login_redirect;
use crate::accounts::roles::Role;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::context::CurrentUser;

/// A declared back-office route: method, path (as in the router) and the least role it needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BackOfficeRoute {
    pub method: &'static str,
    pub path: &'static str,
    pub role: Role,
}

/// The back office's routes as features declare them (see `admin::router`).
#[must_use]
pub struct BackOffice {
    router: Router<AppState>,
    routes: Vec<BackOfficeRoute>,
}

impl BackOffice {
    pub(crate) fn new() -> Self {
        Self { router: Router::new(), routes: Vec::new() }
    }

    pub(crate) fn get<H, T>(self, path: &'static str, role: Role, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.declare("GET", path, role, routing::get(handler))
    }

    pub(crate) fn post<H, T>(self, path: &'static str, role: Role, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.declare("POST", path, role, routing::post(handler))
    }

    fn declare(
        mut self,
        method: &'static str,
        path: &'static str,
        role: Role,
        handler: MethodRouter<AppState>,
    ) -> Self {
        assert!(
            path == "/beheer" || path.starts_with("/beheer/"),
            "back-office route outside /beheer: {path}"
        );
        self.routes.push(BackOfficeRoute { method, path, role });
        let guarded = handler.route_layer(middleware::from_fn(move |request: Request, next: Next| {
            require(role, request, next)
        }));
        self.router = self.router.route(path, guarded);
        self
    }

    pub(crate) fn into_parts(self) -> (Router<AppState>, Vec<BackOfficeRoute>) {
        (self.router, self.routes)
    }
}

/// Lets the request through only for a logged-in user with at least `role`; anyone else is
/// sent to the login page, and a user with too little power gets a 403.
pub(crate) async fn require(role: Role, request: Request, next: Next) -> Response {
    let user = request.extensions().get::<CurrentUser>().and_then(|c| c.0.clone());
    match user {
        None => login_redirect(request.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/beheer")),
        Some(user) if !user.can(role) => AppError::Forbidden.into_response(),
        Some(_) => next.run(request).await,
    }
}
