-- The kennisbank's remainder: a hosted PDF for a publication with an open licence, the events
-- a publication is linked to, and the changes members propose to a published record.

-- The PDF of a publication whose licence allows hosting it (checked by the application when
-- it is uploaded; a later change to a closed licence stops serving it). One file per
-- publication, its type read from its bytes, its size within the upload limit.
CREATE TABLE publication_files (
    publication_id bigint PRIMARY KEY REFERENCES publications (id) ON DELETE CASCADE,
    sha256         text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size           integer NOT NULL CHECK (size > 0),
    bytes          bytea NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    created_by     bigint REFERENCES users (id) ON DELETE SET NULL
);

-- The events (bijeenkomsten) where a publication was presented or worked with.
CREATE TABLE publication_events (
    publication_id bigint NOT NULL REFERENCES publications (id) ON DELETE CASCADE,
    event_id       bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    PRIMARY KEY (publication_id, event_id)
);
CREATE INDEX publication_events_event_idx ON publication_events (event_id, publication_id);

-- A change a member proposes to a published record: the whole form as they sent it (valid
-- when sent), and a note. The public record stays as it is until an editor accepts it.
CREATE TABLE publication_revisions (
    id             bigserial PRIMARY KEY,
    publication_id bigint NOT NULL REFERENCES publications (id) ON DELETE CASCADE,
    proposed_by    bigint REFERENCES members (id) ON DELETE SET NULL,
    proposed       jsonb NOT NULL,
    note           text NOT NULL DEFAULT '' CHECK (char_length(note) <= 2000),
    created_at     timestamptz NOT NULL DEFAULT now(),
    decided_at     timestamptz,
    decided_by     bigint REFERENCES users (id) ON DELETE SET NULL,
    accepted       boolean,
    CHECK ((decided_at IS NULL) = (accepted IS NULL))
);
CREATE INDEX publication_revisions_pending_idx ON publication_revisions (created_at) WHERE decided_at IS NULL;
CREATE INDEX publication_revisions_publication_idx ON publication_revisions (publication_id);
CREATE INDEX publication_revisions_member_idx ON publication_revisions (proposed_by) WHERE proposed_by IS NOT NULL;
-- One waiting change per member and record: a second (or a double click) is refused.
CREATE UNIQUE INDEX publication_revisions_one_pending_idx ON publication_revisions (publication_id, proposed_by)
    WHERE decided_at IS NULL;

SELECT track_public_content(t)
FROM unnest(ARRAY['publication_files', 'publication_events']::regclass[]) AS t;
