//! `/beheer/nieuwsbrieven`: compose a campaign, send a test to yourself, send, pause, resume
//! or cancel, and follow the progress (live with JavaScript, by reloading without).

use askama::Template;
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use lettre::AsyncTransport;
use serde::Serialize;
use serde_json::json;

use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};
use crate::newsletter::content::{self, CAMPAIGN_COLUMNS, Campaign};
use crate::newsletter::sending;
use crate::state::AppState;
use crate::taxonomy::{self, Term, Vocabulary};
use crate::text::{self, slugify};
use crate::web::context::CurrentUser;
use crate::web::filters::QueryParams;
use crate::web::form::{self, FieldErrors, FormData};
use crate::web::page::{Html, Page};

#[derive(sqlx::FromRow)]
pub struct Row {
    pub id: i64,
    pub subject: String,
    pub status: String,
    pub sent: i64,
    pub total: i64,
}

#[derive(sqlx::FromRow)]
pub struct NewsOption {
    pub id: i64,
    pub title: String,
}

#[derive(Template)]
#[template(path = "admin/campaigns.html")]
struct ListTemplate {
    page: Page,
    campaigns: Vec<Row>,
    news: Vec<NewsOption>,
    themes: Vec<Term>,
    subject: String,
    preheader: String,
    intro: String,
    errors: FieldErrors,
}

async fn render_list(
    state: &AppState,
    page: Page,
    subject: String,
    preheader: String,
    intro: String,
    errors: FieldErrors,
) -> AppResult<Response> {
    let campaigns = sqlx::query_as(
        "SELECT c.id, c.subject, c.status, \
           (SELECT count(*) FROM deliveries d WHERE d.campaign_id = c.id AND d.status = 'verzonden') AS sent, \
           (SELECT count(*) FROM deliveries d WHERE d.campaign_id = c.id) AS total \
         FROM campaigns c ORDER BY c.id DESC LIMIT 100",
    )
    .fetch_all(&state.db)
    .await?;
    let news = sqlx::query_as(
        "SELECT id, title FROM news_items WHERE published_at <= now() ORDER BY published_at DESC LIMIT 30",
    )
    .fetch_all(&state.db)
    .await?;
    let status = if errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let template = ListTemplate {
        page: page.crumb("Beheer", "/beheer").crumb("Nieuwsbrieven", "/beheer/nieuwsbrieven"),
        campaigns,
        news,
        themes: taxonomy::all(&state.db, Vocabulary::Theme).await?,
        subject,
        preheader,
        intro,
        errors,
    };
    Ok((status, Html(template)).into_response())
}

pub async fn list(State(state): State<AppState>, page: Page) -> AppResult<Response> {
    render_list(&state, page, String::new(), String::new(), String::new(), FieldErrors::default()).await
}

pub async fn create(
    State(state): State<AppState>,
    page: Page,
    CurrentUser(actor): CurrentUser,
    data: FormData,
) -> AppResult<Response> {
    let subject = form::clean(&data.one("onderwerp"), 200);
    let preheader = form::clean(&data.one("preheader"), 200);
    let intro = form::clean(&data.one("intro"), 20_000);
    let news_ids: Vec<i64> = data.all("nieuws").iter().filter_map(|v| v.parse().ok()).collect();
    let topics = data.all("thema");
    let mut errors = FieldErrors::default();
    if subject.chars().count() < 3 {
        errors.add("onderwerp", "Geef de nieuwsbrief een onderwerp (minstens 3 tekens).");
    }
    if intro.is_empty() && news_ids.is_empty() {
        errors.add("intro", "Schrijf een inleiding of kies minstens één nieuwsbericht.");
    }
    if !errors.is_empty() {
        return render_list(&state, page, subject, preheader, intro, errors).await;
    }
    let slug = format!("{}-{}", slugify(&subject), crate::tokens::random_hex(3));
    let mut tx = state.db.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO campaigns (slug, subject, preheader, intro_md, news_item_ids, topics, created_by) \
         VALUES ($1, $2, $3, $4, (SELECT coalesce(array_agg(id), '{}') FROM news_items WHERE id = ANY($5)), \
                 (SELECT coalesce(array_agg(slug), '{}') FROM themes WHERE slug = ANY($6)), $7) RETURNING id",
    )
    .bind(&slug)
    .bind(&subject)
    .bind(&preheader)
    .bind(&intro)
    .bind(&news_ids)
    .bind(&topics)
    .bind(actor.as_ref().map(|a| a.id))
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        Entry {
            actor: actor.as_ref(),
            action: "nieuwsbrief aangemaakt",
            target_type: "nieuwsbrief",
            target_id: id.to_string(),
            before: None,
            after: Some(json!({ "onderwerp": subject })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/beheer/nieuwsbrieven/{id}")).into_response())
}

#[derive(Serialize, sqlx::FromRow, Default)]
pub struct Progress {
    pub total: i64,
    pub sent: i64,
    pub failed: i64,
    pub skipped: i64,
    pub remaining: i64,
    /// Messages per second over the last minute.
    pub rate: f64,
    pub status: String,
}

impl Progress {
    pub fn expected_end(&self) -> String {
        if self.remaining == 0 || self.rate <= 0.0 {
            return String::new();
        }
        let seconds = (self.remaining as f64 / self.rate).ceil() as i64;
        text::datetime_nl(time::OffsetDateTime::now_utc() + time::Duration::seconds(seconds))
    }
    pub fn percent(&self) -> i64 {
        if self.total == 0 { 0 } else { (self.sent + self.failed + self.skipped) * 100 / self.total }
    }
    pub fn rate_text(&self) -> String {
        format!("{:.1}", self.rate)
    }
}

async fn progress(state: &AppState, id: i64) -> sqlx::Result<Progress> {
    sqlx::query_as(
        "SELECT count(d.id) AS total, \
           count(d.id) FILTER (WHERE d.status = 'verzonden') AS sent, \
           count(d.id) FILTER (WHERE d.status = 'mislukt') AS failed, \
           count(d.id) FILTER (WHERE d.status = 'overgeslagen') AS skipped, \
           count(d.id) FILTER (WHERE d.status IN ('wachtend', 'bezig')) AS remaining, \
           (count(d.id) FILTER (WHERE d.sent_at > now() - interval '1 minute'))::float8 / 60 AS rate, \
           c.status \
         FROM campaigns c LEFT JOIN deliveries d ON d.campaign_id = c.id WHERE c.id = $1 GROUP BY c.status",
    )
    .bind(id)
    .fetch_one(&state.db)
    .await
}

#[derive(sqlx::FromRow)]
pub struct Failure {
    pub email: String,
    pub last_error: String,
    pub attempts: i32,
}

#[derive(Template)]
#[template(path = "admin/campaign.html")]
struct ShowTemplate {
    page: Page,
    campaign: Campaign,
    progress: Progress,
    text_preview: String,
    scheduled: String,
    failures: Vec<Failure>,
    notice: Option<&'static str>,
}

pub async fn show(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let campaign: Campaign = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&state.db)
    .await?
    .ok_or(AppError::NotFound)?;
    let prepared = content::prepare(&state.db, campaign.clone()).await?;
    let (text_preview, _) = prepared.render(&state.config, "PERSOONLIJKE-AFMELDCODE")?;
    let failures = sqlx::query_as(
        "SELECT s.email, d.last_error, d.attempts FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id \
         WHERE d.campaign_id = $1 AND d.status = 'mislukt' ORDER BY d.id LIMIT 200",
    )
    .bind(id)
    .fetch_all(&state.db)
    .await?;
    let notice = match QueryParams::parse(raw.as_deref()).one("melding").as_deref() {
        Some("test") => Some("De testversie is naar uw eigen e-mailadres gestuurd."),
        Some("versturen") => Some("Het versturen is begonnen."),
        Some("pauzeren") => Some("Het versturen is gepauzeerd."),
        Some("hervatten") => Some("Het versturen gaat verder."),
        Some("annuleren") => Some("De nieuwsbrief is geannuleerd; wie hem nog niet had, krijgt hem niet."),
        Some("opnieuw") => Some("De mislukte adressen worden opnieuw geprobeerd."),
        Some("inplannen") => {
            Some("De nieuwsbrief is ingepland en gaat op het gekozen moment vanzelf de deur uit.")
        }
        _ => None,
    };
    let progress = progress(&state, id).await?;
    let scheduled_at: Option<time::OffsetDateTime> =
        sqlx::query_scalar("SELECT scheduled_at FROM campaigns WHERE id = $1")
            .bind(id)
            .fetch_one(&state.db)
            .await?;
    let scheduled = scheduled_at.map(text::datetime_nl).unwrap_or_default();
    Ok(Html(ShowTemplate {
        page: page
            .crumb("Beheer", "/beheer")
            .crumb("Nieuwsbrieven", "/beheer/nieuwsbrieven")
            .crumb(campaign.subject.clone(), format!("/beheer/nieuwsbrieven/{id}")),
        campaign,
        progress,
        text_preview,
        scheduled,
        failures,
        notice,
    })
    .into_response())
}

pub async fn progress_json(State(state): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    let progress = progress(&state, id).await.map_err(|_| AppError::NotFound)?;
    let expected_end = progress.expected_end();
    let percent = progress.percent();
    Ok(Json(json!({ "progress": progress, "percent": percent, "expected_end": expected_end }))
        .into_response())
}

pub async fn action(
    State(state): State<AppState>,
    CurrentUser(actor): CurrentUser,
    Path(id): Path<i64>,
    data: FormData,
) -> AppResult<Response> {
    let actor = actor.ok_or(AppError::Unauthorized)?;
    let action = data.one("actie");
    let status: String = sqlx::query_scalar("SELECT status FROM campaigns WHERE id = $1")
        .bind(id)
        .fetch_optional(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let conflict = || AppError::Conflict(format!("Dit kan niet bij een nieuwsbrief met status ‘{status}’."));
    match action.as_str() {
        "test" => {
            let campaign: Campaign = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE id = $1"
            )))
            .bind(id)
            .fetch_one(&state.db)
            .await?;
            let mut prepared = content::prepare(&state.db, campaign).await?;
            // Marked as a test before signing, so a DKIM signature stays valid.
            prepared.campaign.subject = format!("[TEST] {}", prepared.campaign.subject);
            let Some(smtp) = crate::mail::worker::transport(&state.config)? else {
                return Err(AppError::Conflict(
                    "Er is geen SMTP-server ingesteld (SMTP_URL); een test kan niet worden verstuurd.".into(),
                ));
            };
            let message = sending::build_message(&state.config, &prepared, &actor.email, 0, "test")?;
            smtp.send(message).await.map_err(|e| AppError::Internal(anyhow::anyhow!("test send: {e}")))?;
        }
        "inplannen" => {
            if status != "concept" && status != "gepland" {
                return Err(conflict());
            }
            let at = text::from_amsterdam_local(&data.one("verzendmoment"))
                .filter(|t| *t > time::OffsetDateTime::now_utc())
                .ok_or_else(|| {
                    AppError::BadRequest("Kies een verzendmoment in de toekomst (datum en tijd).".into())
                })?;
            sqlx::query("UPDATE campaigns SET status = 'gepland', scheduled_at = $2, updated_at = now() WHERE id = $1")
                .bind(id)
                .bind(at)
                .execute(&state.db)
                .await?;
        }
        "versturen" | "hervatten" => {
            if !matches!(status.as_str(), "concept" | "gepland" | "gepauzeerd") {
                return Err(conflict());
            }
            sending::start(&state.db, id).await?;
        }
        "pauzeren" => {
            let changed = sqlx::query("UPDATE campaigns SET status = 'gepauzeerd', updated_at = now() WHERE id = $1 AND status = 'bezig'")
                .bind(id)
                .execute(&state.db)
                .await?;
            if changed.rows_affected() == 0 {
                return Err(conflict());
            }
        }
        "annuleren" => {
            let mut tx = state.db.begin().await?;
            let changed = sqlx::query(
                "UPDATE campaigns SET status = 'geannuleerd', finished_at = now(), updated_at = now() \
                 WHERE id = $1 AND status IN ('concept', 'gepland', 'bezig', 'gepauzeerd')",
            )
            .bind(id)
            .execute(&mut *tx)
            .await?;
            if changed.rows_affected() == 0 {
                return Err(conflict());
            }
            sqlx::query("UPDATE deliveries SET status = 'overgeslagen', last_error = 'geannuleerd' WHERE campaign_id = $1 AND status = 'wachtend'")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
        "opnieuw" => {
            sqlx::query("UPDATE deliveries SET status = 'wachtend', attempts = 0, next_attempt_at = now() WHERE campaign_id = $1 AND status = 'mislukt'")
                .bind(id)
                .execute(&state.db)
                .await?;
            if status == "verzonden" {
                sqlx::query("UPDATE campaigns SET status = 'bezig', finished_at = NULL WHERE id = $1")
                    .bind(id)
                    .execute(&state.db)
                    .await?;
            }
        }
        _ => return Err(AppError::BadRequest("Onbekende handeling.".into())),
    }
    audit::record(
        &state.db,
        Entry {
            actor: Some(&actor),
            action: "nieuwsbrief-handeling",
            target_type: "nieuwsbrief",
            target_id: id.to_string(),
            before: Some(json!({ "status": status })),
            after: Some(json!({ "handeling": action })),
        },
    )
    .await?;
    Ok(Redirect::to(&format!("/beheer/nieuwsbrieven/{id}?melding={action}")).into_response())
}
