//! Sending a campaign so that every confirmed subscriber gets it exactly once.
//!
//! Starting a campaign writes one `deliveries` row per (campaign, subscriber) in the same
//! transaction that marks it `bezig`. Each app instance's sender then repeats:
//!
//! 1. claim a small batch of waiting rows with `FOR UPDATE SKIP LOCKED`, stamping them with
//!    this instance's id (two instances never claim the same row); a `Lease` renews the claims
//!    while the instance lives, however slowly the SMTP server answers;
//! 2. for each row, in turn: send the message except its final dot; make sure the row is
//!    still ours (the lease proves it, or the row is asked under our id); send the dot; and
//!    mark the row `verzonden` under our id, retrying the mark while PostgreSQL is away. The
//!    next message is put on the wire while that UPDATE runs, but its final dot waits for it.
//!
//! A crash leaves claimed rows `bezig`; after `NEWSLETTER_LEASE_SECS` any instance puts them
//! back to `wachtend`. Rows that were claimed but not yet sent are then sent (nobody is
//! skipped). The only message that can arrive twice is the one that was between the SMTP
//! server's "250 OK" and our UPDATE when the process died (or the connection broke before
//! the 250 arrived): one message per connection and crash. Its Message-ID is derived from
//! (campaign, subscriber), so the copy is recognisable downstream as the same message.
//!
//! Temporary failures are retried for three days with growing pauses; when the relay itself
//! fails, the sender hands its batch back and pauses. A campaign that makes no progress for a
//! quarter of an hour is marked stalled, and its coordinator is mailed once.

use std::time::{Duration, Instant};

use lettre::Message;
use lettre::message::header::{ContentTransferEncoding, ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use sqlx::PgPool;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::content::{self, Prepared};
use super::{CampaignStatus, DeliveryStatus, SubscriberStatus};
use crate::config::Config;
use crate::mail;
use crate::mail::lease::{self, Lease};
use crate::mail::smtp::{Failure, Smtp};
use crate::web::auth::Role;

const BATCH: i64 = 50;
/// How long temporary failures are retried, counted from the first (as mail servers do).
const RETRY_FOR_DAYS: i32 = 3;
/// Hard bounces after which a subscriber is marked `gebounced` and skipped from then on.
const HARD_BOUNCE_LIMIT: i32 = 2;

/// Starts (or resumes) a campaign: creates the missing delivery rows and marks it `bezig`.
/// Returns the number of recipients. Subscribers with no topics get everything; otherwise a
/// campaign with topics goes to those who chose at least one of them.
pub async fn start(db: &PgPool, campaign_id: i64) -> sqlx::Result<i64> {
    let mut tx = db.begin().await?;
    let topics = sqlx::query_scalar!(
        "UPDATE campaigns SET status = $2, started_at = coalesce(started_at, now()), updated_at = now() \
         WHERE id = $1 AND status = ANY($3) RETURNING topics",
        campaign_id,
        CampaignStatus::Bezig as CampaignStatus,
        STARTABLE as &[CampaignStatus],
    )
    .fetch_optional(&mut *tx)
    .await?;
    if topics.is_none() {
        tx.rollback().await?;
        return Ok(0);
    }
    let created = sqlx::query!(
        "INSERT INTO deliveries (campaign_id, subscriber_id) \
         SELECT c.id, s.id FROM campaigns c JOIN subscribers s ON s.status = $2 \
           AND (cardinality(c.topics) = 0 OR cardinality(s.topics) = 0 OR s.topics && c.topics) \
         WHERE c.id = $1 ON CONFLICT (campaign_id, subscriber_id) DO NOTHING",
        campaign_id,
        SubscriberStatus::Actief as SubscriberStatus,
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let total = sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM deliveries WHERE campaign_id = $1"#,
        campaign_id
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    if created >= ANALYZE_AFTER {
        // Until autovacuum gets to it, the planner would plan the claims for the table as it
        // was before these rows (measured: 480 instead of 1,300 messages a second for the
        // first 35,000 of 100,000). A sample of the new rows fixes that at once.
        sqlx::query!("ANALYZE deliveries").execute(db).await?;
    }
    Ok(total)
}

/// Delivery rows created at once from which `start` refreshes the planner's statistics.
const ANALYZE_AFTER: u64 = 1_000;

/// The statuses `start` starts (or resumes) a campaign from.
const STARTABLE: &[CampaignStatus] =
    &[CampaignStatus::Concept, CampaignStatus::Gepland, CampaignStatus::Gepauzeerd];
/// Deliveries not yet done with: waiting, or claimed by a sender.
const UNFINISHED: &[DeliveryStatus] = &[DeliveryStatus::Wachtend, DeliveryStatus::Bezig];
/// The roles that are mailed about a stalled campaign.
const COORDINATING: &[Role] = &[Role::Coordinator, Role::Beheerder];

struct Claimed {
    id: i64,
    campaign_id: i64,
    subscriber_id: i64,
    attempts: i32,
    email: String,
    link_token: String,
    subscriber_status: SubscriberStatus,
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
        // Only the https form: a mailto would need a mailbox that is read and processed.
        format!("<{unsubscribe}>"),
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

/// Starts the scheduled campaigns whose moment has come (any instance may; `start` lets only
/// one of them change the status).
pub async fn start_due_campaigns(db: &PgPool) -> sqlx::Result<()> {
    let due = sqlx::query_scalar!(
        "SELECT id FROM campaigns WHERE status = $1 AND scheduled_at <= now()",
        CampaignStatus::Gepland as CampaignStatus,
    )
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
    let result = sqlx::query!(
        "UPDATE deliveries SET status = $2, claimed_at = NULL, claimed_by = NULL \
         WHERE status = $3 AND claimed_at < now() - make_interval(secs => $1)",
        lease_secs as f64,
        DeliveryStatus::Wachtend as DeliveryStatus,
        DeliveryStatus::Bezig as DeliveryStatus,
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected())
}

/// Marks campaigns without waiting or claimed deliveries as sent.
async fn finish_done_campaigns(db: &PgPool) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE campaigns c SET status = $1, finished_at = now(), updated_at = now() \
         WHERE c.status = $2 AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.campaign_id = c.id \
           AND d.status = ANY($3))",
        CampaignStatus::Verzonden as CampaignStatus,
        CampaignStatus::Bezig as CampaignStatus,
        UNFINISHED as &[DeliveryStatus],
    )
    .execute(db)
    .await?;
    Ok(())
}

/// What one round of a sender came to.
#[derive(Debug, Default)]
pub struct Round {
    /// Rows claimed (0: nothing to do).
    pub handled: usize,
    /// The relay failed (unreachable, silent, connection lost): the rest of the batch was
    /// handed back, and the sender pauses before it tries again.
    pub relay_down: bool,
}

/// One round: claim a batch and deliver it, one message at a time.
/// `after` is where the previous claim ended: only a hint for where to look first (see
/// `claim`), never a reason to leave a row unsent.
pub async fn deliver_batch(
    db: &PgPool,
    config: &Config,
    smtp: &mut Smtp,
    instance: &str,
    pace: &mut Pace,
    after: &mut i64,
) -> anyhow::Result<Round> {
    let claiming = tokio::time::Instant::now();
    let mut claimed = claim(db, instance, *after).await?;
    if claimed.is_empty() && *after > 0 {
        // Rows put back (retries, expired claims of a crashed instance) may lie before it.
        claimed = claim(db, instance, 0).await?;
    }
    if claimed.is_empty() {
        *after = 0;
        finish_done_campaigns(db).await?;
        return Ok(Round::default());
    }
    *after = claimed.iter().map(|c| c.id).max().unwrap_or(0);
    // While this instance lives, its claims stay fresh however slowly the SMTP server answers;
    // when it dies, the renewing dies with it and the lease runs out for another instance.
    let lease = Lease::start(
        db.clone(),
        |db, owner| async move {
            sqlx::query!(
                "UPDATE deliveries SET claimed_at = now() WHERE status = $2 AND claimed_by = $1",
                owner,
                DeliveryStatus::Bezig as DeliveryStatus,
            )
            .execute(&db)
            .await
            .map(drop)
        },
        instance.to_owned(),
        Duration::from_secs(u64::from(config.newsletter_lease_secs)),
        claiming,
    );
    // The UPDATE marking the previous message sent, running while the next one goes out. It
    // is waited for on every way out, errors included, so no later dot can overtake it.
    let mut marking: Option<JoinHandle<sqlx::Result<()>>> = None;
    let sent = send_claimed(db, config, smtp, instance, &lease, pace, &claimed, &mut marking).await;
    let settled = settle(&mut marking).await;
    drop(lease);
    let relay_down = sent?;
    settled?;
    Ok(Round { handled: claimed.len(), relay_down })
}

/// Sends the claimed rows; returns true when it stopped because the relay failed.
#[allow(clippy::too_many_arguments)]
async fn send_claimed(
    db: &PgPool,
    config: &Config,
    smtp: &mut Smtp,
    instance: &str,
    lease: &Lease,
    pace: &mut Pace,
    claimed: &[Claimed],
    marking: &mut Option<JoinHandle<sqlx::Result<()>>>,
) -> anyhow::Result<bool> {
    let mut prepared: Option<Prepared> = None;
    let mut checked_at: Option<Instant> = None;
    for (index, row) in claimed.iter().enumerate() {
        // Campaign paused or cancelled? Checked at most once a second.
        if checked_at.is_none_or(|t| t.elapsed() >= Duration::from_secs(1)) {
            checked_at = Some(Instant::now());
            if super::lifecycle::status(db, row.campaign_id).await? != Some(CampaignStatus::Bezig) {
                // Hand back the rest of the batch (after the last sent row is marked, or it
                // would be handed back too).
                settle(marking).await?;
                hand_back(db, instance, &claimed[index..]).await?;
                break;
            }
        }
        if row.subscriber_status != SubscriberStatus::Actief {
            sqlx::query!(
                "UPDATE deliveries SET status = $3, last_error = 'niet (meer) aangemeld' \
                 WHERE id = $1 AND claimed_by = $2 AND status = $4",
                row.id,
                instance,
                DeliveryStatus::Overgeslagen as DeliveryStatus,
                DeliveryStatus::Bezig as DeliveryStatus,
            )
            .execute(db)
            .await?;
            continue;
        }
        if prepared.as_ref().is_none_or(|p| p.campaign.id != row.campaign_id) {
            let campaign =
                content::load_campaign(db, row.campaign_id).await?.ok_or(sqlx::Error::RowNotFound)?;
            prepared = Some(content::prepare(db, campaign).await?);
        }
        let Some(current) = prepared.as_ref() else { continue };
        pace.wait().await;
        let begun = match build_message(config, current, &row.email, row.subscriber_id, &row.link_token) {
            Ok(message) => smtp.begin(message).await,
            Err(e) => Err(Failure { permanent: true, relay: false, text: e.to_string() }),
        };
        // The final dot only once the previous message is marked: so at most one accepted
        // message is ever unmarked, whatever moment the process dies.
        if let Err(error) = settle(marking).await {
            smtp.abandon();
            return Err(error.into());
        }
        // And only while the row is still ours: when the renewals could not prove it (the
        // database was unreachable for a while), the row itself is asked.
        if begun.is_ok() && !lease.holds() {
            let still_ours = sqlx::query_scalar!(
                "UPDATE deliveries SET claimed_at = now() WHERE id = $1 AND claimed_by = $2 AND status = $3 \
                 RETURNING id",
                row.id,
                instance,
                DeliveryStatus::Bezig as DeliveryStatus,
            )
            .fetch_optional(db)
            .await;
            if !matches!(still_ours, Ok(Some(_))) {
                smtp.abandon();
                still_ours?;
                tracing::warn!(delivery = row.id, "claim taken over by another sender; not sent");
                continue;
            }
        }
        let outcome = match begun {
            Ok(()) => smtp.finish().await,
            Err(e) => Err(e),
        };
        match outcome {
            Ok(()) => {
                let (db, id, instance) = (db.clone(), row.id, instance.to_owned());
                *marking = Some(tokio::spawn(async move {
                    let marked = lease::mark_until_written(|| async {
                        sqlx::query!(
                            "UPDATE deliveries SET status = $3, sent_at = now(), attempts = attempts + 1, \
                             last_error = '' WHERE id = $1 AND claimed_by = $2 AND status = $4",
                            id,
                            &instance,
                            DeliveryStatus::Verzonden as DeliveryStatus,
                            DeliveryStatus::Bezig as DeliveryStatus,
                        )
                        .execute(&db)
                        .await
                        .map(|r| r.rows_affected())
                    })
                    .await?;
                    if marked == 0 {
                        tracing::warn!(delivery = id, "sent, but the row was no longer ours to mark");
                    }
                    Ok(())
                }));
            }
            Err(failure) => {
                record_failure(db, instance, row, &failure).await?;
                if failure.relay {
                    settle(marking).await?;
                    hand_back(db, instance, &claimed[index + 1..]).await?;
                    return Ok(true);
                }
            }
        }
    }
    Ok(false)
}

/// A message that did not go out. Temporary failures are retried with growing pauses (30 s,
/// 1, 2, 4 … minutes, at most an hour) for `RETRY_FOR`; a relay failure keeps the row due
/// at once (the sender pauses instead).
async fn record_failure(db: &PgPool, instance: &str, row: &Claimed, failure: &Failure) -> sqlx::Result<()> {
    let attempts = row.attempts + 1;
    let pause = if failure.relay { 0.0 } else { backoff_seconds(attempts) };
    tracing::warn!(delivery = row.id, attempts, permanent = failure.permanent, relay = failure.relay,
        error = %failure.text, "newsletter not delivered");
    sqlx::query!(
        "UPDATE deliveries SET attempts = $3, last_error = $4, claimed_at = NULL, claimed_by = NULL, \
         first_failed_at = coalesce(first_failed_at, now()), \
         status = CASE WHEN $5 OR coalesce(first_failed_at, now()) < now() - make_interval(days => $7) \
                       THEN $8 ELSE $9 END, \
         next_attempt_at = now() + make_interval(secs => $6) \
         WHERE id = $1 AND claimed_by = $2 AND status = $10",
        row.id,
        instance,
        attempts,
        failure.text.chars().take(500).collect::<String>(),
        failure.permanent,
        pause,
        RETRY_FOR_DAYS,
        DeliveryStatus::Mislukt as DeliveryStatus,
        DeliveryStatus::Wachtend as DeliveryStatus,
        DeliveryStatus::Bezig as DeliveryStatus,
    )
    .execute(db)
    .await?;
    if failure.permanent {
        sqlx::query!(
            "UPDATE subscribers SET hard_bounces = hard_bounces + 1, \
             status = CASE WHEN hard_bounces + 1 >= $2 THEN $3 ELSE status END WHERE id = $1",
            row.subscriber_id,
            HARD_BOUNCE_LIMIT,
            SubscriberStatus::Gebounced as SubscriberStatus,
        )
        .execute(db)
        .await?;
    }
    Ok(())
}

/// Pause before attempt `n + 1` after a temporary failure.
fn backoff_seconds(attempts: i32) -> f64 {
    (30.0 * f64::from(1 << attempts.clamp(0, 7))).min(3600.0)
}

/// Puts claimed rows back for any sender to take.
async fn hand_back(db: &PgPool, instance: &str, rows: &[Claimed]) -> sqlx::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    sqlx::query!(
        "UPDATE deliveries SET status = $3, claimed_at = NULL, claimed_by = NULL \
         WHERE status = $4 AND claimed_by = $1 AND id = ANY($2)",
        instance,
        &rows.iter().map(|c| c.id).collect::<Vec<_>>(),
        DeliveryStatus::Wachtend as DeliveryStatus,
        DeliveryStatus::Bezig as DeliveryStatus,
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Claims up to `BATCH` waiting deliveries with an id above `after`, in id order.
async fn claim(db: &PgPool, instance: &str, after: i64) -> sqlx::Result<Vec<Claimed>> {
    sqlx::query_as!(
        Claimed,
        r#"WITH picked AS (
             SELECT d.id FROM deliveries d JOIN campaigns c ON c.id = d.campaign_id
             WHERE c.status = $4 AND d.status = $5 AND d.next_attempt_at <= now() AND d.id > $3
             ORDER BY d.id LIMIT $1 FOR UPDATE OF d SKIP LOCKED)
           UPDATE deliveries d SET status = $6, claimed_at = now(), claimed_by = $2
           FROM picked, subscribers s WHERE d.id = picked.id AND s.id = d.subscriber_id
           RETURNING d.id, d.campaign_id, d.subscriber_id, d.attempts, s.email, s.link_token,
                     s.status AS "subscriber_status: SubscriberStatus""#,
        BATCH,
        instance,
        after,
        CampaignStatus::Bezig as CampaignStatus,
        DeliveryStatus::Wachtend as DeliveryStatus,
        DeliveryStatus::Bezig as DeliveryStatus,
    )
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

/// A running campaign with deliveries still to go and nothing sent for this long, after
/// failures, is stalled: the back office says so and its coordinator is mailed once.
const STALL_AFTER_MINUTES: i32 = 15;

/// Marks campaigns that stopped making progress as stalled (and those that move again as no
/// longer stalled), and mails the coordinator of each newly stalled one, in one transaction.
pub async fn report_stalled_campaigns(db: &PgPool, config: &Config) -> anyhow::Result<()> {
    sqlx::query!(
        "UPDATE campaigns c SET stalled_at = NULL WHERE c.stalled_at IS NOT NULL AND (c.status <> $1 \
           OR EXISTS (SELECT 1 FROM deliveries d WHERE d.campaign_id = c.id AND d.status = $2 \
                      AND d.sent_at > c.stalled_at))",
        CampaignStatus::Bezig as CampaignStatus,
        DeliveryStatus::Verzonden as DeliveryStatus,
    )
    .execute(db)
    .await?;
    let mut tx = db.begin().await?;
    let stalled = sqlx::query!(
        r#"UPDATE campaigns c SET stalled_at = now()
           WHERE c.status = $2 AND c.stalled_at IS NULL AND c.updated_at < now() - make_interval(mins => $1)
             AND EXISTS (SELECT 1 FROM deliveries d WHERE d.campaign_id = c.id AND d.status = ANY($3)
                         AND d.attempts > 0)
             AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.campaign_id = c.id AND d.status = $4
                             AND d.sent_at > now() - make_interval(mins => $1))
           RETURNING c.id, c.subject, c.created_by,
             (SELECT count(*) FROM deliveries d WHERE d.campaign_id = c.id AND d.status = ANY($3)) AS "waiting!",
             coalesce((SELECT d.last_error FROM deliveries d WHERE d.campaign_id = c.id AND d.status = $5
                       AND d.last_error <> '' ORDER BY d.next_attempt_at DESC LIMIT 1), '') AS "last_error!""#,
        STALL_AFTER_MINUTES,
        CampaignStatus::Bezig as CampaignStatus,
        UNFINISHED as &[DeliveryStatus],
        DeliveryStatus::Verzonden as DeliveryStatus,
        DeliveryStatus::Wachtend as DeliveryStatus,
    )
    .fetch_all(&mut *tx)
    .await?;
    for row in stalled {
        let (id, subject, created_by, waiting, last_error) =
            (row.id, row.subject, row.created_by, row.waiting, row.last_error);
        tracing::warn!(campaign = id, waiting, %last_error, "campaign stalled");
        let coordinators = sqlx::query_scalar!(
            "SELECT email FROM users WHERE active AND role = ANY($2) \
               AND (id = $1 OR NOT EXISTS (SELECT 1 FROM users u WHERE u.id = $1 AND u.active \
                                           AND u.role = ANY($2))) \
             ORDER BY id",
            created_by,
            COORDINATING as &[Role],
        )
        .fetch_all(&mut *tx)
        .await?;
        for to in coordinators {
            let stalled = super::mails::CampaignStalled {
                subject: subject.clone(),
                waiting,
                last_error: last_error.clone(),
                link: config.absolute(&format!("/beheer/nieuwsbrieven/{id}")),
            };
            mail::enqueue(&mut *tx, config, &to, &stalled).await?;
        }
    }
    tx.commit().await?;
    Ok(())
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
    let mut last_stall_check = Instant::now() - Duration::from_secs(3600);
    let mut relay_pause = Duration::ZERO;
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
        if last_stall_check.elapsed() > STALL_CHECK {
            if let Err(err) = report_stalled_campaigns(&db, &config).await {
                tracing::error!(%err, "checking for stalled campaigns");
            }
            last_stall_check = Instant::now();
        }
        let pause = match deliver_batch(&db, &config, &mut smtp, &instance, &mut pace, &mut after).await {
            Ok(round) if round.relay_down => {
                relay_pause = (relay_pause * 2).clamp(Duration::from_secs(1), RELAY_PAUSE_MAX);
                relay_pause
            }
            Ok(round) if round.handled > 0 => {
                relay_pause = Duration::ZERO;
                Duration::ZERO
            }
            Ok(_) => Duration::from_millis(300),
            Err(err) => {
                tracing::error!(%err, "newsletter sender");
                Duration::from_millis(300)
            }
        };
        if !pause.is_zero() {
            tokio::select! {
                _ = stop.changed() => {}
                _ = tokio::time::sleep(pause) => {}
            }
        }
    }
}

/// How often a sender looks for stalled campaigns.
const STALL_CHECK: Duration = Duration::from_secs(30);
/// The longest pause after a relay failure.
const RELAY_PAUSE_MAX: Duration = Duration::from_secs(15);
