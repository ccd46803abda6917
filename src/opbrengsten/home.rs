//! The home page's blocks on what the network maps and learns: the most recognised obstacles
//! per level and the latest lessons. The home page is cached like every public page; the
//! vraagstukken and lessons tables bump `content_version`, so a change shows at once.

use sqlx::PgPool;

use super::LessonKind;
use super::Review;
use super::queries::Card;

/// An obstacle on the home page.
pub struct Obstacle {
    pub level: String,
    pub slug: String,
    pub title: String,
    pub recognitions: i32,
}

pub struct Blocks {
    /// Per level (in the levels' order) its most recognised obstacles.
    pub obstacles: Vec<Obstacle>,
    pub lessons: Vec<Card>,
}

impl Blocks {
    /// The levels in order, each with its obstacles.
    pub fn levels(&self) -> Vec<(&str, Vec<&Obstacle>)> {
        let mut out: Vec<(&str, Vec<&Obstacle>)> = Vec::new();
        for o in &self.obstacles {
            match out.last_mut() {
                Some((level, list)) if *level == o.level => list.push(o),
                _ => out.push((o.level.as_str(), vec![o])),
            }
        }
        out
    }
}

/// The two most recognised published obstacles of each level and the three latest lessons.
pub async fn blocks(db: &PgPool) -> sqlx::Result<Blocks> {
    let obstacles = sqlx::query_as!(
        Obstacle,
        r#"SELECT l.name AS "level!", x.slug AS "slug!", x.title AS "title!", x.recognitions AS "recognitions!"
           FROM levels l CROSS JOIN LATERAL (
               SELECT v.slug, v.title, v.recognitions FROM vraagstukken v
               WHERE v.level_id = l.id AND v.review = $1 AND v.merged_into IS NULL
               ORDER BY v.recognitions DESC, v.raised_at DESC, v.id DESC LIMIT 2) x
           ORDER BY l.position, x.recognitions DESC"#,
        Review::Gepubliceerd as Review,
    )
    .fetch_all(db)
    .await?;
    // The newest three, without the list's total: the partial index gives them in order.
    let lessons = sqlx::query_as!(
        Card,
        r#"SELECT l.id, l.slug, l.title, l.kind AS "kind: LessonKind", l.body_md, l.happened_on,
                  r.slug AS region_slug, r.name AS region_name, r.cohort_year, l.review AS "review: Review"
           FROM lessons l JOIN regions r ON r.id = l.region_id
           WHERE l.review = $1 ORDER BY l.happened_on DESC, l.id DESC LIMIT 3"#,
        Review::Gepubliceerd as Review,
    )
    .fetch_all(db)
    .await?;
    Ok(Blocks { obstacles, lessons })
}
