//! CSRF protection for every state-changing request, in one place.
//!
//! Each visitor has a random `bb_csrf` cookie; forms carry `csrf_token`, an HMAC of that cookie
//! under `SECRET_KEY`, so any app instance can check it without shared state. A request whose
//! browser says it came from another site (`Sec-Fetch-Site: cross-site`) is refused as well.
//! SameSite=Lax cookies and this token together cover old and new browsers.

use crate::config::Secret;
use crate::tokens;

pub const FIELD: &str = "csrf_token";

/// Paths that must accept a POST without a browser session: RFC 8058 one-click unsubscribe
/// comes from mail providers; its URL carries its own secret token.
pub const EXEMPT_PREFIXES: &[&str] = &["/nieuwsbrief/afmelden/"];

pub fn token_for(secret: &Secret, seed: &str) -> String {
    tokens::sign(secret, "csrf", seed)
}

pub fn verify(secret: &Secret, seed: &str, token: &str) -> bool {
    tokens::constant_time_eq(token_for(secret, seed).as_bytes(), token.as_bytes())
}

/// Finds `csrf_token` in an urlencoded form body.
pub fn token_in_form(body: &[u8]) -> Option<String> {
    url::form_urlencoded::parse(body).find(|(k, _)| k == FIELD).map(|(_, v)| v.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_bound_to_seed_and_secret() {
        let a = Secret::new("a".repeat(40));
        let b = Secret::new("b".repeat(40));
        let token = token_for(&a, "seed1");
        assert!(verify(&a, "seed1", &token));
        assert!(!verify(&a, "seed2", &token));
        assert!(!verify(&b, "seed1", &token));
        assert!(!verify(&a, "seed1", ""));
        assert_eq!(token_in_form(b"x=1&csrf_token=abc&y=2").as_deref(), Some("abc"));
    }
}
