//! `/api/v1/vraagstukken`: the published obstacles as open data, with the list's filters
//! (`thema`, `regio`, `niveau`, `status`, `q`), the most recognised first with `sorteer=herkend`,
//! paging, and each obstacle's published alternatives; described in `/api/openapi.json`.

use axum::Json;
use axum::http::header;
use axum::response::IntoResponse;
use serde_json::{Value, json};

use super::{Review, VraagstukStatus};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::filters::QueryParams;
use crate::web::paging::Paging;

pub async fn list(state: AppState, params: QueryParams) -> AppResult<impl IntoResponse> {
    let per_page = params.one("per_pagina").and_then(|v| v.parse().ok()).unwrap_or(20i64).clamp(1, 100);
    let paging = Paging::new(params.page(), per_page, 0);
    let one = |key: &str| {
        params.one(key).map(|v| v.trim().chars().take(200).collect::<String>()).filter(|v| !v.is_empty())
    };
    let rows = sqlx::query!(
        r#"SELECT v.slug, v.title, v.summary, v.body_md, l.slug AS level, v.status AS "status: VraagstukStatus",
                  v.recognitions, v.raised_at, count(*) OVER () AS "total!",
                  ARRAY(SELECT t.slug FROM vraagstuk_themes x JOIN themes t ON t.id = x.theme_id
                        WHERE x.vraagstuk_id = v.id ORDER BY t.slug) AS "themes!",
                  ARRAY(SELECT r.slug FROM vraagstuk_regions x JOIN regions r ON r.id = x.region_id
                        WHERE x.vraagstuk_id = v.id ORDER BY r.slug) AS "regions!",
                  coalesce((SELECT json_agg(json_build_object(
                                'kind', CASE WHEN a.initiative_id IS NOT NULL THEN 'initiatief'
                                             WHEN a.publication_id IS NOT NULL THEN 'publicatie' ELSE 'bijeenkomst' END,
                                'path', coalesce('/initiatieven/' || i.slug, '/kennisbank/' || p.slug, '/bijeenkomsten/' || e.slug),
                                'title', coalesce(i.name, p.title, e.title),
                                'why', a.why) ORDER BY a.id)
                            FROM vraagstuk_alternatives a
                            LEFT JOIN initiatives i ON i.id = a.initiative_id AND i.status = $1
                            LEFT JOIN publications p ON p.id = a.publication_id AND p.status = $1
                            LEFT JOIN events e ON e.id = a.event_id AND e.status <> $9
                            WHERE a.vraagstuk_id = v.id AND a.review = $1
                              AND coalesce(i.id, p.id, e.id) IS NOT NULL), '[]'::json) AS "alternatives!"
           FROM vraagstukken v JOIN levels l ON l.id = v.level_id
           WHERE v.review = $1 AND v.merged_into IS NULL
             AND ($2::text IS NULL OR EXISTS (SELECT 1 FROM vraagstuk_themes x JOIN themes t ON t.id = x.theme_id
                                              WHERE x.vraagstuk_id = v.id AND t.slug = $2))
             AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM vraagstuk_regions x JOIN regions r ON r.id = x.region_id
                                              WHERE x.vraagstuk_id = v.id AND r.slug = $3))
             AND ($4::text IS NULL OR l.slug = $4)
             AND ($5::text IS NULL OR v.status = $5)
             AND ($6::text IS NULL
                  OR to_tsvector('dutch', immutable_unaccent(v.title || ' ' || v.summary || ' ' || v.body_md))
                     @@ dutch_query($6))
           ORDER BY CASE WHEN $10 THEN v.recognitions ELSE 0 END DESC, v.raised_at DESC, v.id DESC
           LIMIT $7 OFFSET $8"#,
        Review::Gepubliceerd as Review,
        one("thema"),
        one("regio"),
        one("niveau"),
        one("status"),
        one("q"),
        per_page,
        paging.offset(),
        crate::events::EventStatus::Concept as crate::events::EventStatus,
        one("sorteer").as_deref() == Some("herkend"),
    )
    .fetch_all(&state.db)
    .await?;
    let total = rows.first().map_or(0, |r| r.total);
    let rfc3339 = |t: time::OffsetDateTime| t.format(&time::format_description::well_known::Rfc3339).ok();
    let data: Vec<Value> = rows
        .into_iter()
        .map(|r| {
            let alternatives: Vec<Value> = match r.alternatives {
                Value::Array(list) => list
                    .into_iter()
                    .map(|a| {
                        let path = a["path"].as_str().unwrap_or_default();
                        json!({ "kind": a["kind"], "title": a["title"], "why": a["why"], "url": state.config.absolute(path) })
                    })
                    .collect(),
                _ => Vec::new(),
            };
            json!({
                "slug": r.slug,
                "title": r.title,
                "summary": r.summary,
                "body": r.body_md,
                "level": r.level,
                "status": r.status,
                "themes": r.themes,
                "regions": r.regions,
                "recognitions": r.recognitions,
                "raised_at": rfc3339(r.raised_at),
                "alternatives": alternatives,
                "url": state.config.absolute(&format!("/vraagstukken/{}", r.slug)),
            })
        })
        .collect();
    let paging = Paging { total, ..paging };
    let meta = json!({ "total": paging.total, "page": paging.page, "per_page": paging.per_page, "pages": paging.pages() });
    Ok(([(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")], Json(json!({ "data": data, "meta": meta }))))
}

/// The path item of `/api/v1/vraagstukken` in the OpenAPI description.
pub fn openapi_path() -> Value {
    let string = |name: &str, description: &str| json!({ "name": name, "in": "query", "description": description, "schema": { "type": "string" } });
    json!({ "get": {
        "summary": "Gepubliceerde vraagstukken met hun alternatieven", "operationId": "listVraagstukken",
        "parameters": [
            { "name": "q", "in": "query", "description": "Zoekterm (Nederlandse volledige-tekstzoekopdracht)", "schema": { "type": "string", "maxLength": 200 } },
            string("thema", "Thema-slug"),
            string("regio", "Regio-slug"),
            { "name": "niveau", "in": "query", "schema": { "type": "string", "enum": ["uitvoerend", "bestuurlijk", "beleidsmatig", "politiek"] } },
            { "name": "status", "in": "query", "schema": { "type": "string", "enum": VraagstukStatus::ALL } },
            { "name": "sorteer", "in": "query", "description": "herkend: meest herkend eerst (anders nieuwste eerst)", "schema": { "type": "string", "enum": ["herkend"] } },
            { "name": "pagina", "in": "query", "schema": { "type": "integer", "minimum": 1, "default": 1 } },
            { "name": "per_pagina", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 100, "default": 20 } }
        ],
        "responses": { "200": { "description": "Een pagina vraagstukken", "content": { "application/json": { "schema": {
            "type": "object", "required": ["data", "meta"], "properties": {
                "data": { "type": "array", "items": { "$ref": "#/components/schemas/Vraagstuk" } },
                "meta": { "type": "object", "properties": { "total": { "type": "integer" }, "page": { "type": "integer" },
                          "per_page": { "type": "integer" }, "pages": { "type": "integer" } } } } } } } } }
    } })
}

/// The `Vraagstuk` schema of the OpenAPI description.
pub fn openapi_schema() -> Value {
    let strings = json!({ "type": "array", "items": { "type": "string" } });
    json!({ "type": "object", "required": ["slug", "title", "level", "status", "url"], "properties": {
        "slug": { "type": "string" }, "title": { "type": "string" }, "summary": { "type": "string" },
        "body": { "type": "string", "description": "Markdown" },
        "level": { "type": "string", "enum": ["uitvoerend", "bestuurlijk", "beleidsmatig", "politiek"] },
        "status": { "type": "string", "enum": VraagstukStatus::ALL },
        "themes": strings, "regions": strings,
        "recognitions": { "type": "integer", "description": "Aantal leden dat het vraagstuk herkent (geen stemming)" },
        "raised_at": { "type": "string", "format": "date-time" },
        "alternatives": { "type": "array", "items": { "type": "object", "required": ["kind", "title", "url"], "properties": {
            "kind": { "type": "string", "enum": ["initiatief", "publicatie", "bijeenkomst"] },
            "title": { "type": "string" }, "why": { "type": "string" }, "url": { "type": "string", "format": "uri" } } } },
        "url": { "type": "string", "format": "uri" } } })
}
