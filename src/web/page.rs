//! What every HTML page needs besides its own data: navigation state, asset URLs,
//! breadcrumbs. Handlers take a `Page` extractor and put it in their template as `page`.

use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::error::AppError;
use crate::state::AppState;
use crate::web::auth::{CurrentUser, Role, SessionUser};
use crate::web::filters::QueryParams;
use crate::web::notice::Notice;

#[derive(Clone, Debug)]
pub struct Crumb {
    pub label: String,
    pub href: String,
}

#[derive(Clone, Debug)]
pub struct Page {
    pub path: String,
    pub css_url: String,
    pub js_url: String,
    pub favicon_url: String,
    pub crumbs: Vec<Crumb>,
    pub canonical_url: String,
    /// Who is logged in (the session layer's `CurrentUser`): the header shows it, and a handler
    /// that has a page reads the actor of its audit entries here.
    pub user: Option<SessionUser>,
    /// The request's `melding` parameter, which names the notice to show after a redirect;
    /// read it with [`Page::notice`].
    pub(crate) notice_code: Option<String>,
}

pub struct NavItem {
    pub label: &'static str,
    pub href: &'static str,
}

pub const NAVIGATION: &[NavItem] = &[
    NavItem { label: "Initiatieven", href: "/initiatieven" },
    NavItem { label: "Regio's", href: "/regios" },
    NavItem { label: "Aandeelhouders", href: "/aandeelhouders" },
    NavItem { label: "Vraagstukken", href: "/vraagstukken" },
    NavItem { label: "Kennisbank", href: "/kennisbank" },
    NavItem { label: "Nieuws", href: "/nieuws" },
    NavItem { label: "Bijeenkomsten", href: "/bijeenkomsten" },
    NavItem { label: "Nieuwsbrief", href: "/nieuwsbrief" },
    NavItem { label: "Zoeken", href: "/zoeken" },
];

impl Page {
    pub fn new(state: &AppState, path: &str) -> Self {
        Self {
            path: path.to_owned(),
            css_url: state.assets.url("css/site.css"),
            js_url: state.assets.url("js/site.js"),
            favicon_url: state.assets.url("img/favicon.svg"),
            crumbs: Vec::new(),
            canonical_url: state.config.absolute(path),
            user: None,
            notice_code: None,
        }
    }

    /// The message of the notice that the request's `melding` names, if `N` declares it (see
    /// `web::notice`): a page shows only its own notices, never text from the URL.
    pub fn notice<N: Notice>(&self) -> Option<&'static str> {
        self.notice_code.as_deref().and_then(N::parse).map(N::message)
    }

    /// Who acts on a back-office page: the logged-in user, or a 401 where there is none, which
    /// the back office's area guard already prevents. (`/account` has no such guard: its
    /// handlers take `LoggedIn`, which sends a visitor to the login page.)
    pub fn actor(&self) -> Result<&SessionUser, AppError> {
        self.user.as_ref().ok_or(AppError::Unauthorized)
    }

    /// Adds a breadcrumb level; the home crumb is implied, the last one is the current page.
    pub fn crumb(mut self, label: impl Into<String>, href: impl Into<String>) -> Self {
        self.crumbs.push(Crumb { label: label.into(), href: href.into() });
        self
    }

    /// The crumb of the account area (`/account`), where a logged-in member's own pages start.
    pub fn in_account(self) -> Self {
        self.crumb("Mijn account", "/account")
    }

    /// The crumb of the back office (`/beheer`), where every back-office page starts.
    pub fn in_back_office(self) -> Self {
        self.crumb("Beheer", "/beheer")
    }

    pub fn navigation(&self) -> &'static [NavItem] {
        NAVIGATION
    }

    /// The navigation item for exactly this page.
    pub fn is_exact(&self, href: &str) -> bool {
        self.path == href
    }

    /// The navigation item whose section the current page lies in.
    pub fn in_section(&self, href: &str) -> bool {
        self.path.starts_with(&format!("{href}/"))
    }

    /// Whether the back-office link belongs in the header.
    pub fn shows_back_office(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.can(Role::Redacteur))
    }

    pub fn is_last_crumb(&self, index: &usize) -> bool {
        *index + 1 == self.crumbs.len()
    }
}

impl FromRequestParts<AppState> for Page {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let mut page = Page::new(state, parts.uri.path());
        if let Some(CurrentUser(user)) = parts.extensions.get::<CurrentUser>() {
            page.user = user.clone();
        }
        page.notice_code = QueryParams::parse(parts.uri.query()).one("melding");
        Ok(page)
    }
}

/// What a page is rendered into at first (see `Html`).
const RENDER_CAPACITY: usize = 64 * 1024;

/// Renders an askama template as an HTML response; a render failure becomes the 500 page.
pub struct Html<T>(pub T);

impl<T: Template> IntoResponse for Html<T> {
    fn into_response(self) -> Response {
        // Room for the largest list pages at once: a buffer that starts at the template's
        // estimate doubles (and copies) its way up to them. Given back when unused.
        let mut body = String::with_capacity(T::SIZE_HINT.max(RENDER_CAPACITY));
        match self.0.render_into(&mut body) {
            Ok(()) => {
                if body.capacity() - body.len() > 4096 {
                    body.shrink_to_fit();
                }
                ([(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"))], body)
                    .into_response()
            }
            Err(err) => AppError::from(err).into_response(),
        }
    }
}
