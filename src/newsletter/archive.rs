//! Sent newsletters on the web, without any personal link.

use askama::Template;
use axum::extract::Path;
use axum::response::IntoResponse;
use time::OffsetDateTime;

use super::CampaignStatus;
use super::content::{self, Campaign, Prepared};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::text;
use crate::web::page::{Html, Page};

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

pub async fn list(state: AppState, page: Page) -> AppResult<impl IntoResponse> {
    let sent = sqlx::query_as!(
        Sent,
        "SELECT slug, subject, finished_at FROM campaigns WHERE status = $1 ORDER BY finished_at DESC LIMIT 200",
        CampaignStatus::Verzonden as CampaignStatus,
    )
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

pub async fn show(state: AppState, page: Page, Path(slug): Path<String>) -> AppResult<impl IntoResponse> {
    let campaign = sqlx::query_as!(
        Campaign,
        r#"SELECT id, subject, preheader, intro_md, status AS "status: CampaignStatus"
           FROM campaigns WHERE slug = $1 AND status = $2"#,
        slug,
        CampaignStatus::Verzonden as CampaignStatus,
    )
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
