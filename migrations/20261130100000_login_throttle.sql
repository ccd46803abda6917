-- Login throttling per (account, client) and per trusted browser (device cookie), with a
-- delay that grows with each failure past a free budget instead of one hard block for the
-- whole account (see src/accounts/throttle.rs). Rows are forgotten an hour after their last
-- failure and removed after a day.
CREATE TABLE login_failures (
    key             text PRIMARY KEY CHECK (length(key) <= 600),
    failures        integer NOT NULL CHECK (failures > 0),
    last_failure_at timestamptz NOT NULL DEFAULT now(),
    blocked_until   timestamptz
);
