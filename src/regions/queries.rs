use sqlx::PgPool;

use super::RegionKind;

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

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct RegionSummary {
    pub slug: String,
    pub code: String,
    pub name: String,
    pub kind: RegionKind,
    pub is_inspiration: bool,
    pub cohort_year: Option<i32>,
    pub initiatives: i64,
    pub members: i64,
}

impl RegionSummary {
    /// "Utrecht (gemeente)" where the kind is not obvious from the name.
    pub fn label(&self) -> String {
        match self.kind {
            RegionKind::Provincie => format!("{} (provincie)", self.name),
            RegionKind::Jeugdregio => format!("{} (jeugdregio)", self.name),
            RegionKind::Gemeente => self.name.clone(),
        }
    }
}

/// Regions with the number of published initiatives and public members in them; a province or
/// jeugdregio counts those of its municipalities. Counted once per municipality, then added up
/// (set-based, so it stays fast with 100,000 initiatives).
const SUMMARY: &str = "WITH per_municipality AS ( \
       SELECT r.id, r.province_id, r.jeugdregio_id, \
              coalesce(i.n, 0) AS initiatives, coalesce(m.n, 0) AS members \
       FROM regions r \
       LEFT JOIN (SELECT region_id, count(*) AS n FROM initiatives WHERE status = 'gepubliceerd' GROUP BY region_id) i ON i.region_id = r.id \
       LEFT JOIN (SELECT region_id, count(*) AS n FROM members WHERE public_profile AND status = 'goedgekeurd' GROUP BY region_id) m ON m.region_id = r.id), \
     totals AS ( \
       SELECT id AS region_id, initiatives, members FROM per_municipality \
       UNION ALL SELECT province_id, initiatives, members FROM per_municipality WHERE province_id IS NOT NULL \
       UNION ALL SELECT jeugdregio_id, initiatives, members FROM per_municipality WHERE jeugdregio_id IS NOT NULL) \
     SELECT r.slug, r.code, r.name, r.kind, r.is_inspiration, r.cohort_year, \
            coalesce(sum(t.initiatives), 0)::bigint AS initiatives, coalesce(sum(t.members), 0)::bigint AS members \
     FROM regions r LEFT JOIN totals t ON t.region_id = r.id";

const GROUP: &str = " GROUP BY r.id";

pub async fn summaries_of_kind(db: &PgPool, kind: RegionKind) -> sqlx::Result<Vec<RegionSummary>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{SUMMARY} WHERE r.kind = $1{GROUP} ORDER BY r.name")))
        .bind(kind)
        .fetch_all(db)
        .await
}

pub async fn inspiration_regions(db: &PgPool) -> sqlx::Result<Vec<RegionSummary>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SUMMARY} WHERE r.is_inspiration{GROUP} ORDER BY r.cohort_year DESC NULLS LAST, r.name"
    )))
    .fetch_all(db)
    .await
}

/// Municipalities within a province or jeugdregio, busiest first.
pub async fn municipalities_in(db: &PgPool, parent_id: i32) -> sqlx::Result<Vec<RegionSummary>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT * FROM ({SUMMARY} WHERE r.kind = 'gemeente' AND (r.province_id = $1 OR r.jeugdregio_id = $1){GROUP}) s \
         ORDER BY (s.initiatives + s.members) DESC, s.name"
    )))
    .bind(parent_id)
    .fetch_all(db)
    .await
}

/// The regions a visitor can filter by: provinces, jeugdregio's and the municipalities
/// that have at least one published initiative (an index probe each, no counting).
pub async fn filter_options(db: &PgPool) -> sqlx::Result<Vec<FilterOption>> {
    sqlx::query_as(
        "SELECT r.slug, r.name, r.kind FROM regions r \
         WHERE r.kind <> 'gemeente' \
            OR EXISTS (SELECT 1 FROM initiatives i WHERE i.region_id = r.id AND i.status = 'gepubliceerd') \
         ORDER BY CASE r.kind WHEN 'provincie' THEN 0 WHEN 'jeugdregio' THEN 1 ELSE 2 END, r.name",
    )
    .fetch_all(db)
    .await
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct FilterOption {
    pub slug: String,
    pub name: String,
    pub kind: RegionKind,
}

impl FilterOption {
    pub fn label(&self) -> String {
        match self.kind {
            RegionKind::Provincie => format!("{} (provincie)", self.name),
            RegionKind::Jeugdregio => format!("{} (jeugdregio)", self.name),
            RegionKind::Gemeente => self.name.clone(),
        }
    }
}

pub async fn by_slug(db: &PgPool, slug: &str) -> sqlx::Result<Option<Region>> {
    sqlx::query_as(
        "SELECT id, slug, code, name, kind, province_id, jeugdregio_id, is_inspiration, cohort_year, description \
         FROM regions WHERE slug = $1",
    )
    .bind(slug)
    .fetch_optional(db)
    .await
}

pub async fn by_id(db: &PgPool, id: i32) -> sqlx::Result<Option<Region>> {
    sqlx::query_as(
        "SELECT id, slug, code, name, kind, province_id, jeugdregio_id, is_inspiration, cohort_year, description \
         FROM regions WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await
}

/// All municipalities, for a form's region choice: (CBS code, name).
pub async fn municipalities(db: &PgPool) -> sqlx::Result<Vec<(String, String)>> {
    sqlx::query_as("SELECT code, name FROM regions WHERE kind = 'gemeente' ORDER BY name").fetch_all(db).await
}
