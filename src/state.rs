use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use sqlx::PgPool;

use crate::catalogue::index::CatalogueIndex;
use crate::config::Config;
use crate::events::index::EventIndex;
use crate::geo::Geo;
use crate::kennisbank::index::PublicationIndex;
use crate::members::index::MemberIndex;
use crate::opbrengsten::index::LessonIndex;
use crate::vraagstukken::index::VraagstukIndex;
use crate::web::assets::Assets;
use crate::web::page_cache::PageCache;

/// Everything a handler may need; cheap to clone (each part is reference counted).
#[derive(Clone)]
pub struct AppState {
    pub db: PgPool,
    pub config: Arc<Config>,
    pub assets: Assets,
    /// CBS boundaries, for the maps.
    pub geo: Arc<Geo>,
    /// This instance's in-memory view of the published catalogue.
    pub catalogue: Arc<CatalogueIndex>,
    /// This instance's in-memory view of the public members.
    pub members: Arc<MemberIndex>,
    /// This instance's in-memory view of the published kennisbank.
    pub publications: Arc<PublicationIndex>,
    /// This instance's in-memory view of the events on the site.
    pub events: Arc<EventIndex>,
    /// This instance's in-memory view of the published lessons.
    pub lessons: Arc<LessonIndex>,
    /// This instance's in-memory view of the published vraagstukken.
    pub vraagstukken: Arc<VraagstukIndex>,
    /// This instance's rendered public pages.
    pub pages: Arc<PageCache>,
}

/// Handlers take the state as an extractor of its own (`state: AppState`), as the Rust package
/// registry's backend takes its `AppState`, rather than through `State(state): State<AppState>`.
impl FromRequestParts<AppState> for AppState {
    type Rejection = Infallible;

    async fn from_request_parts(_: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        Ok(state.clone())
    }
}
