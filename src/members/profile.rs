//! `/account/profiel`: aandeelhouders keep their own profile up to date.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::MemberStatus;
use crate::error::{AppError, AppResult};
use crate::media::{self, Image, ImageField, Purpose, UploadForm};
use crate::regions::queries as regions;
use crate::state::AppState;
use crate::taxonomy::{self, Term, Vocabulary};
use crate::web::auth::LoggedIn;
use crate::web::form::{self, FieldErrors};
use crate::web::notice::{Notice, notices};
use crate::web::page::{Html, Page};
use crate::web::typed_form::Form;

pub struct Profile {
    pub slug: String,
    pub name: String,
    pub organisation: String,
    pub role: String,
    pub region_code: Option<String>,
    pub offer: String,
    pub ask: String,
    pub public_profile: bool,
    /// Verbinden: may be suggested to other members (off until the member ticks it).
    pub suggestable: bool,
    /// Verbinden: other members may write through the relay (off until ticked).
    pub accepts_messages: bool,
    pub status: MemberStatus,
    pub themes: Vec<String>,
    pub logo_id: Option<i64>,
    pub logo: Option<Image>,
}

impl Profile {
    pub fn status_text(&self) -> &'static str {
        match self.status {
            MemberStatus::Onbevestigd => {
                "U heeft uw e-mailadres nog niet bevestigd; gebruik de link in de e-mail die u kreeg."
            }
            MemberStatus::WachtOpBeoordeling => {
                "Een coördinator bekijkt uw aanmelding. U kunt uw profiel intussen al bijwerken."
            }
            MemberStatus::Afgewezen => "Uw aanmelding is niet goedgekeurd; uw profiel is niet openbaar.",
            MemberStatus::Goedgekeurd if self.public_profile => "Uw profiel staat openbaar op de site.",
            MemberStatus::Goedgekeurd => {
                "Uw profiel is goedgekeurd, maar niet openbaar (u heeft daar niet voor gekozen)."
            }
        }
    }

    /// Approved and public: the profile is on the site.
    pub fn is_public(&self) -> bool {
        self.status == MemberStatus::Goedgekeurd && self.public_profile
    }
}

/// The profile form as sent: cleaned into a [`Profile`] by [`ProfileForm::apply`], checked by
/// [`ProfileForm::errors`]. The logo comes from the multipart upload beside it.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ProfileForm {
    naam: String,
    organisatie: String,
    rol: String,
    deel: String,
    zoek: String,
    regio: String,
    thema: Vec<String>,
    openbaar: Option<String>,
    voorstellen: Option<String>,
    berichten: Option<String>,
}

impl ProfileForm {
    /// Puts the cleaned values into `profile`; returns the chosen municipality code.
    fn apply(&self, profile: &mut Profile) -> String {
        profile.name = form::clean(&self.naam, 120);
        profile.organisation = form::clean(&self.organisatie, 160);
        profile.role = form::clean(&self.rol, 120);
        profile.offer = form::clean(&self.deel, 1000);
        profile.ask = form::clean(&self.zoek, 1000);
        profile.public_profile = self.openbaar.is_some();
        profile.suggestable = self.voorstellen.is_some();
        profile.accepts_messages = self.berichten.is_some();
        profile.themes = self.thema.iter().take(50).cloned().collect();
        profile.region_code = Some(self.regio.clone());
        self.regio.clone()
    }

    /// The messages for what the cleaned values lack (the region is checked against the list).
    fn errors(&self) -> FieldErrors {
        let mut errors = FieldErrors::default();
        if form::clean(&self.naam, 120).chars().count() < 2 {
            errors.add("naam", "Vul uw naam in (of de naam van de organisatie).");
        }
        if form::clean(&self.deel, 1000).is_empty() {
            errors.add("deel", "Vertel kort wat u met het netwerk wilt delen.");
        }
        errors
    }
}

notices! {
    /// After the profile is saved.
    enum ProfileNotice {
        Opgeslagen = "opgeslagen", "Uw profiel is opgeslagen.";
    }
}

#[derive(Template)]
#[template(path = "members/profile.html")]
struct ProfileTemplate {
    page: Page,
    profile: Option<Profile>,
    themes: Vec<Term>,
    municipalities: Vec<(String, String)>,
    errors: FieldErrors,
    notice: Option<&'static str>,
}

impl ProfileTemplate {
    fn theme_checked(&self, slug: &str) -> bool {
        self.profile.as_ref().is_some_and(|p| p.themes.iter().any(|t| t == slug))
    }
    fn region_selected(&self, code: &str) -> bool {
        self.profile.as_ref().and_then(|p| p.region_code.as_deref()) == Some(code)
    }
    fn logo_field(&self) -> ImageField {
        let current = self.profile.as_ref().and_then(|p| p.logo.clone());
        ImageField::new("logo", "p-", "Logo of foto (optioneel)", Purpose::Logo, current, &self.errors)
    }
    /// Multipart forms carry their CSRF token in the query string (see `web::context`).
    fn action(&self) -> String {
        "/account/profiel".to_owned()
    }
}

async fn load(state: &AppState, user_id: i64) -> sqlx::Result<Option<Profile>> {
    let row = sqlx::query!(
        r#"SELECT m.slug, m.name, m.organisation, m.role, r.code AS "region_code?", m.offer, m.ask, m.public_profile,
                  m.suggestable, m.accepts_messages, m.status AS "status: MemberStatus", m.logo_id,
                  ARRAY(SELECT t.slug FROM member_themes l JOIN themes t ON t.id = l.theme_id
                        WHERE l.member_id = m.id) AS "themes!"
           FROM members m LEFT JOIN regions r ON r.id = m.region_id WHERE m.user_id = $1"#,
        user_id,
    )
    .fetch_optional(&state.db)
    .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(Profile {
        logo: media::find(&state.db, row.logo_id).await?,
        slug: row.slug,
        name: row.name,
        organisation: row.organisation,
        role: row.role,
        region_code: row.region_code,
        offer: row.offer,
        ask: row.ask,
        public_profile: row.public_profile,
        suggestable: row.suggestable,
        accepts_messages: row.accepts_messages,
        status: row.status,
        themes: row.themes,
        logo_id: row.logo_id,
    }))
}

async fn render(
    state: &AppState,
    page: Page,
    profile: Option<Profile>,
    errors: FieldErrors,
) -> AppResult<Response> {
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let template = ProfileTemplate {
        notice: page.notice::<ProfileNotice>(),
        page: page.in_account().crumb("Mijn profiel", "/account/profiel"),
        profile,
        themes: taxonomy::all(&state.db, Vocabulary::Theme).await?,
        municipalities: regions::municipalities(&state.db).await?,
        errors,
    };
    Ok((status, Html(template)).into_response())
}

pub async fn edit(state: AppState, page: Page, LoggedIn(user): LoggedIn) -> AppResult<Response> {
    let profile = load(&state, user.id).await?;
    render(&state, page, profile, FieldErrors::default()).await
}

pub async fn save(
    state: AppState,
    page: Page,
    LoggedIn(user): LoggedIn,
    upload: UploadForm,
) -> AppResult<Response> {
    let form = Form::<ProfileForm>::from_data(&upload.data).map_err(|err| {
        tracing::info!(%err, "profile form does not fit");
        AppError::BadRequest("Het formulier is niet volledig of niet goed verstuurd.".into())
    })?;
    let Some(mut profile) = load(&state, user.id).await? else {
        return render(&state, page, None, FieldErrors::default()).await;
    };
    let region = form.apply(&mut profile);
    let mut errors = form.errors();
    let municipalities = regions::municipalities(&state.db).await?;
    if !municipalities.iter().any(|(code, _)| *code == region) {
        errors.add("regio", "Kies de gemeente waar u vooral werkt.");
    }
    let previous_logo = profile.logo_id;
    profile.logo =
        media::read_image(&state.db, &upload, "logo", Purpose::Logo, Some(user.id), &mut errors).await?;
    if !errors.is_empty() {
        return render(&state, page, Some(profile), errors).await;
    }
    let mut tx = state.db.begin().await?;
    let member_id = sqlx::query_scalar!(
        "UPDATE members SET name = $2, organisation = $3, role = $4, region_id = (SELECT id FROM regions WHERE code = $5), \
         offer = $6, ask = $7, public_profile = $8, logo_id = (SELECT id FROM media WHERE id = $9), \
         suggestable = $10, accepts_messages = $11, updated_at = now() \
         WHERE user_id = $1 RETURNING id",
        user.id,
        profile.name,
        profile.organisation,
        profile.role,
        profile.region_code,
        profile.offer,
        profile.ask,
        profile.public_profile,
        profile.logo.as_ref().map(|l| l.id),
        profile.suggestable,
        profile.accepts_messages,
    )
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query!("DELETE FROM member_themes WHERE member_id = $1", member_id).execute(&mut *tx).await?;
    sqlx::query!(
        "INSERT INTO member_themes SELECT $1, id FROM themes WHERE slug = ANY($2)",
        member_id,
        &profile.themes,
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    let logo_id = profile.logo.as_ref().map(|l| l.id);
    media::forget_if_unused(&state.db, previous_logo.filter(|old| Some(*old) != logo_id)).await;
    Ok(ProfileNotice::Opgeslagen.redirect("/account/profiel"))
}
