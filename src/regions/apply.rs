//! `/inspiratieregio-aanmelden`: municipalities and jeugdregio's apply to become an
//! inspiratieregio before the deadline that coordinators set in `/beheer/inspiratieregios`.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sqlx::PgPool;
use time::{Date, OffsetDateTime};

use super::RegionKind;
use super::mails;
use crate::error::AppResult;
use crate::mail;
use crate::ratelimit;
use crate::state::AppState;
use crate::text;
use crate::web::client::ClientIp;
use crate::web::form::{self, FieldErrors, FormData};
use crate::web::page::{Html, Page};

pub const DEADLINE_KEY: &str = "inspiratieregio_deadline";
pub const ANNOUNCEMENT_KEY: &str = "inspiratieregio_bekendmaking";

/// The last day applications are accepted (Amsterdam date), if one is set.
pub async fn deadline(db: &PgPool) -> sqlx::Result<Option<Date>> {
    let value = sqlx::query_scalar!("SELECT value FROM settings WHERE key = $1", DEADLINE_KEY)
        .fetch_optional(db)
        .await?;
    Ok(value.and_then(|v| Date::parse(&v, time::macros::format_description!("[year]-[month]-[day]")).ok()))
}

pub async fn announcement(db: &PgPool) -> sqlx::Result<String> {
    let value = sqlx::query_scalar!("SELECT value FROM settings WHERE key = $1", ANNOUNCEMENT_KEY)
        .fetch_optional(db)
        .await?;
    Ok(value.unwrap_or_default())
}

pub fn date_text(date: Date) -> String {
    text::date_nl(date.with_hms(12, 0, 0).expect("noon exists").assume_utc())
}

fn is_open(deadline: Option<Date>) -> bool {
    let today = text::amsterdam(OffsetDateTime::now_utc()).date();
    deadline.is_some_and(|d| today <= d)
}

#[derive(Template)]
#[template(path = "regions/apply.html")]
struct ApplyTemplate {
    page: Page,
    open: bool,
    deadline: Option<String>,
    announcement: String,
    regions: Vec<(String, String)>,
    values: FormData,
    errors: FieldErrors,
    started: String,
    sent: bool,
}

impl ApplyTemplate {
    fn value(&self, key: &str) -> String {
        self.values.one(key)
    }
}

async fn render(
    state: &AppState,
    page: Page,
    values: FormData,
    errors: FieldErrors,
    sent: bool,
) -> AppResult<Response> {
    let deadline = deadline(&state.db).await?;
    // Municipalities and jeugdregio's may apply.
    let regions = sqlx::query!(
        r#"SELECT code, name, kind AS "kind: RegionKind" FROM regions WHERE kind IN ($1, $2) ORDER BY name"#,
        RegionKind::Gemeente as RegionKind,
        RegionKind::Jeugdregio as RegionKind,
    )
    .fetch_all(&state.db)
    .await?
    .into_iter()
    .map(|r| match r.kind {
        RegionKind::Jeugdregio => (r.code, format!("{} (jeugdregio)", r.name)),
        _ => (r.code, r.name),
    })
    .collect();
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let template = ApplyTemplate {
        page: page.crumb("Aanmelden als inspiratieregio", "/inspiratieregio-aanmelden"),
        open: is_open(deadline),
        deadline: deadline.map(date_text),
        announcement: announcement(&state.db).await?,
        regions,
        values,
        errors,
        started: form::started_stamp(&state.config.secret_key),
        sent,
    };
    Ok((status, Html(template)).into_response())
}

pub async fn form_page(State(state): State<AppState>, page: Page) -> AppResult<Response> {
    render(&state, page, FormData(Vec::new()), FieldErrors::default(), false).await
}

pub async fn submit(
    State(state): State<AppState>,
    page: Page,
    ClientIp(ip): ClientIp,
    data: FormData,
) -> AppResult<Response> {
    if !is_open(deadline(&state.db).await?) {
        // The page says it is closed and when the selection is announced.
        return render(&state, page, FormData(Vec::new()), FieldErrors::default(), false).await;
    }
    ratelimit::hit(&state.db, ratelimit::JOIN_PER_IP, &ip).await?;
    let name = form::clean(&data.one("naam"), 120);
    let role = form::clean(&data.one("functie"), 120);
    let email = form::clean(&data.one("email"), 254);
    let code = data.one("regio");
    let motivation = form::clean(&data.one("motivatie"), 5000);
    let mut errors = FieldErrors::default();
    if name.chars().count() < 2 {
        errors.add("naam", "Vul de naam van de contactpersoon in.");
    }
    if mail::EmailAddress::parse(&email).is_err() {
        errors.add("email", "Vul een geldig e-mailadres in, bijvoorbeeld naam@gemeente.nl.");
    }
    let region_id = sqlx::query_scalar!(
        "SELECT id FROM regions WHERE code = $1 AND kind IN ($2, $3)",
        code,
        RegionKind::Gemeente as RegionKind,
        RegionKind::Jeugdregio as RegionKind,
    )
    .fetch_optional(&state.db)
    .await?;
    if region_id.is_none() {
        errors.add("regio", "Kies de gemeente of jeugdregio die zich aanmeldt.");
    }
    if motivation.chars().count() < 50 {
        errors.add("motivatie", "Vertel in minstens 50 tekens waarom uw regio inspiratieregio wil worden en wat u wilt beproeven.");
    }
    if let Some(reason) =
        form::bot_suspicion(&state.config.secret_key, &data.one("website"), &data.one("begonnen"))
    {
        tracing::info!(reason, "region application looked automated");
        errors.add("motivatie", "Het formulier is te snel of niet volledig verstuurd. Controleer uw gegevens en verstuur het nog eens.");
    }
    let Some(region_id) = region_id.filter(|_| errors.is_empty()) else {
        return render(&state, page, data, errors, false).await;
    };
    let mut tx = state.db.begin().await?;
    sqlx::query!(
        "INSERT INTO region_applications (region_id, applicant_name, applicant_role, applicant_email, motivation) \
         VALUES ($1, $2, $3, $4, $5)",
        region_id,
        name,
        role,
        email,
        motivation,
    )
    .execute(&mut *tx)
    .await?;
    let when = announcement(&state.db).await?;
    mail::enqueue(&mut *tx, &state.config, &email, &mails::ApplicationReceived { name, when }).await?;
    tx.commit().await?;
    render(&state, page, FormData(Vec::new()), FieldErrors::default(), true).await
}
