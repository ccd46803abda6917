use askama::Template;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::mails;
use super::password::{self, Verdict};
use super::session;
use super::users::TokenPurpose;
use super::{safe_next, throttle, users};
use crate::error::{AppError, AppResult};
use crate::mail::{self, EmailAddress};
use crate::ratelimit;
use crate::state::AppState;
use crate::web::auth::{CurrentUser, LoggedIn};
use crate::web::client::ClientIp;
use crate::web::cookies;
use crate::web::filters::QueryParams;
use crate::web::notice::{Notice, notices};
use crate::web::page::{Html, Page};
use crate::web::token_link::{LinkKind, Linked};
use crate::web::typed_form::Form;

fn with_cookie(mut response: Response, cookie: String) -> Response {
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

notices! {
    /// Messages shown on the login and account pages after a redirect.
    enum AccountNotice {
        Uitgelogd = "uitgelogd", "U bent uitgelogd.";
        Hersteld = "hersteld", "Uw wachtwoord is gewijzigd. Log in met uw nieuwe wachtwoord.";
        Wachtwoord = "wachtwoord", "Uw wachtwoord is gewijzigd. Op andere apparaten bent u uitgelogd.";
        Verwijderd = "verwijderd", "Uw account is verwijderd.";
        EmailVerstuurd = "e-mail-verstuurd", "We hebben een e-mail gestuurd naar het nieuwe adres. Uw adres verandert zodra u de link daarin gebruikt.";
        EmailGewijzigd = "e-mail-gewijzigd", "Uw e-mailadres is gewijzigd.";
    }
}

#[derive(Template)]
#[template(path = "accounts/login.html")]
struct LoginTemplate {
    page: Page,
    email: String,
    next: String,
    error: Option<&'static str>,
    notice: Option<&'static str>,
}

pub async fn login_form(page: Page, params: QueryParams) -> impl IntoResponse {
    let next = params.one("volgende").filter(|n| safe_next(n).is_some()).unwrap_or_default();
    Html(LoginTemplate {
        notice: page.notice::<AccountNotice>(),
        page: page.crumb("Inloggen", "/inloggen"),
        email: String::new(),
        next,
        error: None,
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    volgende: String,
}

pub async fn login(
    state: AppState,
    page: Page,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    let email: String = form.email.trim().chars().take(254).collect();
    let next = safe_next(&form.volgende).map(str::to_owned).unwrap_or_default();
    let page = page.crumb("Inloggen", "/inloggen");
    if email.is_empty() || form.password.is_empty() {
        let error = Some("Vul uw e-mailadres en wachtwoord in.");
        let template = LoginTemplate { page, email, next, error, notice: None };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(template)).into_response());
    }
    // Budgets: see accounts::throttle. A browser that logged in to this account before is
    // counted on its own; any other client by (account, address), per account and per address.
    let device = cookies::get(&headers, cookies::DEVICE)
        .and_then(|cookie| throttle::device_for(&state.config.secret_key, &cookie, &email));
    let key = match &device {
        Some(device) => throttle::device_key(device),
        None => {
            ratelimit::hit(&state.db, ratelimit::LOGIN_PER_IP, &ip).await?;
            ratelimit::hit(&state.db, ratelimit::LOGIN_PER_ACCOUNT, &email).await?;
            throttle::client_key(&email, &ip)
        }
    };
    if let Some(seconds) = throttle::wait(&state.db, &key).await? {
        let minutes = seconds.div_ceil(60);
        let error = Some(if minutes <= 1 {
            "Even geduld: er is hier te vaak een verkeerd wachtwoord geprobeerd. Probeer het over een minuut opnieuw."
        } else {
            "Even geduld: er is hier te vaak een verkeerd wachtwoord geprobeerd. Probeer het over een paar minuten opnieuw."
        });
        let template = LoginTemplate { page, email, next, error, notice: None };
        let mut response = (StatusCode::TOO_MANY_REQUESTS, Html(template)).into_response();
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        return Ok(response);
    }

    let user = users::by_email(&state.db, &email).await?.filter(|u| u.active);
    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    let password: String = form.password.chars().take(password::MAX_LENGTH).collect();
    let verdict = password::verify(password.clone(), stored).await?;
    let (Some(user), Verdict::Right { needs_rehash }) = (user, verdict) else {
        throttle::failed(&state.db, &key).await?;
        let error =
            Some("Dit e-mailadres en wachtwoord horen niet bij elkaar, of het account is niet actief.");
        let template = LoginTemplate { page, email, next, error, notice: None };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(template)).into_response());
    };
    throttle::succeeded(&state.db, &key).await?;
    if needs_rehash {
        let hash = password::hash(password).await?;
        users::set_password_hash(&state.db, user.id, &hash).await?;
    }
    sqlx::query!("UPDATE users SET last_login_at = now() WHERE id = $1", user.id).execute(&state.db).await?;
    let agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let cookie = session::create(&state.db, user.id, agent).await?;
    let target = if next.is_empty() { "/account".to_owned() } else { next };
    let max_age = session::ABSOLUTE.whole_seconds();
    let response = with_cookie(
        Redirect::to(&target).into_response(),
        cookies::set(cookies::SESSION, &cookie, Some(max_age), state.config.is_https()),
    );
    // This browser is now trusted for this account (a new id at every login).
    let device = throttle::new_device(&state.config.secret_key, &user.email);
    Ok(with_cookie(
        response,
        cookies::set(cookies::DEVICE, &device, Some(throttle::DEVICE_MAX_AGE), state.config.is_https()),
    ))
}

pub async fn logout(state: AppState, CurrentUser(user): CurrentUser) -> AppResult<Response> {
    if let Some(user) = user {
        session::destroy(&state.db, &user.session_hash).await?;
    }
    Ok(with_cookie(
        AccountNotice::Uitgelogd.redirect("/inloggen"),
        cookies::clear(cookies::SESSION, state.config.is_https()),
    ))
}

#[derive(Template)]
#[template(path = "accounts/forgot.html")]
struct ForgotTemplate {
    page: Page,
    email: String,
    error: Option<&'static str>,
    sent: bool,
}

pub async fn forgot_form(page: Page) -> impl IntoResponse {
    Html(ForgotTemplate {
        page: page.crumb("Wachtwoord vergeten", "/wachtwoord-vergeten"),
        email: String::new(),
        error: None,
        sent: false,
    })
}

#[derive(Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
}

pub async fn forgot(
    state: AppState,
    page: Page,
    ClientIp(ip): ClientIp,
    Form(form): Form<ForgotForm>,
) -> AppResult<Response> {
    let page = page.crumb("Wachtwoord vergeten", "/wachtwoord-vergeten");
    let Ok(email) = EmailAddress::parse(&form.email) else {
        let error = Some("Vul een geldig e-mailadres in, bijvoorbeeld naam@organisatie.nl.");
        let email = form.email.trim().chars().take(254).collect();
        let template = ForgotTemplate { page, email, error, sent: false };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(template)).into_response());
    };
    let email = email.into_string();
    ratelimit::hit(&state.db, ratelimit::RESET_PER_IP, &ip).await?;
    // Past the per-address limit the answer stays the same; only the mail is not sent again.
    let within_limit = ratelimit::hit(&state.db, ratelimit::RESET_PER_ACCOUNT, &email).await.is_ok();
    // The mail is prepared off the request path, so the answer takes as long for an unknown
    // address as for a known one.
    let task_state = state.clone();
    let task_email = email.clone();
    tokio::spawn(async move {
        if !within_limit {
            return;
        }
        if let Err(err) = send_reset_mail(&task_state, &task_email).await {
            tracing::error!(%err, "password reset mail");
        }
    });
    Ok(Html(ForgotTemplate { page, email: String::new(), error: None, sent: true }).into_response())
}

async fn send_reset_mail(state: &AppState, email: &str) -> anyhow::Result<()> {
    let Some(user) = users::by_email(&state.db, email).await?.filter(|u| u.active) else { return Ok(()) };
    let mut tx = state.db.begin().await?;
    let token = users::issue_token(&mut *tx, user.id, users::TokenPurpose::Wachtwoord, 2).await?;
    let link = state.config.absolute(&format!("/wachtwoord-herstellen/{token}"));
    mail::enqueue(&mut *tx, &state.config, &user.email, &mails::PasswordReset { link }).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Template)]
#[template(path = "accounts/reset.html")]
struct ResetTemplate {
    page: Page,
    valid: bool,
    error: Option<&'static str>,
}

/// The link in the mail to set a new password: the user's id.
pub struct PasswordReset;

impl LinkKind for PasswordReset {
    type Target = i64;

    async fn find(state: &AppState, token: &str) -> sqlx::Result<Option<i64>> {
        users::token_user(&state.db, token, users::TokenPurpose::Wachtwoord).await
    }

    fn unknown(page: Page) -> Response {
        let template = ResetTemplate { page: reset_crumbs(page), valid: false, error: None };
        (StatusCode::NOT_FOUND, Html(template)).into_response()
    }
}

fn reset_crumbs(page: Page) -> Page {
    page.crumb("Nieuw wachtwoord", "/wachtwoord-vergeten")
}

pub async fn reset_form(_: Linked<PasswordReset>, page: Page) -> impl IntoResponse {
    Html(ResetTemplate { page: reset_crumbs(page), valid: true, error: None })
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_repeat: String,
}

pub async fn reset(
    state: AppState,
    page: Page,
    Linked { token, target: user_id }: Linked<PasswordReset>,
    Form(form): Form<ResetForm>,
) -> AppResult<Response> {
    let user = users::by_id(&state.db, user_id).await?.ok_or(AppError::NotFound)?;
    let problem = if form.password != form.password_repeat {
        Some("De twee wachtwoorden zijn niet gelijk.")
    } else {
        password::policy_problem(&form.password, &user.email)
    };
    if let Some(error) = problem {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            Html(ResetTemplate { page: reset_crumbs(page), valid: true, error: Some(error) }),
        )
            .into_response());
    }
    let hash = password::hash(form.password).await?;
    let mut tx = state.db.begin().await?;
    // Single use: the UPDATE only succeeds for a token that is still unused.
    if !users::use_token(&mut *tx, &token).await? {
        return Ok(PasswordReset::unknown(page));
    }
    sqlx::query!(
        "UPDATE users SET password_hash = $2, email_confirmed_at = coalesce(email_confirmed_at, now()), updated_at = now() \
         WHERE id = $1",
        user_id,
        hash,
    )
    .execute(&mut *tx)
    .await?;
    session::destroy_all_for(&mut *tx, user_id, None).await?;
    tx.commit().await?;
    Ok(AccountNotice::Hersteld.redirect("/inloggen"))
}

#[derive(Template)]
#[template(path = "accounts/account.html")]
struct AccountTemplate {
    page: Page,
    user: users::User,
    notice: Option<&'static str>,
    password_error: Option<&'static str>,
    delete_error: Option<&'static str>,
    email_error: Option<&'static str>,
    new_email: String,
    registrations: Vec<crate::events::account::MyRegistration>,
    /// Verbinden: "Mensen om mee te praten".
    suggestions: Option<crate::verbinden::Block>,
}

impl AccountTemplate {
    fn new(page: Page, user: users::User) -> Self {
        Self {
            page: page.in_account(),
            user,
            notice: None,
            password_error: None,
            delete_error: None,
            email_error: None,
            new_email: String::new(),
            registrations: Vec::new(),
            suggestions: None,
        }
    }
}

pub async fn account(state: AppState, page: Page, LoggedIn(current): LoggedIn) -> AppResult<Response> {
    let user = users::by_id(&state.db, current.id).await?.ok_or(AppError::NotFound)?;
    let notice = page.notice::<AccountNotice>();
    let registrations =
        crate::events::account::of_user(&state.db, &state.config, user.id, &user.email).await?;
    let suggestions = crate::verbinden::block(&state, &page, crate::verbinden::Subject::Viewer).await?;
    Ok(Html(AccountTemplate { notice, registrations, suggestions, ..AccountTemplate::new(page, user) })
        .into_response())
}

#[derive(Deserialize)]
pub struct ChangePasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_repeat: String,
}

pub async fn change_password(
    state: AppState,
    page: Page,
    LoggedIn(current): LoggedIn,
    Form(form): Form<ChangePasswordForm>,
) -> AppResult<Response> {
    let user = users::by_id(&state.db, current.id).await?.ok_or(AppError::NotFound)?;
    let verdict = password::verify(
        form.current.chars().take(password::MAX_LENGTH).collect(),
        user.password_hash.clone(),
    )
    .await?;
    let problem = if matches!(verdict, Verdict::Wrong) {
        Some("Uw huidige wachtwoord klopt niet.")
    } else if form.password != form.password_repeat {
        Some("De twee nieuwe wachtwoorden zijn niet gelijk.")
    } else {
        password::policy_problem(&form.password, &user.email)
    };
    if let Some(error) = problem {
        let template = AccountTemplate { password_error: Some(error), ..AccountTemplate::new(page, user) };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(template)).into_response());
    }
    let hash = password::hash(form.password).await?;
    let mut tx = state.db.begin().await?;
    sqlx::query!("UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1", user.id, hash)
        .execute(&mut *tx)
        .await?;
    // Log out everywhere else: a stolen session dies with the old password.
    session::destroy_all_for(&mut *tx, user.id, Some(&current.session_hash)).await?;
    tx.commit().await?;
    Ok(AccountNotice::Wachtwoord.redirect("/account"))
}

/// Everything stored about the user, as JSON (AVG article 20).
pub async fn export(state: AppState, LoggedIn(current): LoggedIn) -> AppResult<Response> {
    let user = users::by_id(&state.db, current.id).await?.ok_or(AppError::NotFound)?;
    let member = sqlx::query_scalar!(
        r#"SELECT to_jsonb(m) - 'id' - 'user_id' AS "member!" FROM members m WHERE m.user_id = $1"#,
        user.id,
    )
    .fetch_optional(&state.db)
    .await?;
    let sessions = sqlx::query_scalar!(
        r#"SELECT jsonb_build_object('aangemaakt', created_at, 'laatst_gezien', last_seen_at, 'verloopt', expires_at,
                                     'browser', user_agent) AS "session!"
           FROM sessions WHERE user_id = $1 ORDER BY created_at"#,
        user.id,
    )
    .fetch_all(&state.db)
    .await?;
    let initiatives = sqlx::query_scalar!(
        r#"SELECT jsonb_build_object('naam', i.name, 'slug', i.slug, 'status', i.status, 'samenvatting', i.summary,
                  'contactpersoon', i.contact_name, 'contact_email', i.contact_email, 'aangemaakt', i.created_at)
                  AS "initiative!"
           FROM initiatives i JOIN members m ON m.id = i.owner_id WHERE m.user_id = $1 ORDER BY i.created_at"#,
        user.id,
    )
    .fetch_all(&state.db)
    .await?;
    let registrations = crate::events::account::export(&state.db, user.id, &user.email).await?;
    let vraagstukken = crate::vraagstukken::account::export(&state.db, user.id).await?;
    let body = serde_json::json!({
        "account": user,
        "aanmeldingen_bijeenkomsten": registrations,
        "aandeelhoudersprofiel": member,
        "verbinden": crate::verbinden::queries::export(&state.db, user.id).await?,
        "initiatieven": initiatives,
        "sessies": sessions,
        "vraagstukken": vraagstukken,
        "geexporteerd_op": time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
    });
    Ok((
        [
            (header::CONTENT_TYPE, "application/json; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"brede-blik-mijn-gegevens.json\""),
            (header::CACHE_CONTROL, "no-store"),
        ],
        serde_json::to_string_pretty(&body).map_err(anyhow::Error::from)?,
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    password: String,
}

/// Removes the account, its profile and sessions; initiatives stay without an owner and the
/// audit log keeps only a pseudonym (see /privacy).
pub async fn delete_account(
    state: AppState,
    page: Page,
    LoggedIn(current): LoggedIn,
    Form(form): Form<DeleteForm>,
) -> AppResult<Response> {
    let user = users::by_id(&state.db, current.id).await?.ok_or(AppError::NotFound)?;
    let verdict = password::verify(
        form.password.chars().take(password::MAX_LENGTH).collect(),
        user.password_hash.clone(),
    )
    .await?;
    if matches!(verdict, Verdict::Wrong) {
        let error = Some("Vul uw wachtwoord in om te bevestigen dat u uw account wilt verwijderen.");
        let template = AccountTemplate { delete_error: error, ..AccountTemplate::new(page, user) };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(template)).into_response());
    }
    let mut tx = state.db.begin().await?;
    sqlx::query!(
        "UPDATE audit_log SET actor_email = 'verwijderd-account-' || actor_id WHERE actor_id = $1",
        user.id
    )
    .execute(&mut *tx)
    .await?;
    let logo = sqlx::query_scalar!("DELETE FROM members WHERE user_id = $1 RETURNING logo_id", user.id)
        .fetch_optional(&mut *tx)
        .await?;
    crate::events::account::forget(&mut tx, &state.config, user.id, &user.email).await?;
    crate::vraagstukken::account::forget(&mut tx, user.id).await?;
    sqlx::query!("DELETE FROM users WHERE id = $1", user.id).execute(&mut *tx).await?;
    tx.commit().await?;
    // A portrait or logo is personal data: it goes offline with the profile.
    crate::media::forget_if_unused(&state.db, logo.flatten()).await;
    Ok(with_cookie(
        AccountNotice::Verwijderd.redirect("/inloggen"),
        cookies::clear(cookies::SESSION, state.config.is_https()),
    ))
}

#[derive(Deserialize)]
pub struct ChangeEmailForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

/// Starts an e-mail change: nothing changes until the link sent to the new address is used,
/// so a typo or a stolen session cannot move the account to someone else's address.
pub async fn change_email(
    state: AppState,
    page: Page,
    LoggedIn(current): LoggedIn,
    Form(form): Form<ChangeEmailForm>,
) -> AppResult<Response> {
    let user = users::by_id(&state.db, current.id).await?.ok_or(AppError::NotFound)?;
    let new_email: String = form.email.trim().chars().take(254).collect();
    let verdict = password::verify(
        form.password.chars().take(password::MAX_LENGTH).collect(),
        user.password_hash.clone(),
    )
    .await?;
    let checked = match EmailAddress::parse(&new_email) {
        Err(_) => Err("Vul een geldig nieuw e-mailadres in, bijvoorbeeld naam@organisatie.nl."),
        Ok(email) if email.as_str().eq_ignore_ascii_case(&user.email) => Err("Dit is al uw e-mailadres."),
        Ok(_) if matches!(verdict, Verdict::Wrong) => Err("Uw wachtwoord klopt niet."),
        Ok(email) => Ok(email),
    };
    let new_address = match checked {
        Ok(email) => email,
        Err(error) => {
            let template =
                AccountTemplate { email_error: Some(error), new_email, ..AccountTemplate::new(page, user) };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(template)).into_response());
        }
    };
    let new_email = new_address.into_string();
    let taken = users::by_email(&state.db, &new_email).await?.is_some();
    let mut tx = state.db.begin().await?;
    if !taken {
        // Whether the address is in use is not revealed here; the mail to it tells the owner.
        let token = crate::tokens::random_hex(32);
        sqlx::query!(
            "INSERT INTO user_tokens (token_hash, user_id, purpose, new_email, expires_at) \
             VALUES ($1, $2, $3, $4, now() + interval '24 hours')",
            crate::tokens::hash(&token),
            user.id,
            TokenPurpose::Email as TokenPurpose,
            &new_email,
        )
        .execute(&mut *tx)
        .await?;
        let link = state.config.absolute(&format!("/account/e-mail/bevestigen/{token}"));
        mail::enqueue(&mut *tx, &state.config, &new_email, &mails::EmailChange { link }).await?;
    }
    tx.commit().await?;
    Ok(AccountNotice::EmailVerstuurd.redirect("/account"))
}

#[derive(Template)]
#[template(path = "accounts/confirm_email.html")]
struct ConfirmEmailTemplate {
    page: Page,
    new_email: Option<String>,
}

/// The link in the mail to a new address: the user's id and the new address.
pub struct EmailChange;

impl LinkKind for EmailChange {
    type Target = (i64, String);

    async fn find(state: &AppState, token: &str) -> sqlx::Result<Option<(i64, String)>> {
        if !crate::tokens::is_well_formed(token, 32) {
            return Ok(None);
        }
        let row = sqlx::query!(
            r#"SELECT user_id, new_email AS "new_email!" FROM user_tokens WHERE token_hash = $1 AND purpose = $2
               AND used_at IS NULL AND expires_at > now() AND new_email IS NOT NULL"#,
            crate::tokens::hash(token),
            TokenPurpose::Email as TokenPurpose,
        )
        .fetch_optional(&state.db)
        .await?;
        Ok(row.map(|r| (r.user_id, r.new_email)))
    }

    fn unknown(page: Page) -> Response {
        let template = ConfirmEmailTemplate { page: page.in_account(), new_email: None };
        (StatusCode::NOT_FOUND, Html(template)).into_response()
    }
}

pub async fn confirm_email_page(
    page: Page,
    Linked { target: (_, new_email), .. }: Linked<EmailChange>,
) -> impl IntoResponse {
    Html(ConfirmEmailTemplate { page: page.in_account(), new_email: Some(new_email) })
}

pub async fn confirm_email(
    state: AppState,
    Linked { token, target: (user_id, new_email) }: Linked<EmailChange>,
) -> AppResult<Response> {
    let old = users::by_id(&state.db, user_id).await?.ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    sqlx::query!("UPDATE user_tokens SET used_at = now() WHERE token_hash = $1", crate::tokens::hash(&token))
        .execute(&mut *tx)
        .await?;
    let changed = sqlx::query!(
        "UPDATE users SET email = $2, email_confirmed_at = now(), updated_at = now() WHERE id = $1",
        user_id,
        &new_email,
    )
    .execute(&mut *tx)
    .await;
    if let Err(sqlx::Error::Database(e)) = &changed
        && e.is_unique_violation()
    {
        return Err(AppError::Conflict("Dit e-mailadres hoort intussen bij een ander account.".into()));
    }
    changed?;
    mail::enqueue(&mut *tx, &state.config, &old.email, &mails::EmailChanged { new_email }).await?;
    tx.commit().await?;
    Ok(AccountNotice::EmailGewijzigd.redirect("/account"))
}
