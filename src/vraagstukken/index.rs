//! The vraagstukken list the way the catalogue answers its own (`catalogue::index`): each
//! instance keeps the published obstacles' levels, themes, regions and statuses in memory as
//! row sets (`search::rows`), numbered newest first, with the order by recognition beside it.
//! A filtered list, the number found per level and the first `PER_LEVEL` of each level are then
//! a few AND/popcount passes over n/64 words. PostgreSQL answers the text query from its index
//! and supplies the cards shown. Freshness: `content_version`, as for the catalogue (every
//! table the list reads has its trigger, `vraagstuk_recognitions` included).

use sqlx::{PgPool, Postgres, Transaction};

use super::Review;
use super::queries::{self, Card, Filters, PER_LEVEL};
use super::status::VraagstukStatus;
use crate::search::index::{Index, View, finish_with_terms};
use crate::search::rows::{self, Link, Numbering, SparseSets, TermSets};

pub type VraagstukIndex = Index<Snapshot>;

/// The published, unmerged obstacles at one version. Rows are numbered newest first.
pub struct Snapshot {
    rows: Numbering,
    levels: TermSets,
    themes: TermSets,
    regions: SparseSets,
    statuses: TermSets,
    /// The rows by recognitions (most first), then newest first.
    by_recognition: Vec<u32>,
}

impl VraagstukIndex {
    /// The cards of at most `PER_LEVEL` obstacles per level that match the filters, by level and
    /// in the chosen order, with the number found per level (level id, count) for every level
    /// with any.
    pub async fn list(&self, db: &PgPool, f: &Filters) -> sqlx::Result<(Vec<Card>, Vec<(i32, i64)>)> {
        let snapshot = self.snapshot(db).await?;
        let n = snapshot.rows.len();
        let text = if let Some(q) = &f.q { Some(queries::matching_text(db, q).await?) } else { None };
        let mut matched = snapshot.rows.matched(text);
        matched.and_all([
            snapshot.themes.one(f.theme.as_deref()),
            snapshot.regions.rows_of(f.region.as_deref(), n),
            snapshot.levels.one(f.level.as_deref()),
            snapshot.statuses.one(f.status.map(|s| s.as_str())),
        ]);

        let mut found = Vec::new();
        let mut page = Vec::new();
        for level in &snapshot.levels.terms {
            let Some(mut in_level) = snapshot.levels.one(Some(&level.slug)) else { continue };
            in_level.and_with(&matched);
            let count = in_level.count();
            if count == 0 {
                continue;
            }
            found.push((level.id, count as i64));
            let limit = PER_LEVEL as usize;
            page.extend(if f.by_recognition {
                in_level.page_in(&snapshot.by_recognition, 0, limit)
            } else {
                in_level.page(0, limit)
            });
        }
        let cards = queries::cards(db, &snapshot.rows.ids(&page)).await?;
        Ok((cards, found))
    }
}

impl View for Snapshot {
    const NAME: &'static str = "vraagstukken";

    /// Reads the published obstacles.
    async fn load(mut tx: Transaction<'static, Postgres>) -> sqlx::Result<Self> {
        let records = sqlx::query!(
            r#"SELECT id, level_id, status AS "status: VraagstukStatus", recognitions FROM vraagstukken
               WHERE review = $1 AND merged_into IS NULL
               ORDER BY raised_at DESC, id DESC"#,
            Review::Gepubliceerd as Review,
        )
        .fetch_all(&mut *tx)
        .await?;
        let theme_links =
            sqlx::query_as!(Link, "SELECT vraagstuk_id AS record, theme_id AS term FROM vraagstuk_themes")
                .fetch_all(&mut *tx)
                .await?;
        let region_links =
            sqlx::query_as!(Link, "SELECT vraagstuk_id AS record, region_id AS term FROM vraagstuk_regions")
                .fetch_all(&mut *tx)
                .await?;
        let ids = records.iter().map(|r| r.id).collect();
        let (rows, [themes, levels, regions]) = finish_with_terms(tx, ids).await?;
        let (n, row_of) = (rows.len(), rows.row_of());
        let level_links: Vec<(i64, i32)> = records.iter().map(|r| (r.id, r.level_id)).collect();
        let (statuses, status_links) = rows::enum_facet(records.iter().map(|r| (r.id, r.status)));
        // Stable: equal recognitions keep the newest-first order of the rows.
        let mut by_recognition: Vec<u32> = (0..n as u32).collect();
        by_recognition.sort_by_key(|&row| std::cmp::Reverse(records[row as usize].recognitions));

        Ok(Snapshot {
            levels: TermSets::build(levels, n, row_of, &level_links),
            themes: TermSets::build(themes, n, row_of, &rows::pairs(theme_links)),
            regions: SparseSets::build(&regions, row_of, &rows::pairs(region_links)),
            statuses: TermSets::build(statuses, n, row_of, &status_links),
            by_recognition,
            rows,
        })
    }

    fn rows(&self) -> usize {
        self.rows.len()
    }
}
