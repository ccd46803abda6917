//! The publication form that members (proposing) and editors (keeping the kennisbank) share:
//! its fields as typed, their Dutch validation into [`Fields`], and writing them.

use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, PgPool};

use super::PublicationStatus;
use super::cite::{Author, Citable};
use super::fields::{parse_doi, parse_isbn, parse_url, parse_year};
use super::handlers::EXPORT_SLUG;
use super::queries::write_authors;
use super::status::{Access, AuthorKind, Licence, PublicationKind};
use crate::taxonomy::{self, Term, Vocabulary};
use crate::text;
use crate::web::form::{FieldErrors, clean};

const ABSTRACT_MAX: usize = 20_000;
const AUTHORS_MAX: usize = 100;

/// The form as sent: every value as typed, so a 422 shows it again unchanged.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct PublicationForm {
    pub titel: String,
    pub reeks: String,
    pub jaar: String,
    pub uitgever: String,
    pub soort: String,
    pub samenvatting: String,
    /// One author per line: "voornaam | tussenvoegsel | achternaam" for a person, the name
    /// alone for an organisation.
    pub auteurs: String,
    pub toegang: String,
    pub url: String,
    pub doi: String,
    pub isbn: String,
    pub licentie: String,
    pub thema: Vec<String>,
    pub niveau: Vec<String>,
    /// Back office only.
    pub status: String,
    pub actie: String,
    /// A member's change to a published record: why (not stored on the record).
    pub toelichting: String,
}

/// A publication's content, valid by construction.
#[derive(Clone, Debug, Serialize)]
pub struct Fields {
    pub title: String,
    pub series: String,
    pub year: Option<i16>,
    pub publisher: String,
    pub kind: PublicationKind,
    pub abstract_md: String,
    pub authors: Vec<Author>,
    pub access: Access,
    pub url: String,
    pub doi: String,
    pub isbn: String,
    pub licence: Licence,
    pub themes: Vec<String>,
    pub levels: Vec<String>,
}

impl Fields {
    /// What a reference to the record at `slug` with these fields says.
    pub fn citable(&self, slug: &str) -> Citable {
        Citable {
            slug: slug.to_owned(),
            title: self.title.clone(),
            series: self.series.clone(),
            year: self.year,
            publisher: self.publisher.clone(),
            kind: self.kind,
            url: self.url.clone(),
            doi: self.doi.clone(),
            isbn: self.isbn.clone(),
            authors: self.authors.clone(),
            abstract_text: self.abstract_md.clone(),
        }
    }
}

/// Reads the author lines; a line with "|" is a person, one without an organisation.
pub fn parse_authors(input: &str) -> Result<Vec<Author>, String> {
    let mut authors = Vec::new();
    for (number, line) in input.lines().map(str::trim).filter(|l| !l.is_empty()).enumerate() {
        let author = if line.contains('|') {
            let parts: Vec<&str> = line.split('|').map(str::trim).collect();
            if parts.len() != 3 || parts[2].is_empty() {
                return Err(format!(
                    "Regel {}: schrijf een persoon als ‘voornaam | tussenvoegsel | achternaam’ (tussenvoegsel mag leeg).",
                    number + 1
                ));
            }
            Author {
                kind: AuthorKind::Persoon,
                given: parts[0].to_owned(),
                particle: parts[1].to_owned(),
                family: parts[2].to_owned(),
            }
        } else {
            Author {
                kind: AuthorKind::Organisatie,
                given: String::new(),
                particle: String::new(),
                family: line.to_owned(),
            }
        };
        if author.family.chars().count() > 300
            || author.given.chars().count() > 200
            || author.particle.chars().count() > 40
        {
            return Err(format!("Regel {}: deze naam is te lang.", number + 1));
        }
        authors.push(author);
    }
    if authors.len() > AUTHORS_MAX {
        return Err(format!("Noem hoogstens {AUTHORS_MAX} auteurs."));
    }
    Ok(authors)
}

/// The author lines for a form, from stored authors.
pub fn author_lines(authors: &[Author]) -> String {
    authors
        .iter()
        .map(|a| match a.kind {
            AuthorKind::Organisatie => a.family.clone(),
            AuthorKind::Persoon => format!("{} | {} | {}", a.given, a.particle, a.family),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

impl PublicationForm {
    /// The form for a new publication: to be read online, licence not known yet.
    pub fn blank() -> Self {
        PublicationForm {
            toegang: Access::Link.as_str().into(),
            licentie: Licence::Onbekend.as_str().into(),
            ..Default::default()
        }
    }

    /// Caps every field (so a huge value cannot travel on), keeping what was typed.
    pub fn cleaned(mut self) -> Self {
        self.titel = clean(&self.titel, 400);
        self.reeks = clean(&self.reeks, 400);
        self.jaar = clean(&self.jaar, 20);
        self.uitgever = clean(&self.uitgever, 400);
        self.soort = clean(&self.soort, 40);
        self.samenvatting = clean(&self.samenvatting, ABSTRACT_MAX + 1);
        self.auteurs = clean(&self.auteurs, 20_000);
        self.toegang = clean(&self.toegang, 40);
        self.url = clean(&self.url, 2_100);
        self.doi = clean(&self.doi, 400);
        self.isbn = clean(&self.isbn, 40);
        self.licentie = clean(&self.licentie, 40);
        self.toelichting = clean(&self.toelichting, 2_001);
        self.thema.truncate(50);
        self.niveau.truncate(50);
        self
    }

    /// The fields, or a Dutch message per field that is not right.
    pub fn validate(&self) -> Result<Fields, FieldErrors> {
        let mut errors = FieldErrors::default();
        let title_chars = self.titel.chars().count();
        if title_chars < 2 {
            errors.add("titel", "Vul de titel van de publicatie in.");
        } else if title_chars > 300 {
            errors.add("titel", format!("Houd de titel korter dan 300 tekens (nu {title_chars})."));
        } else if text::slugify(&self.titel).is_empty() {
            errors.add("titel", "Gebruik in de titel ook letters of cijfers.");
        }
        if self.reeks.chars().count() > 300 {
            errors.add("reeks", "Houd de naam van de reeks korter dan 300 tekens.");
        }
        if self.uitgever.chars().count() > 300 {
            errors.add("uitgever", "Houd de naam van de uitgever korter dan 300 tekens.");
        }
        let year = parse_year(&self.jaar).map_err(|m| errors.add("jaar", m)).ok().flatten();
        let kind = PublicationKind::parse(&self.soort);
        if kind.is_none() {
            errors.add("soort", "Kies wat voor publicatie het is.");
        }
        if self.samenvatting.chars().count() > ABSTRACT_MAX {
            errors.add("samenvatting", "De samenvatting is te lang; houd het onder de 20.000 tekens.");
        }
        let authors = parse_authors(&self.auteurs).map_err(|m| errors.add("auteurs", m)).unwrap_or_default();
        let access = Access::parse(&self.toegang);
        if access.is_none() {
            errors.add("toegang", "Kies hoe de publicatie te krijgen is.");
        }
        let url = if self.url.is_empty() {
            String::new()
        } else {
            parse_url(&self.url).map_err(|m| errors.add("url", m)).unwrap_or_default()
        };
        let doi = if self.doi.is_empty() {
            String::new()
        } else {
            parse_doi(&self.doi).map_err(|m| errors.add("doi", m)).unwrap_or_default()
        };
        let isbn = if self.isbn.is_empty() {
            String::new()
        } else {
            parse_isbn(&self.isbn).map_err(|m| errors.add("isbn", m)).unwrap_or_default()
        };
        let licence =
            if self.licentie.is_empty() { Some(Licence::Onbekend) } else { Licence::parse(&self.licentie) };
        if licence.is_none() {
            errors.add("licentie", "Kies een licentie uit de lijst (of ‘Onbekend’).");
        }
        match (kind, access, licence) {
            (Some(kind), Some(access), Some(licence)) if errors.is_empty() => Ok(Fields {
                title: self.titel.clone(),
                series: self.reeks.clone(),
                year,
                publisher: self.uitgever.clone(),
                kind,
                abstract_md: self.samenvatting.clone(),
                authors,
                access,
                url,
                doi,
                isbn,
                licence,
                themes: self.thema.clone(),
                levels: self.niveau.clone(),
            }),
            _ => Err(errors),
        }
    }

    /// The form of valid fields, written as the record stores them (so that two forms with
    /// the same content compare equal, however they were typed).
    pub fn from_fields(fields: &Fields) -> Self {
        let mut themes = fields.themes.clone();
        themes.sort();
        themes.dedup();
        let mut levels = fields.levels.clone();
        levels.sort();
        levels.dedup();
        PublicationForm {
            titel: fields.title.clone(),
            reeks: fields.series.clone(),
            jaar: fields.year.map(|y| y.to_string()).unwrap_or_default(),
            uitgever: fields.publisher.clone(),
            soort: fields.kind.as_str().to_owned(),
            samenvatting: fields.abstract_md.clone(),
            auteurs: author_lines(&fields.authors),
            toegang: fields.access.as_str().to_owned(),
            url: fields.url.clone(),
            doi: fields.doi.clone(),
            isbn: fields.isbn.clone(),
            licentie: fields.licence.as_str().to_owned(),
            thema: themes,
            niveau: levels,
            ..Default::default()
        }
    }

    pub fn checked(&self, key: &str, slug: &str) -> bool {
        let list = if key == "thema" { &self.thema } else { &self.niveau };
        list.iter().any(|s| s == slug)
    }

    /// The form of a stored publication.
    pub async fn load(db: &PgPool, id: i64) -> sqlx::Result<Option<(Self, PublicationStatus, String)>> {
        let row = sqlx::query!(
            r#"SELECT p.slug, p.title, p.series, p.year, p.publisher, p.kind AS "kind: PublicationKind", p.abstract_md,
                      p.access AS "access: Access", p.url, p.doi, p.isbn, p.licence AS "licence: Licence",
                      p.status AS "status: PublicationStatus",
                      ARRAY(SELECT t.slug FROM publication_themes l JOIN themes t ON t.id = l.theme_id
                            WHERE l.publication_id = p.id ORDER BY t.position) AS "themes!",
                      ARRAY(SELECT t.slug FROM publication_levels l JOIN levels t ON t.id = l.level_id
                            WHERE l.publication_id = p.id ORDER BY t.position) AS "levels!"
               FROM publications p WHERE p.id = $1"#,
            id,
        )
        .fetch_optional(db)
        .await?;
        let Some(r) = row else { return Ok(None) };
        let authors = super::queries::authors_of(db, &[id]).await?.pop().map(|(_, a)| a).unwrap_or_default();
        let form = PublicationForm {
            titel: r.title,
            reeks: r.series,
            jaar: r.year.map(|y| y.to_string()).unwrap_or_default(),
            uitgever: r.publisher,
            soort: r.kind.as_str().to_owned(),
            samenvatting: r.abstract_md,
            auteurs: author_lines(&authors),
            toegang: r.access.as_str().to_owned(),
            url: r.url,
            doi: r.doi,
            isbn: r.isbn,
            licentie: r.licence.as_str().to_owned(),
            thema: r.themes,
            niveau: r.levels,
            status: r.status.as_str().to_owned(),
            actie: String::new(),
            toelichting: String::new(),
        };
        Ok(Some((form, r.status, r.slug)))
    }
}

/// What the form offers to choose from.
pub struct Choices {
    pub themes: Vec<Term>,
    pub levels: Vec<Term>,
}

impl Choices {
    pub async fn load(db: &PgPool) -> sqlx::Result<Self> {
        Ok(Self {
            themes: taxonomy::all(db, Vocabulary::Theme).await?,
            levels: taxonomy::all(db, Vocabulary::Level).await?,
        })
    }

    pub fn kinds(&self) -> &'static [PublicationKind] {
        PublicationKind::ALL
    }
    pub fn accesses(&self) -> &'static [Access] {
        Access::ALL
    }
    pub fn licences(&self) -> &'static [Licence] {
        Licence::ALL
    }
}

/// Inserts a publication with a unique slug made from its title and writes its fields as
/// [`update`] does; returns its id and slug.
pub async fn insert(
    conn: &mut PgConnection,
    fields: &Fields,
    status: PublicationStatus,
    proposed_by: Option<i64>,
) -> sqlx::Result<(i64, String)> {
    let base = text::slugify(&fields.title);
    let base = if base.is_empty() || base == EXPORT_SLUG { format!("publicatie-{base}") } else { base };
    let base = base.trim_end_matches('-').to_owned();
    let mut candidates = text::SlugCandidates::new(&base);
    loop {
        let slug = candidates.next_slug();
        let id = sqlx::query_scalar!(
            "INSERT INTO publications (slug, title, kind, proposed_by) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (slug) DO NOTHING RETURNING id",
            slug,
            fields.title,
            fields.kind as PublicationKind,
            proposed_by,
        )
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(id) = id {
            update(conn, id, fields, status).await?;
            return Ok((id, slug));
        }
    }
}

/// Writes the fields and status onto a publication (its slug stays: public URLs are kept).
pub async fn update(
    conn: &mut PgConnection,
    id: i64,
    fields: &Fields,
    status: PublicationStatus,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE publications SET title = $2, series = $3, year = $4, publisher = $5, kind = $6, abstract_md = $7, \
                access = $8, url = $9, doi = $10, isbn = $11, licence = $12, status = $13, updated_at = now(), \
                published_at = CASE WHEN $13 = $14 THEN coalesce(published_at, now()) ELSE published_at END \
         WHERE id = $1",
        id,
        fields.title,
        fields.series,
        fields.year,
        fields.publisher,
        fields.kind as PublicationKind,
        fields.abstract_md,
        fields.access as Access,
        fields.url,
        fields.doi,
        fields.isbn,
        fields.licence as Licence,
        status as PublicationStatus,
        PublicationStatus::Gepubliceerd as PublicationStatus,
    )
    .execute(&mut *conn)
    .await?;
    set_links(conn, id, fields).await
}

async fn set_links(conn: &mut PgConnection, id: i64, fields: &Fields) -> sqlx::Result<()> {
    write_authors(conn, id, &fields.authors).await?;
    for statement in [
        sqlx::query!("DELETE FROM publication_themes WHERE publication_id = $1", id),
        sqlx::query!(
            "INSERT INTO publication_themes SELECT $1, id FROM themes WHERE slug = ANY($2)",
            id,
            &fields.themes
        ),
        sqlx::query!("DELETE FROM publication_levels WHERE publication_id = $1", id),
        sqlx::query!(
            "INSERT INTO publication_levels SELECT $1, id FROM levels WHERE slug = ANY($2)",
            id,
            &fields.levels
        ),
    ] {
        statement.execute(&mut *conn).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> PublicationForm {
        PublicationForm {
            titel: "Samen om het kind".into(),
            soort: "rapport".into(),
            toegang: Access::Link.as_str().into(),
            auteurs: "Jan Willem | van der | Berg\nNederlands Jeugdinstituut, afdeling X".into(),
            ..Default::default()
        }
    }

    #[test]
    fn authors_are_read_from_lines() {
        let fields = form().validate().unwrap();
        assert_eq!(fields.authors[0].particle, "van der");
        assert_eq!(fields.authors[1].kind, AuthorKind::Organisatie);
        assert_eq!(fields.authors[1].family, "Nederlands Jeugdinstituut, afdeling X");
        assert_eq!(
            author_lines(&fields.authors),
            "Jan Willem | van der | Berg\nNederlands Jeugdinstituut, afdeling X"
        );
    }

    #[test]
    fn bad_identifiers_get_a_message_each() {
        let bad = PublicationForm {
            jaar: "15".into(),
            isbn: "978-90-5830-700-1".into(),
            doi: "doi.org/abc".into(),
            url: "ftp://x".into(),
            soort: "roman".into(),
            auteurs: "Jan | Berg".into(),
            ..form()
        };
        let errors = bad.validate().unwrap_err();
        for field in ["jaar", "isbn", "doi", "url", "soort", "auteurs"] {
            assert!(errors.has(field), "{field}");
        }
    }
}
