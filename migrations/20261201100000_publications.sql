-- The kennisbank: publications of the network (reports, articles, books, advice, ...), their
-- authors in order, their tags, and what links them to initiatives and to each other.
-- A publication goes through the same statuses as an initiative (concept, ter beoordeling,
-- gepubliceerd, gearchiveerd); only published ones appear on the site.

CREATE TABLE publications (
    id           bigserial PRIMARY KEY,
    slug         text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    title        text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 300),
    series       text NOT NULL DEFAULT '' CHECK (char_length(series) <= 300),
    -- NULL when the publication carries no date ("z.d." in a reference).
    year         smallint CHECK (year BETWEEN 1500 AND 2100),
    publisher    text NOT NULL DEFAULT '' CHECK (char_length(publisher) <= 300),
    kind         text NOT NULL
                 CHECK (kind IN ('rapport', 'artikel', 'boek', 'hoofdstuk', 'handreiking', 'advies',
                                 'factsheet', 'proefschrift', 'video', 'podcast', 'webpagina')),
    abstract_md  text NOT NULL DEFAULT '' CHECK (char_length(abstract_md) <= 20000),
    -- Where to get it: the address and what one finds there.
    access       text NOT NULL DEFAULT 'link'
                 CHECK (access IN ('link', 'download', 'bestellen', 'bibliotheek')),
    url          text NOT NULL DEFAULT '' CHECK (url = '' OR url ~ '^https?://'),
    doi          text NOT NULL DEFAULT '' CHECK (doi = '' OR doi ~ '^10\.[0-9]{4,9}/\S+$'),
    -- Digits only (and a final X for ISBN-10); the check digit is validated in the application.
    isbn         text NOT NULL DEFAULT '' CHECK (isbn = '' OR isbn ~ '^([0-9]{9}[0-9X]|[0-9]{13})$'),
    licence      text NOT NULL DEFAULT 'onbekend'
                 CHECK (licence IN ('onbekend', 'gesloten', 'cc-by', 'cc-by-sa', 'cc-by-nc', 'cc-by-nc-sa',
                                    'cc-by-nd', 'cc-by-nc-nd', 'cc0')),
    status       text NOT NULL DEFAULT 'concept'
                 CHECK (status IN ('concept', 'ter_beoordeling', 'gepubliceerd', 'gearchiveerd')),
    -- The member who proposed it, if one did.
    proposed_by  bigint REFERENCES members (id) ON DELETE SET NULL,
    -- The authors' names in one line, kept by the application when it writes the authors, so
    -- that the generated search column can include them.
    author_names text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz,
    search       tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('dutch', immutable_unaccent(title)), 'A') ||
        setweight(to_tsvector('dutch', immutable_unaccent(series || ' ' || author_names || ' ' || publisher)), 'B') ||
        setweight(to_tsvector('dutch', immutable_unaccent(abstract_md)), 'C')
    ) STORED
);
CREATE INDEX publications_search_idx ON publications USING gin (search);
CREATE INDEX publications_title_trgm_idx ON publications USING gin (title gin_trgm_ops);
CREATE INDEX publications_published_idx ON publications (published_at DESC, id DESC) WHERE status = 'gepubliceerd';
CREATE INDEX publications_proposed_by_idx ON publications (proposed_by) WHERE proposed_by IS NOT NULL;

-- Authors in order: a person (given name, particle such as "van der" kept apart, family name)
-- or an organisation (its whole name in `family_name`).
CREATE TABLE publication_authors (
    publication_id bigint NOT NULL REFERENCES publications (id) ON DELETE CASCADE,
    position       smallint NOT NULL CHECK (position >= 0),
    kind           text NOT NULL CHECK (kind IN ('persoon', 'organisatie')),
    given_name     text NOT NULL DEFAULT '' CHECK (char_length(given_name) <= 200),
    particle       text NOT NULL DEFAULT '' CHECK (char_length(particle) <= 40),
    family_name    text NOT NULL CHECK (char_length(family_name) BETWEEN 1 AND 300),
    PRIMARY KEY (publication_id, position),
    CHECK (kind = 'persoon' OR (given_name = '' AND particle = ''))
);

CREATE TABLE publication_themes (
    publication_id bigint NOT NULL REFERENCES publications (id) ON DELETE CASCADE,
    theme_id       integer NOT NULL REFERENCES themes (id) ON DELETE CASCADE,
    PRIMARY KEY (publication_id, theme_id)
);
CREATE TABLE publication_levels (
    publication_id bigint NOT NULL REFERENCES publications (id) ON DELETE CASCADE,
    level_id       integer NOT NULL REFERENCES levels (id) ON DELETE CASCADE,
    PRIMARY KEY (publication_id, level_id)
);
CREATE TABLE publication_regions (
    publication_id bigint NOT NULL REFERENCES publications (id) ON DELETE CASCADE,
    region_id      integer NOT NULL REFERENCES regions (id) ON DELETE CASCADE,
    PRIMARY KEY (publication_id, region_id)
);
-- The initiatives that put a publication to work.
CREATE TABLE publication_initiatives (
    publication_id bigint NOT NULL REFERENCES publications (id) ON DELETE CASCADE,
    initiative_id  bigint NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    PRIMARY KEY (publication_id, initiative_id)
);
-- Related publications (stored once per pair direction as entered; shown both ways).
CREATE TABLE publication_relations (
    publication_id bigint NOT NULL REFERENCES publications (id) ON DELETE CASCADE,
    related_id     bigint NOT NULL REFERENCES publications (id) ON DELETE CASCADE,
    PRIMARY KEY (publication_id, related_id),
    CHECK (publication_id <> related_id)
);
CREATE INDEX publication_themes_theme_idx ON publication_themes (theme_id, publication_id);
CREATE INDEX publication_levels_level_idx ON publication_levels (level_id, publication_id);
CREATE INDEX publication_regions_region_idx ON publication_regions (region_id, publication_id);
CREATE INDEX publication_initiatives_initiative_idx ON publication_initiatives (initiative_id, publication_id);
CREATE INDEX publication_relations_related_idx ON publication_relations (related_id, publication_id);

SELECT track_public_content(t)
FROM unnest(ARRAY['publications', 'publication_authors', 'publication_themes', 'publication_levels',
                  'publication_regions', 'publication_initiatives', 'publication_relations']::regclass[]) AS t;
