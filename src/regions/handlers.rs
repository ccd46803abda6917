use std::sync::Arc;

use askama::Template;
use axum::extract::Path;
use axum::response::IntoResponse;

use super::RegionKind;
use super::map::{MapArea, render_svg};
use super::queries::{self, Region, RegionSummary};
use crate::catalogue::queries::{Filters, InitiativeCard};
use crate::error::{AppError, AppResult};
use crate::members::queries::{self as members, MemberCard};
use crate::state::AppState;
use crate::web::page::{Html, Page};

#[derive(Template)]
#[template(path = "regions/list.html")]
pub struct ListTemplate {
    page: Page,
    map_svg: String,
    provinces: Vec<RegionSummary>,
    jeugdregios: Vec<RegionSummary>,
    inspiration: Vec<RegionSummary>,
}

/// An SVG map of the given regions, coloured by how many initiatives each has.
fn map_of(
    regions: &[RegionSummary],
    areas: &[crate::geo::Area],
    highlight: Option<&str>,
    title: &str,
) -> String {
    let by_code: std::collections::HashMap<&str, &RegionSummary> =
        regions.iter().map(|r| (r.region.code.as_str(), r)).collect();
    let map_areas: Vec<MapArea> = areas
        .iter()
        .filter_map(|area| {
            let RegionSummary { region, initiatives, members } = by_code.get(area.code.as_str())?;
            Some(MapArea {
                area,
                href: format!("/regios/{}", region.slug),
                label: format!(
                    "{}: {} {}, {} {}",
                    region.name,
                    initiatives,
                    if *initiatives == 1 { "initiatief" } else { "initiatieven" },
                    members,
                    if *members == 1 { "aandeelhouder" } else { "aandeelhouders" }
                ),
                count: *initiatives,
            })
        })
        .collect();
    render_svg(&map_areas, highlight, title)
}

pub async fn list(state: AppState, page: Page) -> AppResult<impl IntoResponse> {
    let all = queries::summaries(&state).await?;
    let provinces = queries::of_kind(&all, RegionKind::Provincie);
    Ok(Html(ListTemplate {
        page: page.crumb("Regio's", "/regios"),
        map_svg: map_of(&provinces, &state.geo.provinces, None, "Kaart van de provincies"),
        provinces,
        jeugdregios: queries::of_kind(&all, RegionKind::Jeugdregio),
        inspiration: queries::inspiration_regions(&all),
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
    initiatives: Vec<Arc<InitiativeCard>>,
    initiative_total: i64,
    members: Vec<Arc<MemberCard>>,
    upcoming: Vec<crate::events::queries::EventCard>,
    /// "Wat we leren": the region's published lessons.
    lessons: Vec<crate::opbrengsten::queries::Lesson>,
    map_svg: String,
}

impl ShowTemplate {
    pub fn kind_label(&self) -> &'static str {
        self.region.kind.label()
    }
}

pub async fn show(state: AppState, page: Page, Path(slug): Path<String>) -> AppResult<impl IntoResponse> {
    let region = queries::by_slug(&state.db, &slug).await?.ok_or(AppError::NotFound)?;
    let mut parents = Vec::new();
    for parent in [region.province_id, region.jeugdregio_id].into_iter().flatten() {
        if let Some(p) = queries::by_id(&state.db, parent).await? {
            parents.push(p);
        }
    }
    // The map shows the municipalities of this province or jeugdregio, or, for a
    // municipality, those of its province with this one highlighted.
    let map_parent = if region.kind == RegionKind::Gemeente { region.province_id } else { Some(region.id) };
    let neighbours = match map_parent {
        Some(parent) => queries::municipalities_in(&queries::summaries(&state).await?, parent),
        None => Vec::new(),
    };
    let highlight = (region.kind == RegionKind::Gemeente).then_some(region.code.as_str());
    let map_svg = if neighbours.is_empty() {
        String::new()
    } else {
        map_of(
            &neighbours,
            &state.geo.municipalities,
            highlight,
            &format!("Kaart van de gemeenten rond {}", region.name),
        )
    };
    let (active_municipalities, quiet_municipalities) = if region.kind == RegionKind::Gemeente {
        (Vec::new(), Vec::new())
    } else {
        neighbours.into_iter().partition(|m| m.initiatives + m.members > 0)
    };
    let filters = Filters { region: Some(region.slug.clone()), ..Filters::default() };
    let found = state.catalogue.search(&state.db, &filters, 12, 0).await?;
    let (initiatives, initiative_total) = (found.cards, found.total);
    let member_filters =
        members::Filters { region: Some(region.slug.clone()), ..members::Filters::default() };
    let (members, _) = state.members.search(&state.db, &member_filters, 24, 0).await?;
    let event_regions: Vec<i32> = std::iter::once(region.id).chain(parents.iter().map(|p| p.id)).collect();
    let upcoming = crate::events::queries::upcoming_in(&state.db, &event_regions, 5).await?;
    let lessons = crate::opbrengsten::queries::lessons_of_region(&state.db, region.id).await?;
    Ok(Html(ShowTemplate {
        page: page.crumb("Regio's", "/regios").crumb(region.name.clone(), format!("/regios/{slug}")),
        region,
        parents,
        active_municipalities,
        quiet_municipalities,
        initiatives,
        initiative_total,
        members,
        upcoming,
        lessons,
        map_svg,
    }))
}
