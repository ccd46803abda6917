//! `/beheer/audit`: who changed what and when, filterable by action, person and date.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::IntoResponse;
use time::OffsetDateTime;

use crate::error::AppResult;
use crate::state::AppState;
use crate::text;
use crate::web::filters::{QueryParams, query_string};
use crate::web::page::{Html, Page};
use crate::web::paging::Paging;

#[derive(sqlx::FromRow)]
pub struct AuditRow {
    pub actor_email: String,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub created_at: OffsetDateTime,
}

impl AuditRow {
    pub fn when(&self) -> String {
        text::datetime_nl(self.created_at)
    }
    pub fn before_text(&self) -> String {
        self.before.as_ref().map(|v| v.to_string()).unwrap_or_default()
    }
    pub fn after_text(&self) -> String {
        self.after.as_ref().map(|v| v.to_string()).unwrap_or_default()
    }
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditTemplate {
    page: Page,
    rows: Vec<AuditRow>,
    actions: Vec<String>,
    action: String,
    actor: String,
    from: String,
    until: String,
    paging: Paging,
    base_query: String,
}

impl AuditTemplate {
    fn page_url(&self, number: impl std::fmt::Display) -> String {
        format!("/beheer/audit?{}&pagina={number}", self.base_query)
    }
}

fn date(value: Option<String>) -> Option<String> {
    value.filter(|v| time::Date::parse(v, time::macros::format_description!("[year]-[month]-[day]")).is_ok())
}

pub async fn list(
    State(state): State<AppState>,
    page: Page,
    RawQuery(raw): RawQuery,
) -> AppResult<impl IntoResponse> {
    const PER_PAGE: i64 = 50;
    let params = QueryParams::parse(raw.as_deref());
    let action = params.one("actie").unwrap_or_default();
    let actor = params.one("wie").unwrap_or_default();
    let from = date(params.one("van")).unwrap_or_default();
    let until = date(params.one("tot")).unwrap_or_default();
    let conditions = "($1 = '' OR action = $1) AND ($2 = '' OR strpos(lower(actor_email), lower($2)) > 0) \
        AND ($3 = '' OR created_at >= $3::date) AND ($4 = '' OR created_at < $4::date + 1)";
    let total: i64 =
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM audit_log WHERE {conditions}")))
            .bind(&action)
            .bind(&actor)
            .bind(&from)
            .bind(&until)
            .fetch_one(&state.db)
            .await?;
    let paging = Paging::new(params.page(), PER_PAGE, total);
    let rows = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT actor_email, action, target_type, target_id, before, after, created_at FROM audit_log \
         WHERE {conditions} ORDER BY created_at DESC, id DESC LIMIT $5 OFFSET $6"
    )))
    .bind(&action)
    .bind(&actor)
    .bind(&from)
    .bind(&until)
    .bind(PER_PAGE)
    .bind(paging.offset())
    .fetch_all(&state.db)
    .await?;
    let actions = sqlx::query_scalar("SELECT DISTINCT action FROM audit_log ORDER BY action")
        .fetch_all(&state.db)
        .await?;
    let base_query = query_string(&[("actie", &action), ("wie", &actor), ("van", &from), ("tot", &until)]);
    Ok(Html(AuditTemplate {
        page: page.crumb("Beheer", "/beheer").crumb("Auditlog", "/beheer/audit"),
        rows,
        actions,
        action,
        actor,
        from,
        until,
        paging,
        base_query,
    }))
}
