//! The kennisbank list the way the catalogue answers its own (`catalogue::index`): each
//! instance keeps the published publications' themes, kinds, year ranges and levels in memory
//! as row sets (`search::rows`) and computes the list, its total and every facet count with a
//! few AND/OR/popcount passes over n/64 words, and the text query from inverted lists
//! (`text`). PostgreSQL reads the query's words and supplies the cards of the page shown. Freshness: `content_version`, as for the catalogue.

use std::collections::HashMap;

use sqlx::{PgPool, Postgres, Transaction};

use super::PublicationStatus;
use super::queries::{Filters, Sort};
use super::status::PublicationKind;
use super::text::{Query, Source, TextIndex};
use crate::search::index::{Index, View};
use crate::search::rows::{self, RowSet, TermSets};
use crate::taxonomy::{self, Term, Vocabulary};

/// The year ranges of the year facet: slug, label, first and last year. Records without a
/// year fall in the last one.
const YEAR_RANGES: [(&str, &str, i16, i16); 6] = [
    ("2025-heden", "2025 en later", 2025, i16::MAX),
    ("2020-2024", "2020–2024", 2020, 2024),
    ("2015-2019", "2015–2019", 2015, 2019),
    ("2010-2014", "2010–2014", 2010, 2014),
    ("voor-2010", "Vóór 2010", i16::MIN, 2009),
    ("zonder-jaar", "Zonder jaar", 0, -1),
];

fn year_range(year: Option<i16>) -> i32 {
    let Some(year) = year else { return YEAR_RANGES.len() as i32 - 1 };
    YEAR_RANGES.iter().position(|&(_, _, from, to)| (from..=to).contains(&year)).unwrap_or(0) as i32
}

pub type PublicationIndex = Index<Snapshot>;

/// The published kennisbank at one version. Rows are numbered newest first (by year).
pub struct Snapshot {
    ids: Vec<i64>,
    /// Themes, kinds, year ranges and levels, in the order of the facets.
    vocabularies: [TermSets; 4],
    by_title: Vec<u32>,
    /// By the first author's family name (a particle does not count), then given name.
    by_author: Vec<u32>,
    text: TextIndex,
}

/// The answer to one search: the ids of the page asked for, the total, and per facet every
/// term with the number of results choosing it would give.
pub struct Found {
    pub ids: Vec<i64>,
    pub total: i64,
    pub facets: Vec<Vec<(Term, i64)>>,
}

impl PublicationIndex {
    pub async fn search(
        &self,
        db: &PgPool,
        filters: &Filters,
        limit: usize,
        offset: usize,
    ) -> sqlx::Result<Found> {
        let snapshot = self.snapshot(db).await?;
        let ranked = match &filters.q {
            Some(q) => Some(text_matches(db, &snapshot, q).await?),
            None => None,
        };
        let chosen = [&filters.themes, &filters.kinds, &filters.years, &filters.levels];
        let facets: Vec<(&TermSets, Option<RowSet>)> = snapshot
            .vocabularies
            .iter()
            .zip(chosen)
            .map(|(sets, slugs)| (sets, sets.any_of(slugs)))
            .collect();
        let base = ranked.as_ref().map(|(matched, _)| matched.clone());
        let filtered = rows::filter(snapshot.ids.len(), base, &facets, true);
        let matched = &filtered.matched;

        let page_rows = match (filters.sort, &ranked) {
            (Sort::Relevance, Some((_, order))) => matched.page_in(order, offset, limit),
            (Sort::Title, _) => matched.page_in(&snapshot.by_title, offset, limit),
            (Sort::Author, _) => matched.page_in(&snapshot.by_author, offset, limit),
            _ => matched.page(offset, limit),
        };
        let ids = page_rows.iter().map(|&r| snapshot.ids[r as usize]).collect();
        let facets = snapshot
            .vocabularies
            .iter()
            .zip(filtered.counts)
            .map(|(sets, counts)| sets.terms.iter().cloned().zip(counts).collect())
            .collect();
        Ok(Found { ids, total: matched.count() as i64, facets })
    }
}

/// Rows matching the text query (Dutch stemming, or a title or author name close to the
/// words, so a typo still finds), and those rows in order of relevance: PostgreSQL reads the
/// query, the snapshot's text index (`text`) answers it.
async fn text_matches(db: &PgPool, snapshot: &Snapshot, q: &str) -> sqlx::Result<(RowSet, Vec<u32>)> {
    let query = Query::read(db, q).await?;
    Ok(snapshot.text.matches(&query))
}

impl View for Snapshot {
    const NAME: &'static str = "kennisbank";

    /// Reads the kennisbank.
    async fn load(mut tx: Transaction<'static, Postgres>) -> sqlx::Result<Self> {
        let published = PublicationStatus::Gepubliceerd;
        let rows = sqlx::query!(
            r#"SELECT id, kind AS "kind: PublicationKind", year, search::text AS "search!",
                      lower(immutable_unaccent(title)) AS "title!",
                      lower(immutable_unaccent(author_names)) AS "authors!"
               FROM publications WHERE status = $1
               ORDER BY year DESC NULLS LAST, published_at DESC NULLS LAST, id DESC"#,
            published as PublicationStatus,
        )
        .fetch_all(&mut *tx)
        .await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let row_of: HashMap<i64, u32> = ids.iter().enumerate().map(|(row, id)| (*id, row as u32)).collect();

        let by_title_ids = sqlx::query_scalar!(
            "SELECT id FROM publications WHERE status = $1 ORDER BY lower(title), id",
            published as PublicationStatus,
        )
        .fetch_all(&mut *tx)
        .await?;
        let by_author_ids = sqlx::query_scalar!(
            "SELECT p.id FROM publications p \
             LEFT JOIN publication_authors a ON a.publication_id = p.id AND a.position = 0 \
             WHERE p.status = $1 \
             ORDER BY lower(a.family_name) NULLS LAST, lower(a.given_name), lower(p.title), p.id",
            published as PublicationStatus,
        )
        .fetch_all(&mut *tx)
        .await?;
        let rows_of =
            |ids: Vec<i64>| -> Vec<u32> { ids.iter().filter_map(|id| row_of.get(id).copied()).collect() };
        let by_title = rows_of(by_title_ids);
        let by_author = rows_of(by_author_ids);

        let theme_links = sqlx::query!("SELECT publication_id, theme_id FROM publication_themes")
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .map(|r| (r.publication_id, r.theme_id))
            .collect::<Vec<_>>();
        let level_links = sqlx::query!("SELECT publication_id, level_id FROM publication_levels")
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .map(|r| (r.publication_id, r.level_id))
            .collect::<Vec<_>>();
        let themes = taxonomy::all(&mut *tx, Vocabulary::Theme).await?;
        let levels = taxonomy::all(&mut *tx, Vocabulary::Level).await?;
        tx.commit().await?;

        let (kinds, kind_links) = rows::enum_facet(rows.iter().map(|r| (r.id, r.kind)));
        let years: Vec<Term> = YEAR_RANGES
            .iter()
            .enumerate()
            .map(|(at, (slug, label, ..))| Term {
                id: at as i32,
                slug: (*slug).to_owned(),
                name: (*label).to_owned(),
            })
            .collect();
        let year_links: Vec<(i64, i32)> = rows.iter().map(|r| (r.id, year_range(r.year))).collect();

        let n = ids.len();
        let vocabularies = [
            TermSets::build(themes, n, &row_of, &theme_links),
            TermSets::build(kinds, n, &row_of, &kind_links),
            TermSets::build(years, n, &row_of, &year_links),
            TermSets::build(levels, n, &row_of, &level_links),
        ];
        let text = TextIndex::build(
            &ids,
            rows.iter().map(|r| Source { search: &r.search, title: &r.title, authors: &r.authors }),
        );
        tracing::info!(text_index_bytes = text.bytes(), "kennisbank text index built");
        Ok(Snapshot { ids, vocabularies, by_title, by_author, text })
    }

    fn rows(&self) -> usize {
        self.ids.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_fall_in_one_range() {
        assert_eq!(YEAR_RANGES[year_range(Some(2015)) as usize].0, "2015-2019");
        assert_eq!(YEAR_RANGES[year_range(Some(2026)) as usize].0, "2025-heden");
        assert_eq!(YEAR_RANGES[year_range(Some(1998)) as usize].0, "voor-2010");
        assert_eq!(YEAR_RANGES[year_range(None) as usize].0, "zonder-jaar");
    }
}
