//! Opbrengsten: what the inspiratieregio's learn by doing — dated lessons (what works, what does
//! not, under which conditions), written by members who belong to the region and by editors,
//! reviewed before they are public, gathered at `/opbrengsten` and bundled by coordinators into
//! a newsletter block or a kennisbank record.

pub(crate) mod admin;
pub(crate) mod api;
mod handlers;
pub(crate) mod home;
pub(crate) mod index;
pub(crate) mod mails;
pub(crate) mod queries;
pub(crate) mod review;
pub(crate) mod seed;
mod status;
mod write;

pub use status::LessonKind;

/// Lessons go through the editorial statuses of an initiative; a rejected lesson is archived.
pub use crate::catalogue::InitiativeStatus as Review;

use axum::Router;
use axum::routing::get;

use crate::admin::BackOffice;
use crate::state::AppState;
use crate::web::auth::Role;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/opbrengsten", get(handlers::list))
        .route("/opbrengsten/schrijven", get(write::form_page).post(write::submit))
        .route("/opbrengsten/{slug}", get(handlers::show))
        .route("/api/v1/opbrengsten", get(api::list))
}

/// `/beheer/opbrengsten`: reviewing lessons (editors) and bundling them (coordinators).
pub(crate) fn admin_routes(back_office: BackOffice) -> BackOffice {
    back_office
        .get("/beheer/opbrengsten", Role::Redacteur, admin::list)
        .post("/beheer/opbrengsten/bundel", Role::Coordinator, admin::bundle)
        .post("/beheer/opbrengsten/{id}/beoordeling", Role::Redacteur, admin::decide)
}
