//! Reading list filters from a query string. Facets repeat a key (`thema=a&thema=b`), which
//! serde's urlencoded format cannot express, so the query is parsed here once.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

#[derive(Clone, Debug, Default)]
pub struct QueryParams {
    pairs: Vec<(String, String)>,
}

/// Longest value accepted for any one parameter; longer input is cut, not rejected.
const MAX_VALUE: usize = 200;
/// More repeated values than this for one key are ignored.
const MAX_REPEATS: usize = 30;

/// The request's query string, parsed: a handler takes `params: QueryParams`.
impl<S: Send + Sync> FromRequestParts<S> for QueryParams {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::parse(parts.uri.query()))
    }
}

impl QueryParams {
    pub fn parse(raw: Option<&str>) -> Self {
        let pairs = url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
            .take(200)
            .map(|(k, v)| {
                // Control characters (NUL above all) cannot be stored or searched; drop them.
                let value: String = v.chars().filter(|c| !c.is_control()).take(MAX_VALUE).collect();
                (k.into_owned(), value.trim().to_owned())
            })
            .filter(|(_, v)| !v.is_empty())
            .collect();
        Self { pairs }
    }

    pub fn one(&self, key: &str) -> Option<String> {
        self.pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
    }

    pub fn all(&self, key: &str) -> Vec<String> {
        let mut values: Vec<String> =
            self.pairs.iter().filter(|(k, _)| k == key).map(|(_, v)| v.clone()).take(MAX_REPEATS).collect();
        values.sort();
        values.dedup();
        values
    }

    /// The page number; anything unreadable counts as the first page.
    pub fn page(&self) -> Option<i64> {
        self.one("pagina").and_then(|p| p.parse().ok())
    }
}

/// Builds a query string from pairs, for links that keep the current filters.
pub fn query_string(pairs: &[(&str, &str)]) -> String {
    let mut serializer = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        serializer.append_pair(k, v);
    }
    serializer.finish()
}

/// The filters that are set, as query-string pairs in the given order; a `(key, None)` is
/// left out.
pub fn chosen_pairs<'a>(
    pairs: impl IntoIterator<Item = (&'a str, Option<&'a str>)>,
) -> Vec<(&'a str, &'a str)> {
    pairs.into_iter().filter_map(|(key, value)| Some((key, value?))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_keys_trimmed_capped_and_deduplicated() {
        let long = "x".repeat(500);
        let raw = format!("thema=b&thema=a&thema=b&q=+%20zo%00rg+&leeg=&pagina=abc&lang={long}");
        let params = QueryParams::parse(Some(&raw));
        assert_eq!(params.all("thema"), vec!["a", "b"]);
        assert_eq!(params.one("q").as_deref(), Some("zorg"));
        assert_eq!(params.one("leeg"), None);
        assert_eq!(params.page(), None);
        assert_eq!(params.one("lang").unwrap().len(), 200);
    }
}
