//! Checkbox facets and the region selector, shared by every filterable list.

use sqlx::PgPool;

use crate::regions::queries as regions;
use crate::taxonomy::Term;

pub struct FacetOption {
    pub slug: String,
    pub name: String,
    pub checked: bool,
    /// How many results choosing this option gives, where the list counts.
    pub count: Option<i64>,
}

pub struct Facet {
    /// The query-string key, e.g. `thema`.
    pub key: &'static str,
    pub legend: &'static str,
    pub options: Vec<FacetOption>,
}

pub fn facet(key: &'static str, legend: &'static str, terms: Vec<Term>, chosen: &[String]) -> Facet {
    let options = terms
        .into_iter()
        .map(|t| FacetOption { checked: chosen.contains(&t.slug), slug: t.slug, name: t.name, count: None })
        .collect();
    Facet { key, legend, options }
}

/// Adds counts to a facet's options (terms without results count zero).
pub fn with_counts(mut facet: Facet, counts: &[(String, i64)]) -> Facet {
    for option in &mut facet.options {
        option.count = Some(counts.iter().find(|(slug, _)| *slug == option.slug).map_or(0, |(_, n)| *n));
    }
    facet
}

pub struct RegionOption {
    pub slug: String,
    pub label: String,
    pub selected: bool,
}

pub async fn region_options(db: &PgPool, selected: Option<&str>) -> sqlx::Result<Vec<RegionOption>> {
    Ok(regions::filter_options(db)
        .await?
        .into_iter()
        .map(|r| RegionOption { selected: selected == Some(r.slug.as_str()), label: r.label(), slug: r.slug })
        .collect())
}
