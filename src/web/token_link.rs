//! A personal link from a mail (`…/{token}`: confirm an address, reset a password, leave the
//! newsletter): the extractor `Linked<L>` looks the token up and hands the handler what it leads
//! to; a token that leads nowhere (unknown, used or expired) gets the link's own 404 page before
//! the handler runs. A feature names its kind of link with a `LinkKind`.

use std::future::Future;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

use crate::error::AppError;
use crate::state::AppState;
use crate::web::page::Page;

/// A kind of personal link: how its token is looked up, and the page for one that leads nowhere.
pub trait LinkKind {
    /// What a valid token leads to (a user's id, a subscriber, …).
    type Target: Send;

    /// What `token` leads to, if anything.
    fn find(state: &AppState, token: &str)
    -> impl Future<Output = sqlx::Result<Option<Self::Target>>> + Send;

    /// The 404 page for a token that leads nowhere (any more).
    fn unknown(page: Page) -> Response;
}

/// The route's `{token}` and what it leads to (see `LinkKind`).
pub struct Linked<L: LinkKind> {
    pub token: String,
    pub target: L::Target,
}

impl<L: LinkKind> FromRequestParts<AppState> for Linked<L> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Path(token) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound.into_response())?;
        match L::find(state, &token).await {
            Ok(Some(target)) => Ok(Linked { token, target }),
            Ok(None) => {
                let Ok(page) = Page::from_request_parts(parts, state).await;
                Err(L::unknown(page))
            }
            Err(error) => Err(AppError::from(error).into_response()),
        }
    }
}
