-- A campaign's content after its introduction: an ordered list of blocks, each a chosen news
-- item or a free text (optional heading, Markdown body). Replaces campaigns.news_item_ids.

CREATE TABLE campaign_blocks (
    id           bigserial PRIMARY KEY,
    campaign_id  bigint NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    position     integer NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('nieuws', 'tekst')),
    news_item_id bigint REFERENCES news_items (id) ON DELETE CASCADE,
    heading      text NOT NULL DEFAULT '',
    body_md      text NOT NULL DEFAULT '',
    CHECK ((kind = 'nieuws') = (news_item_id IS NOT NULL)),
    UNIQUE (campaign_id, position)
);
CREATE INDEX campaign_blocks_news_item_idx ON campaign_blocks (news_item_id) WHERE news_item_id IS NOT NULL;

INSERT INTO campaign_blocks (campaign_id, position, kind, news_item_id)
SELECT c.id, s.k::integer, 'nieuws', s.id
FROM campaigns c, unnest(c.news_item_ids) WITH ORDINALITY AS s(id, k)
WHERE EXISTS (SELECT 1 FROM news_items n WHERE n.id = s.id);

ALTER TABLE campaigns DROP COLUMN news_item_ids;
