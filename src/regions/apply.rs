//! `/inspiratieregio-aanmelden`: municipalities and jeugdregio's apply to become an
//! inspiratieregio before the deadline that coordinators set in `/beheer/inspiratieregios`.

use askama::Template;
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
use crate::web::form::{self, FieldErrors};
use crate::web::page::{Html, Page};
use crate::web::typed_form::Form;

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
    form: ApplyForm,
    errors: FieldErrors,
    started: String,
    sent: bool,
}

/// The application form as sent, kept for a 422.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ApplyForm {
    naam: String,
    functie: String,
    email: String,
    regio: String,
    motivatie: String,
    /// The honeypot.
    website: String,
    begonnen: String,
}

/// A valid application: the address checked, the region found.
struct Application {
    email: mail::EmailAddress,
    region_id: i32,
}

impl ApplyForm {
    /// Trims and caps the text fields, keeping what was typed.
    fn cleaned(self) -> Self {
        Self {
            naam: form::clean(&self.naam, 120),
            functie: form::clean(&self.functie, 120),
            email: form::clean(&self.email, 254),
            motivatie: form::clean(&self.motivatie, 5000),
            ..self
        }
    }

    /// Checks the form once: the Dutch message per field that is not right, or the
    /// application. `region_id` is the applying region found for `regio`.
    fn validate(&self, region_id: Option<i32>) -> Result<Application, FieldErrors> {
        let mut errors = FieldErrors::default();
        if self.naam.chars().count() < 2 {
            errors.add("naam", "Vul de naam van de contactpersoon in.");
        }
        let email = mail::EmailAddress::parse(&self.email)
            .map_err(|_| errors.add("email", "Vul een geldig e-mailadres in, bijvoorbeeld naam@gemeente.nl."))
            .ok();
        if region_id.is_none() {
            errors.add("regio", "Kies de gemeente of jeugdregio die zich aanmeldt.");
        }
        if self.motivatie.chars().count() < 50 {
            errors.add("motivatie", "Vertel in minstens 50 tekens waarom uw regio inspiratieregio wil worden en wat u wilt beproeven.");
        }
        match (email, region_id) {
            (Some(email), Some(region_id)) if errors.is_empty() => Ok(Application { email, region_id }),
            _ => Err(errors),
        }
    }
}

async fn render(
    state: &AppState,
    page: Page,
    form: ApplyForm,
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
        form,
        errors,
        started: form::started_stamp(&state.config.secret_key),
        sent,
    };
    Ok((status, Html(template)).into_response())
}

pub async fn form_page(state: AppState, page: Page) -> AppResult<Response> {
    render(&state, page, ApplyForm::default(), FieldErrors::default(), false).await
}

pub async fn submit(
    state: AppState,
    page: Page,
    ClientIp(ip): ClientIp,
    Form(form): Form<ApplyForm>,
) -> AppResult<Response> {
    if !is_open(deadline(&state.db).await?) {
        // The page says it is closed and when the selection is announced.
        return render(&state, page, ApplyForm::default(), FieldErrors::default(), false).await;
    }
    ratelimit::hit(&state.db, ratelimit::JOIN_PER_IP, &ip).await?;
    let form = form.cleaned();
    let region_id = sqlx::query_scalar!(
        "SELECT id FROM regions WHERE code = $1 AND kind IN ($2, $3)",
        form.regio,
        RegionKind::Gemeente as RegionKind,
        RegionKind::Jeugdregio as RegionKind,
    )
    .fetch_optional(&state.db)
    .await?;
    let (application, mut errors) = match form.validate(region_id) {
        Ok(application) => (Some(application), FieldErrors::default()),
        Err(errors) => (None, errors),
    };
    if let Some(reason) = form::bot_suspicion(&state.config.secret_key, &form.website, &form.begonnen) {
        tracing::info!(reason, "region application looked automated");
        errors.add("motivatie", "Het formulier is te snel of niet volledig verstuurd. Controleer uw gegevens en verstuur het nog eens.");
    }
    let Some(application) = application.filter(|_| errors.is_empty()) else {
        return render(&state, page, form, errors, false).await;
    };
    let mut tx = state.db.begin().await?;
    sqlx::query!(
        "INSERT INTO region_applications (region_id, applicant_name, applicant_role, applicant_email, motivation) \
         VALUES ($1, $2, $3, $4, $5)",
        application.region_id,
        form.naam,
        form.functie,
        application.email.as_str(),
        form.motivatie,
    )
    .execute(&mut *tx)
    .await?;
    let when = announcement(&state.db).await?;
    let received = mails::ApplicationReceived { name: form.naam, when };
    mail::enqueue(&mut *tx, &state.config, application.email.as_str(), &received).await?;
    tx.commit().await?;
    render(&state, page, ApplyForm::default(), FieldErrors::default(), true).await
}
