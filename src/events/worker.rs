//! The events' background work, next to the mail worker in every app instance: offers whose
//! claim window passed move on to the next person waiting, and due reminders go out. Both
//! take their rows with `FOR UPDATE SKIP LOCKED` and mark them in the transaction that writes
//! the mail, so with several instances each row is handled once.

use std::time::Duration;

use sqlx::PgPool;
use tokio::sync::watch;

use super::places;
use crate::config::Config;

const TICK: Duration = Duration::from_secs(1);

/// One round: every lapsed offer, then every due reminder.
pub async fn round(db: &PgPool, config: &Config) -> anyhow::Result<()> {
    while places::lapse_one_offer(db, config).await? {}
    while places::send_due_reminders(db, config).await? > 0 {}
    Ok(())
}

/// Runs until `stop` turns true.
pub async fn run(db: PgPool, config: Config, mut stop: watch::Receiver<bool>) {
    loop {
        if let Err(err) = round(&db, &config).await {
            tracing::error!(%err, "events worker");
        }
        tokio::select! {
            _ = stop.changed() => break,
            _ = tokio::time::sleep(TICK) => {}
        }
        if *stop.borrow() {
            break;
        }
    }
}
