//! The newsletter: subscribing with double opt-in, leaving with one click, the archive of
//! sent campaigns, and the sender that delivers each campaign exactly once.

mod archive;
pub mod content;
pub mod sending;
mod subscribe;

use axum::Router;
use axum::routing::get;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/nieuwsbrief", get(subscribe::form_page).post(subscribe::subscribe))
        .route("/nieuwsbrief/bevestigen/{token}", get(subscribe::confirm_page).post(subscribe::confirm))
        .route("/nieuwsbrief/afmelden/{token}", get(subscribe::unsubscribe_page).post(subscribe::unsubscribe))
        .route(
            "/nieuwsbrief/voorkeuren/{token}",
            get(subscribe::preferences_page).post(subscribe::save_preferences),
        )
        .route("/nieuwsbrief/archief", get(archive::list))
        .route("/nieuwsbrief/archief/{slug}", get(archive::show))
}
