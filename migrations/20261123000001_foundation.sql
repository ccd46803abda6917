-- Foundation schema: reference data (taxonomies, regions) and the public records that the
-- home page, catalogue and news show. Later migrations add accounts, moderation and mail.
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- unaccent() is only STABLE; an IMMUTABLE wrapper lets generated columns and indexes use it.
CREATE FUNCTION immutable_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;

CREATE TABLE themes (
    id          serial PRIMARY KEY,
    slug        text NOT NULL UNIQUE,
    name        text NOT NULL,
    description text NOT NULL DEFAULT '',
    position    integer NOT NULL DEFAULT 0
);

CREATE TABLE domains (
    id       serial PRIMARY KEY,
    slug     text NOT NULL UNIQUE,
    name     text NOT NULL,
    position integer NOT NULL DEFAULT 0
);

CREATE TABLE levels (
    id          serial PRIMARY KEY,
    slug        text NOT NULL UNIQUE,
    name        text NOT NULL,
    description text NOT NULL DEFAULT '',
    position    integer NOT NULL DEFAULT 0
);

CREATE TABLE age_groups (
    id       serial PRIMARY KEY,
    slug     text NOT NULL UNIQUE,
    name     text NOT NULL,
    position integer NOT NULL DEFAULT 0
);

INSERT INTO domains (slug, name, position) VALUES
    ('onderwijs', 'Onderwijs', 1),
    ('kinderopvang', 'Kinderopvang', 2),
    ('jeugdgezondheidszorg', 'Jeugdgezondheidszorg', 3),
    ('jeugdhulp', 'Jeugdhulp', 4),
    ('jeugdbescherming', 'Jeugdbescherming', 5),
    ('gemeente-sociaal-domein', 'Gemeente en sociaal domein', 6),
    ('wijk-en-burgerinitiatief', 'Wijk en burgerinitiatief', 7),
    ('wetenschap-en-opleiding', 'Wetenschap en opleiding', 8);

INSERT INTO levels (slug, name, description, position) VALUES
    ('uitvoerend', 'Uitvoerend', 'De praktijk van elke dag: wat professionals met kinderen en gezinnen doen.', 1),
    ('bestuurlijk', 'Bestuurlijk', 'Hoe organisaties het werken vanuit het gewone leven mogelijk maken.', 2),
    ('beleidsmatig', 'Beleidsmatig', 'Beleid dat ruimte geeft aan een brede blik in plaats van die af te knijpen.', 3),
    ('politiek', 'Politiek', 'De visie en sturing die nodig zijn om de koers vast te houden.', 4);

INSERT INTO age_groups (slug, name, position) VALUES
    ('0-4-jaar', '0 tot 4 jaar', 1),
    ('4-12-jaar', '4 tot 12 jaar', 2),
    ('12-18-jaar', '12 tot 18 jaar', 3),
    ('18-23-jaar', '18 tot 23 jaar', 4);

-- Provinces, municipalities and jeugdregio's (CBS 2025) are loaded from data/geo at start-up;
-- municipalities point to the province and jeugdregio they lie in.
CREATE TABLE regions (
    id                 serial PRIMARY KEY,
    slug               text NOT NULL UNIQUE,
    code               text NOT NULL UNIQUE,
    name               text NOT NULL,
    kind               text NOT NULL CHECK (kind IN ('provincie', 'gemeente', 'jeugdregio')),
    province_id        integer REFERENCES regions (id),
    jeugdregio_id      integer REFERENCES regions (id),
    is_inspiration     boolean NOT NULL DEFAULT false,
    cohort_year        integer,
    description        text NOT NULL DEFAULT ''
);
CREATE INDEX regions_province_idx ON regions (province_id);
CREATE INDEX regions_jeugdregio_idx ON regions (jeugdregio_id);

CREATE TABLE members (
    id             bigserial PRIMARY KEY,
    slug           text NOT NULL UNIQUE,
    name           text NOT NULL,
    kind           text NOT NULL CHECK (kind IN ('persoon', 'organisatie')),
    organisation   text NOT NULL DEFAULT '',
    role           text NOT NULL DEFAULT '',
    region_id      integer REFERENCES regions (id),
    offer          text NOT NULL DEFAULT '',
    ask            text NOT NULL DEFAULT '',
    public_profile boolean NOT NULL DEFAULT false,
    status         text NOT NULL DEFAULT 'goedgekeurd'
                   CHECK (status IN ('onbevestigd', 'wacht_op_beoordeling', 'goedgekeurd', 'afgewezen')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX members_region_idx ON members (region_id);

CREATE TABLE member_themes (
    member_id bigint NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    theme_id  integer NOT NULL REFERENCES themes (id) ON DELETE CASCADE,
    PRIMARY KEY (member_id, theme_id)
);
CREATE TABLE member_domains (
    member_id bigint NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    domain_id integer NOT NULL REFERENCES domains (id) ON DELETE CASCADE,
    PRIMARY KEY (member_id, domain_id)
);

CREATE TABLE initiatives (
    id             bigserial PRIMARY KEY,
    slug           text NOT NULL UNIQUE,
    name           text NOT NULL,
    summary        text NOT NULL CHECK (char_length(summary) <= 300),
    description_md text NOT NULL DEFAULT '',
    website        text NOT NULL DEFAULT '',
    contact_name   text NOT NULL DEFAULT '',
    contact_email  text NOT NULL DEFAULT '',
    region_id      integer REFERENCES regions (id),
    owner_id       bigint REFERENCES members (id) ON DELETE SET NULL,
    status         text NOT NULL DEFAULT 'concept'
                   CHECK (status IN ('concept', 'ter_beoordeling', 'gepubliceerd', 'gearchiveerd')),
    featured       boolean NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    published_at   timestamptz,
    search         tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('dutch', immutable_unaccent(name)), 'A') ||
        setweight(to_tsvector('dutch', immutable_unaccent(summary)), 'B') ||
        setweight(to_tsvector('dutch', immutable_unaccent(description_md)), 'C')
    ) STORED
);
CREATE INDEX initiatives_search_idx ON initiatives USING gin (search);
CREATE INDEX initiatives_name_trgm_idx ON initiatives USING gin (name gin_trgm_ops);
CREATE INDEX initiatives_published_idx ON initiatives (published_at DESC, id DESC) WHERE status = 'gepubliceerd';
CREATE INDEX initiatives_region_idx ON initiatives (region_id);

CREATE TABLE initiative_themes (
    initiative_id bigint NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    theme_id      integer NOT NULL REFERENCES themes (id) ON DELETE CASCADE,
    PRIMARY KEY (initiative_id, theme_id)
);
CREATE TABLE initiative_domains (
    initiative_id bigint NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    domain_id     integer NOT NULL REFERENCES domains (id) ON DELETE CASCADE,
    PRIMARY KEY (initiative_id, domain_id)
);
CREATE TABLE initiative_levels (
    initiative_id bigint NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    level_id      integer NOT NULL REFERENCES levels (id) ON DELETE CASCADE,
    PRIMARY KEY (initiative_id, level_id)
);
CREATE TABLE initiative_age_groups (
    initiative_id bigint NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    age_group_id  integer NOT NULL REFERENCES age_groups (id) ON DELETE CASCADE,
    PRIMARY KEY (initiative_id, age_group_id)
);
CREATE INDEX initiative_themes_theme_idx ON initiative_themes (theme_id, initiative_id);
CREATE INDEX initiative_domains_domain_idx ON initiative_domains (domain_id, initiative_id);
CREATE INDEX initiative_levels_level_idx ON initiative_levels (level_id, initiative_id);
CREATE INDEX initiative_age_groups_age_idx ON initiative_age_groups (age_group_id, initiative_id);

CREATE TABLE news_items (
    id           bigserial PRIMARY KEY,
    slug         text NOT NULL UNIQUE,
    title        text NOT NULL,
    lead         text NOT NULL DEFAULT '',
    body_md      text NOT NULL DEFAULT '',
    author_name  text NOT NULL DEFAULT '',
    published_at timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX news_items_published_idx ON news_items (published_at DESC, id DESC);

CREATE TABLE news_item_themes (
    news_item_id bigint NOT NULL REFERENCES news_items (id) ON DELETE CASCADE,
    theme_id     integer NOT NULL REFERENCES themes (id) ON DELETE CASCADE,
    PRIMARY KEY (news_item_id, theme_id)
);
