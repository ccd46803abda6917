//! The events list (`/bijeenkomsten` and its API) the way the catalogue answers its own
//! (`catalogue::index`): each instance keeps the published and cancelled events' themes,
//! regions, levels and forms in memory as row sets (`search::rows`), numbered by start, with
//! their ends beside them. Which events lie in the past moves with the clock, so that set is
//! made per request from the ends (one pass over n numbers); the filters, the total and the page
//! are then a few AND/popcount passes over n/64 words. PostgreSQL supplies the cards shown.
//! Freshness: `content_version`, as for the catalogue.

use sqlx::{PgPool, Postgres, Transaction};
use time::OffsetDateTime;

use super::EventStatus;
use super::queries::{self, EventCard, Filters};
use super::status::EventForm;
use crate::search::index::{Index, View, finish_with_terms};
use crate::search::rows::{self, Link, Numbering, RowSet, SparseSets, TermSets};

pub type EventIndex = Index<Snapshot>;

/// The events on the site (not the concepts). Rows are numbered by start (then id), as the
/// coming events are listed.
pub struct Snapshot {
    rows: Numbering,
    /// Per row, when the event ends (Unix nanoseconds).
    ends: Vec<i128>,
    themes: TermSets,
    regions: SparseSets,
    levels: TermSets,
    forms: TermSets,
    /// The rows as past events are listed: latest start first, then by id.
    latest_first: Vec<u32>,
}

impl EventIndex {
    /// One page of the events matching the filters (coming ones by start, or past ones latest
    /// first) and the number found.
    pub async fn list(
        &self,
        db: &PgPool,
        f: &Filters,
        limit: i64,
        offset: i64,
    ) -> sqlx::Result<(Vec<EventCard>, i64)> {
        let snapshot = self.snapshot(db).await?;
        let now = OffsetDateTime::now_utc().unix_timestamp_nanos();
        let matched = snapshot.matching(f, |end| (end <= now) == f.past);
        let (offset, limit) = (usize::try_from(offset).unwrap_or(0), usize::try_from(limit).unwrap_or(0));
        let page = if f.past {
            matched.page_in(&snapshot.latest_first, offset, limit)
        } else {
            matched.page(offset, limit)
        };
        Ok((queries::cards(db, &snapshot.rows.ids(&page)).await?, matched.count() as i64))
    }

    /// The ids of the events the calendar feed holds: those matching the filters (`f.past`
    /// aside) that end later than `days_back` days ago, by start, at most `limit`.
    pub async fn for_feed(
        &self,
        db: &PgPool,
        f: &Filters,
        days_back: i64,
        limit: usize,
    ) -> sqlx::Result<Vec<i64>> {
        let snapshot = self.snapshot(db).await?;
        let since = (OffsetDateTime::now_utc() - time::Duration::days(days_back)).unix_timestamp_nanos();
        Ok(snapshot.rows.ids(&snapshot.matching(f, |end| end > since).page(0, limit)))
    }
}

impl Snapshot {
    /// The rows whose end passes `keep` and that match the filters other than `f.past`.
    fn matching(&self, f: &Filters, keep: impl Fn(i128) -> bool) -> RowSet {
        let n = self.rows.len();
        let in_time = self.ends.iter().enumerate().filter(|(_, end)| keep(**end));
        let mut matched = RowSet::from_rows(n, in_time.map(|(row, _)| row as u32));
        matched.and_all([
            self.themes.one(f.theme.as_deref()),
            self.regions.rows_of(f.region.as_deref(), n),
            self.levels.one(f.level.as_deref()),
            self.forms.one(f.form.map(|v| v.as_str())),
        ]);
        matched
    }
}

impl View for Snapshot {
    const NAME: &'static str = "events";

    /// Reads the events on the site.
    async fn load(mut tx: Transaction<'static, Postgres>) -> sqlx::Result<Self> {
        let records = sqlx::query!(
            r#"SELECT id, starts_at, ends_at, level_id, form AS "form: EventForm" FROM events
               WHERE status <> $1 ORDER BY starts_at, id"#,
            EventStatus::Concept as EventStatus,
        )
        .fetch_all(&mut *tx)
        .await?;
        let theme_links =
            sqlx::query_as!(Link, "SELECT event_id AS record, theme_id AS term FROM event_themes")
                .fetch_all(&mut *tx)
                .await?;
        let region_links =
            sqlx::query_as!(Link, "SELECT event_id AS record, region_id AS term FROM event_regions")
                .fetch_all(&mut *tx)
                .await?;
        let ids = records.iter().map(|r| r.id).collect();
        let (rows, [themes, levels, regions]) = finish_with_terms(tx, ids).await?;
        let (n, row_of) = (rows.len(), rows.row_of());
        let level_links: Vec<(i64, i32)> = records.iter().filter_map(|r| Some((r.id, r.level_id?))).collect();
        let (forms, form_links) = rows::enum_facet(records.iter().map(|r| (r.id, r.form)));
        // Rows are in start order; past events are listed latest start first and, at one start,
        // by id.
        let mut latest_first: Vec<u32> = (0..n as u32).collect();
        latest_first.sort_by_key(|&row| {
            (std::cmp::Reverse(records[row as usize].starts_at), records[row as usize].id)
        });

        Ok(Snapshot {
            ends: records.iter().map(|r| r.ends_at.unix_timestamp_nanos()).collect(),
            themes: TermSets::build(themes, n, row_of, &rows::pairs(theme_links)),
            regions: SparseSets::build(&regions, row_of, &rows::pairs(region_links)),
            levels: TermSets::build(levels, n, row_of, &level_links),
            forms: TermSets::build(forms, n, row_of, &form_links),
            latest_first,
            rows,
        })
    }

    fn rows(&self) -> usize {
        self.rows.len()
    }
}
