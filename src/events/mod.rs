//! Bijeenkomsten: events with registration, a waiting list that never overbooks, personal
//! links, mails with calendar invitations, and calendar files.

mod handlers;
pub mod ics;
pub(crate) mod mails;
pub mod places;
pub mod queries;
pub mod seed;
mod status;
pub mod worker;

pub use status::{EventForm, EventStatus, QuestionKind, RegistrationStatus};

use axum::Router;
use axum::routing::get;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/bijeenkomsten", get(handlers::list))
        .route("/bijeenkomsten.ics", get(handlers::feed))
        // Also `/bijeenkomsten/{slug}.ics`: a path segment cannot hold a parameter and a suffix.
        .route("/bijeenkomsten/{slug}", get(handlers::show).post(handlers::register))
        .route(
            "/bijeenkomsten/aanmelding/{token}",
            get(handlers::registration_page).post(handlers::registration_action),
        )
}
