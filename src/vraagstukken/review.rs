//! The editors' state changes on vraagstukken, each one transaction with its audit entry (and
//! its mail): deciding on a proposed obstacle or alternative, adding, editing and removing
//! alternatives directly, and merging two obstacles that are the same.

use serde_json::json;

use super::Review;
use super::form::{self, AlternativeFields};
use super::mails::Decision;
use crate::audit::{Entry, Target};
use crate::mail;
use crate::review::{Outcome, Reviewer, Transition};

/// A proposed obstacle is published, or goes back to concept.
pub const OBSTACLE: Transition<Review> =
    Transition { pending: Review::TerBeoordeling, approved: Review::Gepubliceerd, rejected: Review::Concept };

/// A proposed alternative is published, or rejected (the link is removed, so that it may be
/// proposed again; the audit log keeps it as archived).
pub const ALTERNATIVE: Transition<Review> = Transition {
    pending: Review::TerBeoordeling,
    approved: Review::Gepubliceerd,
    rejected: Review::Gearchiveerd,
};

/// Approves (publishes) or rejects (back to concept) obstacle `id`, which a member proposed;
/// the member hears the decision.
pub async fn decide(
    by: &Reviewer<'_>,
    id: i64,
    approve: bool,
    message: String,
) -> anyhow::Result<Outcome<Review>> {
    let mut tx = by.db.begin().await?;
    let row = sqlx::query!(
        r#"SELECT v.title, v.slug, v.review AS "review: Review", u.email AS "email?"
           FROM vraagstukken v LEFT JOIN users u ON u.id = v.proposed_by WHERE v.id = $1 FOR UPDATE OF v"#,
        id,
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else { return Ok(Outcome::NotFound) };
    let Some(new) = OBSTACLE.decide(row.review, approve) else { return Ok(Outcome::AlreadyDecided) };
    sqlx::query!("UPDATE vraagstukken SET review = $2, updated_at = now() WHERE id = $1", id, new as Review)
        .execute(&mut *tx)
        .await?;
    let action = if approve { "vraagstuk goedgekeurd" } else { "vraagstuk afgewezen" };
    Entry::new(by.actor, action, Target::Vraagstuk, id)
        .decision(row.review, new, &message)
        .record(&mut *tx)
        .await?;
    let what = format!("uw vraagstuk ‘{}’", row.title);
    tell(&mut tx, by, row.email, what, &row.slug, approve, message).await?;
    tx.commit().await?;
    Ok(Outcome::Decided(new))
}

/// Approves (publishes) or rejects (removes) alternative `alternative` of obstacle
/// `vraagstuk`, which a member proposed; the member hears the decision.
pub async fn decide_alternative(
    by: &Reviewer<'_>,
    vraagstuk: i64,
    alternative: i64,
    approve: bool,
    message: String,
) -> anyhow::Result<Outcome<Review>> {
    let mut tx = by.db.begin().await?;
    let row = sqlx::query!(
        r#"SELECT a.review AS "review: Review", a.why, v.title, v.slug, u.email AS "email?"
           FROM vraagstuk_alternatives a JOIN vraagstukken v ON v.id = a.vraagstuk_id
           LEFT JOIN users u ON u.id = a.proposed_by
           WHERE a.id = $1 AND a.vraagstuk_id = $2 FOR UPDATE OF a"#,
        alternative,
        vraagstuk,
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else { return Ok(Outcome::NotFound) };
    let Some(new) = ALTERNATIVE.decide(row.review, approve) else { return Ok(Outcome::AlreadyDecided) };
    if approve {
        sqlx::query!(
            "UPDATE vraagstuk_alternatives SET review = $2 WHERE id = $1",
            alternative,
            new as Review
        )
        .execute(&mut *tx)
        .await?;
    } else {
        // Rejected: gone, so that the link may be proposed again (the audit log keeps it).
        sqlx::query!("DELETE FROM vraagstuk_alternatives WHERE id = $1", alternative)
            .execute(&mut *tx)
            .await?;
    }
    let action = if approve { "alternatief goedgekeurd" } else { "alternatief afgewezen" };
    Entry::new(by.actor, action, Target::Vraagstuk, vraagstuk)
        .before(json!({ "alternatief": alternative, "status": row.review, "waarom": row.why }))
        .after(json!({ "alternatief": alternative, "status": new, "bericht": message }))
        .record(&mut *tx)
        .await?;
    let what = format!("uw alternatief bij ‘{}’", row.title);
    tell(&mut tx, by, row.email, what, &row.slug, approve, message).await?;
    tx.commit().await?;
    Ok(Outcome::Decided(new))
}

/// Mails the decision to the member who proposed it (if their account still exists), in the
/// decision's transaction: the obstacle's page when approved, their proposals otherwise.
async fn tell(
    conn: &mut sqlx::PgConnection,
    by: &Reviewer<'_>,
    email: Option<String>,
    what: String,
    slug: &str,
    approved: bool,
    message: String,
) -> anyhow::Result<()> {
    let Some(email) = email else { return Ok(()) };
    let link = if approved { format!("/vraagstukken/{slug}") } else { "/account/vraagstukken".into() };
    let decision = Decision { what, approved, message, link: by.config.absolute(&link) };
    mail::enqueue(&mut *conn, by.config, &email, &decision).await?;
    Ok(())
}

/// What became of a change to an obstacle's alternatives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlternativeOutcome {
    Done,
    NotFound,
    /// The obstacle already has (or awaits) an alternative to that record.
    Duplicate,
}

/// Adds a published alternative to obstacle `id`.
pub async fn add_alternative(
    by: &Reviewer<'_>,
    id: i64,
    fields: &AlternativeFields,
) -> anyhow::Result<AlternativeOutcome> {
    let mut tx = by.db.begin().await?;
    let exists = sqlx::query_scalar!("SELECT id FROM vraagstukken WHERE id = $1 FOR UPDATE", id)
        .fetch_optional(&mut *tx)
        .await?;
    if exists.is_none() {
        return Ok(AlternativeOutcome::NotFound);
    }
    let Some(alternative) = form::insert_alternative(&mut tx, id, fields, Review::Gepubliceerd, None).await?
    else {
        return Ok(AlternativeOutcome::Duplicate);
    };
    Entry::new(by.actor, "alternatief toegevoegd", Target::Vraagstuk, id)
        .after(json!({ "alternatief": alternative, "waarom": fields.why }))
        .record(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(AlternativeOutcome::Done)
}

/// Changes the why-line of an alternative, or removes it (`why` is `None`).
pub async fn change_alternative(
    by: &Reviewer<'_>,
    vraagstuk: i64,
    alternative: i64,
    why: Option<&str>,
) -> anyhow::Result<AlternativeOutcome> {
    let mut tx = by.db.begin().await?;
    let before = sqlx::query_scalar!(
        "SELECT why FROM vraagstuk_alternatives WHERE id = $1 AND vraagstuk_id = $2 FOR UPDATE",
        alternative,
        vraagstuk,
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(before) = before else { return Ok(AlternativeOutcome::NotFound) };
    let action = match why {
        Some(why) => {
            sqlx::query!("UPDATE vraagstuk_alternatives SET why = $2 WHERE id = $1", alternative, why)
                .execute(&mut *tx)
                .await?;
            "alternatief bewerkt"
        }
        None => {
            sqlx::query!("DELETE FROM vraagstuk_alternatives WHERE id = $1", alternative)
                .execute(&mut *tx)
                .await?;
            "alternatief verwijderd"
        }
    };
    Entry::new(by.actor, action, Target::Vraagstuk, vraagstuk)
        .before(json!({ "alternatief": alternative, "waarom": before }))
        .after(json!({ "alternatief": alternative, "waarom": why }))
        .record(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(AlternativeOutcome::Done)
}

/// What became of a merge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MergeOutcome {
    /// Merged into the obstacle with this slug.
    Merged(String),
    NotFound,
    /// An obstacle cannot be merged with itself.
    Itself,
    /// One of the two was merged before.
    AlreadyMerged,
}

/// Merges obstacle `from` into `into`: alternatives, recognitions, themes, regions and lessons
/// move (what `into` already has is dropped), the count is recomputed, and `from` (with
/// whatever was merged into it before) redirects to `into`. One transaction.
pub async fn merge(by: &Reviewer<'_>, from: i64, into: i64) -> anyhow::Result<MergeOutcome> {
    if from == into {
        return Ok(MergeOutcome::Itself);
    }
    let mut tx = by.db.begin().await?;
    // Both rows locked in id order, so two opposite merges cannot deadlock.
    let rows = sqlx::query!(
        "SELECT id, slug, merged_into FROM vraagstukken WHERE id = ANY($1) ORDER BY id FOR UPDATE",
        &[from, into][..],
    )
    .fetch_all(&mut *tx)
    .await?;
    if rows.len() != 2 {
        return Ok(MergeOutcome::NotFound);
    }
    if rows.iter().any(|r| r.merged_into.is_some()) {
        return Ok(MergeOutcome::AlreadyMerged);
    }
    let survivor = rows.iter().find(|r| r.id == into).map(|r| r.slug.clone()).unwrap_or_default();
    let moved_alternatives = sqlx::query!(
        "UPDATE vraagstuk_alternatives a SET vraagstuk_id = $2 WHERE a.vraagstuk_id = $1 AND NOT EXISTS ( \
             SELECT 1 FROM vraagstuk_alternatives b WHERE b.vraagstuk_id = $2 \
             AND (b.initiative_id = a.initiative_id OR b.publication_id = a.publication_id OR b.event_id = a.event_id))",
        from,
        into,
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    sqlx::query!("DELETE FROM vraagstuk_alternatives WHERE vraagstuk_id = $1", from)
        .execute(&mut *tx)
        .await?;
    sqlx::query!(
        "INSERT INTO vraagstuk_recognitions (vraagstuk_id, user_id, created_at) \
         SELECT $2, user_id, created_at FROM vraagstuk_recognitions WHERE vraagstuk_id = $1 ON CONFLICT DO NOTHING",
        from,
        into,
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!("DELETE FROM vraagstuk_recognitions WHERE vraagstuk_id = $1", from)
        .execute(&mut *tx)
        .await?;
    for (link, column) in [
        ("vraagstuk_themes", "theme_id"),
        ("vraagstuk_regions", "region_id"),
        ("lesson_vraagstukken", "lesson_id"),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO {link} (vraagstuk_id, {column}) SELECT $2, {column} FROM {link} WHERE vraagstuk_id = $1 \
             ON CONFLICT DO NOTHING"
        )))
        .bind(from)
        .bind(into)
        .execute(&mut *tx)
        .await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {link} WHERE vraagstuk_id = $1")))
            .bind(from)
            .execute(&mut *tx)
            .await?;
    }
    let recognitions = sqlx::query_scalar!(
        r#"UPDATE vraagstukken SET recognitions = (SELECT count(*) FROM vraagstuk_recognitions WHERE vraagstuk_id = $1),
                  updated_at = now()
           WHERE id = $1 RETURNING recognitions"#,
        into,
    )
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query!(
        "UPDATE vraagstukken SET merged_into = $2, recognitions = 0, updated_at = now() WHERE id = $1 OR merged_into = $1",
        from,
        into,
    )
    .execute(&mut *tx)
    .await?;
    Entry::new(by.actor, "vraagstuk samengevoegd", Target::Vraagstuk, from)
        .after(json!({
            "samengevoegd_met": into,
            "alternatieven_verplaatst": moved_alternatives,
            "herkenningen": recognitions,
        }))
        .record(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(MergeOutcome::Merged(survivor))
}
