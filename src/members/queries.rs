use sqlx::{PgPool, Postgres, QueryBuilder};

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
    pub slug: String,
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

#[derive(Clone, Debug, Default)]
pub struct Filters {
    pub q: Option<String>,
    pub themes: Vec<String>,
    pub domains: Vec<String>,
    pub region: Option<String>,
}

fn push_conditions(builder: &mut QueryBuilder<Postgres>, filters: &Filters) {
    builder.push(format!(" WHERE {PUBLIC}"));
    if let Some(q) = &filters.q {
        let pattern = crate::text::like_contains(q);
        builder
            .push(" AND (m.name ILIKE ")
            .push_bind(pattern.clone())
            .push(" OR m.organisation ILIKE ")
            .push_bind(pattern.clone())
            .push(" OR m.role ILIKE ")
            .push_bind(pattern)
            .push(")");
    }
    for (values, link, terms, column) in [
        (&filters.themes, "member_themes", "themes", "theme_id"),
        (&filters.domains, "member_domains", "domains", "domain_id"),
    ] {
        if values.is_empty() {
            continue;
        }
        builder
            .push(format!(
                " AND EXISTS (SELECT 1 FROM {link} l JOIN {terms} t ON t.id = l.{column} \
                 WHERE l.member_id = m.id AND t.slug = ANY("
            ))
            .push_bind(values.clone())
            .push("))");
    }
    if let Some(region) = &filters.region {
        builder
            .push(" AND m.region_id IN (SELECT r.id FROM regions r JOIN regions sel ON sel.slug = ")
            .push_bind(region.clone())
            .push(" WHERE r.id = sel.id OR r.province_id = sel.id OR r.jeugdregio_id = sel.id)");
    }
}

pub async fn search(
    db: &PgPool,
    filters: &Filters,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<MemberCard>, i64)> {
    let mut count = QueryBuilder::new("SELECT count(*) FROM members m");
    push_conditions(&mut count, filters);
    let total: i64 = count.build_query_scalar().fetch_one(db).await?;
    let mut list = QueryBuilder::new(
        "SELECT m.slug, m.name, m.kind, m.organisation, m.role, r.name AS region_name \
         FROM members m LEFT JOIN regions r ON r.id = m.region_id",
    );
    push_conditions(&mut list, filters);
    list.push(" ORDER BY lower(m.name), m.id LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
    Ok((list.build_query_as().fetch_all(db).await?, total))
}

pub async fn in_region(db: &PgPool, region_id: i32, limit: i64) -> sqlx::Result<Vec<MemberCard>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT m.slug, m.name, m.kind, m.organisation, m.role, r.name AS region_name \
         FROM members m JOIN regions r ON r.id = m.region_id \
         WHERE {PUBLIC} AND (r.id = $1 OR r.province_id = $1 OR r.jeugdregio_id = $1) \
         ORDER BY lower(m.name) LIMIT $2"
    )))
    .bind(region_id)
    .bind(limit)
    .fetch_all(db)
    .await
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
