//! `/beheer/bijeenkomsten`: editors create, edit, preview, publish and cancel events, set
//! capacity, deadline, questions and reminder, and write the report; the registrations are in
//! [`registrations`]. Every change is in the audit log, in the transaction that makes it.

use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use sqlx::PgConnection;
use time::OffsetDateTime;

use super::places;
use super::queries::{self, Linked};
use super::status::{EventForm, EventStatus, QuestionKind, RegistrationStatus};
use crate::admin::form_crumbs;
use crate::audit::{Entry, Target};
use crate::error::{AppError, AppResult};
use crate::media::{self, Image, ImageField, Purpose, UploadForm};
use crate::regions::RegionKind;
use crate::state::AppState;
use crate::taxonomy::{self, Term, Vocabulary};
use crate::text::{self, slugify};
use crate::web::auth::LoggedIn;
use crate::web::form::{self, FieldErrors};
use crate::web::notice::{Notice, notices};
use crate::web::page::{Html, Page};
use crate::web::path_id::PathId;
use crate::web::typed_form::Form;

pub(crate) mod registrations;

notices! {
    /// Messages on an event's edit page after an action.
    enum EventNotice {
        Opgeslagen = "opgeslagen", "De bijeenkomst is opgeslagen.";
        Gepubliceerd = "gepubliceerd", "De bijeenkomst is gepubliceerd.";
        Geannuleerd = "geannuleerd", "De bijeenkomst is geannuleerd; iedereen die aangemeld was of wachtte krijgt bericht.";
        Verslag = "verslag", "Het verslag is opgeslagen.";
        Gewijzigd = "gewijzigd", "Opgeslagen. Wie een plaats heeft, krijgt de bijgewerkte uitnodiging.";
    }
}

pub struct EventRow {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub starts_at: OffsetDateTime,
    pub status: EventStatus,
    pub capacity: i32,
    pub places_taken: i32,
    pub waiting: i64,
}

impl EventRow {
    pub fn date(&self) -> String {
        text::datetime_nl(self.starts_at)
    }
}

#[derive(Template)]
#[template(path = "events/admin/list.html")]
struct ListTemplate {
    page: Page,
    events: Vec<EventRow>,
}

pub async fn list(state: AppState, page: Page) -> AppResult<impl IntoResponse> {
    let events = sqlx::query_as!(
        EventRow,
        r#"SELECT e.id, e.slug, e.title, e.starts_at, e.status AS "status: EventStatus", e.capacity, e.places_taken,
                  (SELECT count(*) FROM registrations r WHERE r.event_id = e.id AND r.status = $1) AS "waiting!"
           FROM events e ORDER BY e.starts_at DESC LIMIT 300"#,
        RegistrationStatus::Wachtlijst as RegistrationStatus,
    )
    .fetch_all(&state.db)
    .await?;
    Ok(Html(ListTemplate {
        page: page.in_back_office().crumb("Bijeenkomsten", "/beheer/bijeenkomsten"),
        events,
    }))
}

/// The event form's fields, as typed (times as `datetime-local`, Amsterdam time).
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct EventFields {
    #[serde(default)]
    titel: String,
    #[serde(default)]
    samenvatting: String,
    /// The programme (Markdown).
    #[serde(default)]
    tekst: String,
    #[serde(default)]
    begin: String,
    #[serde(default)]
    einde: String,
    #[serde(default)]
    vorm: String,
    #[serde(default)]
    locatie: String,
    #[serde(default)]
    adres: String,
    #[serde(default)]
    deelnamelink: String,
    #[serde(default)]
    organisatie: String,
    #[serde(default)]
    niveau: String,
    #[serde(default)]
    thema: Vec<String>,
    #[serde(default)]
    regio: String,
    #[serde(default)]
    capaciteit: String,
    #[serde(default)]
    aanmelden_tot: String,
    #[serde(default)]
    herinnering_uren: String,
    #[serde(default)]
    herinnering_regel: String,
    #[serde(default)]
    vraag1: String,
    #[serde(default)]
    vraag1_soort: String,
    #[serde(default)]
    vraag1_keuzes: String,
    #[serde(default)]
    vraag2: String,
    #[serde(default)]
    vraag2_soort: String,
    #[serde(default)]
    vraag2_keuzes: String,
    #[serde(default)]
    vraag3: String,
    #[serde(default)]
    vraag3_soort: String,
    #[serde(default)]
    vraag3_keuzes: String,
    #[serde(default)]
    actie: String,
}

/// One question row of the form.
pub struct QuestionFields<'a> {
    pub position: i32,
    pub label: &'a str,
    pub kind: &'a str,
    pub choices: &'a str,
}

impl EventFields {
    fn questions(&self) -> [QuestionFields<'_>; 3] {
        [
            QuestionFields {
                position: 1,
                label: &self.vraag1,
                kind: &self.vraag1_soort,
                choices: &self.vraag1_keuzes,
            },
            QuestionFields {
                position: 2,
                label: &self.vraag2,
                kind: &self.vraag2_soort,
                choices: &self.vraag2_keuzes,
            },
            QuestionFields {
                position: 3,
                label: &self.vraag3,
                kind: &self.vraag3_soort,
                choices: &self.vraag3_keuzes,
            },
        ]
    }

    fn cleaned(self) -> Self {
        let c = |v: &str, n| form::clean(v, n);
        Self {
            titel: c(&self.titel, 200),
            samenvatting: c(&self.samenvatting, 300),
            tekst: c(&self.tekst, 50_000),
            begin: c(&self.begin, 20),
            einde: c(&self.einde, 20),
            vorm: c(&self.vorm, 20),
            locatie: c(&self.locatie, 200),
            adres: c(&self.adres, 200),
            deelnamelink: c(&self.deelnamelink, 500),
            organisatie: c(&self.organisatie, 200),
            niveau: c(&self.niveau, 40),
            thema: self.thema.iter().take(20).map(|t| c(t, 80)).collect(),
            regio: c(&self.regio, 80),
            capaciteit: c(&self.capaciteit, 10),
            aanmelden_tot: c(&self.aanmelden_tot, 20),
            herinnering_uren: c(&self.herinnering_uren, 10),
            herinnering_regel: c(&self.herinnering_regel, 300),
            vraag1: c(&self.vraag1, 200),
            vraag1_soort: c(&self.vraag1_soort, 10),
            vraag1_keuzes: c(&self.vraag1_keuzes, 500),
            vraag2: c(&self.vraag2, 200),
            vraag2_soort: c(&self.vraag2_soort, 10),
            vraag2_keuzes: c(&self.vraag2_keuzes, 500),
            vraag3: c(&self.vraag3, 200),
            vraag3_soort: c(&self.vraag3_soort, 10),
            vraag3_keuzes: c(&self.vraag3_keuzes, 500),
            actie: self.actie,
        }
    }
}

/// What the form comes to when it is valid.
struct Valid {
    starts_at: OffsetDateTime,
    ends_at: OffsetDateTime,
    form: EventForm,
    capacity: i32,
    deadline: Option<OffsetDateTime>,
    reminder_hours: i32,
    questions: Vec<(i32, QuestionKind, String, Vec<String>)>,
}

fn validate(f: &EventFields, errors: &mut FieldErrors) -> Option<Valid> {
    if f.titel.chars().count() < 3 {
        errors.add("titel", "Geef de bijeenkomst een titel van minstens 3 tekens.");
    }
    if f.samenvatting.is_empty() {
        errors.add("samenvatting", "Schrijf een korte samenvatting; die staat in de lijst en de agenda.");
    }
    let starts_at = text::from_amsterdam_local(&f.begin);
    if starts_at.is_none() {
        errors.add("begin", "Kies datum en tijd van het begin.");
    }
    let ends_at = text::from_amsterdam_local(&f.einde);
    match (starts_at, ends_at) {
        (_, None) => errors.add("einde", "Kies datum en tijd van het einde."),
        (Some(s), Some(e)) if e <= s => errors.add("einde", "Het einde ligt na het begin."),
        _ => {}
    }
    let form = EventForm::parse(&f.vorm);
    match form {
        None => errors.add("vorm", "Kies of de bijeenkomst op locatie, online of hybride is."),
        Some(EventForm::OpLocatie | EventForm::Hybride) if f.locatie.is_empty() => {
            errors.add("locatie", "Vul de locatie in.")
        }
        Some(EventForm::Online | EventForm::Hybride)
            if !(f.deelnamelink.is_empty() || f.deelnamelink.starts_with("https://")) =>
        {
            errors.add("deelnamelink", "Een deelnamelink begint met https://.")
        }
        _ => {}
    }
    let capacity = f.capaciteit.parse::<i32>().ok().filter(|c| (0..=100_000).contains(c));
    if capacity.is_none() {
        errors.add("capaciteit", "Vul het aantal plaatsen in als een getal (0 tot 100.000).");
    }
    let deadline = if f.aanmelden_tot.is_empty() {
        None
    } else {
        let d = text::from_amsterdam_local(&f.aanmelden_tot);
        if d.is_none() {
            errors.add("aanmelden_tot", "Kies datum en tijd, of laat het veld leeg.");
        }
        d
    };
    let reminder_hours =
        if f.herinnering_uren.is_empty() { Some(48) } else { f.herinnering_uren.parse().ok() }
            .filter(|h: &i32| (0..=720).contains(h));
    if reminder_hours.is_none() {
        errors.add("herinnering_uren", "Vul een aantal uren in tussen 0 en 720.");
    }
    let mut questions = Vec::new();
    for q in f.questions() {
        if q.label.is_empty() {
            continue;
        }
        let kind = QuestionKind::parse(q.kind).unwrap_or(QuestionKind::Tekst);
        let choices: Vec<String> =
            q.choices.split(';').map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned).collect();
        if kind == QuestionKind::Keuze && choices.len() < 2 {
            let field = ["vraag1_keuzes", "vraag2_keuzes", "vraag3_keuzes"][q.position as usize - 1];
            errors.add(
                field,
                "Geef bij een keuzevraag minstens twee mogelijkheden, gescheiden door een puntkomma.",
            );
        }
        questions.push((q.position, kind, q.label.to_owned(), choices));
    }
    if !errors.is_empty() {
        return None;
    }
    Some(Valid {
        starts_at: starts_at?,
        ends_at: ends_at?,
        form: form?,
        capacity: capacity?,
        deadline,
        reminder_hours: reminder_hours?,
        questions,
    })
}

#[derive(Template)]
#[template(path = "events/admin/form.html")]
struct FormTemplate {
    page: Page,
    id: Option<i64>,
    slug: String,
    status: EventStatus,
    form: EventFields,
    errors: FieldErrors,
    notice: Option<String>,
    preview_html: Option<String>,
    themes: Vec<Term>,
    levels: Vec<Term>,
    regions: Vec<Linked>,
    forms: &'static [EventForm],
    report: String,
    report_image: Option<Image>,
    report_alt: String,
    report_errors: FieldErrors,
}

impl FormTemplate {
    fn theme_checked(&self, slug: &str) -> bool {
        self.form.thema.iter().any(|t| t == slug)
    }
    fn action(&self) -> String {
        self.id
            .map(|id| format!("/beheer/bijeenkomsten/{id}"))
            .unwrap_or_else(|| "/beheer/bijeenkomsten".into())
    }
    fn questions(&self) -> [QuestionFields<'_>; 3] {
        self.form.questions()
    }
    fn report_image_field(&self) -> ImageField {
        ImageField::new(
            "afbeelding",
            "v-",
            "Foto bij het verslag (optioneel)",
            Purpose::Photo,
            self.report_image.clone(),
            &self.report_errors,
        )
    }
}

struct Extras {
    notice: Option<String>,
    preview: bool,
    report_errors: FieldErrors,
}

async fn render(
    state: &AppState,
    page: Page,
    id: Option<i64>,
    form: EventFields,
    errors: FieldErrors,
    extras: Extras,
) -> AppResult<Response> {
    let status = if errors.is_empty() && extras.report_errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let (slug, event_status, report, report_image_id, report_alt) = match id {
        Some(id) => {
            let row = sqlx::query!(
                r#"SELECT slug, status AS "status: EventStatus", report_md, report_image_id, report_image_alt
                   FROM events WHERE id = $1"#,
                id
            )
            .fetch_optional(&state.db)
            .await?
            .ok_or(AppError::NotFound)?;
            (row.slug, row.status, row.report_md, row.report_image_id, row.report_image_alt)
        }
        None => (String::new(), EventStatus::Concept, String::new(), None, String::new()),
    };
    let labels = ["Bijeenkomst bewerken", "Nieuwe bijeenkomst"];
    let template = FormTemplate {
        page: form_crumbs(page, "Bijeenkomsten", "/beheer/bijeenkomsten", id, labels),
        id,
        slug,
        status: event_status,
        preview_html: extras.preview.then(|| text::markdown(&form.tekst)),
        form,
        errors,
        notice: extras.notice,
        themes: taxonomy::all(&state.db, Vocabulary::Theme).await?,
        levels: taxonomy::all(&state.db, Vocabulary::Level).await?,
        regions: region_choices(state).await?,
        forms: EventForm::ALL,
        report,
        report_image: media::find(&state.db, report_image_id).await?,
        report_alt,
        report_errors: extras.report_errors,
    };
    Ok((status, Html(template)).into_response())
}

/// Provinces and jeugdregio's (an event is for a region, not one municipality).
async fn region_choices(state: &AppState) -> sqlx::Result<Vec<Linked>> {
    sqlx::query_as!(
        Linked,
        "SELECT slug, name FROM regions WHERE kind = ANY($1) ORDER BY kind DESC, name",
        &[RegionKind::Provincie, RegionKind::Jeugdregio] as &[RegionKind],
    )
    .fetch_all(&state.db)
    .await
}

pub async fn new_form(state: AppState, page: Page) -> AppResult<Response> {
    let form = EventFields {
        vorm: EventForm::OpLocatie.as_str().into(),
        herinnering_uren: "48".into(),
        ..Default::default()
    };
    render(
        &state,
        page,
        None,
        form,
        FieldErrors::default(),
        Extras { notice: None, preview: false, report_errors: FieldErrors::default() },
    )
    .await
}

async fn load(state: &AppState, id: i64) -> AppResult<EventFields> {
    let e = queries::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let level = sqlx::query_scalar!(
        "SELECT l.slug FROM levels l JOIN events e ON e.level_id = l.id WHERE e.id = $1",
        id
    )
    .fetch_optional(&state.db)
    .await?;
    let themes = queries::themes_of(&state.db, id).await?.into_iter().map(|t| t.slug).collect();
    let region =
        queries::regions_of(&state.db, id).await?.into_iter().next().map(|r| r.slug).unwrap_or_default();
    let questions = queries::questions_of(&state.db, id).await?;
    let mut f = EventFields {
        titel: e.title,
        samenvatting: e.summary,
        tekst: e.programme_md,
        begin: text::to_amsterdam_local(e.starts_at),
        einde: text::to_amsterdam_local(e.ends_at),
        vorm: e.form.as_str().into(),
        locatie: e.venue,
        adres: e.address,
        deelnamelink: e.join_url,
        organisatie: e.organiser,
        niveau: level.unwrap_or_default(),
        thema: themes,
        regio: region,
        capaciteit: e.capacity.to_string(),
        aanmelden_tot: e.registration_deadline.map(text::to_amsterdam_local).unwrap_or_default(),
        herinnering_uren: e.reminder_hours.to_string(),
        herinnering_regel: e.reminder_note,
        ..Default::default()
    };
    for q in questions {
        let (label, kind, choices) = match q.position {
            1 => (&mut f.vraag1, &mut f.vraag1_soort, &mut f.vraag1_keuzes),
            2 => (&mut f.vraag2, &mut f.vraag2_soort, &mut f.vraag2_keuzes),
            _ => (&mut f.vraag3, &mut f.vraag3_soort, &mut f.vraag3_keuzes),
        };
        *label = q.label;
        *kind = q.kind.as_str().into();
        *choices = q.choices.join("; ");
    }
    Ok(f)
}

pub async fn edit_form(state: AppState, page: Page, Path(id): Path<i64>) -> AppResult<Response> {
    let form = load(&state, id).await?;
    let notice = page.notice::<EventNotice>().map(str::to_owned);
    render(
        &state,
        page,
        Some(id),
        form,
        FieldErrors::default(),
        Extras { notice, preview: false, report_errors: FieldErrors::default() },
    )
    .await
}

/// Writes what an editor changes of an event besides its time and place (those change through
/// `places::reschedule`, which also tells everyone with a place), for a new event and an edit.
async fn write_fields(tx: &mut PgConnection, id: i64, f: &EventFields, v: &Valid) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE events SET title = $2, summary = $3, programme_md = $4, form = $5, join_url = $6, organiser = $7, \
                level_id = (SELECT id FROM levels WHERE slug = $8), capacity = $9, registration_deadline = $10, \
                reminder_hours = $11, reminder_note = $12, updated_at = now() \
         WHERE id = $1",
        id,
        f.titel,
        f.samenvatting,
        f.tekst,
        v.form as EventForm,
        f.deelnamelink,
        f.organisatie,
        f.niveau,
        v.capacity,
        v.deadline,
        v.reminder_hours,
        f.herinnering_regel,
    )
    .execute(tx)
    .await?;
    Ok(())
}

pub async fn save(
    state: AppState,
    page: Page,
    id: Option<PathId<i64>>,
    Form(f): Form<EventFields>,
) -> AppResult<Response> {
    let id = id.map(|PathId(id)| id);
    let f = f.cleaned();
    let mut errors = FieldErrors::default();
    let valid = validate(&f, &mut errors);
    let preview = f.actie == "voorbeeld";
    let Some(v) = valid.filter(|_| !preview) else {
        let extras = Extras { notice: None, preview, report_errors: FieldErrors::default() };
        return render(&state, page, id, f, errors, extras).await;
    };
    let publish = f.actie == "publiceren";
    let mut tx = state.db.begin().await?;
    let mut notice = if publish { EventNotice::Gepubliceerd } else { EventNotice::Opgeslagen };
    let mut over_capacity = None;
    let id = match id {
        Some(id) => {
            let before = queries::by_id(&mut *tx, id).await?.ok_or(AppError::NotFound)?;
            sqlx::query_scalar!("SELECT id FROM events WHERE id = $1 FOR UPDATE", id)
                .fetch_one(&mut *tx)
                .await?;
            write_fields(&mut tx, id, &f, &v).await?;
            if publish {
                places::publish(&mut tx, id).await?;
            }
            let moved = before.starts_at != v.starts_at
                || before.ends_at != v.ends_at
                || before.venue != f.locatie
                || before.address != f.adres;
            if moved {
                // Same UID, higher SEQUENCE, and the new invitation to everyone with a place.
                places::reschedule(&mut tx, &state.config, id, v.starts_at, v.ends_at, &f.locatie, &f.adres)
                    .await?;
                if before.status == EventStatus::Gepubliceerd {
                    notice = EventNotice::Gewijzigd;
                }
            }
            if v.capacity < before.places_taken {
                over_capacity = Some(before.places_taken);
            } else {
                places::open_places(&mut tx, &state.config, id).await?;
            }
            let action = if publish { "bijeenkomst gepubliceerd" } else { "bijeenkomst gewijzigd" };
            Entry::new(page.actor()?, action, Target::Bijeenkomst, id)
                .before(json!({ "titel": before.title, "begin": text::datetime_nl(before.starts_at),
                    "plaats": before.place(), "capaciteit": before.capacity, "status": before.status.as_str() }))
                .after(json!({ "titel": f.titel, "begin": text::datetime_nl(v.starts_at),
                    "plaats": f.locatie, "capaciteit": v.capacity }))
                .record(&mut *tx)
                .await?;
            id
        }
        None => {
            let base = slugify(&f.titel);
            let base = if base.is_empty() { "bijeenkomst".to_owned() } else { base };
            let mut candidates = text::SlugCandidates::new(&base);
            let id = loop {
                let slug = candidates.next_slug();
                let inserted = sqlx::query_scalar!(
                    "INSERT INTO events (slug, title, starts_at, ends_at, form, venue, address, capacity) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (slug) DO NOTHING RETURNING id",
                    slug,
                    f.titel,
                    v.starts_at,
                    v.ends_at,
                    v.form as EventForm,
                    f.locatie,
                    f.adres,
                    v.capacity,
                )
                .fetch_optional(&mut *tx)
                .await?;
                if let Some(id) = inserted {
                    break id;
                }
            };
            write_fields(&mut tx, id, &f, &v).await?;
            // A new event is a concept until it is published.
            let status = if publish { places::publish(&mut tx, id).await? } else { EventStatus::Concept };
            Entry::new(page.actor()?, "bijeenkomst aangemaakt", Target::Bijeenkomst, id)
                .after(json!({ "titel": f.titel, "begin": text::datetime_nl(v.starts_at), "status": status.as_str() }))
                .record(&mut *tx)
                .await?;
            id
        }
    };
    sqlx::query!("DELETE FROM event_themes WHERE event_id = $1", id).execute(&mut *tx).await?;
    sqlx::query!("INSERT INTO event_themes SELECT $1, id FROM themes WHERE slug = ANY($2)", id, &f.thema)
        .execute(&mut *tx)
        .await?;
    sqlx::query!("DELETE FROM event_regions WHERE event_id = $1", id).execute(&mut *tx).await?;
    sqlx::query!("INSERT INTO event_regions SELECT $1, id FROM regions WHERE slug = $2", id, f.regio)
        .execute(&mut *tx)
        .await?;
    sqlx::query!("DELETE FROM event_questions WHERE event_id = $1", id).execute(&mut *tx).await?;
    for (position, kind, label, choices) in &v.questions {
        sqlx::query!(
            "INSERT INTO event_questions (event_id, position, kind, label, choices) VALUES ($1, $2, $3, $4, $5)",
            id,
            position,
            *kind as QuestionKind,
            label,
            choices,
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    if let Some(registered) = over_capacity {
        // Everyone keeps their place; the organiser is told so.
        let notice = format!(
            "Opgeslagen. Er hebben al {registered} mensen een plaats, meer dan de {} die u nu opgaf. Iedereen houdt zijn plaats; nieuwe aanmeldingen komen op de wachtlijst.",
            v.capacity
        );
        let form = load(&state, id).await?;
        let extras = Extras { notice: Some(notice), preview: false, report_errors: FieldErrors::default() };
        return render(&state, page, Some(id), form, FieldErrors::default(), extras).await;
    }
    Ok(notice.redirect(&format!("/beheer/bijeenkomsten/{id}")))
}

#[derive(serde::Deserialize)]
pub struct CancelFields {
    #[serde(default)]
    bericht: String,
}

/// POST `/beheer/bijeenkomsten/{id}/annuleren`: everyone registered or waiting gets the
/// cancellation with the message.
pub async fn cancel(
    state: AppState,
    LoggedIn(actor): LoggedIn,
    Path(id): Path<i64>,
    Form(fields): Form<CancelFields>,
) -> AppResult<Response> {
    let message = form::clean(&fields.bericht, 2000);
    let mut tx = state.db.begin().await?;
    let before = queries::by_id(&mut *tx, id).await?.ok_or(AppError::NotFound)?;
    if before.status == EventStatus::Geannuleerd {
        return Err(AppError::Conflict("Deze bijeenkomst is al geannuleerd.".into()));
    }
    places::cancel_event(&mut tx, &state.config, id, &message).await?;
    Entry::new(&actor, "bijeenkomst geannuleerd", Target::Bijeenkomst, id)
        .before(json!({ "status": before.status.as_str() }))
        .after(json!({ "status": EventStatus::Geannuleerd.as_str(), "bericht": message }))
        .record(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(EventNotice::Geannuleerd.redirect(&format!("/beheer/bijeenkomsten/{id}")))
}

/// POST `/beheer/bijeenkomsten/{id}/verslag` (multipart): the report after the event, with an
/// optional photo through the media library.
pub async fn save_report(
    state: AppState,
    page: Page,
    Path(id): Path<i64>,
    upload: UploadForm,
) -> AppResult<Response> {
    let report = form::clean(&upload.data.one("verslag-tekst"), 50_000);
    let alt = form::clean(&upload.data.one("afbeelding_alt"), 300);
    let mut errors = FieldErrors::default();
    let user_id = page.user.as_ref().map(|u| u.id);
    let image =
        media::read_image(&state.db, &upload, "afbeelding", Purpose::Photo, user_id, &mut errors).await?;
    if image.is_some() && alt.is_empty() {
        errors.add(
            "afbeelding_alt",
            "Beschrijf kort wat er op de foto te zien is, voor wie haar niet kan zien.",
        );
    }
    if !errors.is_empty() {
        let form = load(&state, id).await?;
        return render(
            &state,
            page,
            Some(id),
            form,
            FieldErrors::default(),
            Extras { notice: None, preview: false, report_errors: errors },
        )
        .await;
    }
    let image_id = image.as_ref().map(|i| i.id);
    let mut tx = state.db.begin().await?;
    let before = sqlx::query!("SELECT report_md, report_image_id FROM events WHERE id = $1 FOR UPDATE", id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::NotFound)?;
    sqlx::query!(
        "UPDATE events SET report_md = $2, report_image_id = (SELECT id FROM media WHERE id = $3), \
                report_image_alt = $4, updated_at = now() WHERE id = $1",
        id,
        report,
        image_id,
        if image_id.is_some() { alt.as_str() } else { "" },
    )
    .execute(&mut *tx)
    .await?;
    Entry::new(page.actor()?, "verslag van bijeenkomst opgeslagen", Target::Bijeenkomst, id)
        .before(json!({ "verslag": before.report_md, "afbeelding": before.report_image_id }))
        .after(json!({ "verslag": report, "afbeelding": image_id }))
        .record(&mut *tx)
        .await?;
    tx.commit().await?;
    let previous = before.report_image_id.filter(|old| Some(*old) != image_id);
    media::forget_if_unused(&state.db, previous).await;
    Ok(EventNotice::Verslag.redirect(&format!("/beheer/bijeenkomsten/{id}")))
}
