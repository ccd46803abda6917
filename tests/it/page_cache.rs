//! Public pages rendered once for every anonymous visitor: no per-visitor bytes, ETags and
//! 304s, invalidation across instances within a second, and nothing of a logged-in visitor
//! ever kept or served from the cache.

use std::time::{Duration, Instant};

use crate::helpers::{PASSWORD, TestApp};

async fn a_published_slug(app: &TestApp) -> String {
    sqlx::query_scalar("SELECT slug FROM initiatives WHERE status = 'gepubliceerd' ORDER BY id LIMIT 1")
        .fetch_one(&app.db)
        .await
        .unwrap()
}

fn header(response: &reqwest::Response, name: &str) -> String {
    response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned()
}

/// GETs `path` on `app` anonymously (a fresh client each time) until `done` holds for the body,
/// for at most `limit`; returns how long it took.
async fn until(app: &TestApp, path: &str, limit: Duration, done: impl Fn(&str) -> bool) -> Duration {
    let started = Instant::now();
    loop {
        let body = app.bare_client().get(app.url(path)).send().await.unwrap().text().await.unwrap();
        if done(&body) {
            return started.elapsed();
        }
        assert!(started.elapsed() < limit, "GET {path} did not show the change within {limit:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn anonymous_pages_are_the_same_bytes_for_everyone_and_set_no_cookie() {
    let app = TestApp::spawn_with_demo().await;
    let slug = a_published_slug(&app).await;
    let paths = [
        "/".to_owned(),
        "/initiatieven".to_owned(),
        "/initiatieven?thema=x&domein=y".to_owned(),
        format!("/initiatieven/{slug}"),
        "/regios".to_owned(),
        "/aandeelhouders".to_owned(),
        "/nieuws".to_owned(),
        "/nieuwsbrief".to_owned(),
        "/aandeelhouder-worden".to_owned(),
        "/zoeken?q=school".to_owned(),
    ];
    for path in &paths {
        let mut bodies = Vec::new();
        for visitor in [app.new_client(), app.new_client()] {
            let response = visitor.get(app.url(path)).send().await.unwrap();
            assert_eq!(response.status(), 200, "GET {path}");
            assert!(response.headers().get("set-cookie").is_none(), "GET {path} sets no cookie");
            assert!(header(&response, "cache-control").contains("stale-while-revalidate"), "GET {path}");
            assert!(header(&response, "etag").starts_with('"'), "GET {path} has a strong ETag");
            let body = response.text().await.unwrap();
            assert!(
                !body.contains("name=\"csrf_token\" value=\"")
                    || body.contains("name=\"csrf_token\" value=\"\"")
            );
            bodies.push(body);
        }
        assert_eq!(bodies[0], bodies[1], "GET {path}: two visitors get the same bytes");
    }
    // The second visitor's copy came from memory.
    let response = app.bare_client().get(app.url("/regios")).send().await.unwrap();
    assert_eq!(header(&response, "x-cache"), "hit");
    // Query strings that mean the same share one entry.
    let first = app.bare_client().get(app.url("/initiatieven?domein=y&thema=x")).send().await.unwrap();
    assert_eq!(header(&first, "x-cache"), "hit");
}

#[tokio::test]
async fn conditional_requests_answer_304_until_the_content_changes() {
    for cache in ["64", "0"] {
        let app = TestApp::spawn_with(&[("PAGE_CACHE_MB", cache)]).await;
        bredeblik::seed::demo(&app.db).await.unwrap();
        let client = app.bare_client();
        let first = client.get(app.url("/initiatieven")).send().await.unwrap();
        let etag = header(&first, "etag");
        assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
        let body = first.text().await.unwrap();

        let again = client.get(app.url("/initiatieven")).header("if-none-match", &etag).send().await.unwrap();
        assert_eq!(again.status(), 304, "PAGE_CACHE_MB={cache}");
        assert_eq!(header(&again, "etag"), etag);
        assert!(header(&again, "cache-control").starts_with("public"));
        assert!(again.text().await.unwrap().is_empty());
        // A list of tags, a weak comparison and another encoding's tag of the same page match too.
        let listed = format!("\"iets-anders\", W/{etag}");
        let again =
            client.get(app.url("/initiatieven")).header("if-none-match", listed).send().await.unwrap();
        assert_eq!(again.status(), 304);
        let other =
            client.get(app.url("/initiatieven")).header("if-none-match", "\"iets-anders\"").send().await;
        assert_eq!(other.unwrap().text().await.unwrap(), body);

        // Compressed for whoever asks, with an ETag of its own.
        let gzip =
            client.get(app.url("/initiatieven")).header("accept-encoding", "gzip").send().await.unwrap();
        assert_eq!(header(&gzip, "content-encoding"), "gzip");
        let gzip_etag = header(&gzip, "etag");
        assert_ne!(gzip_etag, etag);
        let bytes = gzip.bytes().await.unwrap();
        assert!(bytes.len() < body.len() / 2 && bytes.starts_with(&[0x1f, 0x8b]));
        let brotli = client.get(app.url("/initiatieven")).header("accept-encoding", "gzip, br").send().await;
        assert_eq!(header(&brotli.unwrap(), "content-encoding"), "br");

        // A change to what the page shows gives a new body and a new ETag.
        sqlx::query(
            "UPDATE initiatives SET name = 'Een nieuwe naam' WHERE id = \
             (SELECT id FROM initiatives WHERE status = 'gepubliceerd' ORDER BY published_at DESC NULLS LAST, id DESC LIMIT 1)",
        )
        .execute(&app.db)
        .await
        .unwrap();
        let started = Instant::now();
        loop {
            let response =
                client.get(app.url("/initiatieven")).header("if-none-match", &etag).send().await.unwrap();
            if response.status() == 200 {
                assert_ne!(header(&response, "etag"), etag);
                assert!(response.text().await.unwrap().contains("Een nieuwe naam"));
                break;
            }
            assert_eq!(response.status(), 304);
            assert!(started.elapsed() < Duration::from_secs(1), "still 304 after a second");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

#[tokio::test]
async fn a_change_shows_on_every_instance_within_a_second() {
    let first = TestApp::spawn_with_demo().await;
    let second = first.spawn_sibling().await;
    let slug = a_published_slug(&first).await;
    let member: String = sqlx::query_scalar(
        "SELECT name FROM members WHERE public_profile AND status = 'goedgekeurd' ORDER BY lower(name) LIMIT 1",
    )
    .fetch_one(&first.db)
    .await
    .unwrap();
    let pages = [format!("/initiatieven/{slug}"), "/aandeelhouders".to_owned(), "/".to_owned()];
    for app in [&first, &second] {
        for path in &pages {
            let _ = app.bare_client().get(app.url(path)).send().await.unwrap();
            let kept = app.bare_client().get(app.url(path)).send().await.unwrap();
            assert_eq!(header(&kept, "x-cache"), "hit", "{path} is kept");
        }
    }

    // Changes to an initiative, a member and a news item, made through the first instance's
    // database connection (as any instance would).
    sqlx::query("UPDATE initiatives SET summary = 'Een gloednieuwe samenvatting.' WHERE slug = $1")
        .bind(&slug)
        .execute(&first.db)
        .await
        .unwrap();
    sqlx::query("UPDATE members SET name = 'Aaron Allereerst' WHERE name = $1")
        .bind(&member)
        .execute(&first.db)
        .await
        .unwrap();
    sqlx::query(
        "UPDATE news_items SET title = 'Vers van de pers' WHERE id = \
         (SELECT id FROM news_items WHERE published_at <= now() ORDER BY published_at DESC, id DESC LIMIT 1)",
    )
    .execute(&first.db)
    .await
    .unwrap();
    let second_of_a_second = Duration::from_millis(1000);
    for app in [&second, &first] {
        until(app, &pages[0], second_of_a_second, |b| b.contains("Een gloednieuwe samenvatting.")).await;
        until(app, &pages[1], second_of_a_second, |b| b.contains("Aaron Allereerst")).await;
        until(app, &pages[2], second_of_a_second, |b| b.contains("Vers van de pers")).await;
    }
}

#[tokio::test]
async fn logged_in_pages_are_never_kept_nor_served_from_the_cache() {
    let app = TestApp::spawn_with_demo().await;
    for _ in 0..2 {
        let _ = app.bare_client().get(app.url("/")).send().await.unwrap();
    }
    let anonymous = app.bare_client().get(app.url("/")).send().await.unwrap();
    assert_eq!(header(&anonymous, "x-cache"), "hit");

    app.create_user("lid@voorbeeld.nl", "aandeelhouder", PASSWORD).await;
    assert_eq!(app.login("lid@voorbeeld.nl", PASSWORD).await.status(), 303);
    for path in ["/", "/initiatieven", "/account"] {
        for _ in 0..2 {
            let response = app.get(path).await;
            assert_eq!(response.status(), 200, "GET {path}");
            assert_eq!(header(&response, "cache-control"), "private, no-store", "GET {path}");
            assert!(response.headers().get("x-cache").is_none(), "GET {path} is rendered for this user");
            assert!(response.headers().get("etag").is_none());
            let body = response.text().await.unwrap();
            assert!(body.contains("Uitloggen") && body.contains("lid@voorbeeld.nl"), "GET {path}");
        }
    }
    // And nothing of theirs reached the anonymous copy.
    let anonymous = app.bare_client().get(app.url("/")).send().await.unwrap();
    assert_eq!(header(&anonymous, "x-cache"), "hit");
    let body = anonymous.text().await.unwrap();
    assert!(!body.contains("lid@voorbeeld.nl") && !body.contains("Uitloggen") && body.contains("Inloggen"));
}

#[tokio::test]
async fn requests_that_miss_together_wait_for_one_rendering() {
    let app = TestApp::spawn_with_demo().await;
    // The region selector and every facet: one of the dearer pages to render.
    let path = "/initiatieven?sorteer=naam&thema=gewone-leven";
    let mut requests = tokio::task::JoinSet::new();
    for _ in 0..24 {
        let client = app.bare_client();
        let url = app.url(path);
        requests.spawn(async move {
            let response = client.get(url).send().await.unwrap();
            assert_eq!(response.status(), 200);
            let cache = header(&response, "x-cache");
            (cache, response.text().await.unwrap())
        });
    }
    let answers = requests.join_all().await;
    let rendered = answers.iter().filter(|(cache, _)| cache == "miss").count();
    assert_eq!(
        rendered,
        1,
        "one request renders, the others wait for it: {:?}",
        answers.iter().map(|a| &a.0).collect::<Vec<_>>()
    );
    assert!(answers.iter().all(|(_, body)| body == &answers[0].1), "everyone gets the same page");
}
