//! Read-only open data: public records as JSON under `/api/v1`, described by
//! `/api/openapi.json`, and the catalogue as CSV. Only what the site shows publicly is here.

use axum::Json;
use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use serde::Serialize;
use serde_json::{Value, json};
use sqlx::PgPool;
use time::OffsetDateTime;

use crate::catalogue::InitiativeStatus;
use crate::catalogue::queries::Filters;
use crate::error::AppResult;
use crate::members::MemberKind;
use crate::members::queries as members;
use crate::regions::RegionKind;
use crate::state::AppState;
use crate::web::filters::QueryParams;
use crate::web::paging::Paging;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/initiatives", get(initiatives))
        .route("/api/v1/regions", get(regions))
        .route("/api/v1/members", get(members_list))
        .route("/api/v1/events", get(crate::events::api::list))
        .route("/api/openapi.json", get(openapi))
        .route("/initiatieven.csv", get(initiatives_csv))
}

const CORS: (header::HeaderName, &str) = (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*");

fn per_page(params: &QueryParams) -> i64 {
    params.one("per_pagina").and_then(|v| v.parse().ok()).unwrap_or(20).clamp(1, 100)
}

fn meta(paging: &Paging) -> Value {
    json!({ "total": paging.total, "page": paging.page, "per_page": paging.per_page, "pages": paging.pages() })
}

#[derive(Serialize)]
struct InitiativeRecord {
    slug: String,
    name: String,
    summary: String,
    website: String,
    region: Option<String>,
    region_code: Option<String>,
    themes: Vec<String>,
    domains: Vec<String>,
    levels: Vec<String>,
    age_groups: Vec<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    published_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    updated_at: OffsetDateTime,
}

/// Full public records for the given slugs, in that order. Levels and age groups follow their
/// scale (`initiative_term_slugs`); themes and domains are listed by slug (in the database's
/// collation), as the API always has.
async fn initiative_records(db: &PgPool, slugs: &[String]) -> sqlx::Result<Vec<InitiativeRecord>> {
    sqlx::query_as!(
        InitiativeRecord,
        r#"SELECT i.slug, i.name, i.summary, i.website, r.name AS "region?", r.code AS "region_code?",
             ARRAY(SELECT t FROM unnest(ts.themes) t ORDER BY t) AS "themes!",
             ARRAY(SELECT t FROM unnest(ts.domains) t ORDER BY t) AS "domains!",
             ts.levels AS "levels!", ts.age_groups AS "age_groups!", i.published_at, i.updated_at
           FROM unnest($1::text[]) WITH ORDINALITY AS s(slug, n)
           JOIN initiatives i ON i.slug = s.slug AND i.status = $2
           JOIN initiative_term_slugs ts ON ts.initiative_id = i.id
           LEFT JOIN regions r ON r.id = i.region_id ORDER BY s.n"#,
        slugs,
        InitiativeStatus::Gepubliceerd as InitiativeStatus,
    )
    .fetch_all(db)
    .await
}

async fn initiatives(state: AppState, params: QueryParams) -> AppResult<impl IntoResponse> {
    let filters = Filters::from_params(&params);
    let requested = Paging::new(params.page(), per_page(&params), 0);
    let found = state.catalogue.search(&state.db, &filters, requested.per_page, requested.offset()).await?;
    let paging = Paging::new(params.page(), requested.per_page, found.total);
    let slugs: Vec<String> = found.cards.iter().map(|c| c.slug.clone()).collect();
    let records = initiative_records(&state.db, &slugs).await?;
    let data: Vec<Value> = records
        .into_iter()
        .map(|r| {
            let url = state.config.absolute(&format!("/initiatieven/{}", r.slug));
            let mut value = serde_json::to_value(r).unwrap_or(Value::Null);
            value["url"] = json!(url);
            value
        })
        .collect();
    Ok(([CORS], Json(json!({ "data": data, "meta": meta(&paging) }))))
}

#[derive(Serialize)]
struct RegionRecord {
    slug: String,
    code: String,
    name: String,
    kind: RegionKind,
    province_code: Option<String>,
    jeugdregio_code: Option<String>,
    is_inspiratieregio: bool,
    cohort_year: Option<i32>,
}

async fn regions(state: AppState, params: QueryParams) -> AppResult<impl IntoResponse> {
    let kind = params.one("soort").and_then(|k| RegionKind::parse(&k));
    let data = sqlx::query_as!(
        RegionRecord,
        r#"SELECT r.slug, r.code, r.name, r.kind AS "kind: RegionKind", p.code AS "province_code?",
                  j.code AS "jeugdregio_code?", r.is_inspiration AS is_inspiratieregio, r.cohort_year
           FROM regions r LEFT JOIN regions p ON p.id = r.province_id LEFT JOIN regions j ON j.id = r.jeugdregio_id
           WHERE $1::text IS NULL OR r.kind = $1 ORDER BY r.kind, r.name"#,
        kind as Option<RegionKind>,
    )
    .fetch_all(&state.db)
    .await?;
    Ok(([CORS], Json(json!({ "data": data, "meta": { "total": data.len() } }))))
}

async fn members_list(state: AppState, params: QueryParams) -> AppResult<impl IntoResponse> {
    let filters = members::Filters {
        q: params.one("q"),
        themes: params.all("thema"),
        domains: params.all("domein"),
        region: params.one("regio"),
        ..members::Filters::default()
    };
    let requested = Paging::new(params.page(), per_page(&params), 0);
    let (cards, total) =
        state.members.search(&state.db, &filters, requested.per_page, requested.offset()).await?;
    let paging = Paging::new(params.page(), requested.per_page, total);
    let data: Vec<Value> = cards
        .into_iter()
        .map(|m| {
            json!({
                "slug": m.slug, "name": m.name, "kind": m.kind, "organisation": m.organisation,
                "role": m.role, "region": m.region_name,
                "url": state.config.absolute(&format!("/aandeelhouders/{}", m.slug)),
            })
        })
        .collect();
    Ok(([CORS], Json(json!({ "data": data, "meta": meta(&paging) }))))
}

/// The catalogue (with the same filters as the page) as CSV, at most 50,000 rows.
async fn initiatives_csv(state: AppState, params: QueryParams) -> AppResult<impl IntoResponse> {
    let filters = Filters::from_params(&params);
    let cards = state.catalogue.search(&state.db, &filters, 50_000, 0).await?.cards;
    let slugs: Vec<String> = cards.iter().map(|c| c.slug.clone()).collect();
    let mut csv = String::from(
        "naam;samenvatting;regio;thema's;domeinen;niveaus;leeftijden;website;url;gepubliceerd\r\n",
    );
    for chunk in slugs.chunks(1000) {
        for r in initiative_records(&state.db, chunk).await? {
            let url = state.config.absolute(&format!("/initiatieven/{}", r.slug));
            let published = r.published_at.map(|t| t.date().to_string()).unwrap_or_default();
            let fields = [
                r.name,
                r.summary,
                r.region.unwrap_or_default(),
                r.themes.join(", "),
                r.domains.join(", "),
                r.levels.join(", "),
                r.age_groups.join(", "),
                r.website,
                url,
                published,
            ];
            csv.push_str(&fields.iter().map(|f| crate::text::csv_field(f)).collect::<Vec<_>>().join(";"));
            csv.push_str("\r\n");
        }
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"brede-blik-initiatieven.csv\""),
        ],
        // A byte-order mark so spreadsheet programs read the UTF-8 correctly.
        format!("\u{feff}{csv}"),
    ))
}

async fn openapi(state: AppState) -> impl IntoResponse {
    let list_params = json!([
        { "name": "q", "in": "query", "description": "Zoekterm (Nederlandse volledige-tekstzoekopdracht)", "schema": { "type": "string", "maxLength": 200 } },
        { "name": "thema", "in": "query", "description": "Thema-slug; herhaal voor meerdere (OF)", "schema": { "type": "array", "items": { "type": "string" } }, "style": "form", "explode": true },
        { "name": "domein", "in": "query", "schema": { "type": "array", "items": { "type": "string" } }, "style": "form", "explode": true },
        { "name": "niveau", "in": "query", "schema": { "type": "array", "items": { "type": "string", "enum": ["uitvoerend", "bestuurlijk", "beleidsmatig", "politiek"] } }, "style": "form", "explode": true },
        { "name": "leeftijd", "in": "query", "schema": { "type": "array", "items": { "type": "string" } }, "style": "form", "explode": true },
        { "name": "regio", "in": "query", "description": "Regio-slug; een provincie of jeugdregio omvat haar gemeenten", "schema": { "type": "string" } },
        { "name": "pagina", "in": "query", "schema": { "type": "integer", "minimum": 1, "default": 1 } },
        { "name": "per_pagina", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 100, "default": 20 } }
    ]);
    let meta = json!({ "type": "object", "properties": {
        "total": { "type": "integer" }, "page": { "type": "integer" }, "per_page": { "type": "integer" }, "pages": { "type": "integer" } } });
    let strings = json!({ "type": "array", "items": { "type": "string" } });
    let mut spec = json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Brede Blik open data",
            "version": "1.0.0",
            "description": "Openbare gegevens van het lerende netwerk Brede Blik: initiatieven, regio's en aandeelhouders met een openbaar profiel. Alleen lezen.",
            "license": { "name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/" }
        },
        "servers": [{ "url": state.config.absolute("") }],
        "paths": {
            "/api/v1/initiatives": { "get": {
                "summary": "Gepubliceerde initiatieven", "operationId": "listInitiatives", "parameters": list_params,
                "responses": { "200": { "description": "Een pagina initiatieven", "content": { "application/json": { "schema": {
                    "type": "object", "required": ["data", "meta"], "properties": {
                        "data": { "type": "array", "items": { "$ref": "#/components/schemas/Initiative" } }, "meta": meta } } } } } }
            } },
            "/api/v1/regions": { "get": {
                "summary": "Provincies, gemeenten en jeugdregio's (CBS 2025)", "operationId": "listRegions",
                "parameters": [{ "name": "soort", "in": "query", "schema": { "type": "string", "enum": RegionKind::ALL } }],
                "responses": { "200": { "description": "Alle regio's", "content": { "application/json": { "schema": {
                    "type": "object", "required": ["data", "meta"], "properties": {
                        "data": { "type": "array", "items": { "$ref": "#/components/schemas/Region" } },
                        "meta": { "type": "object", "properties": { "total": { "type": "integer" } } } } } } } } }
            } },
            "/api/v1/members": { "get": {
                "summary": "Aandeelhouders met een openbaar profiel", "operationId": "listMembers",
                "parameters": [list_params[0], list_params[1], list_params[2], list_params[5], list_params[6], list_params[7]],
                "responses": { "200": { "description": "Een pagina aandeelhouders", "content": { "application/json": { "schema": {
                    "type": "object", "required": ["data", "meta"], "properties": {
                        "data": { "type": "array", "items": { "$ref": "#/components/schemas/Member" } }, "meta": meta } } } } } }
            } }
        },
        "components": { "schemas": {
            "Initiative": { "type": "object", "required": ["slug", "name", "summary", "url"], "properties": {
                "slug": { "type": "string" }, "name": { "type": "string" }, "summary": { "type": "string", "maxLength": 300 },
                "website": { "type": "string" }, "region": { "type": "string", "nullable": true }, "region_code": { "type": "string", "nullable": true },
                "themes": strings, "domains": strings, "levels": strings, "age_groups": strings,
                "published_at": { "type": "string", "format": "date-time", "nullable": true },
                "updated_at": { "type": "string", "format": "date-time" }, "url": { "type": "string", "format": "uri" } } },
            "Region": { "type": "object", "required": ["slug", "code", "name", "kind"], "properties": {
                "slug": { "type": "string" }, "code": { "type": "string" }, "name": { "type": "string" },
                "kind": { "type": "string", "enum": RegionKind::ALL },
                "province_code": { "type": "string", "nullable": true }, "jeugdregio_code": { "type": "string", "nullable": true },
                "is_inspiratieregio": { "type": "boolean" }, "cohort_year": { "type": "integer", "nullable": true } } },
            "Member": { "type": "object", "required": ["slug", "name", "kind", "url"], "properties": {
                "slug": { "type": "string" }, "name": { "type": "string" }, "kind": { "type": "string", "enum": MemberKind::ALL },
                "organisation": { "type": "string" }, "role": { "type": "string" }, "region": { "type": "string", "nullable": true },
                "url": { "type": "string", "format": "uri" } } }
        } }
    });
    spec["paths"]["/api/v1/events"] = crate::events::api::openapi_path();
    spec["components"]["schemas"]["Event"] = crate::events::api::schema();
    spec["paths"]["/api/v1/publications"] = crate::kennisbank::api::openapi_path();
    spec["components"]["schemas"]["Publication"] = crate::kennisbank::api::openapi_schema();
    spec["paths"]["/api/v1/vraagstukken"] = crate::vraagstukken::api::openapi_path();
    spec["components"]["schemas"]["Vraagstuk"] = crate::vraagstukken::api::openapi_schema();
    spec["paths"]["/api/v1/opbrengsten"] = crate::opbrengsten::api::openapi_path();
    spec["components"]["schemas"]["Lesson"] = crate::opbrengsten::api::openapi_schema();
    ([CORS], Json(spec))
}
