-- An initiative as the back office lists it: with its owner's name and whether a member's
-- proposed change waits for a decision. The review queue and the searchable list both read it
-- (catalogue::admin::initiatives::list), so the two cannot come to show a row differently.
CREATE VIEW initiative_admin_rows AS
SELECT i.id, i.slug, i.name, i.status, i.featured, m.name AS owner_name, i.updated_at,
       EXISTS (SELECT 1 FROM initiative_revisions v WHERE v.initiative_id = i.id AND v.decided_at IS NULL)
         AS pending
FROM initiatives i LEFT JOIN members m ON m.id = i.owner_id;
