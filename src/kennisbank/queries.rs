//! The kennisbank's SQL: a published record with everything its page shows, cards for a list,
//! and records ready to cite.

use sqlx::{PgConnection, PgPool};

use super::PublicationStatus;
use super::cite::{Author, Citable};
use super::status::{Access, AuthorKind, Licence, PublicationKind};
use crate::catalogue::queries::{HIGHLIGHT_END, HIGHLIGHT_START};
use crate::linked::linked;
use crate::taxonomy::Term;
use crate::web::facets::FilterBar;
use crate::web::filters::QueryParams;

/// What the visitor asked for on `/kennisbank` (and for an export of the result).
#[derive(Clone, Debug, Default)]
pub struct Filters {
    pub q: Option<String>,
    pub themes: Vec<String>,
    pub kinds: Vec<String>,
    pub years: Vec<String>,
    pub levels: Vec<String>,
    pub sort: Sort,
}

impl Filters {
    pub fn from_params(params: &QueryParams) -> Self {
        Self {
            q: params.one("q").map(|q| q.chars().take(200).collect()),
            themes: params.all("thema"),
            kinds: params.all("soort"),
            years: params.all("jaar"),
            levels: params.all("niveau"),
            sort: Sort::parse(params.one("sorteer").as_deref()),
        }
    }

    /// The list page's filter bar, with the facets' counts (in the order of the facets here).
    pub fn bar(&self, counted: impl IntoIterator<Item = Vec<(Term, i64)>>) -> FilterBar {
        let facets = vec![
            ("thema", "Thema", &self.themes[..]),
            ("soort", "Soort", &self.kinds[..]),
            ("jaar", "Jaar", &self.years[..]),
            ("niveau", "Niveau", &self.levels[..]),
        ];
        FilterBar::new(self.q.as_deref(), facets, [("sorteer", self.sort.value())], counted)
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    /// By relevance with a search term, else newest first.
    #[default]
    Relevance,
    Newest,
    Title,
    Author,
}

impl Sort {
    pub fn parse(value: Option<&str>) -> Self {
        match value {
            Some("nieuwste") => Sort::Newest,
            Some("titel") => Sort::Title,
            Some("auteur") => Sort::Author,
            _ => Sort::Relevance,
        }
    }

    pub fn value(self) -> Option<&'static str> {
        match self {
            Sort::Relevance => None,
            Sort::Newest => Some("nieuwste"),
            Sort::Title => Some("titel"),
            Sort::Author => Some("auteur"),
        }
    }
}

/// A publication in a list.
#[derive(Debug)]
pub struct Card {
    pub slug: String,
    pub title: String,
    pub year: Option<i16>,
    pub kind: PublicationKind,
    pub author_names: String,
    pub publisher: String,
    pub excerpt: String,
    pub headline: Option<String>,
}

impl Card {
    /// Who it is by, as the list shows it: the authors, or the publisher where there are none.
    pub fn by(&self) -> &str {
        if self.author_names.is_empty() { &self.publisher } else { &self.author_names }
    }

    pub fn highlighted(&self) -> Option<String> {
        crate::catalogue::queries::highlighted(self.headline.as_deref())
    }
}

/// The cards of the given publications, in the given order; with `q`, the abstract's
/// matching words marked.
pub async fn cards(db: &PgPool, ids: &[i64], q: Option<&str>) -> sqlx::Result<Vec<Card>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let options = format!("MaxWords=40, MinWords=20, StartSel={HIGHLIGHT_START}, StopSel={HIGHLIGHT_END}");
    let rows = sqlx::query!(
        r#"SELECT p.slug, p.title, p.year, p.kind AS "kind: PublicationKind", p.author_names, p.publisher,
                  left(p.abstract_md, 400) AS "excerpt!",
                  CASE WHEN $2::text IS NULL THEN NULL
                       ELSE ts_headline('dutch', p.abstract_md, dutch_query($2), $3)
                  END AS headline
           FROM unnest($1::bigint[]) WITH ORDINALITY AS s(id, n) JOIN publications p ON p.id = s.id
           ORDER BY s.n"#,
        ids,
        q,
        options,
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Card {
            slug: r.slug,
            title: r.title,
            year: r.year,
            kind: r.kind,
            author_names: r.author_names,
            publisher: r.publisher,
            excerpt: crate::text::excerpt(&r.excerpt, 240),
            headline: r.headline,
        })
        .collect())
}

/// A published record with what its page shows.
#[derive(Debug)]
pub struct Publication {
    pub id: i64,
    /// What a reference to it needs: slug, title, authors, identifiers and the abstract
    /// (Markdown).
    pub record: Citable,
    pub access: Access,
    pub licence: Licence,
}

pub async fn by_slug(db: &PgPool, slug: &str) -> sqlx::Result<Option<Publication>> {
    Ok(published(db, &[], Some(slug)).await?.pop())
}

/// Published records ready to cite, in the given order.
pub async fn citables(db: &PgPool, ids: &[i64]) -> sqlx::Result<Vec<Citable>> {
    Ok(published(db, ids, None).await?.into_iter().map(|p| p.record).collect())
}

/// The published records among `ids`, in that order, and the one with `slug`.
async fn published(db: &PgPool, ids: &[i64], slug: Option<&str>) -> sqlx::Result<Vec<Publication>> {
    let rows = sqlx::query!(
        r#"WITH wanted AS (SELECT id, n FROM unnest($1::bigint[]) WITH ORDINALITY AS s(id, n)
                           UNION ALL SELECT id, 0 FROM publications WHERE slug = $3)
           SELECT p.id, p.slug, p.title, p.series, p.year, p.publisher, p.kind AS "kind: PublicationKind",
                  p.abstract_md, p.access AS "access: Access", p.url, p.doi, p.isbn,
                  p.licence AS "licence: Licence"
           FROM wanted w JOIN publications p ON p.id = w.id
           WHERE p.status = $2 ORDER BY w.n"#,
        ids,
        PublicationStatus::Gepubliceerd as PublicationStatus,
        slug,
    )
    .fetch_all(db)
    .await?;
    let found: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut authors: std::collections::HashMap<i64, Vec<Author>> =
        authors_of(db, &found).await?.into_iter().collect();
    Ok(rows
        .into_iter()
        .map(|r| Publication {
            id: r.id,
            record: Citable {
                authors: authors.remove(&r.id).unwrap_or_default(),
                slug: r.slug,
                title: r.title,
                series: r.series,
                year: r.year,
                publisher: r.publisher,
                kind: r.kind,
                url: r.url,
                doi: r.doi,
                isbn: r.isbn,
                abstract_text: r.abstract_md,
            },
            access: r.access,
            licence: r.licence,
        })
        .collect())
}

/// The authors of each given publication, in order (publications without authors left out).
pub async fn authors_of(db: &PgPool, ids: &[i64]) -> sqlx::Result<Vec<(i64, Vec<Author>)>> {
    let rows = sqlx::query!(
        r#"SELECT publication_id, kind AS "kind: AuthorKind", given_name, particle, family_name
           FROM publication_authors WHERE publication_id = ANY($1) ORDER BY publication_id, position"#,
        ids,
    )
    .fetch_all(db)
    .await?;
    let mut out: Vec<(i64, Vec<Author>)> = Vec::new();
    for r in rows {
        let author =
            Author { kind: r.kind, given: r.given_name, particle: r.particle, family: r.family_name };
        match out.last_mut() {
            Some((id, authors)) if *id == r.publication_id => authors.push(author),
            _ => out.push((r.publication_id, vec![author])),
        }
    }
    Ok(out)
}

pub use crate::linked::Link;

linked! {
    pub fn themes_of -> Term =
        "SELECT t.id, t.slug, t.name FROM themes t JOIN publication_themes l ON l.theme_id = t.id \
         WHERE l.publication_id = $1 ORDER BY t.position, t.name";

    pub fn levels_of -> Term =
        "SELECT t.id, t.slug, t.name FROM levels t JOIN publication_levels l ON l.level_id = t.id \
         WHERE l.publication_id = $1 ORDER BY t.position";

    pub fn regions_of -> Link =
        "SELECT r.slug, r.name FROM regions r JOIN publication_regions l ON l.region_id = r.id \
         WHERE l.publication_id = $1 ORDER BY r.name";

    /// The published initiatives that put a publication to work.
    pub fn initiatives_of -> Link =
        "SELECT i.slug, i.name FROM initiatives i JOIN publication_initiatives l ON l.initiative_id = i.id \
         WHERE l.publication_id = $1 AND i.status = $2 ORDER BY i.name",
        crate::catalogue::InitiativeStatus::Gepubliceerd as crate::catalogue::InitiativeStatus;

    /// Published publications related to this one, in either direction.
    pub fn related_of -> Link =
        r#"SELECT p.slug AS "slug!", p.title AS "name!" FROM publications p
           WHERE p.status = $2 AND p.id IN (SELECT related_id FROM publication_relations WHERE publication_id = $1
                                            UNION SELECT publication_id FROM publication_relations WHERE related_id = $1)
           ORDER BY p.year DESC NULLS LAST, p.title"#,
        PublicationStatus::Gepubliceerd as PublicationStatus;

    /// The published publications an initiative puts to work (for its page).
    pub fn for_initiative -> Link =
        "SELECT p.slug, p.title AS name FROM publications p JOIN publication_initiatives l ON l.publication_id = p.id \
         WHERE l.initiative_id = $1 AND p.status = $2 ORDER BY p.year DESC NULLS LAST, p.title",
        PublicationStatus::Gepubliceerd as PublicationStatus;

    /// The public events (bijeenkomsten) a publication is linked to, newest first.
    pub fn events_of -> Link =
        "SELECT e.slug, e.title AS name FROM events e JOIN publication_events l ON l.event_id = e.id \
         WHERE l.publication_id = $1 AND e.status <> $2 ORDER BY e.starts_at DESC",
        crate::events::EventStatus::Concept as crate::events::EventStatus;

    /// The published publications linked to an event (for its page: "in de kennisbank").
    pub fn for_event -> Link =
        "SELECT p.slug, p.title AS name FROM publications p JOIN publication_events l ON l.publication_id = p.id \
         WHERE l.event_id = $1 AND p.status = $2 ORDER BY p.year DESC NULLS LAST, p.title",
        PublicationStatus::Gepubliceerd as PublicationStatus;
}

/// Replaces a publication's authors and the one-line name list the search reads.
pub async fn write_authors(conn: &mut PgConnection, id: i64, authors: &[Author]) -> sqlx::Result<()> {
    sqlx::query!("DELETE FROM publication_authors WHERE publication_id = $1", id).execute(&mut *conn).await?;
    for (position, a) in authors.iter().enumerate() {
        sqlx::query!(
            "INSERT INTO publication_authors (publication_id, position, kind, given_name, particle, family_name) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            id,
            position as i16,
            a.kind as AuthorKind,
            a.given,
            a.particle,
            a.family,
        )
        .execute(&mut *conn)
        .await?;
    }
    let names = authors.iter().map(Author::display).collect::<Vec<_>>().join(", ");
    sqlx::query!("UPDATE publications SET author_names = $2 WHERE id = $1", id, names)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The published publications' pages, for `/sitemap.xml`.
pub async fn sitemap_paths(db: &PgPool) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar!(
        r#"SELECT '/kennisbank/' || slug AS "path!" FROM publications WHERE status = $1 ORDER BY id LIMIT 40000"#,
        PublicationStatus::Gepubliceerd as PublicationStatus,
    )
    .fetch_all(db)
    .await
}

/// The first `limit` cards matching `q` and how many match, for `/zoeken`.
pub async fn search_cards(
    state: &crate::state::AppState,
    q: &str,
    limit: usize,
) -> sqlx::Result<(Vec<Card>, i64)> {
    let filters = Filters { q: Some(q.to_owned()), ..Default::default() };
    let found = state.publications.search(&state.db, &filters, limit, 0).await?;
    Ok((cards(&state.db, &found.ids, Some(q)).await?, found.total))
}

/// Publications as newsletter blocks show them, as `(id, card)`: the published ones in `ids`,
/// or without `ids` the latest `limit` to choose from. The line under the title holds the
/// authors (or the publisher) and the year.
pub async fn newsletter_cards(
    db: &PgPool,
    ids: Option<&[i64]>,
    limit: i64,
) -> sqlx::Result<Vec<(i64, crate::newsletter::content::Card)>> {
    let rows = sqlx::query!(
        r#"SELECT id, slug, title, year, kind AS "kind: PublicationKind", author_names, publisher,
                  left(abstract_md, 2000) AS "abstract_md!"
           FROM publications
           WHERE status = $1 AND ($2::bigint[] IS NULL OR id = ANY($2))
           ORDER BY published_at DESC NULLS LAST, id DESC LIMIT $3"#,
        PublicationStatus::Gepubliceerd as PublicationStatus,
        ids,
        limit,
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let by = if r.author_names.is_empty() { r.publisher } else { r.author_names };
            let year = r.year.map_or_else(|| "z.d.".to_owned(), |y| y.to_string());
            let meta = if by.is_empty() { year } else { format!("{by} ({year})") };
            let card = crate::newsletter::content::Card {
                meta: format!("{} · {meta}", r.kind.label()),
                summary: crate::newsletter::content::summary_line(&r.abstract_md),
                path: format!("/kennisbank/{}", r.slug),
                title: r.title,
            };
            (r.id, card)
        })
        .collect())
}
