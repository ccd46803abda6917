use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::IntoResponse;

use super::queries::{self, Filters, Initiative, InitiativeCard, Sort, TermLink};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::taxonomy::{self, Term, Vocabulary};
use crate::text;
use crate::web::facets::{Facet, RegionOption, facet, region_options};
use crate::web::filters::{QueryParams, query_string};
use crate::web::page::{Html, Page};
use crate::web::paging::Paging;

const PER_PAGE: i64 = 20;

#[derive(Template)]
#[template(path = "catalogue/list.html")]
pub struct ListTemplate {
    page: Page,
    q: String,
    sort: Sort,
    facets: Vec<Facet>,
    regions: Vec<RegionOption>,
    cards: Vec<InitiativeCard>,
    paging: Paging,
    /// The current filters as a query string, without the page number.
    base_query: String,
    any_filter: bool,
}

impl ListTemplate {
    pub fn page_url(&self, number: impl std::fmt::Display) -> String {
        if self.base_query.is_empty() {
            format!("/initiatieven?pagina={number}")
        } else {
            format!("/initiatieven?{}&pagina={number}", self.base_query)
        }
    }
}

pub async fn list(
    State(state): State<AppState>,
    page: Page,
    RawQuery(raw): RawQuery,
) -> AppResult<impl IntoResponse> {
    let params = QueryParams::parse(raw.as_deref());
    let filters = Filters {
        q: params.one("q"),
        themes: params.all("thema"),
        domains: params.all("domein"),
        levels: params.all("niveau"),
        age_groups: params.all("leeftijd"),
        region: params.one("regio"),
        sort: Sort::parse(params.one("sorteer").as_deref()),
    };
    let requested = Paging::new(params.page(), PER_PAGE, 0);
    let (cards, total) = queries::search(&state.db, &filters, PER_PAGE, requested.offset()).await?;
    let paging = Paging::new(params.page(), PER_PAGE, total);

    let mut pairs: Vec<(&str, &str)> = Vec::new();
    if let Some(q) = &filters.q {
        pairs.push(("q", q));
    }
    for (key, values) in [
        ("thema", &filters.themes),
        ("domein", &filters.domains),
        ("niveau", &filters.levels),
        ("leeftijd", &filters.age_groups),
    ] {
        pairs.extend(values.iter().map(|v| (key, v.as_str())));
    }
    if let Some(region) = &filters.region {
        pairs.push(("regio", region));
    }
    let any_filter = !pairs.is_empty();
    let sort_value = match filters.sort {
        Sort::Newest => Some("nieuwste"),
        Sort::Name => Some("naam"),
        Sort::Relevance => None,
    };
    if let Some(sort) = sort_value {
        pairs.push(("sorteer", sort));
    }
    let base_query = query_string(&pairs);

    let facets = vec![
        facet("thema", "Thema", taxonomy::all(&state.db, Vocabulary::Theme).await?, &filters.themes),
        facet("domein", "Domein", taxonomy::all(&state.db, Vocabulary::Domain).await?, &filters.domains),
        facet("niveau", "Niveau", taxonomy::all(&state.db, Vocabulary::Level).await?, &filters.levels),
        facet(
            "leeftijd",
            "Leeftijd",
            taxonomy::all(&state.db, Vocabulary::AgeGroup).await?,
            &filters.age_groups,
        ),
    ];
    let regions = region_options(&state.db, filters.region.as_deref()).await?;

    Ok(Html(ListTemplate {
        page: page.crumb("Initiatieven", "/initiatieven"),
        q: filters.q.clone().unwrap_or_default(),
        sort: filters.sort,
        facets,
        regions,
        cards,
        paging,
        base_query,
        any_filter,
    }))
}

#[derive(Template)]
#[template(path = "catalogue/show.html")]
pub struct ShowTemplate {
    page: Page,
    initiative: Initiative,
    description_html: String,
    themes: Vec<Term>,
    domains: Vec<Term>,
    levels: Vec<Term>,
    age_groups: Vec<Term>,
    related: Vec<InitiativeCard>,
}

impl ShowTemplate {
    pub fn published(&self) -> String {
        self.initiative.published_at.map(text::date_nl).unwrap_or_default()
    }
    pub fn updated(&self) -> String {
        text::date_nl(self.initiative.updated_at)
    }
}

pub async fn show(
    State(state): State<AppState>,
    page: Page,
    Path(slug): Path<String>,
) -> AppResult<impl IntoResponse> {
    let initiative = queries::by_slug(&state.db, &slug).await?.ok_or(AppError::NotFound)?;
    let db = &state.db;
    let id = initiative.id;
    Ok(Html(ShowTemplate {
        page: page
            .crumb("Initiatieven", "/initiatieven")
            .crumb(initiative.name.clone(), format!("/initiatieven/{slug}")),
        description_html: text::markdown(&initiative.description_md),
        themes: queries::terms_of(db, id, TermLink::Theme).await?,
        domains: queries::terms_of(db, id, TermLink::Domain).await?,
        levels: queries::terms_of(db, id, TermLink::Level).await?,
        age_groups: queries::terms_of(db, id, TermLink::AgeGroup).await?,
        related: queries::related(db, &initiative, 4).await?,
        initiative,
    }))
}
