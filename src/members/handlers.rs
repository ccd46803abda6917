use std::sync::Arc;

use askama::Template;
use axum::extract::Path;
use axum::response::IntoResponse;

use super::queries::{self, Filters, Member, MemberCard};
use crate::error::{AppError, AppResult};
use crate::regions::queries::region_options;
use crate::state::AppState;
use crate::taxonomy::Term;
use crate::web::facets::{Facet, RegionSelect, facet};
use crate::web::filters::{QueryParams, query_string};
use crate::web::page::{Html, Page};
use crate::web::paging::{self, Paging};

const PER_PAGE: i64 = 24;

#[derive(Template)]
#[template(path = "members/list.html")]
pub struct ListTemplate {
    page: Page,
    q: String,
    facets: Vec<Facet>,
    regions: RegionSelect,
    cards: Vec<Arc<MemberCard>>,
    paging: Paging,
    base_query: String,
    any_filter: bool,
    /// "Wil gecontacteerd worden" is ticked.
    contactable: bool,
    /// A logged-in member sees the findable members nearest to them first.
    nearest_first: bool,
}

impl ListTemplate {
    pub fn page_url(&self, number: impl std::fmt::Display) -> String {
        paging::page_url("/aandeelhouders", &self.base_query, number)
    }
}

pub async fn list(state: AppState, page: Page, params: QueryParams) -> AppResult<impl IntoResponse> {
    let filters = Filters {
        q: params.one("q"),
        themes: params.all("thema"),
        domains: params.all("domein"),
        region: params.one("regio"),
        contactable: params.one("contact").as_deref() == Some("ja"),
        first: crate::verbinden::nearest(&state, &page).await?,
    };
    let requested = Paging::new(params.page(), PER_PAGE, 0);
    let listed = state.members.list(&state.db, &filters, PER_PAGE, requested.offset()).await?;
    let paging = Paging::new(params.page(), PER_PAGE, listed.total);

    let mut pairs: Vec<(&str, &str)> = Vec::new();
    if let Some(q) = &filters.q {
        pairs.push(("q", q));
    }
    pairs.extend(filters.themes.iter().map(|v| ("thema", v.as_str())));
    pairs.extend(filters.domains.iter().map(|v| ("domein", v.as_str())));
    if let Some(region) = &filters.region {
        pairs.push(("regio", region));
    }
    if filters.contactable {
        pairs.push(("contact", "ja"));
    }
    Ok(Html(ListTemplate {
        contactable: filters.contactable,
        nearest_first: !filters.first.is_empty(),
        page: page.crumb("Aandeelhouders", "/aandeelhouders"),
        q: filters.q.clone().unwrap_or_default(),
        facets: vec![
            facet("thema", "Thema", listed.themes, &filters.themes),
            facet("domein", "Domein", listed.domains, &filters.domains),
        ],
        regions: region_options(&state, listed.version, filters.region.as_deref()).await?,
        cards: listed.cards,
        paging,
        any_filter: !pairs.is_empty(),
        base_query: query_string(&pairs),
    }))
}

#[derive(Template)]
#[template(path = "members/show.html")]
pub struct ShowTemplate {
    page: Page,
    member: Member,
    themes: Vec<Term>,
    domains: Vec<Term>,
    /// Verbinden: where to write to this member, when they accept messages.
    write_url: Option<String>,
    suggestions: Option<crate::verbinden::Block>,
}

pub async fn show(
    state: AppState,
    page: Page,
    Path(slug): Path<String>,
    params: QueryParams,
) -> AppResult<impl IntoResponse> {
    let member = queries::by_slug(&state.db, &slug).await?.ok_or(AppError::NotFound)?;
    crate::verbinden::followed(&state, &page, &params).await?;
    let suggestions =
        crate::verbinden::block(&state, &page, crate::verbinden::Subject::Member(member.id)).await?;
    Ok(Html(ShowTemplate {
        write_url: crate::verbinden::write_url(&state, &params, member.id, &slug).await?,
        suggestions,
        page: page
            .crumb("Aandeelhouders", "/aandeelhouders")
            .crumb(member.name.clone(), format!("/aandeelhouders/{slug}")),
        themes: queries::themes_of(&state.db, member.id).await?,
        domains: queries::domains_of(&state.db, member.id).await?,
        member,
    }))
}
