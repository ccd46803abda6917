//! Claims on mail to send, held by one sender and kept alive while it lives.
//!
//! A sender stamps the rows it claims with its id and the time (`claimed_by`, `claimed_at`);
//! another sender may take a row over only once its `claimed_at` is older than the lease. A
//! `Lease` renews all of its owner's claims in the background, a few times per lease, so they
//! never run out however slowly the SMTP server answers; when the process dies, the renewing
//! dies with it and the rows become free after one lease.
//!
//! `holds()` tells whether the claims are provably still ours: every renewal that finished
//! while they were valid extends them by a lease from the moment it started. When it is not
//! sure (renewals failed, e.g. while PostgreSQL restarts), the sender re-checks the row itself
//! under its own id before the final dot.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::PgPool;
use tokio::task::JoinHandle;
use tokio::time::Instant;

pub struct Lease {
    valid_until: Arc<Mutex<Instant>>,
    margin: Duration,
    renewing: JoinHandle<()>,
}

impl Lease {
    /// `renew` runs an UPDATE that sets `claimed_at = now()` on the rows claimed by `owner`.
    /// `claimed` is a moment before the claim was made.
    pub fn start<R, F>(db: PgPool, renew: R, owner: String, length: Duration, claimed: Instant) -> Self
    where
        R: Fn(PgPool, String) -> F + Send + 'static,
        F: Future<Output = sqlx::Result<()>> + Send,
    {
        let valid_until = Arc::new(Mutex::new(claimed + length));
        let every = length / 4;
        let shared = valid_until.clone();
        let renewing = tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                let started = Instant::now();
                match renew(db.clone(), owner.clone()).await {
                    Ok(_) => {
                        // Only a renewal that finished while the claims were still valid ran
                        // while they were ours; it made them valid for a lease from its start.
                        let mut until = shared.lock().unwrap_or_else(|p| p.into_inner());
                        if Instant::now() < *until {
                            *until = started + length;
                        }
                    }
                    Err(err) => tracing::warn!(%err, "renewing mail claims"),
                }
            }
        });
        Self { valid_until, margin: length / 4, renewing }
    }

    /// True while no other sender can have taken the claims over.
    pub fn holds(&self) -> bool {
        let until = *self.valid_until.lock().unwrap_or_else(|p| p.into_inner());
        Instant::now() + self.margin < until
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.renewing.abort();
    }
}

/// Runs `mark` (an UPDATE recording that a message was delivered) until it succeeds: a
/// database that restarts must not turn a delivered message into one sent again after the
/// lease. Gives up after `MARK_RETRY_FOR` (and the message may then be sent again).
pub async fn mark_until_written<F, Fut>(mut mark: F) -> sqlx::Result<u64>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = sqlx::Result<u64>>,
{
    let started = Instant::now();
    let mut pause = Duration::from_millis(100);
    loop {
        match mark().await {
            Ok(rows) => return Ok(rows),
            Err(err) if started.elapsed() < MARK_RETRY_FOR => {
                tracing::warn!(%err, "marking a delivered message failed, retrying");
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(2));
            }
            Err(err) => return Err(err),
        }
    }
}

/// How long a delivered message's mark is retried.
const MARK_RETRY_FOR: Duration = Duration::from_secs(900);
