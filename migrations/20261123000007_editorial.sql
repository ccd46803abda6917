-- Editorial work on initiatives: members propose them, editors review. A change to a
-- published initiative waits here as a revision until an editor decides, so the live page
-- never shows unreviewed text.

CREATE TABLE initiative_revisions (
    id            bigserial PRIMARY KEY,
    initiative_id bigint NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    -- The proposed fields (name, summary, description, links, taxonomy slugs, region slug).
    proposed      jsonb NOT NULL,
    submitted_by  bigint REFERENCES members (id) ON DELETE SET NULL,
    submitted_at  timestamptz NOT NULL DEFAULT now(),
    decided_at    timestamptz,
    decided_by    bigint REFERENCES users (id) ON DELETE SET NULL,
    decision      text CHECK (decision IN ('goedgekeurd', 'afgewezen')),
    message       text NOT NULL DEFAULT ''
);
-- One open revision per initiative: a further change by the owner replaces the waiting one.
CREATE UNIQUE INDEX initiative_revisions_open_idx ON initiative_revisions (initiative_id) WHERE decided_at IS NULL;

-- The editor's message with the last decision on a proposed initiative, shown to its owner.
ALTER TABLE initiatives ADD COLUMN review_message text NOT NULL DEFAULT '';
CREATE INDEX initiatives_owner_idx ON initiatives (owner_id);
CREATE INDEX initiatives_review_idx ON initiatives (updated_at) WHERE status = 'ter_beoordeling';
