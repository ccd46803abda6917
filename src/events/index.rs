//! The events list (`/bijeenkomsten` and its API) the way the catalogue answers its own
//! (`catalogue::index`): each instance keeps the published and cancelled events' themes,
//! regions, levels and forms in memory as row sets (`search::rows`), numbered by start, with
//! their ends beside them. Which events lie in the past moves with the clock, so that set is
//! made per request from the ends (one pass over n numbers); the filters, the total and the page
//! are then a few AND/popcount passes over n/64 words. PostgreSQL supplies the cards shown.
//! Freshness: `content_version`, as for the catalogue.

use std::collections::HashMap;
use std::sync::Arc;

use sqlx::PgPool;
use time::OffsetDateTime;

use super::EventStatus;
use super::queries::{self, EventCard, Filters};
use super::status::EventForm;
use crate::search::rows::{RowSet, SparseSets, TermSets};
use crate::snapshot::{self, ContentClock, Snapshots, Versioned};
use crate::taxonomy::{self, Term, Vocabulary};

pub struct EventIndex {
    snapshots: Snapshots<Snapshot>,
}

/// The events on the site (not the concepts) at one version. Rows are numbered by start (then
/// id), as the coming events are listed.
struct Snapshot {
    version: i64,
    ids: Vec<i64>,
    /// Per row, when the event ends (Unix nanoseconds).
    ends: Vec<i128>,
    themes: TermSets,
    regions: SparseSets,
    levels: TermSets,
    forms: TermSets,
    /// The rows as past events are listed: latest start first, then by id.
    latest_first: Vec<u32>,
}

impl Versioned for Snapshot {
    fn version(&self) -> i64 {
        self.version
    }
}

impl EventIndex {
    pub fn new(clock: Arc<ContentClock>) -> Self {
        Self { snapshots: Snapshots::new(clock) }
    }

    /// One page of the events matching the filters (coming ones by start, or past ones latest
    /// first) and the number found.
    pub async fn list(
        &self,
        db: &PgPool,
        f: &Filters,
        limit: i64,
        offset: i64,
    ) -> sqlx::Result<(Vec<EventCard>, i64)> {
        let snapshot = self.snapshots.get(db, || load(db)).await?;
        let n = snapshot.ids.len();
        let now = OffsetDateTime::now_utc().unix_timestamp_nanos();
        let rows = snapshot.ends.iter().enumerate().filter(|(_, end)| (**end <= now) == f.past);
        let mut matched = RowSet::from_rows(n, rows.map(|(row, _)| row as u32));
        for set in [
            snapshot.themes.one(f.theme.as_deref()),
            snapshot.regions.rows_of(f.region.as_deref(), n),
            snapshot.levels.one(f.level.as_deref()),
            snapshot.forms.one(f.form.map(|v| v.as_str())),
        ]
        .into_iter()
        .flatten()
        {
            matched.and_with(&set);
        }
        let (offset, limit) = (usize::try_from(offset).unwrap_or(0), usize::try_from(limit).unwrap_or(0));
        let page = if f.past {
            matched.page_in(&snapshot.latest_first, offset, limit)
        } else {
            matched.page(offset, limit)
        };
        let ids: Vec<i64> = page.iter().map(|&r| snapshot.ids[r as usize]).collect();
        Ok((queries::cards(db, &ids).await?, matched.count() as i64))
    }
}

/// Reads the events on the site at one consistent moment.
async fn load(db: &PgPool) -> sqlx::Result<Snapshot> {
    let started = std::time::Instant::now();
    let (mut tx, version) = snapshot::read_consistent(db).await?;
    let rows = sqlx::query!(
        r#"SELECT id, starts_at, ends_at, level_id, form AS "form: EventForm" FROM events
           WHERE status <> $1 ORDER BY starts_at, id"#,
        EventStatus::Concept as EventStatus,
    )
    .fetch_all(&mut *tx)
    .await?;
    let theme_links = sqlx::query!("SELECT event_id, theme_id FROM event_themes")
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(|r| (r.event_id, r.theme_id))
        .collect::<Vec<_>>();
    let region_links = sqlx::query!("SELECT event_id, region_id FROM event_regions")
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(|r| (r.event_id, r.region_id))
        .collect::<Vec<_>>();
    let regions = crate::regions::queries::terms(&mut *tx).await?;
    let themes = taxonomy::all(&mut *tx, Vocabulary::Theme).await?;
    let levels = taxonomy::all(&mut *tx, Vocabulary::Level).await?;
    tx.commit().await?;

    let n = rows.len();
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let row_of: HashMap<i64, u32> = ids.iter().enumerate().map(|(row, id)| (*id, row as u32)).collect();
    let level_links: Vec<(i64, i32)> = rows.iter().filter_map(|r| Some((r.id, r.level_id?))).collect();
    let forms: Vec<Term> = EventForm::ALL
        .iter()
        .enumerate()
        .map(|(at, v)| Term { id: at as i32, slug: v.as_str().to_owned(), name: v.label().to_owned() })
        .collect();
    let form_links: Vec<(i64, i32)> = rows
        .iter()
        .filter_map(|r| EventForm::ALL.iter().position(|v| *v == r.form).map(|at| (r.id, at as i32)))
        .collect();
    // Rows are in start order; past events are listed latest start first and, at one start,
    // by id.
    let mut latest_first: Vec<u32> = (0..n as u32).collect();
    latest_first.sort_by_key(|&row| (std::cmp::Reverse(rows[row as usize].starts_at), rows[row as usize].id));

    let snapshot = Snapshot {
        version,
        ends: rows.iter().map(|r| r.ends_at.unix_timestamp_nanos()).collect(),
        themes: TermSets::build(themes, n, &row_of, &theme_links),
        regions: SparseSets::build(&regions, &row_of, &region_links),
        levels: TermSets::build(levels, n, &row_of, &level_links),
        forms: TermSets::build(forms, n, &row_of, &form_links),
        latest_first,
        ids,
    };
    tracing::info!(events = n, ms = started.elapsed().as_millis() as u64, "events snapshot loaded");
    Ok(snapshot)
}
