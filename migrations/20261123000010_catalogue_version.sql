-- A version number for everything the catalogue list is computed from. Each app instance keeps
-- an in-memory index of the published initiatives (for facet counts and deep paging) and
-- compares this number on every request; the triggers bump it in the same transaction as the
-- change, so an instance that reads a version also sees the data that belongs to it.
CREATE TABLE catalogue_version (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    version   bigint NOT NULL DEFAULT 1
);
INSERT INTO catalogue_version DEFAULT VALUES;

CREATE FUNCTION bump_catalogue_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE catalogue_version SET version = version + 1;
    RETURN NULL;
END;
$$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['initiatives', 'initiative_themes', 'initiative_domains', 'initiative_levels',
                             'initiative_age_groups', 'themes', 'domains', 'levels', 'age_groups', 'regions']
    LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I '
                       'FOR EACH STATEMENT EXECUTE FUNCTION bump_catalogue_version()',
                       t || '_bump_catalogue_version', t);
    END LOOP;
END;
$$;
