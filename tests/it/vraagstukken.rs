//! Vraagstukken: the four-level list with its filters and search, an obstacle's page with its
//! alternatives, the links shown on both sides, and a merged obstacle's redirect.

use crate::helpers::{Role, TestApp, select, select_attr};

/// The slugs of the obstacle cards on a list page, in order.
fn card_slugs(body: &str) -> Vec<String> {
    body.split("<h3><a href=\"/vraagstukken/")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(str::to_owned)
        .collect()
}

/// The part of a list page that holds one level's section.
fn level_section<'a>(body: &'a str, level: &str) -> &'a str {
    let start = body.find(&format!("aria-labelledby=\"niveau-{level}\"")).expect("level section");
    let rest = &body[start..];
    &rest[..rest.find("</section>").unwrap()]
}

#[tokio::test]
async fn the_list_groups_obstacles_by_the_four_levels_and_filters() {
    let app = TestApp::spawn_with_demo().await;
    let all = app.get_text("/vraagstukken", 200).await;
    for level in ["uitvoerend", "bestuurlijk", "beleidsmatig", "politiek"] {
        let section = level_section(&all, level);
        assert!(section.contains("<p>"), "{level} is explained in a sentence");
        assert!(!card_slugs(section).is_empty(), "{level} holds demo obstacles");
    }
    // The six points of the 2021 analysis, each under its level.
    assert!(
        card_slugs(level_section(&all, "beleidsmatig")).contains(&"te-weinig-ruimte-om-kind-te-zijn".into())
    );
    assert!(card_slugs(level_section(&all, "uitvoerend")).contains(&"afwijken-mag-niet".into()));
    assert!(card_slugs(level_section(&all, "politiek")).contains(&"hokjes-etiketten-en-wachttijden".into()));
    assert!(card_slugs(&all).len() >= 10);
    // In the navigation and the sitemap.
    assert!(all.contains("href=\"/vraagstukken\""));
    let sitemap = app.get_text("/sitemap.xml", 200).await;
    assert!(sitemap.contains("/vraagstukken/afwijken-mag-niet</loc>"));

    // Theme, region, status and level narrow the list.
    let theme = card_slugs(&app.get_text("/vraagstukken?thema=jongerenparticipatie", 200).await);
    assert!(theme.contains(&"weinig-aandacht-voor-de-toekomst-van-jongeren".into()), "{theme:?}");
    assert!(!theme.contains(&"afwijken-mag-niet".into()));
    let brabant: String =
        sqlx::query_scalar("SELECT slug FROM regions WHERE code = 'JZ35'").fetch_one(&app.db).await.unwrap();
    let region2 = card_slugs(&app.get_text(&format!("/vraagstukken?regio={brabant}"), 200).await);
    assert_eq!(region2.len(), 2, "{region2:?}");
    assert!(region2.contains(&"protocollen-en-regels-gaan-voor".into()));
    let page = app.get_text("/vraagstukken?status=gesignaleerd", 200).await;
    // The filter keeps the chosen status and names the statuses by their labels.
    assert_eq!(select_attr(&page, "#f-status option[selected]", "value"), ["gesignaleerd"]);
    assert_eq!(select(&page, "#f-status option").first().map(String::as_str), Some("Alle"));
    assert_eq!(select(&page, "#f-status option[selected]"), ["Gesignaleerd"]);
    let status = card_slugs(&page);
    assert!(status.contains(&"labels-die-stigmatiseren".into()));
    assert!(!status.contains(&"afwijken-mag-niet".into()));
    let level = app.get_text("/vraagstukken?niveau=politiek", 200).await;
    assert!(!level.contains("aria-labelledby=\"niveau-uitvoerend\""));
    assert!(card_slugs(&level).iter().all(
        |s| s == "hokjes-etiketten-en-wachttijden" || s == "vernieuwing-alleen-van-de-jeugdzorg-verwacht"
    ));

    // Full-text search with Dutch stemming and without accents.
    let found = card_slugs(&app.get_text("/vraagstukken?q=protocollen", 200).await);
    assert_eq!(found, vec!["protocollen-en-regels-gaan-voor".to_owned()]);
    let none = app.get_text("/vraagstukken?q=zzzqqq", 200).await;
    assert!(card_slugs(&none).is_empty());
    assert!(none.contains("geen vraagstukken die aan uw keuze voldoen"));

    // Unknown or hostile filter values are ignored, a huge search text is cut, never a 500.
    let odd = app
        .get_text("/vraagstukken?thema=%3Cscript%3E&status=nee&regio=x'--&niveau=&q=%22%28%29%21%26%7C", 200)
        .await;
    assert!(!odd.contains("<script>"));
    let huge = "woord ".repeat(5_000);
    app.get_text(&format!("/vraagstukken?q={}", huge.replace(' ', "+")), 200).await;
    // Sorted by recognition.
    sqlx::query("UPDATE vraagstukken SET recognitions = 7 WHERE slug = 'labels-die-stigmatiseren'")
        .execute(&app.db)
        .await
        .unwrap();
    settle().await;
    let sorted = app.get_text("/vraagstukken?sorteer=herkend", 200).await;
    assert_eq!(
        card_slugs(level_section(&sorted, "uitvoerend")).first().map(String::as_str),
        Some("labels-die-stigmatiseren")
    );
}

#[tokio::test]
async fn an_obstacle_shows_its_alternatives_and_they_show_it_back() {
    let app = TestApp::spawn_with_demo().await;
    let page = app.get_text("/vraagstukken/te-weinig-ruimte-om-kind-te-zijn", 200).await;
    assert!(page.contains("Beleidsmatig"));
    assert!(page.contains("In gesprek"));
    assert!(page.contains("de redactie"));
    assert!(page.contains("href=\"/initiatieven/speelkwartier-noord\""));
    assert!(page.contains("Buurtbewoners en jongeren maken samen ruimte om buiten te spelen"));
    assert!(page.contains("href=\"/kennisbank/analyse-radicale-vernieuwing-2021\""));
    assert!(page.contains("href=\"/bijeenkomsten/landelijke-bijeenkomst-11-november-2026\""));
    assert!(page.contains("zes punten uit de analyse"));

    // The other side: initiative, publication and event name the obstacle with the why-line.
    for path in [
        "/initiatieven/speelkwartier-noord",
        "/kennisbank/analyse-radicale-vernieuwing-2021",
        "/bijeenkomsten/landelijke-bijeenkomst-11-november-2026",
    ] {
        let other = app.get_text(path, 200).await;
        assert!(other.contains("href=\"/vraagstukken/te-weinig-ruimte-om-kind-te-zijn\""), "{path}");
    }

    // An alternative whose initiative is not published is not shown, on either side.
    sqlx::query("UPDATE initiatives SET status = 'concept' WHERE slug = 'speelkwartier-noord'")
        .execute(&app.db)
        .await
        .unwrap();
    settle().await;
    let page = app.get_text("/vraagstukken/te-weinig-ruimte-om-kind-te-zijn", 200).await;
    assert!(!page.contains("/initiatieven/speelkwartier-noord"));

    // Markdown is sanitised.
    sqlx::query("UPDATE vraagstukken SET body_md = E'**vet**\n\n<script>alert(1)</script>' WHERE slug = 'afwijken-mag-niet'")
        .execute(&app.db)
        .await
        .unwrap();
    settle().await;
    let page = app.get_text("/vraagstukken/afwijken-mag-niet", 200).await;
    assert!(!page.contains("<script>alert"));
    assert!(page.contains("<strong>vet</strong>"));

    // A proposal waiting for review and an unknown slug are not found.
    sqlx::query("UPDATE vraagstukken SET review = 'ter_beoordeling' WHERE slug = 'labels-die-stigmatiseren'")
        .execute(&app.db)
        .await
        .unwrap();
    settle().await;
    app.get_text("/vraagstukken/labels-die-stigmatiseren", 404).await;
    assert!(
        !card_slugs(&app.get_text("/vraagstukken", 200).await).contains(&"labels-die-stigmatiseren".into())
    );
    app.get_text("/vraagstukken/bestaat-niet", 404).await;
}

#[tokio::test]
async fn a_merged_obstacle_redirects_to_the_one_it_joined() {
    let app = TestApp::spawn_with_demo().await;
    sqlx::query(
        "UPDATE vraagstukken SET merged_into = (SELECT id FROM vraagstukken WHERE slug = 'afwijken-mag-niet') \
         WHERE slug = 'labels-die-stigmatiseren'",
    )
    .execute(&app.db)
    .await
    .unwrap();
    settle().await;
    let response =
        app.bare_client().get(app.url("/vraagstukken/labels-die-stigmatiseren")).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 301);
    assert_eq!(response.headers()["location"], "/vraagstukken/afwijken-mag-niet");
    assert!(
        !card_slugs(&app.get_text("/vraagstukken", 200).await).contains(&"labels-die-stigmatiseren".into())
    );
    // An obstacle cannot be merged into itself.
    let itself = sqlx::query("UPDATE vraagstukken SET merged_into = id WHERE slug = 'afwijken-mag-niet'")
        .execute(&app.db)
        .await;
    assert!(itself.is_err());
}

#[tokio::test]
async fn synthetic_seeding_adds_obstacles_at_volume() {
    let app = TestApp::spawn().await;
    bredeblik::seed::synthetic(&app.db, 40).await.unwrap();
    let count: i64 =
        sqlx::query_scalar("SELECT count(*) FROM vraagstukken").fetch_one(&app.db).await.unwrap();
    assert_eq!(count, 40);
    let body = app.get_text("/vraagstukken", 200).await;
    for level in ["uitvoerend", "bestuurlijk", "beleidsmatig", "politiek"] {
        assert_eq!(card_slugs(level_section(&body, level)).len(), 10, "{level}");
    }
}

#[tokio::test]
async fn a_member_recognises_an_obstacle_once_also_under_parallel_requests() {
    let app = TestApp::spawn_with_demo().await;
    let path = "/vraagstukken/afwijken-mag-niet";
    // A visitor sees the count and the explanation, and is asked to log in.
    let visitor = app.get_text(path, 200).await;
    assert!(visitor.contains("geen stemming"));
    assert!(visitor.contains("/inloggen?volgende=/vraagstukken/afwijken-mag-niet"));
    let anonymous = app
        .bare_client()
        .post(app.url(&format!("{path}/herkennen")))
        .form(&[("actie", "herken")])
        .send()
        .await
        .unwrap();
    assert!(anonymous.status().is_client_error() || anonymous.status().is_redirection());

    let member = app.logged_in(Role::Aandeelhouder).await;
    assert!(member.text(path, 200).await.contains("value=\"herken\""));
    // Twenty requests at once from the same member count once.
    let statuses = parallel_posts(&app, &member, &format!("{path}/herkennen"), "herken", 20).await;
    assert_eq!(statuses.iter().filter(|s| **s == 303).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 303 || *s == 409), "{statuses:?}");
    let count = || async {
        sqlx::query_as::<_, (i32, i64)>(
            "SELECT v.recognitions, (SELECT count(*) FROM vraagstuk_recognitions r WHERE r.vraagstuk_id = v.id) \
             FROM vraagstukken v WHERE slug = 'afwijken-mag-niet'",
        )
        .fetch_one(&app.db)
        .await
        .unwrap()
    };
    assert_eq!(count().await, (1, 1));
    let page = member.text(path, 200).await;
    assert!(page.contains("<strong>1</strong> lid herkent"));
    assert!(page.contains("value=\"intrekken\""));
    // A second "herken ik" is refused in Dutch.
    let again = member.post(&format!("{path}/herkennen"), &[("actie", "herken")]).await;
    assert_eq!(again.status().as_u16(), 409);
    assert!(again.text().await.unwrap().contains("herkent dit vraagstuk al"));
    // Unknown action, unknown obstacle.
    assert_eq!(member.post(&format!("{path}/herkennen"), &[("actie", "stem")]).await.status().as_u16(), 400);
    assert_eq!(
        member.post("/vraagstukken/bestaat-niet/herkennen", &[("actie", "herken")]).await.status().as_u16(),
        404
    );

    // The visitor's (cached) page shows the new count once the cache rechecks.
    settle().await;
    assert!(app.get_text(path, 200).await.contains("<strong>1</strong> lid herkent"));

    // Taken back, also in parallel: once.
    let statuses = parallel_posts(&app, &member, &format!("{path}/herkennen"), "intrekken", 10).await;
    assert_eq!(statuses.iter().filter(|s| **s == 303).count(), 1, "{statuses:?}");
    assert_eq!(count().await, (0, 0));
}

/// `n` POSTs of the same "herken ik" form at once, each on its own task; their statuses.
async fn parallel_posts(
    app: &TestApp,
    browser: &crate::helpers::Browser<'_>,
    path: &str,
    action: &str,
    n: usize,
) -> Vec<u16> {
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let (client, url, token, action) =
                (browser.client.clone(), app.url(path), browser.token.clone(), action.to_owned());
            tokio::spawn(async move {
                let fields = [("actie", action.as_str()), ("csrf_token", token.as_str())];
                client.post(url).form(&fields).send().await.unwrap().status().as_u16()
            })
        })
        .collect();
    let mut statuses = Vec::with_capacity(n);
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    statuses
}

#[tokio::test]
async fn an_inspiratieregio_page_shows_what_it_learns_once_reviewed() {
    let app = TestApp::spawn_with_demo().await;
    let slug: String =
        sqlx::query_scalar("SELECT slug FROM regions WHERE code = 'JZ35'").fetch_one(&app.db).await.unwrap();
    let page = app.get_text(&format!("/regios/{slug}"), 200).await;
    assert!(page.contains("Wat we leren"));
    assert!(page.contains("De doorbraaktafel werkt als het gezin zelf aan tafel zit"));
    assert!(page.contains("Onder welke voorwaarden"));
    // A lesson waiting for review is not shown.
    sqlx::query("UPDATE lessons SET review = 'ter_beoordeling' WHERE slug = 'zonder-mandaat-geen-doorbraak'")
        .execute(&app.db)
        .await
        .unwrap();
    settle().await;
    let page = app.get_text(&format!("/regios/{slug}"), 200).await;
    assert!(!page.contains("Zonder mandaat over budgetten"));
}

/// Waits until every page cache has seen a change made straight in the database (it rechecks
/// the content version every 250 ms).
async fn settle() {
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
}

/// The list comes from each instance's in-memory index; here it is held against the same
/// question put to PostgreSQL directly, level by level: how many match and which come first.
#[tokio::test]
async fn the_indexed_list_answers_as_the_database_does() {
    let app = TestApp::spawn_with_demo().await;
    bredeblik::seed::synthetic(&app.db, 300).await.unwrap();
    sqlx::query("UPDATE vraagstukken SET recognitions = (id * 7) % 5").execute(&app.db).await.unwrap();
    let levels: Vec<String> = sqlx::query_scalar("SELECT slug FROM levels ORDER BY position, name")
        .fetch_all(&app.db)
        .await
        .unwrap();
    let theme: String = sqlx::query_scalar(
        "SELECT t.slug FROM themes t JOIN vraagstuk_themes l ON l.theme_id = t.id GROUP BY t.slug ORDER BY count(*) DESC, t.slug LIMIT 1",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    settle().await;
    for (theme, status, by_recognition) in [
        (None, None, false),
        (None, None, true),
        (Some(theme.as_str()), None, false),
        (Some(theme.as_str()), None, true),
        (None, Some("gesignaleerd"), true),
        (Some(theme.as_str()), Some("in_gesprek"), false),
    ] {
        let expected: Vec<(String, String)> = sqlx::query_as(
            "SELECT l.slug, v.slug FROM vraagstukken v JOIN levels l ON l.id = v.level_id
             WHERE v.review = 'gepubliceerd' AND v.merged_into IS NULL
               AND ($1::text IS NULL OR EXISTS (SELECT 1 FROM vraagstuk_themes vt JOIN themes t ON t.id = vt.theme_id
                                                WHERE vt.vraagstuk_id = v.id AND t.slug = $1))
               AND ($2::text IS NULL OR v.status = $2)
             ORDER BY CASE WHEN $3 THEN v.recognitions ELSE 0 END DESC, v.raised_at DESC, v.id DESC",
        )
        .bind(theme)
        .bind(status)
        .bind(by_recognition)
        .fetch_all(&app.db)
        .await
        .unwrap();
        let mut url = String::from("/vraagstukken?");
        if let Some(theme) = theme {
            url.push_str(&format!("thema={theme}&"));
        }
        if let Some(status) = status {
            url.push_str(&format!("status={status}&"));
        }
        if by_recognition {
            url.push_str("sorteer=herkend");
        }
        let body = app.get_text(&url, 200).await;
        for level in &levels {
            let matching: Vec<&String> =
                expected.iter().filter(|(l, _)| l == level).map(|(_, v)| v).collect();
            let Some(start) = body.find(&format!("aria-labelledby=\"niveau-{level}\"")) else {
                assert!(
                    matching.is_empty(),
                    "{url}: no section for {level}, the database has {}",
                    matching.len()
                );
                continue;
            };
            let section = level_section(&body, level);
            let shown = card_slugs(section);
            let first: Vec<String> = matching.iter().take(25).map(|s| (*s).clone()).collect();
            assert_eq!(shown, first, "{url}: the first of {level} ({start})");
            if matching.len() > 25 {
                assert!(
                    section.contains(&format!("Alle {} vraagstukken op dit niveau", matching.len())),
                    "{url}: {level} found {}",
                    matching.len()
                );
            }
        }
    }
}
