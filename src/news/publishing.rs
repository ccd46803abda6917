//! Writing a news item and choosing when it appears: functions of the news feature that say
//! what they did, so the back-office handler only calls them and renders the outcome.

use sqlx::PgConnection;
use time::OffsetDateTime;

use crate::text;

/// What a news item says, as the editor wrote it.
pub struct Content<'a> {
    pub title: &'a str,
    pub lead: &'a str,
    pub body: &'a str,
    pub themes: &'a [String],
    pub image_id: Option<i64>,
    pub image_alt: &'a str,
}

/// What a change of the publication moment did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transition {
    /// The item is on the site now and was not before.
    Published,
    /// The item appears at a later moment.
    Scheduled,
    /// The item went back to being a concept.
    Withdrawn,
    /// Anything else, including the same moment again.
    Other,
}

impl Transition {
    /// What moving the publication moment from `before` to `after` is, seen at `now`; a new
    /// item comes from `None` (a concept).
    pub fn between(
        before: Option<OffsetDateTime>,
        after: Option<OffsetDateTime>,
        now: OffsetDateTime,
    ) -> Self {
        let public = |at: Option<OffsetDateTime>| at.is_some_and(|t| t <= now);
        match after {
            _ if before == after => Transition::Other,
            None => Transition::Withdrawn,
            Some(_) if public(after) && !public(before) => Transition::Published,
            Some(t) if t > now => Transition::Scheduled,
            Some(_) => Transition::Other,
        }
    }
}

/// The publication moment before a change, for the audit log, and what the change did.
#[derive(Clone, Copy, Debug)]
pub struct PublicationChange {
    pub before: Option<OffsetDateTime>,
    pub transition: Transition,
}

/// Inserts a new concept with a unique slug made from its title; returns its id. `write`
/// gives it its content, `set_publication` its moment.
pub async fn insert(conn: &mut PgConnection, title: &str) -> sqlx::Result<i64> {
    let base = text::slugify(title);
    let base = if base.is_empty() { "nieuws".to_owned() } else { base };
    let mut candidates = text::SlugCandidates::new(&base);
    loop {
        let slug = candidates.next_slug();
        let inserted = sqlx::query_scalar!(
            "INSERT INTO news_items (slug, title, author_name) VALUES ($1, $2, 'Redactie Brede Blik') \
             ON CONFLICT (slug) DO NOTHING RETURNING id",
            slug,
            title,
        )
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(id) = inserted {
            return Ok(id);
        }
    }
}

/// Writes the content and themes of news item `id` (its slug stays: public URLs are kept).
pub async fn write(conn: &mut PgConnection, id: i64, content: &Content<'_>) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE news_items SET title = $2, lead = $3, body_md = $4, \
                image_id = (SELECT id FROM media WHERE id = $5), image_alt = $6, updated_at = now() WHERE id = $1",
        id,
        content.title,
        content.lead,
        content.body,
        content.image_id,
        content.image_alt,
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!("DELETE FROM news_item_themes WHERE news_item_id = $1", id).execute(&mut *conn).await?;
    sqlx::query!(
        "INSERT INTO news_item_themes SELECT $1, id FROM themes WHERE slug = ANY($2)",
        id,
        content.themes
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Sets when news item `id` appears (`None`: a concept, not shown), locking its row; `None`
/// when there is no such item.
pub async fn set_publication(
    conn: &mut PgConnection,
    id: i64,
    at: Option<OffsetDateTime>,
) -> sqlx::Result<Option<PublicationChange>> {
    let Some(before) =
        sqlx::query_scalar!("SELECT published_at FROM news_items WHERE id = $1 FOR UPDATE", id)
            .fetch_optional(&mut *conn)
            .await?
    else {
        return Ok(None);
    };
    sqlx::query!("UPDATE news_items SET published_at = $2 WHERE id = $1", id, at).execute(&mut *conn).await?;
    Ok(Some(PublicationChange {
        before,
        transition: Transition::between(before, at, OffsetDateTime::now_utc()),
    }))
}

#[cfg(test)]
mod tests {
    use time::Duration;

    use super::*;

    #[test]
    fn a_change_names_what_it_did() {
        let now = OffsetDateTime::now_utc();
        let (past, later) = (Some(now - Duration::hours(1)), Some(now + Duration::days(1)));
        assert_eq!(Transition::between(None, past, now), Transition::Published);
        assert_eq!(Transition::between(later, past, now), Transition::Published);
        assert_eq!(Transition::between(None, later, now), Transition::Scheduled);
        assert_eq!(Transition::between(past, later, now), Transition::Scheduled);
        assert_eq!(Transition::between(past, None, now), Transition::Withdrawn);
        assert_eq!(Transition::between(past, past, now), Transition::Other);
        assert_eq!(Transition::between(None, None, now), Transition::Other);
        assert_eq!(Transition::between(past, Some(now - Duration::hours(2)), now), Transition::Other);
    }
}
