-- Applications of municipalities and regions to become an inspiratieregio, and the settings
-- coordinators manage (the application deadline).

CREATE TABLE settings (
    key        text PRIMARY KEY,
    value      text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE region_applications (
    id               bigserial PRIMARY KEY,
    region_id        integer NOT NULL REFERENCES regions (id),
    applicant_name   text NOT NULL,
    applicant_role   text NOT NULL DEFAULT '',
    applicant_email  text NOT NULL,
    motivation       text NOT NULL,
    submitted_at     timestamptz NOT NULL DEFAULT now(),
    decision         text CHECK (decision IN ('geselecteerd', 'afgewezen')),
    decision_message text NOT NULL DEFAULT '',
    decided_by       bigint REFERENCES users (id) ON DELETE SET NULL,
    decided_at       timestamptz
);
CREATE INDEX region_applications_open_idx ON region_applications (submitted_at) WHERE decision IS NULL;
