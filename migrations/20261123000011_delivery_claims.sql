-- Senders claim waiting deliveries in id order, starting after the last id they claimed (and
-- from the start again when nothing is found there). Sent rows leave dead entries at the front
-- of a partial index until vacuum; starting after the last claim skips them, so a claim costs
-- the same at the end of a 100,000-recipient send as at the start.
DROP INDEX deliveries_due_idx;
CREATE INDEX deliveries_due_idx ON deliveries (id) WHERE status = 'wachtend';
