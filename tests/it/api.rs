use crate::helpers::TestApp;

#[tokio::test]
async fn the_open_data_api_serves_public_records_with_filters_and_paging() {
    let app = TestApp::spawn_with_demo().await;
    let all: serde_json::Value = app.get("/api/v1/initiatives?per_pagina=5").await.json().await.unwrap();
    let published: i64 = sqlx::query_scalar("SELECT count(*) FROM initiatives WHERE status = 'gepubliceerd'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(all["meta"]["total"], published);
    assert_eq!(all["data"].as_array().unwrap().len(), 5);
    assert_eq!(all["meta"]["pages"], (published + 4) / 5);
    let first = &all["data"][0];
    assert!(first["themes"].is_array() && first["url"].as_str().unwrap().contains("/initiatieven/"));
    assert!(first.get("contact_email").is_none(), "no contact addresses in open data");

    let filtered: serde_json::Value =
        app.get("/api/v1/initiatives?domein=onderwijs&per_pagina=100").await.json().await.unwrap();
    assert!(
        filtered["data"].as_array().unwrap().iter().all(|i| i["domains"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d == "onderwijs"))
    );

    let capped: serde_json::Value =
        app.get("/api/v1/initiatives?per_pagina=100000").await.json().await.unwrap();
    assert_eq!(capped["meta"]["per_page"], 100);

    let provinces: serde_json::Value = app.get("/api/v1/regions?soort=provincie").await.json().await.unwrap();
    assert_eq!(provinces["data"].as_array().unwrap().len(), 12);
    let municipality: serde_json::Value =
        app.get("/api/v1/regions?soort=gemeente").await.json().await.unwrap();
    let amsterdam = municipality["data"].as_array().unwrap().iter().find(|r| r["code"] == "GM0363").unwrap();
    assert_eq!(amsterdam["province_code"], "PV27");

    sqlx::query("UPDATE members SET public_profile = false WHERE id = (SELECT min(id) FROM members)")
        .execute(&app.db)
        .await
        .unwrap();
    let members: serde_json::Value = app.get("/api/v1/members?per_pagina=100").await.json().await.unwrap();
    let public: i64 =
        sqlx::query_scalar("SELECT count(*) FROM members WHERE public_profile AND status = 'goedgekeurd'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(members["meta"]["total"], public);

    let response = app.get("/api/v1/initiatives").await;
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
}

#[tokio::test]
async fn the_openapi_document_describes_every_endpoint() {
    let app = TestApp::spawn().await;
    let spec: serde_json::Value = app.get("/api/openapi.json").await.json().await.unwrap();
    assert_eq!(spec["openapi"], "3.0.3");
    for path in ["/api/v1/initiatives", "/api/v1/regions", "/api/v1/members"] {
        assert!(spec["paths"][path]["get"]["responses"]["200"].is_object(), "{path}");
        let status = app.get(path).await.status();
        assert_eq!(status, 200, "{path} answers");
    }
}

#[tokio::test]
async fn the_csv_export_follows_the_filters_and_defuses_formulas() {
    let app = TestApp::spawn_with_demo().await;
    sqlx::query("UPDATE initiatives SET name = '=HYPERLINK(\"http://evil\")' WHERE id = (SELECT min(id) FROM initiatives)")
        .execute(&app.db)
        .await
        .unwrap();
    let response = app.get("/initiatieven.csv").await;
    assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = response.text().await.unwrap();
    let published: i64 = sqlx::query_scalar("SELECT count(*) FROM initiatives WHERE status = 'gepubliceerd'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(csv.trim_end().lines().count() as i64, published + 1, "header plus one line per initiative");
    assert!(csv.contains("\"'=HYPERLINK(\"\"http://evil\"\")\""), "formula prefixed and quotes doubled");
    let filtered = app.get("/initiatieven.csv?niveau=politiek").await.text().await.unwrap();
    assert!(filtered.lines().count() < csv.lines().count());
}

#[tokio::test]
async fn an_initiative_lists_themes_and_domains_by_slug_and_levels_on_their_scale() {
    let app = TestApp::spawn_with_demo().await;
    // Themes and domains in the reverse of the alphabet, so that an order by position shows.
    for sql in [
        "UPDATE themes t SET position = r.n \
         FROM (SELECT id, row_number() OVER (ORDER BY slug DESC) AS n FROM themes) r WHERE r.id = t.id",
        "UPDATE domains t SET position = r.n \
         FROM (SELECT id, row_number() OVER (ORDER BY slug DESC) AS n FROM domains) r WHERE r.id = t.id",
    ] {
        sqlx::query(sql).execute(&app.db).await.unwrap();
    }
    let (slug, themes, levels): (String, Vec<String>, Vec<String>) = sqlx::query_as(
        "SELECT i.slug,
                ARRAY(SELECT t.slug FROM initiative_themes l JOIN themes t ON t.id = l.theme_id
                      WHERE l.initiative_id = i.id ORDER BY t.slug),
                ARRAY(SELECT t.slug FROM initiative_levels l JOIN levels t ON t.id = l.level_id
                      WHERE l.initiative_id = i.id ORDER BY t.position)
         FROM initiatives i
         WHERE i.status = 'gepubliceerd'
           AND (SELECT count(*) FROM initiative_themes l WHERE l.initiative_id = i.id) >= 2
           AND (SELECT count(*) FROM initiative_levels l WHERE l.initiative_id = i.id) >= 2
         ORDER BY i.id LIMIT 1",
    )
    .fetch_one(&app.db)
    .await
    .expect("the demo has an initiative with two themes and two levels");
    let all: serde_json::Value = app.get("/api/v1/initiatives?per_pagina=100").await.json().await.unwrap();
    let record = all["data"].as_array().unwrap().iter().find(|r| r["slug"] == slug.as_str()).unwrap();
    let strings = |key: &str| -> Vec<String> {
        record[key].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(strings("themes"), themes);
    assert_eq!(strings("levels"), levels);
    let mut by_slug = strings("domains");
    by_slug.sort();
    assert_eq!(strings("domains"), by_slug);
}
