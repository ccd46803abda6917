-- The link checker's last answer per publication's "where to get it" address. Kept apart from
-- `publications` so that a check (a write every few seconds while it runs) does not move
-- `content_version` and drop every cached public page.
CREATE TABLE publication_links (
    publication_id bigint PRIMARY KEY REFERENCES publications (id) ON DELETE CASCADE,
    -- The address that was checked (a later edit of the record makes it due again).
    url            text NOT NULL,
    checked_at     timestamptz NOT NULL DEFAULT now(),
    -- The HTTP status of the last response, after redirects; NULL when none came.
    status         smallint CHECK (status BETWEEN 100 AND 599),
    -- Where the redirects ended ('' when there were none).
    final_url      text NOT NULL DEFAULT '',
    -- Why no answer came (timeout, refused, ...), '' otherwise.
    error          text NOT NULL DEFAULT '',
    broken         boolean NOT NULL,
    -- Since when it has been broken without a break (NULL while it works).
    broken_since   timestamptz
);
CREATE INDEX publication_links_broken_idx ON publication_links (checked_at) WHERE broken;
CREATE INDEX publication_links_checked_idx ON publication_links (checked_at);
