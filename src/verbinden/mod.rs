//! Verbinden: members find the people and practices that work on the same thing. A member
//! chooses to be suggested and to receive messages (both off until chosen, on their profile);
//! suggestions come from one readable rule (`rule`) with the reason in words; members write to
//! each other through a relay that never shows an address; coordinators see counts and abuse
//! reports in `/beheer/verbinden`.

pub(crate) mod admin;
mod handlers;
mod mails;
pub(crate) mod queries;
pub(crate) mod rule;
pub(crate) mod seed;
mod status;

pub use handlers::{Block, Subject, block, followed, nearest, top_for_member, write_url};
pub use status::{CountKind, ReportStatus};

use axum::Router;
use axum::routing::{get, post};

use crate::admin::BackOffice;
use crate::state::AppState;
use crate::web::auth::Role;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/verbinden/niet-relevant", post(handlers::dismiss))
        .route("/aandeelhouders/{slug}/schrijven", get(handlers::write_form).post(handlers::write))
        .route("/verbinden/melden/{token}", get(handlers::report_form).post(handlers::report))
}

/// `/beheer/verbinden`: counts, abuse reports and blocked senders (coordinators).
pub(crate) fn admin_routes(back_office: BackOffice) -> BackOffice {
    back_office
        .get("/beheer/verbinden", Role::Coordinator, admin::overview)
        .post("/beheer/verbinden/meldingen/{id}", Role::Coordinator, admin::decide)
        .post("/beheer/verbinden/blokkades/{id}", Role::Coordinator, admin::unblock)
}
