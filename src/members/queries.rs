use sqlx::PgPool;

use crate::taxonomy::Term;

#[derive(Debug, sqlx::FromRow)]
pub struct MemberCard {
    pub slug: String,
    pub name: String,
    pub kind: String,
    pub organisation: String,
    pub role: String,
    pub region_name: Option<String>,
}

#[derive(Debug, sqlx::FromRow)]
pub struct Member {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub organisation: String,
    pub role: String,
    pub offer: String,
    pub ask: String,
    pub region_name: Option<String>,
    pub region_slug: Option<String>,
    pub logo_id: Option<i64>,
    /// Filled in by `by_slug`.
    #[sqlx(skip)]
    pub logo: Option<crate::media::Image>,
}

/// Only these rows are ever shown publicly.
const PUBLIC: &str = "m.public_profile AND m.status = 'goedgekeurd'";

/// What the member list filters by (answered by `members::index`).
#[derive(Clone, Debug, Default)]
pub struct Filters {
    pub q: Option<String>,
    pub themes: Vec<String>,
    pub domains: Vec<String>,
    pub region: Option<String>,
}

pub async fn by_slug(db: &PgPool, slug: &str) -> sqlx::Result<Option<Member>> {
    let found: Option<Member> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT m.id, m.slug, m.name, m.kind, m.organisation, m.role, m.offer, m.ask, \
                r.name AS region_name, r.slug AS region_slug, m.logo_id \
         FROM members m LEFT JOIN regions r ON r.id = m.region_id WHERE m.slug = $1 AND {PUBLIC}"
    )))
    .bind(slug)
    .fetch_optional(db)
    .await?;
    let Some(mut found) = found else { return Ok(None) };
    found.logo = crate::media::find(db, found.logo_id).await?;
    Ok(Some(found))
}

pub async fn themes_of(db: &PgPool, member_id: i64) -> sqlx::Result<Vec<Term>> {
    sqlx::query_as(
        "SELECT t.id, t.slug, t.name FROM themes t JOIN member_themes l ON l.theme_id = t.id \
         WHERE l.member_id = $1 ORDER BY t.position, t.name",
    )
    .bind(member_id)
    .fetch_all(db)
    .await
}

pub async fn domains_of(db: &PgPool, member_id: i64) -> sqlx::Result<Vec<Term>> {
    sqlx::query_as(
        "SELECT t.id, t.slug, t.name FROM domains t JOIN member_domains l ON l.domain_id = t.id \
         WHERE l.member_id = $1 ORDER BY t.position",
    )
    .bind(member_id)
    .fetch_all(db)
    .await
}
