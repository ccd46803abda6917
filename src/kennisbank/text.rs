//! The kennisbank's text search, answered in memory from the snapshot (`index`), so that a
//! common word matching most of the library costs a few passes over compact posting lists
//! instead of a rank or similarity per matching row in PostgreSQL.
//!
//! Three ways find a record, as the SQL they replace did: the full text (`search`, Dutch
//! stemming: a record must hold every word of the query), or a title or an author name close to
//! the words (pg_trgm's `<%`: at least `SIMILAR` of the query's trigrams appear among the
//! field's). PostgreSQL supplies the query's lexemes and its folded text (one statement that
//! does not touch a table); the rest happens here. The trigram part counts the query's trigrams
//! anywhere in the field, not within one stretch of words as `word_similarity` does, so it is a
//! little more lenient on long titles.

use std::collections::HashMap;

use sqlx::PgPool;

use crate::search::rows::RowSet;

/// pg_trgm's `word_similarity_threshold`: the share of the query's trigrams a field must hold,
/// as a fraction `SIMILAR.0 / SIMILAR.1`.
const SIMILAR: (usize, usize) = (3, 5);

/// ts_rank's default weights for labels A, B, C and D.
const WEIGHTS: [f32; 4] = [1.0, 0.4, 0.2, 0.1];

/// A text query as PostgreSQL reads it: its lexemes (Dutch stemming, unaccented) and the text
/// lower-cased and unaccented, for the trigrams.
pub(crate) struct Query {
    pub lexemes: Vec<String>,
    pub folded: String,
}

impl Query {
    /// Reads `q` with the dictionary and folding the `search` column and the load use.
    pub(crate) async fn read(db: &PgPool, q: &str) -> sqlx::Result<Self> {
        let row = sqlx::query!(
            r#"SELECT tsvector_to_array(to_tsvector('dutch', immutable_unaccent($1))) AS "lexemes!",
                      lower(immutable_unaccent($1)) AS "folded!""#,
            q,
        )
        .fetch_one(db)
        .await?;
        Ok(Self { lexemes: row.lexemes, folded: row.folded })
    }
}

/// The searchable text of one published record, as loaded: `search` as text, and the title
/// and author names lower-cased and unaccented.
pub(crate) struct Source<'a> {
    pub search: &'a str,
    pub title: &'a str,
    pub authors: &'a str,
}

/// Inverted lists over the snapshot's rows.
#[derive(Default)]
pub(crate) struct TextIndex {
    /// Per lexeme, the rows holding it in ascending order, each as `row << 2 | label` where
    /// label is the best weight the row gives it (0 = A … 3 = D).
    lexemes: HashMap<Box<str>, Vec<u32>>,
    title: Trigrams,
    authors: Trigrams,
    /// Per row, its place among the rows by id, highest first (the tie-break of the order),
    /// and the rows in that order.
    id_rank: Vec<u32>,
    by_id: Vec<u32>,
}

/// Per trigram (three characters packed in a u64), the rows whose field holds it, ascending.
#[derive(Default)]
struct Trigrams {
    postings: HashMap<u64, Vec<u32>>,
}

impl Trigrams {
    fn add(&mut self, row: u32, text: &str, scratch: &mut Vec<u64>) {
        scratch.clear();
        trigrams_into(text, scratch);
        scratch.sort_unstable();
        scratch.dedup();
        for &trigram in scratch.iter() {
            self.postings.entry(trigram).or_default().push(row);
        }
    }

    /// The rows holding at least `SIMILAR` of `query`'s (distinct) trigrams, each with the
    /// share it holds added to `scores`.
    fn matches(&self, query: &[u64], counts: &mut [u16], scores: &mut [f32], matched: &mut RowSet) {
        if query.is_empty() {
            return;
        }
        counts.iter_mut().for_each(|c| *c = 0);
        for trigram in query {
            for &row in self.postings.get(trigram).map(Vec::as_slice).unwrap_or_default() {
                counts[row as usize] += 1;
            }
        }
        let total = query.len();
        for (row, &count) in counts.iter().enumerate() {
            let count = count as usize;
            if count > 0 && count * SIMILAR.1 >= total * SIMILAR.0 {
                scores[row] += count as f32 / total as f32;
                matched.insert(row as u32);
            }
        }
    }

    fn bytes(&self) -> usize {
        self.postings.capacity() * (8 + 24 + 8)
            + self.postings.values().map(|v| v.capacity() * 4).sum::<usize>()
    }

    fn shrink(&mut self) {
        self.postings.values_mut().for_each(Vec::shrink_to_fit);
        self.postings.shrink_to_fit();
    }
}

/// pg_trgm's trigrams of `text`: each word (a run of letters and digits) lower-cased, padded
/// with two spaces before and one after, every window of three characters.
fn trigrams_into(text: &str, out: &mut Vec<u64>) {
    let mut padded: Vec<char> = Vec::with_capacity(32);
    let mut flush = |padded: &mut Vec<char>| {
        if padded.len() > 2 {
            padded.push(' ');
            for w in padded.windows(3) {
                out.push((w[0] as u64) << 42 | (w[1] as u64) << 21 | w[2] as u64);
            }
        }
        padded.clear();
    };
    for c in text.chars() {
        if c.is_alphanumeric() {
            if padded.is_empty() {
                padded.extend([' ', ' ']);
            }
            padded.extend(c.to_lowercase());
        } else {
            flush(&mut padded);
        }
    }
    flush(&mut padded);
}

/// The distinct trigrams of `text`.
fn trigrams(text: &str) -> Vec<u64> {
    let mut out = Vec::new();
    trigrams_into(text, &mut out);
    out.sort_unstable();
    out.dedup();
    out
}

/// The lexemes of a tsvector's text form (`'word':1A,4 'other':2B`) with the best label each
/// carries (0 = A … 3 = D; D is written without a letter, as is a lexeme without positions).
fn lexemes_of(tsvector: &str, mut each: impl FnMut(String, u32)) {
    let mut chars = tsvector.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\'' {
            continue;
        }
        let mut lexeme = String::new();
        while let Some(c) = chars.next() {
            match c {
                '\\' => lexeme.extend(chars.next()),
                '\'' if chars.peek() == Some(&'\'') => {
                    chars.next();
                    lexeme.push('\'');
                }
                '\'' => break,
                c => lexeme.push(c),
            }
        }
        let mut best = 3;
        if chars.peek() == Some(&':') {
            while let Some(&c) = chars.peek() {
                if c == ' ' {
                    break;
                }
                chars.next();
                if let Some(label) = "ABC".find(c) {
                    best = best.min(label as u32);
                }
            }
        }
        each(lexeme, best);
    }
}

impl TextIndex {
    /// The index of `sources`, the rows of `ids` in that order.
    pub(crate) fn build<'a>(ids: &[i64], sources: impl IntoIterator<Item = Source<'a>>) -> Self {
        let mut by_id: Vec<u32> = (0..ids.len() as u32).collect();
        by_id.sort_unstable_by_key(|&row| std::cmp::Reverse(ids[row as usize]));
        let mut id_rank = vec![0; ids.len()];
        for (rank, &row) in by_id.iter().enumerate() {
            id_rank[row as usize] = rank as u32;
        }
        let mut index = Self { id_rank, by_id, ..Self::default() };
        let mut scratch = Vec::new();
        for (row, source) in sources.into_iter().enumerate() {
            let row = row as u32;
            lexemes_of(source.search, |lexeme, label| {
                let posting = index.lexemes.entry(lexeme.into_boxed_str()).or_default();
                // A lexeme appears once in a tsvector, so a row is pushed once per lexeme.
                posting.push(row << 2 | label);
            });
            index.title.add(row, source.title, &mut scratch);
            index.authors.add(row, source.authors, &mut scratch);
        }
        index.lexemes.values_mut().for_each(Vec::shrink_to_fit);
        index.lexemes.shrink_to_fit();
        index.title.shrink();
        index.authors.shrink();
        index
    }

    /// Approximate heap size, for the load log.
    pub(crate) fn bytes(&self) -> usize {
        let lexemes = self.lexemes.capacity() * (16 + 24 + 8)
            + self.lexemes.iter().map(|(k, v)| k.len() + v.capacity() * 4).sum::<usize>();
        lexemes + self.title.bytes() + self.authors.bytes() + (self.id_rank.len() + self.by_id.len()) * 4
    }

    /// The rows that match `query`, and those rows by relevance: the full-text part weighted
    /// by label (the mean over the query's lexemes of the best weight the row gives each) plus
    /// each field's trigram share, highest first, then the highest id.
    pub(crate) fn matches(&self, query: &Query) -> (RowSet, Vec<u32>) {
        let n = self.id_rank.len();
        let mut matched = RowSet::empty(n);
        let mut scores = vec![0f32; n];
        let mut counts = vec![0u16; n];

        let postings: Option<Vec<&Vec<u32>>> =
            query.lexemes.iter().map(|lexeme| self.lexemes.get(lexeme.as_str())).collect();
        if let Some(postings) = postings.filter(|p| !p.is_empty()) {
            let mut weight = vec![0f32; n];
            for posting in &postings {
                for &entry in posting.iter() {
                    let row = (entry >> 2) as usize;
                    counts[row] += 1;
                    weight[row] += WEIGHTS[(entry & 3) as usize];
                }
            }
            let every = postings.len() as u16;
            let share = 1.0 / postings.len() as f32;
            for (row, &count) in counts.iter().enumerate() {
                if count == every {
                    scores[row] += weight[row] * share;
                    matched.insert(row as u32);
                }
            }
        }

        let trigrams = trigrams(&query.folded);
        // Counters are u16: a query of more than 65,535 distinct trigrams is cut short.
        let trigrams = &trigrams[..trigrams.len().min(u16::MAX as usize)];
        self.title.matches(trigrams, &mut counts, &mut scores, &mut matched);
        self.authors.matches(trigrams, &mut counts, &mut scores, &mut matched);

        // One u64 per match (score descending, then id descending), sorted as plain integers:
        // scores are never negative, so their bits order as the scores do.
        let mut keys: Vec<u64> = matched
            .iter()
            .map(|row| {
                let score = u32::MAX - scores[row as usize].to_bits();
                (score as u64) << 32 | self.id_rank[row as usize] as u64
            })
            .collect();
        keys.sort_unstable();
        let order = keys.iter().map(|key| self.by_id[*key as u32 as usize]).collect();
        (matched, order)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three records as the load sees them (lexemes as PostgreSQL's Dutch dictionary gives them).
    fn library() -> (Vec<i64>, TextIndex) {
        let records = [
            (
                "'jeugdhulp':1A 'basisvoorzien':6B 'kind':3A 'samen':1A 'snijder':5B",
                "samen om het kind",
                "marieke snijder",
            ),
            (
                "'jeugdhulp':2A 'analys':1A 'radical':3A 'vernieuw':4A 'jeugd':7C 'zorg':8C",
                "analyse radicale vernieuwing jeugdhulp",
                "nederlands jeugdinstituut",
            ),
            (
                "'spel':1A 'medicijn':3A 'vries':4B 'jeugd':9B 'zorg':2A",
                "spelen als medicijn",
                "ines de vries",
            ),
        ];
        let ids = vec![30, 20, 10];
        let index = TextIndex::build(
            &ids,
            records.iter().map(|(search, title, authors)| Source { search, title, authors }),
        );
        (ids, index)
    }

    fn found(q: &[&str], folded: &str) -> Vec<i64> {
        let (ids, index) = library();
        let query = Query { lexemes: q.iter().map(|s| (*s).to_owned()).collect(), folded: folded.to_owned() };
        let (matched, order) = index.matches(&query);
        assert_eq!(matched.count(), order.len());
        order.iter().map(|&r| ids[r as usize]).collect()
    }

    #[test]
    fn a_stemmed_word_finds_by_full_text() {
        assert_eq!(found(&["basisvoorzien"], "basisvoorziening"), [30]);
    }

    #[test]
    fn a_typo_in_the_title_finds_by_trigrams() {
        assert_eq!(found(&["medicjn"], "medicjn"), [10]);
        assert_eq!(found(&["jeugdhlp"], "jeugdhlp"), [20]);
    }

    #[test]
    fn part_of_an_author_name_finds_with_a_typo() {
        assert_eq!(found(&["snijdr"], "snijdr"), [30]);
        assert_eq!(found(&["vries"], "vries"), [10]);
    }

    #[test]
    fn every_word_must_match_and_better_labels_rank_first() {
        assert_eq!(found(&["analys", "jeugdhulp"], "analyse jeugdhulp"), [20]);
        assert!(found(&["kind", "zorg"], "kind zorg").is_empty());
        // A title holding most of the query's trigrams still matches (as pg_trgm's `<%`).
        assert_eq!(found(&["jeugdhulp", "kind"], "jeugdhulp kind"), [30, 20]);
        // Title (A) before abstract (C), whatever the ids.
        assert_eq!(found(&["zorg"], "zorg"), [10, 20]);
        // The full text and a close title add up.
        assert_eq!(found(&["jeugdhulp"], "jeugdhulp"), [20, 30]);
    }

    #[test]
    fn no_match_and_punctuation_find_nothing() {
        assert!(found(&["zwembad"], "zwembad").is_empty());
        assert!(found(&[], "%'\"<>!? ...").is_empty());
        assert!(found(&[], "").is_empty());
    }

    #[test]
    fn trigrams_are_pg_trgms() {
        let mut got = trigrams("Ab, c");
        got.sort_unstable();
        let pack = |s: &str| {
            let c: Vec<char> = s.chars().collect();
            (c[0] as u64) << 42 | (c[1] as u64) << 21 | c[2] as u64
        };
        let mut want: Vec<u64> = ["  a", " ab", "ab ", "  c", " c "].iter().map(|s| pack(s)).collect();
        want.sort_unstable();
        assert_eq!(got, want);
    }

    #[test]
    fn tsvector_text_is_read_with_its_best_label() {
        let mut seen = Vec::new();
        lexemes_of(r"'a''b':3,1B 'c\\d':2C 'e' 'f':4", |l, w| seen.push((l, w)));
        assert_eq!(
            seen,
            [("a'b".to_owned(), 1), ("c\\d".to_owned(), 2), ("e".to_owned(), 3), ("f".to_owned(), 3)]
        );
    }
}
