-- The outbox gets the newsletter's discipline: a row is claimed by one sender (its id and the
-- time, renewed while it lives), re-checked under that id before the final dot, and marked
-- only by that sender.
ALTER TABLE outbox ADD COLUMN claimed_by text;
ALTER TABLE outbox ADD COLUMN claimed_at timestamptz;
-- Temporary failures are retried for days, like mail servers do, counted from the first one.
ALTER TABLE outbox ADD COLUMN first_failed_at timestamptz;
ALTER TABLE deliveries ADD COLUMN first_failed_at timestamptz;
-- When a running campaign stopped making progress (its coordinator is mailed once then).
ALTER TABLE campaigns ADD COLUMN stalled_at timestamptz;
