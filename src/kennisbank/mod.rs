//! The kennisbank: the network's publications, searchable with facets, citable in APA 7, RIS,
//! BibTeX and CSL-JSON, and linked to the initiatives that put them to work.

pub(crate) mod admin;
pub(crate) mod api;
pub mod cite;
pub mod fields;
pub(crate) mod form;
pub mod handlers;
pub mod index;
pub mod links;
pub(crate) mod mails;
mod propose;
pub mod queries;
pub mod seed;
mod status;

pub use status::{Access, AuthorKind, Licence, PublicationKind};

/// A publication goes through the editorial statuses of an initiative (concept, ter
/// beoordeling, gepubliceerd, gearchiveerd), stored with the same values.
pub use crate::catalogue::InitiativeStatus as PublicationStatus;

use axum::Router;
use axum::routing::get;

use crate::admin::BackOffice;
use crate::state::AppState;
use crate::web::auth::Role;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/kennisbank", get(handlers::list))
        .route("/kennisbank/{slug}", get(handlers::show))
        .route("/api/v1/publications", get(api::list))
        .route("/account/kennisbank", get(propose::list))
        .route("/account/kennisbank/nieuw", get(propose::new_form).post(propose::create))
}

/// `/beheer/kennisbank`: editing every publication and deciding on proposals.
pub(crate) fn admin_routes(back_office: BackOffice) -> BackOffice {
    back_office
        .get("/beheer/kennisbank", Role::Redacteur, admin::list)
        .post("/beheer/kennisbank", Role::Redacteur, admin::create)
        .get("/beheer/kennisbank/nieuw", Role::Redacteur, admin::new_form)
        .get("/beheer/kennisbank/{id}", Role::Redacteur, admin::edit_form)
        .post("/beheer/kennisbank/{id}", Role::Redacteur, admin::update)
        .post("/beheer/kennisbank/{id}/beoordeling", Role::Redacteur, admin::decide)
}
