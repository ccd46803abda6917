//! The newsletter: what it is and how to subscribe. Subscriptions, double opt-in and
//! campaigns build on this module.

use askama::Template;
use axum::Router;
use axum::response::IntoResponse;
use axum::routing::get;

use crate::state::AppState;
use crate::web::page::{Html, Page};

pub fn router() -> Router<AppState> {
    Router::new().route("/nieuwsbrief", get(about))
}

#[derive(Template)]
#[template(path = "newsletter/about.html")]
struct AboutTemplate {
    page: Page,
}

async fn about(page: Page) -> impl IntoResponse {
    Html(AboutTemplate { page: page.crumb("Nieuwsbrief", "/nieuwsbrief") })
}
