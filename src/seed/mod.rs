//! Demo content for a newcomer (`seed --demo`) and synthetic volume for scale tests
//! (`seed --synthetic N`).

mod synthetic;

pub use synthetic::synthetic;

use serde::Deserialize;
use sqlx::{PgPool, Postgres, Transaction};
use time::OffsetDateTime;

/// Written for this project in its own words; see `data/demo.json`.
const DEMO: &str = include_str!("../../data/demo.json");

#[derive(Deserialize)]
struct Demo {
    themes: Vec<DemoTheme>,
    initiatives: Vec<DemoInitiative>,
    news: Vec<DemoNews>,
    members: Vec<DemoMember>,
    inspiratieregios: Vec<DemoInspiration>,
}

#[derive(Deserialize)]
struct DemoTheme {
    slug: String,
    name: String,
    description: String,
}

#[derive(Deserialize)]
struct DemoInitiative {
    slug: String,
    name: String,
    summary: String,
    description_md: String,
    themes: Vec<String>,
    domains: Vec<String>,
    levels: Vec<String>,
    age_groups: Vec<String>,
    region_code: Option<String>,
    website: String,
    contact_name: String,
    contact_email: String,
    featured: bool,
    #[serde(with = "time::serde::rfc3339")]
    published_at: OffsetDateTime,
}

#[derive(Deserialize)]
struct DemoNews {
    slug: String,
    title: String,
    lead: String,
    body_md: String,
    themes: Vec<String>,
    author: String,
    #[serde(with = "time::serde::rfc3339")]
    published_at: OffsetDateTime,
}

#[derive(Deserialize)]
struct DemoMember {
    slug: String,
    name: String,
    kind: String,
    organisation: String,
    role: String,
    region_code: String,
    themes: Vec<String>,
    domains: Vec<String>,
    offer: String,
    ask: String,
}

#[derive(Deserialize)]
struct DemoInspiration {
    code: String,
    cohort_year: i32,
    description: String,
}

/// Links a record to the terms named by slug; unknown slugs are ignored.
async fn link_terms(
    tx: &mut Transaction<'_, Postgres>,
    sql: &'static str,
    id: i64,
    slugs: &[String],
) -> sqlx::Result<()> {
    sqlx::query(sql).bind(id).bind(slugs).execute(&mut **tx).await?;
    Ok(())
}

/// The themes of the demo content; the synthetic seed tags with them too.
pub async fn themes(db: &PgPool) -> anyhow::Result<()> {
    let demo: Demo = serde_json::from_str(DEMO)?;
    let mut tx = db.begin().await?;
    insert_themes(&mut tx, &demo.themes).await?;
    tx.commit().await?;
    Ok(())
}

async fn insert_themes(tx: &mut Transaction<'_, Postgres>, themes: &[DemoTheme]) -> sqlx::Result<()> {
    for (position, theme) in themes.iter().enumerate() {
        sqlx::query(
            "INSERT INTO themes (slug, name, description, position) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (slug) DO NOTHING",
        )
        .bind(&theme.slug)
        .bind(&theme.name)
        .bind(&theme.description)
        .bind(position as i32)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Adds the demo content. Records that already exist (by slug) are left as they are, so
/// running it again changes nothing and keeps edits made in the back office.
pub async fn demo(db: &PgPool) -> anyhow::Result<()> {
    let demo: Demo = serde_json::from_str(DEMO)?;
    let mut tx = db.begin().await?;
    insert_themes(&mut tx, &demo.themes).await?;
    for region in &demo.inspiratieregios {
        sqlx::query("UPDATE regions SET is_inspiration = true, cohort_year = $2, description = $3 WHERE code = $1 AND NOT is_inspiration")
            .bind(&region.code)
            .bind(region.cohort_year)
            .bind(&region.description)
            .execute(&mut *tx)
            .await?;
    }
    for m in &demo.members {
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO members (slug, name, kind, organisation, role, region_id, offer, ask, public_profile, status) \
             VALUES ($1, $2, $3, $4, $5, (SELECT id FROM regions WHERE code = $6), $7, $8, true, 'goedgekeurd') \
             ON CONFLICT (slug) DO NOTHING RETURNING id",
        )
        .bind(&m.slug)
        .bind(&m.name)
        .bind(&m.kind)
        .bind(&m.organisation)
        .bind(&m.role)
        .bind(&m.region_code)
        .bind(&m.offer)
        .bind(&m.ask)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(id) = id else { continue };
        link_terms(
            &mut tx,
            "INSERT INTO member_themes SELECT $1, id FROM themes WHERE slug = ANY($2)",
            id,
            &m.themes,
        )
        .await?;
        link_terms(
            &mut tx,
            "INSERT INTO member_domains SELECT $1, id FROM domains WHERE slug = ANY($2)",
            id,
            &m.domains,
        )
        .await?;
    }
    for i in &demo.initiatives {
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO initiatives (slug, name, summary, description_md, website, contact_name, contact_email, \
                                      region_id, status, featured, created_at, updated_at, published_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, (SELECT id FROM regions WHERE code = $8), 'gepubliceerd', $9, $10, $10, $10) \
             ON CONFLICT (slug) DO NOTHING RETURNING id",
        )
        .bind(&i.slug)
        .bind(&i.name)
        .bind(&i.summary)
        .bind(&i.description_md)
        .bind(&i.website)
        .bind(&i.contact_name)
        .bind(&i.contact_email)
        .bind(&i.region_code)
        .bind(i.featured)
        .bind(i.published_at)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(id) = id else { continue };
        link_terms(
            &mut tx,
            "INSERT INTO initiative_themes SELECT $1, id FROM themes WHERE slug = ANY($2)",
            id,
            &i.themes,
        )
        .await?;
        link_terms(
            &mut tx,
            "INSERT INTO initiative_domains SELECT $1, id FROM domains WHERE slug = ANY($2)",
            id,
            &i.domains,
        )
        .await?;
        link_terms(
            &mut tx,
            "INSERT INTO initiative_levels SELECT $1, id FROM levels WHERE slug = ANY($2)",
            id,
            &i.levels,
        )
        .await?;
        link_terms(
            &mut tx,
            "INSERT INTO initiative_age_groups SELECT $1, id FROM age_groups WHERE slug = ANY($2)",
            id,
            &i.age_groups,
        )
        .await?;
    }
    for n in &demo.news {
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO news_items (slug, title, lead, body_md, author_name, published_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6, $6) ON CONFLICT (slug) DO NOTHING RETURNING id",
        )
        .bind(&n.slug)
        .bind(&n.title)
        .bind(&n.lead)
        .bind(&n.body_md)
        .bind(&n.author)
        .bind(n.published_at)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(id) = id else { continue };
        link_terms(
            &mut tx,
            "INSERT INTO news_item_themes SELECT $1, id FROM themes WHERE slug = ANY($2)",
            id,
            &n.themes,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
