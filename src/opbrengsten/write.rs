//! `/opbrengsten/schrijven`: a member who belongs to an inspiratieregio (or an editor) writes a
//! dated lesson for it. The lesson waits for review ("ter beoordeling"; the editors are mailed)
//! and is decided in `/beheer/opbrengsten`. Who belongs to a region: `queries::writable_regions`.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use sqlx::PgConnection;

use super::mails::LessonWaiting;
use super::queries::{self, Choice, RegionChoice};
use super::{LessonKind, Review};
use crate::audit::{Entry, Target};
use crate::catalogue::editorial::mail_editors;
use crate::error::AppResult;
use crate::state::AppState;
use crate::text;
use crate::web::auth::LoggedIn;
use crate::web::filters::QueryParams;
use crate::web::form::{FieldErrors, clean};
use crate::web::notice::{Notice, notices};
use crate::web::page::{Html, Page};
use crate::web::typed_form::Form;

/// The lesson form as typed; `vraagstuk` and `initiatief` are slugs, `datum` is `YYYY-MM-DD`.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct LessonForm {
    #[serde(default)]
    pub regio: String,
    #[serde(default)]
    pub titel: String,
    #[serde(default)]
    pub soort: String,
    #[serde(default)]
    pub tekst: String,
    #[serde(default)]
    pub datum: String,
    #[serde(default)]
    pub vraagstuk: Vec<String>,
    #[serde(default)]
    pub initiatief: Vec<String>,
}

/// A checked lesson, ready to be written.
pub struct Valid {
    pub title: String,
    pub kind: LessonKind,
    pub body_md: String,
    pub happened_on: time::Date,
}

impl LessonForm {
    fn cleaned(mut self) -> Self {
        self.titel = clean(&self.titel, 400);
        self.tekst = clean(&self.tekst, 40_000);
        self.datum = clean(&self.datum, 40);
        self.vraagstuk =
            self.vraagstuk.iter().map(|s| clean(s, 200)).filter(|s| !s.is_empty()).take(50).collect();
        self.initiatief =
            self.initiatief.iter().map(|s| clean(s, 200)).filter(|s| !s.is_empty()).take(50).collect();
        self
    }

    fn validate(&self, errors: &mut FieldErrors) -> Option<Valid> {
        let title_len = self.titel.chars().count();
        if title_len < 3 {
            errors.add("titel", "Geef de les een titel van minstens 3 tekens.");
        } else if title_len > 160 {
            errors.add("titel", "Houd de titel op hoogstens 160 tekens.");
        }
        let kind = LessonKind::parse(&self.soort);
        if kind.is_none() {
            errors.add("soort", "Kies wat voor les het is: wat werkt, wat niet werkt of een voorwaarde.");
        }
        let body_len = self.tekst.chars().count();
        if body_len < 10 {
            errors.add("tekst", "Beschrijf de les in minstens 10 tekens.");
        } else if body_len > 20_000 {
            errors.add("tekst", "Houd de tekst op hoogstens 20.000 tekens.");
        }
        let today = text::amsterdam(time::OffsetDateTime::now_utc()).date();
        let happened_on =
            time::Date::parse(&self.datum, &time::macros::format_description!("[year]-[month]-[day]"))
                .ok()
                .filter(|d| d.year() >= 2000 && *d <= today);
        if happened_on.is_none() {
            errors.add("datum", "Kies de datum waarop u dit leerde (niet in de toekomst).");
        }
        Some(Valid {
            title: self.titel.clone(),
            kind: kind?,
            body_md: self.tekst.clone(),
            happened_on: happened_on?,
        })
        .filter(|_| errors.is_empty())
    }
}

notices! {
    /// The message on the writing page after a lesson was sent in.
    enum WriteNotice {
        Ingediend = "ingediend", "Dank u wel. Uw les is ingediend; de redactie bekijkt haar voordat ze op de site staat.";
    }
}

#[derive(Template)]
#[template(path = "opbrengsten/write.html")]
pub struct WriteTemplate {
    page: Page,
    /// The regions this user may write for.
    regions: Vec<RegionChoice>,
    /// The region chosen, when there is one.
    region: Option<RegionChoice>,
    kinds: &'static [LessonKind],
    vraagstukken: Vec<Choice>,
    initiatives: Vec<Choice>,
    form: LessonForm,
    errors: FieldErrors,
    notice: Option<&'static str>,
}

impl WriteTemplate {
    fn has(&self, list: &[String], slug: &str) -> bool {
        list.iter().any(|s| s == slug)
    }
}

fn crumbs(page: Page) -> Page {
    page.in_account().crumb("Les schrijven", "/opbrengsten/schrijven")
}

async fn render(
    state: &AppState,
    page: Page,
    regions: Vec<RegionChoice>,
    form: LessonForm,
    errors: FieldErrors,
) -> AppResult<Response> {
    let region = regions.iter().find(|r| r.slug == form.regio).cloned();
    let (vraagstukken, initiatives) = match &region {
        Some(r) => (
            queries::vraagstuk_options(&state.db).await?,
            queries::initiative_options(&state.db, r.id).await?,
        ),
        None => (Vec::new(), Vec::new()),
    };
    let status = if regions.is_empty() {
        StatusCode::FORBIDDEN
    } else if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let template = WriteTemplate {
        notice: page.notice::<WriteNotice>(),
        page: crumbs(page),
        regions,
        region,
        kinds: LessonKind::ALL,
        vraagstukken,
        initiatives,
        form,
        errors,
    };
    Ok((status, Html(template)).into_response())
}

/// The form for the region in `?regio=` (or the only one the user may write for), or the
/// choice of region; a 403 with an explanation for someone who belongs to no inspiratieregio.
pub async fn form_page(
    state: AppState,
    page: Page,
    LoggedIn(user): LoggedIn,
    params: QueryParams,
) -> AppResult<Response> {
    let regions = queries::writable_regions(&state.db, &user).await?;
    let asked = params.one("regio").unwrap_or_default();
    let regio = match (asked.is_empty(), regions.as_slice()) {
        (true, [only]) => only.slug.clone(),
        _ => asked,
    };
    if !regio.is_empty() && !regions.is_empty() && !regions.iter().any(|r| r.slug == regio) {
        return refuse(&state, page, regions).await;
    }
    let today = text::amsterdam(time::OffsetDateTime::now_utc()).date().to_string();
    let form = LessonForm { regio, datum: today, ..Default::default() };
    render(&state, page, regions, form, FieldErrors::default()).await
}

/// A 403 for a region this user does not belong to: the page explains, and offers the
/// regions they may write for.
async fn refuse(state: &AppState, page: Page, regions: Vec<RegionChoice>) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    errors.add(
        "regio",
        "U hoort niet bij deze inspiratieregio. Alleen aandeelhouders uit de regio en de redactie schrijven er lessen voor.",
    );
    let mut response = render(state, page, regions, LessonForm::default(), errors).await?;
    *response.status_mut() = StatusCode::FORBIDDEN;
    Ok(response)
}

pub async fn submit(
    state: AppState,
    page: Page,
    LoggedIn(user): LoggedIn,
    Form(form): Form<LessonForm>,
) -> AppResult<Response> {
    let regions = queries::writable_regions(&state.db, &user).await?;
    let Some(region) = regions.iter().find(|r| r.slug == form.regio).cloned() else {
        return refuse(&state, page, regions).await;
    };
    let form = form.cleaned();
    let mut errors = FieldErrors::default();
    let valid = form.validate(&mut errors);
    let mut tx = state.db.begin().await?;
    let vraagstukken = queries::published_vraagstukken(&mut tx, &form.vraagstuk).await?;
    if vraagstukken.len() != form.vraagstuk.len() {
        errors.add("vraagstuk", "Koppel alleen vraagstukken die op de site staan.");
    }
    let initiatives = queries::published_initiatives(&mut tx, &form.initiatief).await?;
    if initiatives.len() != form.initiatief.len() {
        errors.add("initiatief", "Koppel alleen initiatieven die op de site staan.");
    }
    let Some(valid) = valid.filter(|_| errors.is_empty()) else {
        drop(tx);
        return render(&state, page, regions, form, errors).await;
    };
    let (id, slug) = insert(&mut tx, region.id, &valid, Some(user.id)).await?;
    link(&mut tx, id, &vraagstukken, &initiatives).await?;
    Entry::new(&user, "les ingediend", Target::Les, id)
        .after(json!({ "titel": valid.title, "slug": slug, "regio": region.name, "status": Review::TerBeoordeling }))
        .record(&mut *tx)
        .await?;
    let waiting = LessonWaiting {
        title: valid.title.clone(),
        region: region.name.clone(),
        link: state.config.absolute("/beheer/opbrengsten"),
    };
    mail_editors(&mut tx, &state.config, &waiting).await?;
    tx.commit().await?;
    Ok(WriteNotice::Ingediend.redirect("/opbrengsten/schrijven"))
}

/// Writes a lesson waiting for review under a free slug made of its title.
pub async fn insert(
    conn: &mut PgConnection,
    region_id: i32,
    lesson: &Valid,
    author: Option<i64>,
) -> sqlx::Result<(i64, String)> {
    let base = text::slugify(&lesson.title);
    // `/opbrengsten/schrijven` is the form, not a lesson.
    let base = if base.is_empty() || base == "schrijven" { format!("les-{base}") } else { base };
    let base = base.trim_end_matches('-').to_owned();
    let mut candidates = text::SlugCandidates::new(&base);
    loop {
        let slug = candidates.next_slug();
        let id = sqlx::query_scalar!(
            "INSERT INTO lessons (slug, region_id, title, kind, body_md, happened_on, review, author_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (slug) DO NOTHING RETURNING id",
            slug,
            region_id,
            lesson.title,
            lesson.kind as LessonKind,
            lesson.body_md,
            lesson.happened_on,
            Review::TerBeoordeling as Review,
            author,
        )
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(id) = id {
            return Ok((id, slug));
        }
    }
}

async fn link(
    conn: &mut PgConnection,
    id: i64,
    vraagstukken: &[i64],
    initiatives: &[i64],
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO lesson_vraagstukken SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING",
        id,
        vraagstukken
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "INSERT INTO lesson_initiatives SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING",
        id,
        initiatives
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}
