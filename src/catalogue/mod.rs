//! The catalogue of initiatives: a filterable, searchable list and a page per initiative.

pub(crate) mod admin;
pub(crate) mod editorial;
pub(crate) mod handlers;
pub(crate) mod index;
pub(crate) mod lifecycle;
pub(crate) mod mails;
pub(crate) mod queries;
pub(crate) mod review;
mod status;

pub use status::{InitiativeStatus, RevisionDecision};

use axum::Router;
use axum::routing::{get, post};

use crate::admin::BackOffice;
use crate::state::AppState;
use crate::web::auth::Role;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/initiatieven", get(handlers::list))
        .route("/initiatieven/{slug}", get(handlers::show))
        .route("/initiatieven/{slug}/contact", post(handlers::contact))
}

/// `/beheer/initiatieven` (editing and the review queue) and `/beheer/taxonomie` (vocabularies).
pub(crate) fn admin_routes(back_office: BackOffice) -> BackOffice {
    use crate::admin::Editor;
    use admin::initiatives::{edit_form, list, new_form, save};
    use admin::{initiatives, taxonomy};
    back_office
        .editor("/beheer/initiatieven", Role::Redacteur, Editor { list, new_form, edit_form, save })
        .post("/beheer/initiatieven/{id}/beoordeling", Role::Redacteur, initiatives::decide)
        .get("/beheer/taxonomie", Role::Coordinator, taxonomy::show)
        .post("/beheer/taxonomie", Role::Coordinator, taxonomy::add)
        .post("/beheer/taxonomie/{id}", Role::Coordinator, taxonomy::change)
}
