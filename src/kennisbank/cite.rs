//! References to a publication: APA 7 with Dutch conventions for people, and RIS, BibTeX and
//! CSL-JSON for reference managers. Every format is written from one [`Citable`].

use std::collections::HashMap;
use std::fmt::Write;

use serde_json::{Value, json};

use super::status::{AuthorKind, PublicationKind};

/// An author as stored: a person with the particle ("van der") kept apart, or an organisation
/// (its whole name in `family`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Author {
    pub kind: AuthorKind,
    #[serde(default)]
    pub given: String,
    #[serde(default)]
    pub particle: String,
    pub family: String,
}

impl Author {
    /// The name as one reads it: "Jan van der Berg", "Nederlands Jeugdinstituut".
    pub fn display(&self) -> String {
        [self.given.as_str(), self.particle.as_str(), self.family.as_str()]
            .iter()
            .filter(|p| !p.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// "Berg, J. van der" (APA 7, Dutch convention) or the organisation's name.
    fn apa(&self) -> String {
        match self.kind {
            AuthorKind::Organisatie => self.family.clone(),
            AuthorKind::Persoon => {
                let mut out = self.family.clone();
                let initials = initials(&self.given);
                if !initials.is_empty() {
                    out.push_str(", ");
                    out.push_str(&initials);
                }
                if !self.particle.is_empty() {
                    out.push_str(if initials.is_empty() { ", " } else { " " });
                    out.push_str(&self.particle);
                }
                out
            }
        }
    }
}

/// "Jan Willem" → "J. W.", "Anne-Marie" → "A.-M.".
fn initials(given: &str) -> String {
    given
        .split_whitespace()
        .map(|word| {
            word.split('-')
                .filter_map(|part| part.chars().next())
                .map(|c| format!("{}.", c.to_uppercase()))
                .collect::<Vec<_>>()
                .join("-")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Everything a reference needs.
#[derive(Clone, Debug)]
pub struct Citable {
    pub slug: String,
    pub title: String,
    pub series: String,
    pub year: Option<i16>,
    pub publisher: String,
    pub kind: PublicationKind,
    pub url: String,
    pub doi: String,
    pub isbn: String,
    pub authors: Vec<Author>,
    pub abstract_text: String,
}

impl Citable {
    fn doi_url(&self) -> Option<String> {
        (!self.doi.is_empty()).then(|| format!("https://doi.org/{}", self.doi))
    }

    /// The author list of an APA reference: up to 20 names, "en" before the last; with
    /// more, the first 19, an ellipsis and the last.
    fn apa_authors(&self) -> String {
        let names: Vec<String> = self.authors.iter().map(Author::apa).collect();
        match names.len() {
            0 => String::new(),
            1 => names[0].clone(),
            n if n <= 20 => format!("{}, en {}", names[..n - 1].join(", "), names[n - 1]),
            n => format!("{}, . . . {}", names[..19].join(", "), names[n - 1]),
        }
    }

    /// The reference in APA 7 as HTML (the title in italics) and as plain text.
    pub fn apa(&self) -> (String, String) {
        let year = self.year.map_or_else(|| "z.d.".to_owned(), |y| y.to_string());
        let authors = self.apa_authors();
        let mut title = self.title.clone();
        let mut after_title = String::new();
        if !self.series.is_empty() {
            after_title = format!(" ({})", self.series);
        }
        let mut tail = String::new();
        // The publisher is left out when it is the (only) author, as APA asks.
        let publisher_is_author = self.authors.len() == 1 && self.authors[0].family == self.publisher;
        if !self.publisher.is_empty() && !publisher_is_author {
            let _ = write!(tail, " {}.", ensure_no_period(&self.publisher));
        }
        if let Some(doi) = self.doi_url() {
            let _ = write!(tail, " {doi}");
        } else if !self.url.is_empty() {
            let _ = write!(tail, " {}", self.url);
        }
        let head = if authors.is_empty() {
            // Without an author the title moves to the front.
            title = ensure_no_period(&title).to_owned();
            None
        } else {
            // A group's name gets a closing period; a person's ends in initials already, or
            // in a particle that takes none ("Berg, J. van der (2015).").
            let closes = match self.authors.last().map(|a| a.kind) {
                Some(AuthorKind::Persoon) => authors.clone(),
                _ => ensure_period(&authors),
            };
            Some(format!("{closes} ({year})."))
        };
        let (plain_title, html_title) = (title.clone(), format!("<em>{}</em>", escape_html(&title)));
        let plain = match &head {
            Some(head) => format!("{head} {plain_title}{after_title}.{tail}"),
            None => format!("{plain_title}{after_title}. ({year}).{tail}"),
        };
        let html = match &head {
            Some(head) => {
                format!(
                    "{} {html_title}{}.{}",
                    escape_html(head),
                    escape_html(&after_title),
                    escape_html(&tail)
                )
            }
            None => format!("{html_title}{}. ({year}).{}", escape_html(&after_title), escape_html(&tail)),
        };
        (html, plain)
    }

    fn ris_type(&self) -> &'static str {
        match self.kind {
            PublicationKind::Artikel => "JOUR",
            PublicationKind::Boek => "BOOK",
            PublicationKind::Hoofdstuk => "CHAP",
            PublicationKind::Proefschrift => "THES",
            PublicationKind::Video => "VIDEO",
            PublicationKind::Podcast => "SOUND",
            PublicationKind::Webpagina => "ELEC",
            PublicationKind::Rapport
            | PublicationKind::Handreiking
            | PublicationKind::Advies
            | PublicationKind::Factsheet => "RPRT",
        }
    }

    /// One RIS record (lines end in CRLF, as the format asks).
    pub fn ris(&self) -> String {
        let mut out = String::new();
        let mut line = |tag: &str, value: &str| {
            let value = one_line(value);
            if !value.is_empty() {
                let _ = write!(out, "{tag}  - {value}\r\n");
            }
        };
        line("TY", self.ris_type());
        line("TI", &self.title);
        for author in &self.authors {
            match author.kind {
                AuthorKind::Persoon => {
                    let family = join_nonempty(&[&author.particle, &author.family]);
                    line("AU", &join_with(&family, ", ", &author.given));
                }
                // Without a comma, readers take the name whole (RIS has no particle field:
                // a person's particle stays in front of the family name).
                AuthorKind::Organisatie => line("AU", &author.family.replace(',', "")),
            }
        }
        if let Some(year) = self.year {
            line("PY", &year.to_string());
        }
        line("T3", &self.series);
        line("PB", &self.publisher);
        line("DO", &self.doi);
        line("SN", &self.isbn);
        line("UR", &self.url);
        line("AB", &self.abstract_text);
        out.push_str("ER  - \r\n");
        out
    }

    fn bibtex_type(&self) -> &'static str {
        match self.kind {
            PublicationKind::Artikel => "article",
            PublicationKind::Boek => "book",
            PublicationKind::Proefschrift => "phdthesis",
            PublicationKind::Rapport
            | PublicationKind::Handreiking
            | PublicationKind::Advies
            | PublicationKind::Factsheet => "techreport",
            PublicationKind::Hoofdstuk
            | PublicationKind::Video
            | PublicationKind::Podcast
            | PublicationKind::Webpagina => "misc",
        }
    }

    /// A BibTeX key: the first author's family name, the year and the first word of the title.
    fn bibtex_key(&self) -> String {
        let ascii = |s: &str| -> String {
            text_ascii(s).chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_lowercase()
        };
        let author = self.authors.first().map(|a| ascii(&a.family)).unwrap_or_default();
        let word = self.title.split_whitespace().map(ascii).find(|w| w.len() > 3).unwrap_or_default();
        let year = self.year.map(|y| y.to_string()).unwrap_or_default();
        let key = format!("{author}{year}{word}");
        if key.is_empty() { ascii(&self.slug) } else { key }
    }

    /// One BibTeX entry under `key`. Special characters are escaped; an organisation is one
    /// braced name, so no reader splits it into given and family names.
    pub fn bibtex_with_key(&self, key: &str) -> String {
        let mut out = format!("@{}{{{key},\n", self.bibtex_type());
        let mut field = |name: &str, value: &str| {
            if !value.is_empty() {
                let _ = writeln!(out, "  {name} = {{{value}}},");
            }
        };
        let authors: Vec<String> = self
            .authors
            .iter()
            .map(|a| match a.kind {
                AuthorKind::Organisatie => format!("{{{}}}", bibtex_escape(&a.family)),
                AuthorKind::Persoon => {
                    let family = join_nonempty(&[&a.particle, &a.family]);
                    join_with(&bibtex_escape(&family), ", ", &bibtex_escape(&a.given))
                }
            })
            .collect();
        field("author", &authors.join(" and "));
        // Double braces keep the title's capitals as written.
        field("title", &format!("{{{}}}", bibtex_escape(&one_line(&self.title))));
        if let Some(year) = self.year {
            field("year", &year.to_string());
        }
        field("series", &bibtex_escape(&self.series));
        let publisher = bibtex_escape(&self.publisher);
        match self.bibtex_type() {
            "techreport" => field("institution", &publisher),
            "phdthesis" => field("school", &publisher),
            _ => field("publisher", &publisher),
        }
        // DOI and URL are verbatim fields: readers take them as written, so nothing is
        // escaped; braces and backslashes (which would end the field) are left out.
        field("doi", &verbatim(&self.doi));
        field("isbn", &self.isbn);
        field("url", &verbatim(&self.url));
        out.push_str("}\n");
        out
    }

    fn csl_type(&self) -> &'static str {
        match self.kind {
            PublicationKind::Artikel => "article-journal",
            PublicationKind::Boek => "book",
            PublicationKind::Hoofdstuk => "chapter",
            PublicationKind::Proefschrift => "thesis",
            PublicationKind::Video => "motion_picture",
            PublicationKind::Podcast => "broadcast",
            PublicationKind::Webpagina => "webpage",
            PublicationKind::Rapport
            | PublicationKind::Handreiking
            | PublicationKind::Advies
            | PublicationKind::Factsheet => "report",
        }
    }

    /// One CSL-JSON item.
    pub fn csl(&self, id: &str) -> Value {
        let authors: Vec<Value> = self
            .authors
            .iter()
            .map(|a| match a.kind {
                AuthorKind::Organisatie => json!({ "literal": a.family }),
                AuthorKind::Persoon => {
                    let mut name = json!({ "family": a.family, "given": a.given });
                    if !a.particle.is_empty() {
                        name["non-dropping-particle"] = json!(a.particle);
                    }
                    name
                }
            })
            .collect();
        let mut item = json!({ "id": id, "type": self.csl_type(), "title": self.title, "author": authors });
        let mut set = |key: &str, value: &str| {
            if !value.is_empty() {
                item[key] = json!(value);
            }
        };
        set("collection-title", &self.series);
        set("publisher", &self.publisher);
        set("DOI", &self.doi);
        set("ISBN", &self.isbn);
        set("URL", &self.url);
        set("abstract", &self.abstract_text);
        if let Some(year) = self.year {
            item["issued"] = json!({ "date-parts": [[year]] });
        }
        item
    }
}

/// BibTeX for many records; keys made unique with a, b, c, ...
pub fn bibtex_all(records: &[Citable]) -> String {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = String::new();
    for record in records {
        let base = record.bibtex_key();
        let count = seen.entry(base.clone()).or_insert(0);
        let key = if *count == 0 {
            base.clone()
        } else {
            let suffix = (b'a' + ((*count - 1) % 26) as u8) as char;
            format!("{base}{suffix}{}", (*count - 1) / 26)
        };
        *count += 1;
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&record.bibtex_with_key(&key));
    }
    out
}

pub fn ris_all(records: &[Citable]) -> String {
    records.iter().map(Citable::ris).collect::<Vec<_>>().join("\r\n")
}

pub fn csl_all(records: &[Citable]) -> Value {
    Value::Array(records.iter().map(|r| r.csl(&r.slug)).collect())
}

/// Escapes BibTeX's special characters.
pub fn bibtex_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '{' => out.push_str("\\{"),
            '}' => out.push_str("\\}"),
            '&' | '%' | '$' | '#' | '_' => {
                out.push('\\');
                out.push(c);
            }
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn verbatim(value: &str) -> String {
    value.chars().filter(|c| !matches!(c, '{' | '}' | '\\') && !c.is_whitespace()).collect()
}

fn one_line(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn join_nonempty(parts: &[&str]) -> String {
    parts.iter().filter(|p| !p.is_empty()).copied().collect::<Vec<_>>().join(" ")
}

fn join_with(a: &str, separator: &str, b: &str) -> String {
    if b.is_empty() { a.to_owned() } else { format!("{a}{separator}{b}") }
}

fn ensure_period(value: &str) -> String {
    if value.ends_with('.') { value.to_owned() } else { format!("{value}.") }
}

fn ensure_no_period(value: &str) -> &str {
    value.strip_suffix('.').unwrap_or(value)
}

fn escape_html(value: &str) -> String {
    value.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Letters without their accents, for keys ("Özdemir" → "Ozdemir").
fn text_ascii(value: &str) -> String {
    crate::text::slugify(value).replace('-', "")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(given: &str, particle: &str, family: &str) -> Author {
        Author {
            kind: AuthorKind::Persoon,
            given: given.into(),
            particle: particle.into(),
            family: family.into(),
        }
    }

    fn organisation(name: &str) -> Author {
        Author {
            kind: AuthorKind::Organisatie,
            given: String::new(),
            particle: String::new(),
            family: name.into(),
        }
    }

    fn record(authors: Vec<Author>, year: Option<i16>) -> Citable {
        Citable {
            slug: "samen-om-het-kind".into(),
            title: "Samen om het kind".into(),
            series: String::new(),
            year,
            publisher: "Nederlands Jeugdinstituut".into(),
            kind: PublicationKind::Rapport,
            url: "https://www.nji.nl/".into(),
            doi: String::new(),
            isbn: String::new(),
            authors,
            abstract_text: String::new(),
        }
    }

    #[test]
    fn apa_puts_the_particle_after_the_initials_and_uses_en() {
        let r =
            record(vec![person("Mark", "", "Snijder"), person("Jan Willem", "van der", "Berg")], Some(2015));
        let (_, plain) = r.apa();
        assert_eq!(
            plain,
            "Snijder, M., en Berg, J. W. van der (2015). Samen om het kind. Nederlands Jeugdinstituut. https://www.nji.nl/"
        );
    }

    #[test]
    fn apa_without_a_year_says_zd_and_leaves_out_a_publisher_that_is_the_author() {
        let r = record(vec![organisation("Nederlands Jeugdinstituut")], None);
        let (html, plain) = r.apa();
        assert_eq!(plain, "Nederlands Jeugdinstituut. (z.d.). Samen om het kind. https://www.nji.nl/");
        assert!(html.contains("<em>Samen om het kind</em>"));
    }

    #[test]
    fn bibtex_escapes_and_keeps_organisations_whole() {
        let mut r = record(
            vec![organisation("Denktank Transformatie & Jeugd"), person("Jan", "van der", "Berg")],
            Some(2014),
        );
        r.title = "50% minder {regels} #jeugd".into();
        let bib = r.bibtex_with_key("k");
        assert!(
            bib.contains("author = {{Denktank Transformatie \\& Jeugd} and van der Berg, Jan},"),
            "{bib}"
        );
        assert!(bib.contains("title = {{50\\% minder \\{regels\\} \\#jeugd}},"), "{bib}");
        assert!(bib.starts_with("@techreport{k,"));
    }

    #[test]
    fn bibtex_keys_are_unique_in_an_export() {
        let a = record(vec![person("Mark", "", "Snijder")], Some(2015));
        let out = bibtex_all(&[a.clone(), a.clone(), a]);
        assert!(out.contains("{snijder2015samen,"));
        assert!(out.contains("{snijder2015samena0,"));
        assert!(out.contains("{snijder2015samenb0,"));
    }
}
