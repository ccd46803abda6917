//! A campaign's life: concept → gepland → bezig ⇄ gepauzeerd → verzonden, or geannuleerd.
//! Every step changes the status only from the statuses it allows, in the statement that
//! changes it, so two coordinators clicking at once cannot both succeed. Starting (and
//! resuming) is `sending::start`, which creates the deliveries.

use sqlx::PgPool;
use time::OffsetDateTime;

use super::{CampaignStatus, DeliveryStatus, sending};

/// What became of a requested step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// The campaign's status does not allow the step (or it changed meanwhile).
    NotAllowed,
}

impl Outcome {
    fn from_rows(rows: u64) -> Outcome {
        if rows == 0 { Outcome::NotAllowed } else { Outcome::Done }
    }
}

impl CampaignStatus {
    /// Content may change, and the campaign may be (re)scheduled, only before sending starts.
    pub fn editable(self) -> bool {
        matches!(self, CampaignStatus::Concept | CampaignStatus::Gepland)
    }
    /// Sending may start now (or go on after a pause).
    pub fn can_start(self) -> bool {
        matches!(self, CampaignStatus::Concept | CampaignStatus::Gepland | CampaignStatus::Gepauzeerd)
    }
    pub fn can_pause(self) -> bool {
        self == CampaignStatus::Bezig
    }
    pub fn can_resume(self) -> bool {
        self == CampaignStatus::Gepauzeerd
    }
    pub fn can_cancel(self) -> bool {
        !matches!(self, CampaignStatus::Verzonden | CampaignStatus::Geannuleerd)
    }
}

const SCHEDULABLE: &[CampaignStatus] = &[CampaignStatus::Concept, CampaignStatus::Gepland];
const CANCELLABLE: &[CampaignStatus] =
    &[CampaignStatus::Concept, CampaignStatus::Gepland, CampaignStatus::Bezig, CampaignStatus::Gepauzeerd];

/// The campaign's status, if it exists.
pub async fn status(db: &PgPool, id: i64) -> sqlx::Result<Option<CampaignStatus>> {
    sqlx::query_scalar!(r#"SELECT status AS "status: CampaignStatus" FROM campaigns WHERE id = $1"#, id)
        .fetch_optional(db)
        .await
}

/// Sends the campaign by itself at `at`.
pub async fn schedule(db: &PgPool, id: i64, at: OffsetDateTime) -> sqlx::Result<Outcome> {
    let changed = sqlx::query!(
        "UPDATE campaigns SET status = $3, scheduled_at = $2, updated_at = now() WHERE id = $1 AND status = ANY($4)",
        id,
        at,
        CampaignStatus::Gepland as CampaignStatus,
        SCHEDULABLE as &[CampaignStatus],
    )
    .execute(db)
    .await?;
    Ok(Outcome::from_rows(changed.rows_affected()))
}

/// Starts sending now, or goes on after a pause.
pub async fn start(db: &PgPool, id: i64) -> sqlx::Result<Outcome> {
    match status(db, id).await? {
        Some(status) if status.can_start() => {
            sending::start(db, id).await?;
            Ok(Outcome::Done)
        }
        _ => Ok(Outcome::NotAllowed),
    }
}

/// Stops handing out deliveries; those already claimed still go.
pub async fn pause(db: &PgPool, id: i64) -> sqlx::Result<Outcome> {
    let changed = sqlx::query!(
        "UPDATE campaigns SET status = $2, updated_at = now() WHERE id = $1 AND status = $3",
        id,
        CampaignStatus::Gepauzeerd as CampaignStatus,
        CampaignStatus::Bezig as CampaignStatus,
    )
    .execute(db)
    .await?;
    Ok(Outcome::from_rows(changed.rows_affected()))
}

/// Ends the campaign: whoever has not had it yet, will not get it.
pub async fn cancel(db: &PgPool, id: i64) -> sqlx::Result<Outcome> {
    let mut tx = db.begin().await?;
    let changed = sqlx::query!(
        "UPDATE campaigns SET status = $2, finished_at = now(), updated_at = now() WHERE id = $1 AND status = ANY($3)",
        id,
        CampaignStatus::Geannuleerd as CampaignStatus,
        CANCELLABLE as &[CampaignStatus],
    )
    .execute(&mut *tx)
    .await?;
    if changed.rows_affected() == 0 {
        return Ok(Outcome::NotAllowed);
    }
    sqlx::query!(
        "UPDATE deliveries SET status = $2, last_error = $4 WHERE campaign_id = $1 AND status = $3",
        id,
        DeliveryStatus::Overgeslagen as DeliveryStatus,
        DeliveryStatus::Wachtend as DeliveryStatus,
        CampaignStatus::Geannuleerd.as_str(),
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Outcome::Done)
}

/// Tries the failed deliveries again; a finished campaign is sending again until they are done.
pub async fn retry_failed(db: &PgPool, id: i64) -> sqlx::Result<Outcome> {
    sqlx::query!(
        "UPDATE deliveries SET status = $2, attempts = 0, first_failed_at = NULL, next_attempt_at = now() \
         WHERE campaign_id = $1 AND status = $3",
        id,
        DeliveryStatus::Wachtend as DeliveryStatus,
        DeliveryStatus::Mislukt as DeliveryStatus,
    )
    .execute(db)
    .await?;
    sqlx::query!(
        "UPDATE campaigns SET status = $2, finished_at = NULL WHERE id = $1 AND status = $3",
        id,
        CampaignStatus::Bezig as CampaignStatus,
        CampaignStatus::Verzonden as CampaignStatus,
    )
    .execute(db)
    .await?;
    Ok(Outcome::Done)
}
