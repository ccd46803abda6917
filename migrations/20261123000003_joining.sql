-- Joining as aandeelhouder (confirmation and moderation) and contact forms.

ALTER TABLE user_tokens DROP CONSTRAINT user_tokens_purpose_check;
ALTER TABLE user_tokens ADD CONSTRAINT user_tokens_purpose_check CHECK (purpose IN ('wachtwoord', 'email', 'bevestigen'));

ALTER TABLE members
    ADD COLUMN privacy_accepted_at timestamptz,
    ADD COLUMN reviewed_by bigint REFERENCES users (id) ON DELETE SET NULL,
    ADD COLUMN reviewed_at timestamptz,
    ADD COLUMN review_message text NOT NULL DEFAULT '';
CREATE INDEX members_status_idx ON members (status) WHERE status = 'wacht_op_beoordeling';

-- Replies to a contact form go to the visitor, not to us.
ALTER TABLE outbox ADD COLUMN reply_to text;
