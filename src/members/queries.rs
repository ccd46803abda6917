use sqlx::PgPool;

use super::{MemberKind, MemberStatus};
use crate::linked::linked;
use crate::taxonomy::Term;

#[derive(Debug)]
pub struct MemberCard {
    pub slug: String,
    pub name: String,
    pub kind: MemberKind,
    pub organisation: String,
    pub role: String,
    pub region_name: Option<String>,
}

#[derive(Debug)]
pub struct Member {
    pub id: i64,
    pub name: String,
    pub kind: MemberKind,
    pub organisation: String,
    pub role: String,
    pub offer: String,
    pub ask: String,
    pub region_name: Option<String>,
    pub region_slug: Option<String>,
    pub logo: Option<crate::media::Image>,
}

/// Only approved members with a public profile are ever shown publicly.
pub const PUBLIC: MemberStatus = MemberStatus::Goedgekeurd;

/// What the member list filters by (answered by `members::index`).
#[derive(Clone, Debug, Default)]
pub struct Filters {
    pub q: Option<String>,
    pub themes: Vec<String>,
    pub domains: Vec<String>,
    pub region: Option<String>,
    /// Only members who accept messages from other members ("wil gecontacteerd worden").
    pub contactable: bool,
    /// Members to list first, in this order (for a logged-in member: the nearest findable
    /// ones, see `verbinden::nearest`); the rest follow A–Z.
    pub first: Vec<i64>,
}

pub async fn by_slug(db: &PgPool, slug: &str) -> sqlx::Result<Option<Member>> {
    let found = sqlx::query!(
        r#"SELECT m.id, m.name, m.kind AS "kind: MemberKind", m.organisation, m.role, m.offer, m.ask,
                  r.name AS "region_name?", r.slug AS "region_slug?", m.logo_id
           FROM members m LEFT JOIN regions r ON r.id = m.region_id
           WHERE m.slug = $1 AND m.public_profile AND m.status = $2"#,
        slug,
        PUBLIC as MemberStatus,
    )
    .fetch_optional(db)
    .await?;
    let Some(row) = found else { return Ok(None) };
    Ok(Some(Member {
        id: row.id,
        name: row.name,
        kind: row.kind,
        organisation: row.organisation,
        role: row.role,
        offer: row.offer,
        ask: row.ask,
        region_name: row.region_name,
        region_slug: row.region_slug,
        logo: crate::media::find(db, row.logo_id).await?,
    }))
}

linked! {
    pub fn themes_of -> Term =
        "SELECT t.id, t.slug, t.name FROM themes t JOIN member_themes l ON l.theme_id = t.id \
         WHERE l.member_id = $1 ORDER BY t.position, t.name";

    pub fn domains_of -> Term =
        "SELECT t.id, t.slug, t.name FROM domains t JOIN member_domains l ON l.domain_id = t.id \
         WHERE l.member_id = $1 ORDER BY t.position";
}
