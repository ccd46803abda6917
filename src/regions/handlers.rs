use askama::Template;
use axum::extract::{Path, State};
use axum::response::IntoResponse;

use super::queries::{self, Region, RegionSummary};
use crate::catalogue::queries::{self as catalogue, Filters, InitiativeCard};
use crate::error::{AppError, AppResult};
use crate::members::queries::{self as members, MemberCard};
use crate::state::AppState;
use crate::web::page::{Html, Page};

#[derive(Template)]
#[template(path = "regions/list.html")]
pub struct ListTemplate {
    page: Page,
    provinces: Vec<RegionSummary>,
    jeugdregios: Vec<RegionSummary>,
    inspiration: Vec<RegionSummary>,
}

pub async fn list(State(state): State<AppState>, page: Page) -> AppResult<impl IntoResponse> {
    Ok(Html(ListTemplate {
        page: page.crumb("Regio's", "/regios"),
        provinces: queries::summaries_of_kind(&state.db, "provincie").await?,
        jeugdregios: queries::summaries_of_kind(&state.db, "jeugdregio").await?,
        inspiration: queries::inspiration_regions(&state.db).await?,
    }))
}

#[derive(Template)]
#[template(path = "regions/show.html")]
pub struct ShowTemplate {
    page: Page,
    region: Region,
    parents: Vec<Region>,
    /// Municipalities in this province or jeugdregio with something to show.
    active_municipalities: Vec<RegionSummary>,
    quiet_municipalities: Vec<RegionSummary>,
    initiatives: Vec<InitiativeCard>,
    initiative_total: i64,
    members: Vec<MemberCard>,
}

impl ShowTemplate {
    pub fn kind_label(&self) -> &'static str {
        match self.region.kind.as_str() {
            "provincie" => "Provincie",
            "jeugdregio" => "Jeugdregio",
            _ => "Gemeente",
        }
    }
}

pub async fn show(
    State(state): State<AppState>,
    page: Page,
    Path(slug): Path<String>,
) -> AppResult<impl IntoResponse> {
    let region = queries::by_slug(&state.db, &slug).await?.ok_or(AppError::NotFound)?;
    let mut parents = Vec::new();
    for parent in [region.province_id, region.jeugdregio_id].into_iter().flatten() {
        if let Some(p) = queries::by_id(&state.db, parent).await? {
            parents.push(p);
        }
    }
    let (active_municipalities, quiet_municipalities) = if region.kind == "gemeente" {
        (Vec::new(), Vec::new())
    } else {
        queries::municipalities_in(&state.db, region.id)
            .await?
            .into_iter()
            .partition(|m| m.initiatives + m.members > 0)
    };
    let filters = Filters { region: Some(region.slug.clone()), ..Filters::default() };
    let (initiatives, initiative_total) = catalogue::search(&state.db, &filters, 12, 0).await?;
    let members = members::in_region(&state.db, region.id, 24).await?;
    Ok(Html(ShowTemplate {
        page: page.crumb("Regio's", "/regios").crumb(region.name.clone(), format!("/regios/{slug}")),
        region,
        parents,
        active_municipalities,
        quiet_municipalities,
        initiatives,
        initiative_total,
        members,
    }))
}
