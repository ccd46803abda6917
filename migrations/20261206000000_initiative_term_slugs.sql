-- An initiative's terms in each vocabulary, as slugs in the vocabulary's own order (terms in
-- the same position by slug; the queries this replaces left those ties unordered). The
-- initiative editor (catalogue::editorial) and the open-data API (api) both read it, so the
-- four joins are written once.
CREATE VIEW initiative_term_slugs AS
SELECT i.id AS initiative_id,
       ARRAY(SELECT t.slug FROM initiative_themes l JOIN themes t ON t.id = l.theme_id
             WHERE l.initiative_id = i.id ORDER BY t.position, t.slug) AS themes,
       ARRAY(SELECT t.slug FROM initiative_domains l JOIN domains t ON t.id = l.domain_id
             WHERE l.initiative_id = i.id ORDER BY t.position, t.slug) AS domains,
       ARRAY(SELECT t.slug FROM initiative_levels l JOIN levels t ON t.id = l.level_id
             WHERE l.initiative_id = i.id ORDER BY t.position, t.slug) AS levels,
       ARRAY(SELECT t.slug FROM initiative_age_groups l JOIN age_groups t ON t.id = l.age_group_id
             WHERE l.initiative_id = i.id ORDER BY t.position, t.slug) AS age_groups
FROM initiatives i;
