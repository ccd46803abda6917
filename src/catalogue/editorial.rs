//! What the member's and the editor's initiative forms share: the fields, their Dutch
//! validation, the choices they offer, and writing them to an initiative (or a revision).

use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, PgPool};

use super::InitiativeStatus;
use crate::error::AppResult;
use crate::media::UploadForm;
use crate::media::{self, Image, ImageField, MediaId, Purpose};
use crate::regions::RegionKind;
use crate::regions::queries::FilterOption;
use crate::taxonomy::{self, Term, Vocabulary};
use crate::text;
use crate::web::auth::Role;
use crate::web::form::{self, FieldErrors};

pub const SUMMARY_MAX: usize = 300;
const DESCRIPTION_MAX: usize = 50_000;

/// The editable content of an initiative, as a form holds it: taxonomy terms and the region
/// by slug. Stored as JSON in a pending revision.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, sqlx::FromRow)]
#[serde(default)]
pub struct InitiativeFields {
    pub name: String,
    pub summary: String,
    pub description: String,
    pub website: String,
    pub contact_name: String,
    pub contact_email: String,
    pub region: String,
    pub themes: Vec<String>,
    pub domains: Vec<String>,
    pub levels: Vec<String>,
    pub age_groups: Vec<String>,
    /// The logo; a revision stores only its id.
    pub logo_id: Option<MediaId>,
    #[serde(skip)]
    #[sqlx(skip)]
    pub logo: Option<Image>,
}

/// The initiative form as sent (the member's and the editor's): Dutch names, checkbox groups
/// repeating their key. `actie=voorbeeld` asks for a preview instead of saving.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InitiativeForm {
    naam: String,
    samenvatting: String,
    beschrijving: String,
    website: String,
    contactpersoon: String,
    contact_email: String,
    regio: String,
    thema: Vec<String>,
    domein: Vec<String>,
    niveau: Vec<String>,
    leeftijd: Vec<String>,
    actie: String,
}

/// More checkbox values than this in one group are ignored.
const MAX_CHOICES: usize = 50;

impl InitiativeForm {
    /// The fields, trimmed and capped (text read beyond its limit, so that too long gets a
    /// message instead of being cut).
    fn into_fields(self) -> InitiativeFields {
        let capped = |mut list: Vec<String>| {
            list.truncate(MAX_CHOICES);
            list
        };
        InitiativeFields {
            name: form::clean(&self.naam, 400),
            summary: form::clean(&self.samenvatting, 5_000),
            description: form::clean(&self.beschrijving, DESCRIPTION_MAX + 1),
            website: form::clean(&self.website, 600),
            contact_name: form::clean(&self.contactpersoon, 400),
            contact_email: form::clean(&self.contact_email, 400),
            region: form::clean(&self.regio, 200),
            themes: capped(self.thema),
            domains: capped(self.domein),
            levels: capped(self.niveau),
            age_groups: capped(self.leeftijd),
            logo_id: None,
            logo: None,
        }
    }
}

/// An initiative form as posted and checked once: the fields (with the logo sent, if any), the
/// choices it was checked against, the Dutch errors, and whether a preview was asked for.
pub struct Submitted {
    pub fields: InitiativeFields,
    pub choices: Choices,
    pub errors: FieldErrors,
    pub preview: bool,
}

impl Submitted {
    /// A form showing `fields` as they are stored (or empty): nothing to report, no preview.
    pub async fn stored(db: &PgPool, fields: InitiativeFields) -> sqlx::Result<Self> {
        Ok(Self { fields, choices: Choices::load(db).await?, errors: FieldErrors::default(), preview: false })
    }

    /// Reads the form of `upload` (its logo stored for `user_id`) and validates it.
    pub async fn read(db: &PgPool, upload: &UploadForm, user_id: Option<i64>) -> AppResult<Self> {
        let sent: InitiativeForm = upload.fields()?;
        let preview = sent.actie == "voorbeeld";
        let mut fields = sent.into_fields();
        let choices = Choices::load(db).await?;
        let mut errors = fields.validate(&choices);
        fields.set_logo(media::read_image(db, upload, "logo", Purpose::Logo, user_id, &mut errors).await?);
        Ok(Self { fields, choices, errors, preview })
    }

    /// Whether the form is shown again (a preview, or errors) rather than saved.
    pub fn shown_again(&self) -> bool {
        self.preview || !self.errors.is_empty()
    }
}

impl InitiativeFields {
    pub fn set_logo(&mut self, logo: Option<Image>) {
        self.logo_id = logo.as_ref().map(|l| l.id);
        self.logo = logo;
    }

    /// Looks up the image `logo_id` names, for the form.
    pub async fn with_logo(mut self, db: &PgPool) -> sqlx::Result<Self> {
        self.logo = media::find(db, self.logo_id).await?;
        Ok(self)
    }

    /// The fields a revision proposes. One stored before revisions carried a logo keeps the
    /// live logo (`live_logo`) rather than removing it.
    pub fn from_revision(
        proposed: serde_json::Value,
        live_logo: Option<MediaId>,
    ) -> serde_json::Result<Self> {
        let has_logo = proposed.get("logo_id").is_some();
        let mut fields: Self = serde_json::from_value(proposed)?;
        if !has_logo {
            fields.logo_id = live_logo;
        }
        Ok(fields)
    }

    pub fn logo_field(&self, errors: &FieldErrors) -> ImageField {
        ImageField::new("logo", "", "Logo (niet verplicht)", Purpose::Logo, self.logo.clone(), errors)
    }

    /// Whether the checkbox `slug` of the group named `key` (as in the form) is ticked.
    pub fn checked(&self, key: &str, slug: &str) -> bool {
        let list = match key {
            "thema" => &self.themes,
            "domein" => &self.domains,
            "niveau" => &self.levels,
            _ => &self.age_groups,
        };
        list.iter().any(|s| s == slug)
    }

    pub fn description_html(&self) -> String {
        text::markdown(&self.description)
    }

    pub fn validate(&self, choices: &Choices) -> FieldErrors {
        let mut errors = FieldErrors::default();
        let name_chars = self.name.chars().count();
        if name_chars < 3 {
            errors.add("naam", "Geef het initiatief een naam van minstens 3 tekens.");
        } else if name_chars > 150 {
            errors.add("naam", format!("Houd de naam korter dan 150 tekens (nu {name_chars})."));
        } else if text::slugify(&self.name).is_empty() {
            errors.add("naam", "Gebruik in de naam ook letters of cijfers.");
        }
        let summary_chars = self.summary.chars().count();
        if summary_chars == 0 {
            errors.add("samenvatting", "Vat het initiatief in een paar zinnen samen.");
        } else if summary_chars > SUMMARY_MAX {
            errors.add(
                "samenvatting",
                format!("De samenvatting mag hoogstens {SUMMARY_MAX} tekens hebben; nu zijn het er {summary_chars}."),
            );
        }
        if self.description.chars().count() > DESCRIPTION_MAX {
            errors.add("beschrijving", "De beschrijving is te lang; houd het onder de 50.000 tekens.");
        }
        if !self.website.is_empty() && !valid_website(&self.website) {
            errors.add("website", "Vul een volledig webadres in dat begint met https:// of http://.");
        }
        if self.contact_name.chars().count() > 120 {
            errors.add("contactpersoon", "Houd de naam van de contactpersoon korter dan 120 tekens.");
        }
        if !self.contact_email.is_empty() && crate::mail::EmailAddress::parse(&self.contact_email).is_err() {
            errors.add("contact_email", "Vul een geldig e-mailadres in, zoals naam@organisatie.nl.");
        }
        if !self.region.is_empty() && !choices.regions.iter().any(|r| r.slug == self.region) {
            errors.add("regio", "Kies een regio uit de lijst.");
        }
        errors
    }

    /// The current content of initiative `id`.
    pub async fn load(db: &PgPool, id: i64) -> sqlx::Result<Option<Self>> {
        let row = sqlx::query!(
            r#"SELECT i.name, i.summary, i.description_md AS description, i.website, i.contact_name, i.contact_email,
                      coalesce(r.slug, '') AS "region!", ts.themes AS "themes!", ts.domains AS "domains!",
                      ts.levels AS "levels!", ts.age_groups AS "age_groups!", i.logo_id
               FROM initiatives i JOIN initiative_term_slugs ts ON ts.initiative_id = i.id
               LEFT JOIN regions r ON r.id = i.region_id WHERE i.id = $1"#,
            id,
        )
        .fetch_optional(db)
        .await?;
        let fields = row.map(|r| Self {
            name: r.name,
            summary: r.summary,
            description: r.description,
            website: r.website,
            contact_name: r.contact_name,
            contact_email: r.contact_email,
            region: r.region,
            themes: r.themes,
            domains: r.domains,
            levels: r.levels,
            age_groups: r.age_groups,
            logo_id: r.logo_id,
            logo: None,
        });
        match fields {
            Some(fields) => Ok(Some(fields.with_logo(db).await?)),
            None => Ok(None),
        }
    }

    /// The names of what differs from `other`, for the reviewer ("Naam, Thema's").
    pub fn changed_from(&self, other: &Self) -> Vec<&'static str> {
        let mut changed = Vec::new();
        let pairs: [(&'static str, bool); 12] = [
            ("Naam", self.name != other.name),
            ("Samenvatting", self.summary != other.summary),
            ("Beschrijving", self.description != other.description),
            ("Website", self.website != other.website),
            ("Contactpersoon", self.contact_name != other.contact_name),
            ("E-mailadres contactpersoon", self.contact_email != other.contact_email),
            ("Regio", self.region != other.region),
            ("Thema's", sorted(&self.themes) != sorted(&other.themes)),
            ("Domeinen", sorted(&self.domains) != sorted(&other.domains)),
            ("Niveaus", sorted(&self.levels) != sorted(&other.levels)),
            ("Leeftijd", sorted(&self.age_groups) != sorted(&other.age_groups)),
            ("Logo", self.logo_id != other.logo_id),
        ];
        for (label, differs) in pairs {
            if differs {
                changed.push(label);
            }
        }
        changed
    }
}

fn sorted(list: &[String]) -> Vec<&String> {
    let mut list: Vec<&String> = list.iter().collect();
    list.sort();
    list
}

fn valid_website(value: &str) -> bool {
    value.chars().count() <= 500
        && url::Url::parse(value).is_ok_and(|u| {
            matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| h.contains('.'))
        })
}

/// What the form offers to choose from.
pub struct Choices {
    pub themes: Vec<Term>,
    pub domains: Vec<Term>,
    pub levels: Vec<Term>,
    pub age_groups: Vec<Term>,
    /// Provinces, jeugdregio's and municipalities.
    pub regions: Vec<FilterOption>,
}

impl Choices {
    pub async fn load(db: &PgPool) -> sqlx::Result<Self> {
        Ok(Self {
            themes: taxonomy::all(db, Vocabulary::Theme).await?,
            domains: taxonomy::all(db, Vocabulary::Domain).await?,
            levels: taxonomy::all(db, Vocabulary::Level).await?,
            age_groups: taxonomy::all(db, Vocabulary::AgeGroup).await?,
            regions: sqlx::query_as!(
                FilterOption,
                r#"SELECT slug, name, kind AS "kind: RegionKind" FROM regions
                   ORDER BY CASE kind WHEN $1 THEN 0 WHEN $2 THEN 1 ELSE 2 END, name"#,
                RegionKind::Provincie as RegionKind,
                RegionKind::Jeugdregio as RegionKind,
            )
            .fetch_all(db)
            .await?,
        })
    }

    fn regions_of(&self, kind: RegionKind) -> Vec<&FilterOption> {
        self.regions.iter().filter(|r| r.kind == kind).collect()
    }
    pub fn provinces(&self) -> Vec<&FilterOption> {
        self.regions_of(RegionKind::Provincie)
    }
    pub fn jeugdregios(&self) -> Vec<&FilterOption> {
        self.regions_of(RegionKind::Jeugdregio)
    }
    pub fn municipalities(&self) -> Vec<&FilterOption> {
        self.regions_of(RegionKind::Gemeente)
    }

    pub fn region_label(&self, slug: &str) -> Option<String> {
        self.regions.iter().find(|r| r.slug == slug).map(|r| r.label())
    }
}

/// Inserts a new initiative with a unique slug made from its name; returns its id and slug.
/// The row is made with its slug, owner and status, then `update` writes the fields.
pub async fn insert(
    conn: &mut PgConnection,
    fields: &InitiativeFields,
    status: InitiativeStatus,
    featured: bool,
    owner_id: Option<i64>,
) -> sqlx::Result<(i64, String)> {
    let base = text::slugify(&fields.name);
    let base = if base.is_empty() { "initiatief".to_owned() } else { base };
    let mut candidates = text::SlugCandidates::new(&base);
    loop {
        let slug = candidates.next_slug();
        let id = sqlx::query_scalar!(
            "INSERT INTO initiatives (slug, name, summary, owner_id, status, featured, published_at) \
             VALUES ($1, $2, '', $3, $4, $5, CASE WHEN $4 = $6 THEN now() END) \
             ON CONFLICT (slug) DO NOTHING RETURNING id",
            slug,
            fields.name,
            owner_id,
            status as InitiativeStatus,
            featured,
            InitiativeStatus::Gepubliceerd as InitiativeStatus,
        )
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(id) = id {
            update(conn, id, fields).await?;
            return Ok((id, slug));
        }
    }
}

/// Writes the fields onto an existing initiative (its slug stays: public URLs are kept).
pub async fn update(conn: &mut PgConnection, id: i64, fields: &InitiativeFields) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE initiatives SET name = $2, summary = $3, description_md = $4, website = $5, contact_name = $6, \
                contact_email = $7, region_id = (SELECT id FROM regions WHERE slug = $8), \
                logo_id = (SELECT id FROM media WHERE id = $9), updated_at = now() \
         WHERE id = $1",
        id,
        fields.name,
        fields.summary,
        fields.description,
        fields.website,
        fields.contact_name,
        fields.contact_email,
        fields.region,
        fields.logo_id,
    )
    .execute(&mut *conn)
    .await?;
    set_terms(conn, id, fields).await
}

async fn set_terms(conn: &mut PgConnection, id: i64, fields: &InitiativeFields) -> sqlx::Result<()> {
    let links: [(&str, &str, &str, &Vec<String>); 4] = [
        ("initiative_themes", "theme_id", "themes", &fields.themes),
        ("initiative_domains", "domain_id", "domains", &fields.domains),
        ("initiative_levels", "level_id", "levels", &fields.levels),
        ("initiative_age_groups", "age_group_id", "age_groups", &fields.age_groups),
    ];
    for (link, column, terms, slugs) in links {
        // Only touch a link table when its set changes, so nothing downstream is disturbed
        // by an edit that left the terms alone.
        let current: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT t.slug FROM {link} l JOIN {terms} t ON t.id = l.{column} WHERE l.initiative_id = $1"
        )))
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        let mut wanted: Vec<String> =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT slug FROM {terms} WHERE slug = ANY($1)")))
                .bind(slugs)
                .fetch_all(&mut *conn)
                .await?;
        wanted.sort();
        if sorted(&current) == wanted.iter().collect::<Vec<_>>() {
            continue;
        }
        sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {link} WHERE initiative_id = $1")))
            .bind(id)
            .execute(&mut *conn)
            .await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO {link} (initiative_id, {column}) SELECT $1, id FROM {terms} WHERE slug = ANY($2)"
        )))
        .bind(id)
        .bind(&wanted)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Tells the editors (every active redacteur, coördinator and beheerder) that something waits in
/// the review queue; in the caller's transaction, so the mail goes only if the proposal is saved.
pub async fn notify_editors(
    conn: &mut PgConnection,
    config: &crate::config::Config,
    initiative_id: i64,
    name: &str,
    is_change: bool,
) -> anyhow::Result<()> {
    let waiting = super::mails::ReviewWaiting {
        name: name.to_owned(),
        is_change,
        link: config.absolute(&format!("/beheer/initiatieven/{initiative_id}")),
    };
    mail_editors(conn, config, &waiting).await
}

/// Sends `mail` to every active editor, in the caller's transaction: how any proposal that
/// waits for review (an initiative, a publication) reaches the review queue's readers.
pub async fn mail_editors(
    conn: &mut PgConnection,
    config: &crate::config::Config,
    mail: &impl crate::mail::Mail,
) -> anyhow::Result<()> {
    let editors = sqlx::query_scalar!(
        "SELECT email FROM users WHERE active AND role = ANY($1) ORDER BY id",
        &[Role::Redacteur, Role::Coordinator, Role::Beheerder] as &[Role],
    )
    .fetch_all(&mut *conn)
    .await?;
    for to in editors {
        crate::mail::enqueue(&mut *conn, config, &to, mail).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn websites_need_a_scheme_and_a_real_host() {
        assert!(valid_website("https://www.voorbeeld.nl/pad?x=1"));
        assert!(valid_website("http://voorbeeld.nl"));
        for bad in ["voorbeeld.nl", "javascript:alert(1)", "https://localhost", "ftp://a.nl", "https://"] {
            assert!(!valid_website(bad), "{bad}");
        }
    }

    #[test]
    fn changes_are_named_for_the_reviewer() {
        let old =
            InitiativeFields { name: "A".into(), themes: vec!["x".into(), "y".into()], ..Default::default() };
        let new =
            InitiativeFields { name: "B".into(), themes: vec!["y".into(), "x".into()], ..Default::default() };
        assert_eq!(new.changed_from(&old), vec!["Naam"]);
        let relogoed = InitiativeFields { logo_id: Some(7), ..old.clone() };
        assert_eq!(relogoed.changed_from(&old), vec!["Logo"]);
    }

    #[test]
    fn a_revision_without_a_logo_keeps_the_live_one() {
        let old = serde_json::json!({ "name": "A" });
        assert_eq!(InitiativeFields::from_revision(old, Some(3)).unwrap().logo_id, Some(3));
        let removed = serde_json::json!({ "name": "A", "logo_id": null });
        assert_eq!(InitiativeFields::from_revision(removed, Some(3)).unwrap().logo_id, None);
    }
}
