//! Provinces, municipalities and jeugdregio's, and the inspiratieregio's among them.

pub mod apply;
mod handlers;
pub mod map;
pub mod queries;
mod status;

pub use status::{ApplicationDecision, RegionKind};

use axum::Router;
use axum::routing::get;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/regios", get(handlers::list))
        .route("/regios/{slug}", get(handlers::show))
        .route("/inspiratieregio-aanmelden", get(apply::form_page).post(apply::submit))
}
