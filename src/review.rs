//! Decisions on what waits for review (`catalogue::review`, `members::review`,
//! `regions::review`, the kennisbank's, vraagstukken's and lessons' proposals): who decides, the
//! `Decision` extractor every decide handler takes, and what a decision came to.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::response::{IntoResponse, Redirect, Response};
use sqlx::PgPool;

use crate::config::Config;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::auth::{LoggedIn, SessionUser};
use crate::web::form::DecisionForm;
use crate::web::typed_form::Form;

/// Who decides, with what the decision needs: the database and the configuration (its mail).
pub struct Reviewer<'a> {
    pub db: &'a PgPool,
    pub config: &'a Config,
    pub actor: &'a SessionUser,
}

impl<'a> Reviewer<'a> {
    pub fn new(state: &'a AppState, actor: &'a SessionUser) -> Self {
        Reviewer { db: &state.db, config: &state.config, actor }
    }
}

/// The notice after approving a member's proposal, on each review queue that publishes one (the
/// kennisbank's and the vraagstukken's).
pub const PROPOSAL_APPROVED: &str = "Goedgekeurd en gepubliceerd; de indiener heeft bericht gekregen.";
/// The notice after rejecting one.
pub const PROPOSAL_REJECTED: &str = "Afgewezen; de indiener heeft bericht gekregen.";

/// A decision as a back-office review form posts it (`besluit`, `bericht`), with who decides:
/// what a decide handler takes besides the record's id.
pub struct Decision {
    state: AppState,
    actor: SessionUser,
    form: DecisionForm,
}

impl FromRequest<AppState> for Decision {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let LoggedIn(actor) = LoggedIn::from_request_parts(&mut parts, state).await?;
        let Form(form) = Form::<DecisionForm>::from_request(Request::from_parts(parts, body), state).await?;
        Ok(Decision { state: state.clone(), actor, form })
    }
}

impl Decision {
    /// Who decides.
    pub fn reviewer(&self) -> Reviewer<'_> {
        Reviewer::new(&self.state, &self.actor)
    }

    /// True for `yes` (e.g. `goedkeuren`), false for `afwijzen`, else a 400 (`DecisionForm::approves`).
    pub fn approves(&self, yes: &str) -> AppResult<bool> {
        self.form.approves(yes)
    }

    /// The message for the one the decision is about, cleaned.
    pub fn message(&self) -> String {
        self.form.message()
    }

    /// The record version the reviewer saw, if the form sent one (`DecisionForm::version`).
    pub fn version(&self) -> Option<i128> {
        self.form.version()
    }
}

/// How a review moves a record: from the state it waits in to one of two, decided once.
/// Each feature declares its rule as a constant (e.g. `opbrengsten::review::LESSON`).
#[derive(Clone, Copy, Debug)]
pub struct Transition<S> {
    pub pending: S,
    pub approved: S,
    pub rejected: S,
}

impl<S: Copy + PartialEq> Transition<S> {
    /// Where the decision takes a record now in `current`; `None` when it no longer waits
    /// (someone decided before).
    pub fn decide(&self, current: S, approve: bool) -> Option<S> {
        (current == self.pending).then_some(if approve { self.approved } else { self.rejected })
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
        self.respond_with("Over deze aanmelding is al besloten.", redirect)
    }

    /// `respond`, with the 409's own message.
    pub fn respond_with(self, conflict: &str, redirect: impl FnOnce(S) -> String) -> AppResult<Response> {
        match self {
            Outcome::Decided(result) => Ok(Redirect::to(&redirect(result)).into_response()),
            Outcome::NotFound => Err(AppError::NotFound),
            Outcome::AlreadyDecided => Err(AppError::Conflict(conflict.into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Transition;

    #[test]
    fn a_transition_decides_only_what_waits() {
        let rule = Transition { pending: 'w', approved: 'j', rejected: 'n' };
        assert_eq!(rule.decide('w', true), Some('j'));
        assert_eq!(rule.decide('w', false), Some('n'));
        assert_eq!(rule.decide('j', false), None);
        assert_eq!(rule.decide('n', true), None);
    }
}
