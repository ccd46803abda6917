use sqlx::PgPool;
use time::OffsetDateTime;

use crate::linked::linked;
use crate::taxonomy::Term;
use crate::text;

#[derive(Debug, sqlx::FromRow)]
pub struct NewsCard {
    pub slug: String,
    pub title: String,
    pub lead: String,
    pub published_at: OffsetDateTime,
}

impl NewsCard {
    pub fn date(&self) -> String {
        text::date_nl(self.published_at)
    }
    pub fn iso_date(&self) -> String {
        self.published_at.date().to_string()
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct NewsItem {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub lead: String,
    pub body_md: String,
    pub author_name: String,
    pub published_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub image_id: Option<i64>,
    pub image_alt: String,
}

// Published means: a publication moment that has passed (scheduled items wait):
// `n.published_at IS NOT NULL AND n.published_at <= now()` in every query below.

pub async fn latest(
    db: &PgPool,
    theme: Option<&str>,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<NewsCard>, i64)> {
    let total = sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM news_items n
           WHERE n.published_at IS NOT NULL AND n.published_at <= now()
             AND ($1::text IS NULL OR EXISTS (SELECT 1 FROM news_item_themes l JOIN themes t ON t.id = l.theme_id
                                              WHERE l.news_item_id = n.id AND t.slug = $1))"#,
        theme,
    )
    .fetch_one(db)
    .await?;
    let cards = sqlx::query_as!(
        NewsCard,
        r#"SELECT n.slug, n.title, n.lead, n.published_at AS "published_at!" FROM news_items n
           WHERE n.published_at IS NOT NULL AND n.published_at <= now()
             AND ($1::text IS NULL OR EXISTS (SELECT 1 FROM news_item_themes l JOIN themes t ON t.id = l.theme_id
                                              WHERE l.news_item_id = n.id AND t.slug = $1))
           ORDER BY n.published_at DESC, n.id DESC LIMIT $2 OFFSET $3"#,
        theme,
        limit,
        offset,
    )
    .fetch_all(db)
    .await?;
    Ok((cards, total))
}

pub async fn by_slug(db: &PgPool, slug: &str) -> sqlx::Result<Option<NewsItem>> {
    sqlx::query_as!(
        NewsItem,
        r#"SELECT n.id, n.slug, n.title, n.lead, n.body_md, n.author_name, n.published_at AS "published_at!",
                  n.updated_at, n.image_id, n.image_alt
           FROM news_items n WHERE n.slug = $1 AND n.published_at IS NOT NULL AND n.published_at <= now()"#,
        slug,
    )
    .fetch_optional(db)
    .await
}

pub async fn for_feed(db: &PgPool, limit: i64) -> sqlx::Result<Vec<NewsItem>> {
    sqlx::query_as!(
        NewsItem,
        r#"SELECT n.id, n.slug, n.title, n.lead, n.body_md, n.author_name, n.published_at AS "published_at!",
                  n.updated_at, n.image_id, n.image_alt
           FROM news_items n WHERE n.published_at IS NOT NULL AND n.published_at <= now()
           ORDER BY n.published_at DESC, n.id DESC LIMIT $1"#,
        limit,
    )
    .fetch_all(db)
    .await
}

linked! {
    pub fn themes_of -> Term =
        "SELECT t.id, t.slug, t.name FROM themes t JOIN news_item_themes l ON l.theme_id = t.id \
         WHERE l.news_item_id = $1 ORDER BY t.position, t.name";
}
