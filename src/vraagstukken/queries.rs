//! The vraagstukken's SQL: the public list grouped by level, one obstacle with its
//! alternatives, and the obstacles an initiative, publication or event answers.

use sqlx::PgPool;
use time::OffsetDateTime;

use super::Review;
use super::status::VraagstukStatus;
use crate::catalogue::InitiativeStatus;
use crate::events::EventStatus;
use crate::linked::linked;

/// How many obstacles one level shows in the list before "en meer".
pub const PER_LEVEL: i64 = 25;

/// A level with the sentence that explains it.
#[derive(Debug, Clone)]
pub struct Level {
    pub id: i32,
    pub slug: String,
    pub name: String,
    pub description: String,
}

pub async fn levels(db: &PgPool) -> sqlx::Result<Vec<Level>> {
    sqlx::query_as!(Level, "SELECT id, slug, name, description FROM levels ORDER BY position, name")
        .fetch_all(db)
        .await
}

/// An obstacle in a list.
#[derive(Debug, Clone)]
pub struct Card {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub level_id: i32,
    pub status: VraagstukStatus,
    pub recognitions: i32,
    pub alternatives: i64,
}

/// The list's filters; each value checked by the caller.
#[derive(Debug, Default, Clone)]
pub struct Filters {
    pub theme: Option<String>,
    pub region: Option<String>,
    pub level: Option<String>,
    pub status: Option<VraagstukStatus>,
    pub q: Option<String>,
    /// Most recognised first (otherwise: newest first).
    pub by_recognition: bool,
}

/// The published, unmerged obstacles whose text matches the search words (Dutch stemming,
/// accents ignored), through `vraagstukken_search_idx`.
pub async fn matching_text(db: &PgPool, q: &str) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar!(
        r#"SELECT id FROM vraagstukken
           WHERE review = $1 AND merged_into IS NULL
             AND to_tsvector('dutch', immutable_unaccent(title || ' ' || summary || ' ' || body_md))
                 @@ dutch_query($2)"#,
        Review::Gepubliceerd as Review,
        q,
    )
    .fetch_all(db)
    .await
}

/// The cards of these obstacles, in the order given (the list's index chose them).
pub async fn cards(db: &PgPool, ids: &[i64]) -> sqlx::Result<Vec<Card>> {
    let rows = sqlx::query!(
        r#"SELECT v.id, v.slug, v.title, v.summary, v.level_id, v.status AS "status: VraagstukStatus", v.recognitions,
                  (SELECT count(*) FROM vraagstuk_alternatives a WHERE a.vraagstuk_id = v.id AND a.review = $1) AS "alternatives!"
           FROM vraagstukken v WHERE v.id = ANY($2)"#,
        Review::Gepubliceerd as Review,
        ids,
    )
    .fetch_all(db)
    .await?;
    let mut by_id: std::collections::HashMap<i64, Card> = rows
        .into_iter()
        .map(|r| {
            let card = Card {
                slug: r.slug,
                title: r.title,
                summary: r.summary,
                level_id: r.level_id,
                status: r.status,
                recognitions: r.recognitions,
                alternatives: r.alternatives,
            };
            (r.id, card)
        })
        .collect();
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// One obstacle with what its page shows.
#[derive(Debug, Clone)]
pub struct Vraagstuk {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub body_md: String,
    pub level_slug: String,
    pub level_name: String,
    pub level_description: String,
    pub status: VraagstukStatus,
    pub review: Review,
    pub raised_at: OffsetDateTime,
    /// The member who raised it, when their profile is public: (slug, name).
    pub raiser_slug: Option<String>,
    pub raiser_name: Option<String>,
    pub recognitions: i32,
    /// Merged into the obstacle with this slug.
    pub merged_into: Option<String>,
}

/// An obstacle by slug, whatever its review state (the caller decides what to show).
pub async fn by_slug(db: &PgPool, slug: &str) -> sqlx::Result<Option<Vraagstuk>> {
    sqlx::query_as!(
        Vraagstuk,
        r#"SELECT v.id, v.slug, v.title, v.summary, v.body_md, l.slug AS level_slug, l.name AS level_name,
                  l.description AS level_description, v.status AS "status: VraagstukStatus",
                  v.review AS "review: Review", v.raised_at,
                  m.slug AS "raiser_slug?", m.name AS "raiser_name?", v.recognitions,
                  (SELECT t.slug FROM vraagstukken t WHERE t.id = v.merged_into) AS "merged_into?"
           FROM vraagstukken v JOIN levels l ON l.id = v.level_id
           LEFT JOIN members m ON m.id = v.raised_by_member_id AND m.public_profile
           WHERE v.slug = $1"#,
        slug,
    )
    .fetch_optional(db)
    .await
}

pub use crate::linked::Link;

linked! {
    pub fn themes_of -> Link =
        "SELECT t.slug, t.name FROM themes t JOIN vraagstuk_themes l ON l.theme_id = t.id \
         WHERE l.vraagstuk_id = $1 ORDER BY t.position, t.name";

    pub fn regions_of -> Link =
        "SELECT r.slug, r.name FROM regions r JOIN vraagstuk_regions l ON l.region_id = r.id \
         WHERE l.vraagstuk_id = $1 ORDER BY r.name";
}

/// The regions that published obstacles are linked to (the list's region filter).
pub async fn filter_regions(db: &PgPool) -> sqlx::Result<Vec<Link>> {
    sqlx::query_as!(
        Link,
        "SELECT DISTINCT r.slug, r.name FROM regions r JOIN vraagstuk_regions l ON l.region_id = r.id \
         JOIN vraagstukken v ON v.id = l.vraagstuk_id WHERE v.review = $1 ORDER BY r.name",
        Review::Gepubliceerd as Review,
    )
    .fetch_all(db)
    .await
}

/// An alternative: a published initiative, publication or event, with why it helps.
#[derive(Debug, Clone)]
pub struct Alternative {
    /// "Initiatief", "Publicatie" or "Bijeenkomst".
    pub kind: String,
    pub href: String,
    pub name: String,
    pub why: String,
}

/// The published alternatives of an obstacle whose target is public.
pub async fn alternatives_of(db: &PgPool, id: i64) -> sqlx::Result<Vec<Alternative>> {
    sqlx::query_as!(
        Alternative,
        r#"SELECT 'Initiatief' AS "kind!", '/initiatieven/' || i.slug AS "href!", i.name AS "name!", a.why AS "why!"
           FROM vraagstuk_alternatives a JOIN initiatives i ON i.id = a.initiative_id
           WHERE a.vraagstuk_id = $1 AND a.review = $2 AND i.status = $3
           UNION ALL
           SELECT 'Publicatie', '/kennisbank/' || p.slug, p.title, a.why
           FROM vraagstuk_alternatives a JOIN publications p ON p.id = a.publication_id
           WHERE a.vraagstuk_id = $1 AND a.review = $2 AND p.status = $3
           UNION ALL
           SELECT 'Bijeenkomst', '/bijeenkomsten/' || e.slug, e.title, a.why
           FROM vraagstuk_alternatives a JOIN events e ON e.id = a.event_id
           WHERE a.vraagstuk_id = $1 AND a.review = $2 AND e.status <> $4
           ORDER BY 1 DESC, 3"#,
        id,
        Review::Gepubliceerd as Review,
        InitiativeStatus::Gepubliceerd as InitiativeStatus,
        EventStatus::Concept as EventStatus,
    )
    .fetch_all(db)
    .await
}

/// An obstacle that a record answers, with why.
#[derive(Debug, Clone)]
pub struct Answered {
    pub slug: String,
    pub title: String,
    pub why: String,
}

/// A record that can be an alternative to an obstacle.
#[derive(Debug, Clone, Copy)]
pub enum Record {
    Initiative(i64),
    Publication(i64),
    Event(i64),
}

/// The published obstacles a record answers (shown on the record's page).
pub async fn answered_by(db: &PgPool, record: Record) -> sqlx::Result<Vec<Answered>> {
    let (initiative, publication, event) = match record {
        Record::Initiative(id) => (Some(id), None, None),
        Record::Publication(id) => (None, Some(id), None),
        Record::Event(id) => (None, None, Some(id)),
    };
    sqlx::query_as!(
        Answered,
        "SELECT v.slug, v.title, a.why FROM vraagstuk_alternatives a JOIN vraagstukken v ON v.id = a.vraagstuk_id \
         WHERE (a.initiative_id = $1 OR a.publication_id = $2 OR a.event_id = $3) \
           AND a.review = $4 AND v.review = $4 AND v.merged_into IS NULL ORDER BY v.title",
        initiative,
        publication,
        event,
        Review::Gepubliceerd as Review,
    )
    .fetch_all(db)
    .await
}

/// Whether this member recognises the obstacle.
pub async fn recognises(db: &PgPool, id: i64, user_id: i64) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM vraagstuk_recognitions WHERE vraagstuk_id = $1 AND user_id = $2) AS "yes!""#,
        id,
        user_id,
    )
    .fetch_one(db)
    .await
}

/// "Herken ik": records the member's recognition once (the key refuses a second row, also
/// when two requests race) and counts it in the same transaction. False when it was there.
pub async fn recognise(db: &PgPool, id: i64, user_id: i64) -> sqlx::Result<bool> {
    change_recognition(db, id, user_id, true).await
}

/// Takes a recognition back; false when there was none.
pub async fn take_back(db: &PgPool, id: i64, user_id: i64) -> sqlx::Result<bool> {
    change_recognition(db, id, user_id, false).await
}

/// Adds or removes the member's recognition and moves the count with it; false when there
/// was nothing to change.
async fn change_recognition(db: &PgPool, id: i64, user_id: i64, recognise: bool) -> sqlx::Result<bool> {
    let mut tx = db.begin().await?;
    let change = if recognise {
        sqlx::query!(
            "INSERT INTO vraagstuk_recognitions (vraagstuk_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            id,
            user_id,
        )
    } else {
        sqlx::query!(
            "DELETE FROM vraagstuk_recognitions WHERE vraagstuk_id = $1 AND user_id = $2",
            id,
            user_id
        )
    };
    let changed = change.execute(&mut *tx).await?.rows_affected() == 1;
    if changed {
        let step: i32 = if recognise { 1 } else { -1 };
        sqlx::query!("UPDATE vraagstukken SET recognitions = recognitions + $2 WHERE id = $1", id, step)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(changed)
}

/// The public obstacle pages for the sitemap.
pub async fn sitemap_paths(db: &PgPool) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar!(
        r#"SELECT '/vraagstukken/' || slug AS "path!" FROM vraagstukken
           WHERE review = $1 AND merged_into IS NULL ORDER BY id LIMIT 20000"#,
        Review::Gepubliceerd as Review,
    )
    .fetch_all(db)
    .await
}
