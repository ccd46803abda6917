//! Checkbox facets and the region selector, shared by every filterable list.

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

/// A facet whose options carry the number of results each would give.
pub fn counted_facet(
    key: &'static str,
    legend: &'static str,
    counted: Vec<(Term, i64)>,
    chosen: &[String],
) -> Facet {
    let options = counted
        .into_iter()
        .map(|(t, count)| FacetOption {
            checked: chosen.contains(&t.slug),
            slug: t.slug,
            name: t.name,
            count: Some(count),
        })
        .collect();
    Facet { key, legend, options }
}

/// An option of the region selector (see `regions::queries::region_options`).
pub struct RegionOption {
    pub slug: std::sync::Arc<str>,
    pub label: std::sync::Arc<str>,
    pub selected: bool,
}
