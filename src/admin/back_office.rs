//! One declaration per back-office route: `BackOffice::get`/`post` registers the handler and
//! records the least role it needs, and wraps the handler in a guard for that role. The same
//! declarations are the route table that the role-matrix test walks, so the two cannot drift.
//! `BackOffice::editor` declares the five routes of a list-and-form editor at once.

use axum::Router;
use axum::extract::Request;
use axum::handler::Handler;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{self, MethodRouter};

use crate::error::AppError;
use crate::state::AppState;
use crate::web::auth::CurrentUser;
use crate::web::auth::Role;
use crate::web::auth::login_redirect;
use crate::web::page::Page;

/// A declared back-office route: method, path (as in the router) and the least role it needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackOfficeRoute {
    pub method: &'static str,
    pub path: String,
    pub role: Role,
}

/// The handlers of a back-office editor of records at `base` (see `BackOffice::editor`): the
/// list (`GET base`), the empty form (`GET base/nieuw`), a record's form (`GET base/{id}`), and
/// `save` for both a new record (`POST base`) and an update (`POST base/{id}`): it takes an
/// `Option<PathId<i64>>`, `None` for a new record.
pub(crate) struct Editor<L, N, E, S> {
    pub list: L,
    pub new_form: N,
    pub edit_form: E,
    pub save: S,
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

    /// Declares an editor's five routes under `base`, all needing `role`.
    pub(crate) fn editor<L, LT, N, NT, E, ET, S, ST>(
        self,
        base: &'static str,
        role: Role,
        editor: Editor<L, N, E, S>,
    ) -> Self
    where
        L: Handler<LT, AppState>,
        N: Handler<NT, AppState>,
        E: Handler<ET, AppState>,
        S: Handler<ST, AppState>,
        LT: 'static,
        NT: 'static,
        ET: 'static,
        ST: 'static,
    {
        let record = format!("{base}/{{id}}");
        self.declare("GET", base, role, routing::get(editor.list))
            .declare("POST", base, role, routing::post(editor.save.clone()))
            .declare("GET", format!("{base}/nieuw"), role, routing::get(editor.new_form))
            .declare("GET", record.clone(), role, routing::get(editor.edit_form))
            .declare("POST", record, role, routing::post(editor.save))
    }

    fn declare(
        mut self,
        method: &'static str,
        path: impl Into<String>,
        role: Role,
        handler: MethodRouter<AppState>,
    ) -> Self {
        let path = path.into();
        assert!(
            path == "/beheer" || path.starts_with("/beheer/"),
            "back-office route outside /beheer: {path}"
        );
        let guarded = handler.route_layer(middleware::from_fn(move |request: Request, next: Next| {
            require(role, request, next)
        }));
        self.router = self.router.route(&path, guarded);
        self.routes.push(BackOfficeRoute { method, path, role });
        self
    }

    pub(crate) fn into_parts(self) -> (Router<AppState>, Vec<BackOfficeRoute>) {
        (self.router, self.routes)
    }
}

/// The crumbs of an editor's form page (see `BackOffice::editor`): Beheer › the list at `base`
/// (`list`) › the record's page `{base}/{id}` (`edit`) or the new one `{base}/nieuw` (`new`).
pub(crate) fn form_crumbs(
    page: Page,
    list: &str,
    base: &str,
    id: Option<i64>,
    [edit, new]: [&str; 2],
) -> Page {
    let page = page.in_back_office().crumb(list, base);
    match id {
        Some(id) => page.crumb(edit, format!("{base}/{id}")),
        None => page.crumb(new, format!("{base}/nieuw")),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::page::Crumb;

    #[test]
    fn an_editor_declares_its_five_routes_with_its_role() {
        let editor =
            Editor { list: || async {}, new_form: || async {}, edit_form: || async {}, save: || async {} };
        // Not a literal in the call: the CSRF test's source scan would take it for a real route.
        const BASE: &str = "/beheer/dingen";
        let (_, routes) = BackOffice::new().editor(BASE, Role::Coordinator, editor).into_parts();
        let declared: Vec<(&str, &str, Role)> =
            routes.iter().map(|r| (r.method, r.path.as_str(), r.role)).collect();
        assert_eq!(
            declared,
            [
                ("GET", "/beheer/dingen", Role::Coordinator),
                ("POST", "/beheer/dingen", Role::Coordinator),
                ("GET", "/beheer/dingen/nieuw", Role::Coordinator),
                ("GET", "/beheer/dingen/{id}", Role::Coordinator),
                ("POST", "/beheer/dingen/{id}", Role::Coordinator),
            ]
        );
    }

    #[test]
    fn an_editors_form_is_crumbed_below_its_list() {
        let crumbs = |id| {
            let (path, crumbs, user) = (String::new(), Vec::new(), None);
            let (css_url, js_url, favicon_url, canonical_url) = Default::default();
            let notice_code = None;
            let bare = Page { path, css_url, js_url, favicon_url, crumbs, canonical_url, user, notice_code };
            let page = form_crumbs(bare, "Dingen", "/beheer/dingen", id, ["Ding bewerken", "Nieuw ding"]);
            page.crumbs.iter().map(|Crumb { label, href }| format!("{label} {href}")).collect::<Vec<_>>()
        };
        assert_eq!(
            crumbs(Some(7)),
            ["Beheer /beheer", "Dingen /beheer/dingen", "Ding bewerken /beheer/dingen/7"]
        );
        assert_eq!(crumbs(None)[2], "Nieuw ding /beheer/dingen/nieuw");
    }
}
