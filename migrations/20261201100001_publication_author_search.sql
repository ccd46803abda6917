-- The kennisbank's text search also finds a publication by a misspelt author name
-- ($1 <% author_names); without this index that part scans the whole table.
CREATE INDEX publications_author_names_trgm_idx ON publications USING gin (author_names gin_trgm_ops);
