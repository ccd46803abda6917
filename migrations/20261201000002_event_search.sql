-- /zoeken looks in an event's title, summary and programme (see events::queries::matching).
CREATE INDEX events_search_idx ON events
    USING gin (to_tsvector('dutch', immutable_unaccent(title || ' ' || summary || ' ' || programme_md)));
