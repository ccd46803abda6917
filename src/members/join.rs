//! `/aandeelhouder-worden`: register as aandeelhouder. Creates an unconfirmed account and
//! profile and mails a confirmation link; after confirmation a coordinator reviews the
//! application in `/beheer/aanmeldingen`.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::{MemberKind, MemberStatus, mails};
use crate::accounts::{password, users};
use crate::error::AppResult;
use crate::mail;
use crate::ratelimit;
use crate::regions::queries as regions;
use crate::state::AppState;
use crate::taxonomy::{self, Term, Vocabulary};
use crate::text::slugify;
use crate::web::auth::Role;
use crate::web::client::ClientIp;
use crate::web::form::{self, FieldErrors};
use crate::web::page::{Html, Page};
use crate::web::token_link::{LinkKind, Linked};
use crate::web::typed_form::Form;

/// The join form as sent: every value as typed, so a 422 shows it again. `thema` comes once
/// for each ticked theme.
#[derive(Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct JoinForm {
    pub soort: String,
    pub naam: String,
    pub organisatie: String,
    pub rol: String,
    pub regio: String,
    #[serde(rename = "thema")]
    pub themes: Vec<String>,
    pub deel: String,
    pub zoek: String,
    pub email: String,
    pub password: String,
    pub password_repeat: String,
    pub openbaar: Option<String>,
    pub privacy: Option<String>,
    /// Honeypot: invisible to people, filled in by naive bots.
    pub website: String,
    pub begonnen: String,
}

#[derive(Template)]
#[template(path = "members/join.html")]
struct JoinTemplate {
    page: Page,
    form: JoinForm,
    errors: FieldErrors,
    themes: Vec<Term>,
    municipalities: Vec<(String, String)>,
    started: String,
}

/// What a valid join form adds to the typed-in text: the kind and the address as types.
struct Joining {
    kind: MemberKind,
    email: mail::EmailAddress,
}

impl JoinTemplate {
    fn theme_checked(&self, slug: &str) -> bool {
        self.form.themes.iter().any(|t| t == slug)
    }
}

#[derive(Template)]
#[template(path = "members/join_done.html")]
struct DoneTemplate {
    page: Page,
    heading: &'static str,
    message: &'static str,
}

async fn render(state: &AppState, page: Page, form: JoinForm, errors: FieldErrors) -> AppResult<Response> {
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let template = JoinTemplate {
        page: page.crumb("Aandeelhouder worden", "/aandeelhouder-worden"),
        form,
        errors,
        themes: taxonomy::all(&state.db, Vocabulary::Theme).await?,
        municipalities: regions::municipalities(&state.db).await?,
        started: form::started_stamp(&state.config.secret_key),
    };
    Ok((status, Html(template)).into_response())
}

pub async fn form_page(state: AppState, page: Page) -> AppResult<Response> {
    render(
        &state,
        page,
        // Consent is an act: "toon mijn profiel openbaar" starts unticked.
        JoinForm { soort: MemberKind::Persoon.as_str().into(), ..Default::default() },
        FieldErrors::default(),
    )
    .await
}

/// Cleans the form in place (so a 422 shows what will be kept) and checks it once.
fn validate(form: &mut JoinForm, municipalities: &[(String, String)]) -> Result<Joining, FieldErrors> {
    let mut errors = FieldErrors::default();
    form.naam = form::clean(&form.naam, 120);
    form.organisatie = form::clean(&form.organisatie, 160);
    form.rol = form::clean(&form.rol, 120);
    form.deel = form::clean(&form.deel, 1000);
    form.zoek = form::clean(&form.zoek, 1000);
    form.email = form::clean(&form.email, 254);
    let kind = MemberKind::parse(&form.soort);
    if kind.is_none() {
        errors.add("soort", "Kies of u zich aanmeldt als persoon of als organisatie.");
    }
    if form.naam.chars().count() < 2 {
        errors.add("naam", "Vul uw naam in (of de naam van de organisatie).");
    }
    if kind == Some(MemberKind::Persoon) && form.rol.is_empty() {
        errors.add("rol", "Vul uw rol of beroep in, bijvoorbeeld leerkracht of wijkcoach.");
    }
    if !municipalities.iter().any(|(code, _)| *code == form.regio) {
        errors.add("regio", "Kies de gemeente waar u vooral werkt.");
    }
    if form.deel.is_empty() {
        errors.add("deel", "Vertel kort wat u met het netwerk wilt delen.");
    }
    let email = mail::EmailAddress::parse(&form.email)
        .map_err(|_| errors.add("email", "Vul een geldig e-mailadres in, bijvoorbeeld naam@organisatie.nl."))
        .ok();
    if form.password != form.password_repeat {
        errors.add("password", "De twee wachtwoorden zijn niet gelijk.");
    } else if let Some(problem) = password::policy_problem(&form.password, &form.email) {
        errors.add("password", problem);
    }
    if form.privacy.is_none() {
        errors.add("privacy", "Lees de privacyverklaring en vink aan dat u ermee akkoord gaat.");
    }
    form.themes.retain(|t| t.len() <= 80);
    form.themes.truncate(20);
    match (kind, email) {
        (Some(kind), Some(email)) if errors.is_empty() => Ok(Joining { kind, email }),
        _ => Err(errors),
    }
}

pub async fn submit(
    state: AppState,
    page: Page,
    ClientIp(ip): ClientIp,
    Form(mut form): Form<JoinForm>,
) -> AppResult<Response> {
    ratelimit::hit(&state.db, ratelimit::JOIN_PER_IP, &ip).await?;
    let municipalities = regions::municipalities(&state.db).await?;
    let (joining, mut errors) = match validate(&mut form, &municipalities) {
        Ok(joining) => (Some(joining), FieldErrors::default()),
        Err(errors) => (None, errors),
    };
    if let Some(reason) = form::bot_suspicion(&state.config.secret_key, &form.website, &form.begonnen) {
        tracing::info!(reason, "registration looked automated");
        errors.add("begonnen", "Het formulier is te snel of niet volledig verstuurd. Controleer uw gegevens en verstuur het nog eens.");
    }
    let Some(joining) = joining.filter(|_| errors.is_empty()) else {
        form.password.clear();
        form.password_repeat.clear();
        return render(&state, page, form, errors).await;
    };

    let done = DoneTemplate {
        page: page.clone().crumb("Aandeelhouder worden", "/aandeelhouder-worden"),
        heading: "Bevestig uw e-mailadres",
        message: "We hebben u een e-mail gestuurd met een link om uw e-mailadres te bevestigen. Daarna bekijkt een coördinator uw aanmelding; u hoort binnen een paar werkdagen van ons.",
    };
    let mut tx = state.db.begin().await?;
    if let Some(existing) = users::by_email(&state.db, joining.email.as_str()).await? {
        // Same answer as for a new address (no enumeration); the owner hears about it by mail.
        let notice = mails::AlreadyRegistered { login_link: state.config.absolute("/inloggen") };
        mail::enqueue(&mut *tx, &state.config, &existing.email, &notice).await?;
        tx.commit().await?;
        return Ok(Html(done).into_response());
    }
    let hash = password::hash(std::mem::take(&mut form.password)).await?;
    let user_id = sqlx::query_scalar!(
        "INSERT INTO users (email, password_hash, role) VALUES ($1, $2, $3) RETURNING id",
        joining.email.as_str(),
        hash,
        Role::Aandeelhouder as Role,
    )
    .fetch_one(&mut *tx)
    .await?;
    let base_slug = slugify(&form.naam);
    let base_slug = if base_slug.is_empty() { Role::Aandeelhouder.as_str().to_owned() } else { base_slug };
    let taken = sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM members WHERE slug = $1 OR slug LIKE $1 || '-%'"#,
        &base_slug,
    )
    .fetch_one(&mut *tx)
    .await?;
    let slug = if taken == 0 { base_slug } else { format!("{base_slug}-{}", crate::tokens::random_hex(3)) };
    let member_id = sqlx::query_scalar!(
        "INSERT INTO members (slug, name, kind, organisation, role, region_id, offer, ask, public_profile, status, user_id, privacy_accepted_at) \
         VALUES ($1, $2, $3, $4, $5, (SELECT id FROM regions WHERE code = $6), $7, $8, $9, $10, $11, now()) RETURNING id",
        &slug,
        &form.naam,
        joining.kind as MemberKind,
        &form.organisatie,
        &form.rol,
        &form.regio,
        &form.deel,
        &form.zoek,
        form.openbaar.is_some(),
        MemberStatus::Onbevestigd as MemberStatus,
        user_id,
    )
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query!(
        "INSERT INTO member_themes SELECT $1, id FROM themes WHERE slug = ANY($2)",
        member_id,
        &form.themes
    )
    .execute(&mut *tx)
    .await?;
    let token = users::issue_token(&mut *tx, user_id, users::TokenPurpose::Bevestigen, 72).await?;
    let confirm = mails::JoinConfirm {
        name: form.naam.clone(),
        link: state.config.absolute(&format!("/aandeelhouder-worden/bevestigen/{token}")),
    };
    mail::enqueue(&mut *tx, &state.config, joining.email.as_str(), &confirm).await?;
    tx.commit().await?;
    Ok(Html(done).into_response())
}

#[derive(Template)]
#[template(path = "members/confirm.html")]
struct ConfirmTemplate {
    page: Page,
    valid: bool,
}

/// The link in the mail that confirms a new member's address: the user's id.
pub struct JoinConfirmation;

impl LinkKind for JoinConfirmation {
    type Target = i64;

    async fn find(state: &AppState, token: &str) -> sqlx::Result<Option<i64>> {
        users::token_user(&state.db, token, users::TokenPurpose::Bevestigen).await
    }

    fn unknown(page: Page) -> Response {
        (StatusCode::NOT_FOUND, Html(ConfirmTemplate { page: crumbs(page), valid: false })).into_response()
    }
}

fn crumbs(page: Page) -> Page {
    page.crumb("Aanmelding bevestigen", "/aandeelhouder-worden")
}

/// GET shows a button; only the POST confirms, so a mail scanner following links cannot.
pub async fn confirm_page(_: Linked<JoinConfirmation>, page: Page) -> impl IntoResponse {
    Html(ConfirmTemplate { page: crumbs(page), valid: true })
}

pub async fn confirm(
    state: AppState,
    page: Page,
    Linked { token, target: user_id }: Linked<JoinConfirmation>,
) -> AppResult<Response> {
    let mut tx = state.db.begin().await?;
    if users::use_token(&mut *tx, &token).await? {
        sqlx::query!("UPDATE users SET email_confirmed_at = now() WHERE id = $1", user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query!(
            "UPDATE members SET status = $2, updated_at = now() WHERE user_id = $1 AND status = $3",
            user_id,
            MemberStatus::WachtOpBeoordeling as MemberStatus,
            MemberStatus::Onbevestigd as MemberStatus,
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(Html(DoneTemplate {
        page: crumbs(page),
        heading: "Uw e-mailadres is bevestigd",
        message: "Dank u wel. Een coördinator bekijkt uw aanmelding zo snel mogelijk en laat u per e-mail weten of uw profiel op de site komt. U kunt intussen al inloggen.",
    })
    .into_response())
}
