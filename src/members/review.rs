//! A coordinator's decision on an application to become aandeelhouder: the status changes
//! only from `wacht_op_beoordeling`, in the same transaction as its audit entry and the mail
//! that tells the applicant.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

use super::MemberStatus;
use crate::audit::{Entry, Target};
use crate::error::AppError;
use crate::mail;
use crate::review::{Reviewer, Transition};
use crate::state::AppState;
use crate::web::auth::{LoggedIn, SessionUser};

/// The member record of the logged-in user, if it is approved: what lets a member propose
/// initiatives, publications and vraagstukken.
pub(crate) async fn approved_member(state: &AppState, user: &SessionUser) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar!(
        "SELECT id FROM members WHERE user_id = $1 AND status = $2",
        user.id,
        MemberStatus::Goedgekeurd as MemberStatus,
    )
    .fetch_optional(&state.db)
    .await
}

/// The logged-in user with an approved member record (its id), for the pages where members
/// propose: anyone else logged in gets a 403, a visitor the login page.
pub struct ApprovedMember {
    pub user: SessionUser,
    pub member_id: i64,
}

impl FromRequestParts<AppState> for ApprovedMember {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let LoggedIn(user) = LoggedIn::from_request_parts(parts, state).await?;
        match approved_member(state, &user).await {
            Ok(Some(member_id)) => Ok(ApprovedMember { user, member_id }),
            Ok(None) => Err(AppError::Forbidden.into_response()),
            Err(error) => Err(AppError::from(error).into_response()),
        }
    }
}

/// An application waits for review until it is approved or rejected.
pub const APPLICATION: Transition<MemberStatus> = Transition {
    pending: MemberStatus::WachtOpBeoordeling,
    approved: MemberStatus::Goedgekeurd,
    rejected: MemberStatus::Afgewezen,
};

/// Decided: the application's new status.
pub type Outcome = crate::review::Outcome<MemberStatus>;

/// Approves or rejects member `id`'s application, with `message` for the applicant.
pub async fn decide(by: &Reviewer<'_>, id: i64, approve: bool, message: String) -> anyhow::Result<Outcome> {
    let (db, config, actor) = (by.db, by.config, by.actor);
    let mut tx = db.begin().await?;
    let row = sqlx::query!(
        r#"SELECT m.name, u.email AS "email?", m.status AS "status: MemberStatus"
           FROM members m LEFT JOIN users u ON u.id = m.user_id WHERE m.id = $1 FOR UPDATE OF m"#,
        id,
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else { return Ok(Outcome::NotFound) };
    let Some(new_status) = APPLICATION.decide(row.status, approve) else {
        return Ok(Outcome::AlreadyDecided);
    };
    sqlx::query!(
        "UPDATE members SET status = $2, reviewed_by = $3, reviewed_at = now(), review_message = $4, updated_at = now() \
         WHERE id = $1",
        id,
        new_status as MemberStatus,
        Some(actor.id),
        message,
    )
    .execute(&mut *tx)
    .await?;
    let action = if approve { "aanmelding goedgekeurd" } else { "aanmelding afgewezen" };
    Entry::new(actor, action, Target::Aandeelhouder, id)
        .decision(row.status, new_status, &message)
        .record(&mut *tx)
        .await?;
    if let Some(email) = row.email {
        let login_link = config.absolute("/inloggen");
        let decision = super::mails::Decision { name: row.name, approved: approve, message, login_link };
        mail::enqueue(&mut *tx, config, &email, &decision).await?;
    }
    tx.commit().await?;
    Ok(Outcome::Decided(new_status))
}
