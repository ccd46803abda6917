//! The newsletter: subscribing with double opt-in, leaving with one click, the archive of
//! sent campaigns, and the sender that delivers each campaign exactly once.

pub(crate) mod admin;
mod archive;
pub(crate) mod content;
pub(crate) mod lifecycle;
pub(crate) mod mails;
pub mod sending;
mod status;
mod subscribe;

pub use status::{BlockKind, CampaignStatus, DeliveryStatus, SubscriberStatus};

use axum::Router;
use axum::routing::get;

use crate::admin::BackOffice;
use crate::state::AppState;
use crate::web::auth::Role;

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

/// `/beheer/nieuwsbrieven` (campaigns) and `/beheer/abonnees` (subscribers).
pub(crate) fn admin_routes(back_office: BackOffice) -> BackOffice {
    use admin::{campaigns, subscribers};
    back_office
        .get("/beheer/nieuwsbrieven", Role::Coordinator, campaigns::list)
        .post("/beheer/nieuwsbrieven", Role::Coordinator, campaigns::create)
        .get("/beheer/nieuwsbrieven/{id}", Role::Coordinator, campaigns::show)
        .get("/beheer/nieuwsbrieven/{id}/voortgang.json", Role::Coordinator, campaigns::progress_json)
        .post("/beheer/nieuwsbrieven/{id}/actie", Role::Coordinator, campaigns::action)
        .post("/beheer/nieuwsbrieven/{id}/blokken", Role::Coordinator, campaigns::save_blocks)
        .get("/beheer/nieuwsbrieven/{id}/voorbeeld.html", Role::Coordinator, campaigns::preview_html)
        .get("/beheer/abonnees", Role::Coordinator, subscribers::list)
        .get("/beheer/abonnees.csv", Role::Coordinator, subscribers::export)
        .post("/beheer/abonnees/{id}", Role::Coordinator, subscribers::action)
        .get("/beheer/abonnees/importeren", Role::Coordinator, subscribers::import_form)
        .post("/beheer/abonnees/importeren", Role::Coordinator, subscribers::import)
}
