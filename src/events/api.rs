//! `/api/v1/events`: published (and cancelled) events as open data, with the list's filters;
//! described in `/api/openapi.json`. Never a join link, an address of a person, or a count of
//! who registered.

use axum::Json;
use axum::http::header;
use axum::response::IntoResponse;
use serde_json::{Value, json};

use super::handlers::read_filters;
use super::queries;
use super::status::{EventForm, EventStatus};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::filters::QueryParams;
use crate::web::paging::Paging;

pub async fn list(state: AppState, params: QueryParams) -> AppResult<impl IntoResponse> {
    let (filters, ..) = read_filters(&state, &params).await?;
    let per_page = params.one("per_pagina").and_then(|v| v.parse().ok()).unwrap_or(20_i64).clamp(1, 100);
    let requested = Paging::new(params.page(), per_page, 0);
    let (cards, total) = state.events.list(&state.db, &filters, per_page, requested.offset()).await?;
    let paging = Paging::new(params.page(), per_page, total);
    let mut data = Vec::with_capacity(cards.len());
    for card in cards {
        let Some(event) = queries::by_slug(&state.db, &card.slug).await? else { continue };
        let themes: Vec<String> =
            queries::themes_of(&state.db, event.id).await?.into_iter().map(|t| t.slug).collect();
        let regions: Vec<String> =
            queries::regions_of(&state.db, event.id).await?.into_iter().map(|r| r.slug).collect();
        let rfc3339 = |t: time::OffsetDateTime| {
            t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
        };
        data.push(json!({
            "slug": event.slug,
            "title": event.title,
            "summary": event.summary,
            "starts_at": rfc3339(event.starts_at),
            "ends_at": rfc3339(event.ends_at),
            "form": event.form.as_str(),
            "place": event.place(),
            "organiser": event.organiser,
            "level": event.level,
            "themes": themes,
            "regions": regions,
            "status": event.status.as_str(),
            "registration_deadline": event.registration_deadline.map(rfc3339),
            "url": state.config.absolute(&format!("/bijeenkomsten/{}", event.slug)),
            "ics": state.config.absolute(&format!("/bijeenkomsten/{}.ics", event.slug)),
        }));
    }
    let meta = json!({ "total": paging.total, "page": paging.page, "per_page": paging.per_page, "pages": paging.pages() });
    Ok(([(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")], Json(json!({ "data": data, "meta": meta }))))
}

/// The path item of `/api/v1/events` for the OpenAPI description.
pub fn openapi_path() -> Value {
    let text = json!({ "type": "string" });
    json!({ "get": {
        "summary": "Bijeenkomsten: komende, of eerdere met verleden=1", "operationId": "listEvents",
        "parameters": [
            { "name": "thema", "in": "query", "description": "Thema-slug", "schema": text },
            { "name": "regio", "in": "query", "description": "Regio-slug", "schema": text },
            { "name": "niveau", "in": "query", "schema": { "type": "string", "enum": ["uitvoerend", "bestuurlijk", "beleidsmatig", "politiek"] } },
            { "name": "vorm", "in": "query", "schema": { "type": "string", "enum": EventForm::ALL } },
            { "name": "verleden", "in": "query", "description": "1: bijeenkomsten die voorbij zijn, laatste eerst", "schema": text },
            { "name": "pagina", "in": "query", "schema": { "type": "integer", "minimum": 1, "default": 1 } },
            { "name": "per_pagina", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 100, "default": 20 } }
        ],
        "responses": { "200": { "description": "Een pagina bijeenkomsten", "content": { "application/json": { "schema": {
            "type": "object", "required": ["data", "meta"], "properties": {
                "data": { "type": "array", "items": { "$ref": "#/components/schemas/Event" } },
                "meta": { "type": "object", "properties": { "total": { "type": "integer" }, "page": { "type": "integer" },
                          "per_page": { "type": "integer" }, "pages": { "type": "integer" } } } } } } } } }
    } })
}

/// The `Event` schema.
pub fn schema() -> Value {
    let strings = json!({ "type": "array", "items": { "type": "string" } });
    json!({ "type": "object", "required": ["slug", "title", "starts_at", "ends_at", "form", "status", "url"], "properties": {
        "slug": { "type": "string" }, "title": { "type": "string" }, "summary": { "type": "string", "maxLength": 300 },
        "starts_at": { "type": "string", "format": "date-time" }, "ends_at": { "type": "string", "format": "date-time" },
        "form": { "type": "string", "enum": EventForm::ALL }, "place": { "type": "string" },
        "organiser": { "type": "string" }, "level": { "type": "string", "nullable": true },
        "themes": strings, "regions": strings,
        "status": { "type": "string", "enum": EventStatus::PUBLIC },
        "registration_deadline": { "type": "string", "format": "date-time", "nullable": true },
        "url": { "type": "string", "format": "uri" }, "ics": { "type": "string", "format": "uri" } } })
}
