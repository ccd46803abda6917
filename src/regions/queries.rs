use sqlx::PgPool;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Region {
    pub id: i32,
    pub slug: String,
    pub code: String,
    pub name: String,
    pub kind: String,
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
    pub kind: String,
    pub is_inspiration: bool,
    pub cohort_year: Option<i32>,
    pub initiatives: i64,
    pub members: i64,
}

impl RegionSummary {
    /// "Utrecht (gemeente)" where the kind is not obvious from the name.
    pub fn label(&self) -> String {
        match self.kind.as_str() {
            "provincie" => format!("{} (provincie)", self.name),
            "jeugdregio" => format!("{} (jeugdregio)", self.name),
            _ => self.name.clone(),
        }
    }
}

const SUMMARY: &str = "SELECT r.slug, r.code, r.name, r.kind, r.is_inspiration, r.cohort_year, \
    (SELECT count(*) FROM initiatives i JOIN regions m ON m.id = i.region_id \
       WHERE i.status = 'gepubliceerd' AND (m.id = r.id OR m.province_id = r.id OR m.jeugdregio_id = r.id)) AS initiatives, \
    (SELECT count(*) FROM members p JOIN regions m ON m.id = p.region_id \
       WHERE p.public_profile AND p.status = 'goedgekeurd' AND (m.id = r.id OR m.province_id = r.id OR m.jeugdregio_id = r.id)) AS members \
    FROM regions r";

pub async fn summaries_of_kind(db: &PgPool, kind: &str) -> sqlx::Result<Vec<RegionSummary>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{SUMMARY} WHERE r.kind = $1 ORDER BY r.name")))
        .bind(kind)
        .fetch_all(db)
        .await
}

pub async fn inspiration_regions(db: &PgPool) -> sqlx::Result<Vec<RegionSummary>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SUMMARY} WHERE r.is_inspiration ORDER BY r.cohort_year DESC NULLS LAST, r.name"
    )))
    .fetch_all(db)
    .await
}

/// Municipalities within a province or jeugdregio, busiest first.
pub async fn municipalities_in(db: &PgPool, parent_id: i32) -> sqlx::Result<Vec<RegionSummary>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT * FROM ({SUMMARY} WHERE r.kind = 'gemeente' AND (r.province_id = $1 OR r.jeugdregio_id = $1)) s \
         ORDER BY (s.initiatives + s.members) DESC, s.name"
    )))
    .bind(parent_id)
    .fetch_all(db)
    .await
}

/// The regions a visitor can filter by: provinces, jeugdregio's and the municipalities
/// that have at least one published initiative.
pub async fn filter_options(db: &PgPool) -> sqlx::Result<Vec<RegionSummary>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT * FROM ({SUMMARY}) s WHERE s.kind <> 'gemeente' OR s.initiatives > 0 \
         ORDER BY CASE s.kind WHEN 'provincie' THEN 0 WHEN 'jeugdregio' THEN 1 ELSE 2 END, s.name"
    )))
    .fetch_all(db)
    .await
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
