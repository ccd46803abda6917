//! Notices ("melding"): after a POST the handler redirects to a page with `?melding=<code>`,
//! and that page shows the Dutch message for the code (`page.notice::<N>()`). Each page declares its codes once with
//! [`notices!`], so the redirect and the page cannot disagree and nothing from the URL is echoed.

use axum::response::{IntoResponse, Redirect, Response};

/// A closed set of notices: a code in the URL and the message it shows.
pub trait Notice: Copy + Sized + 'static {
    /// Every notice of the set.
    const ALL: &'static [Self];
    /// The value of `melding` in the URL.
    fn code(self) -> &'static str;
    /// The Dutch message shown on the page.
    fn message(self) -> &'static str;

    /// The notice for a code, if it is one of the set.
    fn parse(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|n| n.code() == code)
    }

    /// `path` with this notice, and with `#anchor` after it if `anchor` is not empty.
    fn url(self, path: &str, anchor: &str) -> String {
        let separator = if path.contains('?') { '&' } else { '?' };
        let hash = if anchor.is_empty() { "" } else { "#" };
        format!("{path}{separator}melding={}{hash}{anchor}", self.code())
    }

    /// A see-other redirect to `path` that shows this notice.
    fn redirect(self, path: &str) -> Response {
        Redirect::to(&self.url(path, "")).into_response()
    }
}

/// Declares the notices of a page; each variant names its code and its message. Either may be
/// any `&'static str` constant expression, e.g. a status's `as_str()` or a message that several
/// pages share (`review::PROPOSAL_APPROVED`).
///
/// ```ignore
/// notices! {
///     pub enum TermNotice {
///         Toegevoegd = "toegevoegd", "De term is toegevoegd.";
///     }
/// }
/// ```
macro_rules! notices {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $variant:ident = $code:expr, $message:expr; )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        $vis enum $name {
            $( $variant, )+
        }

        impl $crate::web::notice::Notice for $name {
            const ALL: &'static [$name] = &[$($name::$variant),+];
            fn code(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)+
                }
            }
            fn message(self) -> &'static str {
                match self {
                    $($name::$variant => $message,)+
                }
            }
        }
    };
}

pub(crate) use notices;

#[cfg(test)]
mod tests {
    use super::*;

    notices! {
        enum Example {
            Saved = "opgeslagen", "Opgeslagen.";
            Gone = "gewist", "Gewist.";
        }
    }

    #[test]
    fn codes_round_trip_and_urls_keep_their_query_and_anchor() {
        assert_eq!(Example::parse("gewist"), Some(Example::Gone));
        assert_eq!(Example::parse("<script>"), None);
        assert_eq!(Example::Saved.url("/beheer/x", ""), "/beheer/x?melding=opgeslagen");
        assert_eq!(
            Example::Saved.url("/beheer/x?pagina=2", "blok"),
            "/beheer/x?pagina=2&melding=opgeslagen#blok"
        );
        assert_eq!(Example::Gone.message(), "Gewist.");
    }
}
