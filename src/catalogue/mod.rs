//! The catalogue of initiatives: a filterable, searchable list and a page per initiative.

pub mod handlers;
pub mod index;
pub mod queries;
mod status;

pub use status::{InitiativeStatus, RevisionDecision};

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/initiatieven", get(handlers::list))
        .route("/initiatieven/{slug}", get(handlers::show))
        .route("/initiatieven/{slug}/contact", post(handlers::contact))
}
