//! The lessons' SQL: a region's published lessons, the list across regions with its filters,
//! one lesson with its links, who may write for which region, and the links a lesson may have.

use sqlx::{PgConnection, PgPool};

use super::{LessonKind, Review};
use crate::members::MemberStatus;
use crate::regions::ApplicationDecision;
use crate::web::auth::{Role, SessionUser};

/// A published lesson of an inspiratieregio.
#[derive(Debug, Clone)]
pub struct Lesson {
    pub slug: String,
    pub title: String,
    pub kind: LessonKind,
    pub body_md: String,
    pub happened_on: time::Date,
}

impl Lesson {
    pub fn body_html(&self) -> String {
        crate::text::markdown(&self.body_md)
    }
    /// "14 maart 2024".
    pub fn date(&self) -> String {
        date_nl(self.happened_on)
    }
}

fn date_nl(day: time::Date) -> String {
    crate::text::date_nl(day.midnight().assume_utc())
}

/// "Wat we leren": a region's published lessons, latest first.
pub async fn lessons_of_region(db: &PgPool, region_id: i32) -> sqlx::Result<Vec<Lesson>> {
    sqlx::query_as!(
        Lesson,
        r#"SELECT slug, title, kind AS "kind: LessonKind", body_md, happened_on FROM lessons
           WHERE region_id = $1 AND review = $2 ORDER BY happened_on DESC, id DESC LIMIT 20"#,
        region_id,
        Review::Gepubliceerd as Review,
    )
    .fetch_all(db)
    .await
}

/// A lesson in the list across regions (and the whole of one on its page).
#[derive(Debug, Clone)]
pub struct Card {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub kind: LessonKind,
    pub body_md: String,
    pub happened_on: time::Date,
    pub region_slug: String,
    pub region_name: String,
    pub cohort_year: Option<i32>,
    pub review: Review,
}

impl Card {
    pub fn date(&self) -> String {
        date_nl(self.happened_on)
    }
    pub fn iso_date(&self) -> String {
        self.happened_on.to_string()
    }
    pub fn body_html(&self) -> String {
        crate::text::markdown(&self.body_md)
    }
    pub fn excerpt(&self) -> String {
        crate::text::excerpt(&self.body_md, 240)
    }
}

/// The list's filters (`cohort`, `thema`, `niveau`, `regio`, `q`), the same for the page and
/// the API. Theme and level reach a lesson through the vraagstukken and initiatives it is
/// linked to (published ones only); the cohort is its region's. Values are bound, never
/// written into SQL: an unknown one finds nothing.
#[derive(Debug, Default, Clone)]
pub struct Filters {
    pub cohort: Option<i32>,
    pub theme: Option<String>,
    pub level: Option<String>,
    pub region: Option<String>,
    pub q: Option<String>,
}

impl Filters {
    pub fn from_params(params: &crate::web::filters::QueryParams) -> Self {
        let one = |key: &str| {
            params.one(key).map(|v| v.trim().chars().take(200).collect::<String>()).filter(|v| !v.is_empty())
        };
        Filters {
            cohort: one("cohort").and_then(|v| v.parse().ok()),
            theme: one("thema"),
            level: one("niveau"),
            region: one("regio"),
            q: one("q"),
        }
    }

    /// The filters as query-string pairs (for paging links).
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(c) = self.cohort {
            pairs.push(("cohort", c.to_string()));
        }
        for (key, value) in
            [("thema", &self.theme), ("niveau", &self.level), ("regio", &self.region), ("q", &self.q)]
        {
            if let Some(v) = value {
                pairs.push((key, v.clone()));
            }
        }
        pairs
    }
}

/// The published lessons whose text matches the search words (Dutch stemming, accents
/// ignored), through `lessons_search_idx`.
pub async fn matching_text(db: &PgPool, q: &str) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar!(
        r#"SELECT id FROM lessons
           WHERE review = $1
             AND to_tsvector('dutch', immutable_unaccent(title || ' ' || body_md))
                 @@ dutch_query($2)"#,
        Review::Gepubliceerd as Review,
        q,
    )
    .fetch_all(db)
    .await
}

/// The cards of these lessons, in the order given (the list's index chose them).
pub async fn cards(db: &PgPool, ids: &[i64]) -> sqlx::Result<Vec<Card>> {
    let cards = sqlx::query_as!(
        Card,
        r#"SELECT l.id, l.slug, l.title, l.kind AS "kind: LessonKind", l.body_md, l.happened_on,
                  r.slug AS region_slug, r.name AS region_name, r.cohort_year, l.review AS "review: Review"
           FROM lessons l JOIN regions r ON r.id = l.region_id WHERE l.id = ANY($1)"#,
        ids,
    )
    .fetch_all(db)
    .await?;
    let mut by_id: std::collections::HashMap<i64, Card> = cards.into_iter().map(|c| (c.id, c)).collect();
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// One lesson by its slug, in whatever review state (the caller decides who may see it).
pub async fn by_slug(db: &PgPool, slug: &str) -> sqlx::Result<Option<Card>> {
    sqlx::query_as!(
        Card,
        r#"SELECT l.id, l.slug, l.title, l.kind AS "kind: LessonKind", l.body_md, l.happened_on,
                  r.slug AS region_slug, r.name AS region_name, r.cohort_year, l.review AS "review: Review"
           FROM lessons l JOIN regions r ON r.id = l.region_id WHERE l.slug = $1"#,
        slug,
    )
    .fetch_optional(db)
    .await
}

/// A link from a lesson: to a vraagstuk (`/vraagstukken/…`) or an initiative.
#[derive(Debug, Clone)]
pub struct Link {
    pub lesson_id: i64,
    pub path: String,
    pub title: String,
    pub is_vraagstuk: bool,
}

/// The published vraagstukken and initiatives the lessons `ids` are linked to.
pub async fn links_of(db: &PgPool, ids: &[i64]) -> sqlx::Result<Vec<Link>> {
    sqlx::query_as!(
        Link,
        r#"SELECT lv.lesson_id AS "lesson_id!", '/vraagstukken/' || v.slug AS "path!", v.title AS "title!", true AS "is_vraagstuk!"
           FROM lesson_vraagstukken lv JOIN vraagstukken v ON v.id = lv.vraagstuk_id
           WHERE lv.lesson_id = ANY($1) AND v.review = $2 AND v.merged_into IS NULL
           UNION ALL
           SELECT li.lesson_id, '/initiatieven/' || i.slug, i.name, false
           FROM lesson_initiatives li JOIN initiatives i ON i.id = li.initiative_id
           WHERE li.lesson_id = ANY($1) AND i.status = $2
           ORDER BY 4 DESC, 3"#,
        ids,
        Review::Gepubliceerd as Review,
    )
    .fetch_all(db)
    .await
}

/// The cohorts (years) of the inspiratieregio's, latest first.
pub async fn cohorts(db: &PgPool) -> sqlx::Result<Vec<i32>> {
    sqlx::query_scalar!(
        r#"SELECT DISTINCT cohort_year AS "year!" FROM regions
           WHERE is_inspiration AND cohort_year IS NOT NULL ORDER BY 1 DESC"#
    )
    .fetch_all(db)
    .await
}

/// An inspiratieregio a lesson is written for.
#[derive(Debug, Clone)]
pub struct RegionChoice {
    pub id: i32,
    pub slug: String,
    pub name: String,
}

/// The inspiratieregio's `user` may write lessons for. Editors (redacteur and up) write for
/// every one; a member belongs to a region when their approved profile's region is the region
/// or lies in it (a municipality of the province or jeugdregio), or when their address is the
/// contact of the region's selected application.
pub async fn writable_regions(db: &PgPool, user: &SessionUser) -> sqlx::Result<Vec<RegionChoice>> {
    sqlx::query_as!(
        RegionChoice,
        "SELECT r.id, r.slug, r.name FROM regions r
         WHERE r.is_inspiration
           AND ($2
                OR EXISTS (SELECT 1 FROM members m JOIN regions mr ON mr.id = m.region_id
                           WHERE m.user_id = $1 AND m.status = $3
                             AND r.id IN (mr.id, mr.province_id, mr.jeugdregio_id))
                OR EXISTS (SELECT 1 FROM region_applications a JOIN users u ON lower(u.email) = lower(a.applicant_email)
                           WHERE u.id = $1 AND a.region_id = r.id AND a.decision = $4))
         ORDER BY r.name",
        user.id,
        user.can(Role::Redacteur),
        MemberStatus::Goedgekeurd as MemberStatus,
        ApplicationDecision::Geselecteerd as ApplicationDecision,
    )
    .fetch_all(db)
    .await
}

/// Something a lesson can be linked to: a slug and its title.
#[derive(Debug, Clone)]
pub struct Choice {
    pub slug: String,
    pub title: String,
}

/// The published vraagstukken a lesson may name, most recognised first.
pub async fn vraagstuk_options(db: &PgPool) -> sqlx::Result<Vec<Choice>> {
    sqlx::query_as!(
        Choice,
        "SELECT slug, title FROM vraagstukken WHERE review = $1 AND merged_into IS NULL
         ORDER BY recognitions DESC, title LIMIT 300",
        Review::Gepubliceerd as Review,
    )
    .fetch_all(db)
    .await
}

/// The published initiatives in the region (or in a municipality of it) a lesson may name.
pub async fn initiative_options(db: &PgPool, region_id: i32) -> sqlx::Result<Vec<Choice>> {
    sqlx::query_as!(
        Choice,
        "SELECT i.slug, i.name AS title FROM initiatives i LEFT JOIN regions ir ON ir.id = i.region_id
         WHERE i.status = $1 AND $2 IN (ir.id, ir.province_id, ir.jeugdregio_id)
         ORDER BY i.name LIMIT 300",
        Review::Gepubliceerd as Review,
        region_id,
    )
    .fetch_all(db)
    .await
}

/// The ids of the published vraagstukken with these slugs.
pub async fn published_vraagstukken(conn: &mut PgConnection, slugs: &[String]) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar!(
        "SELECT id FROM vraagstukken WHERE slug = ANY($1) AND review = $2 AND merged_into IS NULL",
        slugs,
        Review::Gepubliceerd as Review,
    )
    .fetch_all(conn)
    .await
}

/// The ids of the published initiatives with these slugs.
pub async fn published_initiatives(conn: &mut PgConnection, slugs: &[String]) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar!(
        "SELECT id FROM initiatives WHERE slug = ANY($1) AND status = $2",
        slugs,
        Review::Gepubliceerd as Review,
    )
    .fetch_all(conn)
    .await
}

/// The public lesson pages for the sitemap.
pub async fn sitemap_paths(db: &PgPool) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar!(
        r#"SELECT '/opbrengsten/' || slug AS "path!" FROM lessons WHERE review = $1 ORDER BY id LIMIT 20000"#,
        Review::Gepubliceerd as Review,
    )
    .fetch_all(db)
    .await
}

/// Published lessons matching a `/zoeken` search (Dutch full text), latest first.
pub async fn matching(db: &PgPool, q: &str) -> sqlx::Result<Vec<crate::search::Hit>> {
    sqlx::query_as!(
        crate::search::Hit,
        // The matches first, through the search index: left to itself, the planner walks
        // `lessons_newest_idx` newest first and tests every lesson (2.1 s for a word no lesson
        // has, at 100,000 lessons; 1.6 ms this way).
        r#"WITH hits AS MATERIALIZED (
               SELECT l.id FROM lessons l
               WHERE to_tsvector('dutch', immutable_unaccent(l.title || ' ' || l.body_md))
                     @@ dutch_query($1)
                 AND l.review = $2)
           SELECT l.slug, l.title, r.name || ' · ' || to_char(l.happened_on, 'DD-MM-YYYY') AS "detail!"
           FROM hits h JOIN lessons l ON l.id = h.id JOIN regions r ON r.id = l.region_id
           ORDER BY l.happened_on DESC, l.id DESC LIMIT 10"#,
        q,
        Review::Gepubliceerd as Review,
    )
    .fetch_all(db)
    .await
}
