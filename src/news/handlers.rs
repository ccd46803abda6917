use askama::Template;
use axum::extract::Path;
use axum::response::IntoResponse;

use super::queries::{self, NewsCard, NewsItem};
use crate::error::{AppError, AppResult};
use crate::media::{self, Image};
use crate::state::AppState;
use crate::taxonomy::{self, Term, Vocabulary};
use crate::text;
use crate::web::filters::QueryParams;
use crate::web::page::{Html, Page};
use crate::web::paging::{self, Paging};

const PER_PAGE: i64 = 10;

#[derive(Template)]
#[template(path = "news/list.html")]
pub struct ListTemplate {
    page: Page,
    themes: Vec<Term>,
    theme: String,
    items: Vec<NewsCard>,
    paging: Paging,
}

impl ListTemplate {
    pub fn page_url(&self, number: impl std::fmt::Display) -> String {
        let query = if self.theme.is_empty() { String::new() } else { format!("thema={}", self.theme) };
        paging::page_url("/nieuws", &query, number)
    }
}

pub async fn list(state: AppState, page: Page, params: QueryParams) -> AppResult<impl IntoResponse> {
    let themes = taxonomy::all(&state.db, Vocabulary::Theme).await?;
    // Only a known theme filters; anything else shows all news.
    let theme = params.one("thema").filter(|t| themes.iter().any(|known| &known.slug == t));
    let requested = Paging::new(params.page(), PER_PAGE, 0);
    let (items, total) = queries::latest(&state.db, theme.as_deref(), PER_PAGE, requested.offset()).await?;
    Ok(Html(ListTemplate {
        page: page.crumb("Nieuws", "/nieuws"),
        themes,
        theme: theme.unwrap_or_default(),
        items,
        paging: Paging::new(params.page(), PER_PAGE, total),
    }))
}

#[derive(Template)]
#[template(path = "news/show.html")]
pub struct ShowTemplate {
    page: Page,
    item: NewsItem,
    body_html: String,
    themes: Vec<Term>,
    image: Option<Image>,
    image_absolute_url: String,
}

impl ShowTemplate {
    pub fn date(&self) -> String {
        text::date_nl(self.item.published_at)
    }
    pub fn iso_date(&self) -> String {
        self.item.published_at.date().to_string()
    }
}

pub async fn show(state: AppState, page: Page, Path(slug): Path<String>) -> AppResult<impl IntoResponse> {
    let item = queries::by_slug(&state.db, &slug).await?.ok_or(AppError::NotFound)?;
    let image = media::find(&state.db, item.image_id).await?;
    Ok(Html(ShowTemplate {
        image_absolute_url: image.as_ref().map(|i| state.config.absolute(&i.url())).unwrap_or_default(),
        image,
        page: page.crumb("Nieuws", "/nieuws").crumb(item.title.clone(), format!("/nieuws/{slug}")),
        body_html: text::markdown(&item.body_md),
        themes: queries::themes_of(&state.db, item.id).await?,
        item,
    }))
}
