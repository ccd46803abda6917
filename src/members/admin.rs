//! `/beheer/aanmeldingen`: coordinators approve or reject new aandeelhouders; the applicant
//! is told by mail, with the coordinator's message if there is one.

use askama::Template;
use axum::response::{IntoResponse, Response};
use time::OffsetDateTime;

use super::review;
use super::{MemberKind, MemberStatus};
use crate::error::AppResult;
use crate::review::Decision;
use crate::state::AppState;
use crate::text;
use crate::web::notice::{Notice, notices};
use crate::web::page::{Html, Page};
use crate::web::path_id::PathId;

notices! {
    /// Messages on the list of applications after a decision; the codes are the decisions.
    enum DecisionNotice {
        Goedgekeurd = MemberStatus::Goedgekeurd.as_str(), "De aanmelding is goedgekeurd en de aanmelder heeft bericht gekregen.";
        Afgewezen = MemberStatus::Afgewezen.as_str(), "De aanmelding is afgewezen en de aanmelder heeft bericht gekregen.";
    }
}

pub struct Application {
    pub id: i64,
    pub name: String,
    pub kind: MemberKind,
    pub organisation: String,
    pub role: String,
    pub region_name: Option<String>,
    pub offer: String,
    pub ask: String,
    pub public_profile: bool,
    pub email: Option<String>,
    pub created_at: OffsetDateTime,
}

impl Application {
    pub fn created(&self) -> String {
        text::datetime_nl(self.created_at)
    }
}

#[derive(Template)]
#[template(path = "members/admin/applications.html")]
struct ListTemplate {
    page: Page,
    waiting: Vec<Application>,
    unconfirmed: i64,
    notice: Option<&'static str>,
}

pub async fn list(state: AppState, page: Page) -> AppResult<impl IntoResponse> {
    let waiting = sqlx::query_as!(
        Application,
        r#"SELECT m.id, m.name, m.kind AS "kind: MemberKind", m.organisation, m.role, r.name AS "region_name?",
                  m.offer, m.ask, m.public_profile, u.email AS "email?", m.created_at
           FROM members m LEFT JOIN regions r ON r.id = m.region_id LEFT JOIN users u ON u.id = m.user_id
           WHERE m.status = $1 ORDER BY m.created_at LIMIT 200"#,
        MemberStatus::WachtOpBeoordeling as MemberStatus,
    )
    .fetch_all(&state.db)
    .await?;
    let unconfirmed = sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM members WHERE status = $1"#,
        MemberStatus::Onbevestigd as MemberStatus,
    )
    .fetch_one(&state.db)
    .await?;
    let notice = page.notice::<DecisionNotice>();
    Ok(Html(ListTemplate {
        page: page.in_back_office().crumb("Aanmeldingen", "/beheer/aanmeldingen"),
        waiting,
        unconfirmed,
        notice,
    }))
}

pub async fn decide(PathId(id): PathId<i64>, decision: Decision) -> AppResult<Response> {
    let approve = decision.approves("goedkeuren")?;
    review::decide(&decision.reviewer(), id, approve, decision.message()).await?.respond(|status| {
        let notice = if status == MemberStatus::Goedgekeurd {
            DecisionNotice::Goedgekeurd
        } else {
            DecisionNotice::Afgewezen
        };
        notice.url("/beheer/aanmeldingen", "")
    })
}
