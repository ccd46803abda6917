//! `/beheer/opbrengsten`: editors publish or reject the lessons that wait for review, and a
//! coordinator turns a region's published lessons of a period into a newsletter block (a text
//! block added to a concept campaign) or a kennisbank record (a publication in concept), so
//! nobody retypes them.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;
use time::Date;

use super::queries::{Card, RegionChoice};
use super::{LessonKind, Review, review};
use crate::audit::{Entry, Target};
use crate::error::AppResult;
use crate::kennisbank::cite::Author;
use crate::kennisbank::form::Fields;
use crate::kennisbank::{Access, AuthorKind, Licence, PublicationKind, PublicationStatus};
use crate::newsletter::{BlockKind, CampaignStatus};
use crate::review::Decision;
use crate::state::AppState;
use crate::web::form::{FieldErrors, clean};
use crate::web::notice::{Notice, notices};
use crate::web::page::{Html, Page};
use crate::web::path_id::PathId;
use crate::web::typed_form::Form;

/// A lesson in the back office.
pub struct Row {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub kind: LessonKind,
    pub body_md: String,
    pub happened_on: Date,
    pub region_name: String,
    pub review: Review,
    pub author: Option<String>,
}

impl Row {
    pub fn body_html(&self) -> String {
        crate::text::markdown(&self.body_md)
    }
}

/// A concept campaign a block can be added to.
pub struct CampaignChoice {
    pub id: i64,
    pub subject: String,
}

/// The bundle form: a region's lessons between two dates, to a campaign or the kennisbank.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct BundleForm {
    #[serde(default)]
    pub regio: String,
    #[serde(default)]
    pub van: String,
    #[serde(default)]
    pub tot: String,
    /// `nieuwsbrief` or `kennisbank`.
    #[serde(default)]
    pub doel: String,
    #[serde(default)]
    pub campagne: String,
}

notices! {
    /// Messages on the lessons' back-office page after an action.
    enum LessonNotice {
        Gepubliceerd = "gepubliceerd", "De les staat op de site; de schrijver krijgt bericht.";
        Afgewezen = "afgewezen", "De les is afgewezen; de schrijver krijgt bericht.";
        Nieuwsbrief = "nieuwsbrief", "De lessen staan als tekstblok in de nieuwsbrief.";
    }
}

#[derive(Template)]
#[template(path = "opbrengsten/admin/list.html")]
struct ListTemplate {
    page: Page,
    queue: Vec<Row>,
    recent: Vec<Row>,
    regions: Vec<RegionChoice>,
    campaigns: Vec<CampaignChoice>,
    bundle: BundleForm,
    errors: FieldErrors,
    notice: Option<&'static str>,
}

async fn rows(state: &AppState, waiting: bool) -> sqlx::Result<Vec<Row>> {
    sqlx::query_as!(
        Row,
        r#"SELECT l.id, l.slug, l.title, l.kind AS "kind: LessonKind", l.body_md, l.happened_on, r.name AS region_name,
                  l.review AS "review: Review", u.email AS "author?"
           FROM lessons l JOIN regions r ON r.id = l.region_id LEFT JOIN users u ON u.id = l.author_id
           WHERE (l.review = $1) = $2 ORDER BY l.updated_at DESC, l.id DESC LIMIT 100"#,
        Review::TerBeoordeling as Review,
        waiting,
    )
    .fetch_all(&state.db)
    .await
}

async fn render(
    state: &AppState,
    page: Page,
    bundle: BundleForm,
    errors: FieldErrors,
) -> AppResult<Response> {
    let regions = sqlx::query_as!(
        RegionChoice,
        "SELECT id, slug, name FROM regions WHERE is_inspiration ORDER BY name"
    )
    .fetch_all(&state.db)
    .await?;
    let campaigns = sqlx::query_as!(
        CampaignChoice,
        "SELECT id, subject FROM campaigns WHERE status = $1 ORDER BY updated_at DESC LIMIT 50",
        CampaignStatus::Concept as CampaignStatus,
    )
    .fetch_all(&state.db)
    .await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let template = ListTemplate {
        notice: page.notice::<LessonNotice>(),
        page: page.in_back_office().crumb("Opbrengsten", "/beheer/opbrengsten"),
        queue: rows(state, true).await?,
        recent: rows(state, false).await?,
        regions,
        campaigns,
        bundle,
        errors,
    };
    Ok((status, Html(template)).into_response())
}

pub async fn list(state: AppState, page: Page) -> AppResult<Response> {
    render(&state, page, BundleForm::default(), FieldErrors::default()).await
}

pub async fn decide(PathId(id): PathId<i64>, decision: Decision) -> AppResult<Response> {
    let approve = decision.approves("goedkeuren")?;
    let outcome = review::decide(&decision.reviewer(), id, approve, decision.message()).await?;
    outcome.respond_with("Over deze les is al besloten.", |to| {
        let notice =
            if to == Review::Gepubliceerd { LessonNotice::Gepubliceerd } else { LessonNotice::Afgewezen };
        notice.url("/beheer/opbrengsten", "")
    })
}

fn parse_date(value: &str) -> Option<Date> {
    Date::parse(value.trim(), &time::macros::format_description!("[year]-[month]-[day]")).ok()
}

/// The lessons as Markdown: each with its kind, date, text and a link to its page.
fn compose(state: &AppState, lessons: &[Card]) -> String {
    let mut out = String::new();
    for l in lessons {
        out.push_str(&format!(
            "### {}\n\n*{} · {}*\n\n{}\n\n[Lees de les op Brede Blik]({})\n\n",
            l.title,
            l.kind.label(),
            l.date(),
            l.body_md.trim(),
            state.config.absolute(&format!("/opbrengsten/{}", l.slug)),
        ));
    }
    out.trim_end().to_owned()
}

/// A region's published lessons in a period, to a concept campaign (as a text block) or to
/// the kennisbank (as a publication in concept, "Opbrengsten <regio> cohort <jaar>").
pub async fn bundle(state: AppState, page: Page, Form(form): Form<BundleForm>) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    let region = sqlx::query!(
        "SELECT id, slug, name, cohort_year FROM regions WHERE slug = $1 AND is_inspiration",
        clean(&form.regio, 200),
    )
    .fetch_optional(&state.db)
    .await?;
    if region.is_none() {
        errors.add("regio", "Kies een inspiratieregio.");
    }
    let (from, to) = (parse_date(&form.van), parse_date(&form.tot));
    if from.is_none() {
        errors.add("van", "Kies de eerste dag van de periode.");
    }
    match (from, to) {
        (_, None) => errors.add("tot", "Kies de laatste dag van de periode."),
        (Some(f), Some(t)) if t < f => errors.add("tot", "De laatste dag ligt na de eerste."),
        _ => {}
    }
    let campaign: Option<i64> = match form.doel.as_str() {
        "nieuwsbrief" => {
            let id = form.campagne.parse().ok();
            if id.is_none() {
                errors.add("campagne", "Kies de nieuwsbrief (in concept) waar het blok in komt.");
            }
            id
        }
        "kennisbank" => None,
        _ => {
            errors.add("doel", "Kies een nieuwsbriefblok of een publicatie in de kennisbank.");
            None
        }
    };
    let (Some(region), Some(from), Some(to)) = (region, from, to) else {
        return render(&state, page, form, errors).await;
    };
    if !errors.is_empty() {
        return render(&state, page, form, errors).await;
    }
    let lessons: Vec<Card> = sqlx::query_as!(
        Card,
        r#"SELECT l.id, l.slug, l.title, l.kind AS "kind: LessonKind", l.body_md, l.happened_on,
                  r.slug AS region_slug, r.name AS region_name, r.cohort_year, l.review AS "review: Review"
           FROM lessons l JOIN regions r ON r.id = l.region_id
           WHERE l.region_id = $1 AND l.review = $2 AND l.happened_on BETWEEN $3 AND $4
           ORDER BY l.happened_on, l.id LIMIT 101"#,
        region.id,
        Review::Gepubliceerd as Review,
        from,
        to,
    )
    .fetch_all(&state.db)
    .await?;
    let body = compose(&state, &lessons);
    if lessons.is_empty() {
        errors.add("van", "In deze periode heeft de regio geen gepubliceerde lessen.");
    } else if lessons.len() > 100 || body.chars().count() > 20_000 {
        errors.add("van", "Dat zijn te veel lessen voor één blok; kies een kortere periode.");
    }
    if !errors.is_empty() {
        return render(&state, page, form, errors).await;
    }
    let cohort = region.cohort_year.unwrap_or(to.year());
    let mut tx = state.db.begin().await?;
    if let Some(campaign) = campaign {
        let heading = format!("Wat we leren in {}", region.name);
        let added = sqlx::query_scalar!(
            "INSERT INTO campaign_blocks (campaign_id, position, kind, heading, body_md)
             SELECT c.id, coalesce((SELECT max(position) FROM campaign_blocks WHERE campaign_id = c.id), 0) + 1, $3, $4, $5
             FROM campaigns c WHERE c.id = $1 AND c.status = $2 RETURNING campaign_id",
            campaign,
            CampaignStatus::Concept as CampaignStatus,
            BlockKind::Tekst as BlockKind,
            heading,
            body,
        )
        .fetch_optional(&mut *tx)
        .await?;
        if added.is_none() {
            drop(tx);
            errors.add("campagne", "Deze nieuwsbrief bestaat niet of is niet meer in concept.");
            return render(&state, page, form, errors).await;
        }
        sqlx::query!("UPDATE campaigns SET updated_at = now() WHERE id = $1", campaign)
            .execute(&mut *tx)
            .await?;
        Entry::new(page.actor()?, "lessen in nieuwsbrief", Target::Nieuwsbrief, campaign)
            .after(json!({ "regio": region.name, "van": from.to_string(), "tot": to.to_string(), "lessen": lessons.len() }))
            .record(&mut *tx)
            .await?;
        tx.commit().await?;
        return Ok(Redirect::to(&format!("/beheer/nieuwsbrieven/{campaign}")).into_response());
    }
    let fields = Fields {
        title: format!("Opbrengsten {} cohort {cohort}", region.name),
        series: "Opbrengsten van de inspiratieregio's".into(),
        year: i16::try_from(to.year()).ok(),
        publisher: "Brede Blik".into(),
        kind: PublicationKind::Rapport,
        abstract_md: body,
        authors: vec![Author {
            kind: AuthorKind::Organisatie,
            given: String::new(),
            particle: String::new(),
            family: format!("Inspiratieregio {}", region.name),
        }],
        access: Access::Link,
        url: state.config.absolute(&format!("/opbrengsten?regio={}", region.slug)),
        doi: String::new(),
        isbn: String::new(),
        licence: Licence::Onbekend,
        themes: Vec::new(),
        levels: Vec::new(),
    };
    let (id, slug) =
        crate::kennisbank::form::insert(&mut tx, &fields, PublicationStatus::Concept, None).await?;
    Entry::new(page.actor()?, "lessen in kennisbank", Target::Publicatie, id)
        .after(json!({ "titel": fields.title, "slug": slug, "van": from.to_string(), "tot": to.to_string(), "lessen": lessons.len() }))
        .record(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/beheer/kennisbank/{id}")).into_response())
}
