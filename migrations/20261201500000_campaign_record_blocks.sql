-- A campaign block can also refer to a record of another feature: an event or a publication.
-- One column holds the record's id for every such kind (the kind says which table); a block
-- whose record is gone or no longer published is left out of the mail and flagged in the editor.

ALTER TABLE campaign_blocks ADD COLUMN record_id bigint;
ALTER TABLE campaign_blocks DROP CONSTRAINT campaign_blocks_kind_check;
ALTER TABLE campaign_blocks ADD CONSTRAINT campaign_blocks_kind_check
    CHECK (kind IN ('nieuws', 'tekst', 'evenement', 'publicatie'));
ALTER TABLE campaign_blocks ADD CONSTRAINT campaign_blocks_record_check
    CHECK ((kind IN ('evenement', 'publicatie')) = (record_id IS NOT NULL));
CREATE INDEX campaign_blocks_record_idx ON campaign_blocks (kind, record_id) WHERE record_id IS NOT NULL;
