//! `/beheer/gebruikers`: list, search, create, change role, (de)activate.

use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use crate::accounts::session;
use crate::accounts::users::{self, TokenPurpose, User};
use crate::audit::{Entry, Target};
use crate::error::{AppError, AppResult};
use crate::mail;
use crate::state::AppState;
use crate::web::auth::LoggedIn;
use crate::web::auth::Role;
use crate::web::filters::QueryParams;
use crate::web::notice::{Notice, notices};
use crate::web::page::{Html, Page};
use crate::web::typed_form::Form;

notices! {
    /// Messages on the user list after a change.
    enum UserNotice {
        Aangemaakt = "aangemaakt", "De gebruiker is aangemaakt en heeft een uitnodiging per e-mail gekregen.";
        Bestond = "bestond", "Er bestond al een account met dit e-mailadres; er is niets veranderd.";
        Bijgewerkt = "bijgewerkt", "De gebruiker is bijgewerkt.";
    }
}

#[derive(Template)]
#[template(path = "accounts/admin/users.html")]
struct UsersTemplate {
    page: Page,
    users: Vec<User>,
    q: String,
    role_filter: String,
    roles: [Role; 4],
    new_email: String,
    new_role: String,
    error: Option<&'static str>,
    notice: Option<&'static str>,
}

async fn render(
    state: &AppState,
    page: Page,
    params: &QueryParams,
    form: Option<(&NewUserForm, &'static str)>,
) -> AppResult<Response> {
    let q = params.one("q").unwrap_or_default();
    let role_filter = params.one("rol").filter(|r| Role::parse(r).is_some()).unwrap_or_default();
    let pattern = crate::text::like_contains(&q);
    let users = sqlx::query_as!(
        User,
        "SELECT id, email, password_hash, role, active, email_confirmed_at, created_at, last_login_at FROM users \
         WHERE email ILIKE $1 AND ($2 = '' OR role = $2) ORDER BY lower(email) LIMIT 200",
        pattern,
        role_filter,
    )
    .fetch_all(&state.db)
    .await?;
    let notice = page.notice::<UserNotice>();
    let (new_email, new_role, error) = match form {
        Some((f, error)) => (f.email.clone(), f.role.clone(), Some(error)),
        None => (String::new(), Role::Coordinator.as_str().into(), None),
    };
    let template = UsersTemplate {
        page: page.in_back_office().crumb("Gebruikers", "/beheer/gebruikers"),
        users,
        q,
        role_filter,
        roles: Role::ALL,
        new_email,
        new_role,
        error,
        notice,
    };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok((status, Html(template)).into_response())
}

pub async fn list(state: AppState, page: Page, params: QueryParams) -> AppResult<Response> {
    render(&state, page, &params, None).await
}

#[derive(Deserialize)]
pub struct NewUserForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

pub async fn create(state: AppState, page: Page, Form(form): Form<NewUserForm>) -> AppResult<Response> {
    let Some(role) = Role::parse(&form.role) else {
        return render(&state, page, &QueryParams::default(), Some((&form, "Kies een rol."))).await;
    };
    let Ok(email) = mail::EmailAddress::parse(&form.email) else {
        let error = "Vul een geldig e-mailadres in, bijvoorbeeld naam@organisatie.nl.";
        return render(&state, page, &QueryParams::default(), Some((&form, error))).await;
    };
    let email = email.into_string();
    let mut tx = state.db.begin().await?;
    let (id, inserted) = users::create(&mut *tx, &email, role).await?;
    if !inserted {
        tx.rollback().await?;
        return Ok(UserNotice::Bestond.redirect("/beheer/gebruikers"));
    }
    Entry::new(page.actor()?, "gebruiker aangemaakt", Target::Gebruiker, id)
        .after(json!({ "email": email, "rol": role.as_str() }))
        .record(&mut *tx)
        .await?;
    let token = users::issue_token(&mut *tx, id, TokenPurpose::Wachtwoord, 24 * 7).await?;
    let invitation = super::mails::Invitation {
        role: role.label(),
        link: state.config.absolute(&format!("/wachtwoord-herstellen/{token}")),
    };
    mail::enqueue(&mut *tx, &state.config, &email, &invitation).await?;
    tx.commit().await?;
    Ok(UserNotice::Aangemaakt.redirect("/beheer/gebruikers"))
}

#[derive(Deserialize)]
pub struct UpdateForm {
    #[serde(default)]
    role: String,
    #[serde(default)]
    active: Option<String>,
}

pub async fn update(
    state: AppState,
    LoggedIn(actor): LoggedIn,
    Path(id): Path<i64>,
    Form(form): Form<UpdateForm>,
) -> AppResult<Response> {
    let role =
        Role::parse(&form.role).ok_or_else(|| AppError::BadRequest("Kies een bestaande rol.".into()))?;
    let active = form.active.is_some();
    if id == actor.id && (role != actor.role || !active) {
        return Err(AppError::Conflict(
            "U kunt uw eigen rol niet wijzigen en uzelf niet deactiveren; vraag dat aan een andere beheerder.".into(),
        ));
    }
    let mut tx = state.db.begin().await?;
    let before = sqlx::query!("SELECT role, active FROM users WHERE id = $1 FOR UPDATE", id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::NotFound)?;
    let (old_role, old_active) = (before.role, before.active);
    users::set_role(&mut *tx, id, role, active).await?;
    if !active || role.as_str() != old_role {
        // A changed role or a deactivation takes effect at once.
        session::destroy_all_for(&mut *tx, id, None).await?;
    }
    Entry::new(&actor, "gebruiker gewijzigd", Target::Gebruiker, id)
        .before(json!({ "rol": old_role, "actief": old_active }))
        .after(json!({ "rol": role.as_str(), "actief": active }))
        .record(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(UserNotice::Bijgewerkt.redirect("/beheer/gebruikers"))
}
