//! The catalogue list without a query per facet: each app instance keeps the published
//! initiatives' tags, regions and sort orders in memory, as row sets (`search::rows`: per term
//! and per region the bitset of the rows carrying it), and computes the list, its total, every
//! facet count and the region selector with a few AND/OR/popcount passes over n/64 words.
//! PostgreSQL still answers the full-text part and supplies the cards of the page shown.
//!
//! Freshness: the table `content_version` is bumped by triggers in the same transaction as
//! any change to public content (initiatives, their tags, the vocabularies, the regions, and
//! what other public pages show; see the migration `content_version`). A search answers on
//! the snapshot of the version the instance's `snapshot::ContentClock` gives, so every
//! instance shows a change within `snapshot::RECHECK`. The cards a snapshot has shown are kept
//! with it (`snapshot::Cards`): a filter combination whose cards were shown before is answered
//! without PostgreSQL.

use std::collections::HashMap;
use std::sync::Arc;

use sqlx::{FromRow, PgPool, Postgres, QueryBuilder, Row, Transaction};

use super::InitiativeStatus;
use super::queries::{
    CARD_LOGO_COLUMNS, CARD_LOGO_JOIN, Filters, HIGHLIGHT_END, HIGHLIGHT_START, InitiativeCard, Sort,
};
use crate::regions::RegionKind;
use crate::regions::queries::{self as regions, FilterOption};
use crate::search::index::{Index, View};
use crate::search::rows::{self, Filtered, RegionSets, RowSet, TermSets};
use crate::snapshot::Cards;
use crate::taxonomy::{self, Term, Vocabulary};
use crate::web::facets::RegionOptions;

/// The four tag vocabularies, in the order their facets appear.
const VOCABULARIES: [Vocabulary; 4] =
    [Vocabulary::Theme, Vocabulary::Domain, Vocabulary::Level, Vocabulary::AgeGroup];

pub type CatalogueIndex = Index<Snapshot>;

/// The published catalogue at one version. Rows are numbered in "newest first" order.
pub struct Snapshot {
    ids: Vec<i64>,
    row_of: HashMap<i64, u32>,
    /// Per vocabulary (in `VOCABULARIES` order): its terms and the rows tagged with each.
    vocabularies: [TermSets; 4],
    /// Rows in A–Z order.
    by_name: Vec<u32>,
    /// The rows per region (a province or jeugdregio holds those of its municipalities).
    regions: RegionSets,
    /// The region selector: provinces, jeugdregio's, then the municipalities with at least one
    /// published initiative, each by name; rendered once per snapshot.
    region_options: Arc<RegionOptions>,
    /// The cards shown so far (without search highlights).
    cards: Cards<InitiativeCard>,
}

/// The answer to one catalogue search.
pub struct Found {
    pub cards: Vec<Arc<InitiativeCard>>,
    pub total: i64,
    /// Per vocabulary (in `VOCABULARIES` order): every term with the number of results choosing
    /// it would give, every other chosen filter applied.
    pub facets: [Vec<(Term, i64)>; 4],
    /// The region selector's options, from the same snapshot (see `region_filter_options`).
    pub regions: Arc<RegionOptions>,
}

impl CatalogueIndex {
    /// Published initiatives per region id (each counted for its own region only).
    pub async fn count_by_region(&self, db: &PgPool) -> sqlx::Result<Vec<i64>> {
        Ok(self.snapshot(db).await?.regions.own_counts())
    }

    /// The regions a visitor can filter by: provinces, jeugdregio's and the municipalities with
    /// at least one published initiative.
    pub async fn region_filter_options(&self, db: &PgPool) -> sqlx::Result<Arc<RegionOptions>> {
        Ok(self.snapshot(db).await?.region_options.clone())
    }

    /// `region_filter_options` at least as new as `version`, a `content_version` the caller
    /// read (no round trip when the snapshot held is that new).
    pub async fn region_filter_options_at(
        &self,
        db: &PgPool,
        version: i64,
    ) -> sqlx::Result<Arc<RegionOptions>> {
        Ok(self.snapshot_at(db, version).await?.region_options.clone())
    }

    /// One page of the published initiatives matching `filters`, with the total and the facet
    /// counts: no round trip to PostgreSQL when the snapshot is current and its cards were shown
    /// before; a text query asks PostgreSQL for its matches and their highlighted cards.
    pub async fn search(
        &self,
        db: &PgPool,
        filters: &Filters,
        limit: i64,
        offset: i64,
    ) -> sqlx::Result<Found> {
        let limit = limit.max(0) as usize;
        let offset = offset.max(0) as usize;
        let snapshot = self.snapshot(db).await?;
        let ranked = match &filters.q {
            Some(q) => Some(text_matches(db, &snapshot, q).await?),
            None => None,
        };
        let filtered = snapshot.filter(filters, ranked.as_ref().map(|r| &r.0));
        let matched = &filtered.matched;
        let page_rows: Vec<u32> = match (filters.sort, &ranked) {
            (Sort::Relevance, Some((_, order))) => matched.page_in(order, offset, limit),
            (Sort::Name, _) => matched.page_in(&snapshot.by_name, offset, limit),
            _ => matched.page(offset, limit),
        };
        let ids: Vec<i64> = page_rows.iter().map(|&r| snapshot.ids[r as usize]).collect();
        let cards = match filters.q.as_deref() {
            Some(q) => cards(db, ids, Some(q)).await?.into_iter().map(|(_, card)| Arc::new(card)).collect(),
            None => snapshot.cards.get(&ids, |missing| cards(db, missing, None)).await?,
        };

        let mut counts = filtered.counts.into_iter();
        let facets = std::array::from_fn(|v| {
            let terms = snapshot.vocabularies[v].terms.iter().cloned();
            terms.zip(counts.next().unwrap_or_default()).collect()
        });
        let total = matched.count() as i64;
        Ok(Found { cards, total, facets, regions: snapshot.region_options.clone() })
    }
}

impl Snapshot {
    /// Every region in the selector's order, less the municipalities without an initiative.
    fn region_options(region_list: &[(i32, FilterOption)], regions: &RegionSets) -> RegionOptions {
        let counts = regions.own_counts();
        let shown: Vec<(&str, String)> = region_list
            .iter()
            .filter(|(id, option)| {
                option.kind != RegionKind::Gemeente
                    || usize::try_from(*id).ok().and_then(|i| counts.get(i)).is_some_and(|&n| n > 0)
            })
            .map(|(_, option)| (option.slug.as_str(), option.label()))
            .collect();
        RegionOptions::new(shown.iter().map(|(slug, label)| (*slug, label.as_str())))
    }

    /// The rows passing every filter, and the facet counts (see `search::rows::filter`).
    fn filter(&self, filters: &Filters, text: Option<&RowSet>) -> Filtered {
        let len = self.ids.len();
        let mut base = text.cloned();
        if let Some(region) = &filters.region {
            let in_region = self.regions.rows_in(region, len);
            match &mut base {
                Some(base) => base.and_with(&in_region),
                None => base = Some(in_region),
            }
        }
        let chosen = [&filters.themes, &filters.domains, &filters.levels, &filters.age_groups];
        let facets: Vec<(&TermSets, Option<RowSet>)> =
            self.vocabularies.iter().zip(chosen).map(|(sets, slugs)| (sets, sets.any_of(slugs))).collect();
        rows::filter(len, base, &facets, true)
    }
}

/// Rows matching the text query, and those rows in order of relevance.
async fn text_matches(db: &PgPool, snapshot: &Snapshot, q: &str) -> sqlx::Result<(RowSet, Vec<u32>)> {
    let hits = sqlx::query_scalar!(
        "SELECT i.id FROM initiatives i \
         WHERE i.status = $2 \
           AND (i.search @@ dutch_query($1) OR i.name % $1) \
         ORDER BY ts_rank(i.search, dutch_query($1)) \
                  + similarity(i.name, $1) DESC, i.id DESC",
        q,
        InitiativeStatus::Gepubliceerd as InitiativeStatus,
    )
    .fetch_all(db)
    .await?;
    let mut matched = RowSet::empty(snapshot.ids.len());
    let mut order = Vec::with_capacity(hits.len());
    for id in hits {
        if let Some(&row) = snapshot.row_of.get(&id) {
            matched.insert(row);
            order.push(row);
        }
    }
    Ok((matched, order))
}

/// The cards for the given initiatives, each with its id, in the given order; with the
/// search words marked when there is a text query.
async fn cards(db: &PgPool, ids: Vec<i64>, q: Option<&str>) -> sqlx::Result<Vec<(i64, InitiativeCard)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = QueryBuilder::<Postgres>::new(
        "SELECT i.id, i.slug, i.name, i.summary, r.name AS region_name, i.published_at, ",
    );
    query.push(CARD_LOGO_COLUMNS).push(", ");
    match q {
        Some(q) => {
            query.push("ts_headline('dutch', i.summary, dutch_query(").push_bind(q.to_owned()).push(format!(
                "), 'HighlightAll=true, StartSel={HIGHLIGHT_START}, StopSel={HIGHLIGHT_END}') AS headline"
            ));
        }
        None => {
            query.push("NULL::text AS headline");
        }
    }
    query.push(" FROM unnest(").push_bind(ids).push(
        "::bigint[]) WITH ORDINALITY AS s(id, n) JOIN initiatives i ON i.id = s.id \
             LEFT JOIN regions r ON r.id = i.region_id ",
    );
    query.push(CARD_LOGO_JOIN).push(" ORDER BY s.n");
    let rows = query.build().fetch_all(db).await?;
    rows.iter().map(|row| Ok((row.try_get("id")?, InitiativeCard::from_row(row)?))).collect()
}

impl View for Snapshot {
    const NAME: &'static str = "catalogue";

    /// Reads the catalogue.
    async fn load(mut tx: Transaction<'static, Postgres>) -> sqlx::Result<Self> {
        let rows = sqlx::query!(
            "SELECT id, region_id FROM initiatives WHERE status = $1 ORDER BY published_at DESC NULLS LAST, id DESC",
            InitiativeStatus::Gepubliceerd as InitiativeStatus,
        )
        .fetch_all(&mut *tx)
        .await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let region: Vec<i32> = rows.iter().map(|r| r.region_id.unwrap_or(0)).collect();
        let row_of: HashMap<i64, u32> = ids.iter().enumerate().map(|(row, id)| (*id, row as u32)).collect();

        let by_name_ids = sqlx::query_scalar!(
            "SELECT id FROM initiatives WHERE status = $1 ORDER BY lower(name), id",
            InitiativeStatus::Gepubliceerd as InitiativeStatus,
        )
        .fetch_all(&mut *tx)
        .await?;
        let by_name = by_name_ids.iter().filter_map(|id| row_of.get(id).copied()).collect();

        // Each vocabulary's (initiative, term) pairs, by its place in `VOCABULARIES`.
        let mut links: [Vec<(i64, i32)>; 4] = Default::default();
        let pairs = sqlx::query!(
            r#"SELECT 0 AS "vocabulary!", initiative_id AS "initiative!", theme_id AS "term!" FROM initiative_themes
               UNION ALL SELECT 1, initiative_id, domain_id FROM initiative_domains
               UNION ALL SELECT 2, initiative_id, level_id FROM initiative_levels
               UNION ALL SELECT 3, initiative_id, age_group_id FROM initiative_age_groups"#
        )
        .fetch_all(&mut *tx)
        .await?;
        for pair in pairs {
            links[pair.vocabulary as usize].push((pair.initiative, pair.term));
        }
        let mut vocabularies = Vec::with_capacity(4);
        for (vocabulary, links) in VOCABULARIES.iter().zip(&links) {
            let terms = taxonomy::all(&mut *tx, *vocabulary).await?;
            vocabularies.push(TermSets::build(terms, ids.len(), &row_of, links));
        }
        let hierarchy = regions::hierarchy(&mut *tx).await?;
        let region_list: Vec<(i32, FilterOption)> = sqlx::query!(
            r#"SELECT id, slug, name, kind AS "kind: RegionKind" FROM regions
               ORDER BY kind = $1, kind <> $2, name"#,
            RegionKind::Gemeente as RegionKind,
            RegionKind::Provincie as RegionKind,
        )
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(|r| (r.id, FilterOption { slug: r.slug, name: r.name, kind: r.kind }))
        .collect();
        tx.commit().await?;

        let vocabularies: [TermSets; 4] = vocabularies.try_into().unwrap_or_else(|_| unreachable!());
        let regions = RegionSets::build(hierarchy, &region);
        Ok(Snapshot {
            region_options: Arc::new(Snapshot::region_options(&region_list, &regions)),
            regions,
            ids,
            row_of,
            vocabularies,
            by_name,
            cards: Cards::default(),
        })
    }

    fn rows(&self) -> usize {
        self.ids.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(id: i32, slug: &str) -> Term {
        Term { id, slug: slug.into(), name: slug.into() }
    }

    /// Three rows (ids 30, 20, 10): themes a/b, domains x/y, region 1 (a municipality in
    /// province 2) or none.
    fn snapshot() -> Snapshot {
        let row_of: HashMap<i64, u32> = [(30, 0), (20, 1), (10, 2)].into_iter().collect();
        let empty = || TermSets::build(vec![], 3, &row_of, &[]);
        let regions = regions::Hierarchy {
            ids: [("gemeente".to_string(), 1), ("provincie".to_string(), 2)].into_iter().collect(),
            parents: vec![(0, 0), (2, 0), (0, 0)],
        };
        Snapshot {
            ids: vec![30, 20, 10],
            vocabularies: [
                TermSets::build(
                    vec![term(1, "a"), term(2, "b")],
                    3,
                    &row_of,
                    &[(30, 1), (20, 1), (20, 2), (10, 2)],
                ),
                TermSets::build(vec![term(1, "x"), term(2, "y")], 3, &row_of, &[(30, 1), (20, 2), (10, 2)]),
                empty(),
                empty(),
            ],
            row_of,
            by_name: vec![2, 0, 1],
            regions: RegionSets::build(regions, &[1, 0, 1]),
            region_options: Arc::default(),
            cards: Cards::default(),
        }
    }

    fn rows(set: &RowSet) -> Vec<u32> {
        set.iter().collect()
    }

    #[test]
    fn facets_count_with_every_other_filter() {
        let s = snapshot();
        let filters = Filters { themes: vec!["a".into()], domains: vec!["y".into()], ..Default::default() };
        let result = s.filter(&filters, None);
        assert_eq!(rows(&result.matched), vec![1]);
        // Themes counted with only the domain filter (rows 1 and 2): a=1, b=2.
        assert_eq!(result.counts[0], vec![1, 2]);
        // Domains counted with only the theme filter (rows 0 and 1): x=1, y=1.
        assert_eq!(result.counts[1], vec![1, 1]);
    }

    #[test]
    fn a_province_includes_its_municipalities_and_unknown_regions_match_nothing() {
        let s = snapshot();
        let in_province = s.filter(&Filters { region: Some("provincie".into()), ..Default::default() }, None);
        assert_eq!(rows(&in_province.matched), vec![0, 2]);
        let unknown = s.filter(&Filters { region: Some("nergens".into()), ..Default::default() }, None);
        assert_eq!(unknown.matched.count(), 0);
    }

    #[test]
    fn text_matches_narrow_the_rows() {
        let s = snapshot();
        let result = s.filter(&Filters::default(), Some(&RowSet::from_rows(3, [2])));
        assert_eq!(rows(&result.matched), vec![2]);
        assert_eq!(result.counts[0], vec![0, 1]);
    }
}
