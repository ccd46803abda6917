//! A coordinator's decision on an application to become inspiratieregio: decided once, in the
//! same transaction as the region joining this year's cohort, the audit entry and the mail to
//! the applicant.

use serde_json::json;
use time::OffsetDateTime;

use super::ApplicationDecision;
use crate::audit::{Entry, Target};
use crate::review::Reviewer;
use crate::{mail, text};

/// Decided: the decision taken.
pub type Outcome = crate::review::Outcome<ApplicationDecision>;

/// Selects or rejects application `id`, with `message` for the applicant.
pub async fn decide(by: &Reviewer<'_>, id: i64, selected: bool, message: String) -> anyhow::Result<Outcome> {
    let (db, config, actor) = (by.db, by.config, by.actor);
    let mut tx = db.begin().await?;
    let row = sqlx::query!(
        r#"SELECT a.region_id, r.name, a.applicant_name, a.applicant_email, a.decision AS "decision: ApplicationDecision"
           FROM region_applications a JOIN regions r ON r.id = a.region_id WHERE a.id = $1 FOR UPDATE OF a"#,
        id,
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else { return Ok(Outcome::NotFound) };
    if row.decision.is_some() {
        return Ok(Outcome::AlreadyDecided);
    }
    let decision = if selected { ApplicationDecision::Geselecteerd } else { ApplicationDecision::Afgewezen };
    sqlx::query!(
        "UPDATE region_applications SET decision = $2, decision_message = $3, decided_by = $4, decided_at = now() \
         WHERE id = $1",
        id,
        decision as ApplicationDecision,
        message,
        Some(actor.id),
    )
    .execute(&mut *tx)
    .await?;
    if selected {
        let year = text::amsterdam(OffsetDateTime::now_utc()).year();
        sqlx::query!(
            "UPDATE regions SET is_inspiration = true, cohort_year = coalesce(cohort_year, $2) WHERE id = $1",
            row.region_id,
            year,
        )
        .execute(&mut *tx)
        .await?;
    }
    let action =
        if selected { "inspiratieregio geselecteerd" } else { "aanmelding inspiratieregio afgewezen" };
    Entry::new(actor, action, Target::InspiratieregioAanmelding, id)
        .after(json!({ "regio": row.name, "besluit": decision, "bericht": message }))
        .record(&mut *tx)
        .await?;
    let mail =
        super::mails::ApplicationDecision { name: row.applicant_name, region: row.name, selected, message };
    mail::enqueue(&mut *tx, config, &row.applicant_email, &mail).await?;
    tx.commit().await?;
    Ok(Outcome::Decided(decision))
}
