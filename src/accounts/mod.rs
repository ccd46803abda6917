//! Accounts: log in and out, reset a forgotten password, and the own-account page.

pub(crate) mod admin;
pub(crate) mod handlers;
pub(crate) mod mails;
pub mod password;
pub(crate) mod session;
mod status;
pub(crate) mod throttle;
pub mod users;

use axum::Router;
use axum::routing::{get, post};

use crate::admin::BackOffice;
use crate::state::AppState;
use crate::web::auth::Role;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/inloggen", get(handlers::login_form).post(handlers::login))
        .route("/uitloggen", post(handlers::logout))
        .route("/wachtwoord-vergeten", get(handlers::forgot_form).post(handlers::forgot))
        .route("/wachtwoord-herstellen/{token}", get(handlers::reset_form).post(handlers::reset))
        .route("/account", get(handlers::account))
        .route("/account/wachtwoord", post(handlers::change_password))
        .route("/account/e-mail", post(handlers::change_email))
        .route(
            "/account/e-mail/bevestigen/{token}",
            get(handlers::confirm_email_page).post(handlers::confirm_email),
        )
        .route("/account/gegevens.json", get(handlers::export))
        .route("/account/verwijderen", post(handlers::delete_account))
}

/// `/beheer/gebruikers`: users and their roles.
pub(crate) fn admin_routes(back_office: BackOffice) -> BackOffice {
    back_office
        .get("/beheer/gebruikers", Role::Beheerder, admin::list)
        .post("/beheer/gebruikers", Role::Beheerder, admin::create)
        .post("/beheer/gebruikers/{id}", Role::Beheerder, admin::update)
}

/// Only local paths are followed after login, so `?volgende=` cannot send anyone elsewhere.
pub fn safe_next(next: &str) -> Option<&str> {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(|c| c.is_control())
        && next.len() <= 500;
    ok.then_some(next)
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next("/beheer/gebruikers?q=a"), Some("/beheer/gebruikers?q=a"));
        for bad in
            ["https://evil.example", "//evil.example", "/\\evil.example", "javascript:alert(1)", "", "/a\nb"]
        {
            assert_eq!(safe_next(bad), None, "{bad}");
        }
    }
}
