use std::sync::Arc;

use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::mails;
use super::queries::{self, Filters, Initiative, InitiativeCard, Sort};
use crate::error::{AppError, AppResult};
use crate::mail;
use crate::ratelimit;
use crate::state::AppState;
use crate::taxonomy::Term;
use crate::text;
use crate::vraagstukken::queries as obstacles;
use crate::web::client::ClientIp;
use crate::web::facets::{Facet, FilterBar, RegionSelect};
use crate::web::filters::QueryParams;
use crate::web::form::{self, FieldErrors};
use crate::web::notice::{Notice, notices};
use crate::web::page::{Html, Page};
use crate::web::paging::{self, Paging};
use crate::web::typed_form::Form;

const PER_PAGE: i64 = 20;

#[derive(Template)]
#[template(path = "catalogue/list.html")]
pub struct ListTemplate {
    page: Page,
    q: String,
    sort: Sort,
    facets: Vec<Facet>,
    regions: RegionSelect,
    cards: Vec<Arc<InitiativeCard>>,
    paging: Paging,
    /// The current filters as a query string, without the page number.
    base_query: String,
    any_filter: bool,
}

impl ListTemplate {
    pub fn page_url(&self, number: impl std::fmt::Display) -> String {
        paging::page_url("/initiatieven", &self.base_query, number)
    }
}

pub async fn list(state: AppState, page: Page, params: QueryParams) -> AppResult<impl IntoResponse> {
    let filters = Filters::from_params(&params);
    let requested = Paging::new(params.page(), PER_PAGE, 0);
    let found = state.catalogue.search(&state.db, &filters, PER_PAGE, requested.offset()).await?;
    let paging = Paging::new(params.page(), PER_PAGE, found.total);

    let FilterBar { base_query, any_filter, facets } = filters.bar(found.facets);
    let regions = found.regions.select(filters.region.as_deref());

    Ok(Html(ListTemplate {
        page: page.crumb("Initiatieven", "/initiatieven"),
        q: filters.q.clone().unwrap_or_default(),
        sort: filters.sort,
        facets,
        regions,
        cards: found.cards,
        paging,
        base_query,
        any_filter,
    }))
}

#[derive(Template)]
#[template(path = "catalogue/show.html")]
pub struct ShowTemplate {
    page: Page,
    initiative: Initiative,
    description_html: String,
    themes: Vec<Term>,
    domains: Vec<Term>,
    levels: Vec<Term>,
    age_groups: Vec<Term>,
    related: Vec<InitiativeCard>,
    /// Kennisbank publications this initiative puts to work.
    publications: Vec<crate::kennisbank::queries::Link>,
    /// The vraagstukken this initiative answers.
    vraagstukken: Vec<obstacles::Answered>,
    contact: ContactForm,
    errors: FieldErrors,
    /// The notice after the contact form was sent.
    sent: Option<&'static str>,
    started: String,
    /// Verbinden: "Werkt ook aan dit thema", for a logged-in member only.
    suggestions: Option<crate::verbinden::Block>,
}

impl ShowTemplate {
    pub fn published(&self) -> String {
        self.initiative.published_at.map(text::date_nl).unwrap_or_default()
    }
    pub fn updated(&self) -> String {
        text::date_nl(self.initiative.updated_at)
    }
    /// Only http(s) addresses become links.
    pub fn website(&self) -> Option<&str> {
        let w = self.initiative.website.as_str();
        (w.starts_with("https://") || w.starts_with("http://")).then_some(w)
    }
}

/// The contact form of an initiative as sent, kept for a 422.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct ContactForm {
    pub naam: String,
    pub email: String,
    pub bericht: String,
    /// The honeypot.
    pub website: String,
    pub begonnen: String,
}

impl ContactForm {
    /// Trims and caps the text fields, keeping what was typed.
    fn cleaned(self) -> Self {
        Self {
            naam: form::clean(&self.naam, 120),
            email: form::clean(&self.email, 254),
            bericht: form::clean(&self.bericht, 5000),
            ..self
        }
    }

    /// Checks the form once: the sender's address, or the Dutch message per field.
    /// `reachable` says whether the initiative has a contact person to write to.
    fn validate(
        &self,
        secret: &crate::config::Secret,
        reachable: bool,
    ) -> Result<mail::EmailAddress, FieldErrors> {
        let mut errors = FieldErrors::default();
        if self.naam.chars().count() < 2 {
            errors.add("naam", "Vul uw naam in.");
        }
        let email = mail::EmailAddress::parse(&self.email)
            .map_err(|_| {
                errors
                    .add("email", "Vul een geldig e-mailadres in, zodat de contactpersoon u kan antwoorden.")
            })
            .ok();
        if self.bericht.chars().count() < 10 {
            errors.add("bericht", "Schrijf een bericht van minstens 10 tekens.");
        }
        if let Some(reason) = form::bot_suspicion(secret, &self.website, &self.begonnen) {
            tracing::info!(reason, "contact form looked automated");
            errors.add("bericht", "Het formulier is te snel of niet volledig verstuurd. Controleer uw bericht en verstuur het nog eens.");
        }
        if !reachable {
            errors.add(
                "bericht",
                "Dit initiatief heeft (nog) geen contactpersoon. Probeer het via de website van het initiatief.",
            );
        }
        match email {
            Some(email) if errors.is_empty() => Ok(email),
            _ => Err(errors),
        }
    }
}

notices! {
    /// After the contact form was sent; the page says who answers and where.
    enum ContactNotice {
        Verstuurd = "verstuurd", "Uw bericht is verstuurd.";
    }
}

async fn render_show(
    state: &AppState,
    page: Page,
    slug: &str,
    contact: ContactForm,
    errors: FieldErrors,
) -> AppResult<Response> {
    let initiative = queries::by_slug(&state.db, slug).await?.ok_or(AppError::NotFound)?;
    let db = &state.db;
    let id = initiative.id;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let [themes, domains, levels, age_groups] = queries::terms_of(db, id).await?;
    let suggestions =
        crate::verbinden::block(state, &page, crate::verbinden::Subject::Initiative(id)).await?;
    let template = ShowTemplate {
        sent: page.notice::<ContactNotice>(),
        page: page
            .crumb("Initiatieven", "/initiatieven")
            .crumb(initiative.name.clone(), format!("/initiatieven/{slug}")),
        description_html: text::markdown(&initiative.description_md),
        themes,
        domains,
        levels,
        age_groups,
        related: queries::related(db, &initiative, 4).await?,
        publications: crate::kennisbank::queries::for_initiative(db, id).await?,
        vraagstukken: obstacles::answered_by(db, obstacles::Record::Initiative(id)).await?,
        suggestions,
        initiative,
        contact,
        errors,
        started: form::started_stamp(&state.config.secret_key),
    };
    Ok((status, Html(template)).into_response())
}

pub async fn show(
    state: AppState,
    page: Page,
    Path(slug): Path<String>,
    params: QueryParams,
) -> AppResult<Response> {
    crate::verbinden::followed(&state, &page, &params).await?;
    render_show(&state, page, &slug, ContactForm::default(), FieldErrors::default()).await
}

/// The contact form relays a message to the initiative's contact person through the outbox;
/// the address itself is never shown.
pub async fn contact(
    state: AppState,
    page: Page,
    ClientIp(ip): ClientIp,
    Path(slug): Path<String>,
    Form(contact): Form<ContactForm>,
) -> AppResult<Response> {
    let initiative = queries::by_slug(&state.db, &slug).await?.ok_or(AppError::NotFound)?;
    ratelimit::hit(&state.db, ratelimit::CONTACT_PER_IP, &ip).await?;
    let contact = contact.cleaned();
    let sender = match contact.validate(&state.config.secret_key, !initiative.contact_email.is_empty()) {
        Ok(sender) => sender,
        Err(errors) => return render_show(&state, page, &slug, contact, errors).await,
    };
    let relay = mails::ContactMessage {
        contact_name: if initiative.contact_name.is_empty() {
            "contactpersoon".to_owned()
        } else {
            initiative.contact_name.clone()
        },
        sender_name: contact.naam.clone(),
        sender_email: sender.to_string(),
        initiative: initiative.name.clone(),
        message: contact.bericht.clone(),
    };
    mail::enqueue_with_reply_to(
        &state.db,
        &state.config,
        &initiative.contact_email,
        &relay,
        Some(sender.as_str()),
    )
    .await?;
    Ok(Redirect::to(&ContactNotice::Verstuurd.url(&format!("/initiatieven/{slug}"), "contact"))
        .into_response())
}
