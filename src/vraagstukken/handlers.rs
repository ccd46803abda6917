//! `/vraagstukken`: the obstacles grouped by level with filters and search, and a page per
//! obstacle with its alternatives.

use askama::Template;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::queries::{self, Alternative, Card, Filters, Level, Link, Vraagstuk};
use super::{Review, VraagstukStatus};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::taxonomy::{self, Term, Vocabulary};
use crate::text;
use crate::web::auth::{CurrentUser, LoggedIn};
use crate::web::filters::{QueryParams, chosen_pairs, query_string};
use crate::web::form::ActionForm;
use crate::web::notice::{Notice, notices};
use crate::web::page::{Html, Page};
use crate::web::typed_form::Form;

/// The longest search text the list takes; longer input is cut, not refused.
const MAX_QUERY: usize = 200;

/// One level of the list with its obstacles.
pub struct LevelGroup {
    pub level: Level,
    pub cards: Vec<Card>,
    pub found: i64,
}

notices! {
    /// Messages on an obstacle's page after "Herken ik".
    enum RecognitionNotice {
        Herkend = "herkend", "U herkent dit vraagstuk; dat telt mee in het aantal.";
        Ingetrokken = "ingetrokken", "U herkent dit vraagstuk niet meer; het aantal is bijgewerkt.";
    }
}

#[derive(Template)]
#[template(path = "vraagstukken/list.html")]
struct ListTemplate {
    page: Page,
    themes: Vec<Term>,
    regions: Vec<Link>,
    levels: Vec<Level>,
    statuses: &'static [VraagstukStatus],
    chosen: Filters,
    q: String,
    groups: Vec<LevelGroup>,
}

impl ListTemplate {
    fn is(&self, chosen: &Option<String>, slug: &str) -> bool {
        chosen.as_deref() == Some(slug)
    }
    fn any_found(&self) -> bool {
        self.groups.iter().any(|g| g.found > 0)
    }
    /// The list narrowed to one level, keeping the other filters.
    fn level_url(&self, level: &str) -> String {
        let mut pairs = self.filter_pairs();
        pairs.retain(|(k, _)| *k != "niveau");
        pairs.push(("niveau", level));
        format!("/vraagstukken?{}", query_string(&pairs))
    }
    fn filter_pairs(&self) -> Vec<(&str, &str)> {
        let c = &self.chosen;
        chosen_pairs([
            ("thema", c.theme.as_deref()),
            ("regio", c.region.as_deref()),
            ("niveau", c.level.as_deref()),
            ("status", c.status.map(|v| v.as_str())),
            ("q", c.q.as_deref()),
            ("sorteer", c.by_recognition.then_some("herkend")),
        ])
    }
}

pub async fn list(state: AppState, page: Page, params: QueryParams) -> AppResult<impl IntoResponse> {
    let themes = taxonomy::all(&state.db, Vocabulary::Theme).await?;
    let levels = queries::levels(&state.db).await?;
    let regions = queries::filter_regions(&state.db).await?;
    let known = |value: Option<String>, slugs: Vec<&str>| value.filter(|v| slugs.contains(&v.as_str()));
    let q: String = params.one("q").unwrap_or_default().trim().chars().take(MAX_QUERY).collect();
    let chosen = Filters {
        theme: known(params.one("thema"), themes.iter().map(|t| t.slug.as_str()).collect()),
        region: known(params.one("regio"), regions.iter().map(|t| t.slug.as_str()).collect()),
        level: known(params.one("niveau"), levels.iter().map(|t| t.slug.as_str()).collect()),
        status: params.one("status").and_then(|v| VraagstukStatus::parse(&v)),
        q: (!q.is_empty()).then(|| q.clone()),
        by_recognition: params.one("sorteer").as_deref() == Some("herkend"),
    };
    let (cards, found) = state.vraagstukken.list(&state.db, &chosen).await?;
    let groups = levels
        .iter()
        .filter(|l| chosen.level.as_ref().is_none_or(|s| *s == l.slug))
        .map(|level| LevelGroup {
            level: level.clone(),
            cards: cards.iter().filter(|c| c.level_id == level.id).cloned().collect(),
            found: found.iter().find(|(id, _)| *id == level.id).map_or(0, |(_, n)| *n),
        })
        .collect();
    Ok(Html(ListTemplate {
        page: page.crumb("Vraagstukken", "/vraagstukken"),
        themes,
        regions,
        levels,
        statuses: VraagstukStatus::ALL,
        chosen,
        q,
        groups,
    }))
}

#[derive(Template)]
#[template(path = "vraagstukken/show.html")]
struct ShowTemplate {
    page: Page,
    vraagstuk: Vraagstuk,
    body_html: String,
    themes: Vec<Link>,
    regions: Vec<Link>,
    alternatives: Vec<Alternative>,
    /// `None` for a visitor; for a member whether they recognise it.
    recognised: Option<bool>,
    notice: Option<&'static str>,
    /// Verbinden: "Werkt ook aan dit thema", for a logged-in member only.
    suggestions: Option<crate::verbinden::Block>,
}

impl ShowTemplate {
    fn raised(&self) -> String {
        text::date_nl(self.vraagstuk.raised_at)
    }
}

pub async fn show(
    state: AppState,
    page: Page,
    CurrentUser(user): CurrentUser,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let vraagstuk = queries::by_slug(&state.db, &slug).await?.ok_or(AppError::NotFound)?;
    if let Some(target) = &vraagstuk.merged_into {
        // 301, as the old address of a merged obstacle has always been a plain GET link.
        let location = format!("/vraagstukken/{target}");
        return Ok((StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, location)]).into_response());
    }
    if vraagstuk.review != Review::Gepubliceerd {
        return Err(AppError::NotFound);
    }
    let db = &state.db;
    let id = vraagstuk.id;
    let suggestions =
        crate::verbinden::block(&state, &page, crate::verbinden::Subject::Vraagstuk(id)).await?;
    let template = ShowTemplate {
        suggestions,
        notice: page.notice::<RecognitionNotice>(),
        page: page
            .crumb("Vraagstukken", "/vraagstukken")
            .crumb(vraagstuk.title.clone(), format!("/vraagstukken/{}", vraagstuk.slug)),
        body_html: text::markdown(&vraagstuk.body_md),
        themes: queries::themes_of(db, id).await?,
        regions: queries::regions_of(db, id).await?,
        alternatives: queries::alternatives_of(db, id).await?,
        recognised: match &user {
            Some(user) => Some(queries::recognises(db, id, user.id).await?),
            None => None,
        },
        vraagstuk,
    };
    Ok(Html(template).into_response())
}

/// "Herken ik": a logged-in member says they recognise the obstacle, once, or takes it back
/// (`actie` is `herken` or `intrekken`).
pub async fn recognise(
    state: AppState,
    LoggedIn(user): LoggedIn,
    Path(slug): Path<String>,
    Form(form): Form<ActionForm>,
) -> AppResult<Response> {
    let vraagstuk = queries::by_slug(&state.db, &slug).await?.ok_or(AppError::NotFound)?;
    if vraagstuk.review != Review::Gepubliceerd || vraagstuk.merged_into.is_some() {
        return Err(AppError::NotFound);
    }
    let notice = match form.actie.as_str() {
        "herken" => {
            if !queries::recognise(&state.db, vraagstuk.id, user.id).await? {
                return Err(AppError::Conflict("U herkent dit vraagstuk al; u telt één keer mee.".into()));
            }
            RecognitionNotice::Herkend
        }
        "intrekken" => {
            if !queries::take_back(&state.db, vraagstuk.id, user.id).await? {
                return Err(AppError::Conflict("U had dit vraagstuk nog niet herkend.".into()));
            }
            RecognitionNotice::Ingetrokken
        }
        _ => return Err(AppError::BadRequest("Kies of u dit vraagstuk herkent of dat intrekt.".into())),
    };
    let location = notice.url(&format!("/vraagstukken/{slug}"), "herkenning");
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response())
}
