//! The kennisbank: the network's publications, searchable with facets, citable in APA 7, RIS,
//! BibTeX and CSL-JSON, and linked to the initiatives that put them to work.

pub(crate) mod admin;
pub(crate) mod api;
pub(crate) mod cite;
pub(crate) mod connect;
pub(crate) mod fields;
pub(crate) mod form;
pub(crate) mod handlers;
pub(crate) mod index;
pub mod links;
pub(crate) mod mails;
pub(crate) mod pdf;
mod propose;
pub(crate) mod queries;
mod revisions;
pub(crate) mod seed;
mod status;
mod text;

pub use status::{Access, AuthorKind, Licence, PublicationKind};

/// A publication goes through the editorial statuses of an initiative (concept, ter
/// beoordeling, gepubliceerd, gearchiveerd), stored with the same values.
pub use crate::catalogue::InitiativeStatus as PublicationStatus;

use axum::Router;
use axum::routing::{get, post};

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
        .route("/account/kennisbank/{id}/pdf", post(propose::pdf))
        .route("/account/kennisbank/wijzigen/{slug}", get(revisions::new_form).post(revisions::create))
}

/// `/beheer/kennisbank`: editing every publication and deciding on proposals.
pub(crate) fn admin_routes(back_office: BackOffice) -> BackOffice {
    use crate::admin::Editor;
    use admin::{edit_form, list, new_form, save};
    back_office
        .editor("/beheer/kennisbank", Role::Redacteur, Editor { list, new_form, edit_form, save })
        .post("/beheer/kennisbank/{id}/beoordeling", Role::Redacteur, admin::decide)
        .post("/beheer/kennisbank/{id}/pdf", Role::Redacteur, admin::pdf)
        .post("/beheer/kennisbank/{id}/koppelingen", Role::Redacteur, connect::change)
        .get("/beheer/kennisbank/wijzigingen/{id}", Role::Redacteur, revisions::review)
        .post("/beheer/kennisbank/wijzigingen/{id}", Role::Redacteur, revisions::decide)
}
