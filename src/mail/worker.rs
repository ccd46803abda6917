//! Delivers the outbox, with the same discipline as the newsletter sender (see `lease` and
//! `smtp`). Each worker claims one due message at a time, stamped with its own id, and keeps
//! the claim alive while it sends; right before the final dot it makes sure the claim is still
//! its own, and it marks the row only under that id. So several app instances share the work,
//! a slow relay never lets a second worker send the same message, and a crashed worker's
//! claim simply expires (`NEWSLETTER_LEASE_SECS`). The only message a crash can send twice is
//! the one between the relay's 250 and the mark.
//!
//! Temporary failures (4xx) are retried with growing pauses (30 s, 1, 2, 4 … minutes, at most
//! an hour) for three days; permanent ones (5xx) mark the row `mislukt` at once. When the
//! relay itself fails (unreachable, silent, connection lost) the message keeps its place and
//! the worker pauses (1 s, doubling up to 15 s) before it tries again, so mail flows again
//! within a minute after the relay recovers.

use std::time::Duration;

use lettre::Message;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use sqlx::PgPool;
use tokio::sync::watch;
use tokio::time::Instant;

use super::OutboxStatus;
use super::lease::{self, Lease};
/// Kept here too: the back office sends its test newsletter through it.
pub use super::smtp::transport;
use super::smtp::{Failure, Smtp};
use crate::config::Config;
use crate::newsletter::SubscriberStatus;

const POLL: Duration = Duration::from_millis(500);
/// The longest pause after a relay failure.
const RELAY_PAUSE_MAX: Duration = Duration::from_secs(15);

struct Queued {
    id: i64,
    to_address: String,
    subject: String,
    text_body: String,
    html_body: String,
    message_id: String,
    reply_to: Option<String>,
    attempts: i32,
    has_attachments: bool,
}

/// The files attached to an outbox message, in their order.
async fn attachments(db: &PgPool, outbox_id: i64) -> sqlx::Result<Vec<super::Attachment>> {
    let rows: Vec<(String, String, Vec<u8>)> = sqlx::query_as(
        "SELECT filename, content_type, content FROM outbox_attachments WHERE outbox_id = $1 ORDER BY position",
    )
    .bind(outbox_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(filename, content_type, content)| super::Attachment { filename, content_type, content })
        .collect())
}

fn build(config: &Config, mail: &Queued, files: &[super::Attachment]) -> anyhow::Result<Message> {
    let from: Mailbox = config.mail_from.parse()?;
    let to: Mailbox = mail.to_address.parse()?;
    // Quoted-printable keeps both parts readable in any client (and in the tests' parser).
    let text = SinglePart::builder()
        .header(ContentType::TEXT_PLAIN)
        .header(ContentTransferEncoding::QuotedPrintable)
        .body(mail.text_body.clone());
    let html = SinglePart::builder()
        .header(ContentType::TEXT_HTML)
        .header(ContentTransferEncoding::QuotedPrintable)
        .body(mail.html_body.clone());
    let mut builder = Message::builder().from(from).to(to);
    if let Some(reply_to) = mail.reply_to.as_deref().and_then(|r| r.parse::<Mailbox>().ok()) {
        builder = builder.reply_to(reply_to);
    }
    let bodies = MultiPart::alternative().singlepart(text).singlepart(html);
    let builder = builder.subject(mail.subject.clone()).message_id(Some(mail.message_id.clone()));
    let mut message = if files.is_empty() {
        builder.multipart(bodies)?
    } else {
        let mut mixed = MultiPart::mixed().multipart(bodies);
        for file in files {
            mixed = mixed.singlepart(
                Attachment::new(file.filename.clone())
                    .body(file.content.clone(), ContentType::parse(&file.content_type)?),
            );
        }
        builder.multipart(mixed)?
    };
    if let Some(dkim) = &config.dkim {
        dkim.sign(&mut message);
    }
    Ok(message)
}

/// Pause before attempt `n + 1`: 30 s, 1, 2, 4 … minutes, at most an hour.
fn backoff_seconds(attempts: i32) -> i64 {
    (30_i64 << attempts.clamp(0, 7)).min(3600)
}

/// What one round of the worker came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Round {
    /// Nothing was due.
    Idle,
    /// A message was handled (sent, failed, or found to be no longer ours).
    Handled,
    /// The relay failed; the message keeps its place.
    RelayDown,
}

/// Claims the next due message, if any, and delivers it.
pub async fn deliver_next(
    db: &PgPool,
    config: &Config,
    smtp: &mut Smtp,
    owner: &str,
) -> anyhow::Result<Round> {
    let lease_length = Duration::from_secs(u64::from(config.newsletter_lease_secs));
    let claiming = Instant::now();
    let claimed = sqlx::query_as!(
        Queued,
        r#"UPDATE outbox SET claimed_by = $1, claimed_at = now()
           WHERE id = (SELECT id FROM outbox WHERE status = $3 AND next_attempt_at <= now()
                         AND (claimed_at IS NULL OR claimed_at < now() - make_interval(secs => $2))
                       ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
           RETURNING id, to_address, subject, text_body, html_body, message_id, reply_to, attempts,
                     EXISTS (SELECT 1 FROM outbox_attachments a WHERE a.outbox_id = outbox.id)
                       AS "has_attachments!""#,
        owner,
        f64::from(config.newsletter_lease_secs),
        OutboxStatus::Wachtend as OutboxStatus,
    )
    .fetch_optional(db)
    .await?;
    let Some(mail) = claimed else { return Ok(Round::Idle) };
    let lease = Lease::start(
        db.clone(),
        |db, owner| async move {
            sqlx::query!(
                "UPDATE outbox SET claimed_at = now() WHERE status = $2 AND claimed_by = $1",
                owner,
                OutboxStatus::Wachtend as OutboxStatus,
            )
            .execute(&db)
            .await
            .map(drop)
        },
        owner.to_owned(),
        lease_length,
        claiming,
    );
    let files = if mail.has_attachments { attachments(db, mail.id).await? } else { Vec::new() };
    let begun = match build(config, &mail, &files) {
        Ok(message) => smtp.begin(message).await,
        Err(e) => Err(Failure { permanent: true, relay: false, text: e.to_string() }),
    };
    if begun.is_ok() && !lease.holds() {
        // Renewals failed for a while: make sure nobody took the message over before the dot.
        let still_ours = sqlx::query_scalar!(
            "UPDATE outbox SET claimed_at = now() WHERE id = $1 AND claimed_by = $2 AND status = $3 \
             RETURNING id",
            mail.id,
            owner,
            OutboxStatus::Wachtend as OutboxStatus,
        )
        .fetch_optional(db)
        .await;
        if !matches!(still_ours, Ok(Some(_))) {
            smtp.abandon();
            still_ours?;
            tracing::warn!(outbox_id = mail.id, "claim taken over by another sender; not sent");
            return Ok(Round::Handled);
        }
    }
    let outcome = match begun {
        Ok(()) => smtp.finish().await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(()) => {
            let marked = lease::mark_until_written(|| async {
                sqlx::query!(
                    "UPDATE outbox SET status = $3, sent_at = now(), attempts = attempts + 1, last_error = '' \
                     WHERE id = $1 AND claimed_by = $2 AND status = $4",
                    mail.id,
                    owner,
                    OutboxStatus::Verzonden as OutboxStatus,
                    OutboxStatus::Wachtend as OutboxStatus,
                )
                .execute(db)
                .await
                .map(|r| r.rows_affected())
            })
            .await?;
            if marked == 0 {
                tracing::warn!(outbox_id = mail.id, "sent, but the claim had been taken over meanwhile");
            }
            Ok(Round::Handled)
        }
        Err(failure) => {
            tracing::warn!(outbox_id = mail.id, permanent = failure.permanent, relay = failure.relay,
                error = %failure.text, "mail not delivered");
            // A relay failure says nothing about this message: it stays due, and the worker
            // pauses instead.
            sqlx::query!(
                "UPDATE outbox SET attempts = attempts + 1, last_error = $3, claimed_by = NULL, claimed_at = NULL, \
                 first_failed_at = coalesce(first_failed_at, now()), \
                 status = CASE WHEN $4 OR coalesce(first_failed_at, now()) < now() - interval '3 days' \
                               THEN $7 ELSE $8 END, \
                 next_attempt_at = now() + make_interval(secs => CASE WHEN $6 THEN 0 ELSE $5 END) \
                 WHERE id = $1 AND claimed_by = $2 AND status = $8",
                mail.id,
                owner,
                failure.text.chars().take(500).collect::<String>(),
                failure.permanent,
                backoff_seconds(mail.attempts + 1) as f64,
                failure.relay,
                OutboxStatus::Mislukt as OutboxStatus,
                OutboxStatus::Wachtend as OutboxStatus,
            )
            .execute(db)
            .await?;
            Ok(if failure.relay { Round::RelayDown } else { Round::Handled })
        }
    }
}

/// Runs until `stop` turns true. Also sweeps expired sessions and old rate-limit windows.
pub async fn run(db: PgPool, config: Config, mut stop: watch::Receiver<bool>) {
    let mut smtp = match Smtp::from_config(&config) {
        Ok(smtp) => smtp,
        Err(err) => {
            tracing::error!(%err, "mail worker not started");
            None
        }
    };
    let owner = format!("outbox-{}", crate::tokens::random_hex(6));
    let mut relay_pause = Duration::ZERO;
    let mut sweep = tokio::time::interval(Duration::from_secs(300));
    loop {
        let mut pause = POLL;
        if let Some(smtp) = &mut smtp {
            match deliver_next(&db, &config, smtp, &owner).await {
                Ok(Round::Handled) => {
                    relay_pause = Duration::ZERO;
                    pause = Duration::ZERO;
                }
                Ok(Round::Idle) => smtp.close(),
                Ok(Round::RelayDown) => {
                    relay_pause = (relay_pause * 2).clamp(Duration::from_secs(1), RELAY_PAUSE_MAX);
                    pause = relay_pause;
                }
                Err(err) => tracing::error!(%err, "mail worker"),
            }
        }
        tokio::select! {
            _ = stop.changed() => break,
            _ = sweep.tick() => {
                let _ = sqlx::query!("DELETE FROM sessions WHERE expires_at < now()").execute(&db).await;
                let _ = sqlx::query!("DELETE FROM rate_limits WHERE window_start < now() - interval '1 day'").execute(&db).await;
                // Unconfirmed newsletter sign-ups are kept 30 days at most (see /privacy).
                let _ = sqlx::query!(
                    "DELETE FROM subscribers WHERE status = $1 AND confirmed_at IS NULL \
                     AND coalesce(confirm_sent_at, created_at) < now() - interval '30 days' \
                     AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.subscriber_id = subscribers.id)",
                    SubscriberStatus::Onbevestigd as SubscriberStatus,
                )
                .execute(&db)
                .await;
            }
            _ = tokio::time::sleep(pause) => {}
        }
        if *stop.borrow() {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::backoff_seconds;

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff_seconds(0), 30);
        assert_eq!(backoff_seconds(1), 60);
        assert_eq!(backoff_seconds(3), 240);
        assert_eq!(backoff_seconds(20), 3600);
    }
}
