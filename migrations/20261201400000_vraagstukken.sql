-- Vraagstukken: the obstacles ("hindernissen") the network maps at four levels (uitvoerend,
-- bestuurlijk, beleidsmatig, politiek), the alternatives that answer them (initiatives,
-- publications and events, each with a line on why it helps), and the members who recognise
-- them. Opbrengsten: what the inspiratieregio's learn, as dated, reviewed lessons.
--
-- Review goes through the editorial statuses of an initiative (concept, ter_beoordeling,
-- gepubliceerd, gearchiveerd), stored with the same values; `status` is where the obstacle
-- stands in the network's conversation.
CREATE TABLE vraagstukken (
    id           bigserial PRIMARY KEY,
    slug         text NOT NULL UNIQUE,
    title        text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 160),
    summary      text NOT NULL DEFAULT '' CHECK (char_length(summary) <= 300),
    body_md      text NOT NULL DEFAULT '' CHECK (char_length(body_md) <= 20000),
    level_id     integer NOT NULL REFERENCES levels (id),
    status       text NOT NULL DEFAULT 'gesignaleerd'
                 CHECK (status IN ('gesignaleerd', 'in_gesprek', 'alternatief_gevonden')),
    review       text NOT NULL DEFAULT 'gepubliceerd'
                 CHECK (review IN ('concept', 'ter_beoordeling', 'gepubliceerd', 'gearchiveerd')),
    -- Who raised it: a member (shown with their public profile) or, when NULL, de redactie.
    raised_by_member_id bigint REFERENCES members (id) ON DELETE SET NULL,
    proposed_by  bigint REFERENCES users (id) ON DELETE SET NULL,
    raised_at    timestamptz NOT NULL DEFAULT now(),
    -- Merged into another obstacle: the old slug redirects there.
    merged_into  bigint REFERENCES vraagstukken (id) ON DELETE SET NULL CHECK (merged_into <> id),
    -- The number of rows in vraagstuk_recognitions, kept with them in one transaction.
    recognitions integer NOT NULL DEFAULT 0 CHECK (recognitions >= 0),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX vraagstukken_public_idx ON vraagstukken (level_id, recognitions DESC) WHERE review = 'gepubliceerd';
CREATE INDEX vraagstukken_search_idx ON vraagstukken
    USING gin (to_tsvector('dutch', immutable_unaccent(title || ' ' || summary || ' ' || body_md)));

CREATE TABLE vraagstuk_themes (
    vraagstuk_id bigint NOT NULL REFERENCES vraagstukken (id) ON DELETE CASCADE,
    theme_id     integer NOT NULL REFERENCES themes (id) ON DELETE CASCADE,
    PRIMARY KEY (vraagstuk_id, theme_id)
);
CREATE INDEX vraagstuk_themes_theme_idx ON vraagstuk_themes (theme_id, vraagstuk_id);
CREATE TABLE vraagstuk_regions (
    vraagstuk_id bigint NOT NULL REFERENCES vraagstukken (id) ON DELETE CASCADE,
    region_id    integer NOT NULL REFERENCES regions (id) ON DELETE CASCADE,
    PRIMARY KEY (vraagstuk_id, region_id)
);
CREATE INDEX vraagstuk_regions_region_idx ON vraagstuk_regions (region_id, vraagstuk_id);

-- An alternative points at exactly one initiative, publication or event.
CREATE TABLE vraagstuk_alternatives (
    id             bigserial PRIMARY KEY,
    vraagstuk_id   bigint NOT NULL REFERENCES vraagstukken (id) ON DELETE CASCADE,
    initiative_id  bigint REFERENCES initiatives (id) ON DELETE CASCADE,
    publication_id bigint REFERENCES publications (id) ON DELETE CASCADE,
    event_id       bigint REFERENCES events (id) ON DELETE CASCADE,
    why            text NOT NULL CHECK (char_length(why) BETWEEN 1 AND 300),
    review         text NOT NULL DEFAULT 'gepubliceerd'
                   CHECK (review IN ('concept', 'ter_beoordeling', 'gepubliceerd', 'gearchiveerd')),
    proposed_by    bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (num_nonnulls(initiative_id, publication_id, event_id) = 1)
);
CREATE UNIQUE INDEX vraagstuk_alternatives_initiative_idx ON vraagstuk_alternatives (initiative_id, vraagstuk_id);
CREATE UNIQUE INDEX vraagstuk_alternatives_publication_idx ON vraagstuk_alternatives (publication_id, vraagstuk_id);
CREATE UNIQUE INDEX vraagstuk_alternatives_event_idx ON vraagstuk_alternatives (event_id, vraagstuk_id);
CREATE INDEX vraagstuk_alternatives_vraagstuk_idx ON vraagstuk_alternatives (vraagstuk_id);

-- "Herken ik": one row per member and obstacle; a second one is refused by the key.
CREATE TABLE vraagstuk_recognitions (
    vraagstuk_id bigint NOT NULL REFERENCES vraagstukken (id) ON DELETE CASCADE,
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (vraagstuk_id, user_id)
);
CREATE INDEX vraagstuk_recognitions_user_idx ON vraagstuk_recognitions (user_id);

-- Opbrengsten: what an inspiratieregio learns, dated and reviewed before it is public.
CREATE TABLE lessons (
    id          bigserial PRIMARY KEY,
    slug        text NOT NULL UNIQUE,
    region_id   integer NOT NULL REFERENCES regions (id) ON DELETE CASCADE,
    title       text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 160),
    kind        text NOT NULL CHECK (kind IN ('werkt', 'werkt_niet', 'voorwaarde')),
    body_md     text NOT NULL DEFAULT '' CHECK (char_length(body_md) <= 20000),
    happened_on date NOT NULL,
    review      text NOT NULL DEFAULT 'ter_beoordeling'
                CHECK (review IN ('concept', 'ter_beoordeling', 'gepubliceerd', 'gearchiveerd')),
    author_id   bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX lessons_region_idx ON lessons (region_id, happened_on DESC) WHERE review = 'gepubliceerd';
CREATE INDEX lessons_search_idx ON lessons
    USING gin (to_tsvector('dutch', immutable_unaccent(title || ' ' || body_md)));
CREATE TABLE lesson_vraagstukken (
    lesson_id    bigint NOT NULL REFERENCES lessons (id) ON DELETE CASCADE,
    vraagstuk_id bigint NOT NULL REFERENCES vraagstukken (id) ON DELETE CASCADE,
    PRIMARY KEY (lesson_id, vraagstuk_id)
);
CREATE INDEX lesson_vraagstukken_vraagstuk_idx ON lesson_vraagstukken (vraagstuk_id);
CREATE TABLE lesson_initiatives (
    lesson_id     bigint NOT NULL REFERENCES lessons (id) ON DELETE CASCADE,
    initiative_id bigint NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    PRIMARY KEY (lesson_id, initiative_id)
);

SELECT track_public_content(t)
FROM unnest(ARRAY['vraagstukken', 'vraagstuk_themes', 'vraagstuk_regions', 'vraagstuk_alternatives',
                  'vraagstuk_recognitions', 'lessons', 'lesson_vraagstukken', 'lesson_initiatives']::regclass[]) AS t;
