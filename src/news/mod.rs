//! News: published items, their pages and the Atom feed.

pub(crate) mod admin;
mod feed;
mod handlers;
pub(crate) mod publishing;
pub(crate) mod queries;
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
    use crate::admin::Editor;
    use admin::{edit_form, list, new_form, save};
    back_office.editor("/beheer/nieuws", Role::Redacteur, Editor { list, new_form, edit_form, save })
}
