//! `/api/v1/publications`: the published kennisbank as open data, with the list's filters
//! (`q`, `thema`, `soort`, `jaar`, `niveau`, `sorteer`) and paging; described in
//! `/api/openapi.json` through [`openapi_path`] and [`openapi_schema`].

use axum::Json;
use axum::http::header;
use axum::response::IntoResponse;
use serde_json::{Value, json};

use super::PublicationStatus;
use super::cite::Author;
use super::queries::{Filters, authors_of};
use super::status::{Access, Licence, PublicationKind};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::filters::QueryParams;
use crate::web::paging::Paging;

pub async fn list(state: AppState, params: QueryParams) -> AppResult<impl IntoResponse> {
    let per_page = params.one("per_pagina").and_then(|v| v.parse().ok()).unwrap_or(20i64).clamp(1, 100);
    let filters = Filters::from_params(&params);
    let requested = Paging::new(params.page(), per_page, 0);
    let found = state
        .publications
        .search(&state.db, &filters, per_page as usize, requested.offset() as usize)
        .await?;
    let paging = Paging::new(params.page(), per_page, found.total);
    let rows = sqlx::query!(
        r#"SELECT p.id, p.slug, p.title, p.series, p.year, p.publisher, p.kind AS "kind: PublicationKind",
                  p.abstract_md, p.access AS "access: Access", p.url, p.doi, p.isbn, p.licence AS "licence: Licence",
                  p.published_at, p.updated_at,
                  ARRAY(SELECT t.slug FROM publication_themes l JOIN themes t ON t.id = l.theme_id
                        WHERE l.publication_id = p.id ORDER BY t.slug) AS "themes!",
                  ARRAY(SELECT t.slug FROM publication_levels l JOIN levels t ON t.id = l.level_id
                        WHERE l.publication_id = p.id ORDER BY t.position) AS "levels!"
           FROM unnest($1::bigint[]) WITH ORDINALITY AS s(id, n) JOIN publications p ON p.id = s.id AND p.status = $2
           ORDER BY s.n"#,
        &found.ids,
        PublicationStatus::Gepubliceerd as PublicationStatus,
    )
    .fetch_all(&state.db)
    .await?;
    let mut authors: std::collections::HashMap<i64, Vec<Author>> =
        authors_of(&state.db, &found.ids).await?.into_iter().collect();
    let rfc3339 = |t: time::OffsetDateTime| t.format(&time::format_description::well_known::Rfc3339).ok();
    let data: Vec<Value> = rows
        .into_iter()
        .map(|r| {
            json!({
                "slug": r.slug,
                "title": r.title,
                "series": r.series,
                "year": r.year,
                "publisher": r.publisher,
                "kind": r.kind,
                "authors": authors.remove(&r.id).unwrap_or_default(),
                "abstract": r.abstract_md,
                "access": r.access,
                "access_url": r.url,
                "doi": r.doi,
                "isbn": r.isbn,
                "licence": r.licence,
                "themes": r.themes,
                "levels": r.levels,
                "published_at": r.published_at.and_then(rfc3339),
                "updated_at": rfc3339(r.updated_at),
                "url": state.config.absolute(&format!("/kennisbank/{}", r.slug)),
            })
        })
        .collect();
    let meta = json!({ "total": paging.total, "page": paging.page, "per_page": paging.per_page, "pages": paging.pages() });
    Ok(([(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")], Json(json!({ "data": data, "meta": meta }))))
}

/// The path item of `/api/v1/publications` in the OpenAPI description.
pub fn openapi_path() -> Value {
    let strings = json!({ "type": "array", "items": { "type": "string" } });
    let repeated = |name: &str, description: &str| json!({ "name": name, "in": "query", "description": description, "schema": strings, "style": "form", "explode": true });
    json!({ "get": {
        "summary": "Gepubliceerde publicaties uit de kennisbank", "operationId": "listPublications",
        "parameters": [
            { "name": "q", "in": "query", "description": "Zoekterm (Nederlands, tolerant voor tikfouten in titel en auteur)", "schema": { "type": "string", "maxLength": 200 } },
            repeated("thema", "Thema-slug; herhaal voor meerdere (OF)"),
            repeated("soort", "Soort publicatie; herhaal voor meerdere (OF)"),
            repeated("jaar", "Jaarbereik: 2025-heden, 2020-2024, 2015-2019, 2010-2014, voor-2010, zonder-jaar"),
            repeated("niveau", "Niveau-slug"),
            { "name": "sorteer", "in": "query", "schema": { "type": "string", "enum": ["relevantie", "nieuwste", "titel", "auteur"] } },
            { "name": "pagina", "in": "query", "schema": { "type": "integer", "minimum": 1, "default": 1 } },
            { "name": "per_pagina", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 100, "default": 20 } }
        ],
        "responses": { "200": { "description": "Een pagina publicaties", "content": { "application/json": { "schema": {
            "type": "object", "required": ["data", "meta"], "properties": {
                "data": { "type": "array", "items": { "$ref": "#/components/schemas/Publication" } },
                "meta": { "type": "object", "properties": { "total": { "type": "integer" }, "page": { "type": "integer" },
                          "per_page": { "type": "integer" }, "pages": { "type": "integer" } } } } } } } } }
    } })
}

/// The `Publication` schema of the OpenAPI description.
pub fn openapi_schema() -> Value {
    let strings = json!({ "type": "array", "items": { "type": "string" } });
    json!({ "type": "object", "required": ["slug", "title", "kind", "authors", "url"], "properties": {
        "slug": { "type": "string" }, "title": { "type": "string" }, "series": { "type": "string" },
        "year": { "type": "integer", "nullable": true }, "publisher": { "type": "string" },
        "kind": { "type": "string", "enum": PublicationKind::ALL },
        "authors": { "type": "array", "items": { "type": "object", "required": ["kind", "family"], "properties": {
            "kind": { "type": "string", "enum": ["persoon", "organisatie"] }, "given": { "type": "string" },
            "particle": { "type": "string", "description": "Tussenvoegsel, zoals ‘van der’" },
            "family": { "type": "string", "description": "Achternaam, of de naam van de organisatie" } } } },
        "abstract": { "type": "string", "description": "Markdown" },
        "access": { "type": "string", "enum": Access::ALL }, "access_url": { "type": "string" },
        "doi": { "type": "string" }, "isbn": { "type": "string" }, "licence": { "type": "string", "enum": Licence::ALL },
        "themes": strings, "levels": strings,
        "published_at": { "type": "string", "format": "date-time", "nullable": true },
        "updated_at": { "type": "string", "format": "date-time" }, "url": { "type": "string", "format": "uri" } } })
}
