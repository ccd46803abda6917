//! Delivers the outbox. Rows are claimed with `FOR UPDATE SKIP LOCKED` and a lease (a later
//! `next_attempt_at`), so several app instances share the work and a crashed instance's
//! claim simply expires. Temporary SMTP failures are retried with growing pauses; permanent
//! ones (5xx) and the 8th failure mark the row `mislukt`.

use std::time::Duration;

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sqlx::PgPool;
use tokio::sync::watch;

use crate::config::Config;

const BATCH: i64 = 20;
const MAX_ATTEMPTS: i32 = 8;
const POLL: Duration = Duration::from_millis(500);

#[derive(sqlx::FromRow)]
struct Queued {
    id: i64,
    to_address: String,
    subject: String,
    text_body: String,
    html_body: String,
    message_id: String,
    reply_to: Option<String>,
    attempts: i32,
}

pub fn transport(config: &Config) -> anyhow::Result<Option<AsyncSmtpTransport<Tokio1Executor>>> {
    let Some(url) = &config.smtp_url else { return Ok(None) };
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.as_str())
        .map_err(|e| anyhow::anyhow!("SMTP_URL: {e}"))?
        .timeout(Some(Duration::from_secs(20)))
        .build();
    Ok(Some(transport))
}

fn build(config: &Config, mail: &Queued) -> anyhow::Result<Message> {
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
    let mut message = builder
        .subject(mail.subject.clone())
        .message_id(Some(mail.message_id.clone()))
        .multipart(MultiPart::alternative().singlepart(text).singlepart(html))?;
    if let Some(dkim) = &config.dkim {
        dkim.sign(&mut message);
    }
    Ok(message)
}

/// Pause before attempt `n + 1`: 30 s, 1, 2, 4 … minutes, at most an hour.
fn backoff_seconds(attempts: i32) -> i64 {
    (30_i64 << attempts.clamp(0, 7)).min(3600)
}

/// Claims up to a batch of due messages and delivers them; returns how many were handled.
pub async fn deliver_due(
    db: &PgPool,
    config: &Config,
    smtp: &AsyncSmtpTransport<Tokio1Executor>,
) -> anyhow::Result<usize> {
    let claimed: Vec<Queued> = sqlx::query_as(
        "UPDATE outbox SET next_attempt_at = now() + interval '2 minutes' \
         WHERE id IN (SELECT id FROM outbox WHERE status = 'wachtend' AND next_attempt_at <= now() \
                      ORDER BY next_attempt_at, id LIMIT $1 FOR UPDATE SKIP LOCKED) \
         RETURNING id, to_address, subject, text_body, html_body, message_id, reply_to, attempts",
    )
    .bind(BATCH)
    .fetch_all(db)
    .await?;
    for mail in &claimed {
        let outcome = match build(config, mail) {
            Ok(message) => {
                smtp.send(message).await.map(|_| ()).map_err(|e| (e.is_permanent(), e.to_string()))
            }
            Err(e) => Err((true, e.to_string())),
        };
        match outcome {
            Ok(()) => {
                sqlx::query("UPDATE outbox SET status = 'verzonden', sent_at = now(), attempts = attempts + 1, last_error = '' WHERE id = $1")
                    .bind(mail.id)
                    .execute(db)
                    .await?;
            }
            Err((permanent, error)) => {
                let attempts = mail.attempts + 1;
                let give_up = permanent || attempts >= MAX_ATTEMPTS;
                tracing::warn!(outbox_id = mail.id, attempts, permanent, %error, "mail not delivered");
                sqlx::query(
                    "UPDATE outbox SET attempts = $2, last_error = $3, \
                     status = CASE WHEN $4 THEN 'mislukt' ELSE 'wachtend' END, \
                     next_attempt_at = now() + make_interval(secs => $5) WHERE id = $1",
                )
                .bind(mail.id)
                .bind(attempts)
                .bind(error.chars().take(500).collect::<String>())
                .bind(give_up)
                .bind(backoff_seconds(attempts) as f64)
                .execute(db)
                .await?;
            }
        }
    }
    Ok(claimed.len())
}

/// Runs until `stop` turns true. Also sweeps expired sessions and old rate-limit windows.
pub async fn run(db: PgPool, config: Config, mut stop: watch::Receiver<bool>) {
    let smtp = match transport(&config) {
        Ok(smtp) => smtp,
        Err(err) => {
            tracing::error!(%err, "mail worker not started");
            None
        }
    };
    let mut sweep = tokio::time::interval(Duration::from_secs(300));
    loop {
        let mut handled = 0;
        if let Some(smtp) = &smtp {
            match deliver_due(&db, &config, smtp).await {
                Ok(n) => handled = n,
                Err(err) => tracing::error!(%err, "mail worker"),
            }
        }
        let pause = if handled > 0 { Duration::ZERO } else { POLL };
        tokio::select! {
            _ = stop.changed() => break,
            _ = sweep.tick() => {
                let _ = sqlx::query("DELETE FROM sessions WHERE expires_at < now()").execute(&db).await;
                let _ = sqlx::query("DELETE FROM rate_limits WHERE window_start < now() - interval '1 day'").execute(&db).await;
                // Unconfirmed newsletter sign-ups are kept 30 days at most (see /privacy).
                let _ = sqlx::query(
                    "DELETE FROM subscribers WHERE status = 'onbevestigd' AND confirmed_at IS NULL \
                     AND coalesce(confirm_sent_at, created_at) < now() - interval '30 days' \
                     AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.subscriber_id = subscribers.id)",
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
