//! `/account/vraagstukken`: a logged-in member proposes an obstacle, or an alternative to a
//! published one (from the obstacle's page or from the account), and sees their proposals with
//! their review state. A proposal waits as a proposed initiative does ("ter beoordeling", the
//! editors mailed through `catalogue::editorial::mail_editors`) and is decided in
//! `/beheer/vraagstukken`.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use time::OffsetDateTime;

use super::Review;
use super::form::{self, AlternativeForm, VraagstukForm};
use super::mails::ProposalWaiting;
use crate::audit::{Entry, Target};
use crate::catalogue::editorial::{Choices, mail_editors};
use crate::error::AppResult;
use crate::members::review::approved_member;
use crate::ratelimit::{self, Limit};
use crate::state::AppState;
use crate::text;
use crate::web::auth::LoggedIn;
use crate::web::filters::QueryParams;
use crate::web::form::FieldErrors;
use crate::web::notice::{Notice, notices};
use crate::web::page::{Html, Page};
use crate::web::typed_form::Form;

/// Proposals one account may send an hour: plenty for a member, a wall for a script.
const PROPOSALS_PER_USER: Limit = Limit { name: "vraagstuk-voorstel", max: 30, window_secs: 3600 };

/// One of the member's proposals: an obstacle, or an alternative to one.
pub struct Proposal {
    pub title: String,
    /// The obstacle's slug, for the link once it is public.
    pub slug: String,
    /// For an alternative: the record it points at; empty for an obstacle.
    pub alternative: String,
    pub review: Review,
    pub created_at: OffsetDateTime,
}

impl Proposal {
    pub fn public(&self) -> bool {
        self.review == Review::Gepubliceerd
    }
    pub fn created(&self) -> String {
        text::date_nl(self.created_at)
    }
}

#[derive(Template)]
#[template(path = "vraagstukken/proposals.html")]
struct ListTemplate {
    page: Page,
    items: Vec<Proposal>,
    notice: Option<&'static str>,
}

notices! {
    /// Messages on a member's list of proposed obstacles after an action.
    enum OwnNotice {
        Voorgesteld = "voorgesteld", "Dank u wel. Uw vraagstuk is ingediend; de redactie bekijkt het en u krijgt bericht.";
        Alternatief = "alternatief", "Dank u wel. Uw alternatief is ingediend; de redactie bekijkt het en u krijgt bericht.";
    }
}

fn crumbs(page: Page) -> Page {
    page.in_account().crumb("Mijn vraagstukken", "/account/vraagstukken")
}

pub async fn list(state: AppState, page: Page, LoggedIn(user): LoggedIn) -> AppResult<Response> {
    let items = sqlx::query_as!(
        Proposal,
        r#"SELECT v.title AS "title!", v.slug AS "slug!", '' AS "alternative!", v.review AS "review!: Review", v.created_at AS "created_at!"
           FROM vraagstukken v WHERE v.proposed_by = $1 AND v.merged_into IS NULL
           UNION ALL
           SELECT v.title, v.slug, coalesce(i.name, p.title, e.title, ''), a.review, a.created_at
           FROM vraagstuk_alternatives a JOIN vraagstukken v ON v.id = a.vraagstuk_id
           LEFT JOIN initiatives i ON i.id = a.initiative_id LEFT JOIN publications p ON p.id = a.publication_id
           LEFT JOIN events e ON e.id = a.event_id
           WHERE a.proposed_by = $1
           ORDER BY 5 DESC LIMIT 200"#,
        user.id,
    )
    .fetch_all(&state.db)
    .await?;
    let notice = page.notice::<OwnNotice>();
    Ok(Html(ListTemplate { page: crumbs(page), items, notice }).into_response())
}

/// The obstacle form, shared by a member's proposal and the back office.
#[derive(Template)]
#[template(path = "vraagstukken/propose.html")]
pub(crate) struct ProposeTemplate {
    pub(crate) page: Page,
    pub(crate) form: VraagstukForm,
    pub(crate) choices: Choices,
    pub(crate) errors: FieldErrors,
}

fn propose_page(page: Page, form: VraagstukForm, choices: Choices, errors: FieldErrors) -> Response {
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = crumbs(page).crumb("Vraagstuk voorstellen", "/account/vraagstukken/nieuw");
    (status, Html(ProposeTemplate { page, form, choices, errors })).into_response()
}

pub async fn new_form(state: AppState, page: Page, LoggedIn(_user): LoggedIn) -> AppResult<Response> {
    Ok(propose_page(page, VraagstukForm::default(), Choices::load(&state.db).await?, FieldErrors::default()))
}

pub async fn create(
    state: AppState,
    page: Page,
    LoggedIn(user): LoggedIn,
    Form(form): Form<VraagstukForm>,
) -> AppResult<Response> {
    let form = form.cleaned();
    let choices = Choices::load(&state.db).await?;
    let fields = match form.validate(&choices, false) {
        Ok(fields) => fields,
        Err(errors) => return Ok(propose_page(page, form, choices, errors)),
    };
    ratelimit::hit(&state.db, PROPOSALS_PER_USER, &user.id.to_string()).await?;
    let member = approved_member(&state, &user).await?;
    let mut tx = state.db.begin().await?;
    let (id, slug) = form::insert(&mut tx, &fields, Review::TerBeoordeling, member, Some(user.id)).await?;
    Entry::new(&user, "vraagstuk voorgesteld", Target::Vraagstuk, id)
        .after(json!({ "slug": slug, "status": Review::TerBeoordeling, "velden": fields }))
        .record(&mut *tx)
        .await?;
    let waiting = ProposalWaiting {
        what: format!("het vraagstuk ‘{}’", fields.title),
        link: state.config.absolute(&format!("/beheer/vraagstukken/{id}")),
    };
    mail_editors(&mut tx, &state.config, &waiting).await?;
    tx.commit().await?;
    Ok(OwnNotice::Voorgesteld.redirect("/account/vraagstukken"))
}

/// A published obstacle one can propose an alternative to.
pub struct Choice {
    pub slug: String,
    pub title: String,
}

#[derive(Template)]
#[template(path = "vraagstukken/alternative.html")]
struct AlternativeTemplate {
    page: Page,
    form: AlternativeForm,
    /// The obstacle named in the link from its page, or `None` for a choice from the list.
    chosen: Option<Choice>,
    choices: Vec<Choice>,
    errors: FieldErrors,
}

async fn published(state: &AppState) -> sqlx::Result<Vec<Choice>> {
    sqlx::query_as!(
        Choice,
        "SELECT slug, title FROM vraagstukken WHERE review = $1 AND merged_into IS NULL ORDER BY title LIMIT 2000",
        Review::Gepubliceerd as Review,
    )
    .fetch_all(&state.db)
    .await
}

async fn alternative_page(
    state: &AppState,
    page: Page,
    form: AlternativeForm,
    errors: FieldErrors,
) -> AppResult<Response> {
    let choices = published(state).await?;
    let chosen = choices
        .iter()
        .find(|c| c.slug == form.vraagstuk)
        .map(|c| Choice { slug: c.slug.clone(), title: c.title.clone() });
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = crumbs(page).crumb("Alternatief voorstellen", "/account/vraagstukken/alternatief");
    Ok((status, Html(AlternativeTemplate { page, form, chosen, choices, errors })).into_response())
}

pub async fn alternative_form(
    state: AppState,
    page: Page,
    LoggedIn(_user): LoggedIn,
    params: QueryParams,
) -> AppResult<Response> {
    let form =
        AlternativeForm { vraagstuk: params.one("vraagstuk").unwrap_or_default(), ..Default::default() };
    alternative_page(&state, page, form.cleaned(), FieldErrors::default()).await
}

pub async fn propose_alternative(
    state: AppState,
    page: Page,
    LoggedIn(user): LoggedIn,
    Form(form): Form<AlternativeForm>,
) -> AppResult<Response> {
    let form = form.cleaned();
    let target = sqlx::query!(
        "SELECT id, title FROM vraagstukken WHERE slug = $1 AND review = $2 AND merged_into IS NULL",
        form.vraagstuk,
        Review::Gepubliceerd as Review,
    )
    .fetch_optional(&state.db)
    .await?;
    let checked = form.validate(&state.db).await?;
    let (target, fields) = match (target, checked) {
        (Some(target), Ok(fields)) => (target, fields),
        (target, checked) => {
            let mut errors = checked.err().unwrap_or_default();
            if target.is_none() {
                errors.0.insert(0, ("vraagstuk", "Kies een vraagstuk uit de lijst.".into()));
            }
            return alternative_page(&state, page, form, errors).await;
        }
    };
    ratelimit::hit(&state.db, PROPOSALS_PER_USER, &user.id.to_string()).await?;
    let mut tx = state.db.begin().await?;
    let Some(alternative) =
        form::insert_alternative(&mut tx, target.id, &fields, Review::TerBeoordeling, Some(user.id)).await?
    else {
        drop(tx);
        let mut errors = FieldErrors::default();
        errors.add("adres", form::DUPLICATE_ALTERNATIVE);
        return alternative_page(&state, page, form, errors).await;
    };
    Entry::new(&user, "alternatief voorgesteld", Target::Vraagstuk, target.id)
        .after(json!({ "alternatief": alternative, "adres": form.adres, "waarom": fields.why }))
        .record(&mut *tx)
        .await?;
    let waiting = ProposalWaiting {
        what: format!("een alternatief bij ‘{}’", target.title),
        link: state.config.absolute(&format!("/beheer/vraagstukken/{}#alternatieven", target.id)),
    };
    mail_editors(&mut tx, &state.config, &waiting).await?;
    tx.commit().await?;
    Ok(OwnNotice::Alternatief.redirect("/account/vraagstukken"))
}
