//! `/beheer/initiatieven`: editors keep the catalogue: create and edit every initiative (status
//! and featured included), preview it as the public page shows it, and review what members
//! propose: new initiatives and changes to published ones. The owner hears the decision by
//! mail, with the editor's message if there is one.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use time::OffsetDateTime;

use crate::admin::form_crumbs;
use crate::audit::{Entry, Target};
use crate::catalogue::editorial::{self, Choices, InitiativeFields, Submitted};
use crate::catalogue::lifecycle::{self, Transition};
use crate::catalogue::review::{self, Outcome};
use crate::catalogue::{InitiativeStatus, RevisionDecision};
use crate::error::{AppError, AppResult};
use crate::media::{self, UploadForm};
use crate::review::Decision;
use crate::state::AppState;
use crate::text;
use crate::web::filters::QueryParams;
use crate::web::form::{self, FieldErrors};
use crate::web::notice::{Notice, notices};
use crate::web::page::{Html, Page};
use crate::web::path_id::PathId;

/// What only the editor's initiative form has beside the shared fields.
#[derive(Default, serde::Deserialize)]
#[serde(default)]
struct EditorialForm {
    status: String,
    uitgelicht: Option<String>,
}

notices! {
    /// Messages on the initiative list after a decision or a save.
    enum InitiativesNotice {
        Goedgekeurd = RevisionDecision::Goedgekeurd.as_str(), "Goedgekeurd; de eigenaar heeft bericht gekregen.";
        Afgewezen = RevisionDecision::Afgewezen.as_str(), "Afgewezen; de eigenaar heeft bericht gekregen.";
        Opgeslagen = "opgeslagen", "Het initiatief is opgeslagen.";
        Gepubliceerd = InitiativeStatus::Gepubliceerd.as_str(), "Het initiatief is opgeslagen en staat op de site.";
        Gearchiveerd = InitiativeStatus::Gearchiveerd.as_str(), "Het initiatief is opgeslagen en gearchiveerd; het staat niet meer op de site.";
    }
}

const LIST_LIMIT: i64 = 100;

pub struct Row {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub status: InitiativeStatus,
    pub featured: bool,
    pub owner_name: Option<String>,
    pub updated_at: OffsetDateTime,
    pub pending: bool,
}

impl Row {
    pub fn status_label(&self) -> &'static str {
        self.status.label()
    }
    pub fn published(&self) -> bool {
        self.status == InitiativeStatus::Gepubliceerd
    }
    pub fn updated(&self) -> String {
        text::datetime_nl(self.updated_at)
    }
    /// What the review queue says the editor has to look at.
    pub fn review_kind(&self) -> &'static str {
        if self.pending { "Wijziging van een gepubliceerd initiatief" } else { "Nieuw initiatief" }
    }
}

/// Every status with its label, for the status menus.
fn status_choices() -> Vec<(&'static str, &'static str)> {
    InitiativeStatus::ALL.iter().map(|s| (s.as_str(), s.label())).collect()
}

#[derive(Template)]
#[template(path = "catalogue/admin/initiative_list.html")]
struct ListTemplate {
    page: Page,
    queue: Vec<Row>,
    items: Vec<Row>,
    total: i64,
    q: String,
    status: String,
    notice: Option<&'static str>,
}

impl ListTemplate {
    fn statuses(&self) -> Vec<(&'static str, &'static str)> {
        status_choices()
    }
}

pub async fn list(state: AppState, page: Page, params: QueryParams) -> AppResult<impl IntoResponse> {
    let q = form::clean(&params.one("q").unwrap_or_default(), 200);
    let filter = params.one("status").and_then(|s| InitiativeStatus::parse(&s));
    let status = filter.map(|s| s.as_str().to_owned()).unwrap_or_default();
    let queue = sqlx::query_as!(
        Row,
        r#"SELECT id AS "id!", slug AS "slug!", name AS "name!", status AS "status!: InitiativeStatus",
                  featured AS "featured!", owner_name, updated_at AS "updated_at!", pending AS "pending!"
           FROM initiative_admin_rows WHERE status = $1 OR pending ORDER BY updated_at LIMIT 200"#,
        InitiativeStatus::TerBeoordeling as InitiativeStatus,
    )
    .fetch_all(&state.db)
    .await?;
    let pattern = crate::text::like_contains(&q);
    let items = sqlx::query_as!(
        Row,
        r#"SELECT id AS "id!", slug AS "slug!", name AS "name!", status AS "status!: InitiativeStatus",
                  featured AS "featured!", owner_name, updated_at AS "updated_at!", pending AS "pending!"
           FROM initiative_admin_rows
           WHERE ($1 = '' OR name ILIKE $2 OR slug ILIKE $2) AND ($3::text IS NULL OR status = $3)
           ORDER BY updated_at DESC, id DESC LIMIT $4"#,
        q,
        pattern,
        filter as Option<InitiativeStatus>,
        LIST_LIMIT,
    )
    .fetch_all(&state.db)
    .await?;
    let total = sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM initiatives i
           WHERE ($1 = '' OR i.name ILIKE $2 OR i.slug ILIKE $2) AND ($3::text IS NULL OR i.status = $3)"#,
        q,
        pattern,
        filter as Option<InitiativeStatus>,
    )
    .fetch_one(&state.db)
    .await?;
    let notice = page.notice::<InitiativesNotice>();
    Ok(Html(ListTemplate {
        page: page.in_back_office().crumb("Initiatieven", "/beheer/initiatieven"),
        queue,
        items,
        total,
        q,
        status,
        notice,
    }))
}

/// What a member proposes and how it differs from the live initiative.
pub struct Review {
    /// The moment of the version under review (the revision's submission, or the new
    /// initiative's last save), sent back with the decision so that a version the editor has
    /// not seen is never approved.
    pub version: i128,
    pub owner_name: String,
    pub owner_email: Option<String>,
    pub submitted: String,
    pub changed: Vec<&'static str>,
    pub proposed: Option<InitiativeFields>,
}

#[derive(Template)]
#[template(path = "catalogue/admin/initiative_form.html")]
struct FormTemplate {
    page: Page,
    id: Option<i64>,
    slug: String,
    form: InitiativeFields,
    status: String,
    featured: bool,
    choices: Choices,
    errors: FieldErrors,
    preview: bool,
    review: Option<Review>,
}

impl FormTemplate {
    fn action(&self) -> String {
        match self.id {
            Some(id) => format!("/beheer/initiatieven/{id}"),
            None => "/beheer/initiatieven".into(),
        }
    }
    fn statuses(&self) -> Vec<(&'static str, &'static str)> {
        status_choices()
    }
    fn published(&self) -> bool {
        InitiativeStatus::parse(&self.status) == Some(InitiativeStatus::Gepubliceerd)
    }
}

struct Current {
    slug: String,
    status: InitiativeStatus,
    featured: bool,
}

async fn current(state: &AppState, id: i64) -> AppResult<Current> {
    sqlx::query_as!(
        Current,
        r#"SELECT slug, status AS "status: InitiativeStatus", featured FROM initiatives WHERE id = $1"#,
        id,
    )
    .fetch_optional(&state.db)
    .await?
    .ok_or(AppError::NotFound)
}

async fn review(state: &AppState, id: i64, status: InitiativeStatus) -> AppResult<Option<Review>> {
    let revision = sqlx::query!(
        "SELECT proposed, submitted_at FROM initiative_revisions WHERE initiative_id = $1 AND decided_at IS NULL",
        id,
    )
    .fetch_optional(&state.db)
    .await?;
    if revision.is_none() && status != InitiativeStatus::TerBeoordeling {
        return Ok(None);
    }
    let owner = sqlx::query!(
        r#"SELECT m.name AS "owner_name?", u.email AS "owner_email?", i.updated_at
           FROM initiatives i LEFT JOIN members m ON m.id = i.owner_id
           LEFT JOIN users u ON u.id = m.user_id WHERE i.id = $1"#,
        id,
    )
    .fetch_one(&state.db)
    .await?;
    let (owner_email, updated_at) = (owner.owner_email, owner.updated_at);
    let owner_name = owner.owner_name.unwrap_or_else(|| "de redactie".into());
    Ok(Some(match revision.map(|r| (r.proposed, r.submitted_at)) {
        Some((proposed, submitted_at)) => {
            let live = InitiativeFields::load(&state.db, id).await?.unwrap_or_default();
            let proposed = InitiativeFields::from_revision(proposed, live.logo_id)
                .unwrap_or_default()
                .with_logo(&state.db)
                .await?;
            Review {
                version: submitted_at.unix_timestamp_nanos(),
                owner_name,
                owner_email,
                submitted: text::datetime_nl(submitted_at),
                changed: proposed.changed_from(&live),
                proposed: Some(proposed),
            }
        }
        None => Review {
            version: updated_at.unix_timestamp_nanos(),
            owner_name,
            owner_email,
            submitted: text::datetime_nl(updated_at),
            changed: Vec::new(),
            proposed: None,
        },
    }))
}

async fn render(
    state: &AppState,
    page: Page,
    id: Option<i64>,
    slug: String,
    status: String,
    featured: bool,
    sent: Submitted,
) -> AppResult<Response> {
    let Submitted { fields: form, choices, errors, preview } = sent;
    let code = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let review = match id {
        Some(id) => review(state, id, current(state, id).await?.status).await?,
        None => None,
    };
    let labels = ["Initiatief bewerken", "Nieuw initiatief"];
    let template = FormTemplate {
        page: form_crumbs(page, "Initiatieven", "/beheer/initiatieven", id, labels),
        id,
        slug,
        form,
        status,
        featured,
        choices,
        errors,
        preview,
        review,
    };
    Ok((code, Html(template)).into_response())
}

pub async fn new_form(state: AppState, page: Page) -> AppResult<Response> {
    form_page(&state, page, None).await
}

pub async fn edit_form(state: AppState, page: Page, PathId(id): PathId<i64>) -> AppResult<Response> {
    form_page(&state, page, Some(id)).await
}

/// The form of initiative `id` as it is stored, or an empty one for a new initiative.
async fn form_page(state: &AppState, page: Page, id: Option<i64>) -> AppResult<Response> {
    let (slug, form, status, featured) = match id {
        Some(id) => {
            let now = current(state, id).await?;
            let form = InitiativeFields::load(&state.db, id).await?.ok_or(AppError::NotFound)?;
            (now.slug, form, now.status, now.featured)
        }
        None => (String::new(), InitiativeFields::default(), InitiativeStatus::Concept, false),
    };
    let sent = Submitted::stored(&state.db, form).await?;
    render(state, page, id, slug, status.as_str().into(), featured, sent).await
}

pub async fn save(
    state: AppState,
    page: Page,
    id: Option<PathId<i64>>,
    upload: UploadForm,
) -> AppResult<Response> {
    let id = id.map(|PathId(id)| id);
    let slug = match id {
        Some(id) => current(&state, id).await?.slug,
        None => String::new(),
    };
    let editorial: EditorialForm = upload.fields()?;
    let featured = editorial.uitgelicht.is_some();
    let mut sent = Submitted::read(&state.db, &upload, page.user.as_ref().map(|a| a.id)).await?;
    let new_status = InitiativeStatus::parse(&editorial.status);
    if new_status.is_none() {
        sent.errors.add("status", "Kies een status.");
    }
    if sent.shown_again() {
        return render(&state, page, id, slug, editorial.status, featured, sent).await;
    }
    let form = sent.fields;
    let new_status = new_status.ok_or_else(|| AppError::BadRequest("Kies een status.".into()))?;
    let mut previous_logo = None;
    let mut tx = state.db.begin().await?;
    let transition = match id {
        Some(id) => {
            let change =
                lifecycle::set_status(&mut tx, id, new_status, featured).await?.ok_or(AppError::NotFound)?;
            let before_fields = InitiativeFields::load(&state.db, id).await?;
            previous_logo =
                before_fields.as_ref().and_then(|b| b.logo_id).filter(|old| Some(*old) != form.logo_id);
            editorial::update(&mut tx, id, &form).await?;
            Entry::new(page.actor()?, "initiatief gewijzigd", Target::Initiatief, id)
                .before(json!({ "status": change.before, "uitgelicht": change.before_featured, "velden": before_fields }))
                .after(json!({ "status": new_status, "uitgelicht": featured, "velden": form }))
                .record(&mut *tx)
                .await?;
            change.transition
        }
        None => {
            let (id, slug) = editorial::insert(&mut tx, &form, new_status, featured, None).await?;
            Entry::new(page.actor()?, "initiatief aangemaakt", Target::Initiatief, id)
                .after(json!({ "slug": slug, "status": new_status, "uitgelicht": featured, "velden": form }))
                .record(&mut *tx)
                .await?;
            Transition::between(InitiativeStatus::Concept, new_status)
        }
    };
    tx.commit().await?;
    media::forget_if_unused(&state.db, previous_logo).await;
    let notice = match transition {
        Transition::Published => InitiativesNotice::Gepubliceerd,
        Transition::Archived => InitiativesNotice::Gearchiveerd,
        Transition::Other => InitiativesNotice::Opgeslagen,
    };
    Ok(notice.redirect("/beheer/initiatieven"))
}

/// Approves or rejects what waits for review on initiative `id` (see `catalogue::review`).
pub async fn decide(PathId(id): PathId<i64>, decision: Decision) -> AppResult<Response> {
    let approve = decision.approves("goedkeuren")?;
    let outcome =
        review::decide(&decision.reviewer(), id, approve, decision.message(), decision.version()).await?;
    match outcome {
        Outcome::Decided(decision) => {
            let notice = match decision {
                RevisionDecision::Goedgekeurd => InitiativesNotice::Goedgekeurd,
                RevisionDecision::Afgewezen => InitiativesNotice::Afgewezen,
            };
            Ok(notice.redirect("/beheer/initiatieven"))
        }
        Outcome::NotFound => Err(AppError::NotFound),
        Outcome::ChangedMeanwhile => Err(AppError::Conflict(
            "De indiener heeft het voorstel intussen aangepast. Bekijk de nieuwe versie en besluit opnieuw."
                .into(),
        )),
        Outcome::NothingToReview => {
            Err(AppError::Conflict("Bij dit initiatief wacht niets op beoordeling.".into()))
        }
    }
}
