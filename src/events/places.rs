//! Places, the waiting list and the mails about them. Every change here runs in the caller's
//! transaction, with its mail in the outbox of the same transaction.
//!
//! The invariant: `events.places_taken` = the registrations that hold a place (bevestigd,
//! aangeboden, aanwezig). A registration takes a place with one conditional UPDATE of the
//! event row (`places_taken < capacity`), which PostgreSQL serialises on that row, so places
//! are never overbooked however many arrive at once. Nobody waits while a place is free: a
//! freed place goes to the first person waiting (as an offer) and only when nobody waits back
//! to the pool.

use sqlx::PgConnection;
use time::OffsetDateTime;

use super::ics::{self, Method};
use super::mails::{Kind, RegistrationMail};
use super::queries::{self, Event};
use super::status::{EventStatus, RegistrationStatus};
use crate::config::Config;
use crate::mail;
use crate::text;
use crate::tokens;

/// How long an offered place waits for its claim, at most; close to the event, half the time
/// that is left (at least a quarter of an hour).
pub const OFFER_HOURS: i32 = 48;

/// The personal link's token: derived from the row's nonce with the site secret, so the same
/// link can be mailed again while the database holds only its hash.
pub fn token(config: &Config, nonce: &str) -> String {
    tokens::sign(&config.secret_key, "event-registration", nonce)
}

/// The length in bytes of a registration token (hex: twice that).
pub const TOKEN_BYTES: usize = 32;

/// A registration as the personal page and the mails need it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Registration {
    pub id: i64,
    pub event_id: i64,
    pub name: String,
    pub email: String,
    pub status: RegistrationStatus,
    pub token_nonce: String,
    pub offer_expires_at: Option<OffsetDateTime>,
}

impl Registration {
    pub fn offer_deadline(&self) -> String {
        self.offer_expires_at.map(text::datetime_nl).unwrap_or_default()
    }
}

/// What a registration form comes to.
pub struct NewRegistration<'a> {
    pub event_id: i64,
    pub user_id: Option<i64>,
    pub name: &'a str,
    pub email: &'a str,
    pub organisation: &'a str,
    pub answers: serde_json::Value,
    pub show_on_list: bool,
}

/// The outcome of [`register`].
pub enum Registered {
    /// A new registration, with a place or on the waiting list.
    New(Registration),
    /// This address already had a live registration for the event (it is mailed its link).
    Existing,
}

pub async fn by_token(db: impl sqlx::PgExecutor<'_>, token: &str) -> sqlx::Result<Option<Registration>> {
    if !tokens::is_well_formed(token, TOKEN_BYTES) {
        return Ok(None);
    }
    sqlx::query_as!(
        Registration,
        r#"SELECT id, event_id, name, email, status AS "status: RegistrationStatus",
                  token_nonce, offer_expires_at
           FROM registrations WHERE token_hash = $1"#,
        tokens::hash(token),
    )
    .fetch_optional(db)
    .await
}

async fn lock(tx: &mut PgConnection, id: i64) -> sqlx::Result<Option<Registration>> {
    sqlx::query_as!(
        Registration,
        r#"SELECT id, event_id, name, email, status AS "status: RegistrationStatus",
                  token_nonce, offer_expires_at
           FROM registrations WHERE id = $1 FOR UPDATE"#,
        id,
    )
    .fetch_optional(&mut *tx)
    .await
}

/// Registers, taking a place if one is free (one atomic step) or joining the waiting list;
/// mails the confirmation (with the invitation) or the waiting-list mail. A second
/// registration of the same address mails the existing link instead and changes nothing.
pub async fn register(
    tx: &mut PgConnection,
    config: &Config,
    event: &Event,
    new: &NewRegistration<'_>,
) -> anyhow::Result<Registered> {
    let nonce = tokens::random_hex(16);
    let token_hash = tokens::hash(&token(config, &nonce));
    // The only unique index a new row can meet is the one live registration per address and
    // event (registrations_event_email_idx), so no conflict target (and no status literal).
    let inserted = sqlx::query_scalar!(
        "INSERT INTO registrations (event_id, user_id, name, email, organisation, answers, show_on_list, status, \
                                    token_nonce, token_hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         ON CONFLICT DO NOTHING RETURNING id",
        new.event_id,
        new.user_id,
        new.name,
        new.email,
        new.organisation,
        new.answers,
        new.show_on_list,
        RegistrationStatus::Wachtlijst as RegistrationStatus,
        nonce,
        token_hash,
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(id) = inserted else {
        let existing = sqlx::query_as!(
            Registration,
            r#"SELECT id, event_id, name, email, status AS "status: RegistrationStatus",
                      token_nonce, offer_expires_at
               FROM registrations WHERE event_id = $1 AND lower(email) = lower($2) AND status <> $3"#,
            new.event_id,
            new.email,
            RegistrationStatus::Geannuleerd as RegistrationStatus,
        )
        .fetch_one(&mut *tx)
        .await?;
        send(tx, config, event, &existing, Kind::ExistingLink, "").await?;
        return Ok(Registered::Existing);
    };
    // The one step that hands out places: the row lock makes every other registration for
    // this event wait here, and each re-reads the count before it may add one.
    let took_place = sqlx::query_scalar!(
        "UPDATE events SET places_taken = places_taken + 1 WHERE id = $1 AND places_taken < capacity RETURNING id",
        new.event_id,
    )
    .fetch_optional(&mut *tx)
    .await?
    .is_some();
    if took_place {
        sqlx::query!(
            "UPDATE registrations SET status = $2 WHERE id = $1",
            id,
            RegistrationStatus::Bevestigd as RegistrationStatus,
        )
        .execute(&mut *tx)
        .await?;
    }
    let registration = lock(tx, id).await?.ok_or_else(|| anyhow::anyhow!("registration {id} vanished"))?;
    let kind = if took_place { Kind::Confirmed } else { Kind::Waiting };
    send(tx, config, event, &registration, kind, "").await?;
    Ok(Registered::New(registration))
}

/// Cancels a registration (from the personal page, or by the organiser); a place it held goes
/// to the first person waiting. `false` if it was already cancelled.
pub async fn cancel(tx: &mut PgConnection, config: &Config, registration_id: i64) -> anyhow::Result<bool> {
    let Some(registration) = lock(tx, registration_id).await? else { return Ok(false) };
    if registration.status == RegistrationStatus::Geannuleerd {
        return Ok(false);
    }
    sqlx::query!(
        "UPDATE registrations SET status = $2, cancelled_at = now(), offer_expires_at = NULL, updated_at = now() \
         WHERE id = $1",
        registration_id,
        RegistrationStatus::Geannuleerd as RegistrationStatus,
    )
    .execute(&mut *tx)
    .await?;
    if registration.status.holds_place() {
        free_place(tx, config, registration.event_id).await?;
    }
    Ok(true)
}

/// Claims an offered place before its deadline; mails the confirmation with the invitation.
pub async fn claim(tx: &mut PgConnection, config: &Config, registration_id: i64) -> anyhow::Result<bool> {
    let claimed = sqlx::query_scalar!(
        "UPDATE registrations SET status = $2, offer_expires_at = NULL, updated_at = now() \
         WHERE id = $1 AND status = $3 AND offer_expires_at > now() RETURNING event_id",
        registration_id,
        RegistrationStatus::Bevestigd as RegistrationStatus,
        RegistrationStatus::Aangeboden as RegistrationStatus,
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(event_id) = claimed else { return Ok(false) };
    let event =
        queries::by_id(&mut *tx, event_id).await?.ok_or_else(|| anyhow::anyhow!("event {event_id}"))?;
    let registration = lock(tx, registration_id).await?.ok_or_else(|| anyhow::anyhow!("registration"))?;
    send(tx, config, &event, &registration, Kind::Confirmed, "").await?;
    Ok(true)
}

/// A place came free: offer it to the first person waiting, or give it back to the pool.
/// Also used when the organiser raises the capacity (`events.places_taken` is then below it).
/// `true` when the place was offered to someone.
pub async fn free_place(tx: &mut PgConnection, config: &Config, event_id: i64) -> anyhow::Result<bool> {
    // The event row first: registrations and other freed places for it wait for this one.
    let event = sqlx::query_scalar!("SELECT id FROM events WHERE id = $1 FOR UPDATE", event_id)
        .fetch_optional(&mut *tx)
        .await?;
    if event.is_none() {
        return Ok(false);
    }
    let offered = sqlx::query_scalar!(
        r#"UPDATE registrations r SET status = $2, offered_at = now(), updated_at = now(),
               offer_expires_at = now() + LEAST(make_interval(hours => $3),
                                                GREATEST((e.starts_at - now()) / 2, interval '15 minutes'))
           FROM events e
           WHERE e.id = r.event_id AND r.id = (
               SELECT w.id FROM registrations w JOIN events we ON we.id = w.event_id
               WHERE w.event_id = $1 AND w.status = $4 AND we.status = $5 AND we.starts_at > now()
               ORDER BY w.created_at, w.id LIMIT 1 FOR UPDATE OF w SKIP LOCKED)
           RETURNING r.id"#,
        event_id,
        RegistrationStatus::Aangeboden as RegistrationStatus,
        OFFER_HOURS,
        RegistrationStatus::Wachtlijst as RegistrationStatus,
        super::EventStatus::Gepubliceerd as super::EventStatus,
    )
    .fetch_optional(&mut *tx)
    .await?;
    match offered {
        Some(id) => {
            let event = queries::by_id(&mut *tx, event_id)
                .await?
                .ok_or_else(|| anyhow::anyhow!("event {event_id}"))?;
            let registration = lock(tx, id).await?.ok_or_else(|| anyhow::anyhow!("registration {id}"))?;
            let deadline = registration.offer_deadline();
            send(tx, config, &event, &registration, Kind::Offer, &deadline).await?;
            Ok(true)
        }
        None => {
            sqlx::query!(
                "UPDATE events SET places_taken = places_taken - 1 WHERE id = $1 AND places_taken > 0",
                event_id
            )
            .execute(&mut *tx)
            .await?;
            Ok(false)
        }
    }
}

/// After the capacity was raised: while places are free and people wait, offer them in turn.
pub async fn open_places(tx: &mut PgConnection, config: &Config, event_id: i64) -> anyhow::Result<()> {
    loop {
        let waiting = sqlx::query_scalar!(
            r#"SELECT EXISTS (SELECT 1 FROM registrations WHERE event_id = $1 AND status = $2) AS "waiting!""#,
            event_id,
            RegistrationStatus::Wachtlijst as RegistrationStatus,
        )
        .fetch_one(&mut *tx)
        .await?;
        if !waiting {
            return Ok(());
        }
        let took = sqlx::query_scalar!(
            "UPDATE events SET places_taken = places_taken + 1 WHERE id = $1 AND places_taken < capacity RETURNING id",
            event_id,
        )
        .fetch_optional(&mut *tx)
        .await?;
        if took.is_none() {
            return Ok(());
        }
        // The place just counted goes to the first person waiting; none may have it (the
        // event is not open): it went back, and so do we.
        if !free_place(tx, config, event_id).await? {
            return Ok(());
        }
    }
}

/// Lets one offer whose claim window passed lapse and passes its place on. Several instances
/// may run this at once: each takes a different lapsed offer (SKIP LOCKED). `true` when one
/// was handled.
pub async fn lapse_one_offer(db: &sqlx::PgPool, config: &Config) -> anyhow::Result<bool> {
    let mut tx = db.begin().await?;
    let lapsed = sqlx::query!(
        "SELECT id, event_id FROM registrations WHERE status = $1 AND offer_expires_at <= now() \
         ORDER BY offer_expires_at, id LIMIT 1 FOR UPDATE SKIP LOCKED",
        RegistrationStatus::Aangeboden as RegistrationStatus,
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(lapsed) = lapsed else { return Ok(false) };
    sqlx::query!(
        "UPDATE registrations SET status = $2, cancelled_at = now(), updated_at = now() WHERE id = $1",
        lapsed.id,
        RegistrationStatus::Geannuleerd as RegistrationStatus,
    )
    .execute(&mut *tx)
    .await?;
    free_place(&mut tx, config, lapsed.event_id).await?;
    tx.commit().await?;
    tracing::info!(registration = lapsed.id, "offered place not claimed in time; passed on");
    Ok(true)
}

/// Sends one due reminder batch: each confirmed person of a published event whose reminder
/// moment has come gets one, marked in the same transaction as its mail, so several
/// instances never send one twice. Returns how many were sent.
pub async fn send_due_reminders(db: &sqlx::PgPool, config: &Config) -> anyhow::Result<usize> {
    let mut tx = db.begin().await?;
    let due = sqlx::query!(
        "UPDATE registrations r SET reminder_sent_at = now() \
         WHERE r.id IN ( \
             SELECT x.id FROM registrations x JOIN events e ON e.id = x.event_id \
             WHERE x.status = $1 AND x.reminder_sent_at IS NULL AND e.status = $2 \
               AND e.starts_at > now() AND e.starts_at - make_interval(hours => e.reminder_hours) <= now() \
             ORDER BY x.id LIMIT 50 FOR UPDATE OF x SKIP LOCKED) \
         RETURNING r.id, r.event_id",
        RegistrationStatus::Bevestigd as RegistrationStatus,
        super::EventStatus::Gepubliceerd as super::EventStatus,
    )
    .fetch_all(&mut *tx)
    .await?;
    for row in &due {
        let event = queries::by_id(&mut *tx, row.event_id).await?.ok_or_else(|| anyhow::anyhow!("event"))?;
        let registration = lock(&mut tx, row.id).await?.ok_or_else(|| anyhow::anyhow!("registration"))?;
        let note = event.reminder_note.clone();
        send(&mut tx, config, &event, &registration, Kind::Reminder, &note).await?;
    }
    tx.commit().await?;
    Ok(due.len())
}

/// The calendar file of one event; `attendee` only for a mail to that person.
pub fn calendar(
    config: &Config,
    event: &Event,
    method: Method,
    attendee: Option<ics::Person<'_>>,
    join_url: bool,
) -> String {
    let page = config.absolute(&format!("/bijeenkomsten/{}", event.slug));
    let mut description = event.summary.clone();
    if join_url && !event.join_url.is_empty() {
        description.push_str(&format!("\n\nDeelnemen online: {}", event.join_url));
    }
    if event.cancelled() && !event.cancel_message.is_empty() {
        description.push_str(&format!("\n\n{}", event.cancel_message));
    }
    description.push_str(&format!("\n\nMeer informatie: {page}"));
    let organizer_email = mail::EmailAddress::parse(&config.mail_from)
        .map(|a| a.to_string())
        .unwrap_or_else(|_| format!("bijeenkomsten@{}", config.mail_domain()));
    let entry = ics::Entry {
        uid: event.uid(&config.mail_domain()),
        sequence: event.sequence,
        stamp: event.updated_at,
        starts_at: event.starts_at,
        ends_at: event.ends_at,
        title: &event.title,
        description,
        location: event.place(),
        url: page,
        cancelled: event.cancelled(),
        organizer: attendee.is_some().then_some(ics::Person {
            name: if event.organiser.is_empty() { "Brede Blik" } else { &event.organiser },
            email: &organizer_email,
        }),
        attendee,
    };
    ics::calendar(method, &event.title, &[entry])
}

/// Puts one mail about `registration` in the outbox, with the calendar file when the kind has
/// one (confirmation and update: an invitation; cancellation: a cancellation).
pub async fn send(
    tx: &mut PgConnection,
    config: &Config,
    event: &Event,
    registration: &Registration,
    kind: Kind,
    extra: &str,
) -> anyhow::Result<()> {
    let link =
        config.absolute(&format!("/bijeenkomsten/aanmelding/{}", token(config, &registration.token_nonce)));
    let has_place = registration.status.holds_place();
    let message = RegistrationMail {
        kind,
        name: registration.name.clone(),
        title: event.title.clone(),
        when: event.when(),
        place: event.place(),
        link,
        event_url: config.absolute(&format!("/bijeenkomsten/{}", event.slug)),
        join_url: if has_place { event.join_url.clone() } else { String::new() },
        extra: extra.to_owned(),
        status: registration.status.label().to_owned(),
    };
    let method = match kind {
        Kind::Confirmed | Kind::Updated => Some(Method::Request),
        Kind::Cancelled => Some(Method::Cancel),
        _ => None,
    };
    match method {
        Some(method) => {
            let attendee = ics::Person { name: &registration.name, email: &registration.email };
            let content = calendar(config, event, method, Some(attendee), has_place);
            let file = mail::Attachment {
                filename: if method == Method::Cancel { "afmelding.ics" } else { "uitnodiging.ics" }.into(),
                content_type: method.content_type(),
                content: content.into_bytes(),
            };
            mail::enqueue_with_attachments(&mut *tx, config, &registration.email, &message, &[file]).await
        }
        None => mail::enqueue(&mut *tx, config, &registration.email, &message).await,
    }
}

/// Moves an event in time or place: the calendar SEQUENCE rises and everyone with a place
/// gets the updated invitation (same UID).
pub async fn reschedule(
    tx: &mut PgConnection,
    config: &Config,
    event_id: i64,
    starts_at: OffsetDateTime,
    ends_at: OffsetDateTime,
    venue: &str,
    address: &str,
) -> anyhow::Result<()> {
    sqlx::query!(
        "UPDATE events SET starts_at = $2, ends_at = $3, venue = $4, address = $5, sequence = sequence + 1, \
                           updated_at = now() WHERE id = $1",
        event_id,
        starts_at,
        ends_at,
        venue,
        address,
    )
    .execute(&mut *tx)
    .await?;
    notify_all(tx, config, event_id, Kind::Updated).await
}

/// Puts event `event_id` on the site: a concept becomes published (and `published_at` is set
/// the first time); any other status stays. Returns the status after.
pub async fn publish(tx: &mut PgConnection, event_id: i64) -> sqlx::Result<EventStatus> {
    sqlx::query_scalar!(
        r#"UPDATE events SET status = CASE WHEN status = $2 THEN $3 ELSE status END,
                  published_at = coalesce(published_at, now())
           WHERE id = $1 RETURNING status AS "status: EventStatus""#,
        event_id,
        EventStatus::Concept as EventStatus,
        EventStatus::Gepubliceerd as EventStatus,
    )
    .fetch_one(&mut *tx)
    .await
}

/// Calls an event off: everyone registered or waiting gets the cancellation (METHOD:CANCEL)
/// with the organiser's message.
pub async fn cancel_event(
    tx: &mut PgConnection,
    config: &Config,
    event_id: i64,
    message: &str,
) -> anyhow::Result<()> {
    sqlx::query!(
        "UPDATE events SET status = $2, cancel_message = $3, sequence = sequence + 1, updated_at = now() WHERE id = $1",
        event_id,
        super::EventStatus::Geannuleerd as super::EventStatus,
        message,
    )
    .execute(&mut *tx)
    .await?;
    notify_all(tx, config, event_id, Kind::Cancelled).await
}

/// Sends `kind` (a change to the whole event) to everyone it concerns: whoever holds a place,
/// and on a cancellation also whoever waits.
async fn notify_all(tx: &mut PgConnection, config: &Config, event_id: i64, kind: Kind) -> anyhow::Result<()> {
    let event =
        queries::by_id(&mut *tx, event_id).await?.ok_or_else(|| anyhow::anyhow!("event {event_id}"))?;
    let everyone = sqlx::query_as!(
        Registration,
        r#"SELECT id, event_id, name, email, status AS "status: RegistrationStatus",
                  token_nonce, offer_expires_at
           FROM registrations WHERE event_id = $1 ORDER BY id"#,
        event_id,
    )
    .fetch_all(&mut *tx)
    .await?;
    let extra = if kind == Kind::Cancelled { event.cancel_message.clone() } else { String::new() };
    let concerned = |status: RegistrationStatus| match status {
        RegistrationStatus::Bevestigd | RegistrationStatus::Aangeboden | RegistrationStatus::Aanwezig => true,
        RegistrationStatus::Wachtlijst => kind == Kind::Cancelled,
        RegistrationStatus::Geannuleerd => false,
    };
    for registration in everyone.iter().filter(|r| concerned(r.status)) {
        send(tx, config, &event, registration, kind, &extra).await?;
    }
    Ok(())
}
