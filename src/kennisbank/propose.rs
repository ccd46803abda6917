//! `/account/kennisbank`: approved aandeelhouders propose publications. A proposal waits for
//! review as a proposed initiative does (status "ter beoordeling", the editors mailed through
//! `catalogue::editorial::mail_editors`) and is decided in `/beheer/kennisbank`.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::PublicationStatus;
use super::admin::{FormTemplate, Row, render};
use super::form::{self, Choices, PublicationForm};
use super::mails::{Decision, ProposalWaiting};
use crate::audit::{Entry, Target};
use crate::catalogue::editorial::mail_editors;
use crate::error::{AppError, AppResult};
use crate::mail;
use crate::media::UploadForm;
use crate::members::review::{ApprovedMember, approved_member};
use crate::review::{Outcome, Reviewer, Transition};
use crate::state::AppState;
use crate::web::auth::{LoggedIn, SessionUser};
use crate::web::form::FieldErrors;
use crate::web::notice::{Notice, notices};
use crate::web::page::{Html, Page};
use crate::web::path_id::PathId;
use crate::web::typed_form::Form;

#[derive(Template)]
#[template(path = "kennisbank/proposals.html")]
struct ListTemplate {
    page: Page,
    member: bool,
    items: Vec<Row>,
    notice: Option<&'static str>,
    /// A refused PDF upload: the proposal it was for and why.
    refused: Option<(i64, String)>,
}

impl ListTemplate {
    fn refused_for(&self, id: &i64) -> Option<&str> {
        self.refused.as_ref().filter(|(refused, _)| refused == id).map(|(_, message)| message.as_str())
    }
}

notices! {
    /// Messages on a member's list of publications after an action.
    pub(super) enum OwnNotice {
        Voorgesteld = "voorgesteld", "Dank u wel. Uw voorstel is ingediend; de redactie bekijkt het en u krijgt bericht.";
        Wijziging = "wijziging", "Dank u wel. Uw wijziging is ingediend; de publicatie verandert pas als de redactie haar overneemt.";
        Pdf = "pdf", "De PDF is bij uw voorstel opgeslagen.";
    }
}

fn crumbs(page: Page) -> Page {
    page.in_account().crumb("Mijn publicaties", "/account/kennisbank")
}

pub async fn list(state: AppState, page: Page, LoggedIn(user): LoggedIn) -> AppResult<Response> {
    list_page(&state, page, &user, None).await
}

async fn list_page(
    state: &AppState,
    page: Page,
    user: &SessionUser,
    refused: Option<(i64, String)>,
) -> AppResult<Response> {
    let member = approved_member(state, user).await?;
    let items = match member {
        Some(member_id) => {
            sqlx::query_as!(
                Row,
                r#"SELECT p.id, p.slug, p.title, p.year, p.status AS "status: PublicationStatus",
                          NULL::text AS "proposer?", p.updated_at
                   FROM publications p WHERE p.proposed_by = $1 ORDER BY p.updated_at DESC"#,
                member_id,
            )
            .fetch_all(&state.db)
            .await?
        }
        None => Vec::new(),
    };
    let code = if refused.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let notice = page.notice::<OwnNotice>();
    Ok((code, Html(ListTemplate { page: crumbs(page), member: member.is_some(), items, notice, refused }))
        .into_response())
}

/// `POST /account/kennisbank/{id}/pdf`: the PDF of the member's own proposal (not yet
/// published), when its licence is open.
pub async fn pdf(
    state: AppState,
    page: Page,
    ApprovedMember { user, member_id }: ApprovedMember,
    PathId(id): PathId<i64>,
    form: UploadForm,
) -> AppResult<Response> {
    let own = sqlx::query_scalar!(
        "SELECT id FROM publications WHERE id = $1 AND proposed_by = $2 AND status <> $3",
        id,
        member_id,
        PublicationStatus::Gepubliceerd as PublicationStatus,
    )
    .fetch_optional(&state.db)
    .await?;
    own.ok_or(AppError::NotFound)?;
    match super::pdf::store(&state.db, id, form.file("pdf"), &user).await? {
        Ok(()) => Ok(OwnNotice::Pdf.redirect("/account/kennisbank")),
        Err(message) => list_page(&state, page, &user, Some((id, message))).await,
    }
}

fn template(page: Page, form: PublicationForm, choices: Choices, errors: FieldErrors) -> FormTemplate {
    let page = crumbs(page).crumb("Voorstellen", "/account/kennisbank/nieuw");
    FormTemplate::new(
        page,
        "/account/kennisbank/nieuw".into(),
        "Publicatie voorstellen",
        form,
        choices,
        errors,
    )
}

pub async fn new_form(state: AppState, page: Page, _: ApprovedMember) -> AppResult<Response> {
    let form = PublicationForm::blank();
    Ok(render(template(page, form, Choices::load(&state.db).await?, FieldErrors::default()), None))
}

pub async fn create(
    state: AppState,
    page: Page,
    ApprovedMember { user, member_id }: ApprovedMember,
    Form(form): Form<PublicationForm>,
) -> AppResult<Response> {
    let form = form.cleaned();
    let fields = match form.validate() {
        Ok(fields) => fields,
        Err(errors) => {
            return Ok(render(template(page, form, Choices::load(&state.db).await?, errors), None));
        }
    };
    if form.actie == "voorbeeld" {
        let choices = Choices::load(&state.db).await?;
        return Ok(render(template(page, form, choices, FieldErrors::default()), Some(&fields)));
    }
    let mut tx = state.db.begin().await?;
    let (id, slug) =
        form::insert(&mut tx, &fields, PublicationStatus::TerBeoordeling, Some(member_id)).await?;
    Entry::new(&user, "publicatie voorgesteld", Target::Publicatie, id)
        .after(json!({ "titel": fields.title, "slug": slug, "status": PublicationStatus::TerBeoordeling }))
        .record(&mut *tx)
        .await?;
    let waiting = ProposalWaiting {
        title: fields.title.clone(),
        link: state.config.absolute(&format!("/beheer/kennisbank/{id}")),
    };
    mail_editors(&mut tx, &state.config, &waiting).await?;
    tx.commit().await?;
    Ok(OwnNotice::Voorgesteld.redirect("/account/kennisbank"))
}

/// A proposed publication is published, or goes back to concept.
pub(super) const PROPOSAL: Transition<PublicationStatus> = Transition {
    pending: PublicationStatus::TerBeoordeling,
    approved: PublicationStatus::Gepubliceerd,
    rejected: PublicationStatus::Concept,
};

/// Approves (publishes) or rejects (back to concept) publication `id`, which a member proposed,
/// with `message` for them; the status change, its audit entry and the mail are one
/// transaction.
pub(super) async fn decide(
    by: &Reviewer<'_>,
    id: i64,
    approve: bool,
    message: String,
) -> anyhow::Result<Outcome<PublicationStatus>> {
    let mut tx = by.db.begin().await?;
    let row = sqlx::query!(
        r#"SELECT p.title, p.slug, p.status AS "status: PublicationStatus", m.name AS "member_name?", u.email AS "email?"
           FROM publications p LEFT JOIN members m ON m.id = p.proposed_by LEFT JOIN users u ON u.id = m.user_id
           WHERE p.id = $1 FOR UPDATE OF p"#,
        id,
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else { return Ok(Outcome::NotFound) };
    let Some(new_status) = PROPOSAL.decide(row.status, approve) else { return Ok(Outcome::AlreadyDecided) };
    sqlx::query!(
        "UPDATE publications SET status = $2, updated_at = now(), \
                published_at = CASE WHEN $2 = $3 THEN coalesce(published_at, now()) ELSE published_at END \
         WHERE id = $1",
        id,
        new_status as PublicationStatus,
        PublicationStatus::Gepubliceerd as PublicationStatus,
    )
    .execute(&mut *tx)
    .await?;
    let action = if approve { "publicatie goedgekeurd" } else { "publicatie afgewezen" };
    Entry::new(by.actor, action, Target::Publicatie, id)
        .decision(row.status, new_status, &message)
        .record(&mut *tx)
        .await?;
    if let Some(email) = row.email {
        let link =
            if approve { format!("/kennisbank/{}", row.slug) } else { "/account/kennisbank".to_owned() };
        let decision = Decision {
            member_name: row.member_name.unwrap_or_else(|| "aandeelhouder".into()),
            title: row.title,
            approved: approve,
            message,
            link: by.config.absolute(&link),
        };
        mail::enqueue(&mut *tx, by.config, &email, &decision).await?;
    }
    tx.commit().await?;
    Ok(Outcome::Decided(new_status))
}
