-- Verbinden: members find each other. Two choices on the member's own profile, both off until
-- the member turns them on (a box ticked in advance is no consent): may be suggested to other
-- members, and other members may write to them through the relay. `members` already bumps
-- content_version, so a change of either choice invalidates cached public pages.
ALTER TABLE members
    ADD COLUMN suggestable      boolean NOT NULL DEFAULT false,
    ADD COLUMN accepts_messages boolean NOT NULL DEFAULT false;

-- "Niet relevant": a member (user) no longer wants to see a member or an initiative suggested.
CREATE TABLE suggestion_dismissals (
    user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    member_id     bigint REFERENCES members (id) ON DELETE CASCADE,
    initiative_id bigint REFERENCES initiatives (id) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (num_nonnulls(member_id, initiative_id) = 1)
);
CREATE UNIQUE INDEX suggestion_dismissals_member_idx ON suggestion_dismissals (user_id, member_id)
    WHERE member_id IS NOT NULL;
CREATE UNIQUE INDEX suggestion_dismissals_initiative_idx ON suggestion_dismissals (user_id, initiative_id)
    WHERE initiative_id IS NOT NULL;

-- What the coordinator sees: how often suggestions were shown, followed, dismissed and led to
-- contact. Counts only, one row per kind and day; nothing says who.
CREATE TABLE suggestion_counts (
    day   date NOT NULL DEFAULT current_date,
    kind  text NOT NULL CHECK (kind IN ('getoond', 'gevolgd', 'niet_relevant', 'contact')),
    count bigint NOT NULL DEFAULT 0 CHECK (count >= 0),
    PRIMARY KEY (day, kind)
);

-- Messages relayed between members: who wrote to whom, for the sender's export, abuse reports
-- and the rate limit. The recipient's address is never stored here (it is the account's).
CREATE TABLE relay_messages (
    id            bigserial PRIMARY KEY,
    sender_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    recipient_id  bigint NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    subject       text NOT NULL CHECK (char_length(subject) BETWEEN 1 AND 150),
    body          text NOT NULL CHECK (char_length(body) BETWEEN 1 AND 5000),
    -- The token in the mail's "report abuse" link; only its hash is kept.
    report_token_hash text NOT NULL UNIQUE,
    from_suggestion boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX relay_messages_sender_idx ON relay_messages (sender_id, created_at);
CREATE INDEX relay_messages_recipient_idx ON relay_messages (recipient_id);

-- A recipient's report of a relayed message; coordinators handle it in /beheer/verbinden.
CREATE TABLE relay_reports (
    id          bigserial PRIMARY KEY,
    message_id  bigint NOT NULL UNIQUE REFERENCES relay_messages (id) ON DELETE CASCADE,
    reason      text NOT NULL CHECK (char_length(reason) BETWEEN 1 AND 2000),
    status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'afgehandeld')),
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Senders a coordinator blocked from the relay.
CREATE TABLE relay_blocks (
    user_id    bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    blocked_by bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
