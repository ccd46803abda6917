//! `/opbrengsten`: the published lessons of every inspiratieregio, filterable by cohort, theme
//! and level without JavaScript, and a page per lesson with its region, vraagstukken and
//! initiatives.

use askama::Template;
use axum::extract::Path;
use axum::response::IntoResponse;

use super::Review;
use super::queries::{self, Card, Filters, Link};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::taxonomy::{self, Term, Vocabulary};
use crate::vraagstukken::queries::{Level, levels};
use crate::web::filters::{QueryParams, query_string};
use crate::web::page::{Html, Page};
use crate::web::paging::{Paging, page_url};

const PER_PAGE: i64 = 20;

#[derive(Template)]
#[template(path = "opbrengsten/list.html")]
struct ListTemplate {
    page: Page,
    cohorts: Vec<i32>,
    themes: Vec<Term>,
    levels: Vec<Level>,
    chosen: Filters,
    cards: Vec<Card>,
    links: Vec<Link>,
    paging: Paging,
}

impl ListTemplate {
    fn is(&self, chosen: &Option<String>, slug: &str) -> bool {
        chosen.as_deref() == Some(slug)
    }
    fn cohort_chosen(&self, year: &i32) -> bool {
        self.chosen.cohort == Some(*year)
    }
    fn q(&self) -> &str {
        self.chosen.q.as_deref().unwrap_or_default()
    }
    fn links_of(&self, id: &i64) -> Vec<&Link> {
        self.links.iter().filter(|l| l.lesson_id == *id).collect()
    }
    fn page_url(&self, number: impl std::fmt::Display) -> String {
        let pairs = self.chosen.pairs();
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        page_url("/opbrengsten", &query_string(&pairs), number)
    }
}

pub async fn list(state: AppState, page: Page, params: QueryParams) -> AppResult<impl IntoResponse> {
    let chosen = Filters::from_params(&params);
    let requested = Paging::new(params.page(), PER_PAGE, 0);
    let (cards, total) = state.lessons.list(&state.db, &chosen, PER_PAGE, requested.offset()).await?;
    let ids: Vec<i64> = cards.iter().map(|c| c.id).collect();
    Ok(Html(ListTemplate {
        page: page.crumb("Opbrengsten", "/opbrengsten"),
        cohorts: queries::cohorts(&state.db).await?,
        themes: taxonomy::all(&state.db, Vocabulary::Theme).await?,
        levels: levels(&state.db).await?,
        links: queries::links_of(&state.db, &ids).await?,
        paging: Paging::new(params.page(), PER_PAGE, total),
        chosen,
        cards,
    }))
}

#[derive(Template)]
#[template(path = "opbrengsten/show.html")]
struct ShowTemplate {
    page: Page,
    lesson: Card,
    links: Vec<Link>,
}

pub async fn show(state: AppState, page: Page, Path(slug): Path<String>) -> AppResult<impl IntoResponse> {
    let lesson = queries::by_slug(&state.db, &slug).await?.ok_or(AppError::NotFound)?;
    if lesson.review != Review::Gepubliceerd {
        return Err(AppError::NotFound);
    }
    Ok(Html(ShowTemplate {
        page: page
            .crumb("Opbrengsten", "/opbrengsten")
            .crumb(lesson.title.clone(), format!("/opbrengsten/{}", lesson.slug)),
        links: queries::links_of(&state.db, &[lesson.id]).await?,
        lesson,
    }))
}
