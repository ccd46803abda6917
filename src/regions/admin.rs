//! `/beheer/inspiratieregios`: set the application deadline and decide on applications;
//! selected regions become inspiratieregio's of this year's cohort.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;
use time::OffsetDateTime;

use super::ApplicationDecision;
use crate::audit::Entry;
use crate::error::{AppError, AppResult};
use crate::mail;
use crate::regions::apply::{self, ANNOUNCEMENT_KEY, DEADLINE_KEY};
use crate::state::AppState;
use crate::text;
use crate::web::auth::CurrentUser;
use crate::web::filters::QueryParams;
use crate::web::form::{self, FormData};
use crate::web::page::{Html, Page};

pub struct ApplicationRow {
    pub id: i64,
    pub region_name: String,
    pub applicant_name: String,
    pub applicant_role: String,
    pub applicant_email: String,
    pub motivation: String,
    pub submitted_at: OffsetDateTime,
    pub decision: Option<ApplicationDecision>,
}

impl ApplicationRow {
    pub fn submitted(&self) -> String {
        text::datetime_nl(self.submitted_at)
    }
}

#[derive(Template)]
#[template(path = "regions/admin/applications.html")]
struct ListTemplate {
    page: Page,
    deadline: String,
    announcement: String,
    applications: Vec<ApplicationRow>,
    notice: Option<&'static str>,
}

pub async fn list(
    State(state): State<AppState>,
    page: Page,
    params: QueryParams,
) -> AppResult<impl IntoResponse> {
    let applications = sqlx::query_as!(
        ApplicationRow,
        r#"SELECT a.id, r.name AS region_name, a.applicant_name, a.applicant_role, a.applicant_email, a.motivation,
                  a.submitted_at, a.decision AS "decision: ApplicationDecision"
           FROM region_applications a JOIN regions r ON r.id = a.region_id
           ORDER BY a.decision NULLS FIRST, a.submitted_at LIMIT 300"#,
    )
    .fetch_all(&state.db)
    .await?;
    let notice = params.notice(&[
        ("termijn", "De aanmeldtermijn is opgeslagen."),
        ("besluit", "Het besluit is opgeslagen en de aanmelder heeft bericht gekregen."),
    ]);
    Ok(Html(ListTemplate {
        page: page.crumb("Beheer", "/beheer").crumb("Inspiratieregio's", "/beheer/inspiratieregios"),
        deadline: apply::deadline(&state.db).await?.map(|d| d.to_string()).unwrap_or_default(),
        announcement: apply::announcement(&state.db).await?,
        applications,
        notice,
    }))
}

pub async fn set_deadline(
    State(state): State<AppState>,
    CurrentUser(actor): CurrentUser,
    data: FormData,
) -> AppResult<Response> {
    let deadline = data.one("sluitingsdatum");
    if time::Date::parse(&deadline, time::macros::format_description!("[year]-[month]-[day]")).is_err() {
        return Err(AppError::BadRequest("Kies een geldige sluitingsdatum.".into()));
    }
    let announcement = form::clean(&data.one("bekendmaking"), 120);
    let mut tx = state.db.begin().await?;
    for (key, value) in [(DEADLINE_KEY, deadline.as_str()), (ANNOUNCEMENT_KEY, announcement.as_str())] {
        sqlx::query!(
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = $2, updated_at = now()",
            key,
            value,
        )
            .execute(&mut *tx)
            .await?;
    }
    Entry::new(actor.as_ref(), "aanmeldtermijn inspiratieregio's gewijzigd", "instelling", DEADLINE_KEY)
        .after(json!({ "sluitingsdatum": deadline, "bekendmaking": announcement }))
        .record(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Redirect::to("/beheer/inspiratieregios?melding=termijn").into_response())
}

pub async fn decide(
    State(state): State<AppState>,
    CurrentUser(actor): CurrentUser,
    Path(id): Path<i64>,
    data: FormData,
) -> AppResult<Response> {
    let selected = match data.one("besluit").as_str() {
        "selecteren" => true,
        "afwijzen" => false,
        _ => return Err(AppError::BadRequest("Kies selecteren of afwijzen.".into())),
    };
    let message = form::clean(&data.one("bericht"), 2000);
    let mut tx = state.db.begin().await?;
    let row = sqlx::query!(
        r#"SELECT a.region_id, r.name, a.applicant_name, a.applicant_email, a.decision AS "decision: ApplicationDecision"
           FROM region_applications a JOIN regions r ON r.id = a.region_id WHERE a.id = $1 FOR UPDATE OF a"#,
        id,
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let (region_id, region_name, name, email, decision) =
        (row.region_id, row.name, row.applicant_name, row.applicant_email, row.decision);
    if decision.is_some() {
        return Err(AppError::Conflict("Over deze aanmelding is al besloten.".into()));
    }
    let outcome = if selected { ApplicationDecision::Geselecteerd } else { ApplicationDecision::Afgewezen };
    sqlx::query!(
        "UPDATE region_applications SET decision = $2, decision_message = $3, decided_by = $4, decided_at = now() \
         WHERE id = $1",
        id,
        outcome as ApplicationDecision,
        message,
        actor.as_ref().map(|a| a.id),
    )
    .execute(&mut *tx)
    .await?;
    if selected {
        let year = text::amsterdam(OffsetDateTime::now_utc()).year();
        sqlx::query!(
            "UPDATE regions SET is_inspiration = true, cohort_year = coalesce(cohort_year, $2) WHERE id = $1",
            region_id,
            year,
        )
        .execute(&mut *tx)
        .await?;
    }
    Entry::new(
        actor.as_ref(),
        if selected { "inspiratieregio geselecteerd" } else { "aanmelding inspiratieregio afgewezen" },
        "aanmelding inspiratieregio",
        id,
    )
    .after(json!({ "regio": region_name, "besluit": outcome, "bericht": message }))
    .record(&mut *tx)
    .await?;
    let decision = super::mails::ApplicationDecision { name, region: region_name, selected, message };
    mail::enqueue(&mut *tx, &state.config, &email, &decision).await?;
    tx.commit().await?;
    Ok(Redirect::to("/beheer/inspiratieregios?melding=besluit").into_response())
}
