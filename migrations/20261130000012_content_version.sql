-- One version number for everything a public page shows (generalises catalogue_version).
-- Each app instance keeps rendered public pages in memory (src/web/page_cache.rs) and the
-- catalogue's in-memory index (src/catalogue/index.rs); both compare this number and drop what
-- they hold when it moved. Statement triggers bump it in the same transaction as the change,
-- so whoever reads a version also sees the data that belongs to it.
--
-- A table whose rows appear on a public page calls track_public_content('its_name') in its
-- migration; that is all a new list (events, publications, ...) needs to be cached safely.
ALTER TABLE catalogue_version RENAME TO content_version;
ALTER FUNCTION bump_catalogue_version() RENAME TO bump_content_version;
CREATE OR REPLACE FUNCTION bump_content_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE content_version SET version = version + 1;
    RETURN NULL;
END;
$$;

CREATE FUNCTION track_public_content(t regclass) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    name text := (SELECT relname FROM pg_class WHERE oid = t);
BEGIN
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %s '
                   'FOR EACH STATEMENT EXECUTE FUNCTION bump_content_version()',
                   name || '_bump_content_version', t);
END;
$$;

-- The catalogue's tables already have their triggers; give them the new name.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['initiatives', 'initiative_themes', 'initiative_domains', 'initiative_levels',
                             'initiative_age_groups', 'themes', 'domains', 'levels', 'age_groups', 'regions']
    LOOP
        EXECUTE format('ALTER TRIGGER %I ON %I RENAME TO %I',
                       t || '_bump_catalogue_version', t, t || '_bump_content_version');
    END LOOP;
END;
$$;

-- The rest of what public pages show: members (list, profile, region pages, search), news
-- (home, list, item, feed, search) and the newsletter archive.
SELECT track_public_content(t)
FROM unnest(ARRAY['members', 'member_themes', 'member_domains', 'news_items', 'news_item_themes',
                  'campaigns', 'campaign_blocks']::regclass[]) AS t;
