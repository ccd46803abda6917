//! The kennisbank: the network's publications, searchable with facets, citable in APA 7, RIS,
//! BibTeX and CSL-JSON, and linked to the initiatives that put them to work.

pub mod cite;
pub mod fields;
pub mod handlers;
pub mod index;
pub mod queries;
pub mod seed;
mod status;

pub use status::{Access, AuthorKind, Licence, PublicationKind};

/// A publication goes through the editorial statuses of an initiative (concept, ter
/// beoordeling, gepubliceerd, gearchiveerd), stored with the same values.
pub use crate::catalogue::InitiativeStatus as PublicationStatus;

use axum::Router;
use axum::routing::get;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/kennisbank", get(handlers::list)).route("/kennisbank/{slug}", get(handlers::show))
}
