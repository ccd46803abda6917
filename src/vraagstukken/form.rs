//! What the member's and the editor's vraagstuk forms share: the fields of an obstacle and of
//! an alternative, their Dutch validation, and writing them (a new obstacle with a unique slug,
//! its themes and regions; an alternative pointing at a published record).

use serde::{Deserialize, Serialize};
use sqlx::PgConnection;

use super::queries::Record;
use super::{Review, VraagstukStatus};
use crate::catalogue::InitiativeStatus;
use crate::catalogue::editorial::Choices;
use crate::events::EventStatus;
use crate::text;
use crate::web::form::{FieldErrors, clean};

pub const TITLE_MAX: usize = 160;
pub const SUMMARY_MAX: usize = 300;
pub const BODY_MAX: usize = 20_000;
pub const WHY_MAX: usize = 300;

/// The obstacle form as sent. `status` and `beoordeling` only in the back office.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct VraagstukForm {
    #[serde(default)]
    pub titel: String,
    #[serde(default)]
    pub samenvatting: String,
    #[serde(default)]
    pub tekst: String,
    #[serde(default)]
    pub niveau: String,
    #[serde(default)]
    pub thema: Vec<String>,
    #[serde(default)]
    pub regio: Vec<String>,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub beoordeling: String,
}

/// A checked obstacle: terms by slug, each known.
#[derive(Clone, Debug, Serialize)]
pub struct Fields {
    pub title: String,
    pub summary: String,
    pub body_md: String,
    pub level: String,
    pub themes: Vec<String>,
    pub regions: Vec<String>,
    pub status: VraagstukStatus,
}

impl VraagstukForm {
    /// Trimmed and capped a little above each limit, so too long gets a message, not a cut.
    pub fn cleaned(self) -> Self {
        Self {
            titel: clean(&self.titel, TITLE_MAX * 4),
            samenvatting: clean(&self.samenvatting, SUMMARY_MAX * 4),
            tekst: clean(&self.tekst, BODY_MAX + 1),
            niveau: clean(&self.niveau, 100),
            thema: self.thema.iter().take(50).map(|t| clean(t, 100)).collect(),
            regio: self.regio.iter().take(200).map(|t| clean(t, 100)).collect(),
            status: clean(&self.status, 50),
            beoordeling: clean(&self.beoordeling, 50),
        }
    }

    pub fn checked(&self, key: &str, slug: &str) -> bool {
        let list = if key == "thema" { &self.thema } else { &self.regio };
        list.iter().any(|s| s == slug)
    }

    /// Checks the fields against the choices; `admin` also wants a status.
    pub fn validate(&self, choices: &Choices, admin: bool) -> Result<Fields, FieldErrors> {
        let mut errors = FieldErrors::default();
        let title_chars = self.titel.chars().count();
        if title_chars < 3 {
            errors.add("titel", "Geef het vraagstuk een titel van minstens 3 tekens.");
        } else if title_chars > TITLE_MAX {
            errors.add("titel", format!("Houd de titel korter dan {TITLE_MAX} tekens (nu {title_chars})."));
        } else if text::slugify(&self.titel).is_empty() {
            errors.add("titel", "Gebruik in de titel ook letters of cijfers.");
        }
        required_text(
            &mut errors,
            "samenvatting",
            &self.samenvatting,
            SUMMARY_MAX,
            "Beschrijf het vraagstuk in een of twee zinnen.",
            |n| {
                format!(
                    "De korte beschrijving mag hoogstens {SUMMARY_MAX} tekens hebben; nu zijn het er {n}."
                )
            },
        );
        if self.tekst.chars().count() > BODY_MAX {
            errors.add("tekst", "De toelichting is te lang; houd het onder de 20.000 tekens.");
        }
        if !choices.levels.iter().any(|l| l.slug == self.niveau) {
            errors.add("niveau", "Kies op welk niveau het vraagstuk speelt.");
        }
        if !self.thema.iter().all(|t| choices.themes.iter().any(|c| c.slug == *t)) {
            errors.add("thema", "Kies thema's uit de lijst.");
        }
        if !self.regio.iter().all(|r| choices.regions.iter().any(|c| c.slug == *r)) {
            errors.add("regio", "Kies regio's uit de lijst.");
        }
        let status =
            if admin { VraagstukStatus::parse(&self.status) } else { Some(VraagstukStatus::Gesignaleerd) };
        if status.is_none() {
            errors.add("status", "Kies de stand van zaken.");
        }
        match status {
            Some(status) if errors.is_empty() => Ok(Fields {
                title: self.titel.clone(),
                summary: self.samenvatting.clone(),
                body_md: self.tekst.clone(),
                level: self.niveau.clone(),
                themes: dedup(&self.thema),
                regions: dedup(&self.regio),
                status,
            }),
            _ => Err(errors),
        }
    }
}

fn dedup(list: &[String]) -> Vec<String> {
    let mut list = list.to_vec();
    list.sort();
    list.dedup();
    list
}

/// Inserts a new obstacle with a unique slug made from its title and writes its fields as
/// [`update`] does; returns its id and slug.
pub async fn insert(
    conn: &mut PgConnection,
    fields: &Fields,
    review: Review,
    raised_by_member: Option<i64>,
    proposed_by: Option<i64>,
) -> sqlx::Result<(i64, String)> {
    let base = text::slugify(&fields.title);
    let base = if base.is_empty() { "vraagstuk".to_owned() } else { base };
    let mut candidates = text::SlugCandidates::new(&base);
    loop {
        let slug = candidates.next_slug();
        let id = sqlx::query_scalar!(
            "INSERT INTO vraagstukken (slug, title, level_id, raised_by_member_id, proposed_by) \
             VALUES ($1, $2, (SELECT id FROM levels WHERE slug = $3), $4, $5) ON CONFLICT (slug) DO NOTHING RETURNING id",
            slug,
            fields.title,
            fields.level,
            raised_by_member,
            proposed_by,
        )
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(id) = id {
            update(conn, id, fields, review).await?;
            return Ok((id, slug));
        }
    }
}

/// Writes the fields onto an existing obstacle (its slug stays: public URLs are kept).
pub async fn update(conn: &mut PgConnection, id: i64, fields: &Fields, review: Review) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE vraagstukken SET title = $2, summary = $3, body_md = $4, level_id = (SELECT id FROM levels WHERE slug = $5), \
                status = $6, review = $7, updated_at = now() WHERE id = $1",
        id,
        fields.title,
        fields.summary,
        fields.body_md,
        fields.level,
        fields.status as VraagstukStatus,
        review as Review,
    )
    .execute(&mut *conn)
    .await?;
    set_terms(conn, id, fields).await
}

async fn set_terms(conn: &mut PgConnection, id: i64, fields: &Fields) -> sqlx::Result<()> {
    for statement in [
        sqlx::query!("DELETE FROM vraagstuk_themes WHERE vraagstuk_id = $1", id),
        sqlx::query!(
            "INSERT INTO vraagstuk_themes (vraagstuk_id, theme_id) SELECT $1, id FROM themes WHERE slug = ANY($2)",
            id,
            &fields.themes,
        ),
        sqlx::query!("DELETE FROM vraagstuk_regions WHERE vraagstuk_id = $1", id),
        sqlx::query!(
            "INSERT INTO vraagstuk_regions (vraagstuk_id, region_id) SELECT $1, id FROM regions WHERE slug = ANY($2)",
            id,
            &fields.regions,
        ),
    ] {
        statement.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The current content of obstacle `id` as its form holds it, with its review state and slug.
pub async fn load(db: &sqlx::PgPool, id: i64) -> sqlx::Result<Option<(VraagstukForm, Review, String)>> {
    let row = sqlx::query!(
        r#"SELECT v.title, v.summary, v.body_md, l.slug AS level, v.status, v.review AS "review: Review", v.slug,
                  ARRAY(SELECT t.slug FROM vraagstuk_themes x JOIN themes t ON t.id = x.theme_id
                        WHERE x.vraagstuk_id = v.id ORDER BY t.position) AS "themes!",
                  ARRAY(SELECT r.slug FROM vraagstuk_regions x JOIN regions r ON r.id = x.region_id
                        WHERE x.vraagstuk_id = v.id ORDER BY r.name) AS "regions!"
           FROM vraagstukken v JOIN levels l ON l.id = v.level_id WHERE v.id = $1"#,
        id,
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| {
        let form = VraagstukForm {
            titel: r.title,
            samenvatting: r.summary,
            tekst: r.body_md,
            niveau: r.level,
            thema: r.themes,
            regio: r.regions,
            status: r.status,
            beoordeling: r.review.as_str().to_owned(),
        };
        (form, r.review, r.slug)
    }))
}

/// The alternative form: which obstacle, the address of the record that answers it, and why.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct AlternativeForm {
    #[serde(default)]
    pub vraagstuk: String,
    #[serde(default)]
    pub adres: String,
    #[serde(default)]
    pub waarom: String,
}

/// A checked alternative: the published record it points at and the why-line.
#[derive(Clone, Debug)]
pub struct AlternativeFields {
    pub record: Record,
    pub why: String,
}

/// The kind of record an alternative's address names, by the first part of its path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RecordKind {
    Initiative,
    Publication,
    Event,
}

impl RecordKind {
    fn from_section(section: &str) -> Option<Self> {
        match section {
            "initiatieven" => Some(RecordKind::Initiative),
            "kennisbank" => Some(RecordKind::Publication),
            "bijeenkomsten" => Some(RecordKind::Event),
            _ => None,
        }
    }

    /// The Dutch word, for the message when nothing is published at the address.
    fn noun(self) -> &'static str {
        match self {
            RecordKind::Initiative => "initiatief",
            RecordKind::Publication => "publicatie",
            RecordKind::Event => "bijeenkomst",
        }
    }
}

/// The kind of record an address points at, from the first part of its path, with its slug.
fn parse_address(address: &str) -> Option<(RecordKind, String)> {
    let address = address.trim();
    let path = match address.split_once("://") {
        Some((scheme, rest)) if scheme == "http" || scheme == "https" => {
            rest.find('/').map_or("", |i| &rest[i..])
        }
        Some(_) => return None,
        None => address,
    };
    let path = path.split(['?', '#']).next().unwrap_or_default().trim_matches('/');
    let (section, slug) = path.split_once('/')?;
    let kind = RecordKind::from_section(section)?;
    let valid = !slug.is_empty()
        && slug.len() <= 200
        && slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    valid.then(|| (kind, slug.to_owned()))
}

impl AlternativeForm {
    pub fn cleaned(self) -> Self {
        Self {
            vraagstuk: clean(&self.vraagstuk, 200),
            adres: clean(&self.adres, 2000),
            waarom: clean(&self.waarom, WHY_MAX * 4),
        }
    }

    /// Checks the why-line and finds the published record the address names.
    pub async fn validate(&self, db: &sqlx::PgPool) -> sqlx::Result<Result<AlternativeFields, FieldErrors>> {
        let mut errors = FieldErrors::default();
        required_text(
            &mut errors,
            "waarom",
            &self.waarom,
            WHY_MAX,
            "Schrijf in één zin waarom dit helpt.",
            |n| format!("Houd het bij één zin van hoogstens {WHY_MAX} tekens (nu {n})."),
        );
        let record = match parse_address(&self.adres) {
            None => {
                errors.add(
                    "adres",
                    "Plak het adres van een initiatief, publicatie of bijeenkomst op deze site, zoals /initiatieven/naam.",
                );
                None
            }
            Some((kind, slug)) => {
                let found = published_record(db, kind, &slug).await?;
                if found.is_none() {
                    errors.add("adres", format!("Er is geen gepubliceerde {} met dit adres.", kind.noun()));
                }
                found
            }
        };
        Ok(match record {
            Some(record) if errors.is_empty() => Ok(AlternativeFields { record, why: self.waarom.clone() }),
            _ => Err(errors),
        })
    }
}

/// Adds `missing` to `field` when `value` is empty, or what `too_long` says of its length
/// when it has more than `max` characters.
fn required_text(
    errors: &mut FieldErrors,
    field: &'static str,
    value: &str,
    max: usize,
    missing: &str,
    too_long: impl FnOnce(usize) -> String,
) {
    match value.chars().count() {
        0 => errors.add(field, missing),
        n if n > max => errors.add(field, too_long(n)),
        _ => {}
    }
}

/// The published initiative, publication or event with this slug.
async fn published_record(db: &sqlx::PgPool, kind: RecordKind, slug: &str) -> sqlx::Result<Option<Record>> {
    // Publications share the initiatives' statuses.
    let published = InitiativeStatus::Gepubliceerd;
    Ok(match kind {
        RecordKind::Initiative => sqlx::query_scalar!(
            "SELECT id FROM initiatives WHERE slug = $1 AND status = $2",
            slug,
            published as InitiativeStatus,
        )
        .fetch_optional(db)
        .await?
        .map(Record::Initiative),
        RecordKind::Publication => sqlx::query_scalar!(
            "SELECT id FROM publications WHERE slug = $1 AND status = $2",
            slug,
            published as InitiativeStatus,
        )
        .fetch_optional(db)
        .await?
        .map(Record::Publication),
        RecordKind::Event => sqlx::query_scalar!(
            "SELECT id FROM events WHERE slug = $1 AND status <> $2",
            slug,
            EventStatus::Concept as EventStatus,
        )
        .fetch_optional(db)
        .await?
        .map(Record::Event),
    })
}

/// Adds an alternative; `None` when the obstacle already has (or awaits) one to that record.
pub async fn insert_alternative(
    conn: &mut PgConnection,
    vraagstuk_id: i64,
    fields: &AlternativeFields,
    review: Review,
    proposed_by: Option<i64>,
) -> sqlx::Result<Option<i64>> {
    let (initiative, publication, event) = match fields.record {
        Record::Initiative(id) => (Some(id), None, None),
        Record::Publication(id) => (None, Some(id), None),
        Record::Event(id) => (None, None, Some(id)),
    };
    sqlx::query_scalar!(
        "INSERT INTO vraagstuk_alternatives (vraagstuk_id, initiative_id, publication_id, event_id, why, review, proposed_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING id",
        vraagstuk_id,
        initiative,
        publication,
        event,
        fields.why,
        review as Review,
        proposed_by,
    )
    .fetch_optional(&mut *conn)
    .await
}

/// The message for an alternative the obstacle already has.
pub const DUPLICATE_ALTERNATIVE: &str =
    "Dit alternatief staat al bij dit vraagstuk of wacht al op beoordeling.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_name_a_kind_and_a_slug() {
        assert_eq!(
            parse_address("https://bredeblik.nl/initiatieven/speelkwartier-noord?x=1#y"),
            Some((RecordKind::Initiative, "speelkwartier-noord".into()))
        );
        assert_eq!(
            parse_address("/kennisbank/analyse-2021/"),
            Some((RecordKind::Publication, "analyse-2021".into()))
        );
        assert_eq!(parse_address("bijeenkomsten/dag"), Some((RecordKind::Event, "dag".into())));
        for bad in [
            "",
            "javascript:alert(1)",
            "/vraagstukken/x",
            "/initiatieven/",
            "/initiatieven/a/b",
            "/initiatieven/<x>",
        ] {
            assert_eq!(parse_address(bad), None, "{bad}");
        }
    }
}
