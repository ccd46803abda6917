//! An editor's decision on what waits for review on an initiative: an open revision (a
//! change a member proposed to a published initiative) if there is one, otherwise the
//! proposed initiative itself (`ter_beoordeling` → `gepubliceerd` or back to `concept`).
//! The change, its audit entry and the mail to the owner are one transaction; an image the
//! decision leaves unused is forgotten after it.

use serde_json::json;

use super::editorial::{self, InitiativeFields};
use super::{InitiativeStatus, RevisionDecision};
use crate::audit::{Entry, Target};
use crate::mail;
use crate::media::{self, MediaId};
use crate::review::Reviewer;

/// What became of a decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Decided; the owner (if any) has been told.
    Decided(RevisionDecision),
    NotFound,
    /// The proposal changed after the version the editor saw.
    ChangedMeanwhile,
    /// Nothing on this initiative waits for review.
    NothingToReview,
}

/// Approves or rejects what waits for review on initiative `id`, with `message` for the
/// owner. `seen` is the version of the proposal the editor decided on, when the form sent it.
pub async fn decide(
    by: &Reviewer<'_>,
    id: i64,
    approve: bool,
    message: String,
    seen: Option<i128>,
) -> anyhow::Result<Outcome> {
    let (db, config, actor) = (by.db, by.config, by.actor);
    let mut tx = db.begin().await?;
    let row = sqlx::query!(
        r#"SELECT i.name, i.slug, i.status AS "status: InitiativeStatus", m.name AS "owner_name?",
                  u.email AS "owner_email?", i.updated_at
           FROM initiatives i LEFT JOIN members m ON m.id = i.owner_id LEFT JOIN users u ON u.id = m.user_id
           WHERE i.id = $1 FOR UPDATE OF i"#,
        id,
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else { return Ok(Outcome::NotFound) };
    let revision = sqlx::query!(
        "SELECT v.id, v.proposed, i.logo_id, v.submitted_at FROM initiative_revisions v \
         JOIN initiatives i ON i.id = v.initiative_id \
         WHERE v.initiative_id = $1 AND v.decided_at IS NULL FOR UPDATE OF v",
        id,
    )
    .fetch_optional(&mut *tx)
    .await?;
    let current = revision.as_ref().map_or(row.updated_at, |r| r.submitted_at).unix_timestamp_nanos();
    if seen.is_some_and(|seen| seen != current) {
        return Ok(Outcome::ChangedMeanwhile);
    }
    let decision = if approve { RevisionDecision::Goedgekeurd } else { RevisionDecision::Afgewezen };
    // The logo a decision may leave unused: the live one an approval replaces, or the one a
    // rejected revision proposed. Checked after the commit.
    let mut dropped_logo: Option<MediaId> = None;
    let is_change = match revision {
        Some(revision) => {
            let proposed = InitiativeFields::from_revision(revision.proposed, revision.logo_id)
                .map_err(|e| anyhow::anyhow!("stored revision unreadable: {e}"))?;
            dropped_logo = if approve { revision.logo_id } else { proposed.logo_id };
            if approve {
                editorial::update(&mut tx, id, &proposed).await?;
            }
            sqlx::query!(
                "UPDATE initiative_revisions SET decided_at = now(), decided_by = $2, decision = $3, message = $4 \
                 WHERE id = $1",
                revision.id,
                Some(actor.id),
                decision as RevisionDecision,
                message,
            )
            .execute(&mut *tx)
            .await?;
            let action =
                if approve { "wijziging initiatief goedgekeurd" } else { "wijziging initiatief afgewezen" };
            Entry::new(actor, action, Target::Initiatief, id)
                .before(json!({ "revisie": revision.id }))
                .after(json!({ "besluit": decision, "bericht": message, "velden": proposed }))
                .record(&mut *tx)
                .await?;
            true
        }
        None if row.status == InitiativeStatus::TerBeoordeling => {
            let new_status = if approve { InitiativeStatus::Gepubliceerd } else { InitiativeStatus::Concept };
            super::lifecycle::write_status(&mut tx, id, new_status).await?;
            sqlx::query!(
                "UPDATE initiatives SET review_message = $2, updated_at = now() WHERE id = $1",
                id,
                message,
            )
            .execute(&mut *tx)
            .await?;
            let action = if approve { "initiatief goedgekeurd" } else { "initiatief afgewezen" };
            Entry::new(actor, action, Target::Initiatief, id)
                .decision(row.status, new_status, &message)
                .record(&mut *tx)
                .await?;
            false
        }
        None => return Ok(Outcome::NothingToReview),
    };
    if let Some(email) = row.owner_email {
        let link =
            if approve { format!("/initiatieven/{}", row.slug) } else { "/account/initiatieven".to_owned() };
        let mail = super::mails::Decision {
            // The salutation when the owner's profile has no name.
            owner_name: row.owner_name.unwrap_or_else(|| "aandeelhouder".into()),
            name: row.name,
            is_change,
            approved: approve,
            message,
            link: config.absolute(&link),
        };
        mail::enqueue(&mut *tx, config, &email, &mail).await?;
    }
    tx.commit().await?;
    media::forget_if_unused(db, dropped_logo).await;
    Ok(Outcome::Decided(decision))
}
