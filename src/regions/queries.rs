use std::collections::HashMap;

use sqlx::{PgExecutor, PgPool};

use super::RegionKind;
use crate::state::AppState;
use crate::web::facets::RegionSelect;

/// Every region's place in the hierarchy, for the in-memory indexes.
#[derive(Debug, Default)]
pub struct Hierarchy {
    /// By slug.
    pub ids: HashMap<String, i32>,
    /// By region id: its province and jeugdregio (0 for none).
    pub parents: Vec<(i32, i32)>,
}

/// Every region as a term (id, slug, name), by name: a filter vocabulary of the list indexes.
pub async fn terms(executor: impl PgExecutor<'_>) -> sqlx::Result<Vec<crate::taxonomy::Term>> {
    sqlx::query_as!(crate::taxonomy::Term, "SELECT id, slug, name FROM regions ORDER BY name")
        .fetch_all(executor)
        .await
}

pub async fn hierarchy(executor: impl PgExecutor<'_>) -> sqlx::Result<Hierarchy> {
    let rows =
        sqlx::query!("SELECT id, slug, province_id, jeugdregio_id FROM regions").fetch_all(executor).await?;
    let max_region = rows.iter().map(|r| r.id).max().unwrap_or(0).max(0) as usize;
    let mut hierarchy =
        Hierarchy { ids: HashMap::with_capacity(rows.len()), parents: vec![(0, 0); max_region + 1] };
    for row in rows {
        if row.id >= 0 {
            hierarchy.parents[row.id as usize] =
                (row.province_id.unwrap_or(0), row.jeugdregio_id.unwrap_or(0));
        }
        hierarchy.ids.insert(row.slug, row.id);
    }
    Ok(hierarchy)
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Region {
    pub id: i32,
    pub slug: String,
    pub code: String,
    pub name: String,
    pub kind: RegionKind,
    pub province_id: Option<i32>,
    pub jeugdregio_id: Option<i32>,
    pub is_inspiration: bool,
    pub cohort_year: Option<i32>,
    pub description: String,
}

/// A region with the number of published initiatives and public members in it (and below it).
#[derive(Clone, Debug)]
pub struct RegionSummary {
    pub region: Region,
    pub initiatives: i64,
    pub members: i64,
}

impl Region {
    pub fn label(&self) -> String {
        self.kind.name_with_kind(&self.name)
    }
}

/// Every region (by name) with the number of published initiatives and public members in it;
/// a province or jeugdregio counts those of its municipalities. The counts come from the
/// in-memory catalogue and member indexes, so this costs the same with 100 or 100,000 records:
/// one read of the ~400 regions.
pub async fn summaries(state: &AppState) -> sqlx::Result<Vec<RegionSummary>> {
    let regions = sqlx::query_as!(
        Region,
        r#"SELECT id, slug, code, name, kind AS "kind: RegionKind", province_id, jeugdregio_id, is_inspiration,
                  cohort_year, description
           FROM regions ORDER BY name"#
    )
    .fetch_all(&state.db)
    .await?;
    let initiatives = state.catalogue.count_by_region(&state.db).await?;
    let members = state.members.count_by_region(&state.db).await?;
    let own =
        |counts: &[i64], id: i32| usize::try_from(id).ok().and_then(|i| counts.get(i)).copied().unwrap_or(0);
    let mut totals: HashMap<i32, (i64, i64)> = HashMap::with_capacity(regions.len());
    for region in &regions {
        let counts = (own(&initiatives, region.id), own(&members, region.id));
        for target in [Some(region.id), region.province_id, region.jeugdregio_id].into_iter().flatten() {
            let total = totals.entry(target).or_default();
            total.0 += counts.0;
            total.1 += counts.1;
        }
    }
    Ok(regions
        .into_iter()
        .map(|region| {
            let (initiatives, members) = totals.get(&region.id).copied().unwrap_or_default();
            RegionSummary { region, initiatives, members }
        })
        .collect())
}

/// The regions of one kind, by name.
pub fn of_kind(all: &[RegionSummary], kind: RegionKind) -> Vec<RegionSummary> {
    all.iter().filter(|r| r.region.kind == kind).cloned().collect()
}

/// The inspiratieregio's, newest cohort first.
pub fn inspiration_regions(all: &[RegionSummary]) -> Vec<RegionSummary> {
    let mut found: Vec<RegionSummary> = all.iter().filter(|r| r.region.is_inspiration).cloned().collect();
    found.sort_by_key(|r| std::cmp::Reverse(r.region.cohort_year.unwrap_or(i32::MIN)));
    found
}

/// Municipalities within a province or jeugdregio, busiest first.
pub fn municipalities_in(all: &[RegionSummary], parent_id: i32) -> Vec<RegionSummary> {
    let mut found: Vec<RegionSummary> = all
        .iter()
        .filter(|RegionSummary { region: r, .. }| {
            r.kind == RegionKind::Gemeente
                && (r.province_id == Some(parent_id) || r.jeugdregio_id == Some(parent_id))
        })
        .cloned()
        .collect();
    found.sort_by_key(|r| std::cmp::Reverse(r.initiatives + r.members));
    found
}

/// The region selector of a filterable list, with `selected` chosen: provinces, jeugdregio's
/// and the municipalities that have at least one published initiative (from the in-memory
/// catalogue index, so no query), at least as new as `version`, a `content_version` the caller read.
pub async fn region_options(
    state: &AppState,
    version: i64,
    selected: Option<&str>,
) -> sqlx::Result<RegionSelect> {
    Ok(state.catalogue.region_filter_options_at(&state.db, version).await?.select(selected))
}

#[derive(Clone, Debug)]
pub struct FilterOption {
    pub slug: String,
    pub name: String,
    pub kind: RegionKind,
}

impl FilterOption {
    pub fn label(&self) -> String {
        self.kind.name_with_kind(&self.name)
    }
}

pub async fn by_slug(db: &PgPool, slug: &str) -> sqlx::Result<Option<Region>> {
    find(db, Some(slug), None).await
}

pub async fn by_id(db: &PgPool, id: i32) -> sqlx::Result<Option<Region>> {
    find(db, None, Some(id)).await
}

/// The region with this slug or this id (the other one `None`).
async fn find(db: &PgPool, slug: Option<&str>, id: Option<i32>) -> sqlx::Result<Option<Region>> {
    sqlx::query_as!(
        Region,
        r#"SELECT id, slug, code, name, kind AS "kind: RegionKind", province_id, jeugdregio_id, is_inspiration,
                  cohort_year, description
           FROM regions WHERE slug = $1 OR id = $2"#,
        slug,
        id,
    )
    .fetch_optional(db)
    .await
}

/// All municipalities, for a form's region choice: (CBS code, name).
pub async fn municipalities(db: &PgPool) -> sqlx::Result<Vec<(String, String)>> {
    let rows = sqlx::query!(
        "SELECT code, name FROM regions WHERE kind = $1 ORDER BY name",
        RegionKind::Gemeente as RegionKind
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| (r.code, r.name)).collect())
}
