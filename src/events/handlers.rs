//! The public side: the list with its filters, an event's page with the registration form,
//! the calendar files, and the personal page behind the link in every mail.

use askama::Template;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::ics::Method;
use super::places::{self, NewRegistration, Registered, Registration};
use super::queries::{self, Event, EventCard, Filters, Linked, Question};
use super::status::{EventForm, RegistrationStatus};
use crate::error::{AppError, AppResult};
use crate::mail;
use crate::ratelimit::{self, Limit};
use crate::state::AppState;
use crate::taxonomy::{self, Term, Vocabulary};
use crate::text;
use crate::vraagstukken::queries as obstacles;
use crate::web::auth::CurrentUser;
use crate::web::client::ClientIp;
use crate::web::filters::{QueryParams, chosen_pairs, query_string};
use crate::web::form::{self, ActionForm, FieldErrors};
use crate::web::notice::{Notice, notices};
use crate::web::page::{Html, Page};
use crate::web::paging::{self, Paging};
use crate::web::typed_form::Form;

notices! {
    /// Messages on a registration's own page after an action.
    enum RegistrationNotice {
        Afgemeld = "afgemeld", "U bent afgemeld. Uw plaats gaat naar wie op de wachtlijst staat.";
        Ingenomen = "ingenomen", "De plaats is voor u. U ontvangt een bevestiging met de uitnodiging voor uw agenda.";
    }
}

const PER_PAGE: i64 = 20;
/// A whole team registering from one office fits; a script does not.
const REGISTER_PER_IP: Limit = Limit { name: "event-register-ip", max: 120, window_secs: 3600 };
/// Below this many places left, the page says exactly how many.
const FEW_PLACES: i32 = 10;

#[derive(Template)]
#[template(path = "events/list.html")]
struct ListTemplate {
    page: Page,
    themes: Vec<Term>,
    levels: Vec<Term>,
    regions: Vec<Linked>,
    forms: &'static [EventForm],
    chosen: Filters,
    events: Vec<EventCard>,
    paging: Paging,
    query: String,
}

impl ListTemplate {
    fn page_url(&self, number: impl std::fmt::Display) -> String {
        paging::page_url("/bijeenkomsten", &self.query, number)
    }
    fn is(&self, chosen: &Option<String>, slug: &str) -> bool {
        chosen.as_deref() == Some(slug)
    }
    fn feed_url(&self) -> String {
        let query = query_string(&self.filter_pairs(false));
        if query.is_empty() { "/bijeenkomsten.ics".into() } else { format!("/bijeenkomsten.ics?{query}") }
    }
    fn past_url(&self, past: bool) -> String {
        let query = query_string(&self.filter_pairs(past));
        if query.is_empty() { "/bijeenkomsten".into() } else { format!("/bijeenkomsten?{query}") }
    }
    fn filter_pairs(&self, past: bool) -> Vec<(&str, &str)> {
        let c = &self.chosen;
        chosen_pairs([
            ("thema", c.theme.as_deref()),
            ("regio", c.region.as_deref()),
            ("niveau", c.level.as_deref()),
            ("vorm", c.form.map(|v| v.as_str())),
            ("verleden", past.then_some("1")),
        ])
    }
}

/// The list's filters from the query string; unknown values are ignored.
pub(super) async fn read_filters(
    state: &AppState,
    params: &QueryParams,
) -> AppResult<(Filters, Vec<Term>, Vec<Term>, Vec<Linked>)> {
    let themes = taxonomy::all(&state.db, Vocabulary::Theme).await?;
    let levels = taxonomy::all(&state.db, Vocabulary::Level).await?;
    let regions = sqlx::query_as!(
        Linked,
        "SELECT DISTINCT r.slug, r.name FROM regions r JOIN event_regions l ON l.region_id = r.id ORDER BY r.name"
    )
    .fetch_all(&state.db)
    .await?;
    let known = |value: Option<String>, slugs: &[&str]| value.filter(|v| slugs.contains(&v.as_str()));
    let theme_slugs: Vec<&str> = themes.iter().map(|t| t.slug.as_str()).collect();
    let level_slugs: Vec<&str> = levels.iter().map(|t| t.slug.as_str()).collect();
    let region_slugs: Vec<&str> = regions.iter().map(|t| t.slug.as_str()).collect();
    let chosen = Filters {
        theme: known(params.one("thema"), &theme_slugs),
        region: known(params.one("regio"), &region_slugs),
        level: known(params.one("niveau"), &level_slugs),
        form: params.one("vorm").and_then(|v| EventForm::parse(&v)),
        past: params.one("verleden").is_some(),
    };
    Ok((chosen, themes, levels, regions))
}

pub async fn list(state: AppState, page: Page, params: QueryParams) -> AppResult<impl IntoResponse> {
    let (chosen, themes, levels, regions) = read_filters(&state, &params).await?;
    let requested = Paging::new(params.page(), PER_PAGE, 0);
    let (events, total) = state.events.list(&state.db, &chosen, PER_PAGE, requested.offset()).await?;
    let mut template = ListTemplate {
        page: page.crumb("Bijeenkomsten", "/bijeenkomsten"),
        themes,
        levels,
        regions,
        forms: EventForm::ALL,
        chosen,
        events,
        paging: Paging::new(params.page(), PER_PAGE, total),
        query: String::new(),
    };
    template.query = query_string(&template.filter_pairs(template.chosen.past));
    Ok(Html(template))
}

/// The registration form's fields, as typed in.
#[derive(Debug, Default, serde::Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    naam: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    organisatie: String,
    #[serde(default)]
    vraag1: String,
    #[serde(default)]
    vraag2: String,
    #[serde(default)]
    vraag3: String,
    /// "Toon mijn naam op de deelnemerslijst": present only when ticked.
    #[serde(default)]
    toon: Option<String>,
    /// The honeypot.
    #[serde(default)]
    website: String,
    #[serde(default)]
    begonnen: String,
}

impl RegisterForm {
    fn answer(&self, position: i32) -> &str {
        match position {
            1 => &self.vraag1,
            2 => &self.vraag2,
            _ => &self.vraag3,
        }
    }
}

#[derive(Template)]
#[template(path = "events/show.html")]
struct ShowTemplate {
    page: Page,
    event: Event,
    programme_html: String,
    report_html: String,
    report_image: Option<crate::media::Image>,
    themes: Vec<Term>,
    regions: Vec<Linked>,
    initiatives: Vec<Linked>,
    vraagstukken: Vec<obstacles::Answered>,
    publications: Vec<crate::kennisbank::queries::Link>,
    participants: Vec<(String, String)>,
    questions: Vec<Question>,
    form: RegisterForm,
    errors: FieldErrors,
    started: String,
}

impl ShowTemplate {
    fn places_text(&self) -> String {
        match self.event.places_left() {
            0 => "Vol: u kunt zich aanmelden voor de wachtlijst.".into(),
            1 => "Nog 1 plaats vrij.".into(),
            n if n <= FEW_PLACES => format!("Nog {n} plaatsen vrij."),
            _ => "Er zijn nog plaatsen vrij.".into(),
        }
    }
    fn answer(&self, question: &Question) -> &str {
        self.form.answer(question.position)
    }
}

async fn render_show(
    state: &AppState,
    page: Page,
    event: Event,
    form: RegisterForm,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    let id = event.id;
    let template = ShowTemplate {
        page: page
            .crumb("Bijeenkomsten", "/bijeenkomsten")
            .crumb(event.title.clone(), format!("/bijeenkomsten/{}", event.slug)),
        programme_html: text::markdown(&event.programme_md),
        report_html: text::markdown(&event.report_md),
        report_image: crate::media::find(&state.db, event.report_image_id).await?,
        themes: queries::themes_of(&state.db, id).await?,
        regions: queries::regions_of(&state.db, id).await?,
        initiatives: queries::initiatives_of(&state.db, id).await?,
        vraagstukken: obstacles::answered_by(&state.db, obstacles::Record::Event(id)).await?,
        publications: crate::kennisbank::queries::for_event(&state.db, id).await?,
        participants: queries::shown_participants(&state.db, id).await?,
        questions: queries::questions_of(&state.db, id).await?,
        event,
        form,
        errors,
        started: form::started_stamp(&state.config.secret_key),
    };
    Ok((status, Html(template)).into_response())
}

/// `/bijeenkomsten/{slug}` and `/bijeenkomsten/{slug}.ics`.
pub async fn show(
    state: AppState,
    page: Page,
    CurrentUser(user): CurrentUser,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    if let Some(slug) = slug.strip_suffix(".ics") {
        let event = queries::by_slug(&state.db, slug).await?.ok_or(AppError::NotFound)?;
        let body = places::calendar(&state.config, &event, Method::Publish, None, false);
        return Ok(calendar_response(body, &format!("{slug}.ics")));
    }
    let event = queries::by_slug(&state.db, &slug).await?.ok_or(AppError::NotFound)?;
    // A logged-in member finds their name, address and organisation filled in.
    let mut form = RegisterForm::default();
    if let Some(user) = user {
        let member = sqlx::query!("SELECT name, organisation FROM members WHERE user_id = $1", user.id)
            .fetch_optional(&state.db)
            .await?;
        form.email = user.email.clone();
        if let Some(member) = member {
            form.naam = member.name;
            form.organisatie = member.organisation;
        }
    }
    render_show(&state, page, event, form, FieldErrors::default(), StatusCode::OK).await
}

fn calendar_response(body: String, filename: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("inline; filename=\"{filename}\"")),
        ],
        body,
    )
        .into_response()
}

/// `/bijeenkomsten.ics`: the subscribable feed, with the list's filters.
pub async fn feed(state: AppState, params: QueryParams) -> AppResult<Response> {
    let (chosen, ..) = read_filters(&state, &params).await?;
    // Published and cancelled events from a month ago on, by start.
    let ids = state.events.for_feed(&state.db, &chosen, 31, 500).await?;
    let events = queries::by_ids(&state.db, &ids).await?;
    let bodies: Vec<String> =
        events.iter().map(|e| places::calendar(&state.config, e, Method::Publish, None, false)).collect();
    // One calendar: the VEVENTs of each event's own file, in one VCALENDAR.
    let mut out = String::new();
    for (i, body) in bodies.iter().enumerate() {
        let start = body.find("BEGIN:VEVENT").unwrap_or(0);
        let end = body.rfind("END:VCALENDAR").unwrap_or(body.len());
        if i == 0 {
            out.push_str(&body[..start]);
        }
        out.push_str(&body[start..end]);
    }
    if out.is_empty() {
        out = super::ics::calendar(Method::Publish, "Bijeenkomsten van Brede Blik", &[]);
    } else {
        out.push_str("END:VCALENDAR\r\n");
    }
    Ok(calendar_response(out, "bijeenkomsten.ics"))
}

#[derive(Template)]
#[template(path = "events/registered.html")]
struct RegisteredTemplate {
    page: Page,
    title: String,
    slug: String,
    waiting: bool,
}

/// POST `/bijeenkomsten/{slug}`: register. The answer is the same whether or not the address
/// was registered already (that person is mailed their existing link).
pub async fn register(
    state: AppState,
    page: Page,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    Path(slug): Path<String>,
    Form(data): Form<RegisterForm>,
) -> AppResult<Response> {
    let event = queries::by_slug(&state.db, &slug).await?.ok_or(AppError::NotFound)?;
    ratelimit::hit(&state.db, REGISTER_PER_IP, &ip).await?;
    let questions = queries::questions_of(&state.db, event.id).await?;
    let mut form = RegisterForm {
        naam: form::clean(&data.naam, 120),
        email: form::clean(&data.email, 254),
        organisatie: form::clean(&data.organisatie, 160),
        vraag1: form::clean(&data.vraag1, 500),
        vraag2: form::clean(&data.vraag2, 500),
        vraag3: form::clean(&data.vraag3, 500),
        toon: data.toon.clone().filter(|v| !v.is_empty()),
        website: String::new(),
        begonnen: String::new(),
    };
    let mut errors = FieldErrors::default();
    if let Some(reason) = event.closed_reason() {
        errors.add("naam", reason);
        return render_show(&state, page, event, form, errors, StatusCode::CONFLICT).await;
    }
    if form.naam.is_empty() {
        errors.add("naam", "Vul uw naam in.");
    }
    if mail::EmailAddress::parse(&form.email).is_err() {
        errors.add("email", "Vul een geldig e-mailadres in, bijvoorbeeld naam@organisatie.nl.");
    } else if bounces(&state, &form.email).await? {
        errors.add(
            "email",
            "Op dit e-mailadres konden wij eerder geen e-mail bezorgen. Controleer het adres of gebruik een ander.",
        );
    }
    let mut answers = serde_json::Map::new();
    for question in &questions {
        let answer = form.answer(question.position).to_owned();
        if question.is_choice() && !answer.is_empty() && !question.choices.contains(&answer) {
            errors.add(question_field(question.position), "Kies een van de mogelijkheden.");
            match question.position {
                1 => form.vraag1.clear(),
                2 => form.vraag2.clear(),
                _ => form.vraag3.clear(),
            }
            continue;
        }
        answers.insert(question.position.to_string(), answer.into());
    }
    if let Some(reason) = form::bot_suspicion(&state.config.secret_key, &data.website, &data.begonnen) {
        tracing::info!(reason, "event registration looked automated");
        errors.add("naam", "Het formulier is te snel of niet volledig verstuurd. Controleer uw gegevens en verstuur het nog eens.");
    }
    if !errors.is_empty() {
        return render_show(&state, page, event, form, errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let new = NewRegistration {
        event_id: event.id,
        user_id: user.as_ref().map(|u| u.id),
        name: &form.naam,
        email: &form.email,
        organisation: &form.organisatie,
        answers: answers.into(),
        show_on_list: form.toon.is_some(),
    };
    let mut tx = state.db.begin().await?;
    let outcome = places::register(&mut tx, &state.config, &event, &new).await?;
    tx.commit().await?;
    // What a new registration would get now, also for an address that was already there.
    let waiting = match outcome {
        Registered::New(r) => r.status == RegistrationStatus::Wachtlijst,
        Registered::Existing => {
            queries::by_id(&state.db, event.id).await?.is_none_or(|e| e.places_left() == 0)
        }
    };
    Ok(Html(RegisteredTemplate {
        page: page
            .crumb("Bijeenkomsten", "/bijeenkomsten")
            .crumb(event.title.clone(), format!("/bijeenkomsten/{slug}")),
        title: event.title,
        slug,
        waiting,
    })
    .into_response())
}

/// Whether mail to this address is known to bounce (the newsletter marks hard bounces).
async fn bounces(state: &AppState, email: &str) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM subscribers WHERE lower(email) = lower($1) AND status = $2) AS "bounces!""#,
        email,
        crate::newsletter::SubscriberStatus::Gebounced as crate::newsletter::SubscriberStatus,
    )
    .fetch_one(&state.db)
    .await
}

fn question_field(position: i32) -> &'static str {
    match position {
        1 => "vraag1",
        2 => "vraag2",
        _ => "vraag3",
    }
}

#[derive(Template)]
#[template(path = "events/registration.html")]
struct RegistrationTemplate {
    page: Page,
    found: Option<(Registration, Event)>,
    message: Option<&'static str>,
    token: String,
}

async fn render_registration(
    state: &AppState,
    page: Page,
    token: String,
    message: Option<&'static str>,
    status: StatusCode,
) -> AppResult<Response> {
    let registration = places::by_token(&state.db, &token).await?;
    let found = match registration {
        Some(r) => queries::by_id(&state.db, r.event_id).await?.map(|e| (r, e)),
        None => None,
    };
    let status = if found.is_none() { StatusCode::NOT_FOUND } else { status };
    let template = RegistrationTemplate {
        page: page
            .crumb("Bijeenkomsten", "/bijeenkomsten")
            .crumb("Uw aanmelding", format!("/bijeenkomsten/aanmelding/{token}")),
        found,
        message,
        token,
    };
    Ok((status, Html(template)).into_response())
}

/// GET `/bijeenkomsten/aanmelding/{token}`: only shows (a mail scanner changes nothing).
pub async fn registration_page(
    state: AppState,
    page: Page,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let message = page.notice::<RegistrationNotice>();
    render_registration(&state, page, token, message, StatusCode::OK).await
}

/// POST `/bijeenkomsten/aanmelding/{token}`: `actie` is `afmelden` or `innemen`.
pub async fn registration_action(
    state: AppState,
    page: Page,
    Path(token): Path<String>,
    Form(form): Form<ActionForm>,
) -> AppResult<Response> {
    let Some(registration) = places::by_token(&state.db, &token).await? else {
        return render_registration(&state, page, token, None, StatusCode::NOT_FOUND).await;
    };
    let mut tx = state.db.begin().await?;
    let (done, notice, refusal) = match form.actie.as_str() {
        "afmelden" => (
            places::cancel(&mut tx, &state.config, registration.id).await?,
            RegistrationNotice::Afgemeld,
            "Deze aanmelding was al afgemeld.",
        ),
        "innemen" => (
            places::claim(&mut tx, &state.config, registration.id).await?,
            RegistrationNotice::Ingenomen,
            "Deze plaats kan niet meer worden ingenomen: de termijn is verstreken of de plaats is al vergeven.",
        ),
        _ => return Err(AppError::BadRequest("Onbekende actie.".into())),
    };
    tx.commit().await?;
    if !done {
        return render_registration(&state, page, token, Some(refusal), StatusCode::CONFLICT).await;
    }
    Ok(notice.redirect(&format!("/bijeenkomsten/aanmelding/{token}")))
}
