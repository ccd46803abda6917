//! Page numbers for long lists, kept in the query string as `pagina`.

use std::fmt::Display;

/// The link to page `number` of the list at `path` with the filters in `query` (a query
/// string without the page number; may be empty).
pub fn page_url(path: &str, query: &str, number: impl Display) -> String {
    if query.is_empty() {
        format!("{path}?pagina={number}")
    } else {
        format!("{path}?{query}&pagina={number}")
    }
}

#[derive(Clone, Debug)]
pub struct Paging {
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

impl Paging {
    pub const MAX_PAGE: i64 = 100_000;

    pub fn new(requested: Option<i64>, per_page: i64, total: i64) -> Self {
        let page = requested.unwrap_or(1).clamp(1, Self::MAX_PAGE);
        Self { page, per_page, total }
    }

    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.per_page
    }

    pub fn pages(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page).max(1)
    }

    pub fn has_previous(&self) -> bool {
        self.page > 1
    }

    pub fn has_next(&self) -> bool {
        self.page < self.pages()
    }

    pub fn is_current(&self, number: &i64) -> bool {
        *number == self.page
    }

    pub fn previous(&self) -> i64 {
        self.page - 1
    }

    pub fn next(&self) -> i64 {
        self.page + 1
    }

    /// The page numbers to offer as links: first, last and a window around the current one.
    /// `None` stands for a gap ("…").
    pub fn window(&self) -> Vec<Option<i64>> {
        let last = self.pages();
        let mut shown: Vec<i64> =
            [1, self.page - 2, self.page - 1, self.page, self.page + 1, self.page + 2, last]
                .into_iter()
                .filter(|p| (1..=last).contains(p))
                .collect();
        shown.sort_unstable();
        shown.dedup();
        let mut out = Vec::with_capacity(shown.len() + 2);
        for (i, p) in shown.iter().enumerate() {
            if i > 0 && *p > shown[i - 1] + 1 {
                out.push(None);
            }
            out.push(Some(*p));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::Paging;

    #[test]
    fn window_shows_ends_and_neighbours() {
        let p = Paging::new(Some(10), 20, 20 * 30);
        assert_eq!(p.pages(), 30);
        assert_eq!(p.offset(), 180);
        assert_eq!(
            p.window(),
            vec![Some(1), None, Some(8), Some(9), Some(10), Some(11), Some(12), None, Some(30)]
        );
        let first = Paging::new(None, 20, 0);
        assert_eq!(first.pages(), 1);
        assert!(!first.has_next() && !first.has_previous());
        assert_eq!(Paging::new(Some(-5), 20, 100).page, 1);
    }
}
