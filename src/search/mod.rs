//! `/zoeken`: one search over initiatives, regions, members, news, events, the kennisbank,
//! vraagstukken and lessons, grouped by kind.

pub(crate) mod index;
pub(crate) mod rows;

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::response::IntoResponse;
use axum::routing::get;
use sqlx::PgPool;

use crate::catalogue::queries::{self as catalogue, InitiativeCard};
use crate::error::AppResult;
use crate::members::queries::{self as members, MemberCard};
use crate::regions::RegionKind;
use crate::state::AppState;
use crate::web::filters::QueryParams;
use crate::web::page::{Html, Page};

pub fn router() -> Router<AppState> {
    Router::new().route("/zoeken", get(search))
}

#[derive(Debug)]
pub struct Hit {
    pub slug: String,
    pub title: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "search/results.html")]
struct ResultsTemplate {
    page: Page,
    q: String,
    initiatives: Vec<Arc<InitiativeCard>>,
    initiative_total: i64,
    regions: Vec<Hit>,
    members: Vec<Arc<MemberCard>>,
    member_total: i64,
    news: Vec<Hit>,
    events: Vec<crate::events::queries::EventCard>,
    publications: Vec<crate::kennisbank::queries::Card>,
    publication_total: i64,
    /// Vraagstukken and lessons (opbrengsten).
    vraagstukken: Vec<Hit>,
    lessons: Vec<Hit>,
}

impl ResultsTemplate {
    fn nothing_found(&self) -> bool {
        self.publications.is_empty()
            && self.vraagstukken.is_empty()
            && self.lessons.is_empty()
            && self.initiatives.is_empty()
            && self.regions.is_empty()
            && self.members.is_empty()
            && self.news.is_empty()
            && self.events.is_empty()
    }
    fn initiatives_url(&self) -> String {
        format!("/initiatieven?{}", crate::web::filters::query_string(&[("q", &self.q)]))
    }
    fn publications_url(&self) -> String {
        format!("/kennisbank?{}", crate::web::filters::query_string(&[("q", &self.q)]))
    }
    fn members_url(&self) -> String {
        format!("/aandeelhouders?{}", crate::web::filters::query_string(&[("q", &self.q)]))
    }
}

async fn regions_matching(db: &PgPool, q: &str) -> sqlx::Result<Vec<Hit>> {
    // Provinces first, then jeugdregio's, then municipalities.
    let order = [RegionKind::Provincie, RegionKind::Jeugdregio, RegionKind::Gemeente];
    sqlx::query_as!(
        Hit,
        r#"SELECT slug, name AS title, kind AS detail FROM regions
           WHERE immutable_unaccent(name) ILIKE immutable_unaccent($1) OR lower(code) = lower($2)
           ORDER BY (lower(name) = lower($2)) DESC, array_position($3, kind), name
           LIMIT 10"#,
        crate::text::like_contains(q),
        q,
        &order as &[RegionKind],
    )
    .fetch_all(db)
    .await
}

async fn news_matching(db: &PgPool, q: &str) -> sqlx::Result<Vec<Hit>> {
    sqlx::query_as!(
        Hit,
        "SELECT slug, title, lead AS detail FROM news_items \
         WHERE published_at <= now() AND \
           to_tsvector('dutch', immutable_unaccent(title || ' ' || lead || ' ' || body_md)) \
             @@ dutch_query($1) \
         ORDER BY published_at DESC LIMIT 10",
        q,
    )
    .fetch_all(db)
    .await
}

async fn vraagstukken_matching(db: &PgPool, q: &str) -> sqlx::Result<Vec<Hit>> {
    sqlx::query_as!(
        Hit,
        "SELECT slug, title, summary AS detail FROM vraagstukken \
         WHERE review = $2 AND merged_into IS NULL AND \
           to_tsvector('dutch', immutable_unaccent(title || ' ' || summary || ' ' || body_md)) \
             @@ dutch_query($1) \
         ORDER BY recognitions DESC, title LIMIT 10",
        q,
        crate::vraagstukken::Review::Gepubliceerd as crate::vraagstukken::Review,
    )
    .fetch_all(db)
    .await
}

async fn search(state: AppState, page: Page, params: QueryParams) -> AppResult<impl IntoResponse> {
    let q = params.one("q").unwrap_or_default();
    let page = page.crumb("Zoeken", "/zoeken");
    if q.is_empty() {
        return Ok(Html(ResultsTemplate {
            page,
            q,
            initiatives: vec![],
            initiative_total: 0,
            regions: vec![],
            members: vec![],
            member_total: 0,
            news: vec![],
            events: vec![],
            publications: vec![],
            publication_total: 0,
            vraagstukken: vec![],
            lessons: vec![],
        }));
    }
    let filters = catalogue::Filters { q: Some(q.clone()), ..Default::default() };
    let member_filters = members::Filters { q: Some(q.clone()), ..Default::default() };
    // Eight independent lookups, on pool connections at once.
    let (
        found,
        (members, member_total),
        (publications, publication_total),
        regions,
        news,
        events,
        vraagstukken,
        lessons,
    ) = tokio::try_join!(
        state.catalogue.search(&state.db, &filters, 5, 0),
        state.members.search(&state.db, &member_filters, 5, 0),
        crate::kennisbank::queries::search_cards(&state, &q, 5),
        regions_matching(&state.db, &q),
        news_matching(&state.db, &q),
        crate::events::queries::matching(&state.db, &q, 5),
        vraagstukken_matching(&state.db, &q),
        crate::opbrengsten::queries::matching(&state.db, &q),
    )?;
    Ok(Html(ResultsTemplate {
        page,
        publications,
        publication_total,
        vraagstukken,
        lessons,
        regions,
        news,
        events,
        q,
        initiatives: found.cards,
        initiative_total: found.total,
        members,
        member_total,
    }))
}
