//! Bijeenkomsten: events with registration, a waiting list that never overbooks, personal
//! links, mails with calendar invitations, and calendar files.

pub(crate) mod account;
pub(crate) mod admin;
pub(crate) mod api;
mod handlers;
pub(crate) mod ics;
pub(crate) mod index;
pub(crate) mod mails;
pub mod places;
pub(crate) mod queries;
pub(crate) mod seed;
mod status;
pub(crate) mod worker;

pub use status::EventStatus;

use axum::Router;
use axum::routing::get;

use crate::admin::BackOffice;
use crate::state::AppState;
use crate::web::auth::Role;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/bijeenkomsten", get(handlers::list))
        .route("/bijeenkomsten.ics", get(handlers::feed))
        // Also `/bijeenkomsten/{slug}.ics`: a path segment cannot hold a parameter and a suffix.
        .route("/bijeenkomsten/{slug}", get(handlers::show).post(handlers::register))
        .route(
            "/bijeenkomsten/aanmelding/{token}",
            get(handlers::registration_page).post(handlers::registration_action),
        )
}

/// `/beheer/bijeenkomsten`: events, their registrations and reports (editors and up).
pub(crate) fn admin_routes(back_office: BackOffice) -> BackOffice {
    use crate::admin::Editor;
    use admin::{edit_form, list, new_form, save};
    back_office
        .editor("/beheer/bijeenkomsten", Role::Redacteur, Editor { list, new_form, edit_form, save })
        .post("/beheer/bijeenkomsten/{id}/annuleren", Role::Redacteur, admin::cancel)
        .post("/beheer/bijeenkomsten/{id}/verslag", Role::Redacteur, admin::save_report)
        .get("/beheer/bijeenkomsten/{id}/aanmeldingen", Role::Redacteur, admin::registrations::list)
        .post("/beheer/bijeenkomsten/{id}/aanmeldingen", Role::Redacteur, admin::registrations::action)
        .get("/beheer/bijeenkomsten/{id}/aanmeldingen.csv", Role::Redacteur, admin::registrations::export)
}
