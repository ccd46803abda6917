//! `/beheer/vraagstukken`: editors and coordinators list obstacles by review state and status,
//! create and edit them, decide on what members propose (obstacles and alternatives), add,
//! edit and remove alternatives, and merge two obstacles that are the same. The state changes
//! live in `review`; these handlers call them and render.

use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use time::OffsetDateTime;

use super::form::{self, AlternativeForm, VraagstukForm};
use super::review::{self, AlternativeOutcome, MergeOutcome};
use super::{Review, VraagstukStatus};
use crate::audit::{Entry, Target};
use crate::catalogue::editorial::Choices;
use crate::error::{AppError, AppResult};
use crate::review::{Decision, Outcome, Reviewer};
use crate::state::AppState;
use crate::text;
use crate::web::auth::LoggedIn;
use crate::web::filters::QueryParams;
use crate::web::form::{FieldErrors, clean};
use crate::web::notice::{Notice, notices};
use crate::web::page::{Html, Page};
use crate::web::path_id::PathId;
use crate::web::typed_form::Form;

notices! {
    /// Messages on the back office's list of obstacles after an action (the edit page gets
    /// the same codes).
    enum AdminNotice {
        Opgeslagen = "opgeslagen", "Het vraagstuk is opgeslagen.";
        Goedgekeurd = "goedgekeurd", crate::review::PROPOSAL_APPROVED;
        Afgewezen = "afgewezen", crate::review::PROPOSAL_REJECTED;
        Samengevoegd = "samengevoegd", "De vraagstukken zijn samengevoegd; het oude adres verwijst door.";
    }
}

/// An obstacle in the back-office list.
pub struct Row {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub level: String,
    pub status: VraagstukStatus,
    pub review: Review,
    pub recognitions: i32,
    pub merged_into: Option<String>,
    pub updated_at: OffsetDateTime,
}

impl Row {
    pub fn updated(&self) -> String {
        text::datetime_nl(self.updated_at)
    }
    pub fn public(&self) -> bool {
        self.review == Review::Gepubliceerd && self.merged_into.is_none()
    }
}

/// A proposed alternative waiting for review, in the list's queue.
pub struct WaitingAlternative {
    pub vraagstuk_id: i64,
    pub vraagstuk: String,
    pub target: String,
    pub why: String,
}

#[derive(Template)]
#[template(path = "vraagstukken/admin/list.html")]
struct ListTemplate {
    page: Page,
    queue: Vec<Row>,
    alternatives: Vec<WaitingAlternative>,
    items: Vec<Row>,
    q: String,
    review: Option<Review>,
    status: Option<VraagstukStatus>,
    notice: Option<&'static str>,
}

impl ListTemplate {
    fn reviews(&self) -> &'static [Review] {
        Review::ALL
    }
    fn statuses(&self) -> &'static [VraagstukStatus] {
        VraagstukStatus::ALL
    }
}

fn crumbs(page: Page) -> Page {
    page.in_back_office().crumb("Vraagstukken", "/beheer/vraagstukken")
}

pub async fn list(state: AppState, page: Page, params: QueryParams) -> AppResult<impl IntoResponse> {
    let q = clean(&params.one("q").unwrap_or_default(), 200);
    let review = params.one("beoordeling").and_then(|v| Review::parse(&v));
    let status = params.one("status").and_then(|v| VraagstukStatus::parse(&v));
    let db = &state.db;
    let queue = sqlx::query_as!(
        Row,
        r#"SELECT v.id, v.slug, v.title, l.name AS level, v.status AS "status: VraagstukStatus",
                  v.review AS "review: Review", v.recognitions, NULL::text AS "merged_into?", v.updated_at
           FROM vraagstukken v JOIN levels l ON l.id = v.level_id
           WHERE v.review = $1 AND v.merged_into IS NULL ORDER BY v.created_at LIMIT 200"#,
        Review::TerBeoordeling as Review,
    )
    .fetch_all(db)
    .await?;
    let alternatives = sqlx::query_as!(
        WaitingAlternative,
        r#"SELECT v.id AS vraagstuk_id, v.title AS vraagstuk, coalesce(i.name, p.title, e.title, '') AS "target!", a.why
           FROM vraagstuk_alternatives a JOIN vraagstukken v ON v.id = a.vraagstuk_id
           LEFT JOIN initiatives i ON i.id = a.initiative_id LEFT JOIN publications p ON p.id = a.publication_id
           LEFT JOIN events e ON e.id = a.event_id
           WHERE a.review = $1 ORDER BY a.created_at LIMIT 200"#,
        Review::TerBeoordeling as Review,
    )
    .fetch_all(db)
    .await?;
    let items = sqlx::query_as!(
        Row,
        r#"SELECT v.id, v.slug, v.title, l.name AS level, v.status AS "status: VraagstukStatus",
                  v.review AS "review: Review", v.recognitions,
                  (SELECT t.slug FROM vraagstukken t WHERE t.id = v.merged_into) AS "merged_into?", v.updated_at
           FROM vraagstukken v JOIN levels l ON l.id = v.level_id
           WHERE ($1 = '' OR v.title ILIKE $2) AND ($3::text IS NULL OR v.review = $3)
             AND ($4::text IS NULL OR v.status = $4)
           ORDER BY v.updated_at DESC, v.id DESC LIMIT 200"#,
        q,
        text::like_contains(&q),
        review.map(|r| r.as_str()),
        status.map(|s| s.as_str()),
    )
    .fetch_all(db)
    .await?;
    let notice = page.notice::<AdminNotice>();
    Ok(Html(ListTemplate { page: crumbs(page), queue, alternatives, items, q, review, status, notice }))
}

/// An alternative on the edit page, with its review state.
pub struct AdminAlternative {
    pub id: i64,
    pub kind: String,
    pub href: String,
    pub name: String,
    pub why: String,
    pub review: Review,
}

impl AdminAlternative {
    pub fn waiting(&self) -> bool {
        self.review == Review::TerBeoordeling
    }
}

/// Another obstacle this one can be merged into.
pub struct Other {
    pub id: i64,
    pub title: String,
}

#[derive(Template)]
#[template(path = "vraagstukken/admin/form.html")]
struct FormTemplate {
    page: Page,
    action: String,
    heading: &'static str,
    id: Option<i64>,
    slug: String,
    /// The stored review state (`None` for a new obstacle).
    current: Option<Review>,
    merged_into: Option<String>,
    form: VraagstukForm,
    choices: Choices,
    errors: FieldErrors,
    alternatives: Vec<AdminAlternative>,
    alternative: AlternativeForm,
    alternative_errors: FieldErrors,
    others: Vec<Other>,
    merge_error: Option<String>,
}

impl FormTemplate {
    fn reviews(&self) -> &'static [Review] {
        Review::ALL
    }
    fn statuses(&self) -> &'static [VraagstukStatus] {
        VraagstukStatus::ALL
    }
    fn in_review(&self) -> bool {
        self.current == Some(Review::TerBeoordeling)
    }
}

/// What a failed post puts back on the edit page: the input kept and the messages.
#[derive(Default)]
struct Kept {
    /// The obstacle form as sent (else the stored one).
    form: Option<VraagstukForm>,
    errors: FieldErrors,
    alternative: AlternativeForm,
    alternative_errors: FieldErrors,
    merge_error: Option<String>,
}

/// The edit page: the obstacle form, its alternatives and the merge choice.
async fn edit_page(state: &AppState, page: Page, id: i64, kept: Kept) -> AppResult<Response> {
    let Kept { form, errors, alternative, alternative_errors, merge_error } = kept;
    let db = &state.db;
    let (stored, current, slug) = form::load(db, id).await?.ok_or(AppError::NotFound)?;
    let form = form.unwrap_or(stored);
    let merged_into = sqlx::query_scalar!(
        "SELECT t.slug FROM vraagstukken v JOIN vraagstukken t ON t.id = v.merged_into WHERE v.id = $1",
        id,
    )
    .fetch_optional(db)
    .await?;
    let alternatives = sqlx::query_as!(
        AdminAlternative,
        r#"SELECT a.id, CASE WHEN a.initiative_id IS NOT NULL THEN 'Initiatief'
                             WHEN a.publication_id IS NOT NULL THEN 'Publicatie' ELSE 'Bijeenkomst' END AS "kind!",
                  coalesce('/initiatieven/' || i.slug, '/kennisbank/' || p.slug, '/bijeenkomsten/' || e.slug) AS "href!",
                  coalesce(i.name, p.title, e.title) AS "name!", a.why, a.review AS "review: Review"
           FROM vraagstuk_alternatives a
           LEFT JOIN initiatives i ON i.id = a.initiative_id LEFT JOIN publications p ON p.id = a.publication_id
           LEFT JOIN events e ON e.id = a.event_id
           WHERE a.vraagstuk_id = $1 ORDER BY a.created_at, a.id"#,
        id,
    )
    .fetch_all(db)
    .await?;
    let others = sqlx::query_as!(
        Other,
        "SELECT id, title FROM vraagstukken WHERE id <> $1 AND merged_into IS NULL ORDER BY title LIMIT 2000",
        id,
    )
    .fetch_all(db)
    .await?;
    let failed = !errors.is_empty() || !alternative_errors.is_empty() || merge_error.is_some();
    let template = FormTemplate {
        page: crumbs(page).crumb(form.titel.clone(), format!("/beheer/vraagstukken/{id}")),
        action: format!("/beheer/vraagstukken/{id}"),
        heading: "Vraagstuk bewerken",
        id: Some(id),
        slug,
        current: Some(current),
        merged_into,
        form,
        choices: Choices::load(db).await?,
        errors,
        alternatives,
        alternative,
        alternative_errors,
        others,
        merge_error,
    };
    let status = if failed { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok((status, Html(template)).into_response())
}

async fn new_page(
    state: &AppState,
    page: Page,
    form: VraagstukForm,
    errors: FieldErrors,
) -> AppResult<Response> {
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let template = FormTemplate {
        page: crumbs(page).crumb("Nieuw", "/beheer/vraagstukken/nieuw"),
        action: "/beheer/vraagstukken".into(),
        heading: "Nieuw vraagstuk",
        id: None,
        slug: String::new(),
        current: None,
        merged_into: None,
        form,
        choices: Choices::load(&state.db).await?,
        errors,
        alternatives: Vec::new(),
        alternative: AlternativeForm::default(),
        alternative_errors: FieldErrors::default(),
        others: Vec::new(),
        merge_error: None,
    };
    Ok((status, Html(template)).into_response())
}

fn parse_id(id: &str) -> AppResult<i64> {
    id.parse().map_err(|_| AppError::NotFound)
}

pub async fn new_form(state: AppState, page: Page) -> AppResult<Response> {
    let form = VraagstukForm {
        status: VraagstukStatus::Gesignaleerd.as_str().into(),
        beoordeling: Review::Gepubliceerd.as_str().into(),
        ..Default::default()
    };
    new_page(&state, page, form, FieldErrors::default()).await
}

pub async fn edit_form(state: AppState, page: Page, PathId(id): PathId<i64>) -> AppResult<Response> {
    edit_page(&state, page, id, Kept::default()).await
}

/// Checks the obstacle form with the review state an editor chose.
fn checked(form: &VraagstukForm, choices: &Choices) -> Result<(form::Fields, Review), FieldErrors> {
    let review = Review::parse(&form.beoordeling);
    match (form.validate(choices, true), review) {
        (Ok(fields), Some(review)) => Ok((fields, review)),
        (result, review) => {
            let mut errors = result.err().unwrap_or_default();
            if review.is_none() {
                errors.add("beoordeling", "Kies of het vraagstuk op de site staat.");
            }
            Err(errors)
        }
    }
}

/// Saves a new obstacle (`id` is `None`) or the changes to one.
pub async fn save(
    state: AppState,
    page: Page,
    id: Option<PathId<i64>>,
    Form(form): Form<VraagstukForm>,
) -> AppResult<Response> {
    let before = match id {
        Some(PathId(id)) => Some((id, form::load(&state.db, id).await?.ok_or(AppError::NotFound)?.0)),
        None => None,
    };
    let form = form.cleaned();
    let (fields, review) = match (checked(&form, &Choices::load(&state.db).await?), &before) {
        (Ok(checked), _) => checked,
        (Err(errors), None) => return new_page(&state, page, form, errors).await,
        (Err(errors), Some((id, _))) => {
            return edit_page(&state, page, *id, Kept { form: Some(form), errors, ..Kept::default() }).await;
        }
    };
    let mut tx = state.db.begin().await?;
    let location = match before {
        None => {
            let (id, slug) =
                form::insert(&mut tx, &fields, review, None, page.user.as_ref().map(|a| a.id)).await?;
            Entry::new(page.actor()?, "vraagstuk aangemaakt", Target::Vraagstuk, id)
                .after(json!({ "slug": slug, "beoordeling": review, "velden": fields }))
                .record(&mut *tx)
                .await?;
            format!("/beheer/vraagstukken/{id}")
        }
        Some((id, before)) => {
            form::update(&mut tx, id, &fields, review).await?;
            Entry::new(page.actor()?, "vraagstuk bewerkt", Target::Vraagstuk, id)
                .before(json!(before))
                .after(json!({ "beoordeling": review, "velden": fields }))
                .record(&mut *tx)
                .await?;
            "/beheer/vraagstukken".to_owned()
        }
    };
    tx.commit().await?;
    Ok(AdminNotice::Opgeslagen.redirect(&location))
}

fn decided(outcome: Outcome<Review>, back: String) -> AppResult<Response> {
    outcome.respond_with("Hierover is al besloten; er wacht niets op beoordeling.", |review| {
        let approved = review == Review::Gepubliceerd;
        let notice = if approved { AdminNotice::Goedgekeurd } else { AdminNotice::Afgewezen };
        notice.url(&back, "")
    })
}

/// Approves or rejects an obstacle a member proposed.
pub async fn decide(PathId(id): PathId<i64>, decision: Decision) -> AppResult<Response> {
    let approve = decision.approves("goedkeuren")?;
    let outcome = review::decide(&decision.reviewer(), id, approve, decision.message()).await?;
    decided(outcome, "/beheer/vraagstukken".into())
}

/// Approves or rejects an alternative a member proposed.
pub async fn decide_alternative(
    Path((id, alternative)): Path<(String, String)>,
    decision: Decision,
) -> AppResult<Response> {
    let (id, alternative) = (parse_id(&id)?, parse_id(&alternative)?);
    let approve = decision.approves("goedkeuren")?;
    let outcome =
        review::decide_alternative(&decision.reviewer(), id, alternative, approve, decision.message())
            .await?;
    decided(outcome, format!("/beheer/vraagstukken/{id}"))
}

fn alternative_done(outcome: AlternativeOutcome, id: i64) -> AppResult<Response> {
    match outcome {
        AlternativeOutcome::Done => {
            let path = format!("/beheer/vraagstukken/{id}");
            Ok(Redirect::to(&AdminNotice::Opgeslagen.url(&path, "alternatieven")).into_response())
        }
        AlternativeOutcome::NotFound => Err(AppError::NotFound),
        AlternativeOutcome::Duplicate => Err(AppError::Conflict(form::DUPLICATE_ALTERNATIVE.into())),
    }
}

/// Adds a published alternative straight away.
pub async fn add_alternative(
    state: AppState,
    page: Page,
    PathId(id): PathId<i64>,
    Form(alternative): Form<AlternativeForm>,
) -> AppResult<Response> {
    let actor = page.actor()?.clone();
    let alternative = alternative.cleaned();
    let errors = match alternative.validate(&state.db).await? {
        Ok(fields) => match review::add_alternative(&Reviewer::new(&state, &actor), id, &fields).await? {
            AlternativeOutcome::Duplicate => {
                let mut errors = FieldErrors::default();
                errors.add("adres", form::DUPLICATE_ALTERNATIVE);
                errors
            }
            outcome => return alternative_done(outcome, id),
        },
        Err(errors) => errors,
    };
    edit_page(&state, page, id, Kept { alternative, alternative_errors: errors, ..Kept::default() }).await
}

/// The form of one alternative on the edit page: a new why-line, or `actie=verwijderen`.
#[derive(Debug, Deserialize)]
pub struct ChangeForm {
    #[serde(default)]
    actie: String,
    #[serde(default)]
    waarom: String,
}

pub async fn change_alternative(
    state: AppState,
    LoggedIn(actor): LoggedIn,
    Path((id, alternative)): Path<(String, String)>,
    Form(change): Form<ChangeForm>,
) -> AppResult<Response> {
    let (id, alternative) = (parse_id(&id)?, parse_id(&alternative)?);
    let why = clean(&change.waarom, form::WHY_MAX * 4);
    let why = match change.actie.as_str() {
        "verwijderen" => None,
        "opslaan" if why.is_empty() => {
            return Err(AppError::BadRequest("Schrijf in één zin waarom dit helpt.".into()));
        }
        "opslaan" if why.chars().count() > form::WHY_MAX => {
            return Err(AppError::BadRequest(format!("Houd de zin onder de {} tekens.", form::WHY_MAX)));
        }
        "opslaan" => Some(why.as_str()),
        _ => return Err(AppError::BadRequest("Kies opslaan of verwijderen.".into())),
    };
    let by = Reviewer::new(&state, &actor);
    alternative_done(review::change_alternative(&by, id, alternative, why).await?, id)
}

#[derive(Debug, Deserialize)]
pub struct MergeForm {
    #[serde(default)]
    met: String,
}

/// Merges this obstacle into the one chosen (see `review::merge`).
pub async fn merge(
    state: AppState,
    page: Page,
    LoggedIn(actor): LoggedIn,
    PathId(id): PathId<i64>,
    Form(merge): Form<MergeForm>,
) -> AppResult<Response> {
    let message = match merge.met.trim().parse::<i64>() {
        Err(_) => "Kies het vraagstuk waarmee dit samengaat.".to_owned(),
        Ok(into) => match review::merge(&Reviewer::new(&state, &actor), id, into).await? {
            MergeOutcome::Merged(_) => {
                return Ok(AdminNotice::Samengevoegd.redirect("/beheer/vraagstukken"));
            }
            MergeOutcome::NotFound => "Kies een bestaand vraagstuk om mee samen te voegen.".to_owned(),
            MergeOutcome::Itself => "Een vraagstuk kan niet met zichzelf worden samengevoegd.".to_owned(),
            MergeOutcome::AlreadyMerged => {
                "Een van beide vraagstukken is al samengevoegd; kies het vraagstuk waarin het opging."
                    .to_owned()
            }
        },
    };
    edit_page(&state, page, id, Kept { merge_error: Some(message), ..Kept::default() }).await
}
