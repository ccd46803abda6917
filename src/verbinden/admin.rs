//! `/beheer/verbinden` (coordinators): how suggestions are used, counted only, never per
//! person; abuse reports on relayed messages; senders blocked from the relay.

use askama::Template;
use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::queries::{self, OpenReport};
use super::{CountKind, ReportStatus};
use crate::audit::{Entry, Target};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::auth::LoggedIn;
use crate::web::form::ActionForm;
use crate::web::notice::{Notice, notices};
use crate::web::page::{Html, Page};
use crate::web::typed_form::Form;

notices! {
    /// Messages on the verbinden overview after a decision on a report or a block.
    enum ReportNotice {
        Afgehandeld = "afgehandeld", "De melding is afgehandeld.";
        Geblokkeerd = "geblokkeerd", "De afzender kan geen berichten meer sturen; de melding is afgehandeld.";
        Vrijgegeven = "vrijgegeven", "De afzender kan weer berichten sturen.";
    }
}

#[derive(Template)]
#[template(path = "verbinden/admin/overview.html")]
struct OverviewTemplate {
    page: Page,
    counts: Vec<(CountKind, i64)>,
    reports: Vec<OpenReport>,
    blocked: Vec<(i64, String, String)>,
    notice: Option<&'static str>,
}

pub async fn overview(state: AppState, page: Page) -> AppResult<impl IntoResponse> {
    Ok(Html(OverviewTemplate {
        notice: page.notice::<ReportNotice>(),
        page: page.in_back_office().crumb("Verbinden", "/beheer/verbinden"),
        counts: queries::totals(&state.db).await?,
        reports: queries::open_reports(&state.db).await?,
        blocked: queries::blocked(&state.db).await?,
    }))
}

/// A decision on a report: `actie` is `afhandelen` or `blokkeren` (the sender, too).
pub async fn decide(
    state: AppState,
    LoggedIn(actor): LoggedIn,
    Path(id): Path<i64>,
    Form(form): Form<ActionForm>,
) -> AppResult<Response> {
    let block = match form.actie.as_str() {
        "afhandelen" => false,
        "blokkeren" => true,
        _ => return Err(AppError::BadRequest("Kies: melding afhandelen of de afzender blokkeren.".into())),
    };
    let mut tx = state.db.begin().await?;
    let sender = sqlx::query_scalar!(
        "UPDATE relay_reports r SET status = $2 FROM relay_messages m \
         WHERE r.id = $1 AND m.id = r.message_id AND r.status = $3 RETURNING m.sender_id",
        id,
        ReportStatus::Afgehandeld as ReportStatus,
        ReportStatus::Open as ReportStatus,
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::Conflict("Deze melding bestaat niet of is al afgehandeld.".into()))?;
    if block {
        sqlx::query!(
            "INSERT INTO relay_blocks (user_id, blocked_by) VALUES ($1, $2) ON CONFLICT (user_id) DO NOTHING",
            sender,
            Some(actor.id),
        )
        .execute(&mut *tx)
        .await?;
    }
    let action = if block { "afzender geblokkeerd voor berichten" } else { "melding afgehandeld" };
    Entry::new(&actor, action, Target::Melding, id)
        .before(json!({ "status": ReportStatus::Open.as_str() }))
        .after(json!({ "status": ReportStatus::Afgehandeld.as_str(), "afzender_geblokkeerd": block, "afzender": sender }))
        .record(&mut *tx)
        .await?;
    tx.commit().await?;
    let notice = if block { ReportNotice::Geblokkeerd } else { ReportNotice::Afgehandeld };
    Ok(notice.redirect("/beheer/verbinden"))
}

/// Lifts a block: the user may write again.
pub async fn unblock(
    state: AppState,
    LoggedIn(actor): LoggedIn,
    Path(user_id): Path<i64>,
) -> AppResult<Response> {
    let mut tx = state.db.begin().await?;
    let removed =
        sqlx::query!("DELETE FROM relay_blocks WHERE user_id = $1", user_id).execute(&mut *tx).await?;
    if removed.rows_affected() == 0 {
        return Err(AppError::Conflict("Deze afzender was niet geblokkeerd.".into()));
    }
    Entry::new(&actor, "blokkade berichten opgeheven", Target::Gebruiker, user_id).record(&mut *tx).await?;
    tx.commit().await?;
    Ok(ReportNotice::Vrijgegeven.redirect("/beheer/verbinden"))
}
