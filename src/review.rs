//! Decisions on what waits for review (`catalogue::review`, `members::review`,
//! `regions::review`): who decides, and what an application's decision came to.

use axum::response::{IntoResponse, Redirect, Response};
use sqlx::PgPool;

use crate::config::Config;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::auth::SessionUser;

/// Who decides, with what the decision needs: the database and the configuration (its mail).
pub struct Reviewer<'a> {
    pub db: &'a PgPool,
    pub config: &'a Config,
    pub actor: Option<&'a SessionUser>,
}

impl<'a> Reviewer<'a> {
    pub fn new(state: &'a AppState, actor: Option<&'a SessionUser>) -> Self {
        Reviewer { db: &state.db, config: &state.config, actor }
    }
}

/// What became of a decision on an application.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome<S> {
    /// Decided, with this result; the applicant has been told.
    Decided(S),
    NotFound,
    /// Someone decided on it before.
    AlreadyDecided,
}

impl<S> Outcome<S> {
    /// The back office's answer: to `redirect(result)` when decided, else a 404 or a 409.
    pub fn respond(self, redirect: impl FnOnce(S) -> String) -> AppResult<Response> {
        match self {
            Outcome::Decided(result) => Ok(Redirect::to(&redirect(result)).into_response()),
            Outcome::NotFound => Err(AppError::NotFound),
            Outcome::AlreadyDecided => Err(AppError::Conflict("Over deze aanmelding is al besloten.".into())),
        }
    }
}
