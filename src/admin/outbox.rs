//! `/beheer/e-mail`: the outbox, so coordinators see what was sent, what waits and what failed,
//! and can read every message (also when no SMTP server is configured).

use askama::Template;
use axum::extract::Path;
use axum::response::IntoResponse;
use time::OffsetDateTime;

use crate::error::{AppError, AppResult};
use crate::mail::OutboxStatus;
use crate::state::AppState;
use crate::text;
use crate::web::page::{Html, Page};

pub struct OutboxRow {
    pub id: i64,
    pub kind: String,
    pub to_address: String,
    pub subject: String,
    pub text_body: String,
    pub status: OutboxStatus,
    pub attempts: i32,
    pub last_error: String,
    pub created_at: OffsetDateTime,
}

impl OutboxRow {
    pub fn created(&self) -> String {
        text::datetime_nl(self.created_at)
    }
}

#[derive(Template)]
#[template(path = "admin/outbox.html")]
struct ListTemplate {
    page: Page,
    rows: Vec<OutboxRow>,
    smtp_configured: bool,
}

pub async fn list(state: AppState, page: Page) -> AppResult<impl IntoResponse> {
    let rows = sqlx::query_as!(
        OutboxRow,
        r#"SELECT id, kind, to_address, subject, text_body, status AS "status: OutboxStatus", attempts, last_error,
                  created_at
           FROM outbox ORDER BY id DESC LIMIT 200"#
    )
    .fetch_all(&state.db)
    .await?;
    Ok(Html(ListTemplate {
        page: page.in_back_office().crumb("E-mail", "/beheer/e-mail"),
        rows,
        smtp_configured: state.config.smtp_url.is_some(),
    }))
}

#[derive(Template)]
#[template(path = "admin/outbox_show.html")]
struct ShowTemplate {
    page: Page,
    mail: OutboxRow,
}

pub async fn show(state: AppState, page: Page, Path(id): Path<i64>) -> AppResult<impl IntoResponse> {
    let mail = sqlx::query_as!(
        OutboxRow,
        r#"SELECT id, kind, to_address, subject, text_body, status AS "status: OutboxStatus", attempts, last_error,
                  created_at
           FROM outbox WHERE id = $1"#,
        id,
    )
    .fetch_optional(&state.db)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(Html(ShowTemplate {
        page: page
            .in_back_office()
            .crumb("E-mail", "/beheer/e-mail")
            .crumb(mail.subject.clone(), format!("/beheer/e-mail/{id}")),
        mail,
    }))
}
