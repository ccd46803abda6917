//! `/beheer/aanmeldingen`: coordinators approve or reject new aandeelhouders; the applicant
//! is told by mail, with the coordinator's message if there is one.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use time::OffsetDateTime;

use super::{MemberKind, MemberStatus};
use crate::audit::Entry;
use crate::error::{AppError, AppResult};
use crate::mail;
use crate::state::AppState;
use crate::text;
use crate::web::auth::CurrentUser;
use crate::web::filters::QueryParams;
use crate::web::form;
use crate::web::page::{Html, Page};

pub struct Application {
    pub id: i64,
    pub name: String,
    pub kind: MemberKind,
    pub organisation: String,
    pub role: String,
    pub region_name: Option<String>,
    pub offer: String,
    pub ask: String,
    pub public_profile: bool,
    pub email: Option<String>,
    pub created_at: OffsetDateTime,
}

impl Application {
    pub fn created(&self) -> String {
        text::datetime_nl(self.created_at)
    }
}

#[derive(Template)]
#[template(path = "members/admin/applications.html")]
struct ListTemplate {
    page: Page,
    waiting: Vec<Application>,
    unconfirmed: i64,
    notice: Option<&'static str>,
}

pub async fn list(
    State(state): State<AppState>,
    page: Page,
    params: QueryParams,
) -> AppResult<impl IntoResponse> {
    let waiting = sqlx::query_as!(
        Application,
        r#"SELECT m.id, m.name, m.kind AS "kind: MemberKind", m.organisation, m.role, r.name AS "region_name?",
                  m.offer, m.ask, m.public_profile, u.email AS "email?", m.created_at
           FROM members m LEFT JOIN regions r ON r.id = m.region_id LEFT JOIN users u ON u.id = m.user_id
           WHERE m.status = $1 ORDER BY m.created_at LIMIT 200"#,
        MemberStatus::WachtOpBeoordeling as MemberStatus,
    )
    .fetch_all(&state.db)
    .await?;
    let unconfirmed = sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM members WHERE status = $1"#,
        MemberStatus::Onbevestigd as MemberStatus,
    )
    .fetch_one(&state.db)
    .await?;
    let notice = params.notice(&[
        (
            MemberStatus::Goedgekeurd.as_str(),
            "De aanmelding is goedgekeurd en de aanmelder heeft bericht gekregen.",
        ),
        (
            MemberStatus::Afgewezen.as_str(),
            "De aanmelding is afgewezen en de aanmelder heeft bericht gekregen.",
        ),
    ]);
    Ok(Html(ListTemplate {
        page: page.crumb("Beheer", "/beheer").crumb("Aanmeldingen", "/beheer/aanmeldingen"),
        waiting,
        unconfirmed,
        notice,
    }))
}

#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    besluit: String,
    #[serde(default)]
    bericht: String,
}

pub async fn decide(
    State(state): State<AppState>,
    CurrentUser(actor): CurrentUser,
    Path(id): Path<i64>,
    Form(decision): Form<DecisionForm>,
) -> AppResult<Response> {
    let approve = match decision.besluit.as_str() {
        "goedkeuren" => true,
        "afwijzen" => false,
        _ => return Err(AppError::BadRequest("Kies goedkeuren of afwijzen.".into())),
    };
    let message = form::clean(&decision.bericht, 2000);
    let mut tx = state.db.begin().await?;
    let row = sqlx::query!(
        r#"SELECT m.name, u.email AS "email?", m.status AS "status: MemberStatus"
           FROM members m LEFT JOIN users u ON u.id = m.user_id WHERE m.id = $1 FOR UPDATE OF m"#,
        id,
    )
    .fetch_optional(&mut *tx)
    .await?;
    let (name, email, status) = row.map(|r| (r.name, r.email, r.status)).ok_or(AppError::NotFound)?;
    if status != MemberStatus::WachtOpBeoordeling {
        return Err(AppError::Conflict("Over deze aanmelding is al besloten.".into()));
    }
    let new_status = if approve { MemberStatus::Goedgekeurd } else { MemberStatus::Afgewezen };
    sqlx::query!(
        "UPDATE members SET status = $2, reviewed_by = $3, reviewed_at = now(), review_message = $4, updated_at = now() \
         WHERE id = $1",
        id,
        new_status as MemberStatus,
        actor.as_ref().map(|a| a.id),
        message,
    )
    .execute(&mut *tx)
    .await?;
    Entry::new(
        actor.as_ref(),
        if approve { "aanmelding goedgekeurd" } else { "aanmelding afgewezen" },
        "aandeelhouder",
        id,
    )
    .before(json!({ "status": status }))
    .after(json!({ "status": new_status, "bericht": message }))
    .record(&mut *tx)
    .await?;
    if let Some(email) = email {
        let decision = super::mails::Decision {
            name,
            approved: approve,
            message,
            login_link: state.config.absolute("/inloggen"),
        };
        mail::enqueue(&mut *tx, &state.config, &email, &decision).await?;
    }
    tx.commit().await?;
    Ok(Redirect::to(&format!("/beheer/aanmeldingen?melding={}", new_status.as_str())).into_response())
}
