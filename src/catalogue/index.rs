//! The catalogue list without a query per facet: each app instance keeps the published
//! initiatives' tags, regions and sort orders in memory and computes the list, its total and
//! every facet count in one pass over them. PostgreSQL still answers the full-text part and
//! supplies the cards of the page shown.
//!
//! Freshness: the table `content_version` is bumped by triggers in the same transaction as
//! any change to public content (initiatives, their tags, the vocabularies, the regions, and
//! what other public pages show; see the migration `content_version`). Every search reads
//! that number first (one primary-key lookup) and rebuilds the index when it moved, so all
//! instances show a change from the next request on.

use std::collections::HashMap;
use std::sync::Arc;

use sqlx::{PgPool, Postgres, QueryBuilder};

use super::InitiativeStatus;
use super::queries::{
    CARD_LOGO_COLUMNS, CARD_LOGO_JOIN, Filters, HIGHLIGHT_END, HIGHLIGHT_START, InitiativeCard, Sort,
};
use crate::regions::queries as regions;
use crate::snapshot::{self, Snapshots, Versioned};
use crate::taxonomy::{self, Term, Vocabulary};

/// The four tag vocabularies, in the order their facets appear.
const VOCABULARIES: [Vocabulary; 4] =
    [Vocabulary::Theme, Vocabulary::Domain, Vocabulary::Level, Vocabulary::AgeGroup];

#[derive(Default)]
pub struct CatalogueIndex {
    snapshots: Snapshots<Snapshot>,
}

/// The published catalogue at one version. Rows are numbered in "newest first" order.
struct Snapshot {
    version: i64,
    ids: Vec<i64>,
    row_of: HashMap<i64, u32>,
    /// Region id per row (0 when none; region ids start at 1).
    region: Vec<i32>,
    /// Per vocabulary: the terms in display order, and per row the positions of its terms
    /// in that list (flattened: row r owns `tags[starts[r]..starts[r + 1]]`).
    vocabularies: [Tags; 4],
    /// Rows in A–Z order.
    by_name: Vec<u32>,
    /// Region slug → id, and per region id its province and jeugdregio (0 when none).
    region_ids: HashMap<String, i32>,
    region_parents: Vec<(i32, i32)>,
}

impl Versioned for Snapshot {
    fn version(&self) -> i64 {
        self.version
    }
}

/// One vocabulary's tags of every row, flattened (also used by `members::index`).
pub(crate) struct Tags {
    pub(crate) terms: Vec<Term>,
    starts: Vec<u32>,
    tags: Vec<u16>,
}

impl Tags {
    /// Which term positions the given slugs choose; None when none is given.
    pub(crate) fn chosen(&self, slugs: &[String]) -> Option<Vec<bool>> {
        (!slugs.is_empty()).then(|| self.terms.iter().map(|t| slugs.contains(&t.slug)).collect())
    }

    pub(crate) fn of_row(&self, row: usize) -> &[u16] {
        &self.tags[self.starts[row] as usize..self.starts[row + 1] as usize]
    }

    /// From the terms in display order and (record id, term id) links; `rows` records, numbered
    /// by `row_of`. Links to unknown records or terms are skipped.
    pub(crate) fn build(
        terms: Vec<Term>,
        rows: usize,
        row_of: &HashMap<i64, u32>,
        links: &[(i64, i32)],
    ) -> Self {
        let position: HashMap<i32, u16> =
            terms.iter().enumerate().map(|(at, term)| (term.id, at as u16)).collect();
        let mut per_row: Vec<Vec<u16>> = vec![Vec::new(); rows];
        for (record, term) in links {
            if let (Some(&row), Some(&at)) = (row_of.get(record), position.get(term)) {
                per_row[row as usize].push(at);
            }
        }
        let mut starts = Vec::with_capacity(rows + 1);
        let mut tags = Vec::new();
        starts.push(0);
        for mut row_tags in per_row {
            row_tags.sort_unstable();
            tags.extend(row_tags);
            starts.push(tags.len() as u32);
        }
        Tags { terms, starts, tags }
    }
}

/// The answer to one catalogue search.
pub struct Found {
    pub cards: Vec<InitiativeCard>,
    pub total: i64,
    /// Per vocabulary (in `VOCABULARIES` order): every term with the number of results choosing
    /// it would give, every other chosen filter applied.
    pub facets: [Vec<(Term, i64)>; 4],
}

impl CatalogueIndex {
    async fn snapshot(&self, db: &PgPool) -> sqlx::Result<Arc<Snapshot>> {
        self.snapshots.get(db, || load(db)).await
    }

    /// Published initiatives per region id (each counted for its own region only).
    pub async fn count_by_region(&self, db: &PgPool) -> sqlx::Result<Vec<i64>> {
        let snapshot = self.snapshot(db).await?;
        let mut counts = vec![0; snapshot.region_parents.len()];
        for &region in &snapshot.region {
            if let Some(count) = counts.get_mut(region as usize) {
                *count += 1;
            }
        }
        Ok(counts)
    }

    pub async fn search(
        &self,
        db: &PgPool,
        filters: &Filters,
        limit: i64,
        offset: i64,
    ) -> sqlx::Result<Found> {
        let snapshot = self.snapshot(db).await?;
        let ranked = match &filters.q {
            Some(q) => Some(text_matches(db, &snapshot, q).await?),
            None => None,
        };
        let pass = snapshot.pass(filters, ranked.as_ref().map(|r| &r.0));

        let limit = limit.max(0) as usize;
        let offset = offset.max(0) as usize;
        let page_rows: Vec<u32> = match (filters.sort, &ranked) {
            (Sort::Relevance, Some((_, order))) => {
                order.iter().copied().filter(|&r| pass.matched[r as usize]).skip(offset).take(limit).collect()
            }
            (Sort::Name, _) => snapshot
                .by_name
                .iter()
                .copied()
                .filter(|&r| pass.matched[r as usize])
                .skip(offset)
                .take(limit)
                .collect(),
            _ => (0..snapshot.ids.len() as u32)
                .filter(|&r| pass.matched[r as usize])
                .skip(offset)
                .take(limit)
                .collect(),
        };
        let ids: Vec<i64> = page_rows.iter().map(|&r| snapshot.ids[r as usize]).collect();
        let cards = cards(db, &ids, filters.q.as_deref()).await?;

        let facets = std::array::from_fn(|v| {
            let vocabulary = &snapshot.vocabularies[v];
            vocabulary.terms.iter().cloned().zip(pass.counts[v].iter().copied()).collect()
        });
        Ok(Found { cards, total: pass.total, facets })
    }
}

/// What one pass over the rows yields.
type Pass = FacetPass;

impl Snapshot {
    fn pass(&self, filters: &Filters, text: Option<&Vec<bool>>) -> Pass {
        let chosen_slugs = [&filters.themes, &filters.domains, &filters.levels, &filters.age_groups];
        let chosen: Vec<Option<Vec<bool>>> =
            self.vocabularies.iter().zip(chosen_slugs).map(|(tags, slugs)| tags.chosen(slugs)).collect();
        // None when no region is chosen, else which region ids lie in it. An unknown region
        // matches nothing, as the SQL did.
        let regions: Option<Vec<bool>> = filters.region.as_ref().map(|slug| {
            let selected = self.region_ids.get(slug).copied().unwrap_or(-1);
            self.region_parents
                .iter()
                .enumerate()
                .map(|(id, &(province, jeugdregio))| {
                    id as i32 == selected || province == selected || jeugdregio == selected
                })
                .collect()
        });
        let vocabularies: Vec<&Tags> = self.vocabularies.iter().collect();
        facet_pass(&vocabularies, &chosen, self.ids.len(), |row| {
            text.is_none_or(|t| t[row])
                && regions.as_ref().is_none_or(|r| r.get(self.region[row] as usize).copied().unwrap_or(false))
        })
    }
}

/// The rows that pass, their number, and per vocabulary per term how many results choosing it
/// would give (also used by `kennisbank::index`).
pub(crate) struct FacetPass {
    pub(crate) matched: Vec<bool>,
    pub(crate) total: i64,
    pub(crate) counts: Vec<Vec<i64>>,
}

/// One pass over `rows` rows: a row matches when `keep` accepts it and it carries a chosen term
/// of every vocabulary with a choice (`chosen[v]`, by term position). A facet's counts ignore
/// its own choice, so a row failing exactly one vocabulary still counts for that one.
pub(crate) fn facet_pass(
    vocabularies: &[&Tags],
    chosen: &[Option<Vec<bool>>],
    rows: usize,
    keep: impl Fn(usize) -> bool,
) -> FacetPass {
    let mut matched = vec![false; rows];
    let mut total = 0;
    let mut counts: Vec<Vec<i64>> = vocabularies.iter().map(|v| vec![0; v.terms.len()]).collect();
    for (row, slot) in matched.iter_mut().enumerate() {
        if !keep(row) {
            continue;
        }
        let mut failing = None;
        let mut failures = 0;
        for (v, wanted) in chosen.iter().enumerate() {
            if let Some(wanted) = wanted
                && !vocabularies[v].of_row(row).iter().any(|&t| wanted[t as usize])
            {
                failing = Some(v);
                failures += 1;
            }
        }
        match (failures, failing) {
            (0, _) => {
                *slot = true;
                total += 1;
                for (v, vocabulary) in vocabularies.iter().enumerate() {
                    for &t in vocabulary.of_row(row) {
                        counts[v][t as usize] += 1;
                    }
                }
            }
            (1, Some(v)) => {
                for &t in vocabularies[v].of_row(row) {
                    counts[v][t as usize] += 1;
                }
            }
            _ => {}
        }
    }
    FacetPass { matched, total, counts }
}

/// Rows matching the text query, and those rows in order of relevance.
async fn text_matches(db: &PgPool, snapshot: &Snapshot, q: &str) -> sqlx::Result<(Vec<bool>, Vec<u32>)> {
    let hits = sqlx::query_scalar!(
        "SELECT i.id FROM initiatives i \
         WHERE i.status = $2 \
           AND (i.search @@ websearch_to_tsquery('dutch', immutable_unaccent($1)) OR i.name % $1) \
         ORDER BY ts_rank(i.search, websearch_to_tsquery('dutch', immutable_unaccent($1))) \
                  + similarity(i.name, $1) DESC, i.id DESC",
        q,
        InitiativeStatus::Gepubliceerd as InitiativeStatus,
    )
    .fetch_all(db)
    .await?;
    let mut matched = vec![false; snapshot.ids.len()];
    let mut order = Vec::with_capacity(hits.len());
    for id in hits {
        if let Some(&row) = snapshot.row_of.get(&id) {
            matched[row as usize] = true;
            order.push(row);
        }
    }
    Ok((matched, order))
}

/// The cards for the given initiatives, in the given order.
async fn cards(db: &PgPool, ids: &[i64], q: Option<&str>) -> sqlx::Result<Vec<InitiativeCard>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = QueryBuilder::<Postgres>::new(
        "SELECT i.slug, i.name, i.summary, r.name AS region_name, i.published_at, ",
    );
    query.push(CARD_LOGO_COLUMNS).push(", ");
    match q {
        Some(q) => {
            query
                .push("ts_headline('dutch', i.summary, websearch_to_tsquery('dutch', immutable_unaccent(")
                .push_bind(q.to_owned())
                .push(format!(
                    ")), 'HighlightAll=true, StartSel={HIGHLIGHT_START}, StopSel={HIGHLIGHT_END}') AS headline"
                ));
        }
        None => {
            query.push("NULL::text AS headline");
        }
    }
    query.push(" FROM unnest(").push_bind(ids.to_vec()).push(
        "::bigint[]) WITH ORDINALITY AS s(id, n) JOIN initiatives i ON i.id = s.id \
             LEFT JOIN regions r ON r.id = i.region_id ",
    );
    query.push(CARD_LOGO_JOIN).push(" ORDER BY s.n");
    query.build_query_as().fetch_all(db).await
}

/// Reads the catalogue at one consistent moment.
async fn load(db: &PgPool) -> sqlx::Result<Snapshot> {
    let (mut tx, version) = snapshot::read_consistent(db).await?;
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
        vocabularies.push(Tags::build(terms, ids.len(), &row_of, links));
    }
    let regions = regions::hierarchy(&mut *tx).await?;
    tx.commit().await?;

    let vocabularies: [Tags; 4] = vocabularies.try_into().unwrap_or_else(|_| unreachable!());
    Ok(Snapshot {
        version,
        ids,
        row_of,
        region,
        vocabularies,
        by_name,
        region_ids: regions.ids,
        region_parents: regions.parents,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(id: i32, slug: &str) -> Term {
        Term { id, slug: slug.into(), name: slug.into() }
    }

    fn vocabulary(terms: Vec<Term>, per_row: &[&[u16]]) -> Tags {
        let mut starts = vec![0];
        let mut tags = Vec::new();
        for row in per_row {
            tags.extend_from_slice(row);
            starts.push(tags.len() as u32);
        }
        Tags { terms, starts, tags }
    }

    /// Three rows: themes a/b, domains x/y, region 1 (a municipality in province 2) or none.
    fn snapshot() -> Snapshot {
        let empty = || vocabulary(vec![], &[&[], &[], &[]]);
        Snapshot {
            version: 1,
            ids: vec![30, 20, 10],
            row_of: [(30, 0), (20, 1), (10, 2)].into_iter().collect(),
            region: vec![1, 0, 1],
            vocabularies: [
                vocabulary(vec![term(1, "a"), term(2, "b")], &[&[0], &[0, 1], &[1]]),
                vocabulary(vec![term(1, "x"), term(2, "y")], &[&[0], &[1], &[1]]),
                empty(),
                empty(),
            ],
            by_name: vec![2, 0, 1],
            region_ids: [("utrecht-stad".to_string(), 1), ("utrecht".to_string(), 2)].into_iter().collect(),
            region_parents: vec![(0, 0), (2, 0), (0, 0)],
        }
    }

    #[test]
    fn facets_count_with_every_other_filter() {
        let s = snapshot();
        let filters = Filters { themes: vec!["a".into()], domains: vec!["y".into()], ..Default::default() };
        let pass = s.pass(&filters, None);
        assert_eq!(pass.matched, vec![false, true, false]);
        assert_eq!(pass.total, 1);
        // Themes counted with only the domain filter (rows 1 and 2): a=1, b=2.
        assert_eq!(pass.counts[0], vec![1, 2]);
        // Domains counted with only the theme filter (rows 0 and 1): x=1, y=1.
        assert_eq!(pass.counts[1], vec![1, 1]);
    }

    #[test]
    fn a_province_includes_its_municipalities_and_unknown_regions_match_nothing() {
        let s = snapshot();
        let in_province = s.pass(&Filters { region: Some("utrecht".into()), ..Default::default() }, None);
        assert_eq!(in_province.matched, vec![true, false, true]);
        let unknown = s.pass(&Filters { region: Some("nergens".into()), ..Default::default() }, None);
        assert_eq!(unknown.total, 0);
    }

    #[test]
    fn text_matches_narrow_the_rows() {
        let s = snapshot();
        let pass = s.pass(&Filters::default(), Some(&vec![false, false, true]));
        assert_eq!(pass.matched, vec![false, false, true]);
        assert_eq!(pass.counts[0], vec![0, 1]);
    }
}
