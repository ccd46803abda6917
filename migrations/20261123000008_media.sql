-- Uploaded images (logos, photos, news images), stored once per content in the database so
-- that every app instance can serve them. Only re-encoded images are stored, never the upload.

CREATE TABLE media (
    id           bigserial PRIMARY KEY,
    sha256       text NOT NULL UNIQUE CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    content_type text NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg')),
    width        integer NOT NULL CHECK (width > 0),
    height       integer NOT NULL CHECK (height > 0),
    bytes        bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    created_by   bigint REFERENCES users (id) ON DELETE SET NULL
);

ALTER TABLE news_items
    ADD COLUMN image_id  bigint REFERENCES media (id) ON DELETE SET NULL,
    ADD COLUMN image_alt text NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN logo_id bigint REFERENCES media (id) ON DELETE SET NULL;
ALTER TABLE initiatives ADD COLUMN logo_id bigint REFERENCES media (id) ON DELETE SET NULL;

-- For the reference checks before an unused image is deleted (and for ON DELETE SET NULL).
CREATE INDEX news_items_image_idx ON news_items (image_id) WHERE image_id IS NOT NULL;
CREATE INDEX members_logo_idx ON members (logo_id) WHERE logo_id IS NOT NULL;
CREATE INDEX initiatives_logo_idx ON initiatives (logo_id) WHERE logo_id IS NOT NULL;
CREATE INDEX media_created_idx ON media (created_at);
