//! The back office under `/beheer`. Each feature declares its own back-office routes (its
//! `admin_routes`), each with the least role it needs (see `back_office`); this module merges
//! them with its own (dashboard, audit log, outbox) and puts a floor under the whole area:
//! at least the editor role. The test suite walks the same declarations (`routes()`).

mod audit_log;
mod back_office;
mod outbox;

use askama::Template;
use axum::Router;
use axum::extract::Request;
use axum::middleware::{Next, from_fn};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

pub use self::back_office::BackOfficeRoute;
use self::back_office::require;
pub(crate) use self::back_office::{BackOffice, Editor, form_crumbs};
use crate::catalogue::InitiativeStatus;
use crate::error::{AppError, AppResult};
use crate::mail::OutboxStatus;
use crate::members::MemberStatus;
use crate::state::AppState;
use crate::web::auth::Role;
use crate::web::page::{Html, Page};
use crate::{accounts, catalogue, events, members, news, newsletter, regions};

/// Every back-office route, as declared: the back office's own and those of each feature.
fn declarations() -> BackOffice {
    let own = BackOffice::new()
        .get("/beheer", Role::Redacteur, dashboard)
        .get("/beheer/audit", Role::Beheerder, audit_log::list)
        .get("/beheer/e-mail", Role::Coordinator, outbox::list)
        .get("/beheer/e-mail/{id}", Role::Coordinator, outbox::show);
    let features = [
        accounts::admin_routes,
        news::admin_routes,
        members::admin_routes,
        newsletter::admin_routes,
        regions::admin_routes,
        catalogue::admin_routes,
        events::admin_routes,
        crate::kennisbank::admin_routes,
        crate::vraagstukken::admin_routes,
        crate::opbrengsten::admin_routes,
        crate::verbinden::admin_routes,
    ];
    features.into_iter().fold(own, |back_office, declare| declare(back_office))
}

/// Every back-office route with the least role it needs; the test suite walks this table.
pub fn routes() -> Vec<BackOfficeRoute> {
    declarations().into_parts().1
}

pub fn router() -> Router<AppState> {
    let (router, _) = declarations().into_parts();
    router
        // Anything else under /beheer still needs a login with at least the editor role.
        .route("/beheer/{*rest}", get(|| async { AppError::NotFound }))
        .layer(from_fn(area_guard))
}

/// The floor for the whole area, so a route added without its own guard is never public.
async fn area_guard(request: Request, next: Next) -> Response {
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

async fn dashboard(state: AppState, page: Page) -> AppResult<impl IntoResponse> {
    let mail = sqlx::query!(
        r#"SELECT count(*) FILTER (WHERE status = $1) AS "waiting!", count(*) FILTER (WHERE status = $2) AS "failed!"
           FROM outbox"#,
        OutboxStatus::Wachtend as OutboxStatus,
        OutboxStatus::Mislukt as OutboxStatus,
    )
    .fetch_one(&state.db)
    .await?;
    let (waiting_mail, failed_mail) = (mail.waiting, mail.failed);
    let users = sqlx::query_scalar!(r#"SELECT count(*) AS "count!" FROM users WHERE active"#)
        .fetch_one(&state.db)
        .await?;
    let waiting_members = sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM members WHERE status = $1"#,
        MemberStatus::WachtOpBeoordeling as MemberStatus,
    )
    .fetch_one(&state.db)
    .await?;
    let waiting_initiatives = sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM initiatives i WHERE i.status = $1
              OR EXISTS (SELECT 1 FROM initiative_revisions v WHERE v.initiative_id = i.id AND v.decided_at IS NULL)"#,
        InitiativeStatus::TerBeoordeling as InitiativeStatus,
    )
    .fetch_one(&state.db)
    .await?;
    Ok(Html(DashboardTemplate {
        page: page.in_back_office(),
        waiting_mail,
        failed_mail,
        users,
        waiting_members,
        waiting_initiatives,
    }))
}
