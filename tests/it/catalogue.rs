use crate::helpers::TestApp;

/// The slugs of the initiative cards on a list page, in order.
fn card_slugs(body: &str) -> Vec<String> {
    body.split("<h3><a href=\"/initiatieven/")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn the_catalogue_filters_by_facet_and_region() {
    let app = TestApp::spawn_with_demo().await;
    let all = app.get_text("/initiatieven", 200).await;
    let total_all = card_slugs(&all).len();
    assert!(total_all >= 10);

    let onderwijs = app.get_text("/initiatieven?domein=onderwijs", 200).await;
    let in_domain = card_slugs(&onderwijs);
    assert!(!in_domain.is_empty() && in_domain.len() < total_all, "domain narrows: {}", in_domain.len());
    let expected: Vec<String> = sqlx::query_scalar(
        "SELECT i.slug FROM initiatives i JOIN initiative_domains l ON l.initiative_id = i.id \
         JOIN domains d ON d.id = l.domain_id WHERE d.slug = 'onderwijs' ORDER BY i.published_at DESC, i.id DESC",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(in_domain, expected);
    assert!(onderwijs.contains("value=\"onderwijs\" checked"), "the chosen facet stays checked");

    // Two values of one facet widen, a second facet narrows.
    let two = card_slugs(&app.get_text("/initiatieven?domein=onderwijs&domein=jeugdhulp", 200).await);
    assert!(two.len() >= in_domain.len());
    let narrowed = card_slugs(&app.get_text("/initiatieven?domein=onderwijs&niveau=politiek", 200).await);
    assert!(narrowed.len() <= in_domain.len());

    // A province includes its municipalities.
    let (slug, region_count): (String, i64) = sqlx::query_as(
        "SELECT p.slug, count(*) FROM initiatives i JOIN regions m ON m.id = i.region_id \
         JOIN regions p ON p.id = m.province_id GROUP BY p.slug ORDER BY count(*) DESC LIMIT 1",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    let in_region = card_slugs(&app.get_text(&format!("/initiatieven?regio={slug}"), 200).await);
    assert_eq!(in_region.len() as i64, region_count);
}

#[tokio::test]
async fn full_text_search_is_dutch_and_tolerates_accents() {
    let app = TestApp::spawn_with_demo().await;
    let (slug, name): (String, String) =
        sqlx::query_as("SELECT slug, name FROM initiatives ORDER BY id LIMIT 1")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let word = name.split_whitespace().max_by_key(|w| w.len()).unwrap().to_lowercase();
    let body = app.get_text(&format!("/initiatieven?q={}", urlencode(&word)), 200).await;
    assert!(card_slugs(&body).contains(&slug), "searching '{word}' finds {slug}");

    let nothing = app.get_text("/initiatieven?q=xyzzyqwv", 200).await;
    assert!(card_slugs(&nothing).is_empty());
    assert!(nothing.contains("Geen initiatieven gevonden"));
    assert!(nothing.contains("wis alle filters"), "the empty result says how to loosen");
}

#[tokio::test]
async fn hostile_and_malformed_query_strings_are_harmless() {
    let app = TestApp::spawn_with_demo().await;
    let long = "a".repeat(5000);
    for query in [
        "q=%27%3B%20DROP%20TABLE%20initiatives%3B--".to_string(),
        "q=%3Cscript%3Ealert(1)%3C%2Fscript%3E".to_string(),
        format!("q={long}"),
        "pagina=-1".to_string(),
        "pagina=99999999999999999999".to_string(),
        "pagina=abc&thema=&domein=%00".to_string(),
        "regio=bestaat-niet&niveau=onzin".to_string(),
        "q=%E2%80%8B%F0%9F%A7%92&sorteer=naam".to_string(),
        "q=)(&%26|!:*".to_string(),
    ] {
        let response = app.get(&format!("/initiatieven?{query}")).await;
        assert_eq!(response.status(), 200, "{query}");
        let body = response.text().await.unwrap();
        assert!(!body.contains("<script>alert"), "{query}: input is escaped");
    }
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM initiatives").fetch_one(&app.db).await.unwrap();
    assert!(count > 0);
}

#[tokio::test]
async fn paging_links_keep_the_filters() {
    let app = TestApp::spawn().await;
    bredeblik::seed::synthetic(&app.db, 65).await.unwrap();
    let first = app.get_text("/initiatieven?sorteer=naam", 200).await;
    assert!(first.contains("pagina 1 van 4"));
    assert!(first.contains("href=\"/initiatieven?sorteer=naam&#38;pagina=2\""), "next page keeps the sort");
    let last = app.get_text("/initiatieven?sorteer=naam&pagina=4", 200).await;
    assert_eq!(card_slugs(&last).len(), 5);
    let beyond = app.get_text("/initiatieven?pagina=9", 200).await;
    assert!(card_slugs(&beyond).is_empty());
}

#[tokio::test]
async fn detail_pages_of_initiatives_regions_members_and_news() {
    let app = TestApp::spawn_with_demo().await;
    let (slug, name): (String, String) =
        sqlx::query_as("SELECT slug, name FROM initiatives WHERE region_id IS NOT NULL ORDER BY id LIMIT 1")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let body = app.get_text(&format!("/initiatieven/{slug}"), 200).await;
    assert!(body.contains(&askama_escape(&name)));
    assert!(body.contains("og:title"));
    assert!(!body.contains("@voorbeeld.nl"), "the contact address is never shown");
    assert_eq!(app.get("/initiatieven/bestaat-niet").await.status(), 404);

    // Concept initiatives are not public.
    sqlx::query("UPDATE initiatives SET status = 'concept' WHERE slug = $1")
        .bind(&slug)
        .execute(&app.db)
        .await
        .unwrap();
    within_a_second().await;
    assert_eq!(app.get(&format!("/initiatieven/{slug}")).await.status(), 404);

    let overview = app.get_text("/regios", 200).await;
    assert_eq!(
        overview.matches("<a href=\"/regios/provincie-").count(),
        12 + 12,
        "12 provinces on the map and in the table"
    );
    assert!(overview.contains("<svg") && overview.contains("CC BY 4.0"), "the map with its attribution");

    let region = app.get_text("/regios/provincie-noord-holland", 200).await;
    let municipalities_in_nh: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM regions m JOIN regions p ON p.id = m.province_id WHERE p.slug = 'provincie-noord-holland'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(
        region.matches("class=\"area level-").count() as i64,
        municipalities_in_nh,
        "one area per municipality"
    );
    assert!(region.contains("Noord-Holland"));
    assert!(region.contains("Provincie"));
    let municipality = app.get_text("/regios/amsterdam", 200).await;
    assert_eq!(
        municipality.matches(" current\"").count(),
        1,
        "the municipality is highlighted on its province's map"
    );
    assert!(municipality.contains("/regios/provincie-noord-holland"), "a municipality links its province");
    assert_eq!(app.get("/regios/atlantis").await.status(), 404);

    let member: String = sqlx::query_scalar("SELECT slug FROM members WHERE public_profile LIMIT 1")
        .fetch_one(&app.db)
        .await
        .unwrap();
    app.get_text(&format!("/aandeelhouders/{member}"), 200).await;
    sqlx::query("UPDATE members SET public_profile = false WHERE slug = $1")
        .bind(&member)
        .execute(&app.db)
        .await
        .unwrap();
    within_a_second().await;
    assert_eq!(app.get(&format!("/aandeelhouders/{member}")).await.status(), 404, "no consent, no profile");

    let news: String =
        sqlx::query_scalar("SELECT slug FROM news_items LIMIT 1").fetch_one(&app.db).await.unwrap();
    app.get_text(&format!("/nieuws/{news}"), 200).await;
    sqlx::query("UPDATE news_items SET published_at = now() + interval '1 day' WHERE slug = $1")
        .bind(&news)
        .execute(&app.db)
        .await
        .unwrap();
    within_a_second().await;
    assert_eq!(app.get(&format!("/nieuws/{news}")).await.status(), 404, "scheduled news waits");
}

#[tokio::test]
async fn the_atom_feed_is_well_formed() {
    let app = TestApp::spawn_with_demo().await;
    let response = app.get("/nieuws/feed.xml").await;
    assert_eq!(response.headers()["content-type"], "application/atom+xml; charset=utf-8");
    let xml = response.text().await.unwrap();
    let published: i64 = sqlx::query_scalar("SELECT count(*) FROM news_items WHERE published_at <= now()")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(xml.matches("<entry>").count() as i64, published);
    assert_eq!(xml.matches("<entry>").count(), xml.matches("</entry>").count());
    assert!(xml.starts_with(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\""
    ));
    assert!(!xml.contains("<p>"), "HTML content is escaped inside the XML");
}

#[tokio::test]
async fn one_search_finds_every_kind() {
    let app = TestApp::spawn_with_demo().await;
    let body = app.get_text("/zoeken?q=Utrecht", 200).await;
    assert!(body.contains("Regio&#39;s") || body.contains("Regio's"));
    assert!(body.contains("/regios/utrecht"));
    let empty = app.get_text("/zoeken?q=qqqzzzxxx", 200).await;
    assert!(empty.contains("Niets gevonden"));
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn askama_escape(s: &str) -> String {
    s.replace('&', "&#38;").replace('\'', "&#39;").replace('"', "&#34;")
}

#[tokio::test]
async fn facet_counts_follow_the_other_filters_and_matches_are_marked() {
    let app = TestApp::spawn_with_demo().await;
    let count_sql = "SELECT count(*) FROM initiatives i JOIN initiative_domains l ON l.initiative_id = i.id \
                     JOIN domains d ON d.id = l.domain_id WHERE d.slug = 'onderwijs' AND i.status = 'gepubliceerd'";
    let expected: i64 = sqlx::query_scalar(count_sql).fetch_one(&app.db).await.unwrap();
    let body = app.get_text("/initiatieven", 200).await;
    assert!(
        body.contains(&format!("Onderwijs <span class=\"count\">({expected})</span>")),
        "unfiltered count {expected}"
    );

    // With a level chosen, the domain counts are those within that level...
    let within: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "{count_sql} AND EXISTS (SELECT 1 FROM initiative_levels x JOIN levels v ON v.id = x.level_id \
         WHERE x.initiative_id = i.id AND v.slug = 'uitvoerend')"
    )))
    .fetch_one(&app.db)
    .await
    .unwrap();
    let body = app.get_text("/initiatieven?niveau=uitvoerend&domein=onderwijs", 200).await;
    assert!(
        body.contains(&format!("Onderwijs <span class=\"count\">({within})</span>")),
        "count within level {within}"
    );
    // ...while the domain facet does not narrow its own counts.
    let jeugdhulp_within: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "{} AND EXISTS (SELECT 1 FROM initiative_levels x JOIN levels v ON v.id = x.level_id \
         WHERE x.initiative_id = i.id AND v.slug = 'uitvoerend')",
        count_sql.replace("'onderwijs'", "'jeugdhulp'")
    )))
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!(body.contains(&format!("Jeugdhulp <span class=\"count\">({jeugdhulp_within})</span>")));

    let marked = app.get_text("/initiatieven?q=ouders", 200).await;
    assert!(marked.contains("<mark>"), "search words are highlighted");
    assert!(!marked.contains('\u{2063}'), "no markers leak into the page");
}

#[tokio::test]
async fn every_instance_lists_a_catalogue_change_within_a_second() {
    let first = TestApp::spawn_with_demo().await;
    let second = first.spawn_sibling().await;
    // Both instances have built their in-memory index.
    let before = card_slugs(&first.get_text("/initiatieven?sorteer=naam", 200).await);
    assert_eq!(before, card_slugs(&second.get_text("/initiatieven?sorteer=naam", 200).await));
    let theme: String = sqlx::query_scalar("SELECT slug FROM themes ORDER BY position LIMIT 1")
        .fetch_one(&first.db)
        .await
        .unwrap();
    let themed_before = card_slugs(&first.get_text(&format!("/initiatieven?thema={theme}"), 200).await);

    // A new initiative published with a theme, straight in the database (as another instance would).
    first
        .initiative("Aaa nieuw voorbeeld")
        .summary("Net gepubliceerd.")
        .theme(&theme)
        .published()
        .create()
        .await;
    // Rendered pages are kept up to a second after a change another instance made (see
    // web::page_cache); the API and every page after that show it.
    within_a_second().await;
    for app in [&first, &second] {
        let by_name = card_slugs(&app.get_text("/initiatieven?sorteer=naam", 200).await);
        assert_eq!(by_name.first().map(String::as_str), Some("aaa-nieuw-voorbeeld"), "first A–Z");
        let themed = card_slugs(&app.get_text(&format!("/initiatieven?thema={theme}"), 200).await);
        assert_eq!(themed.first().map(String::as_str), Some("aaa-nieuw-voorbeeld"), "newest first");
        assert_eq!(themed.len(), (themed_before.len() + 1).min(20));
    }

    // Archiving takes it out of the list, the facets and the API everywhere.
    sqlx::query("UPDATE initiatives SET status = 'gearchiveerd' WHERE slug = 'aaa-nieuw-voorbeeld'")
        .execute(&first.db)
        .await
        .unwrap();
    within_a_second().await;
    for app in [&second, &first] {
        let by_name = card_slugs(&app.get_text("/initiatieven?sorteer=naam", 200).await);
        assert_eq!(by_name, before);
        let api = app.get_text("/api/v1/initiatives?per_pagina=100", 200).await;
        assert!(!api.contains("aaa-nieuw-voorbeeld"));
    }
}

#[tokio::test]
async fn every_instance_lists_a_member_change_within_a_second() {
    let first = TestApp::spawn_with_demo().await;
    let second = first.spawn_sibling().await;
    const MEMBERS: &str = "/api/v1/members?per_pagina=100";
    let names = |body: String| -> Vec<String> {
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        json["data"].as_array().unwrap().iter().map(|m| m["slug"].as_str().unwrap().to_owned()).collect()
    };
    // Both instances hold a member snapshot.
    let before = names(first.get_text(MEMBERS, 200).await);
    assert_eq!(before, names(second.get_text(MEMBERS, 200).await));

    // A member made public straight in the database (as another instance would): each instance
    // lists it once its clock has read the new content version, within a second.
    let user = first.create_user("nieuw-lid@voorbeeld.nl", "aandeelhouder", "een lang wachtwoord 123").await;
    first.member_for(user, "Aaa Nieuw Lid").public(true).approved().create().await;
    let changed = std::time::Instant::now();
    for app in [&first, &second] {
        loop {
            let listed = names(app.get_text(MEMBERS, 200).await);
            if listed.first().map(String::as_str) == Some("aaa-nieuw-lid") {
                break;
            }
            assert!(
                changed.elapsed() < std::time::Duration::from_secs(1),
                "not listed first A–Z within a second"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
    assert!(second.get_text("/aandeelhouders", 200).await.contains("Aaa Nieuw Lid"));

    // Withdrawing the consent takes it out everywhere, again within a second.
    sqlx::query("UPDATE members SET public_profile = false WHERE slug = 'aaa-nieuw-lid'")
        .execute(&first.db)
        .await
        .unwrap();
    let changed = std::time::Instant::now();
    for app in [&second, &first] {
        while names(app.get_text(MEMBERS, 200).await) != before {
            assert!(changed.elapsed() < std::time::Duration::from_secs(1), "still listed after a second");
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
    within_a_second().await;
    assert!(!second.get_text("/aandeelhouders", 200).await.contains("Aaa Nieuw Lid"));
}

/// How long an instance may serve a page rendered before another instance's change.
async fn within_a_second() {
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
}
