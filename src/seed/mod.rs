//! Demo content for a newcomer (`seed --demo`) and synthetic volume for scale tests
//! (`seed --synthetic N`).

mod synthetic;

pub use synthetic::synthetic;

use serde::Deserialize;
use sqlx::{PgPool, Postgres, Transaction};
use time::OffsetDateTime;

use crate::catalogue::InitiativeStatus;
use crate::members::{MemberKind, MemberStatus};

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
    kind: MemberKind,
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
        sqlx::query!(
            "INSERT INTO themes (slug, name, description, position) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (slug) DO NOTHING",
            theme.slug,
            theme.name,
            theme.description,
            position as i32,
        )
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
        sqlx::query!(
            "UPDATE regions SET is_inspiration = true, cohort_year = $2, description = $3 \
             WHERE code = $1 AND NOT is_inspiration",
            region.code,
            region.cohort_year,
            region.description,
        )
        .execute(&mut *tx)
        .await?;
    }
    for m in &demo.members {
        let id = sqlx::query_scalar!(
            "INSERT INTO members (slug, name, kind, organisation, role, region_id, offer, ask, public_profile, status) \
             VALUES ($1, $2, $3, $4, $5, (SELECT id FROM regions WHERE code = $6), $7, $8, true, $9) \
             ON CONFLICT (slug) DO NOTHING RETURNING id",
            m.slug,
            m.name,
            m.kind as MemberKind,
            m.organisation,
            m.role,
            m.region_code,
            m.offer,
            m.ask,
            MemberStatus::Goedgekeurd as MemberStatus,
        )
        .fetch_optional(&mut *tx)
        .await?;
        let Some(id) = id else { continue };
        sqlx::query!(
            "INSERT INTO member_themes SELECT $1, id FROM themes WHERE slug = ANY($2)",
            id,
            &m.themes
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query!(
            "INSERT INTO member_domains SELECT $1, id FROM domains WHERE slug = ANY($2)",
            id,
            &m.domains
        )
        .execute(&mut *tx)
        .await?;
    }
    for i in &demo.initiatives {
        let id = sqlx::query_scalar!(
            "INSERT INTO initiatives (slug, name, summary, description_md, website, contact_name, contact_email, \
                                      region_id, status, featured, created_at, updated_at, published_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, (SELECT id FROM regions WHERE code = $8), $11, $9, $10, $10, $10) \
             ON CONFLICT (slug) DO NOTHING RETURNING id",
            i.slug,
            i.name,
            i.summary,
            i.description_md,
            i.website,
            i.contact_name,
            i.contact_email,
            i.region_code,
            i.featured,
            i.published_at,
            InitiativeStatus::Gepubliceerd as InitiativeStatus,
        )
        .fetch_optional(&mut *tx)
        .await?;
        let Some(id) = id else { continue };
        sqlx::query!(
            "INSERT INTO initiative_themes SELECT $1, id FROM themes WHERE slug = ANY($2)",
            id,
            &i.themes
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query!(
            "INSERT INTO initiative_domains SELECT $1, id FROM domains WHERE slug = ANY($2)",
            id,
            &i.domains
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query!(
            "INSERT INTO initiative_levels SELECT $1, id FROM levels WHERE slug = ANY($2)",
            id,
            &i.levels
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query!(
            "INSERT INTO initiative_age_groups SELECT $1, id FROM age_groups WHERE slug = ANY($2)",
            id,
            &i.age_groups
        )
        .execute(&mut *tx)
        .await?;
    }
    for n in &demo.news {
        let id = sqlx::query_scalar!(
            "INSERT INTO news_items (slug, title, lead, body_md, author_name, published_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6, $6) ON CONFLICT (slug) DO NOTHING RETURNING id",
            n.slug,
            n.title,
            n.lead,
            n.body_md,
            n.author,
            n.published_at,
        )
        .fetch_optional(&mut *tx)
        .await?;
        let Some(id) = id else { continue };
        sqlx::query!(
            "INSERT INTO news_item_themes SELECT $1, id FROM themes WHERE slug = ANY($2)",
            id,
            &n.themes
        )
        .execute(&mut *tx)
        .await?;
    }
    crate::events::seed::demo(&mut tx).await?;
    crate::kennisbank::seed::demo(&mut tx).await?;
    crate::vraagstukken::seed::demo(&mut tx).await?;
    crate::opbrengsten::seed::demo(&mut tx).await?;
    crate::verbinden::seed::demo(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}
