//! Vraagstukken: the obstacles the network maps at four levels (uitvoerend, bestuurlijk,
//! beleidsmatig, politiek) with the alternatives that answer them, and opbrengsten: what the
//! inspiratieregio's learn.

pub(crate) mod api;
mod handlers;
pub mod queries;
pub mod seed;
mod status;

pub use status::VraagstukStatus;

/// Obstacles, alternatives and lessons go through the editorial statuses of an initiative
/// (concept, ter beoordeling, gepubliceerd, gearchiveerd), stored with the same values.
pub use crate::catalogue::InitiativeStatus as Review;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/vraagstukken", get(handlers::list))
        .route("/vraagstukken/{slug}", get(handlers::show))
        .route("/vraagstukken/{slug}/herkennen", post(handlers::recognise))
        .route("/api/v1/vraagstukken", get(api::list))
}
