//! `/beheer/kennisbank`: editors create and edit every publication (with a preview and the
//! audit log), and decide on what members propose: approving publishes it, rejecting sends it
//! back to concept; the member hears the decision by mail.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;
use time::OffsetDateTime;

use super::PublicationStatus;
use super::form::{self, Choices, Fields, PublicationForm};
use crate::audit::{self, Entry, Target};
use crate::error::{AppError, AppResult};
use crate::media::UploadForm;
use crate::review::Decision;
use crate::state::AppState;
use crate::text;
use crate::web::filters::QueryParams;
use crate::web::form::{FieldErrors, clean};
use crate::web::notice::{Notice, notices};
use crate::web::page::{Html, Page};
use crate::web::path_id::PathId;
use crate::web::typed_form::Form;

notices! {
    /// Messages on the back office's list of publications after an action.
    pub(super) enum ListNotice {
        Opgeslagen = "opgeslagen", "De publicatie is opgeslagen.";
        Goedgekeurd = "goedgekeurd", crate::review::PROPOSAL_APPROVED;
        Afgewezen = "afgewezen", crate::review::PROPOSAL_REJECTED;
        WijzigingOvergenomen = "wijziging-overgenomen", "De wijziging is overgenomen; de publicatie is bijgewerkt.";
        WijzigingAfgewezen = "wijziging-afgewezen", "De wijziging is afgewezen; de publicatie is niet veranderd.";
    }
}

notices! {
    /// Messages on a publication's edit page after an action.
    pub(crate) enum EditNotice {
        Koppeling = "koppeling", "De koppelingen zijn bijgewerkt.";
        Pdf = "pdf", "De PDF is opgeslagen; de publicatiepagina linkt ernaar.";
        PdfWeg = "pdf-weg", "De PDF is verwijderd.";
    }
}

pub struct Row {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub year: Option<i16>,
    pub status: PublicationStatus,
    pub proposer: Option<String>,
    pub updated_at: OffsetDateTime,
}

impl Row {
    pub fn updated(&self) -> String {
        text::datetime_nl(self.updated_at)
    }
    pub fn published(&self) -> bool {
        self.status == PublicationStatus::Gepubliceerd
    }
}

#[derive(Template)]
#[template(path = "kennisbank/admin/list.html")]
struct ListTemplate {
    page: Page,
    queue: Vec<Row>,
    items: Vec<Row>,
    q: String,
    notice: Option<&'static str>,
    /// Records whose "where to get it" link failed at its last check.
    broken: Vec<super::links::Broken>,
    /// Changes members proposed to published records, waiting for a decision.
    revisions: Vec<super::revisions::Pending>,
}

pub async fn list(state: AppState, page: Page, params: QueryParams) -> AppResult<impl IntoResponse> {
    let q = clean(&params.one("q").unwrap_or_default(), 200);
    let queue = sqlx::query_as!(
        Row,
        r#"SELECT p.id, p.slug, p.title, p.year, p.status AS "status: PublicationStatus", m.name AS "proposer?", p.updated_at
           FROM publications p LEFT JOIN members m ON m.id = p.proposed_by
           WHERE p.status = $1 ORDER BY p.updated_at LIMIT 200"#,
        PublicationStatus::TerBeoordeling as PublicationStatus,
    )
    .fetch_all(&state.db)
    .await?;
    let pattern = text::like_contains(&q);
    let items = sqlx::query_as!(
        Row,
        r#"SELECT p.id, p.slug, p.title, p.year, p.status AS "status: PublicationStatus", m.name AS "proposer?", p.updated_at
           FROM publications p LEFT JOIN members m ON m.id = p.proposed_by
           WHERE $1 = '' OR p.title ILIKE $2 OR p.author_names ILIKE $2
           ORDER BY p.updated_at DESC, p.id DESC LIMIT 100"#,
        q,
        pattern,
    )
    .fetch_all(&state.db)
    .await?;
    let notice = page.notice::<ListNotice>();
    Ok(Html(ListTemplate {
        page: page.in_back_office().crumb("Kennisbank", "/beheer/kennisbank"),
        queue,
        items,
        q,
        notice,
        broken: super::links::broken(&state.db).await?,
        revisions: super::revisions::pending(&state.db, None).await?,
    }))
}

/// The form page, shared by the back office and a member's proposal.
#[derive(Template)]
#[template(path = "kennisbank/admin/form.html")]
pub(crate) struct FormTemplate {
    pub(crate) page: Page,
    pub(crate) action: String,
    pub(crate) heading: &'static str,
    /// The back office shows the status and the review box; a member sees neither.
    pub(crate) admin: bool,
    pub(crate) id: Option<i64>,
    pub(crate) slug: String,
    pub(crate) in_review: bool,
    pub(crate) form: PublicationForm,
    pub(crate) choices: Choices,
    pub(crate) errors: FieldErrors,
    /// With "voorbeeld": the abstract as the page shows it and the reference.
    pub(crate) preview: Option<(String, String)>,
    /// A member's change to a published record: the form asks for a note as well.
    pub(crate) revision: bool,
    /// The edit page of a stored record: its PDF, links and waiting changes.
    pub(crate) extras: Option<Extras>,
}

/// What the edit page's smaller forms (PDF, links) were sent with, kept when refused.
#[derive(Default)]
pub(crate) struct EditInput {
    pub(crate) link_kind: String,
    pub(crate) link_address: String,
    /// The messages of the PDF and link forms (the main form has its own).
    pub(crate) errors: FieldErrors,
    pub(crate) notice: Option<&'static str>,
}

/// Below the form of a stored record: its hosted PDF, what it is linked to, and the changes
/// members proposed that wait for a decision.
pub(crate) struct Extras {
    pub(crate) input: EditInput,
    pub(crate) links: Vec<super::connect::Linked>,
    pub(crate) pdf: Option<super::pdf::Pdf>,
    pub(crate) open_licence: bool,
    pub(crate) revisions: Vec<super::revisions::Pending>,
}

impl Extras {
    pub(crate) fn link_kinds(&self) -> &'static [super::status::LinkKind] {
        super::status::LinkKind::ALL
    }
}

impl FormTemplate {
    /// A member's form for a new record at `action`: no status, no review box, no extras.
    /// The other pages set what differs with struct-update syntax.
    pub(crate) fn new(
        page: Page,
        action: String,
        heading: &'static str,
        form: PublicationForm,
        choices: Choices,
        errors: FieldErrors,
    ) -> Self {
        FormTemplate {
            page,
            action,
            heading,
            admin: false,
            id: None,
            slug: String::new(),
            in_review: false,
            form,
            choices,
            errors,
            preview: None,
            revision: false,
            extras: None,
        }
    }

    fn statuses(&self) -> &'static [PublicationStatus] {
        PublicationStatus::ALL
    }
}

/// Renders the form: 200 for a first view or a preview, 422 with the messages otherwise.
pub(crate) fn render(mut template: FormTemplate, fields: Option<&Fields>) -> Response {
    if template.form.actie == "voorbeeld"
        && let Some(fields) = fields
    {
        let citable = fields.citable(&template.slug);
        template.preview = Some((text::markdown(&fields.abstract_md), citable.apa().0));
    }
    let status = if template.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    (status, Html(template)).into_response()
}

fn crumbs(page: Page) -> Page {
    page.in_back_office().crumb("Kennisbank", "/beheer/kennisbank")
}

pub async fn new_form(state: AppState, page: Page) -> AppResult<Response> {
    let form =
        PublicationForm { status: PublicationStatus::Concept.as_str().into(), ..PublicationForm::blank() };
    let page = crumbs(page).crumb("Nieuw", "/beheer/kennisbank/nieuw");
    let choices = Choices::load(&state.db).await?;
    let template = FormTemplate::new(
        page,
        "/beheer/kennisbank".into(),
        "Nieuwe publicatie",
        form,
        choices,
        FieldErrors::default(),
    );
    Ok(render(FormTemplate { admin: true, ..template }, None))
}

pub async fn edit_form(state: AppState, page: Page, PathId(id): PathId<i64>) -> AppResult<Response> {
    let notice = page.notice::<EditNotice>();
    edit_page(&state, page, id, EditInput { notice, ..Default::default() }).await
}

/// The edit page of record `id`, with `input` in its PDF and link forms: 200, or 422 when
/// `input` carries a message.
pub(crate) async fn edit_page(
    state: &AppState,
    page: Page,
    id: i64,
    input: EditInput,
) -> AppResult<Response> {
    let db = &state.db;
    let (form, status, slug) = PublicationForm::load(db, id).await?.ok_or(AppError::NotFound)?;
    let code = if input.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let extras = Extras {
        links: super::connect::all_of(db, id).await?,
        pdf: super::pdf::of(db, id).await?,
        open_licence: super::Licence::parse(&form.licentie).is_some_and(super::Licence::is_open),
        revisions: super::revisions::pending_for(db, id).await?,
        input,
    };
    let page = crumbs(page).crumb(form.titel.clone(), format!("/beheer/kennisbank/{id}"));
    let choices = Choices::load(db).await?;
    let action = format!("/beheer/kennisbank/{id}");
    let template = FormTemplate {
        admin: true,
        id: Some(id),
        slug,
        in_review: status == PublicationStatus::TerBeoordeling,
        extras: Some(extras),
        ..FormTemplate::new(page, action, "Publicatie bewerken", form, choices, FieldErrors::default())
    };
    Ok((code, Html(template)).into_response())
}

/// `POST /beheer/kennisbank/{id}/pdf`: uploads (or with `verwijderen`, removes) the PDF of a
/// publication with an open licence.
pub async fn pdf(
    state: AppState,
    page: Page,
    PathId(id): PathId<i64>,
    form: UploadForm,
) -> AppResult<Response> {
    let actor = page.actor()?.clone();
    if form.data.flag("verwijderen").is_some() {
        super::pdf::remove(&state.db, id, &actor).await?;
        return Ok(
            Redirect::to(&EditNotice::PdfWeg.url(&format!("/beheer/kennisbank/{id}"), "pdf")).into_response()
        );
    }
    match super::pdf::store(&state.db, id, form.file("pdf"), &actor).await? {
        Ok(()) => {
            Ok(Redirect::to(&EditNotice::Pdf.url(&format!("/beheer/kennisbank/{id}"), "pdf")).into_response())
        }
        Err(message) => {
            let mut errors = FieldErrors::default();
            errors.add("pdf", message);
            edit_page(&state, page, id, EditInput { errors, ..Default::default() }).await
        }
    }
}

pub async fn save(
    state: AppState,
    page: Page,
    id: Option<PathId<i64>>,
    Form(form): Form<PublicationForm>,
) -> AppResult<Response> {
    let id = id.map(|PathId(id)| id);
    let form = form.cleaned();
    let current = match id {
        Some(id) => Some(PublicationForm::load(&state.db, id).await?.ok_or(AppError::NotFound)?),
        None => None,
    };
    let checked = form.validate();
    let status = PublicationStatus::parse(&form.status);
    let template = |form: PublicationForm, errors: FieldErrors, choices: Choices| {
        let page = match id {
            Some(id) => crumbs(page.clone()).crumb(form.titel.clone(), format!("/beheer/kennisbank/{id}")),
            None => crumbs(page.clone()).crumb("Nieuw", "/beheer/kennisbank/nieuw"),
        };
        let action =
            id.map_or_else(|| "/beheer/kennisbank".to_owned(), |id| format!("/beheer/kennisbank/{id}"));
        let heading = if id.is_some() { "Publicatie bewerken" } else { "Nieuwe publicatie" };
        FormTemplate {
            admin: true,
            id,
            slug: current.as_ref().map(|c| c.2.clone()).unwrap_or_default(),
            in_review: current.as_ref().is_some_and(|c| c.1 == PublicationStatus::TerBeoordeling),
            ..FormTemplate::new(page, action, heading, form, choices, errors)
        }
    };
    let fields = match (checked, status) {
        (Ok(fields), Some(_)) => fields,
        (Ok(_), None) => {
            let mut errors = FieldErrors::default();
            errors.add("status", "Kies een status.");
            return Ok(render(template(form, errors, Choices::load(&state.db).await?), None));
        }
        (Err(mut errors), status) => {
            if status.is_none() {
                errors.add("status", "Kies een status.");
            }
            return Ok(render(template(form, errors, Choices::load(&state.db).await?), None));
        }
    };
    let status = status.unwrap_or(PublicationStatus::Concept);
    if form.actie == "voorbeeld" {
        let choices = Choices::load(&state.db).await?;
        return Ok(render(template(form, FieldErrors::default(), choices), Some(&fields)));
    }
    let mut tx = state.db.begin().await?;
    let (id, action, before) = match id {
        Some(id) => {
            form::update(&mut tx, id, &fields, status).await?;
            (id, "publicatie bewerkt", current.map(|c| json!(c.0)))
        }
        None => (form::insert(&mut tx, &fields, status, None).await?.0, "publicatie aangemaakt", None),
    };
    audit::record(
        &mut *tx,
        Entry {
            actor: Some(page.actor()?),
            action,
            target_type: Target::Publicatie,
            target_id: id.to_string(),
            before,
            after: Some(json!({ "velden": fields, "status": status })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(ListNotice::Opgeslagen.redirect("/beheer/kennisbank"))
}

/// Approves (publishes) or rejects (back to concept) a publication a member proposed.
pub async fn decide(PathId(id): PathId<i64>, decision: Decision) -> AppResult<Response> {
    let approve = decision.approves("goedkeuren")?;
    let outcome = super::propose::decide(&decision.reviewer(), id, approve, decision.message()).await?;
    outcome.respond_with("Bij deze publicatie wacht niets op beoordeling.", |status| {
        let approved = status == PublicationStatus::Gepubliceerd;
        let notice = if approved { ListNotice::Goedgekeurd } else { ListNotice::Afgewezen };
        notice.url("/beheer/kennisbank", "")
    })
}
