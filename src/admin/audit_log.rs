//! `/beheer/audit`: who changed what and when, filterable by action, person and date.

use askama::Template;
use axum::response::IntoResponse;
use time::OffsetDateTime;

use crate::error::AppResult;
use crate::state::AppState;
use crate::text;
use crate::web::filters::{QueryParams, query_string};
use crate::web::page::{Html, Page};
use crate::web::paging::{self, Paging};

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
    /// What the entry is about, in Dutch (`audit::Target`'s label; an older, unknown type as stored).
    pub fn target(&self) -> &str {
        crate::audit::Target::parse(&self.target_type).map_or(self.target_type.as_str(), |t| t.label())
    }
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
        paging::page_url("/beheer/audit", &self.base_query, number)
    }
}

fn date(value: Option<String>) -> Option<String> {
    value.filter(|v| time::Date::parse(v, time::macros::format_description!("[year]-[month]-[day]")).is_ok())
}

pub async fn list(state: AppState, page: Page, params: QueryParams) -> AppResult<impl IntoResponse> {
    const PER_PAGE: i64 = 50;
    let action = params.one("actie").unwrap_or_default();
    let actor = params.one("wie").unwrap_or_default();
    let from = date(params.one("van")).unwrap_or_default();
    let until = date(params.one("tot")).unwrap_or_default();
    // The same conditions in both queries: an empty filter matches everything.
    let total = sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM audit_log
           WHERE ($1 = '' OR action = $1) AND ($2 = '' OR strpos(lower(actor_email), lower($2)) > 0)
             AND ($3 = '' OR created_at >= $3::date) AND ($4 = '' OR created_at < $4::date + 1)"#,
        action,
        actor,
        from,
        until,
    )
    .fetch_one(&state.db)
    .await?;
    let paging = Paging::new(params.page(), PER_PAGE, total);
    let rows = sqlx::query_as!(
        AuditRow,
        r#"SELECT actor_email, action, target_type, target_id, before, after, created_at FROM audit_log
           WHERE ($1 = '' OR action = $1) AND ($2 = '' OR strpos(lower(actor_email), lower($2)) > 0)
             AND ($3 = '' OR created_at >= $3::date) AND ($4 = '' OR created_at < $4::date + 1)
           ORDER BY created_at DESC, id DESC LIMIT $5 OFFSET $6"#,
        action,
        actor,
        from,
        until,
        PER_PAGE,
        paging.offset(),
    )
    .fetch_all(&state.db)
    .await?;
    let actions = sqlx::query_scalar!("SELECT DISTINCT action FROM audit_log ORDER BY action")
        .fetch_all(&state.db)
        .await?;
    let base_query = query_string(&[("actie", &action), ("wie", &actor), ("van", &from), ("tot", &until)]);
    Ok(Html(AuditTemplate {
        page: page.in_back_office().crumb("Auditlog", "/beheer/audit"),
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
