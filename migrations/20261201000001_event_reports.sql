-- The report after an event may carry a photo from the media library (see media::UNUSED).
ALTER TABLE events ADD COLUMN report_image_id bigint REFERENCES media (id) ON DELETE SET NULL;
ALTER TABLE events ADD COLUMN report_image_alt text NOT NULL DEFAULT '';
