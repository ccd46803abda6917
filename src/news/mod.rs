//! News: published items, their pages and the Atom feed.

pub(crate) mod admin;
mod feed;
mod handlers;
pub mod publishing;
pub mod queries;
mod status;

use axum::Router;
use axum::routing::get;

use crate::admin::BackOffice;
use crate::state::AppState;
use crate::web::auth::Role;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/nieuws", get(handlers::list))
        .route("/nieuws/feed.xml", get(feed::atom))
        .route("/nieuws/{slug}", get(handlers::show))
}

/// `/beheer/nieuws`: writing, scheduling and publishing news.
pub(crate) fn admin_routes(back_office: BackOffice) -> BackOffice {
    back_office
        .get("/beheer/nieuws", Role::Redacteur, admin::list)
        .post("/beheer/nieuws", Role::Redacteur, admin::create)
        .get("/beheer/nieuws/nieuw", Role::Redacteur, admin::new_form)
        .get("/beheer/nieuws/{id}", Role::Redacteur, admin::edit_form)
        .post("/beheer/nieuws/{id}", Role::Redacteur, admin::update)
}
