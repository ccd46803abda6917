//! The vraagstukken list the way the catalogue answers its own (`catalogue::index`): each
//! instance keeps the published obstacles' levels, themes, regions and statuses in memory as
//! row sets (`search::rows`), numbered newest first, with the order by recognition beside it.
//! A filtered list, the number found per level and the first `PER_LEVEL` of each level are then
//! a few AND/popcount passes over n/64 words. PostgreSQL answers the text query from its index
//! and supplies the cards shown. Freshness: `content_version`, as for the catalogue (every
//! table the list reads has its trigger, `vraagstuk_recognitions` included).

use std::collections::HashMap;
use std::sync::Arc;

use sqlx::PgPool;

use super::Review;
use super::queries::{self, Card, Filters, PER_LEVEL};
use super::status::VraagstukStatus;
use crate::search::rows::{RowSet, SparseSets, TermSets};
use crate::snapshot::{self, ContentClock, Snapshots, Versioned};
use crate::taxonomy::{self, Term, Vocabulary};

pub struct VraagstukIndex {
    snapshots: Snapshots<Snapshot>,
}

/// The published, unmerged obstacles at one version. Rows are numbered newest first.
struct Snapshot {
    version: i64,
    ids: Vec<i64>,
    levels: TermSets,
    themes: TermSets,
    regions: SparseSets,
    statuses: TermSets,
    /// The rows by recognitions (most first), then newest first.
    by_recognition: Vec<u32>,
}

impl Versioned for Snapshot {
    fn version(&self) -> i64 {
        self.version
    }
}

impl VraagstukIndex {
    pub fn new(clock: Arc<ContentClock>) -> Self {
        Self { snapshots: Snapshots::new(clock) }
    }

    /// The cards of at most `PER_LEVEL` obstacles per level that match the filters, by level and
    /// in the chosen order, with the number found per level (level id, count) for every level
    /// with any.
    pub async fn list(&self, db: &PgPool, f: &Filters) -> sqlx::Result<(Vec<Card>, Vec<(i32, i64)>)> {
        let snapshot = self.snapshots.get(db, || load(db)).await?;
        let n = snapshot.ids.len();
        let mut matched = match &f.q {
            Some(q) => {
                let row_of: HashMap<i64, u32> =
                    snapshot.ids.iter().enumerate().map(|(row, id)| (*id, row as u32)).collect();
                let ids = queries::matching_text(db, q).await?;
                RowSet::from_rows(n, ids.iter().filter_map(|id| row_of.get(id).copied()))
            }
            None => RowSet::full(n),
        };
        for set in [
            snapshot.themes.one(f.theme.as_deref()),
            snapshot.regions.rows_of(f.region.as_deref(), n),
            snapshot.levels.one(f.level.as_deref()),
            snapshot.statuses.one(f.status.map(|s| s.as_str())),
        ]
        .into_iter()
        .flatten()
        {
            matched.and_with(&set);
        }

        let mut found = Vec::new();
        let mut rows = Vec::new();
        for level in &snapshot.levels.terms {
            let Some(mut in_level) = snapshot.levels.one(Some(&level.slug)) else { continue };
            in_level.and_with(&matched);
            let count = in_level.count();
            if count == 0 {
                continue;
            }
            found.push((level.id, count as i64));
            let limit = PER_LEVEL as usize;
            rows.extend(if f.by_recognition {
                in_level.page_in(&snapshot.by_recognition, 0, limit)
            } else {
                in_level.page(0, limit)
            });
        }
        let ids: Vec<i64> = rows.iter().map(|&r| snapshot.ids[r as usize]).collect();
        let cards = queries::cards(db, &ids).await?;
        Ok((cards, found))
    }
}

/// Reads the published obstacles at one consistent moment.
async fn load(db: &PgPool) -> sqlx::Result<Snapshot> {
    let started = std::time::Instant::now();
    let (mut tx, version) = snapshot::read_consistent(db).await?;
    let rows = sqlx::query!(
        r#"SELECT id, level_id, status AS "status: VraagstukStatus", recognitions FROM vraagstukken
           WHERE review = $1 AND merged_into IS NULL
           ORDER BY raised_at DESC, id DESC"#,
        Review::Gepubliceerd as Review,
    )
    .fetch_all(&mut *tx)
    .await?;
    let theme_links = sqlx::query!("SELECT vraagstuk_id, theme_id FROM vraagstuk_themes")
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(|r| (r.vraagstuk_id, r.theme_id))
        .collect::<Vec<_>>();
    let region_links = sqlx::query!("SELECT vraagstuk_id, region_id FROM vraagstuk_regions")
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(|r| (r.vraagstuk_id, r.region_id))
        .collect::<Vec<_>>();
    let regions = crate::regions::queries::terms(&mut *tx).await?;
    let themes = taxonomy::all(&mut *tx, Vocabulary::Theme).await?;
    let levels = taxonomy::all(&mut *tx, Vocabulary::Level).await?;
    tx.commit().await?;

    let n = rows.len();
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let row_of: HashMap<i64, u32> = ids.iter().enumerate().map(|(row, id)| (*id, row as u32)).collect();
    let level_links: Vec<(i64, i32)> = rows.iter().map(|r| (r.id, r.level_id)).collect();
    let statuses: Vec<Term> = VraagstukStatus::ALL
        .iter()
        .enumerate()
        .map(|(at, s)| Term { id: at as i32, slug: s.as_str().to_owned(), name: s.label().to_owned() })
        .collect();
    let status_links: Vec<(i64, i32)> = rows
        .iter()
        .filter_map(|r| VraagstukStatus::ALL.iter().position(|s| *s == r.status).map(|at| (r.id, at as i32)))
        .collect();
    // Stable: equal recognitions keep the newest-first order of the rows.
    let mut by_recognition: Vec<u32> = (0..n as u32).collect();
    by_recognition.sort_by_key(|&row| std::cmp::Reverse(rows[row as usize].recognitions));

    let snapshot = Snapshot {
        version,
        levels: TermSets::build(levels, n, &row_of, &level_links),
        themes: TermSets::build(themes, n, &row_of, &theme_links),
        regions: SparseSets::build(&regions, &row_of, &region_links),
        statuses: TermSets::build(statuses, n, &row_of, &status_links),
        by_recognition,
        ids,
    };
    tracing::info!(
        vraagstukken = n,
        ms = started.elapsed().as_millis() as u64,
        "vraagstukken snapshot loaded"
    );
    Ok(snapshot)
}
