//! News: published items, their pages and the Atom feed.

pub(crate) mod admin;
mod feed;
mod handlers;
pub mod queries;

use axum::Router;
use axum::routing::get;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/nieuws", get(handlers::list))
        .route("/nieuws/feed.xml", get(feed::atom))
        .route("/nieuws/{slug}", get(handlers::show))
}
