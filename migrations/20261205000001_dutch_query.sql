-- How every search box reads what a visitor types: web-search syntax ("quoted phrase", -not,
-- or), Dutch stemming, accents ignored. One definition for the list indexes, the site search,
-- the headlines and the API; the documents' side stays in each table's index expression.
-- A plain SQL function, so PostgreSQL inlines it and the GIN indexes are used as before.
CREATE FUNCTION dutch_query(text) RETURNS tsquery
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT websearch_to_tsquery('dutch', immutable_unaccent($1)) $$;
