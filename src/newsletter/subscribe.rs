//! Subscribing with double opt-in, and leaving with one click.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::{SubscriberStatus, mails};
use crate::error::AppResult;
use crate::mail;
use crate::ratelimit;
use crate::state::AppState;
use crate::taxonomy::{self, Term, Vocabulary};
use crate::tokens;
use crate::web::client::ClientIp;
use crate::web::form::{self, FieldErrors};
use crate::web::page::{Html, Page};
use crate::web::token_link::{LinkKind, Linked};
use crate::web::typed_form::Form;

/// The consent text shown next to the form; its version is stored with every subscription.
pub const CONSENT_TEXT: &str =
    "Ja, stuur mij de nieuwsbrief van Brede Blik. Ik kan mij altijd met één klik afmelden.";
pub const CONSENT_VERSION: &str = "2026-11-v1";
/// Confirmation mails one address can get per day, however often the form is sent.
const CONFIRMATIONS_PER_DAY: i32 = 3;
/// How long a confirmation link works.
pub const PENDING_DAYS: i32 = 7;

#[derive(Template)]
#[template(path = "newsletter/subscribe.html")]
struct SubscribeTemplate {
    page: Page,
    email: String,
    name: String,
    chosen: Vec<String>,
    themes: Vec<Term>,
    errors: FieldErrors,
    started: String,
    consent: &'static str,
}

impl SubscribeTemplate {
    fn topic_checked(&self, slug: &str) -> bool {
        self.chosen.iter().any(|c| c == slug)
    }
}

#[derive(Template)]
#[template(path = "newsletter/message.html")]
struct MessageTemplate {
    page: Page,
    heading: &'static str,
    message: &'static str,
}

async fn render(
    state: &AppState,
    page: Page,
    email: String,
    name: String,
    chosen: Vec<String>,
    errors: FieldErrors,
) -> AppResult<Response> {
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let template = SubscribeTemplate {
        page: page.crumb("Nieuwsbrief", "/nieuwsbrief"),
        email,
        name,
        chosen,
        themes: taxonomy::all(&state.db, Vocabulary::Theme).await?,
        errors,
        started: form::started_stamp(&state.config.secret_key),
        consent: CONSENT_TEXT,
    };
    Ok((status, Html(template)).into_response())
}

pub async fn form_page(state: AppState, page: Page) -> AppResult<Response> {
    render(&state, page, String::new(), String::new(), Vec::new(), FieldErrors::default()).await
}

/// The subscription form (on `/nieuwsbrief` and the home page); `onderwerp` comes once for
/// each ticked topic.
#[derive(serde::Deserialize)]
pub struct SubscribeForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    naam: String,
    #[serde(default)]
    onderwerp: Vec<String>,
    #[serde(default)]
    bron: String,
    /// The honeypot.
    #[serde(default)]
    website: String,
    #[serde(default)]
    begonnen: String,
}

pub async fn subscribe(
    state: AppState,
    page: Page,
    ClientIp(ip): ClientIp,
    Form(data): Form<SubscribeForm>,
) -> AppResult<Response> {
    ratelimit::hit(&state.db, ratelimit::SUBSCRIBE_PER_IP, &ip).await?;
    let email = form::clean(&data.email, 254);
    let name = form::clean(&data.naam, 120);
    let themes = taxonomy::all(&state.db, Vocabulary::Theme).await?;
    let chosen: Vec<String> =
        data.onderwerp.into_iter().take(50).filter(|t| themes.iter().any(|k| &k.slug == t)).collect();
    let source = match data.bron.as_str() {
        "home" => "formulier op de homepage",
        _ => "formulier op /nieuwsbrief",
    };
    let mut errors = FieldErrors::default();
    if mail::EmailAddress::parse(&email).is_err() {
        errors.add("email", "Vul een geldig e-mailadres in, bijvoorbeeld naam@organisatie.nl.");
    }
    if let Some(reason) = form::bot_suspicion(&state.config.secret_key, &data.website, &data.begonnen) {
        tracing::info!(reason, "subscription looked automated");
        errors.add("email", "Het formulier is te snel of niet volledig verstuurd. Controleer uw e-mailadres en verstuur het nog eens.");
    }
    if !errors.is_empty() {
        return render(&state, page, email, name, chosen, errors).await;
    }

    let mut tx = state.db.begin().await?;
    let existing = sqlx::query!(
        r#"SELECT id, status AS "status: SubscriberStatus",
                  (confirm_sent_at IS NULL OR confirm_sent_at::date < current_date OR confirm_mails_today < $2) AS "may_mail!"
           FROM subscribers WHERE lower(email) = lower($1) FOR UPDATE"#,
        &email,
        CONFIRMATIONS_PER_DAY,
    )
    .fetch_optional(&mut *tx)
    .await?;
    let send_to: Option<i64> = match existing {
        // Already subscribed: nothing to do, and the answer looks the same.
        Some(row) if row.status == SubscriberStatus::Actief => None,
        // Pending, left or bounced: (re)start the double opt-in, within the daily mail budget.
        Some(row) => row.may_mail.then_some(row.id),
        None => {
            let id = sqlx::query_scalar!(
                "INSERT INTO subscribers (email, name, topics, link_token) VALUES ($1, $2, $3, $4) RETURNING id",
                &email,
                &name,
                &chosen,
                tokens::random_hex(24),
            )
            .fetch_one(&mut *tx)
            .await?;
            Some(id)
        }
    };
    if let Some(id) = send_to {
        let token = tokens::random_hex(32);
        sqlx::query!(
            "UPDATE subscribers SET status = $8, name = CASE WHEN $2 = '' THEN name ELSE $2 END, topics = $3, \
                consent_at = now(), consent_source = $4, consent_ip = $5, consent_text_version = $6, \
                confirm_token_hash = $7, \
                confirm_mails_today = CASE WHEN confirm_sent_at::date = current_date THEN confirm_mails_today + 1 ELSE 1 END, \
                confirm_sent_at = now(), updated_at = now() \
             WHERE id = $1",
            id,
            &name,
            &chosen,
            source,
            &ip,
            CONSENT_VERSION,
            tokens::hash(&token),
            SubscriberStatus::Onbevestigd as SubscriberStatus,
        )
        .execute(&mut *tx)
        .await?;
        let link = state.config.absolute(&format!("/nieuwsbrief/bevestigen/{token}"));
        mail::enqueue(&mut *tx, &state.config, &email, &mails::ConfirmSubscription { link }).await?;
    }
    tx.commit().await?;
    Ok(Html(MessageTemplate {
        page: page.crumb("Nieuwsbrief", "/nieuwsbrief"),
        heading: "Bijna klaar",
        message: "Als dit adres nog niet op de lijst stond, ontvangt u binnen enkele minuten een e-mail met een bevestigingsknop. Pas na die bevestiging ontvangt u de nieuwsbrief.",
    })
    .into_response())
}

#[derive(Template)]
#[template(path = "newsletter/confirm.html")]
struct ConfirmTemplate {
    page: Page,
    valid: bool,
}

/// The confirmation link of a subscription: the pending subscriber's id.
pub struct Pending;

impl LinkKind for Pending {
    type Target = i64;

    async fn find(state: &AppState, token: &str) -> sqlx::Result<Option<i64>> {
        if !crate::tokens::is_well_formed(token, 32) {
            return Ok(None);
        }
        sqlx::query_scalar!(
            "SELECT id FROM subscribers WHERE confirm_token_hash = $1 AND status = $3 \
             AND confirm_sent_at > now() - make_interval(days => $2)",
            tokens::hash(token),
            PENDING_DAYS,
            SubscriberStatus::Onbevestigd as SubscriberStatus,
        )
        .fetch_optional(&state.db)
        .await
    }

    fn unknown(page: Page) -> Response {
        let template = ConfirmTemplate { page: page.crumb("Nieuwsbrief", "/nieuwsbrief"), valid: false };
        (StatusCode::NOT_FOUND, Html(template)).into_response()
    }
}

/// GET shows one button, so a mail filter's link scanner cannot confirm on its own.
pub async fn confirm_page(_: Linked<Pending>, page: Page) -> impl IntoResponse {
    Html(ConfirmTemplate { page: page.crumb("Nieuwsbrief", "/nieuwsbrief"), valid: true })
}

pub async fn confirm(
    state: AppState,
    page: Page,
    Linked { target: id, .. }: Linked<Pending>,
) -> AppResult<Response> {
    let page = page.crumb("Nieuwsbrief", "/nieuwsbrief");
    sqlx::query!(
        "UPDATE subscribers SET status = $2, confirmed_at = now(), confirm_token_hash = NULL, updated_at = now() \
         WHERE id = $1 AND status = $3",
        id,
        SubscriberStatus::Actief as SubscriberStatus,
        SubscriberStatus::Onbevestigd as SubscriberStatus,
    )
    .execute(&state.db)
    .await?;
    Ok(Html(MessageTemplate {
        page,
        heading: "U bent aangemeld",
        message: "Dank u wel voor uw bevestiging. U ontvangt de volgende nieuwsbrief van Brede Blik. Onder elke nieuwsbrief staat een link om u met één klik weer af te melden.",
    })
    .into_response())
}

#[derive(Template)]
#[template(path = "newsletter/unsubscribe.html")]
struct UnsubscribeTemplate {
    page: Page,
    email: Option<String>,
    done: bool,
}

/// A newsletter's personal link (unsubscribe, preferences): the subscriber's id and address.
pub struct SubscriberLink;

impl LinkKind for SubscriberLink {
    type Target = (i64, String);

    async fn find(state: &AppState, token: &str) -> sqlx::Result<Option<(i64, String)>> {
        if !crate::tokens::is_well_formed(token, 24) {
            return Ok(None);
        }
        let row = sqlx::query!("SELECT id, email FROM subscribers WHERE link_token = $1", token)
            .fetch_optional(&state.db)
            .await?;
        Ok(row.map(|r| (r.id, r.email)))
    }

    fn unknown(page: Page) -> Response {
        let template =
            UnsubscribeTemplate { page: page.crumb("Nieuwsbrief", "/nieuwsbrief"), email: None, done: false };
        (StatusCode::NOT_FOUND, Html(template)).into_response()
    }
}

pub async fn unsubscribe_page(
    page: Page,
    Linked { target: (_, email), .. }: Linked<SubscriberLink>,
) -> impl IntoResponse {
    Html(UnsubscribeTemplate {
        page: page.crumb("Nieuwsbrief", "/nieuwsbrief"),
        email: Some(email),
        done: false,
    })
}

/// Unsubscribes at once: from the button on the page, or from a mail provider's RFC 8058
/// one-click POST (body `List-Unsubscribe=One-Click`), without login or redirect. This path
/// is exempt from the CSRF check: the secret link token is the authorisation.
pub async fn unsubscribe(
    state: AppState,
    page: Page,
    Linked { target: (id, email), .. }: Linked<SubscriberLink>,
) -> AppResult<Response> {
    sqlx::query!(
        "UPDATE subscribers SET status = $2, unsubscribed_at = coalesce(unsubscribed_at, now()), updated_at = now() \
         WHERE id = $1 AND status <> $2",
        id,
        SubscriberStatus::Afgemeld as SubscriberStatus,
    )
    .execute(&state.db)
    .await?;
    let template = UnsubscribeTemplate {
        page: page.crumb("Nieuwsbrief", "/nieuwsbrief"),
        email: Some(email),
        done: true,
    };
    Ok(Html(template).into_response())
}

#[derive(Template)]
#[template(path = "newsletter/preferences.html")]
struct PreferencesTemplate {
    page: Page,
    email: String,
    chosen: Vec<String>,
    themes: Vec<Term>,
    saved: bool,
}

impl PreferencesTemplate {
    fn topic_checked(&self, slug: &str) -> bool {
        self.chosen.iter().any(|c| c == slug)
    }
}

/// `/nieuwsbrief/voorkeuren/{token}`: a subscriber chooses topics; the link in every
/// newsletter carries the personal token, so no account is needed.
pub async fn preferences_page(
    state: AppState,
    page: Page,
    Linked { target: (id, email), .. }: Linked<SubscriberLink>,
) -> AppResult<Response> {
    let chosen =
        sqlx::query_scalar!(r#"SELECT unnest(topics) AS "topic!" FROM subscribers WHERE id = $1"#, id)
            .fetch_all(&state.db)
            .await?;
    let themes = taxonomy::all(&state.db, Vocabulary::Theme).await?;
    Ok(Html(PreferencesTemplate {
        page: page.crumb("Nieuwsbrief", "/nieuwsbrief"),
        email,
        chosen,
        themes,
        saved: false,
    })
    .into_response())
}

/// The topics a subscriber chose; `onderwerp` comes once for each ticked topic.
#[derive(serde::Deserialize)]
pub struct PreferencesForm {
    #[serde(default)]
    onderwerp: Vec<String>,
}

pub async fn save_preferences(
    state: AppState,
    page: Page,
    Linked { target: (id, email), .. }: Linked<SubscriberLink>,
    Form(data): Form<PreferencesForm>,
) -> AppResult<Response> {
    let themes = taxonomy::all(&state.db, Vocabulary::Theme).await?;
    let chosen: Vec<String> =
        data.onderwerp.into_iter().filter(|t| themes.iter().any(|k| &k.slug == t)).collect();
    sqlx::query!("UPDATE subscribers SET topics = $2, updated_at = now() WHERE id = $1", id, &chosen)
        .execute(&state.db)
        .await?;
    Ok(Html(PreferencesTemplate {
        page: page.crumb("Nieuwsbrief", "/nieuwsbrief"),
        email,
        chosen,
        themes,
        saved: true,
    })
    .into_response())
}
