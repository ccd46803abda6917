//! `/beheer/nieuws`: editors write news in Markdown (sanitised on display), preview it, and
//! publish at once or at a chosen moment.

use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use time::OffsetDateTime;

use super::publishing::{self, Content, Transition};
use super::status::Publication;
use crate::admin::form_crumbs;
use crate::audit::{Entry, Target};
use crate::error::{AppError, AppResult};
use crate::media::{self, Image, ImageField, Purpose, UploadForm};
use crate::state::AppState;
use crate::taxonomy::{self, Term, Vocabulary};
use crate::text;
use crate::web::form::{self, FieldErrors};
use crate::web::notice::{Notice, notices};
use crate::web::page::{Html, Page};
use crate::web::path_id::PathId;

notices! {
    /// Messages on the news list after saving an item.
    enum NewsNotice {
        Opgeslagen = "opgeslagen", "Het bericht is opgeslagen.";
        Gepubliceerd = "gepubliceerd", "Het bericht is gepubliceerd.";
        Ingepland = "ingepland", "Het bericht is ingepland en verschijnt op het gekozen moment.";
        Teruggetrokken = "teruggetrokken", "Het bericht is een concept geworden en staat niet meer op de site.";
    }
}

pub struct NewsRow {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub published_at: Option<OffsetDateTime>,
}

impl NewsRow {
    pub fn is_public(&self) -> bool {
        self.published_at.is_some_and(|t| t <= OffsetDateTime::now_utc())
    }

    pub fn state(&self) -> String {
        match self.published_at {
            None => Publication::Concept.as_str().into(),
            Some(t) if t > OffsetDateTime::now_utc() => format!("gepland voor {}", text::datetime_nl(t)),
            Some(t) => format!("gepubliceerd op {}", text::date_nl(t)),
        }
    }
}

#[derive(Template)]
#[template(path = "news/admin/list.html")]
struct ListTemplate {
    page: Page,
    items: Vec<NewsRow>,
    notice: Option<&'static str>,
}

pub async fn list(state: AppState, page: Page) -> AppResult<impl IntoResponse> {
    let items = sqlx::query_as!(
        NewsRow,
        "SELECT id, slug, title, published_at FROM news_items ORDER BY coalesce(published_at, created_at) DESC LIMIT 200"
    )
    .fetch_all(&state.db)
    .await?;
    Ok(Html(ListTemplate {
        notice: page.notice::<NewsNotice>(),
        page: page.in_back_office().crumb("Nieuws", "/beheer/nieuws"),
        items,
    }))
}

pub struct NewsForm {
    pub title: String,
    pub lead: String,
    pub body: String,
    pub themes: Vec<String>,
    pub publish: Publication,
    pub publish_at: String,
    pub image: Option<Image>,
    pub image_alt: String,
}

#[derive(Template)]
#[template(path = "news/admin/form.html")]
struct FormTemplate {
    page: Page,
    id: Option<i64>,
    form: NewsForm,
    all_themes: Vec<Term>,
    errors: FieldErrors,
    preview_html: Option<String>,
}

impl Default for NewsForm {
    fn default() -> Self {
        NewsForm {
            title: String::new(),
            lead: String::new(),
            body: String::new(),
            themes: Vec::new(),
            publish: Publication::Concept,
            publish_at: String::new(),
            image: None,
            image_alt: String::new(),
        }
    }
}

impl FormTemplate {
    fn publications(&self) -> &'static [Publication] {
        Publication::ALL
    }
    /// Multipart forms carry their CSRF token in the query string (see `web::context`).
    fn action(&self) -> String {
        match self.id {
            Some(id) => format!("/beheer/nieuws/{id}"),
            None => "/beheer/nieuws".to_owned(),
        }
    }
    fn image_field(&self) -> ImageField {
        ImageField::new(
            "afbeelding",
            "n-",
            "Bestand (optioneel)",
            Purpose::Photo,
            self.form.image.clone(),
            &self.errors,
        )
    }
}

async fn render(
    state: &AppState,
    page: Page,
    id: Option<i64>,
    form: NewsForm,
    errors: FieldErrors,
    preview: bool,
) -> AppResult<Response> {
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let labels = ["Bericht bewerken", "Nieuw bericht"];
    let template = FormTemplate {
        page: form_crumbs(page, "Nieuws", "/beheer/nieuws", id, labels),
        id,
        preview_html: preview.then(|| text::markdown(&form.body)),
        form,
        all_themes: taxonomy::all(&state.db, Vocabulary::Theme).await?,
        errors,
    };
    Ok((status, Html(template)).into_response())
}

pub async fn new_form(state: AppState, page: Page) -> AppResult<Response> {
    render(&state, page, None, NewsForm::default(), FieldErrors::default(), false).await
}

pub async fn edit_form(state: AppState, page: Page, Path(id): Path<i64>) -> AppResult<Response> {
    let item = sqlx::query!(
        "SELECT title, lead, body_md, published_at, image_id, image_alt FROM news_items WHERE id = $1",
        id,
    )
    .fetch_optional(&state.db)
    .await?
    .ok_or(AppError::NotFound)?;
    let (title, lead, body, published_at, image_id, image_alt) =
        (item.title, item.lead, item.body_md, item.published_at, item.image_id, item.image_alt);
    let image = media::find(&state.db, image_id).await?;
    let themes = sqlx::query_scalar!(
        "SELECT t.slug FROM news_item_themes l JOIN themes t ON t.id = l.theme_id WHERE l.news_item_id = $1",
        id,
    )
    .fetch_all(&state.db)
    .await?;
    let (publish, publish_at) = match published_at {
        None => (Publication::Concept, String::new()),
        Some(t) if t > OffsetDateTime::now_utc() => (Publication::Gepland, text::to_amsterdam_local(t)),
        Some(t) => (Publication::Nu, text::to_amsterdam_local(t)),
    };
    render(
        &state,
        page,
        Some(id),
        NewsForm { title, lead, body, themes, publish, publish_at, image, image_alt },
        FieldErrors::default(),
        false,
    )
    .await
}

/// The news form as sent (its fields; the image comes as a file). `actie=voorbeeld` asks for
/// a preview instead of saving.
#[derive(Default, serde::Deserialize)]
#[serde(default)]
struct NewsPost {
    titel: String,
    inleiding: String,
    tekst: String,
    thema: Vec<String>,
    publicatie: String,
    publicatiemoment: String,
    afbeelding_alt: String,
    actie: String,
}

impl NewsPost {
    fn preview(&self) -> bool {
        self.actie == "voorbeeld"
    }

    /// The form, trimmed and capped; an unknown publication choice is a concept.
    fn into_form(self) -> NewsForm {
        let mut themes = self.thema;
        themes.truncate(50);
        NewsForm {
            title: form::clean(&self.titel, 200),
            lead: form::clean(&self.inleiding, 600),
            body: form::clean(&self.tekst, 100_000),
            themes,
            publish: Publication::parse(&self.publicatie).unwrap_or(Publication::Concept),
            publish_at: self.publicatiemoment,
            image: None,
            image_alt: form::clean(&self.afbeelding_alt, 300),
        }
    }
}

/// The publication moment the form asks for, or the error to show.
fn moment(form: &NewsForm, errors: &mut FieldErrors) -> Option<OffsetDateTime> {
    match form.publish {
        Publication::Nu => {
            Some(text::from_amsterdam_local(&form.publish_at).unwrap_or_else(OffsetDateTime::now_utc))
        }
        Publication::Gepland => match text::from_amsterdam_local(&form.publish_at) {
            Some(t) => Some(t),
            None => {
                errors.add("publicatiemoment", "Kies datum en tijd waarop het bericht moet verschijnen.");
                None
            }
        },
        Publication::Concept => None,
    }
}

/// What the audit log keeps of a news item.
fn audited(title: &str, published_at: Option<OffsetDateTime>, image_id: Option<i64>) -> serde_json::Value {
    json!({ "titel": title, "gepubliceerd": published_at.map(text::datetime_nl), "afbeelding": image_id })
}

pub async fn save(
    state: AppState,
    page: Page,
    id: Option<PathId<i64>>,
    upload: UploadForm,
) -> AppResult<Response> {
    let id = id.map(|PathId(id)| id);
    let sent: NewsPost = upload.fields()?;
    let preview = sent.preview();
    let mut form = sent.into_form();
    let mut errors = FieldErrors::default();
    if form.title.chars().count() < 3 {
        errors.add("titel", "Geef het bericht een titel van minstens 3 tekens.");
    }
    if form.lead.is_empty() {
        errors.add("inleiding", "Schrijf een korte inleiding; die staat in overzichten en de nieuwsbrief.");
    }
    let published_at = moment(&form, &mut errors);
    let user_id = page.user.as_ref().map(|u| u.id);
    form.image =
        media::read_image(&state.db, &upload, "afbeelding", Purpose::Photo, user_id, &mut errors).await?;
    if form.image.is_none() {
        form.image_alt.clear();
    } else if form.image_alt.is_empty() {
        errors.add(
            "afbeelding_alt",
            "Beschrijf kort wat er op de afbeelding te zien is, voor wie haar niet kan zien.",
        );
    }
    let image_id = form.image.as_ref().map(|i| i.id);
    if preview || !errors.is_empty() {
        return render(&state, page, id, form, errors, preview).await;
    }
    let content = Content {
        title: &form.title,
        lead: &form.lead,
        body: &form.body,
        themes: &form.themes,
        image_id,
        image_alt: &form.image_alt,
    };
    let mut tx = state.db.begin().await?;
    let mut previous_image = None;
    let transition = match id {
        Some(id) => {
            let change =
                publishing::set_publication(&mut tx, id, published_at).await?.ok_or(AppError::NotFound)?;
            let before = sqlx::query!("SELECT title, image_id FROM news_items WHERE id = $1", id)
                .fetch_one(&mut *tx)
                .await?;
            previous_image = before.image_id.filter(|old| Some(*old) != image_id);
            publishing::write(&mut tx, id, &content).await?;
            Entry::new(page.actor()?, "nieuwsbericht gewijzigd", Target::Nieuwsbericht, id)
                .before(audited(&before.title, change.before, before.image_id))
                .after(audited(&form.title, published_at, image_id))
                .record(&mut *tx)
                .await?;
            change.transition
        }
        None => {
            let id = publishing::insert(&mut tx, &form.title).await?;
            let change =
                publishing::set_publication(&mut tx, id, published_at).await?.ok_or(AppError::NotFound)?;
            publishing::write(&mut tx, id, &content).await?;
            Entry::new(page.actor()?, "nieuwsbericht aangemaakt", Target::Nieuwsbericht, id)
                .after(audited(&form.title, published_at, image_id))
                .record(&mut *tx)
                .await?;
            change.transition
        }
    };
    tx.commit().await?;
    media::forget_if_unused(&state.db, previous_image).await;
    let notice = match transition {
        Transition::Published => NewsNotice::Gepubliceerd,
        Transition::Scheduled => NewsNotice::Ingepland,
        Transition::Withdrawn => NewsNotice::Teruggetrokken,
        Transition::Other => NewsNotice::Opgeslagen,
    };
    Ok(notice.redirect("/beheer/nieuws"))
}
