-- Bijeenkomsten: events with registration, a waiting list that never overbooks, and calendar
-- files. Times are stored in UTC and shown in Europe/Amsterdam.
--
-- Places: `places_taken` counts the registrations that hold a place (bevestigd, aangeboden,
-- aanwezig). Taking a place is one conditional UPDATE of the event row
-- (`SET places_taken = places_taken + 1 WHERE places_taken < capacity`), which PostgreSQL
-- serialises on the row; whoever finds no place joins the waiting list. A freed place is
-- offered to the first person waiting (the count stays) or, when nobody waits, given back.
CREATE TABLE events (
    id                    bigserial PRIMARY KEY,
    slug                  text NOT NULL UNIQUE,
    title                 text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    summary               text NOT NULL DEFAULT '' CHECK (char_length(summary) <= 300),
    programme_md          text NOT NULL DEFAULT '',
    starts_at             timestamptz NOT NULL,
    ends_at               timestamptz NOT NULL CHECK (ends_at > starts_at),
    form                  text NOT NULL CHECK (form IN ('op_locatie', 'online', 'hybride')),
    venue                 text NOT NULL DEFAULT '',
    address               text NOT NULL DEFAULT '',
    -- Only in the mails to people with a place, never on a public page or file.
    join_url              text NOT NULL DEFAULT '',
    organiser             text NOT NULL DEFAULT '',
    level_id              integer REFERENCES levels (id),
    capacity              integer NOT NULL CHECK (capacity >= 0),
    places_taken          integer NOT NULL DEFAULT 0 CHECK (places_taken >= 0),
    registration_deadline timestamptz,
    -- How long before the start the reminder goes out, and a line of text for it.
    reminder_hours        integer NOT NULL DEFAULT 48 CHECK (reminder_hours BETWEEN 0 AND 720),
    reminder_note         text NOT NULL DEFAULT '',
    status                text NOT NULL DEFAULT 'concept' CHECK (status IN ('concept', 'gepubliceerd', 'geannuleerd')),
    -- iCalendar SEQUENCE: rises when time or place change, and on cancellation.
    sequence              integer NOT NULL DEFAULT 0,
    cancel_message        text NOT NULL DEFAULT '',
    report_md             text NOT NULL DEFAULT '',
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    published_at          timestamptz
);
CREATE INDEX events_public_idx ON events (starts_at) WHERE status <> 'concept';

CREATE TABLE event_themes (
    event_id bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    theme_id integer NOT NULL REFERENCES themes (id) ON DELETE CASCADE,
    PRIMARY KEY (event_id, theme_id)
);
CREATE INDEX event_themes_theme_idx ON event_themes (theme_id, event_id);
CREATE TABLE event_regions (
    event_id  bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    region_id integer NOT NULL REFERENCES regions (id) ON DELETE CASCADE,
    PRIMARY KEY (event_id, region_id)
);
CREATE INDEX event_regions_region_idx ON event_regions (region_id, event_id);
CREATE TABLE event_initiatives (
    event_id      bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    initiative_id bigint NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    PRIMARY KEY (event_id, initiative_id)
);

-- Up to three questions per event: a free text or a choice from `choices`.
CREATE TABLE event_questions (
    id       bigserial PRIMARY KEY,
    event_id bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    position integer NOT NULL CHECK (position BETWEEN 1 AND 3),
    kind     text NOT NULL CHECK (kind IN ('tekst', 'keuze')),
    label    text NOT NULL CHECK (char_length(label) BETWEEN 1 AND 200),
    choices  text[] NOT NULL DEFAULT '{}',
    UNIQUE (event_id, position)
);

CREATE TABLE registrations (
    id               bigserial PRIMARY KEY,
    event_id         bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    user_id          bigint REFERENCES users (id) ON DELETE SET NULL,
    name             text NOT NULL,
    email            text NOT NULL,
    organisation     text NOT NULL DEFAULT '',
    -- {"1": "answer", ...} by question position.
    answers          jsonb NOT NULL DEFAULT '{}',
    -- "Toon mijn naam op de deelnemerslijst": off until ticked.
    show_on_list     boolean NOT NULL DEFAULT false,
    status           text NOT NULL CHECK (status IN ('bevestigd', 'wachtlijst', 'aangeboden', 'geannuleerd', 'aanwezig')),
    -- The personal link's token is derived from this nonce with the site secret (so it can be
    -- mailed again) and stored only as its hash, for the lookup.
    token_nonce      text NOT NULL,
    token_hash       text NOT NULL UNIQUE,
    offered_at       timestamptz,
    offer_expires_at timestamptz,
    cancelled_at     timestamptz,
    reminder_sent_at timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
-- One live registration per address and event; a second attempt mails the existing link.
CREATE UNIQUE INDEX registrations_event_email_idx ON registrations (event_id, lower(email))
    WHERE status <> 'geannuleerd';
CREATE INDEX registrations_waiting_idx ON registrations (event_id, created_at, id) WHERE status = 'wachtlijst';
CREATE INDEX registrations_offers_idx ON registrations (offer_expires_at) WHERE status = 'aangeboden';
CREATE INDEX registrations_reminder_idx ON registrations (event_id) WHERE status = 'bevestigd' AND reminder_sent_at IS NULL;
CREATE INDEX registrations_user_idx ON registrations (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX registrations_email_idx ON registrations (lower(email));

-- Public pages show events (lists, home, regions, search, feeds); registrations change only
-- pages that are never kept (the event page counts places live).
SELECT track_public_content(t)
FROM unnest(ARRAY['events', 'event_themes', 'event_regions', 'event_initiatives']::regclass[]) AS t;

-- Mail attachments (e.g. a calendar invitation), sent as parts of the mail.
CREATE TABLE outbox_attachments (
    outbox_id    bigint NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
    position     integer NOT NULL,
    filename     text NOT NULL,
    content_type text NOT NULL,
    content      bytea NOT NULL,
    PRIMARY KEY (outbox_id, position)
);
