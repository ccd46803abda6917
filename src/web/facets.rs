//! Checkbox facets and the region selector, shared by every filterable list.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use askama::Template;

use crate::taxonomy::Term;
use crate::web::filters::{chosen_pairs, query_string};

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

/// A list's counted facets: `counted[i]` is the facet `(key, legend, chosen)` of `facets[i]`.
pub fn counted_facets<'a>(
    counted: impl IntoIterator<Item = Vec<(Term, i64)>>,
    facets: impl IntoIterator<Item = (&'static str, &'static str, &'a [String])>,
) -> Vec<Facet> {
    counted
        .into_iter()
        .zip(facets)
        .map(|(counted, (key, legend, chosen))| counted_facet(key, legend, counted, chosen))
        .collect()
}

/// A faceted list's filter bar as its page shows it (initiatives, kennisbank): the query
/// string that keeps the filters for paging and exports, whether any filter is set (the sort
/// order is none), and the facets with their counts.
pub struct FilterBar {
    pub base_query: String,
    pub any_filter: bool,
    pub facets: Vec<Facet>,
}

impl FilterBar {
    /// The query holds `q`, then each facet's chosen terms, then `rest` (region, sort order).
    /// `facets` are `(key, legend, chosen)`; `counted` has their counts in the same order.
    pub fn new<'a>(
        q: Option<&'a str>,
        facets: Vec<(&'static str, &'static str, &'a [String])>,
        rest: impl IntoIterator<Item = (&'a str, Option<&'a str>)>,
        counted: impl IntoIterator<Item = Vec<(Term, i64)>>,
    ) -> Self {
        let mut pairs: Vec<(&str, &str)> = chosen_pairs([("q", q)]);
        for (key, _, chosen) in &facets {
            pairs.extend(chosen.iter().map(|value| (*key, value.as_str())));
        }
        pairs.extend(chosen_pairs(rest));
        let any_filter = pairs.iter().any(|(key, _)| *key != "sorteer");
        FilterBar { base_query: query_string(&pairs), any_filter, facets: counted_facets(counted, facets) }
    }
}

/// The options of a region selector, rendered once (per catalogue snapshot) and shared by
/// every request: a request only marks its choice (`select`), instead of escaping and writing
/// some 400 options again. See `regions::queries::region_options`.
#[derive(Debug, Default)]
pub struct RegionOptions {
    /// `<option value="slug">label</option>` per region, escaped.
    html: String,
    /// Per slug, where ` selected` goes in `html` (before the `>` of its option).
    marks: HashMap<String, usize>,
}

#[derive(Template)]
#[template(source = r#"<option value="{{ slug }}">{{ label }}</option>"#, ext = "html")]
struct OptionHtml<'a> {
    slug: &'a str,
    label: &'a str,
}

impl RegionOptions {
    /// From (slug, label) pairs in the selector's order.
    pub fn new<'a>(options: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut html = String::new();
        let mut marks = HashMap::new();
        for (slug, label) in options {
            let start = html.len();
            // Rendering into a String does not fail.
            let _ = OptionHtml { slug, label }.render_into(&mut html);
            // The slug is escaped, so the first `>` closes the opening tag.
            if let Some(end) = html[start..].find('>') {
                marks.insert(slug.to_owned(), start + end);
            }
        }
        Self { html, marks }
    }

    /// The selector with the region `selected` (a slug; unknown or `None`: none) chosen.
    pub fn select(self: &Arc<Self>, selected: Option<&str>) -> RegionSelect {
        RegionSelect {
            mark: selected.and_then(|slug| self.marks.get(slug).copied()),
            options: Some(self.clone()),
        }
    }
}

/// A region selector's options with one chosen, written as HTML (`{{ regions|safe }}`: the
/// options were escaped when rendered). The default has no options: a list without regions.
#[derive(Debug, Default)]
pub struct RegionSelect {
    options: Option<Arc<RegionOptions>>,
    mark: Option<usize>,
}

impl RegionSelect {
    pub fn is_empty(&self) -> bool {
        self.options.as_ref().is_none_or(|o| o.html.is_empty())
    }
}

impl fmt::Display for RegionSelect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(options) = &self.options else { return Ok(()) };
        match self.mark {
            Some(at) => {
                f.write_str(&options.html[..at])?;
                f.write_str(" selected")?;
                f.write_str(&options.html[at..])
            }
            None => f.write_str(&options.html),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_options_are_escaped_once_and_one_is_selected() {
        let options = Arc::new(RegionOptions::new([("utrecht", "Utrecht (provincie)"), ("a-b", "A & <B>")]));
        assert_eq!(
            options.select(Some("a-b")).to_string(),
            r#"<option value="utrecht">Utrecht (provincie)</option><option value="a-b" selected>A &#38; &#60;B&#62;</option>"#
        );
        assert!(!options.select(Some("nergens")).to_string().contains("selected"));
        assert!(!options.select(None).to_string().contains("selected"));
        assert!(RegionSelect::default().is_empty());
        assert_eq!(RegionSelect::default().to_string(), "");
    }
}
