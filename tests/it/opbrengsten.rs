//! Opbrengsten: a region member's lesson through review to its public page and `/opbrengsten`,
//! a non-member refused, bad input kept, the list's filters, the open-data API, `/zoeken`, the
//! home page, and a coordinator's bundle into a newsletter block or a kennisbank record.

use crate::helpers::{Browser, CampaignBuilder, PASSWORD, Role, TestApp, select, select_attr};

/// The slugs of the lessons on a list page, in order.
fn lesson_slugs(body: &str) -> Vec<String> {
    body.split("<h3><a href=\"/opbrengsten/")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(str::to_owned)
        .collect()
}

async fn region_slug(app: &TestApp, code: &str) -> String {
    sqlx::query_scalar("SELECT slug FROM regions WHERE code = $1")
        .bind(code)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

/// An approved member whose profile lies in the region with `code`.
async fn member_in(app: &TestApp, email: &str, name: &str, code: &str) {
    let id = app.member(email, name).approved().create().await;
    sqlx::query("UPDATE members SET region_id = (SELECT id FROM regions WHERE code = $2) WHERE id = $1")
        .bind(id)
        .bind(code)
        .execute(&app.db)
        .await
        .unwrap();
}

async fn lesson_count(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM lessons").fetch_one(&app.db).await.unwrap()
}

/// Waits until every page cache has seen a change made straight in the database.
async fn settle() {
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
}

#[tokio::test]
async fn a_region_members_lesson_goes_through_review_to_its_page_and_the_list() {
    let (app, mailbox) = TestApp::spawn_with_mail().await;
    bredeblik::seed::demo(&app.db).await.unwrap();
    let brabant = region_slug(&app, "JZ35").await;
    // A municipality in the jeugdregio Hart van Brabant belongs to it.
    let tilburg: String = sqlx::query_scalar(
        "SELECT code FROM regions WHERE jeugdregio_id = (SELECT id FROM regions WHERE code = 'JZ35') ORDER BY code LIMIT 1",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    member_in(&app, "lid@voorbeeld.nl", "Lid Brabant", &tilburg).await;
    app.create_user("redacteur@voorbeeld.nl", "redacteur", PASSWORD).await;

    // The region page invites members to write; the form is the member's.
    let region_page = app.get_text(&format!("/regios/{brabant}"), 200).await;
    assert!(region_page.contains(&format!("/opbrengsten/schrijven?regio={brabant}")));
    let member = Browser::login(&app, "lid@voorbeeld.nl").await;
    assert!(member.text("/account", 200).await.contains("href=\"/opbrengsten/schrijven\""));
    let form = member.text("/opbrengsten/schrijven", 200).await;
    assert!(form.contains("Hart van Brabant"), "the only region is chosen");
    assert!(form.contains("value=\"doorbraaktafel-hart-van-brabant\""), "initiatives of the region");

    // Bad input: Dutch messages, a 422, the input kept, nothing written.
    let before = lesson_count(&app).await;
    let bad = member
        .post(
            "/opbrengsten/schrijven",
            &[
                ("regio", &brabant),
                ("titel", "Ge"),
                ("soort", "misschien"),
                ("tekst", "Wat we zagen <script>alert(1)</script>"),
                ("datum", "2999-01-01"),
                ("vraagstuk", "bestaat-niet"),
            ],
        )
        .await;
    assert_eq!(bad.status(), 422);
    let body = bad.text().await.unwrap();
    assert!(body.contains("minstens 3 tekens"));
    assert!(body.contains("niet in de toekomst"));
    assert!(body.contains("Koppel alleen vraagstukken die op de site staan"));
    assert!(body.contains("Wat we zagen &#60;script&#62;"), "input kept, escaped");
    assert_eq!(lesson_count(&app).await, before);
    // An unpublished initiative cannot be linked either.
    app.initiative("Nog geheim").create().await;
    let bad = member
        .post(
            "/opbrengsten/schrijven",
            &[
                ("regio", &brabant),
                ("titel", "Samen beslissen werkt"),
                ("soort", "werkt"),
                ("tekst", "Een tekst die lang genoeg is."),
                ("datum", "2025-05-01"),
                ("initiatief", "nog-geheim"),
            ],
        )
        .await;
    assert_eq!(bad.status(), 422);
    assert_eq!(lesson_count(&app).await, before);

    // A good lesson waits for review; the editors hear of it.
    let sent = member
        .post(
            "/opbrengsten/schrijven",
            &[
                ("regio", &brabant),
                ("titel", "Ouders als vaste gast aan de doorbraaktafel"),
                ("soort", "voorwaarde"),
                (
                    "tekst",
                    "Het werkt **alleen** als ouders vanaf het begin meepraten.\n\n<script>alert(1)</script>",
                ),
                ("datum", "2025-04-10"),
                ("vraagstuk", "beslissingen-over-de-hoofden-van-gezinnen"),
                ("initiatief", "doorbraaktafel-hart-van-brabant"),
            ],
        )
        .await;
    assert_eq!(sent.status(), 303);
    assert_eq!(sent.headers()["location"].to_str().unwrap(), "/opbrengsten/schrijven?melding=ingediend");
    let slug = "ouders-als-vaste-gast-aan-de-doorbraaktafel";
    let review: String = sqlx::query_scalar("SELECT review FROM lessons WHERE slug = $1")
        .bind(slug)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(review, "ter_beoordeling");
    mailbox.wait_for("redacteur@voorbeeld.nl", "Les ter beoordeling").await;
    assert_eq!(app.get(&format!("/opbrengsten/{slug}")).await.status(), 404);
    assert!(!lesson_slugs(&app.get_text("/opbrengsten", 200).await).contains(&slug.to_owned()));

    // The editor publishes it; a second decision is a conflict.
    let editor = Browser::login(&app, "redacteur@voorbeeld.nl").await;
    let queue = editor.text("/beheer/opbrengsten", 200).await;
    assert!(queue.contains("Ouders als vaste gast aan de doorbraaktafel"));
    let id: i64 = sqlx::query_scalar("SELECT id FROM lessons WHERE slug = $1")
        .bind(slug)
        .fetch_one(&app.db)
        .await
        .unwrap();
    // Its decision form has a note of its own, labelled, and buttons that say which lesson
    // they decide (the queue holds several).
    let note = format!("bericht-{id}");
    assert_eq!(select_attr(&queue, "textarea[name=bericht]", "id").iter().filter(|n| **n == note).count(), 1);
    assert_eq!(select(&queue, &format!("label[for={note}]")).len(), 1);
    let form = format!("form[action='/beheer/opbrengsten/{id}/beoordeling']");
    let buttons = select(&queue, &format!("{form} button[name=besluit]"));
    assert_eq!(buttons.len(), 2, "{queue}");
    assert!(buttons.iter().all(|b| b.contains("Ouders als vaste gast")), "{buttons:?}");
    let decided = editor
        .post(
            &format!("/beheer/opbrengsten/{id}/beoordeling"),
            &[("besluit", "goedkeuren"), ("bericht", "Mooi")],
        )
        .await;
    assert_eq!(decided.status(), 303);
    let again =
        editor.post(&format!("/beheer/opbrengsten/{id}/beoordeling"), &[("besluit", "afwijzen")]).await;
    assert_eq!(again.status(), 409);
    mailbox.wait_for("lid@voorbeeld.nl", "Uw les staat op de site").await;
    let audit: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE target_type = 'les' AND target_id = $1::text",
    )
    .bind(id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(audit, 2, "submitted and published");

    // Public: its page links region, vraagstuk and initiative; Markdown sanitised.
    settle().await;
    let page = app.get_text(&format!("/opbrengsten/{slug}"), 200).await;
    assert!(page.contains(&format!("href=\"/regios/{brabant}\"")));
    assert!(page.contains("href=\"/vraagstukken/beslissingen-over-de-hoofden-van-gezinnen\""));
    assert!(page.contains("href=\"/initiatieven/doorbraaktafel-hart-van-brabant\""));
    assert!(page.contains("<strong>alleen</strong>"));
    assert!(!page.contains("<script>alert(1)"));
    assert!(lesson_slugs(&app.get_text("/opbrengsten", 200).await).contains(&slug.to_owned()));
    assert!(app.get_text(&format!("/regios/{brabant}"), 200).await.contains(&format!("/opbrengsten/{slug}")));
    assert!(app.get_text("/sitemap.xml", 200).await.contains(&format!("/opbrengsten/{slug}</loc>")));
}

#[tokio::test]
async fn someone_outside_the_region_is_refused_and_a_rejected_lesson_stays_hidden() {
    let app = TestApp::spawn_with_demo().await;
    let brabant = region_slug(&app, "JZ35").await;
    let zwolle = region_slug(&app, "GM0193").await;
    // A member of Zwolle (an inspiratieregio) does not belong to Hart van Brabant.
    member_in(&app, "zwolle@voorbeeld.nl", "Lid Zwolle", "GM0193").await;
    // A member without region belongs nowhere; so does a logged-in account without profile.
    app.member("los@voorbeeld.nl", "Los Lid").approved().create().await;

    let outsider = Browser::login(&app, "los@voorbeeld.nl").await;
    let refused = outsider.get("/opbrengsten/schrijven").await;
    assert_eq!(refused.status(), 403);
    assert!(refused.text().await.unwrap().contains("U hoort niet bij een inspiratieregio"));
    let before = lesson_count(&app).await;
    let post = outsider
        .post(
            "/opbrengsten/schrijven",
            &[
                ("regio", &brabant),
                ("titel", "Poging"),
                ("soort", "werkt"),
                ("tekst", "Ik hoor er niet bij."),
                ("datum", "2025-01-01"),
            ],
        )
        .await;
    assert_eq!(post.status(), 403);

    let zwolle_member = Browser::login(&app, "zwolle@voorbeeld.nl").await;
    let other = zwolle_member.get(&format!("/opbrengsten/schrijven?regio={brabant}")).await;
    assert_eq!(other.status(), 403);
    assert!(other.text().await.unwrap().contains("U hoort niet bij deze inspiratieregio"));
    let post = zwolle_member
        .post(
            "/opbrengsten/schrijven",
            &[
                ("regio", &brabant),
                ("titel", "Poging"),
                ("soort", "werkt"),
                ("tekst", "Niet mijn regio."),
                ("datum", "2025-01-01"),
            ],
        )
        .await;
    assert_eq!(post.status(), 403);
    assert_eq!(lesson_count(&app).await, before);
    // Not logged in: to the login page.
    let anonymous = app.get("/opbrengsten/schrijven").await;
    assert_eq!(anonymous.status(), 303);

    // Their own region works, and a rejected lesson never shows.
    let sent = zwolle_member
        .post(
            "/opbrengsten/schrijven",
            &[
                ("regio", &zwolle),
                ("titel", "Een les die niet doorgaat"),
                ("soort", "werkt_niet"),
                ("tekst", "Dit klopte toch niet."),
                ("datum", "2025-01-01"),
            ],
        )
        .await;
    assert_eq!(sent.status(), 303);
    let id: i64 = sqlx::query_scalar("SELECT id FROM lessons WHERE slug = 'een-les-die-niet-doorgaat'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let editor = app.logged_in(Role::Redacteur).await;
    let rejected =
        editor.post(&format!("/beheer/opbrengsten/{id}/beoordeling"), &[("besluit", "afwijzen")]).await;
    assert_eq!(rejected.status(), 303);
    assert_eq!(app.get("/opbrengsten/een-les-die-niet-doorgaat").await.status(), 404);
    let nonsense =
        editor.post(&format!("/beheer/opbrengsten/{id}/beoordeling"), &[("besluit", "misschien")]).await;
    assert_eq!(nonsense.status(), 400);
    // A member may not use the back office.
    let forbidden = zwolle_member
        .post(&format!("/beheer/opbrengsten/{id}/beoordeling"), &[("besluit", "goedkeuren")])
        .await;
    assert_eq!(forbidden.status(), 403);
}

#[tokio::test]
async fn the_list_filters_by_cohort_theme_level_region_and_text() {
    let app = TestApp::spawn_with_demo().await;
    sqlx::query("UPDATE regions SET cohort_year = 2024 WHERE code = 'GM0193'")
        .execute(&app.db)
        .await
        .unwrap();
    settle().await;
    let all = lesson_slugs(&app.get_text("/opbrengsten", 200).await);
    assert_eq!(all.len(), 4, "{all:?}");
    // Latest first.
    assert_eq!(all[0], "spreekuur-alleen-trekt-weinig-ouders");
    let zwolle = ["vaste-jeugdprofessional-scheelt-verwijzingen", "spreekuur-alleen-trekt-weinig-ouders"];
    let brabant = ["doorbraaktafel-werkt-als-het-gezin-aan-tafel-zit", "zonder-mandaat-geen-doorbraak"];
    let found = |body: String| {
        let mut s = lesson_slugs(&body);
        s.sort();
        s
    };
    let sorted = |list: [&str; 2]| {
        let mut v: Vec<String> = list.iter().map(|s| s.to_string()).collect();
        v.sort();
        v
    };
    assert_eq!(found(app.get_text("/opbrengsten?cohort=2024", 200).await), sorted(zwolle));
    assert_eq!(found(app.get_text("/opbrengsten?cohort=2023", 200).await), sorted(brabant));
    // Theme and level through the linked initiatives and vraagstukken.
    assert_eq!(found(app.get_text("/opbrengsten?thema=preventie", 200).await), sorted(zwolle));
    assert_eq!(found(app.get_text("/opbrengsten?niveau=beleidsmatig", 200).await), sorted(brabant));
    let none = app.get_text("/opbrengsten?niveau=politiek", 200).await;
    assert!(lesson_slugs(&none).is_empty());
    assert!(none.contains("geen lessen die aan uw keuze voldoen"));
    let brabant_slug = region_slug(&app, "JZ35").await;
    assert_eq!(
        found(app.get_text(&format!("/opbrengsten?regio={brabant_slug}"), 200).await),
        sorted(brabant)
    );
    assert_eq!(
        lesson_slugs(&app.get_text("/opbrengsten?q=mandaat", 200).await),
        vec!["zonder-mandaat-geen-doorbraak"]
    );
    // Each lesson links its region and what it concerns.
    let list = app.get_text("/opbrengsten", 200).await;
    assert!(list.contains(&format!("href=\"/regios/{brabant_slug}\"")));
    assert!(list.contains("href=\"/initiatieven/jeugdprofessional-in-de-school\""));
    assert!(list.contains("href=\"/vraagstukken/protocollen-en-regels-gaan-voor\""));
    // Hostile or unknown values: a page, never a 500.
    let odd = app
        .get_text(
            "/opbrengsten?cohort=abc&thema=%3Cscript%3E&niveau=x'--&q=%22%28%29%21%26%7C&pagina=99999",
            200,
        )
        .await;
    assert!(!odd.contains("<script>"));
    app.get_text(&format!("/opbrengsten?q={}", "woord+".repeat(5_000)), 200).await;
    // In the navigation (footer) and the sitemap.
    assert!(list.contains("href=\"/opbrengsten\""));
    assert!(app.get_text("/sitemap.xml", 200).await.contains("/opbrengsten</loc>"));
}

#[tokio::test]
async fn the_api_serves_published_lessons_and_vraagstukken_with_paging() {
    let app = TestApp::spawn_with_demo().await;
    sqlx::query("UPDATE lessons SET review = 'ter_beoordeling' WHERE slug = 'zonder-mandaat-geen-doorbraak'")
        .execute(&app.db)
        .await
        .unwrap();
    let json: serde_json::Value = app.get("/api/v1/opbrengsten?per_pagina=2").await.json().await.unwrap();
    assert_eq!(json["meta"]["total"], 3, "only published: {json}");
    assert_eq!(json["meta"]["pages"], 2);
    let data = json["data"].as_array().unwrap();
    assert_eq!(data.len(), 2);
    let first = &data[0];
    assert_eq!(first["slug"], "spreekuur-alleen-trekt-weinig-ouders");
    assert_eq!(first["kind"], "werkt_niet");
    assert_eq!(first["date"], "2025-01-15");
    assert_eq!(first["region"], "Zwolle");
    assert!(first["url"].as_str().unwrap().ends_with("/opbrengsten/spreekuur-alleen-trekt-weinig-ouders"));
    assert!(
        first["initiatives"][0]["url"]
            .as_str()
            .unwrap()
            .ends_with("/initiatieven/jeugdprofessional-in-de-school")
    );
    assert!(first["vraagstukken"][0]["title"].is_string());
    let page2: serde_json::Value =
        app.get("/api/v1/opbrengsten?per_pagina=2&pagina=2").await.json().await.unwrap();
    assert_eq!(page2["data"].as_array().unwrap().len(), 1);
    let beyond: serde_json::Value =
        app.get("/api/v1/opbrengsten?per_pagina=2&pagina=9").await.json().await.unwrap();
    assert_eq!(beyond["meta"]["total"], 3, "the total also past the last page");
    let filtered: serde_json::Value =
        app.get("/api/v1/opbrengsten?thema=preventie").await.json().await.unwrap();
    assert_eq!(filtered["meta"]["total"], 2);

    let json: serde_json::Value =
        app.get("/api/v1/vraagstukken?niveau=politiek&per_pagina=100").await.json().await.unwrap();
    let data = json["data"].as_array().unwrap();
    assert!(!data.is_empty());
    assert!(data.iter().all(|v| v["level"] == "politiek"));
    let one = data.iter().find(|v| v["slug"] == "hokjes-etiketten-en-wachttijden").expect("demo obstacle");
    assert!(one["url"].as_str().unwrap().ends_with("/vraagstukken/hokjes-etiketten-en-wachttijden"));
    assert!(one["alternatives"].as_array().is_some_and(|a| !a.is_empty()), "{one}");
    assert!(one["alternatives"][0]["why"].is_string());
    let all: serde_json::Value = app.get("/api/v1/vraagstukken?per_pagina=3").await.json().await.unwrap();
    assert!(all["meta"]["total"].as_i64().unwrap() >= 10);
    assert_eq!(all["data"].as_array().unwrap().len(), 3);
    let odd = app.get("/api/v1/vraagstukken?status=nee&q=%22%28%29&per_pagina=x").await;
    assert_eq!(odd.status(), 200);

    let spec: serde_json::Value = app.get("/api/openapi.json").await.json().await.unwrap();
    assert!(spec["paths"]["/api/v1/opbrengsten"]["get"].is_object());
    assert!(spec["paths"]["/api/v1/vraagstukken"]["get"].is_object());
    assert!(spec["components"]["schemas"]["Lesson"].is_object());
    assert!(spec["components"]["schemas"]["Vraagstuk"].is_object());
}

#[tokio::test]
async fn search_and_the_home_page_show_vraagstukken_and_lessons() {
    let app = TestApp::spawn_with_demo().await;
    let found = app.get_text("/zoeken?q=doorbraaktafel", 200).await;
    assert!(found.contains("href=\"/opbrengsten/doorbraaktafel-werkt-als-het-gezin-aan-tafel-zit\""));
    let found = app.get_text("/zoeken?q=protocollen", 200).await;
    assert!(found.contains("href=\"/vraagstukken/protocollen-en-regels-gaan-voor\""));
    sqlx::query("UPDATE vraagstukken SET recognitions = 9 WHERE slug = 'protocollen-en-regels-gaan-voor'")
        .execute(&app.db)
        .await
        .unwrap();
    settle().await;
    let home = app.get_text("/", 200).await;
    assert!(home.contains("Meest herkende vraagstukken"));
    assert!(home.contains("href=\"/vraagstukken/protocollen-en-regels-gaan-voor\""));
    assert!(home.contains("9 leden herkennen dit"));
    assert!(home.contains("href=\"/opbrengsten/spreekuur-alleen-trekt-weinig-ouders\""), "latest lesson");
}

#[tokio::test]
async fn a_coordinator_bundles_a_regions_lessons_into_a_newsletter_block_or_a_kennisbank_record() {
    let app = TestApp::spawn_with_demo().await;
    let brabant = region_slug(&app, "JZ35").await;
    let campaign = CampaignBuilder::new(&app.db, "maart").subject("Nieuws in maart").create().await;
    let coordinator = app.logged_in(Role::Coordinator).await;
    let page = coordinator.text("/beheer/opbrengsten", 200).await;
    assert!(page.contains("Nieuws in maart"));

    // Bad input: 422, messages, choices kept, nothing written.
    let bad = coordinator
        .post(
            "/beheer/opbrengsten/bundel",
            &[("regio", &brabant), ("van", "2024-12-31"), ("tot", "2024-01-01"), ("doel", "")],
        )
        .await;
    assert_eq!(bad.status(), 422);
    let body = bad.text().await.unwrap();
    assert!(body.contains("De laatste dag ligt na de eerste"));
    assert!(body.contains("Kies een nieuwsbriefblok of een publicatie"));
    assert!(body.contains("value=\"2024-12-31\""));
    let empty = coordinator
        .post(
            "/beheer/opbrengsten/bundel",
            &[("regio", &brabant), ("van", "2020-01-01"), ("tot", "2020-12-31"), ("doel", "kennisbank")],
        )
        .await;
    assert_eq!(empty.status(), 422);
    assert!(empty.text().await.unwrap().contains("geen gepubliceerde lessen"));

    // To the newsletter: a text block with both lessons of 2024, not retyped.
    let campaign_id = campaign.to_string();
    let to_campaign = [
        ("regio", brabant.as_str()),
        ("van", "2024-01-01"),
        ("tot", "2024-12-31"),
        ("doel", "nieuwsbrief"),
        ("campagne", &campaign_id),
    ];
    let sent = coordinator.post("/beheer/opbrengsten/bundel", &to_campaign).await;
    assert_eq!(sent.status(), 303);
    assert_eq!(sent.headers()["location"].to_str().unwrap(), format!("/beheer/nieuwsbrieven/{campaign}"));
    let (kind, heading, body): (String, String, String) =
        sqlx::query_as("SELECT kind, heading, body_md FROM campaign_blocks WHERE campaign_id = $1")
            .bind(campaign)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(kind, "tekst");
    assert_eq!(heading, "Wat we leren in Midden-Brabant (Hart van Brabant)");
    assert!(body.contains("De doorbraaktafel werkt als het gezin zelf aan tafel zit"));
    assert!(body.contains("Zonder mandaat over budgetten geen doorbraak"));
    assert!(body.contains("/opbrengsten/zonder-mandaat-geen-doorbraak"));
    // A campaign that is no longer a concept takes no block.
    sqlx::query("UPDATE campaigns SET status = 'verzonden' WHERE id = $1")
        .bind(campaign)
        .execute(&app.db)
        .await
        .unwrap();
    let late = coordinator.post("/beheer/opbrengsten/bundel", &to_campaign).await;
    assert_eq!(late.status(), 422);

    // To the kennisbank: a publication in concept with the lessons as its text.
    let made = coordinator
        .post(
            "/beheer/opbrengsten/bundel",
            &[("regio", &brabant), ("van", "2024-01-01"), ("tot", "2024-12-31"), ("doel", "kennisbank")],
        )
        .await;
    assert_eq!(made.status(), 303);
    let (title, status, abstract_md): (String, String, String) = sqlx::query_as(
        "SELECT title, status, abstract_md FROM publications WHERE title LIKE 'Opbrengsten Midden-Brabant%'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(title, "Opbrengsten Midden-Brabant (Hart van Brabant) cohort 2023");
    assert_eq!(status, "concept");
    assert!(abstract_md.contains("Zonder mandaat over budgetten geen doorbraak"));

    // Editors review, only coordinators bundle.
    let editor = app.logged_in(Role::Redacteur).await;
    assert_eq!(editor.get("/beheer/opbrengsten").await.status(), 200);
    let refused = editor
        .post(
            "/beheer/opbrengsten/bundel",
            &[("regio", &brabant), ("van", "2024-01-01"), ("tot", "2024-12-31"), ("doel", "kennisbank")],
        )
        .await;
    assert_eq!(refused.status(), 403);
}

/// The list (page and API) comes from each instance's in-memory index; here it is held against
/// the same question put to PostgreSQL directly: the number found and the lessons of a page.
#[tokio::test]
async fn the_indexed_list_answers_as_the_database_does() {
    let app = TestApp::spawn_with_demo().await;
    bredeblik::seed::synthetic(&app.db, 300).await.unwrap();
    let pick = |sql: &'static str| {
        let db = app.db.clone();
        async move { sqlx::query_scalar::<_, String>(sql).fetch_one(&db).await.unwrap() }
    };
    let theme = pick("SELECT slug FROM themes ORDER BY position DESC LIMIT 1").await;
    let level = pick("SELECT slug FROM levels ORDER BY position LIMIT 1").await;
    let region = pick(
        "SELECT r.slug FROM regions r JOIN lessons l ON l.region_id = r.id GROUP BY r.slug ORDER BY count(*) DESC, r.slug LIMIT 1",
    )
    .await;
    let cohort: i32 = sqlx::query_scalar(
        "SELECT r.cohort_year FROM regions r JOIN lessons l ON l.region_id = r.id WHERE r.cohort_year IS NOT NULL
         GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    settle().await;
    let cohort = cohort.to_string();
    for (filters, page) in [
        (vec![], 1),
        (vec![], 3),
        (vec![("thema", theme.as_str())], 1),
        (vec![("niveau", level.as_str())], 2),
        (vec![("regio", region.as_str())], 1),
        (vec![("cohort", cohort.as_str()), ("thema", theme.as_str())], 1),
        (vec![("niveau", level.as_str()), ("thema", theme.as_str()), ("regio", region.as_str())], 1),
        (vec![("thema", "bestaat-niet")], 1),
    ] {
        let get = |key: &str| filters.iter().find(|(k, _)| *k == key).map(|(_, v)| (*v).to_owned());
        let expected: Vec<String> = sqlx::query_scalar(
            "SELECT l.slug FROM lessons l JOIN regions r ON r.id = l.region_id
             WHERE l.review = 'gepubliceerd'
               AND ($1::int IS NULL OR r.cohort_year = $1)
               AND ($2::text IS NULL
                    OR EXISTS (SELECT 1 FROM lesson_vraagstukken lv JOIN vraagstukken v ON v.id = lv.vraagstuk_id AND v.review = 'gepubliceerd'
                               JOIN vraagstuk_themes vt ON vt.vraagstuk_id = v.id JOIN themes t ON t.id = vt.theme_id
                               WHERE lv.lesson_id = l.id AND t.slug = $2)
                    OR EXISTS (SELECT 1 FROM lesson_initiatives li JOIN initiatives i ON i.id = li.initiative_id AND i.status = 'gepubliceerd'
                               JOIN initiative_themes it ON it.initiative_id = i.id JOIN themes t ON t.id = it.theme_id
                               WHERE li.lesson_id = l.id AND t.slug = $2))
               AND ($3::text IS NULL
                    OR EXISTS (SELECT 1 FROM lesson_vraagstukken lv JOIN vraagstukken v ON v.id = lv.vraagstuk_id AND v.review = 'gepubliceerd'
                               JOIN levels lvl ON lvl.id = v.level_id WHERE lv.lesson_id = l.id AND lvl.slug = $3)
                    OR EXISTS (SELECT 1 FROM lesson_initiatives li JOIN initiatives i ON i.id = li.initiative_id AND i.status = 'gepubliceerd'
                               JOIN initiative_levels il ON il.initiative_id = i.id JOIN levels lvl ON lvl.id = il.level_id
                               WHERE li.lesson_id = l.id AND lvl.slug = $3))
               AND ($4::text IS NULL OR r.slug = $4)
             ORDER BY l.happened_on DESC, l.id DESC",
        )
        .bind(get("cohort").map(|c| c.parse::<i32>().unwrap()))
        .bind(get("thema"))
        .bind(get("niveau"))
        .bind(get("regio"))
        .fetch_all(&app.db)
        .await
        .unwrap();
        let query: String = filters.iter().map(|(k, v)| format!("{k}={v}&")).collect();
        let (shown, total) =
            app.api_slugs(&format!("/api/v1/opbrengsten?{query}per_pagina=20&pagina={page}")).await;
        let wanted: Vec<String> = expected.iter().skip((page - 1) * 20).take(20).cloned().collect();
        assert_eq!(total, expected.len() as i64, "{query} total");
        assert_eq!(shown, wanted, "{query} page {page}");
        if page == 1 {
            let body = app.get_text(&format!("/opbrengsten?{query}"), 200).await;
            assert_eq!(
                lesson_slugs(&body),
                expected.iter().take(lesson_slugs(&body).len()).cloned().collect::<Vec<_>>()
            );
            assert_eq!(lesson_slugs(&body).len(), expected.len().min(20), "{query} on the page");
        }
    }
}
