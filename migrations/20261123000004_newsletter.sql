-- The newsletter: subscribers with a consent record, campaigns and one delivery row per
-- (campaign, subscriber), which is what makes "each exactly once" checkable.

CREATE TABLE subscribers (
    id                 bigserial PRIMARY KEY,
    email              text NOT NULL,
    name               text NOT NULL DEFAULT '',
    status             text NOT NULL DEFAULT 'onbevestigd'
                       CHECK (status IN ('onbevestigd', 'actief', 'afgemeld', 'gebounced')),
    topics             text[] NOT NULL DEFAULT '{}',
    -- Consent record: when, from which form and address, which version of the text.
    consent_at         timestamptz,
    consent_source     text NOT NULL DEFAULT '',
    consent_ip         text NOT NULL DEFAULT '',
    consent_text_version text NOT NULL DEFAULT '',
    confirmed_at       timestamptz,
    unsubscribed_at    timestamptz,
    -- Secret for the unsubscribe and preference links in every mail (stored hashed elsewhere
    -- would make them unrecoverable for resends; it is random and per subscriber).
    link_token         text NOT NULL,
    confirm_token_hash text,
    confirm_sent_at    timestamptz,
    confirm_mails_today integer NOT NULL DEFAULT 0,
    hard_bounces       integer NOT NULL DEFAULT 0,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX subscribers_email_idx ON subscribers (lower(email));
CREATE UNIQUE INDEX subscribers_link_token_idx ON subscribers (link_token);
CREATE INDEX subscribers_status_idx ON subscribers (status);

CREATE TABLE campaigns (
    id           bigserial PRIMARY KEY,
    slug         text NOT NULL UNIQUE,
    subject      text NOT NULL,
    preheader    text NOT NULL DEFAULT '',
    intro_md     text NOT NULL DEFAULT '',
    news_item_ids bigint[] NOT NULL DEFAULT '{}',
    topics       text[] NOT NULL DEFAULT '{}',
    status       text NOT NULL DEFAULT 'concept'
                 CHECK (status IN ('concept', 'gepland', 'bezig', 'gepauzeerd', 'verzonden', 'geannuleerd')),
    scheduled_at timestamptz,
    started_at   timestamptz,
    finished_at  timestamptz,
    created_by   bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE deliveries (
    id            bigserial PRIMARY KEY,
    campaign_id   bigint NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    subscriber_id bigint NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    status        text NOT NULL DEFAULT 'wachtend'
                  CHECK (status IN ('wachtend', 'bezig', 'verzonden', 'mislukt', 'overgeslagen')),
    attempts      integer NOT NULL DEFAULT 0,
    claimed_at    timestamptz,
    -- The sender instance holding the claim; only it may send and mark the row.
    claimed_by    text,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    sent_at       timestamptz,
    last_error    text NOT NULL DEFAULT '',
    UNIQUE (campaign_id, subscriber_id)
);
CREATE INDEX deliveries_due_idx ON deliveries (campaign_id, id) WHERE status = 'wachtend';
CREATE INDEX deliveries_claimed_idx ON deliveries (claimed_at) WHERE status = 'bezig';
