//! The back office under `/beheer`. Authorisation lives here, in one place: the whole area
//! needs at least the editor role, and each route states the role it needs in `ROUTES`,
//! which the router is checked against by the test suite.

mod audit_log;
mod outbox;

use askama::Template;
use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};

use crate::accounts::admin as users;
use crate::accounts::handlers::login_redirect;
use crate::accounts::roles::Role;
use crate::catalogue::admin::{initiatives, taxonomy};
use crate::error::{AppError, AppResult};
use crate::members::admin as applications;
use crate::news::admin as news;
use crate::newsletter::admin::{campaigns, subscribers};
use crate::regions::admin as region_applications;
use crate::state::AppState;
use crate::web::context::CurrentUser;
use crate::web::page::{Html, Page};

/// Every back-office route: method, path (as in the router) and the least role it needs.
pub const ROUTES: &[(&str, &str, Role)] = &[
    ("GET", "/beheer", Role::Redacteur),
    ("GET", "/beheer/gebruikers", Role::Beheerder),
    ("POST", "/beheer/gebruikers", Role::Beheerder),
    ("POST", "/beheer/gebruikers/{id}", Role::Beheerder),
    ("GET", "/beheer/nieuws", Role::Redacteur),
    ("POST", "/beheer/nieuws", Role::Redacteur),
    ("GET", "/beheer/nieuws/nieuw", Role::Redacteur),
    ("GET", "/beheer/nieuws/{id}", Role::Redacteur),
    ("POST", "/beheer/nieuws/{id}", Role::Redacteur),
    ("GET", "/beheer/aanmeldingen", Role::Coordinator),
    ("POST", "/beheer/aanmeldingen/{id}", Role::Coordinator),
    ("GET", "/beheer/nieuwsbrieven", Role::Coordinator),
    ("POST", "/beheer/nieuwsbrieven", Role::Coordinator),
    ("GET", "/beheer/nieuwsbrieven/{id}", Role::Coordinator),
    ("GET", "/beheer/nieuwsbrieven/{id}/voortgang.json", Role::Coordinator),
    ("POST", "/beheer/nieuwsbrieven/{id}/actie", Role::Coordinator),
    ("POST", "/beheer/nieuwsbrieven/{id}/blokken", Role::Coordinator),
    ("GET", "/beheer/nieuwsbrieven/{id}/voorbeeld.html", Role::Coordinator),
    ("GET", "/beheer/abonnees", Role::Coordinator),
    ("GET", "/beheer/abonnees.csv", Role::Coordinator),
    ("POST", "/beheer/abonnees/{id}", Role::Coordinator),
    ("GET", "/beheer/abonnees/importeren", Role::Coordinator),
    ("POST", "/beheer/abonnees/importeren", Role::Coordinator),
    ("GET", "/beheer/inspiratieregios", Role::Coordinator),
    ("POST", "/beheer/inspiratieregios/termijn", Role::Coordinator),
    ("POST", "/beheer/inspiratieregios/{id}", Role::Coordinator),
    ("GET", "/beheer/audit", Role::Beheerder),
    ("GET", "/beheer/e-mail", Role::Coordinator),
    ("GET", "/beheer/e-mail/{id}", Role::Coordinator),
    ("GET", "/beheer/initiatieven", Role::Redacteur),
    ("POST", "/beheer/initiatieven", Role::Redacteur),
    ("GET", "/beheer/initiatieven/nieuw", Role::Redacteur),
    ("GET", "/beheer/initiatieven/{id}", Role::Redacteur),
    ("POST", "/beheer/initiatieven/{id}", Role::Redacteur),
    ("POST", "/beheer/initiatieven/{id}/beoordeling", Role::Redacteur),
    ("GET", "/beheer/taxonomie", Role::Coordinator),
    ("POST", "/beheer/taxonomie", Role::Coordinator),
    ("POST", "/beheer/taxonomie/{id}", Role::Coordinator),
];

fn role_for(method: &str, path: &str) -> Role {
    ROUTES.iter().find(|(m, p, _)| *m == method && *p == path).map(|(_, _, r)| *r).unwrap_or(Role::Beheerder)
}

/// Wraps a handler so that it answers only to users with the role `ROUTES` names for it.
fn guarded(
    method: &'static str,
    path: &'static str,
    handler: MethodRouter<AppState>,
) -> MethodRouter<AppState> {
    let role = role_for(method, path);
    handler.route_layer(axum::middleware::from_fn(move |request: Request, next: Next| {
        require(role, request, next)
    }))
}

async fn require(role: Role, request: Request, next: Next) -> Response {
    let user = request.extensions().get::<CurrentUser>().and_then(|c| c.0.clone());
    match user {
        None => login_redirect(request.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/beheer")),
        Some(user) if !user.can(role) => AppError::Forbidden.into_response(),
        Some(_) => next.run(request).await,
    }
}

pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/beheer", guarded("GET", "/beheer", get(dashboard)))
        .route(
            "/beheer/gebruikers",
            guarded("GET", "/beheer/gebruikers", get(users::list)).merge(guarded(
                "POST",
                "/beheer/gebruikers",
                post(users::create),
            )),
        )
        .route("/beheer/gebruikers/{id}", guarded("POST", "/beheer/gebruikers/{id}", post(users::update)))
        .route(
            "/beheer/nieuws",
            guarded("GET", "/beheer/nieuws", get(news::list)).merge(guarded(
                "POST",
                "/beheer/nieuws",
                post(news::create),
            )),
        )
        .route("/beheer/nieuws/nieuw", guarded("GET", "/beheer/nieuws/nieuw", get(news::new_form)))
        .route(
            "/beheer/nieuws/{id}",
            guarded("GET", "/beheer/nieuws/{id}", get(news::edit_form)).merge(guarded(
                "POST",
                "/beheer/nieuws/{id}",
                post(news::update),
            )),
        )
        .route("/beheer/aanmeldingen", guarded("GET", "/beheer/aanmeldingen", get(applications::list)))
        .route(
            "/beheer/aanmeldingen/{id}",
            guarded("POST", "/beheer/aanmeldingen/{id}", post(applications::decide)),
        )
        .route(
            "/beheer/nieuwsbrieven",
            guarded("GET", "/beheer/nieuwsbrieven", get(campaigns::list)).merge(guarded(
                "POST",
                "/beheer/nieuwsbrieven",
                post(campaigns::create),
            )),
        )
        .route(
            "/beheer/nieuwsbrieven/{id}",
            guarded("GET", "/beheer/nieuwsbrieven/{id}", get(campaigns::show)),
        )
        .route(
            "/beheer/nieuwsbrieven/{id}/voortgang.json",
            guarded("GET", "/beheer/nieuwsbrieven/{id}/voortgang.json", get(campaigns::progress_json)),
        )
        .route(
            "/beheer/nieuwsbrieven/{id}/actie",
            guarded("POST", "/beheer/nieuwsbrieven/{id}/actie", post(campaigns::action)),
        )
        .route(
            "/beheer/nieuwsbrieven/{id}/blokken",
            guarded("POST", "/beheer/nieuwsbrieven/{id}/blokken", post(campaigns::save_blocks)),
        )
        .route(
            "/beheer/nieuwsbrieven/{id}/voorbeeld.html",
            guarded("GET", "/beheer/nieuwsbrieven/{id}/voorbeeld.html", get(campaigns::preview_html)),
        )
        .route("/beheer/abonnees", guarded("GET", "/beheer/abonnees", get(subscribers::list)))
        .route("/beheer/abonnees.csv", guarded("GET", "/beheer/abonnees.csv", get(subscribers::export)))
        .route(
            "/beheer/abonnees/importeren",
            guarded("GET", "/beheer/abonnees/importeren", get(subscribers::import_form)).merge(guarded(
                "POST",
                "/beheer/abonnees/importeren",
                post(subscribers::import),
            )),
        )
        .route("/beheer/abonnees/{id}", guarded("POST", "/beheer/abonnees/{id}", post(subscribers::action)))
        .route(
            "/beheer/inspiratieregios",
            guarded("GET", "/beheer/inspiratieregios", get(region_applications::list)),
        )
        .route(
            "/beheer/inspiratieregios/termijn",
            guarded("POST", "/beheer/inspiratieregios/termijn", post(region_applications::set_deadline)),
        )
        .route(
            "/beheer/inspiratieregios/{id}",
            guarded("POST", "/beheer/inspiratieregios/{id}", post(region_applications::decide)),
        )
        .route("/beheer/audit", guarded("GET", "/beheer/audit", get(audit_log::list)))
        .route("/beheer/e-mail", guarded("GET", "/beheer/e-mail", get(outbox::list)))
        .route("/beheer/e-mail/{id}", guarded("GET", "/beheer/e-mail/{id}", get(outbox::show)))
        .route(
            "/beheer/initiatieven",
            guarded("GET", "/beheer/initiatieven", get(initiatives::list)).merge(guarded(
                "POST",
                "/beheer/initiatieven",
                post(initiatives::create),
            )),
        )
        .route(
            "/beheer/initiatieven/nieuw",
            guarded("GET", "/beheer/initiatieven/nieuw", get(initiatives::new_form)),
        )
        .route(
            "/beheer/initiatieven/{id}",
            guarded("GET", "/beheer/initiatieven/{id}", get(initiatives::edit_form)).merge(guarded(
                "POST",
                "/beheer/initiatieven/{id}",
                post(initiatives::update),
            )),
        )
        .route(
            "/beheer/initiatieven/{id}/beoordeling",
            guarded("POST", "/beheer/initiatieven/{id}/beoordeling", post(initiatives::decide)),
        )
        .route(
            "/beheer/taxonomie",
            guarded("GET", "/beheer/taxonomie", get(taxonomy::show)).merge(guarded(
                "POST",
                "/beheer/taxonomie",
                post(taxonomy::add),
            )),
        )
        .route("/beheer/taxonomie/{id}", guarded("POST", "/beheer/taxonomie/{id}", post(taxonomy::change)))
        // Anything else under /beheer still needs a login with at least the editor role.
        .route("/beheer/{*rest}", get(|| async { AppError::NotFound }))
        .layer(from_fn_with_state(state, area_guard))
}

/// The floor for the whole area, so a route added without its own guard is never public.
async fn area_guard(State(_): State<AppState>, request: Request, next: Next) -> Response {
    require(Role::Redacteur, request, next).await
}

#[derive(Template)]
#[template(path = "admin/dashboard.html")]
struct DashboardTemplate {
    page: Page,
    waiting_mail: i64,
    failed_mail: i64,
    users: i64,
    waiting_members: i64,
    waiting_initiatives: i64,
}

impl DashboardTemplate {
    fn can(&self, role: Role) -> bool {
        self.page.user.as_ref().is_some_and(|u| u.can(role))
    }
}

async fn dashboard(State(state): State<AppState>, page: Page) -> AppResult<impl IntoResponse> {
    let (waiting_mail, failed_mail): (i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE status = 'wachtend'), count(*) FILTER (WHERE status = 'mislukt') FROM outbox",
    )
    .fetch_one(&state.db)
    .await?;
    let users: i64 =
        sqlx::query_scalar("SELECT count(*) FROM users WHERE active").fetch_one(&state.db).await?;
    let waiting_members: i64 =
        sqlx::query_scalar("SELECT count(*) FROM members WHERE status = 'wacht_op_beoordeling'")
            .fetch_one(&state.db)
            .await?;
    let waiting_initiatives: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM initiatives i WHERE i.status = 'ter_beoordeling' \
            OR EXISTS (SELECT 1 FROM initiative_revisions v WHERE v.initiative_id = i.id AND v.decided_at IS NULL)",
    )
    .fetch_one(&state.db)
    .await?;
    Ok(Html(DashboardTemplate {
        page: page.crumb("Beheer", "/beheer"),
        waiting_mail,
        failed_mail,
        users,
        waiting_members,
        waiting_initiatives,
    }))
}
