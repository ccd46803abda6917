//! Provinces, municipalities and jeugdregio's, and the inspiratieregio's among them.

pub(crate) mod admin;
pub(crate) mod apply;
mod handlers;
pub(crate) mod mails;
pub(crate) mod map;
pub(crate) mod queries;
pub(crate) mod review;
mod status;

pub use status::{ApplicationDecision, RegionKind};

use axum::Router;
use axum::routing::get;

use crate::admin::BackOffice;
use crate::state::AppState;
use crate::web::auth::Role;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/regios", get(handlers::list))
        .route("/regios/{slug}", get(handlers::show))
        .route("/inspiratieregio-aanmelden", get(apply::form_page).post(apply::submit))
}

/// `/beheer/inspiratieregios`: the application round and its decisions.
pub(crate) fn admin_routes(back_office: BackOffice) -> BackOffice {
    back_office
        .get("/beheer/inspiratieregios", Role::Coordinator, admin::list)
        .post("/beheer/inspiratieregios/termijn", Role::Coordinator, admin::set_deadline)
        .post("/beheer/inspiratieregios/{id}", Role::Coordinator, admin::decide)
}
