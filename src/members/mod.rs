//! Aandeelhouders: the people and organisations that joined the network. Only members who
//! consented to a public profile and were approved appear on the site.

pub(crate) mod admin;
mod handlers;
pub(crate) mod index;
mod initiatives;
mod join;
pub(crate) mod mails;
mod profile;
pub(crate) mod queries;
pub(crate) mod review;
mod status;

pub use status::{MemberKind, MemberStatus};

use axum::Router;
use axum::routing::get;

use crate::admin::BackOffice;
use crate::state::AppState;
use crate::web::auth::Role;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/aandeelhouders", get(handlers::list))
        .route("/aandeelhouders/{slug}", get(handlers::show))
        .route("/aandeelhouder-worden", get(join::form_page).post(join::submit))
        .route("/aandeelhouder-worden/bevestigen/{token}", get(join::confirm_page).post(join::confirm))
        .route("/account/profiel", get(profile::edit).post(profile::save))
        .route("/account/initiatieven", get(initiatives::list))
        .route("/account/initiatieven/nieuw", get(initiatives::new_form).post(initiatives::create))
        .route("/account/initiatieven/{id}", get(initiatives::edit_form).post(initiatives::update))
}

/// `/beheer/aanmeldingen`: deciding on applications to join.
pub(crate) fn admin_routes(back_office: BackOffice) -> BackOffice {
    back_office.get("/beheer/aanmeldingen", Role::Coordinator, admin::list).post(
        "/beheer/aanmeldingen/{id}",
        Role::Coordinator,
        admin::decide,
    )
}
