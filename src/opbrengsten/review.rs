//! An editor's decision on a lesson waiting for review: published, or rejected (archived, so it
//! never shows), decided once, with its audit entry and the mail to the author in one
//! transaction.

use super::Review;
use super::mails::Decision;
use crate::audit::{Entry, Target};
use crate::mail;
use crate::review::{Reviewer, Transition};

/// A lesson waiting for review is published, or archived so that it never shows.
pub const LESSON: Transition<Review> = Transition {
    pending: Review::TerBeoordeling,
    approved: Review::Gepubliceerd,
    rejected: Review::Gearchiveerd,
};

/// Decided: the lesson's new review state.
pub type Outcome = crate::review::Outcome<Review>;

/// Publishes (`approve`) or rejects lesson `id`, with `message` for its author.
pub async fn decide(by: &Reviewer<'_>, id: i64, approve: bool, message: String) -> anyhow::Result<Outcome> {
    let mut tx = by.db.begin().await?;
    let row = sqlx::query!(
        r#"SELECT l.title, l.slug, l.review AS "review: Review", u.email AS "email?"
           FROM lessons l LEFT JOIN users u ON u.id = l.author_id AND u.active WHERE l.id = $1 FOR UPDATE OF l"#,
        id,
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else { return Ok(Outcome::NotFound) };
    let Some(to) = LESSON.decide(row.review, approve) else { return Ok(Outcome::AlreadyDecided) };
    sqlx::query!("UPDATE lessons SET review = $2, updated_at = now() WHERE id = $1", id, to as Review)
        .execute(&mut *tx)
        .await?;
    Entry::new(by.actor, if approve { "les gepubliceerd" } else { "les afgewezen" }, Target::Les, id)
        .decision(row.review, to, &message)
        .record(&mut *tx)
        .await?;
    if let Some(email) = row.email {
        let link =
            if approve { format!("/opbrengsten/{}", row.slug) } else { "/opbrengsten/schrijven".into() };
        let mail = Decision { title: row.title, approved: approve, message, link: by.config.absolute(&link) };
        mail::enqueue(&mut *tx, by.config, &email, &mail).await?;
    }
    tx.commit().await?;
    Ok(Outcome::Decided(to))
}
