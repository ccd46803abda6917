//! Sending a campaign so that every confirmed subscriber gets it exactly once.
//!
//! Starting a campaign writes one `deliveries` row per (campaign, subscriber) in the same
//! transaction that marks it `bezig`. Each app instance's sender then repeats:
//!
//! 1. claim a small batch of waiting rows with `FOR UPDATE SKIP LOCKED`, stamping them with
//!    this instance's id (two instances never claim the same row);
//! 2. for each row, in turn: re-check the claim is still ours, send the message, and mark the
//!    row `verzonden` in its own statement. The next message is put on the wire while that
//!    UPDATE runs, but its final dot (when the SMTP server takes the message) waits for it.
//!
//! A crash leaves claimed rows `bezig`; after `NEWSLETTER_LEASE_SECS` any instance puts them
//! back to `wachtend`. Rows that were claimed but not yet sent are then sent (nobody is
//! skipped). The only message that can arrive twice is the one that was between the SMTP
//! server's "250 OK" and our UPDATE when the process died: one message, one instance, one
//! crash. Its Message-ID is derived from (campaign, subscriber), so the copy is recognisable
//! downstream as the same message.

use std::time::{Duration, Instant};

use lettre::message::header::{ContentTransferEncoding, ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sqlx::PgPool;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::content::{self, CAMPAIGN_COLUMNS, Campaign, Prepared};
use super::smtp;
use crate::config::Config;
use crate::mail;

const BATCH: i64 = 50;
const MAX_ATTEMPTS: i32 = 5;
/// Hard bounces after which a subscriber is marked `gebounced` and skipped from then on.
const HARD_BOUNCE_LIMIT: i32 = 2;

/// Starts (or resumes) a campaign: creates the missing delivery rows and marks it `bezig`.
/// Returns the number of recipients. Subscribers with no topics get everything; otherwise a
/// campaign with topics goes to those who chose at least one of them.
pub async fn start(db: &PgPool, campaign_id: i64) -> sqlx::Result<i64> {
    let mut tx = db.begin().await?;
    let topics: Option<Vec<String>> = sqlx::query_scalar(
        "UPDATE campaigns SET status = 'bezig', started_at = coalesce(started_at, now()), updated_at = now() \
         WHERE id = $1 AND status IN ('concept', 'gepland', 'gepauzeerd') RETURNING topics",
    )
    .bind(campaign_id)
    .fetch_optional(&mut *tx)
    .await?;
    if topics.is_none() {
        tx.rollback().await?;
        return Ok(0);
    }
    let created = sqlx::query(
        "INSERT INTO deliveries (campaign_id, subscriber_id) \
         SELECT c.id, s.id FROM campaigns c JOIN subscribers s ON s.status = 'actief' \
           AND (cardinality(c.topics) = 0 OR cardinality(s.topics) = 0 OR s.topics && c.topics) \
         WHERE c.id = $1 ON CONFLICT (campaign_id, subscriber_id) DO NOTHING",
    )
    .bind(campaign_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM deliveries WHERE campaign_id = $1")
        .bind(campaign_id)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    if created >= ANALYZE_AFTER {
        // Until autovacuum gets to it, the planner would plan the claims for the table as it
        // was before these rows (measured: 480 instead of 1,300 messages a second for the
        // first 35,000 of 100,000). A sample of the new rows fixes that at once.
        sqlx::query("ANALYZE deliveries").execute(db).await?;
    }
    Ok(total)
}

/// Delivery rows created at once from which `start` refreshes the planner's statistics.
const ANALYZE_AFTER: u64 = 1_000;

#[derive(sqlx::FromRow)]
struct Claimed {
    id: i64,
    campaign_id: i64,
    subscriber_id: i64,
    attempts: i32,
    email: String,
    link_token: String,
    subscriber_status: String,
}

/// `<campaign-7.subscriber-42@domain>`: the same for every attempt at the same delivery.
pub fn message_id(config: &Config, campaign_id: i64, subscriber_id: i64) -> String {
    mail::message_id(config, &format!("campaign-{campaign_id}.subscriber-{subscriber_id}"))
}

pub fn build_message(
    config: &Config,
    prepared: &Prepared,
    to: &str,
    subscriber_id: i64,
    link_token: &str,
) -> anyhow::Result<Message> {
    let (text, html) = prepared.render(config, link_token)?;
    let from: Mailbox = config.mail_from.parse()?;
    let domain = config.mail_domain();
    let mut message = Message::builder()
        .from(from)
        .to(to.parse::<Mailbox>()?)
        .subject(prepared.campaign.subject.clone())
        .message_id(Some(message_id(config, prepared.campaign.id, subscriber_id)))
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .header(ContentTransferEncoding::QuotedPrintable)
                        .body(text),
                )
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .header(ContentTransferEncoding::QuotedPrintable)
                        .body(html),
                ),
        )?;
    let unsubscribe = config.absolute(&format!("/nieuwsbrief/afmelden/{link_token}"));
    let headers = message.headers_mut();
    headers.insert_raw(HeaderValue::new(
        HeaderName::new_from_ascii_str("List-Unsubscribe"),
        format!("<{unsubscribe}>, <mailto:afmelden@{domain}?subject=afmelden-{link_token}>"),
    ));
    headers.insert_raw(HeaderValue::new(
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
        "List-Unsubscribe=One-Click".to_owned(),
    ));
    headers.insert_raw(HeaderValue::new(
        HeaderName::new_from_ascii_str("List-Id"),
        format!("Brede Blik nieuwsbrief <nieuwsbrief.{domain}>"),
    ));
    // Signed last, so the signature covers the List-* headers.
    if let Some(dkim) = &config.dkim {
        dkim.sign(&mut message);
    }
    Ok(message)
}

/// How the sender talks SMTP. Plain `smtp://` uses the small client in `smtp.rs`, which can
/// hold back a message's final dot (see there); TLS connections (`smtps://`, STARTTLS) use
/// lettre's pooled transport and send the whole message at the dot.
pub enum Smtp {
    Plain { address: String, helo: String, connection: Option<Box<smtp::Connection>> },
    Pooled { transport: AsyncSmtpTransport<Tokio1Executor>, pending: Option<Message> },
}

impl Smtp {
    pub fn from_config(config: &Config) -> anyhow::Result<Option<Smtp>> {
        let Some(url) = &config.smtp_url else { return Ok(None) };
        let plain = url.scheme() == "smtp"
            && !url.query().unwrap_or_default().contains("tls")
            && url.username().is_empty();
        if plain {
            let host = url.host_str().unwrap_or("localhost");
            let address = format!("{host}:{}", url.port().unwrap_or(25));
            let helo = config.mail_domain();
            return Ok(Some(Smtp::Plain { address, helo, connection: None }));
        }
        Ok(mail::worker::transport(config)?.map(|transport| Smtp::Pooled { transport, pending: None }))
    }

    /// Everything of `message` except the final dot; `Err((permanent, text))` on failure.
    pub async fn begin(&mut self, message: Message) -> Result<(), (bool, String)> {
        match self {
            Smtp::Pooled { pending, .. } => {
                *pending = Some(message);
                Ok(())
            }
            Smtp::Plain { address, helo, connection } => {
                let envelope = message.envelope();
                let from = envelope.from().map(|a| a.to_string()).unwrap_or_default();
                let to = envelope.to().first().map(|a| a.to_string()).unwrap_or_default();
                let content = message.formatted();
                // One reconnect when a kept connection turns out to be closed.
                for attempt in 0..2 {
                    if connection.is_none() {
                        match smtp::Connection::connect(address, helo).await {
                            Ok(fresh) => *connection = Some(Box::new(fresh)),
                            Err(e) if attempt == 0 => {
                                tracing::warn!(error = %e.text, "SMTP connect failed, retrying");
                                continue;
                            }
                            Err(e) => return Err((false, e.text)),
                        }
                    }
                    let Some(open) = connection.as_mut() else { continue };
                    match open.begin(&from, &to, &content).await {
                        Ok(()) => return Ok(()),
                        Err(e) if e.connection_usable => return Err((e.permanent, e.text)),
                        Err(e) => {
                            *connection = None;
                            if attempt == 1 {
                                return Err((false, e.text));
                            }
                        }
                    }
                }
                Err((false, "SMTP connection failed".into()))
            }
        }
    }

    /// The final dot of the message begun: from here on it is delivered.
    pub async fn finish(&mut self) -> Result<(), (bool, String)> {
        match self {
            Smtp::Pooled { transport, pending } => {
                let Some(message) = pending.take() else { return Err((false, "no message begun".into())) };
                transport.send(message).await.map(|_| ()).map_err(|e| (e.is_permanent(), e.to_string()))
            }
            Smtp::Plain { connection, .. } => {
                let Some(open) = connection.as_mut() else { return Err((false, "no message begun".into())) };
                open.finish().await.map_err(|e| {
                    if !e.connection_usable {
                        *connection = None;
                    }
                    (e.permanent, e.text)
                })
            }
        }
    }

    /// Gives up the message begun without its dot, so the server never accepts it.
    fn abandon(&mut self) {
        match self {
            Smtp::Pooled { pending, .. } => *pending = None,
            Smtp::Plain { connection, .. } => *connection = None,
        }
    }
}

/// Starts the scheduled campaigns whose moment has come (any instance may; `start` lets only
/// one of them change the status).
pub async fn start_due_campaigns(db: &PgPool) -> sqlx::Result<()> {
    let due: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM campaigns WHERE status = 'gepland' AND scheduled_at <= now()")
            .fetch_all(db)
            .await?;
    for id in due {
        let recipients = start(db, id).await?;
        tracing::info!(campaign = id, recipients, "scheduled campaign started");
    }
    Ok(())
}

/// Puts deliveries back whose claim has expired (their instance died).
pub async fn release_expired_claims(db: &PgPool, lease_secs: u32) -> sqlx::Result<u64> {
    let result = sqlx::query(
        "UPDATE deliveries SET status = 'wachtend', claimed_at = NULL, claimed_by = NULL \
         WHERE status = 'bezig' AND claimed_at < now() - make_interval(secs => $1)",
    )
    .bind(lease_secs as f64)
    .execute(db)
    .await?;
    Ok(result.rows_affected())
}

/// Marks campaigns without waiting or claimed deliveries as sent.
async fn finish_done_campaigns(db: &PgPool) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE campaigns c SET status = 'verzonden', finished_at = now(), updated_at = now() \
         WHERE c.status = 'bezig' AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.campaign_id = c.id \
           AND d.status IN ('wachtend', 'bezig'))",
    )
    .execute(db)
    .await?;
    Ok(())
}

/// One round: claim a batch and deliver it, one message at a time. Returns how many rows
/// were handled (0: nothing to do).
/// `after` is where the previous claim ended: only a hint for where to look first (see
/// `claim`), never a reason to leave a row unsent.
pub async fn deliver_batch(
    db: &PgPool,
    config: &Config,
    smtp: &mut Smtp,
    instance: &str,
    pace: &mut Pace,
    after: &mut i64,
) -> anyhow::Result<usize> {
    let mut claimed = claim(db, instance, *after).await?;
    if claimed.is_empty() && *after > 0 {
        // Rows put back (retries, expired claims of a crashed instance) may lie before it.
        claimed = claim(db, instance, 0).await?;
    }
    if claimed.is_empty() {
        *after = 0;
        finish_done_campaigns(db).await?;
        return Ok(0);
    }
    *after = claimed.iter().map(|c| c.id).max().unwrap_or(0);
    // The UPDATE marking the previous message sent, running while the next one goes out. It
    // is waited for on every way out, errors included, so no later dot can overtake it.
    let mut marking: Option<JoinHandle<sqlx::Result<()>>> = None;
    let sent = send_claimed(db, config, smtp, instance, pace, &claimed, &mut marking).await;
    let settled = settle(&mut marking).await;
    sent?;
    settled?;
    Ok(claimed.len())
}

async fn send_claimed(
    db: &PgPool,
    config: &Config,
    smtp: &mut Smtp,
    instance: &str,
    pace: &mut Pace,
    claimed: &[Claimed],
    marking: &mut Option<JoinHandle<sqlx::Result<()>>>,
) -> anyhow::Result<()> {
    let mut prepared: Option<Prepared> = None;
    let claimed_at = Instant::now();
    let safe_for = Duration::from_secs(u64::from(config.newsletter_lease_secs)) / 2;
    let mut checked_at: Option<Instant> = None;
    for row in claimed {
        // Still ours and the campaign still running? Nobody can take over a claim before its
        // lease expires, so within half the lease a check once a second (for pause and
        // cancel) is enough; after that, every row is checked (and its lease renewed).
        let must_check = claimed_at.elapsed() >= safe_for
            || checked_at.is_none_or(|t| t.elapsed() >= Duration::from_secs(1));
        if must_check {
            checked_at = Some(Instant::now());
            let still_ours: Option<String> = sqlx::query_scalar(
                "UPDATE deliveries d SET claimed_at = now() FROM campaigns c \
                 WHERE d.id = $1 AND d.status = 'bezig' AND d.claimed_by = $2 AND c.id = d.campaign_id \
                 RETURNING c.status",
            )
            .bind(row.id)
            .bind(instance)
            .fetch_optional(db)
            .await?;
            match still_ours.as_deref() {
                None => continue,
                Some("bezig") => {}
                Some(_) => {
                    // Paused or cancelled: hand back the rest of the batch (after the last
                    // sent row is marked, or it would be handed back too).
                    settle(marking).await?;
                    sqlx::query(
                        "UPDATE deliveries SET status = 'wachtend', claimed_at = NULL, claimed_by = NULL \
                         WHERE status = 'bezig' AND claimed_by = $1 AND id = ANY($2)",
                    )
                    .bind(instance)
                    .bind(claimed.iter().map(|c| c.id).collect::<Vec<_>>())
                    .execute(db)
                    .await?;
                    break;
                }
            }
        }
        if row.subscriber_status != "actief" {
            sqlx::query("UPDATE deliveries SET status = 'overgeslagen', last_error = 'niet (meer) aangemeld' WHERE id = $1")
                .bind(row.id)
                .execute(db)
                .await?;
            continue;
        }
        if prepared.as_ref().is_none_or(|p| p.campaign.id != row.campaign_id) {
            let campaign: Campaign = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE id = $1"
            )))
            .bind(row.campaign_id)
            .fetch_one(db)
            .await?;
            prepared = Some(content::prepare(db, campaign).await?);
        }
        let Some(current) = prepared.as_ref() else { continue };
        pace.wait().await;
        let begun = match build_message(config, current, &row.email, row.subscriber_id, &row.link_token) {
            Ok(message) => smtp.begin(message).await,
            Err(e) => Err((true, e.to_string())),
        };
        // The final dot only once the previous message is marked: so at most one accepted
        // message is ever unmarked, whatever moment the process dies.
        if let Err(error) = settle(marking).await {
            smtp.abandon();
            return Err(error.into());
        }
        let outcome = match begun {
            Ok(()) => smtp.finish().await,
            Err(e) => Err(e),
        };
        match outcome {
            Ok(()) => {
                let (db, id) = (db.clone(), row.id);
                *marking = Some(tokio::spawn(async move {
                    sqlx::query(
                        "UPDATE deliveries SET status = 'verzonden', sent_at = now(), attempts = attempts + 1, \
                         last_error = '' WHERE id = $1",
                    )
                    .bind(id)
                    .execute(&db)
                    .await
                    .map(|_| ())
                }));
            }
            Err((permanent, error)) => {
                let attempts = row.attempts + 1;
                let failed = permanent || attempts >= MAX_ATTEMPTS;
                sqlx::query(
                    "UPDATE deliveries SET attempts = $2, last_error = $3, claimed_at = NULL, claimed_by = NULL, \
                     status = CASE WHEN $4 THEN 'mislukt' ELSE 'wachtend' END, \
                     next_attempt_at = now() + make_interval(secs => $5) WHERE id = $1",
                )
                .bind(row.id)
                .bind(attempts)
                .bind(error.chars().take(500).collect::<String>())
                .bind(failed)
                .bind(30.0 * f64::from(1 << attempts.min(6)))
                .execute(db)
                .await?;
                if permanent {
                    sqlx::query(
                        "UPDATE subscribers SET hard_bounces = hard_bounces + 1, \
                         status = CASE WHEN hard_bounces + 1 >= $2 THEN 'gebounced' ELSE status END WHERE id = $1",
                    )
                    .bind(row.subscriber_id)
                    .bind(HARD_BOUNCE_LIMIT)
                    .execute(db)
                    .await?;
                }
            }
        }
    }
    Ok(())
}

/// Claims up to `BATCH` waiting deliveries with an id above `after`, in id order.
async fn claim(db: &PgPool, instance: &str, after: i64) -> sqlx::Result<Vec<Claimed>> {
    sqlx::query_as(
        "WITH picked AS ( \
           SELECT d.id FROM deliveries d JOIN campaigns c ON c.id = d.campaign_id \
           WHERE c.status = 'bezig' AND d.status = 'wachtend' AND d.next_attempt_at <= now() AND d.id > $3 \
           ORDER BY d.id LIMIT $1 FOR UPDATE OF d SKIP LOCKED) \
         UPDATE deliveries d SET status = 'bezig', claimed_at = now(), claimed_by = $2 \
         FROM picked, subscribers s WHERE d.id = picked.id AND s.id = d.subscriber_id \
         RETURNING d.id, d.campaign_id, d.subscriber_id, d.attempts, s.email, s.link_token, s.status AS subscriber_status",
    )
    .bind(BATCH)
    .bind(instance)
    .bind(after)
    .fetch_all(db)
    .await
}

/// Waits for the pending mark, if any.
async fn settle(marking: &mut Option<JoinHandle<sqlx::Result<()>>>) -> sqlx::Result<()> {
    match marking.take() {
        Some(handle) => {
            handle.await.map_err(|e| sqlx::Error::Protocol(format!("marking task failed: {e}")))?
        }
        None => Ok(()),
    }
}

/// Keeps sending at most `rate` messages per second (0: no limit).
pub struct Pace {
    interval: Option<Duration>,
    next: Instant,
}

impl Pace {
    pub fn new(rate: u32) -> Self {
        Self {
            interval: (rate > 0).then(|| Duration::from_secs_f64(1.0 / f64::from(rate))),
            next: Instant::now(),
        }
    }

    async fn wait(&mut self) {
        let Some(interval) = self.interval else { return };
        let now = Instant::now();
        if self.next > now {
            tokio::time::sleep(self.next - now).await;
        }
        self.next = self.next.max(now) + interval;
    }
}

/// The sender of one app instance; runs until `stop` turns true.
pub async fn run(db: PgPool, config: Config, mut stop: watch::Receiver<bool>) {
    let mut smtp = match Smtp::from_config(&config) {
        Ok(Some(smtp)) => smtp,
        Ok(None) => return,
        Err(err) => {
            tracing::error!(%err, "newsletter sender not started");
            return;
        }
    };
    let instance = crate::tokens::random_hex(6);
    // The rate is per app instance, shared by its connections.
    let mut pace = Pace::new(config.newsletter_rate.div_ceil(config.newsletter_connections));
    let mut last_release = Instant::now() - Duration::from_secs(3600);
    let mut after = 0;
    loop {
        if *stop.borrow() {
            break;
        }
        if last_release.elapsed() > Duration::from_secs(1) {
            if let Err(err) = release_expired_claims(&db, config.newsletter_lease_secs).await {
                tracing::error!(%err, "releasing expired claims");
            }
            if let Err(err) = start_due_campaigns(&db).await {
                tracing::error!(%err, "starting scheduled campaigns");
            }
            last_release = Instant::now();
        }
        let handled = match deliver_batch(&db, &config, &mut smtp, &instance, &mut pace, &mut after).await {
            Ok(n) => n,
            Err(err) => {
                tracing::error!(%err, "newsletter sender");
                0
            }
        };
        if handled == 0 {
            tokio::select! {
                _ = stop.changed() => {}
                _ = tokio::time::sleep(Duration::from_millis(300)) => {}
            }
        }
    }
}
