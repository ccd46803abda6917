//! Cross-site request forgery protection for every state-changing request, in one place
//! (`web::context`), without tokens or cookies: the browser says where a request comes from.
//!
//! The rule, for every method other than GET, HEAD and OPTIONS (which never change state):
//!
//! 1. `Sec-Fetch-Site` present (every browser since 2023): only `same-origin` (a form of this
//!    site) and `none` (the user's own action: address bar, bookmark) pass; `same-site` and
//!    `cross-site` are refused. A page cannot set or change this header.
//! 2. No `Sec-Fetch-Site`, but `Origin` present (browsers from before that, which send
//!    `Origin` with every cross-origin POST): it must be exactly the origin of `BASE_URL`;
//!    `null` and every other origin are refused.
//! 3. Neither header: not a browser that a forged page could drive (or one from before 2020).
//!    Such a request passes **only when it carries no logged-in session**; with a valid
//!    session it is refused.
//!
//! Why case 3 is safe: a forged cross-site request can only do harm through what the victim's
//! browser adds to it, and the one thing this site trusts is the session cookie. A request
//! without a session has no more power than the attacker's own request from their own
//! machine (which needs no browser at all), so refusing it would protect nothing. With a
//! session, the cookie is `SameSite=Lax` (not sent on cross-site POSTs by any browser since
//! 2020, when Lax became the default), and should an ancient browser send it anyway without
//! either header, rule 3 refuses the request. The only price: someone logged in with a browser
//! older than 2020 cannot post forms (they see the Dutch "formulier verlopen" page).
//!
//! This is the approach of Go 1.25's `CrossOriginProtection`, with rule 3 tightened for
//! sessions. Because nothing per visitor is needed, an anonymous page carries no token and
//! sets no cookie, so one rendering can serve everyone (see `web::page_cache`).

use axum::http::HeaderMap;
use axum::http::header::ORIGIN;

/// Paths that must accept a POST without a browser session: RFC 8058 one-click unsubscribe
/// comes from mail providers; its URL carries its own secret token.
pub const EXEMPT_PREFIXES: &[&str] = &["/nieuwsbrief/afmelden/"];

/// Why a request was refused, for the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// `Sec-Fetch-Site` said `same-site` or `cross-site` (or something unknown).
    FetchSite,
    /// `Origin` named another origin than `BASE_URL` (or `null`).
    Origin,
    /// A logged-in session without either header.
    NoHeaders,
}

/// Applies the rule above to an unsafe request. `own_origin` is `BASE_URL`'s origin, e.g.
/// `https://bredeblik.nl` (no trailing slash); `logged_in` whether a valid session came along.
pub fn check(headers: &HeaderMap, own_origin: &str, logged_in: bool) -> Result<(), Refusal> {
    if let Some(site) = headers.get("sec-fetch-site") {
        return match site.as_bytes() {
            b"same-origin" | b"none" => Ok(()),
            _ => Err(Refusal::FetchSite),
        };
    }
    if let Some(origin) = headers.get(ORIGIN) {
        return if origin.as_bytes().eq_ignore_ascii_case(own_origin.as_bytes()) {
            Ok(())
        } else {
            Err(Refusal::Origin)
        };
    }
    if logged_in { Err(Refusal::NoHeaders) } else { Ok(()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    const OWN: &str = "https://bredeblik.example";

    #[test]
    fn fetch_site_decides_when_present() {
        for (site, logged_in) in [("same-origin", true), ("none", true), ("same-origin", false)] {
            assert_eq!(check(&headers(&[("sec-fetch-site", site)]), OWN, logged_in), Ok(()));
        }
        for site in ["cross-site", "same-site", "weird"] {
            // Even with a matching Origin: the browser's own verdict wins.
            let h = headers(&[("sec-fetch-site", site), ("origin", OWN)]);
            assert_eq!(check(&h, OWN, false), Err(Refusal::FetchSite));
        }
    }

    #[test]
    fn origin_must_be_ours_without_fetch_site() {
        assert_eq!(check(&headers(&[("origin", OWN)]), OWN, true), Ok(()));
        assert_eq!(check(&headers(&[("origin", "HTTPS://BREDEBLIK.EXAMPLE")]), OWN, true), Ok(()));
        for other in
            ["null", "https://aanvaller.example", "http://bredeblik.example", "https://bredeblik.example:444"]
        {
            let h = headers(&[("origin", other)]);
            assert_eq!(check(&h, OWN, false), Err(Refusal::Origin), "{other}");
        }
    }

    #[test]
    fn neither_header_passes_only_without_a_session() {
        assert_eq!(check(&HeaderMap::new(), OWN, false), Ok(()));
        assert_eq!(check(&HeaderMap::new(), OWN, true), Err(Refusal::NoHeaders));
    }
}
