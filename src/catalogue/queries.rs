use sqlx::PgPool;
use time::OffsetDateTime;

use super::InitiativeStatus;
use crate::taxonomy::Term;
use crate::web::facets::FilterBar;
use crate::web::filters::QueryParams;

/// What the visitor asked for; every field comes straight from the query string.
#[derive(Clone, Debug, Default)]
pub struct Filters {
    pub q: Option<String>,
    pub themes: Vec<String>,
    pub domains: Vec<String>,
    pub levels: Vec<String>,
    pub age_groups: Vec<String>,
    pub region: Option<String>,
    pub sort: Sort,
}

impl Filters {
    /// The filters of the list page and the open-data API, read from the query string.
    pub fn from_params(params: &QueryParams) -> Self {
        Self {
            q: params.one("q"),
            themes: params.all("thema"),
            domains: params.all("domein"),
            levels: params.all("niveau"),
            age_groups: params.all("leeftijd"),
            region: params.one("regio"),
            sort: Sort::parse(params.one("sorteer").as_deref()),
        }
    }

    /// The list page's filter bar, with the facets' counts (in `VOCABULARIES` order).
    pub fn bar(&self, counted: impl IntoIterator<Item = Vec<(Term, i64)>>) -> FilterBar {
        let facets = vec![
            ("thema", "Thema", &self.themes[..]),
            ("domein", "Domein", &self.domains[..]),
            ("niveau", "Niveau", &self.levels[..]),
            ("leeftijd", "Leeftijd", &self.age_groups[..]),
        ];
        let rest = [("regio", self.region.as_deref()), ("sorteer", self.sort.value())];
        FilterBar::new(self.q.as_deref(), facets, rest, counted)
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    #[default]
    Relevance,
    Newest,
    Name,
}

impl Sort {
    pub fn parse(value: Option<&str>) -> Self {
        match value {
            Some("nieuwste") => Sort::Newest,
            Some("naam") => Sort::Name,
            _ => Sort::Relevance,
        }
    }

    /// The value of `sorteer` in the query (none for the default).
    pub fn value(self) -> Option<&'static str> {
        match self {
            Sort::Relevance => None,
            Sort::Newest => Some("nieuwste"),
            Sort::Name => Some("naam"),
        }
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct InitiativeCard {
    pub slug: String,
    pub name: String,
    pub summary: String,
    pub region_name: Option<String>,
    pub published_at: Option<OffsetDateTime>,
    /// The summary with the search words between HIGHLIGHT_START and HIGHLIGHT_END.
    #[sqlx(default)]
    pub headline: Option<String>,
    /// The logo, if the query joined it (see [`CARD_LOGO_COLUMNS`]).
    #[sqlx(default)]
    pub logo_id: Option<i64>,
    #[sqlx(default)]
    pub logo_sha256: Option<String>,
    #[sqlx(default)]
    pub logo_type: Option<String>,
    #[sqlx(default)]
    pub logo_width: Option<i32>,
    #[sqlx(default)]
    pub logo_height: Option<i32>,
}

/// Columns and join that give an `InitiativeCard` its logo (an initiative `i`).
pub const CARD_LOGO_COLUMNS: &str = "lm.id AS logo_id, lm.sha256 AS logo_sha256, lm.content_type AS logo_type, \
     lm.width AS logo_width, lm.height AS logo_height";
pub const CARD_LOGO_JOIN: &str = "LEFT JOIN media lm ON lm.id = i.logo_id";

/// Markers PostgreSQL's ts_headline puts around matches; text cannot contain them otherwise
/// meaningfully, and they are replaced by <mark> only after HTML escaping.
pub const HIGHLIGHT_START: char = '\u{2063}';
pub const HIGHLIGHT_END: char = '\u{2064}';

#[derive(Debug, sqlx::FromRow)]
pub struct Initiative {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub summary: String,
    pub description_md: String,
    pub website: String,
    pub contact_name: String,
    pub contact_email: String,
    pub region_id: Option<i32>,
    pub region_name: Option<String>,
    pub region_slug: Option<String>,
    pub published_at: Option<OffsetDateTime>,
    pub updated_at: OffsetDateTime,
    /// Filled in by `by_slug`.
    #[sqlx(skip)]
    pub logo: Option<crate::media::Image>,
}

pub async fn featured(db: &PgPool, limit: i64) -> sqlx::Result<Vec<InitiativeCard>> {
    sqlx::query_as!(
        InitiativeCard,
        r#"SELECT i.slug, i.name, i.summary, r.name AS "region_name?", i.published_at, NULL::text AS headline,
                  lm.id AS "logo_id?", lm.sha256 AS "logo_sha256?", lm.content_type AS "logo_type?",
                  lm.width AS "logo_width?", lm.height AS "logo_height?"
           FROM initiatives i LEFT JOIN regions r ON r.id = i.region_id LEFT JOIN media lm ON lm.id = i.logo_id
           WHERE i.status = $2 AND i.featured
           ORDER BY i.published_at DESC NULLS LAST, i.id DESC LIMIT $1"#,
        limit,
        InitiativeStatus::Gepubliceerd as InitiativeStatus,
    )
    .fetch_all(db)
    .await
}

pub async fn by_slug(db: &PgPool, slug: &str) -> sqlx::Result<Option<Initiative>> {
    let found = sqlx::query!(
        r#"SELECT i.id, i.slug, i.name, i.summary, i.description_md, i.website, i.contact_name, i.contact_email,
                  i.region_id, r.name AS "region_name?", r.slug AS "region_slug?", i.published_at, i.updated_at, i.logo_id
           FROM initiatives i LEFT JOIN regions r ON r.id = i.region_id
           WHERE i.slug = $1 AND i.status = $2"#,
        slug,
        InitiativeStatus::Gepubliceerd as InitiativeStatus,
    )
    .fetch_optional(db)
    .await?;
    let Some(row) = found else { return Ok(None) };
    Ok(Some(Initiative {
        logo: crate::media::find(db, row.logo_id).await?,
        id: row.id,
        slug: row.slug,
        name: row.name,
        summary: row.summary,
        description_md: row.description_md,
        website: row.website,
        contact_name: row.contact_name,
        contact_email: row.contact_email,
        region_id: row.region_id,
        region_name: row.region_name,
        region_slug: row.region_slug,
        published_at: row.published_at,
        updated_at: row.updated_at,
    }))
}

/// The terms an initiative is tagged with, by vocabulary: themes, domains, levels and age
/// groups, each in its vocabulary's order.
pub async fn terms_of(db: &PgPool, initiative_id: i64) -> sqlx::Result<[Vec<Term>; 4]> {
    let rows = sqlx::query!(
        r#"SELECT 0 AS "vocabulary!", t.id AS "id!", t.slug AS "slug!", t.name AS "name!", t.position AS "position!"
             FROM themes t JOIN initiative_themes l ON l.theme_id = t.id WHERE l.initiative_id = $1
           UNION ALL SELECT 1, t.id, t.slug, t.name, t.position
             FROM domains t JOIN initiative_domains l ON l.domain_id = t.id WHERE l.initiative_id = $1
           UNION ALL SELECT 2, t.id, t.slug, t.name, t.position
             FROM levels t JOIN initiative_levels l ON l.level_id = t.id WHERE l.initiative_id = $1
           UNION ALL SELECT 3, t.id, t.slug, t.name, t.position
             FROM age_groups t JOIN initiative_age_groups l ON l.age_group_id = t.id WHERE l.initiative_id = $1
           ORDER BY 1, 5, 4"#,
        initiative_id,
    )
    .fetch_all(db)
    .await?;
    let mut terms: [Vec<Term>; 4] = Default::default();
    for row in rows {
        terms[row.vocabulary as usize].push(Term { id: row.id, slug: row.slug, name: row.name });
    }
    Ok(terms)
}

/// Initiatives that share the most themes, with the same region as a tie-breaker. Candidates
/// are the most recent initiatives of each of its themes (an index range per theme), so the
/// cost does not grow with the size of the catalogue.
pub async fn related(db: &PgPool, initiative: &Initiative, limit: i64) -> sqlx::Result<Vec<InitiativeCard>> {
    sqlx::query_as!(
        InitiativeCard,
        r#"WITH candidates AS (
             SELECT c.initiative_id, count(*) AS shared FROM initiative_themes mine
             CROSS JOIN LATERAL (SELECT o.initiative_id FROM initiative_themes o
                                 WHERE o.theme_id = mine.theme_id AND o.initiative_id <> $1
                                 ORDER BY o.initiative_id DESC LIMIT 50) c
             WHERE mine.initiative_id = $1 GROUP BY c.initiative_id
             UNION ALL
             SELECT i.id, 0 FROM initiatives i WHERE i.region_id = $2 AND i.id <> $1 AND i.status = $4 LIMIT 50)
           SELECT i.slug, i.name, i.summary, r.name AS "region_name?", i.published_at, NULL::text AS headline,
                  lm.id AS "logo_id?", lm.sha256 AS "logo_sha256?", lm.content_type AS "logo_type?",
                  lm.width AS "logo_width?", lm.height AS "logo_height?"
           FROM (SELECT initiative_id, max(shared) AS shared FROM candidates GROUP BY initiative_id) s
           JOIN initiatives i ON i.id = s.initiative_id AND i.status = $4
           LEFT JOIN regions r ON r.id = i.region_id LEFT JOIN media lm ON lm.id = i.logo_id
           ORDER BY s.shared DESC, (i.region_id IS NOT DISTINCT FROM $2) DESC, i.published_at DESC NULLS LAST
           LIMIT $3"#,
        initiative.id,
        initiative.region_id,
        limit,
        InitiativeStatus::Gepubliceerd as InitiativeStatus,
    )
    .fetch_all(db)
    .await
}

impl InitiativeCard {
    /// Where the logo is served, when the card has one.
    pub fn logo_url(&self) -> Option<String> {
        Some(crate::media::url(self.logo_id?, self.logo_sha256.as_deref()?, self.logo_type.as_deref()?))
    }

    pub fn published(&self) -> String {
        self.published_at.map(crate::text::date_nl).unwrap_or_default()
    }

    /// The summary as HTML with the search words marked, when there was a search.
    pub fn highlighted(&self) -> Option<String> {
        highlighted(self.headline.as_deref())
    }
}

/// A `ts_headline` text as HTML with the search words marked, when it marks any (also used
/// by the kennisbank's cards).
pub fn highlighted(headline: Option<&str>) -> Option<String> {
    let headline = headline?;
    if !headline.contains(HIGHLIGHT_START) {
        return None;
    }
    let escaped = headline
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;");
    Some(escaped.replace(HIGHLIGHT_START, "<mark>").replace(HIGHLIGHT_END, "</mark>"))
}
