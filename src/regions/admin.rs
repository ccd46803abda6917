//! `/beheer/inspiratieregios`: set the application deadline and decide on applications;
//! selected regions become inspiratieregio's of this year's cohort.

use askama::Template;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use time::OffsetDateTime;

use super::ApplicationDecision;
use super::review;
use crate::audit::{Entry, Target};
use crate::error::{AppError, AppResult};
use crate::regions::apply::{self, ANNOUNCEMENT_KEY, DEADLINE_KEY};
use crate::review::Decision;
use crate::state::AppState;
use crate::text;
use crate::web::auth::LoggedIn;
use crate::web::form;
use crate::web::notice::{Notice, notices};
use crate::web::page::{Html, Page};
use crate::web::path_id::PathId;
use crate::web::typed_form::Form;

notices! {
    /// Messages on the list of applications after an action.
    enum ApplicationsNotice {
        Termijn = "termijn", "De aanmeldtermijn is opgeslagen.";
        Besluit = "besluit", "Het besluit is opgeslagen en de aanmelder heeft bericht gekregen.";
    }
}

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

pub async fn list(state: AppState, page: Page) -> AppResult<impl IntoResponse> {
    let applications = sqlx::query_as!(
        ApplicationRow,
        r#"SELECT a.id, r.name AS region_name, a.applicant_name, a.applicant_role, a.applicant_email, a.motivation,
                  a.submitted_at, a.decision AS "decision: ApplicationDecision"
           FROM region_applications a JOIN regions r ON r.id = a.region_id
           ORDER BY a.decision NULLS FIRST, a.submitted_at LIMIT 300"#,
    )
    .fetch_all(&state.db)
    .await?;
    let notice = page.notice::<ApplicationsNotice>();
    Ok(Html(ListTemplate {
        page: page.in_back_office().crumb("Inspiratieregio's", "/beheer/inspiratieregios"),
        deadline: apply::deadline(&state.db).await?.map(|d| d.to_string()).unwrap_or_default(),
        announcement: apply::announcement(&state.db).await?,
        applications,
        notice,
    }))
}

/// The application period: `sluitingsdatum` as `YYYY-MM-DD`, and the announcement text.
#[derive(Default, serde::Deserialize)]
#[serde(default)]
pub struct DeadlineForm {
    sluitingsdatum: String,
    bekendmaking: String,
}

pub async fn set_deadline(
    state: AppState,
    LoggedIn(actor): LoggedIn,
    Form(data): Form<DeadlineForm>,
) -> AppResult<Response> {
    let date =
        time::Date::parse(&data.sluitingsdatum, time::macros::format_description!("[year]-[month]-[day]"))
            .map_err(|_| AppError::BadRequest("Kies een geldige sluitingsdatum.".into()))?;
    let deadline = date.to_string();
    let announcement = form::clean(&data.bekendmaking, 120);
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
    Entry::new(&actor, "aanmeldtermijn inspiratieregio's gewijzigd", Target::Instelling, DEADLINE_KEY)
        .after(json!({ "sluitingsdatum": deadline, "bekendmaking": announcement }))
        .record(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(ApplicationsNotice::Termijn.redirect("/beheer/inspiratieregios"))
}

pub async fn decide(PathId(id): PathId<i64>, decision: Decision) -> AppResult<Response> {
    let selected = decision.approves("selecteren")?;
    review::decide(&decision.reviewer(), id, selected, decision.message())
        .await?
        .respond(|_| ApplicationsNotice::Besluit.url("/beheer/inspiratieregios", ""))
}
