//! Vraagstukken: the obstacles the network maps at four levels (uitvoerend, bestuurlijk,
//! beleidsmatig, politiek) with the alternatives that answer them, and opbrengsten: what the
//! inspiratieregio's learn.

pub(crate) mod account;
pub(crate) mod admin;
pub(crate) mod api;
pub(crate) mod form;
mod handlers;
pub(crate) mod index;
pub(crate) mod mails;
mod proposals;
pub(crate) mod queries;
pub(crate) mod review;
pub(crate) mod seed;
mod status;

pub use status::VraagstukStatus;

/// Obstacles, alternatives and lessons go through the editorial statuses of an initiative
/// (concept, ter beoordeling, gepubliceerd, gearchiveerd), stored with the same values.
pub use crate::catalogue::InitiativeStatus as Review;

use axum::Router;
use axum::routing::{get, post};

use crate::admin::BackOffice;
use crate::state::AppState;
use crate::web::auth::Role;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/vraagstukken", get(handlers::list))
        .route("/vraagstukken/{slug}", get(handlers::show))
        .route("/vraagstukken/{slug}/herkennen", post(handlers::recognise))
        .route("/api/v1/vraagstukken", get(api::list))
        .route("/account/vraagstukken", get(proposals::list))
        .route("/account/vraagstukken/nieuw", get(proposals::new_form).post(proposals::create))
        .route(
            "/account/vraagstukken/alternatief",
            get(proposals::alternative_form).post(proposals::propose_alternative),
        )
}

/// `/beheer/vraagstukken`: curating the obstacles and deciding on proposals.
pub(crate) fn admin_routes(back_office: BackOffice) -> BackOffice {
    use crate::admin::Editor;
    use admin::{edit_form, list, new_form, save};
    back_office
        .editor("/beheer/vraagstukken", Role::Redacteur, Editor { list, new_form, edit_form, save })
        .post("/beheer/vraagstukken/{id}/beoordeling", Role::Redacteur, admin::decide)
        .post("/beheer/vraagstukken/{id}/samenvoegen", Role::Redacteur, admin::merge)
        .post("/beheer/vraagstukken/{id}/alternatieven", Role::Redacteur, admin::add_alternative)
        .post(
            "/beheer/vraagstukken/{id}/alternatieven/{alternatief}",
            Role::Redacteur,
            admin::change_alternative,
        )
        .post(
            "/beheer/vraagstukken/{id}/alternatieven/{alternatief}/beoordeling",
            Role::Redacteur,
            admin::decide_alternative,
        )
}
