//! `/beheer/aanmeldingen`: coordinators approve or reject new aandeelhouders; the applicant
//! is told by mail, with the coordinator's message if there is one.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use time::OffsetDateTime;

use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};
use crate::mail::{self, Email};
use crate::state::AppState;
use crate::text;
use crate::web::auth::CurrentUser;
use crate::web::filters::QueryParams;
use crate::web::form;
use crate::web::page::{Html, Page};

#[derive(sqlx::FromRow)]
pub struct Application {
    pub id: i64,
    pub name: String,
    pub kind: String,
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
    let waiting = sqlx::query_as(
        "SELECT m.id, m.name, m.kind, m.organisation, m.role, r.name AS region_name, m.offer, m.ask, \
                m.public_profile, u.email, m.created_at \
         FROM members m LEFT JOIN regions r ON r.id = m.region_id LEFT JOIN users u ON u.id = m.user_id \
         WHERE m.status = 'wacht_op_beoordeling' ORDER BY m.created_at LIMIT 200",
    )
    .fetch_all(&state.db)
    .await?;
    let unconfirmed: i64 = sqlx::query_scalar("SELECT count(*) FROM members WHERE status = 'onbevestigd'")
        .fetch_one(&state.db)
        .await?;
    let notice = params.notice(&[
        ("goedgekeurd", "De aanmelding is goedgekeurd en de aanmelder heeft bericht gekregen."),
        ("afgewezen", "De aanmelding is afgewezen en de aanmelder heeft bericht gekregen."),
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
    let row: Option<(String, Option<String>, String)> = sqlx::query_as(
        "SELECT m.name, u.email, m.status FROM members m LEFT JOIN users u ON u.id = m.user_id WHERE m.id = $1 FOR UPDATE OF m",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let (name, email, status) = row.ok_or(AppError::NotFound)?;
    if status != "wacht_op_beoordeling" {
        return Err(AppError::Conflict("Over deze aanmelding is al besloten.".into()));
    }
    let new_status = if approve { "goedgekeurd" } else { "afgewezen" };
    sqlx::query(
        "UPDATE members SET status = $2, reviewed_by = $3, reviewed_at = now(), review_message = $4, updated_at = now() WHERE id = $1",
    )
    .bind(id)
    .bind(new_status)
    .bind(actor.as_ref().map(|a| a.id))
    .bind(&message)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        Entry {
            actor: actor.as_ref(),
            action: if approve { "aanmelding goedgekeurd" } else { "aanmelding afgewezen" },
            target_type: "aandeelhouder",
            target_id: id.to_string(),
            before: Some(json!({ "status": status })),
            after: Some(json!({ "status": new_status, "bericht": message })),
        },
    )
    .await?;
    if let Some(email) = email {
        let mut paragraphs = vec![format!("Beste {name},")];
        if approve {
            paragraphs.push("Uw aanmelding als aandeelhouder van Brede Blik is goedgekeurd. Welkom in het netwerk! U kunt nu inloggen en uw profiel bijhouden.".into());
        } else {
            paragraphs.push("Dank u wel voor uw aanmelding als aandeelhouder van Brede Blik. Wij hebben besloten uw aanmelding niet goed te keuren.".into());
        }
        if !message.is_empty() {
            paragraphs.push(format!("Bericht van de coördinator: {message}"));
        }
        mail::enqueue(
            &mut *tx,
            &state.config,
            Email {
                kind: if approve { "aanmelding-goedgekeurd" } else { "aanmelding-afgewezen" },
                to: email,
                subject: if approve {
                    "Welkom bij Brede Blik".into()
                } else {
                    "Uw aanmelding bij Brede Blik".into()
                },
                paragraphs,
                action: approve.then(|| ("Inloggen".to_owned(), state.config.absolute("/inloggen"))),
                after: vec![
                    "Vragen? Beantwoord deze e-mail niet, maar schrijf naar info@bredeblik.example.".into(),
                ],
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Redirect::to(&format!("/beheer/aanmeldingen?melding={new_status}")).into_response())
}
