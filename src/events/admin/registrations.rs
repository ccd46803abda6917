//! `/beheer/bijeenkomsten/{id}/aanmeldingen`: an event's registrations and waiting list, the
//! printable check-in list, moving someone up, attendance, cancelling for someone and the CSV
//! export. Every change is in the audit log, in the transaction that makes it.

use askama::Template;
use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use time::OffsetDateTime;

use super::super::places;
use super::super::queries;
use super::super::status::RegistrationStatus;
use crate::audit::{Entry, Target};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::text;
use crate::web::auth::LoggedIn;
use crate::web::filters::QueryParams;
use crate::web::notice::{Notice, notices};
use crate::web::page::{Html, Page};
use crate::web::typed_form::Form;

notices! {
    /// Messages on an event's registration list after an action.
    enum RegistrationsNotice {
        Bovenaan = "bovenaan", "De persoon staat nu bovenaan de wachtlijst.";
        Aanwezig = "aanwezig", "Aanwezigheid bijgewerkt.";
        Afgemeld = "afgemeld", "De aanmelding is afgemeld; een vrijgekomen plaats gaat naar de wachtlijst.";
    }
}

crate::text_enum::text_enum! {
    /// The actions on an event's registration list (`actie`).
    enum RegistrationAdminAction {
        Bovenaan = "bovenaan", "Bovenaan zetten";
        Aanwezig = "aanwezig", "Aanwezig";
        Afwezig = "afwezig", "Toch afwezig";
        Afmelden = "afmelden", "Afmelden";
    }
}

/// A registration in the back office.
pub struct RegistrationRow {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub organisation: String,
    pub status: RegistrationStatus,
    pub show_on_list: bool,
    pub answers: serde_json::Value,
    pub created_at: OffsetDateTime,
}

impl RegistrationRow {
    pub fn answer(&self, position: &i32) -> String {
        self.answers.get(position.to_string()).and_then(|v| v.as_str()).unwrap_or_default().to_owned()
    }
    pub fn registered_at(&self) -> String {
        text::datetime_nl(self.created_at)
    }
}

async fn registrations_of(state: &AppState, id: i64) -> sqlx::Result<Vec<RegistrationRow>> {
    sqlx::query_as!(
        RegistrationRow,
        r#"SELECT id, name, email, organisation, status AS "status: RegistrationStatus", show_on_list, answers, created_at
           FROM registrations WHERE event_id = $1
           ORDER BY CASE status WHEN $2 THEN 1 WHEN $3 THEN 2 ELSE 0 END, created_at, id"#,
        id,
        RegistrationStatus::Wachtlijst as RegistrationStatus,
        RegistrationStatus::Geannuleerd as RegistrationStatus,
    )
    .fetch_all(&state.db)
    .await
}

#[derive(Template)]
#[template(path = "events/admin/registrations.html")]
struct RegistrationsTemplate {
    page: Page,
    event: queries::Event,
    questions: Vec<queries::Question>,
    registrations: Vec<RegistrationRow>,
    notice: Option<&'static str>,
    print: bool,
}

impl RegistrationsTemplate {
    fn count(&self, status: RegistrationStatus) -> usize {
        self.registrations.iter().filter(|r| r.status == status).count()
    }
}

/// GET `/beheer/bijeenkomsten/{id}/aanmeldingen`; `?afdrukken=1` is the printable check-in list.
pub async fn list(
    state: AppState,
    page: Page,
    Path(id): Path<i64>,
    params: QueryParams,
) -> AppResult<Response> {
    let event = queries::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let notice = page.notice::<RegistrationsNotice>();
    let template = RegistrationsTemplate {
        page: page
            .in_back_office()
            .crumb("Bijeenkomsten", "/beheer/bijeenkomsten")
            .crumb(event.title.clone(), format!("/beheer/bijeenkomsten/{id}"))
            .crumb("Aanmeldingen", format!("/beheer/bijeenkomsten/{id}/aanmeldingen")),
        questions: queries::questions_of(&state.db, id).await?,
        registrations: registrations_of(&state, id).await?,
        event,
        notice,
        print: params.one("afdrukken").is_some(),
    };
    Ok(Html(template).into_response())
}

#[derive(serde::Deserialize)]
pub struct RegistrationAction {
    #[serde(default)]
    aanmelding: String,
    #[serde(default)]
    actie: String,
}

/// POST `/beheer/bijeenkomsten/{id}/aanmeldingen`: `bovenaan` (move up the waiting list),
/// `aanwezig` / `afwezig` (check-in), `afmelden`.
pub async fn action(
    state: AppState,
    LoggedIn(actor): LoggedIn,
    Path(id): Path<i64>,
    Form(fields): Form<RegistrationAction>,
) -> AppResult<Response> {
    let registration: i64 =
        fields.aanmelding.parse().map_err(|_| AppError::BadRequest("Kies een aanmelding.".into()))?;
    let mut tx = state.db.begin().await?;
    let before = sqlx::query!(
        r#"SELECT status AS "status: RegistrationStatus", email FROM registrations WHERE id = $1 AND event_id = $2 FOR UPDATE"#,
        registration,
        id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let (notice, after) = match (RegistrationAdminAction::parse(&fields.actie), before.status) {
        (Some(RegistrationAdminAction::Bovenaan), RegistrationStatus::Wachtlijst) => {
            sqlx::query!(
                "UPDATE registrations SET created_at = (SELECT min(created_at) - interval '1 second' FROM registrations \
                                                        WHERE event_id = $2 AND status = $3), updated_at = now() \
                 WHERE id = $1",
                registration,
                id,
                RegistrationStatus::Wachtlijst as RegistrationStatus,
            )
            .execute(&mut *tx)
            .await?;
            (RegistrationsNotice::Bovenaan, before.status)
        }
        (Some(RegistrationAdminAction::Aanwezig), RegistrationStatus::Bevestigd)
        | (Some(RegistrationAdminAction::Afwezig), RegistrationStatus::Aanwezig) => {
            let to = if before.status == RegistrationStatus::Bevestigd {
                RegistrationStatus::Aanwezig
            } else {
                RegistrationStatus::Bevestigd
            };
            sqlx::query!(
                "UPDATE registrations SET status = $2, updated_at = now() WHERE id = $1",
                registration,
                to as RegistrationStatus
            )
            .execute(&mut *tx)
            .await?;
            (RegistrationsNotice::Aanwezig, to)
        }
        (Some(RegistrationAdminAction::Afmelden), status) if status != RegistrationStatus::Geannuleerd => {
            places::cancel(&mut tx, &state.config, registration).await?;
            (RegistrationsNotice::Afgemeld, RegistrationStatus::Geannuleerd)
        }
        _ => return Err(AppError::Conflict("Deze actie past niet bij de stand van de aanmelding.".into())),
    };
    Entry::new(
        &actor,
        match notice {
            RegistrationsNotice::Bovenaan => "aanmelding bovenaan de wachtlijst gezet",
            RegistrationsNotice::Aanwezig => "aanwezigheid bijgewerkt",
            RegistrationsNotice::Afgemeld => "aanmelding afgemeld door de organisatie",
        },
        Target::Aanmelding,
        registration,
    )
    .before(json!({ "bijeenkomst": id, "status": before.status.as_str(), "e-mail": before.email }))
    .after(json!({ "status": after.as_str() }))
    .record(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(notice.redirect(&format!("/beheer/bijeenkomsten/{id}/aanmeldingen")))
}

/// GET `/beheer/bijeenkomsten/{id}/aanmeldingen.csv`: name and organisation only of those who
/// agreed to be shown; status, time and answers of everyone; never an address.
pub async fn export(state: AppState, LoggedIn(actor): LoggedIn, Path(id): Path<i64>) -> AppResult<Response> {
    let event = queries::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let questions = queries::questions_of(&state.db, id).await?;
    let rows = registrations_of(&state, id).await?;
    let mut csv = String::from("\u{feff}");
    let mut header = vec!["naam".to_owned(), "organisatie".into(), "status".into(), "aangemeld op".into()];
    header.extend(questions.iter().map(|q| q.label.clone()));
    csv.push_str(&header.iter().map(|h| text::csv_field(h)).collect::<Vec<_>>().join(";"));
    csv.push_str("\r\n");
    for r in &rows {
        let (name, organisation) =
            if r.show_on_list { (r.name.as_str(), r.organisation.as_str()) } else { ("(niet gedeeld)", "") };
        let mut fields = vec![
            text::csv_field(name),
            text::csv_field(organisation),
            text::csv_field(r.status.label()),
            text::csv_field(&r.registered_at()),
        ];
        fields.extend(questions.iter().map(|q| text::csv_field(&r.answer(&q.position))));
        csv.push_str(&fields.join(";"));
        csv.push_str("\r\n");
    }
    Entry::new(&actor, "aanmeldingen geëxporteerd", Target::Bijeenkomst, id)
        .after(json!({ "regels": rows.len() }))
        .record(&state.db)
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"aanmeldingen-{}.csv\"", event.slug),
            ),
        ],
        csv,
    )
        .into_response())
}
