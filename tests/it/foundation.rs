use crate::helpers::TestApp;

#[tokio::test]
async fn health_and_readiness() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get_text("/healthz", 200).await, "ok\n");
    assert_eq!(app.get_text("/readyz", 200).await, "ready\n");
    // A database that misses a migration is not ready.
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = (SELECT max(version) FROM _sqlx_migrations)")
        .execute(&app.db)
        .await
        .unwrap();
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 503);
    assert_eq!(response.text().await.unwrap(), "niet gereed\n");
}

#[tokio::test]
async fn security_headers_are_on_every_kind_of_response() {
    let app = TestApp::spawn().await;
    for path in ["/", "/bestaat-niet", "/static/css/site.css", "/robots.txt", "/nieuws/feed.xml"] {
        let response = app.get(path).await;
        let h = response.headers();
        let csp =
            h.get("content-security-policy").unwrap_or_else(|| panic!("CSP on {path}")).to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("default-src 'self'"));
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "strict-origin-when-cross-origin", "{path}");
        assert!(h.contains_key("permissions-policy"), "{path}");
        assert!(h.get("x-request-id").is_some_and(|v| v.len() == 32), "{path} has a request id");
        // Plain http here, so no HSTS.
        assert!(!h.contains_key("strict-transport-security"), "{path}");
    }
}

#[tokio::test]
async fn hsts_is_sent_when_the_site_is_served_over_https() {
    let app = TestApp::spawn_with(&[
        ("BASE_URL", "https://bredeblik.example"),
        ("SECRET_KEY", "0123456789abcdef0123456789abcdef0123456789"),
    ])
    .await;
    let response = app.get("/").await;
    assert!(response.headers()["strict-transport-security"].to_str().unwrap().starts_with("max-age="));
}

#[tokio::test]
async fn errors_get_dutch_pages_with_the_right_status() {
    let app = TestApp::spawn().await;

    let response = app.get("/bestaat-niet").await;
    assert_eq!(response.status(), 404);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let body = response.text().await.unwrap();
    assert!(body.contains("Pagina niet gevonden"), "{body}");
    assert!(body.contains("<html lang=\"nl\">"));

    let response = app.post_form("/", &[]).await;
    assert_eq!(response.status(), 405);
    assert!(response.text().await.unwrap().contains("Deze handeling kan hier niet"));

    let huge = vec![b'a'; 3 * 1024 * 1024];
    let response = app.client.post(app.url("/zoeken")).body(huge).send().await.unwrap();
    assert_eq!(response.status(), 413);
    assert!(response.text().await.unwrap().contains("Te veel gegevens verstuurd"));

    // The API answers in JSON.
    let response = app.get("/api/v1/bestaat-niet").await;
    assert_eq!(response.status(), 404);
    let json: serde_json::Value = response.json().await.unwrap();
    assert_eq!(json["error"]["status"], 404);
}

#[tokio::test]
async fn an_internal_error_shows_the_request_id_and_never_the_cause() {
    let app = TestApp::spawn().await;
    sqlx::query("DROP TABLE news_item_themes, news_items CASCADE").execute(&app.db).await.unwrap();
    let response = app.get("/nieuws").await;
    assert_eq!(response.status(), 500);
    let request_id = response.headers()["x-request-id"].to_str().unwrap().to_owned();
    let body = response.text().await.unwrap();
    assert!(body.contains("Er ging iets mis"));
    assert!(body.contains(&request_id), "the page names the request id {request_id}");
    assert!(!body.contains("news_items"), "the database error is not shown");
}

#[tokio::test]
async fn static_assets_are_fingerprinted_cached_and_compressed() {
    let app = TestApp::spawn().await;
    let home = app.get_text("/", 200).await;
    let css_path = home
        .split("href=\"")
        .filter_map(|s| s.split('"').next())
        .find(|s| s.starts_with("/static/css/site.css?v="))
        .expect("the home page links the fingerprinted stylesheet")
        .to_owned();

    let response = app.get(&css_path).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/css"));
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();

    // A stale or missing version is revalidated, and the ETag answers 304.
    let response = app.get("/static/css/site.css?v=oud").await;
    assert_eq!(response.headers()["cache-control"], "public, no-cache");
    let response =
        app.client.get(app.url("/static/css/site.css")).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(response.status(), 304);

    for encoding in ["gzip", "br"] {
        let response =
            app.client.get(app.url(&css_path)).header("accept-encoding", encoding).send().await.unwrap();
        assert_eq!(response.headers()["content-encoding"], encoding);
    }
    assert_eq!(app.get("/static/bestaat-niet.css").await.status(), 404);
    assert_eq!(app.get("/static/../Cargo.toml").await.status(), 404);
}

#[tokio::test]
async fn robots_security_txt_and_sitemap() {
    let app = TestApp::spawn_with_demo().await;
    let robots = app.get_text("/robots.txt", 200).await;
    assert!(robots.contains("Disallow: /beheer/"));
    assert!(robots.contains("Sitemap: "));

    let security = app.get_text("/.well-known/security.txt", 200).await;
    assert!(security.contains("Contact: mailto:"));
    let expires =
        security.lines().find_map(|l| l.strip_prefix("Expires: ")).expect("Expires is required by RFC 9116");
    let expires =
        time::OffsetDateTime::parse(expires, &time::format_description::well_known::Rfc3339).unwrap();
    assert!(expires > time::OffsetDateTime::now_utc() + time::Duration::days(30));
    assert!(expires < time::OffsetDateTime::now_utc() + time::Duration::days(366));

    let sitemap = app.get_text("/sitemap.xml", 200).await;
    assert!(sitemap.contains("/initiatieven/"));
    assert!(sitemap.contains("/regios/provincie-utrecht"));
}

#[tokio::test]
async fn every_page_has_the_layout_skip_link_navigation_and_footer() {
    let app = TestApp::spawn_with_demo().await;
    for path in [
        "/",
        "/initiatieven",
        "/regios",
        "/aandeelhouders",
        "/nieuws",
        "/nieuwsbrief",
        "/zoeken",
        "/privacy",
        "/toegankelijkheid",
    ] {
        let body = app.get_text(path, 200).await;
        assert!(body.contains("href=\"#inhoud\""), "{path}: skip link");
        assert!(body.contains("id=\"inhoud\""), "{path}: main target");
        for nav in ["/initiatieven", "/regios", "/aandeelhouders", "/nieuws", "/nieuwsbrief", "/zoeken"] {
            assert!(body.contains(&format!("href=\"{nav}\"")), "{path}: nav link {nav}");
        }
        assert!(
            body.contains("href=\"/privacy\"") && body.contains("href=\"/toegankelijkheid\""),
            "{path}: footer"
        );
        if path != "/" {
            assert!(body.contains("aria-label=\"Kruimelpad\""), "{path}: breadcrumbs");
        }
        assert_eq!(body.matches("<h1").count(), 1, "{path}: one h1");
    }
}

#[tokio::test]
async fn the_demo_seed_is_idempotent_and_fills_the_site() {
    let app = TestApp::spawn().await;
    bredeblik::seed::demo(&app.db).await.unwrap();
    let count = |table: &'static str| {
        let db = app.db.clone();
        async move {
            sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
                .fetch_one(&db)
                .await
                .unwrap()
        }
    };
    let before = (
        count("initiatives").await,
        count("news_items").await,
        count("members").await,
        count("initiative_themes").await,
    );
    assert!(before.0 >= 10, "demo initiatives: {}", before.0);
    assert!(before.1 >= 3, "demo news: {}", before.1);
    assert!(before.2 >= 5, "demo members: {}", before.2);
    bredeblik::seed::demo(&app.db).await.unwrap();
    let after = (
        count("initiatives").await,
        count("news_items").await,
        count("members").await,
        count("initiative_themes").await,
    );
    assert_eq!(before, after);

    let provinces: i64 = sqlx::query_scalar("SELECT count(*) FROM regions WHERE kind = 'provincie'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(provinces, 12);
    let home = app.get_text("/", 200).await;
    assert!(home.contains("Inspirerende initiatieven"));
    assert!(home.matches("class=\"card\"").count() >= 3, "featured initiatives on the home page");
    assert!(home.contains("Laatste nieuws"));
}

#[tokio::test]
async fn synthetic_seed_makes_n_records_of_each_kind() {
    let app = TestApp::spawn().await;
    bredeblik::seed::synthetic(&app.db, 500).await.unwrap();
    let initiatives: i64 =
        sqlx::query_scalar("SELECT count(*) FROM initiatives WHERE status = 'gepubliceerd'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let members: i64 = sqlx::query_scalar("SELECT count(*) FROM members").fetch_one(&app.db).await.unwrap();
    assert_eq!((initiatives, members), (500, 500));
    let untagged: i64 = sqlx::query_scalar("SELECT count(*) FROM initiatives i WHERE NOT EXISTS (SELECT 1 FROM initiative_themes t WHERE t.initiative_id = i.id)")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(untagged < 100, "most synthetic initiatives carry themes ({untagged} without)");
    let events: i64 = sqlx::query_scalar("SELECT count(*) FROM events").fetch_one(&app.db).await.unwrap();
    assert_eq!(events, 50, "a tenth as many events");
    // A second run adds, it does not collide.
    bredeblik::seed::synthetic(&app.db, 10).await.unwrap();
    let body = app.get_text("/initiatieven", 200).await;
    assert!(body.contains("510 initiatieven"), "list shows the total");
}
