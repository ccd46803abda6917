//! The events' queries that more than one page uses: lists with filters, one event, its terms,
//! questions and shown participants. Registration changes live in `places`.

use sqlx::PgPool;
use time::OffsetDateTime;

use super::status::{EventForm, EventStatus, QuestionKind, RegistrationStatus};
use crate::catalogue::InitiativeStatus;
use crate::linked::linked;
use crate::taxonomy::Term;
use crate::text;

/// An event in a list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventCard {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
    pub form: EventForm,
    pub venue: String,
    pub status: EventStatus,
}

impl EventCard {
    pub fn when(&self) -> String {
        when_nl(self.starts_at, self.ends_at)
    }
    pub fn iso_start(&self) -> String {
        iso(self.starts_at)
    }
    pub fn cancelled(&self) -> bool {
        self.status == EventStatus::Geannuleerd
    }
    pub fn place(&self) -> String {
        place_line(self.form, &self.venue)
    }
}

/// One event with everything its page and its calendar file show.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Event {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub programme_md: String,
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
    pub form: EventForm,
    pub venue: String,
    pub address: String,
    pub join_url: String,
    pub organiser: String,
    pub level: Option<String>,
    pub capacity: i32,
    pub places_taken: i32,
    pub registration_deadline: Option<OffsetDateTime>,
    pub reminder_hours: i32,
    pub reminder_note: String,
    pub status: EventStatus,
    pub sequence: i32,
    pub cancel_message: String,
    pub report_md: String,
    pub report_image_id: Option<i64>,
    pub report_image_alt: String,
    pub updated_at: OffsetDateTime,
}

impl Event {
    pub fn when(&self) -> String {
        when_nl(self.starts_at, self.ends_at)
    }
    pub fn iso_start(&self) -> String {
        iso(self.starts_at)
    }
    pub fn places_left(&self) -> i32 {
        (self.capacity - self.places_taken).max(0)
    }
    pub fn cancelled(&self) -> bool {
        self.status == EventStatus::Geannuleerd
    }
    pub fn is_past(&self) -> bool {
        self.ends_at <= OffsetDateTime::now_utc()
    }
    /// Why registering is closed, if it is.
    pub fn closed_reason(&self) -> Option<&'static str> {
        let now = OffsetDateTime::now_utc();
        if self.status == EventStatus::Geannuleerd {
            Some("Deze bijeenkomst gaat niet door; aanmelden kan niet meer.")
        } else if self.status != EventStatus::Gepubliceerd {
            Some("Aanmelden voor deze bijeenkomst is nog niet geopend.")
        } else if self.starts_at <= now {
            Some("Deze bijeenkomst is al begonnen of voorbij; aanmelden kan niet meer.")
        } else if self.registration_deadline.is_some_and(|d| d <= now) {
            Some("De aanmeldtermijn voor deze bijeenkomst is verlopen.")
        } else {
            None
        }
    }
    pub fn deadline(&self) -> Option<String> {
        self.registration_deadline.map(text::datetime_nl)
    }
    /// "Locatie, adres" or "Online"; never the join link.
    pub fn place(&self) -> String {
        let place = place_line(self.form, &self.venue);
        if self.address.is_empty() { place } else { format!("{place}, {}", self.address) }
    }
    /// The calendar UID: the same for this event whatever is edited.
    pub fn uid(&self, domain: &str) -> String {
        format!("bijeenkomst-{}@{domain}", self.id)
    }
}

fn place_line(form: EventForm, venue: &str) -> String {
    match form {
        EventForm::Online => "Online".to_owned(),
        EventForm::Hybride if venue.is_empty() => "Hybride (op locatie en online)".to_owned(),
        EventForm::Hybride => format!("{venue} (ook online te volgen)"),
        EventForm::OpLocatie => venue.to_owned(),
    }
}

fn iso(moment: OffsetDateTime) -> String {
    text::amsterdam(moment).format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// "11 november 2026, 13.00–17.00 uur" (in Amsterdam time); an event over several days names
/// both dates.
pub fn when_nl(starts_at: OffsetDateTime, ends_at: OffsetDateTime) -> String {
    let (start, end) = (text::amsterdam(starts_at), text::amsterdam(ends_at));
    if start.date() == end.date() {
        format!(
            "{}, {:02}.{:02}–{:02}.{:02} uur",
            text::date_nl(starts_at),
            start.hour(),
            start.minute(),
            end.hour(),
            end.minute()
        )
    } else {
        format!(
            "{}, {:02}.{:02} uur – {}, {:02}.{:02} uur",
            text::date_nl(starts_at),
            start.hour(),
            start.minute(),
            text::date_nl(ends_at),
            end.hour(),
            end.minute()
        )
    }
}

/// The filters of the public list and the feed; each is a slug or value, checked by the caller.
#[derive(Debug, Default, Clone)]
pub struct Filters {
    pub theme: Option<String>,
    pub region: Option<String>,
    pub level: Option<String>,
    pub form: Option<EventForm>,
    pub past: bool,
}

/// The cards of these events, in the order given (the list's index chose them).
pub async fn cards(db: &PgPool, ids: &[i64]) -> sqlx::Result<Vec<EventCard>> {
    let cards = sqlx::query_as!(
        EventCard,
        r#"SELECT e.id, e.slug, e.title, e.summary, e.starts_at, e.ends_at, e.form AS "form: EventForm",
                  e.venue, e.status AS "status: EventStatus"
           FROM events e WHERE e.id = ANY($1)"#,
        ids,
    )
    .fetch_all(db)
    .await?;
    let mut by_id: std::collections::HashMap<i64, EventCard> = cards.into_iter().map(|c| (c.id, c)).collect();
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// The next published events, for the home page: those running now, then those still to come.
pub async fn upcoming(db: &PgPool, limit: i64) -> sqlx::Result<Vec<EventCard>> {
    // Two parts, so that each reads an index only as far as it returns rows: the running ones
    // through `events_running_idx` (their span holds now()), the coming ones through
    // `events_public_idx` from now on. One scan over `ends_at > now()` in start order would
    // pass every past event first.
    sqlx::query_as!(
        EventCard,
        r#"SELECT e.id AS "id!", e.slug AS "slug!", e.title AS "title!", e.summary AS "summary!",
                  e.starts_at AS "starts_at!", e.ends_at AS "ends_at!", e.form AS "form!: EventForm",
                  e.venue AS "venue!", e.status AS "status!: EventStatus"
           FROM ((SELECT id, slug, title, summary, starts_at, ends_at, form, venue, status FROM events
                  WHERE status <> $1 AND tstzrange(starts_at, ends_at) @> now()
                  ORDER BY starts_at, id LIMIT $2)
                 UNION ALL
                 (SELECT id, slug, title, summary, starts_at, ends_at, form, venue, status FROM events
                  WHERE status <> $1 AND starts_at > now()
                  ORDER BY starts_at, id LIMIT $2)) e
           ORDER BY e.starts_at, e.id LIMIT $2"#,
        EventStatus::Concept as EventStatus,
        limit,
    )
    .fetch_all(db)
    .await
}

/// The next events linked to any of these regions (a region page: the region and the
/// province or jeugdregio it lies in).
pub async fn upcoming_in(db: &PgPool, region_ids: &[i32], limit: i64) -> sqlx::Result<Vec<EventCard>> {
    sqlx::query_as!(
        EventCard,
        r#"SELECT e.id, e.slug, e.title, e.summary, e.starts_at, e.ends_at, e.form AS "form: EventForm",
                  e.venue, e.status AS "status: EventStatus"
           FROM events e
           WHERE e.status = $1 AND e.ends_at > now()
             AND EXISTS (SELECT 1 FROM event_regions l WHERE l.event_id = e.id AND l.region_id = ANY($2))
           ORDER BY e.starts_at, e.id LIMIT $3"#,
        EventStatus::Gepubliceerd as EventStatus,
        region_ids,
        limit,
    )
    .fetch_all(db)
    .await
}

/// The checked query of whole [`Event`]s: their columns `FROM events e`, then the rest of the
/// SQL and its parameters.
macro_rules! select_events {
    ($rest:literal $(, $arg:expr)* $(,)?) => {
        sqlx::query_as!(
            Event,
            r#"SELECT e.id, e.slug, e.title, e.summary, e.programme_md, e.starts_at, e.ends_at,
                      e.form AS "form: EventForm", e.venue, e.address, e.join_url, e.organiser,
                      (SELECT name FROM levels WHERE id = e.level_id) AS level, e.capacity, e.places_taken,
                      e.registration_deadline, e.reminder_hours, e.reminder_note, e.status AS "status: EventStatus",
                      e.sequence, e.cancel_message, e.report_md, e.report_image_id, e.report_image_alt, e.updated_at
               FROM events e "# + $rest
            $(, $arg)*
        )
    };
}

/// A published or cancelled event by its slug.
pub async fn by_slug(db: &PgPool, slug: &str) -> sqlx::Result<Option<Event>> {
    Ok(find(db, None, Some(slug)).await?.filter(|e| e.status != EventStatus::Concept))
}

/// Any event by id (mails, the back office).
pub async fn by_id(db: impl sqlx::PgExecutor<'_>, id: i64) -> sqlx::Result<Option<Event>> {
    find(db, Some(id), None).await
}

async fn find(
    db: impl sqlx::PgExecutor<'_>,
    id: Option<i64>,
    slug: Option<&str>,
) -> sqlx::Result<Option<Event>> {
    select_events!("WHERE e.id = $1 OR e.slug = $2", id, slug).fetch_optional(db).await
}

/// Whole events by id, in the order given (the calendar feed: its index chose them).
pub async fn by_ids(db: &PgPool, ids: &[i64]) -> sqlx::Result<Vec<Event>> {
    select_events!("WHERE e.id = ANY($1) ORDER BY array_position($1, e.id)", ids).fetch_all(db).await
}

/// Events whose text matches a search (`/zoeken`), upcoming first.
pub async fn matching(db: &PgPool, q: &str, limit: i64) -> sqlx::Result<Vec<EventCard>> {
    sqlx::query_as!(
        EventCard,
        r#"SELECT e.id, e.slug, e.title, e.summary, e.starts_at, e.ends_at, e.form AS "form: EventForm",
                  e.venue, e.status AS "status: EventStatus"
           FROM events e
           WHERE e.status <> $1
             AND to_tsvector('dutch', immutable_unaccent(e.title || ' ' || e.summary || ' ' || e.programme_md))
                 @@ dutch_query($2)
           ORDER BY e.ends_at < now(), abs(extract(epoch FROM e.starts_at - now())), e.id LIMIT $3"#,
        EventStatus::Concept as EventStatus,
        q,
        limit,
    )
    .fetch_all(db)
    .await
}

/// The public event pages for the sitemap.
pub async fn sitemap_paths(db: &PgPool) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar!(
        r#"SELECT '/bijeenkomsten/' || slug AS "path!" FROM events WHERE status <> $1 ORDER BY id LIMIT 20000"#,
        EventStatus::Concept as EventStatus,
    )
    .fetch_all(db)
    .await
}

/// A region or initiative linked to an event, with its slug for the link.
pub use crate::linked::Link as Linked;

linked! {
    pub fn themes_of -> Term =
        "SELECT t.id, t.slug, t.name FROM themes t JOIN event_themes l ON l.theme_id = t.id \
         WHERE l.event_id = $1 ORDER BY t.position, t.name";

    pub fn regions_of -> Linked =
        "SELECT r.slug, r.name FROM regions r JOIN event_regions l ON l.region_id = r.id \
         WHERE l.event_id = $1 ORDER BY r.name";

    pub fn initiatives_of -> Linked =
        r#"SELECT i.slug, i.name FROM initiatives i JOIN event_initiatives l ON l.initiative_id = i.id
           WHERE l.event_id = $1 AND i.status = $2 ORDER BY i.name"#,
        InitiativeStatus::Gepubliceerd as InitiativeStatus;
}

/// One of an event's questions.
#[derive(Debug, Clone)]
pub struct Question {
    pub position: i32,
    pub kind: QuestionKind,
    pub label: String,
    pub choices: Vec<String>,
}

impl Question {
    pub fn is_choice(&self) -> bool {
        self.kind == QuestionKind::Keuze
    }
    /// The form field's name.
    pub fn field(&self) -> String {
        format!("vraag{}", self.position)
    }
}

pub async fn questions_of(db: &PgPool, event_id: i64) -> sqlx::Result<Vec<Question>> {
    sqlx::query_as!(
        Question,
        r#"SELECT position, kind AS "kind: QuestionKind", label, choices FROM event_questions
           WHERE event_id = $1 ORDER BY position"#,
        event_id,
    )
    .fetch_all(db)
    .await
}

/// The participants who chose to be shown: name and organisation only.
pub async fn shown_participants(db: &PgPool, event_id: i64) -> sqlx::Result<Vec<(String, String)>> {
    let rows = sqlx::query!(
        "SELECT name, organisation FROM registrations \
         WHERE event_id = $1 AND show_on_list AND status IN ($2, $3) ORDER BY name",
        event_id,
        RegistrationStatus::Bevestigd as RegistrationStatus,
        RegistrationStatus::Aanwezig as RegistrationStatus,
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| (r.name, r.organisation)).collect())
}

/// Events as newsletter blocks show them, as `(id, card)`: those in `ids` (published or
/// cancelled, so an archived newsletter still says it does not go ahead), or without `ids` the
/// latest `limit` published ones to choose from.
pub async fn newsletter_cards(
    db: &PgPool,
    ids: Option<&[i64]>,
    limit: i64,
) -> sqlx::Result<Vec<(i64, crate::newsletter::content::Card)>> {
    let rows = sqlx::query_as!(
        EventCard,
        r#"SELECT id, slug, title, summary, starts_at, ends_at, form AS "form: EventForm", venue,
                  status AS "status: EventStatus"
           FROM events
           WHERE CASE WHEN $2::bigint[] IS NULL THEN status = $1 ELSE id = ANY($2) AND status IN ($1, $3) END
           ORDER BY starts_at DESC LIMIT $4"#,
        EventStatus::Gepubliceerd as EventStatus,
        ids,
        EventStatus::Geannuleerd as EventStatus,
        limit,
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|e| {
            let cancelled = if e.cancelled() { " · Gaat niet door" } else { "" };
            let card = crate::newsletter::content::Card {
                meta: format!("{} · {}{cancelled}", e.when(), e.place()),
                summary: e.summary.clone(),
                path: format!("/bijeenkomsten/{}", e.slug),
                title: e.title,
            };
            (e.id, card)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn times_read_in_amsterdam() {
        assert_eq!(
            when_nl(datetime!(2026-11-11 12:00 UTC), datetime!(2026-11-11 16:00 UTC)),
            "11 november 2026, 13.00–17.00 uur"
        );
        assert_eq!(
            when_nl(datetime!(2026-06-01 07:30 UTC), datetime!(2026-06-02 15:00 UTC)),
            "1 juni 2026, 09.30 uur – 2 juni 2026, 17.00 uur"
        );
    }
}
