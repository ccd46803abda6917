//! Sent newsletters on the web, without any personal link.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use time::OffsetDateTime;

use super::content::{self, CAMPAIGN_COLUMNS, Campaign, Prepared};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::text;
use crate::web::page::{Html, Page};

#[derive(sqlx::FromRow)]
pub struct Sent {
    pub slug: String,
    pub subject: String,
    pub finished_at: Option<OffsetDateTime>,
}

impl Sent {
    pub fn date(&self) -> String {
        self.finished_at.map(text::date_nl).unwrap_or_default()
    }
}

#[derive(Template)]
#[template(path = "newsletter/archive.html")]
struct ListTemplate {
    page: Page,
    sent: Vec<Sent>,
}

pub async fn list(State(state): State<AppState>, page: Page) -> AppResult<impl IntoResponse> {
    let sent = sqlx::query_as("SELECT slug, subject, finished_at FROM campaigns WHERE status = 'verzonden' ORDER BY finished_at DESC LIMIT 200")
        .fetch_all(&state.db)
        .await?;
    Ok(Html(ListTemplate {
        page: page.crumb("Nieuwsbrief", "/nieuwsbrief").crumb("Archief", "/nieuwsbrief/archief"),
        sent,
    }))
}

#[derive(Template)]
#[template(path = "newsletter/archive_show.html")]
struct ShowTemplate {
    page: Page,
    prepared: Prepared,
}

pub async fn show(
    State(state): State<AppState>,
    page: Page,
    Path(slug): Path<String>,
) -> AppResult<impl IntoResponse> {
    let campaign: Campaign = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE slug = $1 AND status = 'verzonden'"
    )))
    .bind(&slug)
    .fetch_optional(&state.db)
    .await?
    .ok_or(AppError::NotFound)?;
    let prepared = content::prepare(&state.db, campaign).await?;
    Ok(Html(ShowTemplate {
        page: page
            .crumb("Nieuwsbrief", "/nieuwsbrief")
            .crumb("Archief", "/nieuwsbrief/archief")
            .crumb(prepared.campaign.subject.clone(), format!("/nieuwsbrief/archief/{slug}")),
        prepared,
    }))
}
