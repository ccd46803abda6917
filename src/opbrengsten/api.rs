//! `/api/v1/opbrengsten`: the published lessons as open data, with the list's filters
//! (`cohort`, `thema`, `niveau`, `regio`, `q`) and paging; described in `/api/openapi.json`
//! through [`openapi_path`] and [`openapi_schema`].

use axum::Json;
use axum::http::header;
use axum::response::IntoResponse;
use serde_json::{Value, json};

use super::LessonKind;
use super::queries::{self, Filters};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::filters::QueryParams;
use crate::web::paging::Paging;

pub async fn list(state: AppState, params: QueryParams) -> AppResult<impl IntoResponse> {
    let per_page = params.one("per_pagina").and_then(|v| v.parse().ok()).unwrap_or(20i64).clamp(1, 100);
    let filters = Filters::from_params(&params);
    let requested = Paging::new(params.page(), per_page, 0);
    let (cards, total) = state.lessons.list(&state.db, &filters, per_page, requested.offset()).await?;
    let paging = Paging::new(params.page(), per_page, total);
    let ids: Vec<i64> = cards.iter().map(|c| c.id).collect();
    let links = queries::links_of(&state.db, &ids).await?;
    let data: Vec<Value> = cards
        .into_iter()
        .map(|c| {
            let linked = |vraagstuk: bool| -> Vec<Value> {
                links
                    .iter()
                    .filter(|l| l.lesson_id == c.id && l.is_vraagstuk == vraagstuk)
                    .map(|l| json!({ "title": l.title, "url": state.config.absolute(&l.path) }))
                    .collect()
            };
            json!({
                "slug": c.slug,
                "title": c.title,
                "kind": c.kind,
                "body": c.body_md,
                "date": c.happened_on.to_string(),
                "region": c.region_name,
                "region_slug": c.region_slug,
                "cohort_year": c.cohort_year,
                "vraagstukken": linked(true),
                "initiatives": linked(false),
                "url": state.config.absolute(&format!("/opbrengsten/{}", c.slug)),
            })
        })
        .collect();
    let meta = json!({ "total": paging.total, "page": paging.page, "per_page": paging.per_page, "pages": paging.pages() });
    Ok(([(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")], Json(json!({ "data": data, "meta": meta }))))
}

/// The path item of `/api/v1/opbrengsten` in the OpenAPI description.
pub fn openapi_path() -> Value {
    let string = |name: &str, description: &str| json!({ "name": name, "in": "query", "description": description, "schema": { "type": "string" } });
    json!({ "get": {
        "summary": "Gepubliceerde lessen van de inspiratieregio's", "operationId": "listOpbrengsten",
        "parameters": [
            { "name": "q", "in": "query", "description": "Zoekterm (Nederlandse volledige-tekstzoekopdracht)", "schema": { "type": "string", "maxLength": 200 } },
            { "name": "cohort", "in": "query", "description": "Cohortjaar van de inspiratieregio", "schema": { "type": "integer" } },
            string("thema", "Thema-slug, via de gekoppelde vraagstukken en initiatieven"),
            string("niveau", "Niveau-slug, via de gekoppelde vraagstukken en initiatieven"),
            string("regio", "Regio-slug van de inspiratieregio"),
            { "name": "pagina", "in": "query", "schema": { "type": "integer", "minimum": 1, "default": 1 } },
            { "name": "per_pagina", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 100, "default": 20 } }
        ],
        "responses": { "200": { "description": "Een pagina lessen", "content": { "application/json": { "schema": {
            "type": "object", "required": ["data", "meta"], "properties": {
                "data": { "type": "array", "items": { "$ref": "#/components/schemas/Lesson" } },
                "meta": { "type": "object", "properties": { "total": { "type": "integer" }, "page": { "type": "integer" },
                          "per_page": { "type": "integer" }, "pages": { "type": "integer" } } } } } } } } }
    } })
}

/// The `Lesson` schema of the OpenAPI description.
pub fn openapi_schema() -> Value {
    let links = json!({ "type": "array", "items": { "type": "object", "required": ["title", "url"], "properties": {
        "title": { "type": "string" }, "url": { "type": "string", "format": "uri" } } } });
    json!({ "type": "object", "required": ["slug", "title", "kind", "date", "region", "url"], "properties": {
        "slug": { "type": "string" }, "title": { "type": "string" },
        "kind": { "type": "string", "enum": LessonKind::ALL },
        "body": { "type": "string", "description": "Markdown" },
        "date": { "type": "string", "format": "date" },
        "region": { "type": "string" }, "region_slug": { "type": "string" },
        "cohort_year": { "type": "integer", "nullable": true },
        "vraagstukken": links, "initiatives": links,
        "url": { "type": "string", "format": "uri" } } })
}
