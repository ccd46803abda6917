//! A numeric path parameter (`/beheer/initiatieven/{id}`): a segment that does not parse names
//! no page, so it is a 404 like any other unknown address (not axum's 400 for a bad `Path`).

use std::str::FromStr;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;

use crate::error::AppError;

/// The route's only path parameter, parsed as `T` (an id).
#[derive(Clone, Copy, Debug)]
pub struct PathId<T>(pub T);

impl<S: Send + Sync, T: FromStr + Send> FromRequestParts<S> for PathId<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let Path(segment) =
            Path::<String>::from_request_parts(parts, state).await.map_err(|_| AppError::NotFound)?;
        segment.parse().map(PathId).map_err(|_| AppError::NotFound)
    }
}
