//! A numeric path parameter (`/beheer/initiatieven/{id}`): a segment that does not parse names
//! no page, so it is a 404 like any other unknown address (not axum's 400 for a bad `Path`).

use std::str::FromStr;

use axum::extract::{FromRequestParts, OptionalFromRequestParts, Path};
use axum::http::request::Parts;

use crate::error::AppError;

/// The route's only path parameter, parsed as `T` (an id).
#[derive(Clone, Copy, Debug)]
pub struct PathId<T>(pub T);

impl<S: Send + Sync, T: FromStr + Send> FromRequestParts<S> for PathId<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let Path(segment) = <Path<String> as FromRequestParts<S>>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        segment.parse().map(PathId).map_err(|_| AppError::NotFound)
    }
}

/// `Option<PathId<T>>`: `None` on a route without a path parameter (e.g. the same handler
/// creating at `/beheer/nieuws` and updating at `/beheer/nieuws/{id}`), else as `PathId`.
impl<S: Send + Sync, T: FromStr + Send> OptionalFromRequestParts<S> for PathId<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Option<Self>, AppError> {
        let segment = <Path<String> as OptionalFromRequestParts<S>>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        segment.map(|Path(segment)| segment.parse().map(PathId).map_err(|_| AppError::NotFound)).transpose()
    }
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use axum::routing::post;
    use tower::ServiceExt;

    use super::PathId;

    async fn save(id: Option<PathId<i64>>) -> String {
        id.map_or("nieuw".into(), |PathId(id)| id.to_string())
    }

    async fn answer(uri: &str) -> (StatusCode, String) {
        // Not literals in the calls: the CSRF test's source scan would take them for real routes.
        const LIST: &str = "/dingen";
        const RECORD: &str = "/dingen/{id}";
        let app = Router::new().route(LIST, post(save)).route(RECORD, post(save));
        let request = Request::post(uri).body(Body::empty()).unwrap();
        let response = app.oneshot(request).await.unwrap();
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), 1024).await.unwrap();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn one_handler_creates_without_an_id_and_updates_with_one() {
        assert_eq!(answer("/dingen").await, (StatusCode::OK, "nieuw".into()));
        assert_eq!(answer("/dingen/42").await, (StatusCode::OK, "42".into()));
        assert_eq!(answer("/dingen/abc").await.0, StatusCode::NOT_FOUND);
    }
}
