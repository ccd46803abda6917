//! The pages that belong to no feature: home, statements, health checks and the files
//! crawlers and security researchers look for.

use askama::Template;
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;

use crate::catalogue::InitiativeStatus;
use crate::catalogue::queries::{self as catalogue, InitiativeCard};
use crate::db;
use crate::error::AppResult;
use crate::news::queries::{self as news, NewsCard};
use crate::state::AppState;
use crate::web::page::{Html, Page};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/privacy", get(privacy))
        .route("/toegankelijkheid", get(accessibility))
        .route("/robots.txt", get(robots))
        .route("/.well-known/security.txt", get(security_txt))
        .route("/sitemap.xml", get(sitemap))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

#[derive(Template)]
#[template(path = "pages/home.html")]
struct HomeTemplate {
    page: Page,
    news: Vec<NewsCard>,
    featured: Vec<InitiativeCard>,
    upcoming: Vec<crate::events::queries::EventCard>,
    /// The most recognised vraagstukken per level and the latest lessons.
    learning: crate::opbrengsten::home::Blocks,
    started: String,
}

async fn home(state: AppState, page: Page) -> AppResult<impl IntoResponse> {
    let (news, _) = news::latest(&state.db, None, 3, 0).await?;
    let featured = catalogue::featured(&state.db, 6).await?;
    let upcoming = crate::events::queries::upcoming(&state.db, 3).await?;
    let learning = crate::opbrengsten::home::blocks(&state.db).await?;
    let started = crate::web::form::started_stamp(&state.config.secret_key);
    Ok(Html(HomeTemplate { page, news, featured, upcoming, learning, started }))
}

#[derive(Template)]
#[template(path = "pages/privacy.html")]
struct PrivacyTemplate {
    page: Page,
}

async fn privacy(page: Page) -> impl IntoResponse {
    Html(PrivacyTemplate { page: page.crumb("Privacy", "/privacy") })
}

#[derive(Template)]
#[template(path = "pages/toegankelijkheid.html")]
struct AccessibilityTemplate {
    page: Page,
}

async fn accessibility(page: Page) -> impl IntoResponse {
    Html(AccessibilityTemplate { page: page.crumb("Toegankelijkheid", "/toegankelijkheid") })
}

async fn robots(state: AppState) -> impl IntoResponse {
    let body = format!(
        "User-agent: *\nDisallow: /beheer/\nDisallow: /account\nDisallow: /inloggen\nDisallow: /api/\n\nSitemap: {}\n",
        state.config.absolute("/sitemap.xml")
    );
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body)
}

/// RFC 9116. The expiry is computed so the file never goes stale while the site runs.
async fn security_txt(state: AppState) -> impl IntoResponse {
    let expires = (time::OffsetDateTime::now_utc() + time::Duration::days(180))
        .replace_time(time::Time::MIDNIGHT)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let body = format!(
        "Contact: mailto:security@bredeblik.example\nExpires: {expires}\nPreferred-Languages: nl, en\n\
         Canonical: {}\nPolicy: {}\n",
        state.config.absolute("/.well-known/security.txt"),
        state.config.absolute("/toegankelijkheid"),
    );
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body)
}

async fn sitemap(state: AppState) -> AppResult<impl IntoResponse> {
    let mut paths: Vec<String> = [
        "/",
        "/initiatieven",
        "/regios",
        "/aandeelhouders",
        "/kennisbank",
        "/vraagstukken",
        "/opbrengsten",
        "/nieuws",
        "/bijeenkomsten",
        "/nieuwsbrief",
        "/privacy",
        "/toegankelijkheid",
    ]
    .iter()
    .map(|p| p.to_string())
    .collect();
    let initiatives = sqlx::query_scalar!(
        r#"SELECT '/initiatieven/' || slug AS "path!" FROM initiatives WHERE status = $1 ORDER BY id LIMIT 40000"#,
        InitiativeStatus::Gepubliceerd as InitiativeStatus,
    )
    .fetch_all(&state.db)
    .await?;
    let news = sqlx::query_scalar!(
        r#"SELECT '/nieuws/' || slug AS "path!" FROM news_items WHERE published_at <= now() ORDER BY id LIMIT 5000"#
    )
    .fetch_all(&state.db)
    .await?;
    let regions = sqlx::query_scalar!(r#"SELECT '/regios/' || slug AS "path!" FROM regions ORDER BY id"#)
        .fetch_all(&state.db)
        .await?;
    paths.extend(initiatives);
    paths.extend(news);
    paths.extend(regions);
    paths.extend(crate::events::queries::sitemap_paths(&state.db).await?);
    paths.extend(crate::kennisbank::queries::sitemap_paths(&state.db).await?);
    paths.extend(crate::vraagstukken::queries::sitemap_paths(&state.db).await?);
    paths.extend(crate::opbrengsten::queries::sitemap_paths(&state.db).await?);
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for path in paths {
        xml.push_str(&format!("  <url><loc>{}</loc></url>\n", state.config.absolute(&path)));
    }
    xml.push_str("</urlset>\n");
    Ok(([(header::CONTENT_TYPE, "application/xml; charset=utf-8")], xml))
}

async fn healthz() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "ok\n")
}

async fn readyz(state: AppState) -> impl IntoResponse {
    let headers = [(header::CONTENT_TYPE, "text/plain; charset=utf-8")];
    match db::readiness(&state.db).await {
        Ok(()) => (StatusCode::OK, headers, "ready\n".to_string()),
        Err(problem) => {
            tracing::warn!(%problem, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, headers, "niet gereed\n".to_string())
        }
    }
}
