//! Verbinden's public side: the suggestions block other pages show, "Niet relevant", the
//! relay (writing to a member who accepts messages) and the abuse report behind every
//! relayed mail.
//!
//! Suggestions are personal (never yourself, never whom you dismissed), so they are only
//! rendered for a logged-in member: anonymous initiative, vraagstuk and profile pages carry
//! none and stay cacheable. Suggestions are also only ever shown to members: being suggested
//! is a choice made towards other members, not towards every visitor.

use askama::Template;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::mails::RelayMail;
use super::queries::{self, Candidate};
use super::status::SuggestionKind;
use super::{CountKind, rule};
use crate::error::{AppError, AppResult};
use crate::mail;
use crate::ratelimit::{self, Limit};
use crate::state::AppState;
use crate::tokens;
use crate::web::auth::{LoggedIn, SessionUser};
use crate::web::filters::QueryParams;
use crate::web::form::{self, FieldErrors};
use crate::web::notice::{Notice, notices};
use crate::web::page::{Html, Page};
use crate::web::typed_form::Form;

/// Messages one member may send through the relay per hour.
pub const RELAY_PER_SENDER: Limit = Limit { name: "relay-sender", max: 5, window_secs: 3600 };
/// How many members and initiatives a block shows.
const PEOPLE: usize = 5;
const INITIATIVES: usize = 3;
/// The query parameter on a suggestion's link, counted as "gevolgd" where it lands.
const VIA: &str = "verbinden";

/// What a suggestions block is about.
#[derive(Clone, Copy, Debug)]
pub enum Subject {
    /// The viewer themselves: "Mensen om mee te praten" on `/account`.
    Viewer,
    Member(i64),
    Initiative(i64),
    Vraagstuk(i64),
}

/// One suggestion with its reason in words.
pub struct Suggestion {
    /// What it points at, as the dismiss form sends it back.
    pub kind: SuggestionKind,
    pub id: i64,
    pub href: String,
    pub name: String,
    pub line: String,
    pub reason: String,
}

/// The block a page includes with `{% include "verbinden/block.html" %}`.
pub struct Block {
    pub title: &'static str,
    pub people: Vec<Suggestion>,
    pub initiatives: Vec<Suggestion>,
    /// The page to come back to after "Niet relevant".
    pub back: String,
    /// The viewer has no member profile, or did not choose to be suggested themselves.
    pub hint: Option<&'static str>,
}

impl Block {
    pub fn is_empty(&self) -> bool {
        self.people.is_empty() && self.initiatives.is_empty()
    }
}

fn suggestion(
    kind: SuggestionKind,
    base: &str,
    (candidate, scored): (Candidate, rule::Scored),
) -> Suggestion {
    Suggestion {
        kind,
        id: candidate.id,
        href: format!("{base}/{}?via={VIA}", candidate.slug),
        name: candidate.name,
        line: candidate.line,
        reason: scored.reason,
    }
}

/// The suggestions for a logged-in viewer about `subject`; `None` for visitors, and for a page
/// with nothing to suggest (on `/account` the block always shows, with a hint).
pub async fn block(state: &AppState, page: &Page, subject: Subject) -> AppResult<Option<Block>> {
    let Some(viewer) = &page.user else { return Ok(None) };
    let db = &state.db;
    let own = queries::member_of_user(db, viewer.id).await?;
    let (profile, skip_member, skip_initiative) = match subject {
        Subject::Viewer => match &own {
            Some(me) => (me.profile.clone(), None, None),
            None => return Ok(None),
        },
        Subject::Member(id) => match queries::member(db, id).await? {
            Some(member) => (member.profile, Some(id), None),
            None => return Ok(None),
        },
        Subject::Initiative(id) => match queries::initiative(db, id).await? {
            Some(initiative) => (initiative.profile, None, Some(id)),
            None => return Ok(None),
        },
        Subject::Vraagstuk(id) => match queries::vraagstuk(db, id).await? {
            Some(profile) => (profile, None, None),
            None => return Ok(None),
        },
    };
    let themes: Vec<String> = profile.themes.iter().map(|t| t.key.clone()).collect();
    let borders = |a: &str, b: &str| state.geo.borders(a, b);
    let members = queries::findable_members(db, Some(viewer.id), &themes).await?;
    let members = members.into_iter().filter(|c| Some(c.id) != skip_member).map(|c| (c.clone(), c.profile));
    let people: Vec<Suggestion> = rule::rank(&profile, members, &borders, PEOPLE)
        .into_iter()
        .map(|found| suggestion(SuggestionKind::Lid, "/aandeelhouders", found))
        .collect();
    let initiatives = queries::initiatives_for(db, Some(viewer.id), &themes).await?;
    let initiatives =
        initiatives.into_iter().filter(|c| Some(c.id) != skip_initiative).map(|c| (c.clone(), c.profile));
    let initiatives: Vec<Suggestion> = rule::rank(&profile, initiatives, &borders, INITIATIVES)
        .into_iter()
        .map(|found| suggestion(SuggestionKind::Initiatief, "/initiatieven", found))
        .collect();
    let viewer_page = matches!(subject, Subject::Viewer);
    if people.is_empty() && initiatives.is_empty() && !viewer_page {
        return Ok(None);
    }
    queries::count(db, CountKind::Getoond, (people.len() + initiatives.len()) as i64).await?;
    let hint = match &own {
        None => Some("Met een aandeelhoudersprofiel kunt u zelf ook worden voorgesteld."),
        Some(_) if !queries::is_suggestable(db, viewer.id).await? => {
            Some("U wordt zelf nog niet aan andere leden voorgesteld. Dat kunt u aanzetten op uw profiel.")
        }
        Some(_) => None,
    };
    Ok(Some(Block {
        title: if viewer_page { "Mensen om mee te praten" } else { "Werkt ook aan dit thema" },
        people,
        initiatives,
        back: page.path.clone(),
        hint,
    }))
}

/// Counts a followed suggestion: a member's page or initiative page opened from a block.
pub async fn followed(state: &AppState, page: &Page, params: &QueryParams) -> AppResult<()> {
    if page.user.is_some() && params.one("via").as_deref() == Some(VIA) {
        queries::count(&state.db, CountKind::Gevolgd, 1).await?;
    }
    Ok(())
}

/// "Niet relevant": `soort` is `lid` or `initiatief`, `terug` the page to return to.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DismissForm {
    soort: String,
    id: String,
    terug: String,
}

/// Only a path on this site: `/…`, never `//host` or a backslash trick.
fn safe_back(back: &str) -> &str {
    let ok = back.starts_with('/')
        && !back.starts_with("//")
        && !back.contains('\\')
        && back.len() <= 300
        && back.chars().all(|c| c.is_ascii_graphic());
    if ok { back } else { "/account" }
}

pub async fn dismiss(
    state: AppState,
    LoggedIn(user): LoggedIn,
    Form(form): Form<DismissForm>,
) -> AppResult<Response> {
    let id: i64 = form.id.trim().parse().map_err(|_| AppError::BadRequest("Kies een suggestie.".into()))?;
    let (member, initiative) = match SuggestionKind::parse(&form.soort) {
        Some(SuggestionKind::Lid) => (Some(id), None),
        Some(SuggestionKind::Initiatief) => (None, Some(id)),
        None => return Err(AppError::BadRequest("Kies een suggestie: een lid of een initiatief.".into())),
    };
    if queries::dismiss(&state.db, user.id, member, initiative).await? {
        queries::count(&state.db, CountKind::NietRelevant, 1).await?;
    }
    let location = format!("{}#verbinden", safe_back(&form.terug));
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response())
}

#[derive(Template)]
#[template(path = "verbinden/message.html")]
struct MessageTemplate {
    page: Page,
    heading: &'static str,
    message: String,
}

fn message(page: Page, status: StatusCode, heading: &'static str, message: impl Into<String>) -> Response {
    let template = MessageTemplate { page, heading, message: message.into() };
    (status, Html(template)).into_response()
}

/// The relay's write form, as sent.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WriteForm {
    pub onderwerp: String,
    pub bericht: String,
    /// `verbinden` when the writer came from a suggestion (counted as "leidde tot contact").
    pub via: String,
}

#[derive(Template)]
#[template(path = "verbinden/write.html")]
struct WriteTemplate {
    page: Page,
    recipient: Recipient,
    form: WriteForm,
    errors: FieldErrors,
    sent: Option<&'static str>,
}

/// A member one can write to: approved, public, accepting messages.
struct Recipient {
    member_id: i64,
    user_id: Option<i64>,
    slug: String,
    name: String,
    accepts_messages: bool,
}

async fn recipient(state: &AppState, slug: &str) -> AppResult<Recipient> {
    let row = sqlx::query!(
        "SELECT id, user_id, slug, name, accepts_messages FROM members \
         WHERE slug = $1 AND public_profile AND status = $2",
        slug,
        crate::members::MemberStatus::Goedgekeurd as crate::members::MemberStatus,
    )
    .fetch_optional(&state.db)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(Recipient {
        member_id: row.id,
        user_id: row.user_id,
        slug: row.slug,
        name: row.name,
        accepts_messages: row.accepts_messages,
    })
}

/// Why `sender` may not write to `recipient`, as a page; `None` when they may.
async fn refusal(
    state: &AppState,
    page: &Page,
    sender: &SessionUser,
    recipient: &Recipient,
) -> AppResult<Option<Response>> {
    let page = || page.clone();
    if !recipient.accepts_messages || recipient.user_id.is_none() {
        return Ok(Some(message(
            page(),
            StatusCode::FORBIDDEN,
            "Schrijven is niet mogelijk",
            format!("{} ontvangt geen berichten van andere leden via de site.", recipient.name),
        )));
    }
    if recipient.user_id == Some(sender.id) {
        return Ok(Some(message(
            page(),
            StatusCode::BAD_REQUEST,
            "Schrijven is niet mogelijk",
            "U kunt uzelf geen bericht sturen.",
        )));
    }
    if queries::is_blocked(&state.db, sender.id).await? {
        return Ok(Some(message(
            page(),
            StatusCode::FORBIDDEN,
            "U kunt geen berichten sturen",
            "Een coördinator heeft het sturen van berichten via Brede Blik voor uw account uitgezet, na een melding van misbruik. \
             Neem contact op met de coördinatoren als u denkt dat dit een vergissing is.",
        )));
    }
    if queries::sender(&state.db, sender.id).await?.is_none() {
        return Ok(Some(message(
            page(),
            StatusCode::FORBIDDEN,
            "Schrijven is niet mogelijk",
            "Alleen aandeelhouders met een goedgekeurd profiel kunnen andere leden schrijven.",
        )));
    }
    Ok(None)
}

fn write_page(page: Page, recipient: &Recipient) -> Page {
    let url = format!("/aandeelhouders/{}", recipient.slug);
    page.crumb("Aandeelhouders", "/aandeelhouders")
        .crumb(recipient.name.clone(), url.clone())
        .crumb("Bericht sturen", format!("{url}/schrijven"))
}

notices! {
    /// After a message is relayed; the page adds who receives it and how they answer.
    enum WriteNotice {
        Verstuurd = "verstuurd", "Uw bericht is verstuurd.";
    }
}

/// `GET /aandeelhouders/{slug}/schrijven`: the write form (logged in).
pub async fn write_form(
    state: AppState,
    page: Page,
    LoggedIn(user): LoggedIn,
    Path(slug): Path<String>,
    params: QueryParams,
) -> AppResult<Response> {
    let recipient = recipient(&state, &slug).await?;
    if let Some(refused) = refusal(&state, &page, &user, &recipient).await? {
        return Ok(refused);
    }
    let form =
        WriteForm { via: params.one("via").filter(|v| v == VIA).unwrap_or_default(), ..WriteForm::default() };
    let sent = page.notice::<WriteNotice>();
    let page = write_page(page, &recipient);
    Ok(Html(WriteTemplate { page, recipient, form, errors: FieldErrors::default(), sent }).into_response())
}

/// `POST /aandeelhouders/{slug}/schrijven`: relays the message through the outbox.
pub async fn write(
    state: AppState,
    page: Page,
    LoggedIn(user): LoggedIn,
    Path(slug): Path<String>,
    Form(mut form): Form<WriteForm>,
) -> AppResult<Response> {
    let recipient = recipient(&state, &slug).await?;
    if let Some(refused) = refusal(&state, &page, &user, &recipient).await? {
        return Ok(refused);
    }
    form.onderwerp = form::clean(&form.onderwerp.replace('\n', " "), 150);
    form.bericht = form::clean(&form.bericht, 5000);
    let mut errors = FieldErrors::default();
    if form.onderwerp.chars().count() < 2 {
        errors.add("onderwerp", "Geef uw bericht een onderwerp.");
    }
    if form.bericht.chars().count() < 10 {
        errors.add("bericht", "Schrijf een bericht van minstens 10 tekens.");
    }
    if !errors.is_empty() {
        let page = write_page(page, &recipient);
        let template = WriteTemplate { page, recipient, form, errors, sent: None };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(template)).into_response());
    }
    ratelimit::hit(&state.db, RELAY_PER_SENDER, &user.id.to_string()).await?;
    let sender = queries::sender(&state.db, user.id).await?.ok_or(AppError::Forbidden)?;
    let to = queries::recipient_address(&state.db, recipient.member_id).await?.ok_or(AppError::NotFound)?;
    let token = tokens::random_hex(16);
    let mail = RelayMail {
        sender_name: sender.name,
        sender_organisation: sender.organisation,
        sender_profile: sender.public_slug.map(|s| state.config.absolute(&format!("/aandeelhouders/{s}"))),
        subject: form.onderwerp.clone(),
        body: form.bericht.clone(),
        settings_url: state.config.absolute("/account/profiel#verbinden"),
        report_url: state.config.absolute(&format!("/verbinden/melden/{token}")),
    };
    let from_suggestion = form.via == VIA;
    let mut tx = state.db.begin().await?;
    sqlx::query!(
        "INSERT INTO relay_messages (sender_id, recipient_id, subject, body, report_token_hash, from_suggestion) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        user.id,
        recipient.member_id,
        form.onderwerp,
        form.bericht,
        tokens::hash(&token),
        from_suggestion,
    )
    .execute(&mut *tx)
    .await?;
    mail::enqueue_with_reply_to(&mut *tx, &state.config, &to, &mail, Some(&user.email)).await?;
    if from_suggestion {
        queries::count(&mut *tx, CountKind::Contact, 1).await?;
    }
    tx.commit().await?;
    Ok(WriteNotice::Verstuurd.redirect(&format!("/aandeelhouders/{}/schrijven", recipient.slug)))
}

/// The report form behind the link in a relayed mail.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReportForm {
    pub reden: String,
}

#[derive(Template)]
#[template(path = "verbinden/report.html")]
struct ReportTemplate {
    page: Page,
    token: String,
    subject: String,
    form: ReportForm,
    errors: FieldErrors,
}

fn report_page(page: Page, token: &str) -> Page {
    page.crumb("Bericht melden", format!("/verbinden/melden/{token}"))
}

async fn reported_message(state: &AppState, token: &str) -> AppResult<(i64, String, bool)> {
    if !tokens::is_well_formed(token, 16) {
        return Err(AppError::NotFound);
    }
    queries::message_by_token(&state.db, &tokens::hash(token)).await?.ok_or(AppError::NotFound)
}

pub async fn report_form(state: AppState, page: Page, Path(token): Path<String>) -> AppResult<Response> {
    let (_, subject, reported) = reported_message(&state, &token).await?;
    if reported {
        return Ok(message(
            page,
            StatusCode::OK,
            "Al gemeld",
            "Dit bericht is al gemeld; de coördinatoren bekijken het.",
        ));
    }
    let page = report_page(page, &token);
    Ok(Html(ReportTemplate {
        page,
        token,
        subject,
        form: ReportForm::default(),
        errors: FieldErrors::default(),
    })
    .into_response())
}

pub async fn report(
    state: AppState,
    page: Page,
    Path(token): Path<String>,
    Form(mut form): Form<ReportForm>,
) -> AppResult<Response> {
    let (message_id, subject, reported) = reported_message(&state, &token).await?;
    if reported {
        return Ok(message(
            page,
            StatusCode::CONFLICT,
            "Al gemeld",
            "Dit bericht is al gemeld; de coördinatoren bekijken het.",
        ));
    }
    form.reden = form::clean(&form.reden, 2000);
    if form.reden.chars().count() < 5 {
        let mut errors = FieldErrors::default();
        errors.add("reden", "Schrijf kort wat er mis is met dit bericht.");
        let page = report_page(page, &token);
        let template = ReportTemplate { page, token, subject, form, errors };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(template)).into_response());
    }
    if !queries::report(&state.db, message_id, &form.reden).await? {
        return Ok(message(
            page,
            StatusCode::CONFLICT,
            "Al gemeld",
            "Dit bericht is al gemeld; de coördinatoren bekijken het.",
        ));
    }
    Ok(message(
        page,
        StatusCode::OK,
        "Dank u voor uw melding",
        "De coördinatoren van Brede Blik bekijken het bericht en kunnen de afzender het sturen van berichten ontzeggen.",
    ))
}

/// The write link on a member's profile, when they accept messages. The same for every
/// visitor (a visitor is asked to log in first), so the cached page stays right; it keeps
/// `?via=verbinden` when the profile was opened from a suggestion.
pub async fn write_url(
    state: &AppState,
    params: &QueryParams,
    member_id: i64,
    slug: &str,
) -> AppResult<Option<String>> {
    let via = if params.one("via").as_deref() == Some(VIA) { format!("?via={VIA}") } else { String::new() };
    let accepts = sqlx::query_scalar!("SELECT accepts_messages FROM members WHERE id = $1", member_id)
        .fetch_optional(&state.db)
        .await?
        .unwrap_or(false);
    Ok(accepts.then(|| format!("/aandeelhouders/{slug}/schrijven{via}")))
}

/// The `limit` best suggestions for a member, members and initiatives together, keyed
/// `lid:<slug>` or `initiatief:<slug>`: what the labelled set (tests/data) is checked against.
pub async fn top_for_member(
    db: &sqlx::PgPool,
    geo: &crate::geo::Geo,
    member_id: i64,
    limit: usize,
) -> sqlx::Result<Vec<(String, rule::Scored)>> {
    let Some(me) = queries::member(db, member_id).await? else { return Ok(Vec::new()) };
    let themes: Vec<String> = me.profile.themes.iter().map(|t| t.key.clone()).collect();
    let viewer =
        sqlx::query_scalar!("SELECT user_id FROM members WHERE id = $1", member_id).fetch_one(db).await?;
    let members = queries::findable_members(db, viewer, &themes).await?;
    let initiatives = queries::initiatives_for(db, viewer, &themes).await?;
    let candidates = members
        .into_iter()
        .filter(|c| c.id != member_id)
        .map(|c| (format!("lid:{}", c.slug), c.profile))
        .chain(initiatives.into_iter().map(|c| (format!("initiatief:{}", c.slug), c.profile)));
    Ok(rule::rank(&me.profile, candidates, &|a: &str, b: &str| geo.borders(a, b), limit))
}

/// For a logged-in member: the findable members nearest in themes and region, best first (at
/// most one page), which `/aandeelhouders` lists first. Empty for visitors, so the anonymous
/// list stays the same for everyone and cacheable.
pub async fn nearest(state: &AppState, page: &Page) -> AppResult<Vec<i64>> {
    const NEAREST: usize = 24;
    let Some(viewer) = &page.user else { return Ok(Vec::new()) };
    let Some(me) = queries::member_of_user(&state.db, viewer.id).await? else { return Ok(Vec::new()) };
    let themes: Vec<String> = me.profile.themes.iter().map(|t| t.key.clone()).collect();
    let members = queries::findable_members(&state.db, Some(viewer.id), &themes).await?;
    let borders = |a: &str, b: &str| state.geo.borders(a, b);
    let candidates = members.into_iter().map(|c| (c.id, c.profile));
    Ok(rule::rank(&me.profile, candidates, &borders, NEAREST).into_iter().map(|(id, _)| id).collect())
}
