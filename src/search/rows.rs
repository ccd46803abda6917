//! Row sets for in-memory list indexes: every public list (the catalogue, the members, and the
//! lists that follow: events, publications, …) numbers its records 0..n in its default order and
//! keeps, per filter value, the set of rows that carry it as a bitset. A filtered list, its total
//! and every facet count are then a handful of AND/OR/popcount passes over n/64 words instead of
//! a pass over the records (or a query per facet). See docs/architecture.md, "A list page on the
//! in-memory index".

use std::collections::HashMap;

use crate::regions::queries::Hierarchy;
use crate::taxonomy::Term;
use crate::text_enum::TextEnum;

/// A set of row numbers below `len`, as a bitset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RowSet {
    words: Vec<u64>,
    len: usize,
}

impl RowSet {
    /// No rows.
    pub(crate) fn empty(len: usize) -> Self {
        Self { words: vec![0; len.div_ceil(64)], len }
    }

    /// Every row below `len`.
    pub(crate) fn full(len: usize) -> Self {
        let mut set = Self { words: vec![u64::MAX; len.div_ceil(64)], len };
        if !len.is_multiple_of(64)
            && let Some(last) = set.words.last_mut()
        {
            *last = (1u64 << (len % 64)) - 1;
        }
        set
    }

    /// The given rows (rows at or above `len` are ignored).
    pub(crate) fn from_rows(len: usize, rows: impl IntoIterator<Item = u32>) -> Self {
        let mut set = Self::empty(len);
        for row in rows {
            set.insert(row);
        }
        set
    }

    pub(crate) fn insert(&mut self, row: u32) {
        let row = row as usize;
        if row < self.len {
            self.words[row / 64] |= 1 << (row % 64);
        }
    }

    pub(crate) fn contains(&self, row: u32) -> bool {
        let row = row as usize;
        row < self.len && self.words[row / 64] & (1 << (row % 64)) != 0
    }

    /// How many rows the set holds.
    pub(crate) fn count(&self) -> usize {
        count_and(&self.words, &self.words)
    }

    /// How many rows this set and `other` share, without building the intersection.
    pub(crate) fn count_and(&self, other: &RowSet) -> usize {
        count_and(&self.words, &other.words)
    }

    pub(crate) fn and_with(&mut self, other: &RowSet) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= b;
        }
    }

    /// Keeps only the rows in every chosen set (`None`: that filter is not chosen).
    pub(crate) fn and_all(&mut self, sets: impl IntoIterator<Item = Option<RowSet>>) {
        for set in sets.into_iter().flatten() {
            self.and_with(&set);
        }
    }

    pub(crate) fn or_with(&mut self, other: &RowSet) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a |= b;
        }
    }

    /// The rows in ascending order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.words.iter().enumerate().flat_map(|(at, &word)| {
            let mut rest = word;
            std::iter::from_fn(move || {
                (rest != 0).then(|| {
                    let bit = rest.trailing_zeros();
                    rest &= rest - 1;
                    (at * 64) as u32 + bit
                })
            })
        })
    }

    /// At most `limit` rows in ascending order after skipping the first `offset`; whole words
    /// are skipped by their popcount, so a deep page costs no more than a first one.
    pub(crate) fn page(&self, offset: usize, limit: usize) -> Vec<u32> {
        let mut skip = offset;
        let mut out = Vec::with_capacity(limit.min(1024));
        for (at, &word) in self.words.iter().enumerate() {
            if out.len() >= limit {
                break;
            }
            let ones = word.count_ones() as usize;
            if skip >= ones {
                skip -= ones;
                continue;
            }
            let mut rest = word;
            while rest != 0 && out.len() < limit {
                let bit = rest.trailing_zeros();
                rest &= rest - 1;
                if skip > 0 {
                    skip -= 1;
                } else {
                    out.push((at * 64) as u32 + bit);
                }
            }
        }
        out
    }

    /// At most `limit` rows of `order` (a permutation of the rows, e.g. A–Z) that lie in this
    /// set, after skipping the first `offset` of them.
    pub(crate) fn page_in(&self, order: &[u32], offset: usize, limit: usize) -> Vec<u32> {
        order.iter().copied().filter(|&row| self.contains(row)).skip(offset).take(limit).collect()
    }
}

/// The number of bits set in both `a` and `b`. The release build targets every x86-64, whose
/// baseline has no `popcnt` instruction; where the CPU has it (and AVX2, for counting four words
/// at once) the same loop is compiled for it, which makes facet counting several times faster.
fn count_and(a: &[u64], b: &[u64]) -> usize {
    fn portable(a: &[u64], b: &[u64]) -> usize {
        a.iter().zip(b).map(|(x, y)| (x & y).count_ones() as usize).sum()
    }
    #[cfg(target_arch = "x86_64")]
    {
        #[target_feature(enable = "popcnt,avx2")]
        fn fast(a: &[u64], b: &[u64]) -> usize {
            a.iter().zip(b).map(|(x, y)| (x & y).count_ones() as usize).sum()
        }
        if std::arch::is_x86_feature_detected!("popcnt") && std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: `fast` only needs the two CPU features checked just above.
            return unsafe { fast(a, b) };
        }
    }
    portable(a, b)
}

/// The records of a list index, numbered 0..n in the list's default order, both ways.
pub(crate) struct Numbering {
    ids: Vec<i64>,
    row_of: HashMap<i64, u32>,
}

impl Numbering {
    /// From the record ids in the list's default order.
    pub(crate) fn new(ids: Vec<i64>) -> Self {
        let row_of = ids.iter().enumerate().map(|(row, id)| (*id, row as u32)).collect();
        Self { ids, row_of }
    }

    pub(crate) fn len(&self) -> usize {
        self.ids.len()
    }

    /// Record id → row, for building the facets.
    pub(crate) fn row_of(&self) -> &HashMap<i64, u32> {
        &self.row_of
    }

    /// The rows of these records (those not in the list are skipped), e.g. a text query's
    /// matches from PostgreSQL.
    pub(crate) fn rows(&self, ids: &[i64]) -> RowSet {
        RowSet::from_rows(self.len(), ids.iter().filter_map(|id| self.row_of.get(id).copied()))
    }

    /// The rows a text query matched, or every row where there was no text query.
    pub(crate) fn matched(&self, text_matches: Option<Vec<i64>>) -> RowSet {
        match text_matches {
            Some(ids) => self.rows(&ids),
            None => RowSet::full(self.len()),
        }
    }

    /// The records of these rows, in their order (a page).
    pub(crate) fn ids(&self, rows: &[u32]) -> Vec<i64> {
        rows.iter().map(|&r| self.ids[r as usize]).collect()
    }
}

/// A record's link to a term, as a list index reads a link table
/// (`SELECT event_id AS record, theme_id AS term FROM event_themes`).
pub(crate) struct Link {
    pub(crate) record: i64,
    pub(crate) term: i32,
}

/// Links as the (record, term) pairs the sets are built from.
pub(crate) fn pairs(links: Vec<Link>) -> Vec<(i64, i32)> {
    links.into_iter().map(|l| (l.record, l.term)).collect()
}

/// The facet of a status or kind: its values as terms (numbered by their place in the
/// declaration) and each record's value as a link.
pub(crate) fn enum_facet<E: TextEnum>(
    values: impl IntoIterator<Item = (i64, E)>,
) -> (Vec<Term>, Vec<(i64, i32)>) {
    let all = E::all();
    let terms = all
        .iter()
        .enumerate()
        .map(|(at, v)| Term { id: at as i32, slug: v.as_str().to_owned(), name: v.label().to_owned() })
        .collect();
    let links = values
        .into_iter()
        .filter_map(|(record, value)| all.iter().position(|v| *v == value).map(|at| (record, at as i32)))
        .collect();
    (terms, links)
}

/// One facet (a vocabulary) of a list: its terms in display order and, per term, the rows
/// tagged with it.
pub(crate) struct TermSets {
    pub(crate) terms: Vec<Term>,
    rows: Vec<RowSet>,
}

impl TermSets {
    /// From the terms in display order and (record id, term id) links; `len` rows numbered by
    /// `row_of`. Links to unknown records or terms are skipped.
    pub(crate) fn build(
        terms: Vec<Term>,
        len: usize,
        row_of: &HashMap<i64, u32>,
        links: &[(i64, i32)],
    ) -> Self {
        let position: HashMap<i32, usize> = terms.iter().enumerate().map(|(at, t)| (t.id, at)).collect();
        let mut rows = vec![RowSet::empty(len); terms.len()];
        for (record, term) in links {
            if let (Some(&row), Some(&at)) = (row_of.get(record), position.get(term)) {
                rows[at].insert(row);
            }
        }
        Self { terms, rows }
    }

    /// The rows tagged with any of the terms whose slug is in `slugs`; `None` when nothing is
    /// chosen (no filter). Unknown slugs choose nothing, so only they give the empty set.
    pub(crate) fn any_of(&self, slugs: &[String]) -> Option<RowSet> {
        if slugs.is_empty() {
            return None;
        }
        let mut union = RowSet::empty(self.rows.first().map_or(0, |r| r.len));
        for (term, rows) in self.terms.iter().zip(&self.rows) {
            if slugs.contains(&term.slug) {
                union.or_with(rows);
            }
        }
        Some(union)
    }

    /// The rows tagged with the term of this slug; `None` when nothing is chosen. An unknown
    /// slug chooses nothing, so it gives the empty set.
    pub(crate) fn one(&self, slug: Option<&str>) -> Option<RowSet> {
        slug.and_then(|s| self.any_of(&[s.to_owned()]))
    }

    /// Per term, how many rows of `within` carry it. A narrow `within` (a few combined
    /// filters) is mostly zero words: then only its other words are visited, once per term.
    pub(crate) fn counts(&self, within: &RowSet) -> Vec<i64> {
        let occupied: Vec<(usize, u64)> =
            within.words.iter().enumerate().filter(|(_, w)| **w != 0).map(|(at, w)| (at, *w)).collect();
        if occupied.len() * 4 > within.words.len() {
            return self.rows.iter().map(|rows| within.count_and(rows) as i64).collect();
        }
        // Few words: the lookups cost more than the counting, the portable popcount is enough.
        self.rows
            .iter()
            .map(|rows| occupied.iter().map(|&(at, w)| (w & rows.words[at]).count_ones() as i64).sum())
            .collect()
    }
}

/// The result of filtering a list by facets (and by a base set: text matches, a region, …).
pub(crate) struct Filtered {
    /// The rows that pass every filter.
    pub(crate) matched: RowSet,
    /// Per facet, in the order given: every term with the number of rows choosing it would give,
    /// with every *other* filter applied (a facet does not narrow its own counts).
    pub(crate) counts: Vec<Vec<i64>>,
}

/// Filters `len` rows: `base` (None: every row) and, per facet, the rows of its chosen terms
/// (None: nothing chosen). Counts per facet only when `count` is true.
pub(crate) fn filter(
    len: usize,
    base: Option<RowSet>,
    facets: &[(&TermSets, Option<RowSet>)],
    count: bool,
) -> Filtered {
    let base = base.unwrap_or_else(|| RowSet::full(len));
    let mut matched = base.clone();
    for (_, chosen) in facets {
        if let Some(chosen) = chosen {
            matched.and_with(chosen);
        }
    }
    let counts = if count {
        facets
            .iter()
            .enumerate()
            .map(|(own, (sets, chosen))| {
                if chosen.is_none() {
                    return sets.counts(&matched);
                }
                // Every filter but this facet's own.
                let mut within = base.clone();
                for (other, (_, chosen)) in facets.iter().enumerate() {
                    if other != own
                        && let Some(chosen) = chosen
                    {
                        within.and_with(chosen);
                    }
                }
                sets.counts(&within)
            })
            .collect()
    } else {
        Vec::new()
    };
    Filtered { matched, counts }
}

/// A vocabulary of many terms that each tag few rows (the regions a lesson, event or vraagstuk
/// names): per term its rows as a sorted list instead of a bitset of n bits, so 400 regions over
/// 100,000 rows take a few hundred short lists instead of 5 MB of bitsets.
pub(crate) struct SparseSets {
    rows: HashMap<String, Vec<u32>>,
}

impl SparseSets {
    /// From the terms and (record id, term id) links; rows numbered by `row_of`. Links to
    /// unknown records or terms are skipped.
    pub(crate) fn build(terms: &[Term], row_of: &HashMap<i64, u32>, links: &[(i64, i32)]) -> Self {
        let slug: HashMap<i32, &str> = terms.iter().map(|t| (t.id, t.slug.as_str())).collect();
        let mut rows: HashMap<String, Vec<u32>> = HashMap::new();
        for (record, term) in links {
            if let (Some(&row), Some(&slug)) = (row_of.get(record), slug.get(term)) {
                rows.entry(slug.to_owned()).or_default().push(row);
            }
        }
        for list in rows.values_mut() {
            list.sort_unstable();
            list.dedup();
        }
        Self { rows }
    }

    /// The rows tagged with the term of this slug, as a set below `len`; `None` when nothing is
    /// chosen. An unknown slug gives no rows.
    pub(crate) fn rows_of(&self, slug: Option<&str>, len: usize) -> Option<RowSet> {
        let slug = slug?;
        Some(RowSet::from_rows(len, self.rows.get(slug).into_iter().flatten().copied()))
    }
}

/// Regions as a filter: per region id the rows in it, in a municipality of it (a province or a
/// jeugdregio) or in a region below that, and the region ids by slug.
pub(crate) struct RegionSets {
    ids: HashMap<String, i32>,
    /// Per region id, the rows in it or below it (ascending).
    rows: Vec<Vec<u32>>,
    /// Per region id, the rows in exactly that region.
    own: Vec<u32>,
}

impl RegionSets {
    /// From the regions' hierarchy and each row's region (0 or unknown: none).
    pub(crate) fn build(hierarchy: Hierarchy, row_regions: &[i32]) -> Self {
        let Hierarchy { ids, parents } = hierarchy;
        let mut rows = vec![Vec::new(); parents.len()];
        let mut own = vec![0; parents.len()];
        for (row, &region) in row_regions.iter().enumerate() {
            let Some(&(province, jeugdregio)) = parents.get(region.max(0) as usize) else { continue };
            if region <= 0 {
                continue;
            }
            own[region as usize] += 1;
            for id in [region, province, jeugdregio] {
                if id > 0
                    && let Some(list) = rows.get_mut(id as usize)
                    && list.last() != Some(&(row as u32))
                {
                    list.push(row as u32);
                }
            }
        }
        Self { ids, rows, own }
    }

    /// The rows in the region with this slug or below it; an unknown slug gives no rows.
    pub(crate) fn rows_in(&self, slug: &str, len: usize) -> RowSet {
        let rows = self.ids.get(slug).and_then(|&id| self.rows.get(id.max(0) as usize));
        RowSet::from_rows(len, rows.into_iter().flatten().copied())
    }

    /// Rows per region id, each counted for its own region only.
    pub(crate) fn own_counts(&self) -> Vec<i64> {
        self.own.iter().map(|&n| n as i64).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(id: i32, slug: &str) -> Term {
        Term { id, slug: slug.into(), name: slug.into() }
    }

    #[test]
    fn sets_count_page_and_iterate() {
        let mut set = RowSet::empty(130);
        for row in [0, 5, 63, 64, 128, 129, 500] {
            set.insert(row);
        }
        assert_eq!(set.count(), 6, "rows past the end are ignored");
        assert_eq!(set.iter().collect::<Vec<_>>(), vec![0, 5, 63, 64, 128, 129]);
        assert_eq!(set.page(0, 2), vec![0, 5]);
        assert_eq!(set.page(3, 10), vec![64, 128, 129]);
        assert_eq!(set.page(6, 10), Vec::<u32>::new());
        assert_eq!(set.page_in(&[129, 1, 0, 64], 1, 5), vec![0, 64]);
        assert_eq!(RowSet::full(130).count(), 130);
        assert_eq!(RowSet::full(128).count(), 128);
        assert_eq!(RowSet::full(130).count_and(&set), 6);
    }

    #[test]
    fn counts_agree_for_narrow_and_wide_sets() {
        let len = 64 * 40;
        let row_of: HashMap<i64, u32> = (0..len as u32).map(|row| (row as i64, row)).collect();
        // Term 1 on every third row, term 2 on every row from 1000 on.
        let links: Vec<(i64, i32)> = (0..len as i64)
            .flat_map(|r| [(r % 3 == 0).then_some((r, 1)), (r >= 1000).then_some((r, 2))])
            .flatten()
            .collect();
        let sets = TermSets::build(vec![term(1, "a"), term(2, "b")], len, &row_of, &links);
        let naive = |within: &RowSet| -> Vec<i64> {
            sets.rows.iter().map(|rows| within.count_and(rows) as i64).collect()
        };
        let narrow = RowSet::from_rows(len, [0, 3, 4, 999, 1000, 2001]);
        assert_eq!(sets.counts(&narrow), vec![4, 2]);
        assert_eq!(sets.counts(&narrow), naive(&narrow));
        let wide = RowSet::full(len);
        assert_eq!(sets.counts(&wide), naive(&wide));
        assert_eq!(sets.counts(&RowSet::empty(len)), vec![0, 0]);
    }

    /// Three rows: themes a/b and domains x/y, as in the catalogue index's own test.
    fn facets() -> (TermSets, TermSets) {
        let row_of: HashMap<i64, u32> = [(30, 0), (20, 1), (10, 2)].into_iter().collect();
        let themes = TermSets::build(
            vec![term(1, "a"), term(2, "b")],
            3,
            &row_of,
            &[(30, 1), (20, 1), (20, 2), (10, 2), (99, 1)],
        );
        let domains = TermSets::build(
            vec![term(1, "x"), term(2, "y")],
            3,
            &row_of,
            &[(30, 1), (20, 2), (10, 2), (10, 7)],
        );
        (themes, domains)
    }

    #[test]
    fn a_facet_counts_with_every_filter_but_its_own() {
        let (themes, domains) = facets();
        let chosen =
            [(&themes, themes.any_of(&["a".to_string()])), (&domains, domains.any_of(&["y".to_string()]))];
        let result = filter(3, None, &chosen, true);
        assert_eq!(result.matched.iter().collect::<Vec<_>>(), vec![1]);
        assert_eq!(result.counts, vec![vec![1, 2], vec![1, 1]]);
        let unknown = filter(3, None, &[(&themes, themes.any_of(&["nergens".to_string()]))], false);
        assert_eq!(unknown.matched.count(), 0);
    }

    #[test]
    fn a_region_holds_the_rows_below_it() {
        // Region 1 is a municipality in province 2 and jeugdregio 3.
        let hierarchy = Hierarchy {
            ids: [("gemeente", 1), ("provincie", 2), ("jeugdregio", 3)]
                .into_iter()
                .map(|(slug, id)| (slug.to_string(), id))
                .collect(),
            parents: vec![(0, 0), (2, 3), (0, 0), (2, 0)],
        };
        let sets = RegionSets::build(hierarchy, &[1, 0, 2, 1, 99]);
        assert_eq!(sets.rows_in("provincie", 5).iter().collect::<Vec<_>>(), vec![0, 2, 3]);
        assert_eq!(sets.rows_in("jeugdregio", 5).iter().collect::<Vec<_>>(), vec![0, 3]);
        assert_eq!(sets.rows_in("nergens", 5).count(), 0);
        assert_eq!(sets.own_counts(), vec![0, 2, 1, 0]);
    }

    #[test]
    fn sparse_sets_give_the_rows_of_one_term() {
        let terms = [term(1, "utrecht"), term(2, "zeeland")];
        let row_of: HashMap<i64, u32> = [(10, 0), (11, 1), (12, 2)].into_iter().collect();
        let sets =
            SparseSets::build(&terms, &row_of, &[(12, 1), (10, 1), (11, 2), (12, 1), (99, 1), (10, 7)]);
        let rows = |slug| sets.rows_of(slug, 3).map(|set| set.iter().collect::<Vec<_>>());
        assert_eq!(rows(Some("utrecht")), Some(vec![0, 2]));
        assert_eq!(rows(Some("zeeland")), Some(vec![1]));
        assert_eq!(rows(Some("onbekend")), Some(vec![]));
        assert_eq!(rows(None), None);
    }
}
