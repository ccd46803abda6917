//! The lessons list (`/opbrengsten` and its API) the way the catalogue answers its own
//! (`catalogue::index`): each instance keeps the published lessons' cohorts, regions, and the
//! themes and levels they reach through their vraagstukken and initiatives in memory as row sets
//! (`search::rows`), numbered latest first. A filtered page and its total are then a few
//! AND/popcount passes over n/64 words. PostgreSQL answers the text query from its index and
//! supplies the cards shown. Freshness: `content_version`, as for the catalogue.

use sqlx::{PgPool, Postgres, Transaction};

use super::Review;
use super::queries::{self, Card, Filters};
use crate::search::index::{Index, View, finish_with_terms};
use crate::search::rows::{Numbering, SparseSets, TermSets};
use crate::taxonomy::Term;

pub type LessonIndex = Index<Snapshot>;

/// The published lessons at one version. Rows are numbered latest first.
pub struct Snapshot {
    rows: Numbering,
    cohorts: TermSets,
    themes: TermSets,
    levels: TermSets,
    regions: SparseSets,
}

impl LessonIndex {
    /// One page of the published lessons matching the filters, latest first, and the number
    /// found.
    pub async fn list(
        &self,
        db: &PgPool,
        f: &Filters,
        limit: i64,
        offset: i64,
    ) -> sqlx::Result<(Vec<Card>, i64)> {
        let snapshot = self.snapshot(db).await?;
        let n = snapshot.rows.len();
        let text = if let Some(q) = &f.q { Some(queries::matching_text(db, q).await?) } else { None };
        let mut matched = snapshot.rows.matched(text);
        matched.and_all([
            snapshot.cohorts.one(f.cohort.map(|c| c.to_string()).as_deref()),
            snapshot.themes.one(f.theme.as_deref()),
            snapshot.levels.one(f.level.as_deref()),
            snapshot.regions.rows_of(f.region.as_deref(), n),
        ]);
        let page = matched.page(usize::try_from(offset).unwrap_or(0), usize::try_from(limit).unwrap_or(0));
        Ok((queries::cards(db, &snapshot.rows.ids(&page)).await?, matched.count() as i64))
    }
}

impl View for Snapshot {
    const NAME: &'static str = "lessons";

    /// Reads the published lessons and what they reach.
    async fn load(mut tx: Transaction<'static, Postgres>) -> sqlx::Result<Self> {
        let published = Review::Gepubliceerd;
        let records = sqlx::query!(
            r#"SELECT l.id, l.region_id, r.cohort_year FROM lessons l JOIN regions r ON r.id = l.region_id
               WHERE l.review = $1 ORDER BY l.happened_on DESC, l.id DESC"#,
            published as Review,
        )
        .fetch_all(&mut *tx)
        .await?;
        // Themes and levels come through the published vraagstukken and initiatives a lesson is
        // linked to; one read for both facets (`theme`: true for a theme, false for a level).
        let reached = sqlx::query!(
            r#"SELECT true AS "theme!", lv.lesson_id AS "record!", vt.theme_id AS "term!" FROM lesson_vraagstukken lv
                 JOIN vraagstukken v ON v.id = lv.vraagstuk_id AND v.review = $1
                 JOIN vraagstuk_themes vt ON vt.vraagstuk_id = v.id
               UNION SELECT true, li.lesson_id, it.theme_id FROM lesson_initiatives li
                 JOIN initiatives i ON i.id = li.initiative_id AND i.status = $1
                 JOIN initiative_themes it ON it.initiative_id = i.id
               UNION SELECT false, lv.lesson_id, v.level_id FROM lesson_vraagstukken lv
                 JOIN vraagstukken v ON v.id = lv.vraagstuk_id AND v.review = $1
               UNION SELECT false, li.lesson_id, il.level_id FROM lesson_initiatives li
                 JOIN initiatives i ON i.id = li.initiative_id AND i.status = $1
                 JOIN initiative_levels il ON il.initiative_id = i.id"#,
            published as Review,
        )
        .fetch_all(&mut *tx)
        .await?;
        let ids = records.iter().map(|r| r.id).collect();
        let (rows, [themes, levels, regions]) = finish_with_terms(tx, ids).await?;
        let (n, row_of) = (rows.len(), rows.row_of());
        let region_links: Vec<(i64, i32)> = records.iter().map(|r| (r.id, r.region_id)).collect();
        let (mut theme_links, mut level_links) = (Vec::new(), Vec::new());
        for link in reached {
            let links = if link.theme { &mut theme_links } else { &mut level_links };
            links.push((link.record, link.term));
        }
        let cohort_links: Vec<(i64, i32)> =
            records.iter().filter_map(|r| Some((r.id, r.cohort_year?))).collect();
        let mut years: Vec<i32> = cohort_links.iter().map(|(_, year)| *year).collect();
        years.sort_unstable();
        years.dedup();
        let cohorts: Vec<Term> =
            years.into_iter().map(|y| Term { id: y, slug: y.to_string(), name: y.to_string() }).collect();

        Ok(Snapshot {
            cohorts: TermSets::build(cohorts, n, row_of, &cohort_links),
            themes: TermSets::build(themes, n, row_of, &theme_links),
            levels: TermSets::build(levels, n, row_of, &level_links),
            regions: SparseSets::build(&regions, row_of, &region_links),
            rows,
        })
    }

    fn rows(&self) -> usize {
        self.rows.len()
    }
}
