//! Vraagstukken proposed by members and curated in `/beheer/vraagstukken`: proposals through
//! review (obstacles and alternatives), the links on both sides after approval, merging with
//! its redirect and moved recognitions, and bad input on every new form.

use crate::helpers::{Browser, Role, TestApp, alternative};

async fn id_of(app: &TestApp, slug: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM vraagstukken WHERE slug = $1")
        .bind(slug)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

async fn review_of(app: &TestApp, slug: &str) -> String {
    sqlx::query_scalar("SELECT review FROM vraagstukken WHERE slug = $1")
        .bind(slug)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

async fn outbox_kinds(app: &TestApp) -> Vec<String> {
    sqlx::query_scalar("SELECT kind FROM outbox ORDER BY id").fetch_all(&app.db).await.unwrap()
}

fn location(response: &reqwest::Response) -> String {
    response.headers().get("location").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
}

/// Waits until the page caches have seen a change (they recheck every 250 ms).
async fn settle() {
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
}

const PROPOSAL: &[(&str, &str)] = &[
    ("titel", "Schoolverzuim wordt te laat besproken"),
    (
        "samenvatting",
        "Als een kind thuiszit, duurt het maanden voor school, zorg en gemeente samen om tafel zitten.",
    ),
    ("tekst", "Een **lange** toelichting."),
    ("niveau", "bestuurlijk"),
    ("thema", "samenwerken-onderwijs-zorg"),
];

#[tokio::test]
async fn a_proposed_obstacle_waits_for_review_and_is_public_once_approved() {
    let app = TestApp::spawn_with_demo().await;
    let editor = app.logged_in(Role::Redacteur).await;
    let member = app.logged_in(Role::Aandeelhouder).await;
    // The member has an approved, public profile: they show as the one who raised it.
    let account = app.user_id("aandeelhouder@voorbeeld.nl").await;
    app.member_for(account, "Lid Voorsteller").offer("Iets").public(true).approved().create().await;
    assert!(member.text("/account", 200).await.contains("href=\"/account/vraagstukken\""));
    assert!(member.text("/account/vraagstukken/nieuw", 200).await.contains("name=\"titel\""));

    let response = member.post("/account/vraagstukken/nieuw", PROPOSAL).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/account/vraagstukken?melding=voorgesteld");
    let slug = "schoolverzuim-wordt-te-laat-besproken";
    assert_eq!(review_of(&app, slug).await, "ter_beoordeling");
    // Not public yet; the member sees it with its state, the editors were mailed.
    app.get_text(&format!("/vraagstukken/{slug}"), 404).await;
    assert!(!app.get_text("/vraagstukken", 200).await.contains(slug));
    let mine = member.text("/account/vraagstukken", 200).await;
    assert!(mine.contains("Schoolverzuim wordt te laat besproken") && mine.contains("Ter beoordeling"));
    assert!(outbox_kinds(&app).await.contains(&"vraagstuk-ter-beoordeling".to_owned()));
    // In the editors' queue, and the member cannot decide.
    let id = id_of(&app, slug).await;
    assert!(
        editor
            .text("/beheer/vraagstukken", 200)
            .await
            .contains(&format!("/beheer/vraagstukken/{id}#besluit"))
    );
    let page = editor.text(&format!("/beheer/vraagstukken/{id}"), 200).await;
    assert!(page.contains("Voorstel ter beoordeling"));
    let refused =
        member.post(&format!("/beheer/vraagstukken/{id}/beoordeling"), &[("besluit", "goedkeuren")]).await;
    assert_eq!(refused.status(), 403);

    let approved = editor
        .post(
            &format!("/beheer/vraagstukken/{id}/beoordeling"),
            &[("besluit", "goedkeuren"), ("bericht", "Mooi.")],
        )
        .await;
    assert_eq!(approved.status(), 303);
    assert_eq!(review_of(&app, slug).await, "gepubliceerd");
    assert!(outbox_kinds(&app).await.contains(&"vraagstuk-goedgekeurd".to_owned()));
    settle().await;
    let public = app.get_text(&format!("/vraagstukken/{slug}"), 200).await;
    assert!(public.contains("<strong>lange</strong>"));
    assert!(public.contains("href=\"/aandeelhouders/lid-voorsteller\""), "raised by the member");
    let list = app.get_text("/vraagstukken?niveau=bestuurlijk", 200).await;
    assert!(list.contains(&format!("href=\"/vraagstukken/{slug}\"")));
    // A second decision is refused; the audit log has both steps.
    let again =
        editor.post(&format!("/beheer/vraagstukken/{id}/beoordeling"), &[("besluit", "afwijzen")]).await;
    assert_eq!(again.status(), 409);
    let actions = app.audit_actions("vraagstuk", Some(id)).await;
    assert_eq!(actions, ["vraagstuk voorgesteld", "vraagstuk goedgekeurd"]);

    // A rejected proposal goes back to concept and stays off the site.
    let mut second = PROPOSAL.to_vec();
    second[0] = ("titel", "Een tweede voorstel");
    assert_eq!(member.post("/account/vraagstukken/nieuw", &second).await.status(), 303);
    let second_id = id_of(&app, "een-tweede-voorstel").await;
    let rejected = editor
        .post(&format!("/beheer/vraagstukken/{second_id}/beoordeling"), &[("besluit", "afwijzen")])
        .await;
    assert_eq!(rejected.status(), 303);
    assert_eq!(review_of(&app, "een-tweede-voorstel").await, "concept");
    app.get_text("/vraagstukken/een-tweede-voorstel", 404).await;
    assert!(outbox_kinds(&app).await.contains(&"vraagstuk-afgewezen".to_owned()));
}

#[tokio::test]
async fn a_proposed_alternative_is_shown_on_both_sides_once_approved() {
    let app = TestApp::spawn_with_demo().await;
    let editor = app.logged_in(Role::Redacteur).await;
    let member = app.logged_in(Role::Aandeelhouder).await;
    let obstacle = "labels-die-stigmatiseren";
    let initiative = app.initiative("Samen in de klas").published().create().await;
    let _ = initiative;
    // From the obstacle's page.
    let page = app.get_text(&format!("/vraagstukken/{obstacle}"), 200).await;
    assert!(page.contains(&format!("/account/vraagstukken/alternatief?vraagstuk={obstacle}")));
    let form = member.text(&format!("/account/vraagstukken/alternatief?vraagstuk={obstacle}"), 200).await;
    assert!(form.contains(&format!("name=\"vraagstuk\" value=\"{obstacle}\"")));

    let fields = [
        ("vraagstuk", obstacle),
        ("adres", "https://bredeblik.example/initiatieven/samen-in-de-klas"),
        ("waarom", "Leerkrachten en jeugdhulp werken samen in de klas, zonder etiket vooraf."),
    ];
    let response = member.post("/account/vraagstukken/alternatief", &fields).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/account/vraagstukken?melding=alternatief");
    // Waiting: on neither side yet.
    settle().await;
    assert!(
        !app.get_text(&format!("/vraagstukken/{obstacle}"), 200)
            .await
            .contains("/initiatieven/samen-in-de-klas")
    );
    assert!(
        !app.get_text("/initiatieven/samen-in-de-klas", 200)
            .await
            .contains(&format!("/vraagstukken/{obstacle}"))
    );
    assert!(member.text("/account/vraagstukken", 200).await.contains("Samen in de klas"));
    // The same link again is a duplicate, with the input kept.
    let duplicate = member.post("/account/vraagstukken/alternatief", &fields).await;
    assert_eq!(duplicate.status(), 422);
    let body = duplicate.text().await.unwrap();
    assert!(body.contains("staat al bij dit vraagstuk"));
    assert!(body.contains("Leerkrachten en jeugdhulp werken samen in de klas"));

    let id = id_of(&app, obstacle).await;
    let alternative: i64 =
        sqlx::query_scalar("SELECT id FROM vraagstuk_alternatives WHERE review = 'ter_beoordeling'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(editor.text("/beheer/vraagstukken", 200).await.contains("Samen in de klas"));
    let approved = editor
        .post(
            &format!("/beheer/vraagstukken/{id}/alternatieven/{alternative}/beoordeling"),
            &[("besluit", "goedkeuren")],
        )
        .await;
    assert_eq!(approved.status(), 303);
    settle().await;
    let page = app.get_text(&format!("/vraagstukken/{obstacle}"), 200).await;
    assert!(page.contains("href=\"/initiatieven/samen-in-de-klas\""));
    assert!(page.contains("zonder etiket vooraf"));
    let other = app.get_text("/initiatieven/samen-in-de-klas", 200).await;
    assert!(other.contains(&format!("href=\"/vraagstukken/{obstacle}\"")));

    // A rejected alternative is gone (and may be proposed again).
    let publication = [
        ("vraagstuk", obstacle),
        ("adres", "/kennisbank/analyse-radicale-vernieuwing-2021"),
        ("waarom", "De analyse beschrijft wat etiketten doen."),
    ];
    assert_eq!(member.post("/account/vraagstukken/alternatief", &publication).await.status(), 303);
    let waiting: i64 =
        sqlx::query_scalar("SELECT id FROM vraagstuk_alternatives WHERE review = 'ter_beoordeling'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let rejected = editor
        .post(
            &format!("/beheer/vraagstukken/{id}/alternatieven/{waiting}/beoordeling"),
            &[("besluit", "afwijzen")],
        )
        .await;
    assert_eq!(rejected.status(), 303);
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM vraagstuk_alternatives WHERE id = $1")
        .bind(waiting)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(left, 0);
    assert!(outbox_kinds(&app).await.contains(&"vraagstuk-afgewezen".to_owned()));

    // The editor adds, edits and removes an alternative directly.
    let added = editor
        .post(
            &format!("/beheer/vraagstukken/{id}/alternatieven"),
            &[
                ("adres", "/bijeenkomsten/landelijke-bijeenkomst-11-november-2026"),
                ("waarom", "Daar praten we erover."),
            ],
        )
        .await;
    assert_eq!(added.status(), 303);
    let direct: i64 =
        sqlx::query_scalar("SELECT id FROM vraagstuk_alternatives WHERE why = 'Daar praten we erover.'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let path = format!("/beheer/vraagstukken/{id}/alternatieven/{direct}");
    assert_eq!(
        editor.post(&path, &[("actie", "opslaan"), ("waarom", "Daar spreken we over.")]).await.status(),
        303
    );
    settle().await;
    assert!(app.get_text(&format!("/vraagstukken/{obstacle}"), 200).await.contains("Daar spreken we over."));
    assert_eq!(editor.post(&path, &[("actie", "opslaan"), ("waarom", "")]).await.status(), 400);
    assert_eq!(editor.post(&path, &[("actie", "verwijderen")]).await.status(), 303);
    assert_eq!(editor.post(&path, &[("actie", "verwijderen")]).await.status(), 404);
}

#[tokio::test]
async fn bad_alternatives_get_a_dutch_message_and_nothing_is_written() {
    let app = TestApp::spawn_with_demo().await;
    let member = app.logged_in(Role::Aandeelhouder).await;
    let editor = app.logged_in(Role::Redacteur).await;
    app.initiative("Nog niet klaar").create().await;
    let obstacle = "afwijken-mag-niet";
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM vraagstuk_alternatives")
            .fetch_one(&app.db)
            .await
            .unwrap()
    };
    let before = count().await;
    let huge = "x".repeat(5_000);
    for (adres, waarom, message) in [
        ("/initiatieven/bestaat-niet", "Helpt.", "geen gepubliceerde initiatief"),
        ("/initiatieven/nog-niet-klaar", "Helpt.", "geen gepubliceerde initiatief"),
        ("javascript:alert(1)", "Helpt.", "Plak het adres"),
        ("/vraagstukken/afwijken-mag-niet", "Helpt.", "Plak het adres"),
        ("/initiatieven/speelkwartier-noord", "", "waarom dit helpt"),
        ("/initiatieven/speelkwartier-noord", huge.as_str(), "hoogstens 300 tekens"),
    ] {
        let response = member
            .post(
                "/account/vraagstukken/alternatief",
                &[("vraagstuk", obstacle), ("adres", adres), ("waarom", waarom)],
            )
            .await;
        assert_eq!(response.status(), 422, "{adres}");
        let body = response.text().await.unwrap();
        assert!(body.contains(message), "{adres}: {message}");
        assert!(!body.contains("<script>alert"), "{adres}");
        // The back office's form answers the same way.
        let id = id_of(&app, obstacle).await;
        let response = editor
            .post(
                &format!("/beheer/vraagstukken/{id}/alternatieven"),
                &[("adres", adres), ("waarom", waarom)],
            )
            .await;
        assert_eq!(response.status(), 422, "beheer {adres}");
        assert!(response.text().await.unwrap().contains(message), "beheer {adres}");
    }
    // An obstacle that is not public, or unknown.
    for vraagstuk in ["bestaat-niet", ""] {
        let response = member
            .post(
                "/account/vraagstukken/alternatief",
                &[
                    ("vraagstuk", vraagstuk),
                    ("adres", "/initiatieven/speelkwartier-noord"),
                    ("waarom", "Helpt."),
                ],
            )
            .await;
        assert_eq!(response.status(), 422);
        assert!(response.text().await.unwrap().contains("Kies een vraagstuk uit de lijst"));
    }
    // A link the obstacle already has (published) is a duplicate.
    let response = member
        .post(
            "/account/vraagstukken/alternatief",
            &[
                ("vraagstuk", "te-weinig-ruimte-om-kind-te-zijn"),
                ("adres", "/initiatieven/speelkwartier-noord"),
                ("waarom", "Nog eens."),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    assert_eq!(count().await, before);
    // A visitor is sent to log in.
    let anonymous = app.bare_client().get(app.url("/account/vraagstukken/nieuw")).send().await.unwrap();
    assert!(anonymous.status().is_redirection());
}

#[tokio::test]
async fn bad_obstacles_get_a_dutch_message_with_the_input_kept() {
    let app = TestApp::spawn_with_demo().await;
    let member = app.logged_in(Role::Aandeelhouder).await;
    let editor = app.logged_in(Role::Redacteur).await;
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM vraagstukken").fetch_one(&app.db).await.unwrap()
    };
    let before = count().await;
    let huge = "lang ".repeat(10_000);
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![], "titel van minstens 3 tekens"),
        (
            vec![("titel", "<script>alert(1)</script>"), ("samenvatting", "Kort."), ("niveau", "nergens")],
            "Kies op welk niveau",
        ),
        (vec![("titel", "!!!"), ("samenvatting", "Kort."), ("niveau", "politiek")], "ook letters of cijfers"),
        (
            vec![("titel", "Goed"), ("samenvatting", huge.as_str()), ("niveau", "politiek")],
            "hoogstens 300 tekens",
        ),
        (
            vec![
                ("titel", "Goed"),
                ("samenvatting", "Kort."),
                ("tekst", huge.as_str()),
                ("niveau", "politiek"),
            ],
            "te lang",
        ),
        (
            vec![("titel", "Goed"), ("samenvatting", "Kort."), ("niveau", "politiek"), ("thema", "x'--")],
            "Kies thema",
        ),
        (
            vec![("titel", "Goed"), ("samenvatting", "Kort."), ("niveau", "politiek"), ("regio", "<b>")],
            "Kies regio",
        ),
    ];
    for (fields, message) in &cases {
        let response = member.post("/account/vraagstukken/nieuw", fields).await;
        assert_eq!(response.status(), 422, "{message}");
        let body = response.text().await.unwrap();
        assert!(body.contains(message), "{message}");
        assert!(!body.contains("<script>alert"), "escaped");
        if let Some((_, title)) = fields.iter().find(|(k, _)| *k == "titel") {
            let kept = if title.contains("alert") { "alert(1)" } else { title };
            assert!(body.contains(kept), "input kept: {title}");
        }
        let response = editor.post("/beheer/vraagstukken", fields).await;
        assert_eq!(response.status(), 422, "beheer {message}");
    }
    // The back office also wants a known status and review state.
    let response = editor
        .post(
            "/beheer/vraagstukken",
            &[
                ("titel", "Goed"),
                ("samenvatting", "Kort."),
                ("niveau", "politiek"),
                ("status", "weg"),
                ("beoordeling", "x"),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    let body = response.text().await.unwrap();
    assert!(
        body.contains("Kies de stand van zaken") && body.contains("Kies of het vraagstuk op de site staat")
    );
    assert_eq!(count().await, before, "nothing half-written");
    // A body that does not fit the form is a 400.
    let response = member.post("/account/vraagstukken/nieuw", &[("titel[]", "x"), ("titel", "y")]).await;
    assert!(response.status().is_client_error());
    // Unknown ids in the back office.
    for path in ["/beheer/vraagstukken/999999", "/beheer/vraagstukken/abc"] {
        assert_eq!(editor.get(path).await.status(), 404, "{path}");
    }
}

#[tokio::test]
async fn an_editor_creates_and_edits_an_obstacle_with_the_audit_log() {
    let app = TestApp::spawn_with_demo().await;
    let editor = app.logged_in(Role::Redacteur).await;
    assert!(editor.text("/beheer", 200).await.contains("href=\"/beheer/vraagstukken\""));
    assert!(editor.text("/beheer/vraagstukken/nieuw", 200).await.contains("name=\"beoordeling\""));
    let response = editor
        .post(
            "/beheer/vraagstukken",
            &[
                ("titel", "Budgetten schotten de zorg"),
                ("samenvatting", "Elk potje zijn eigen regels."),
                ("niveau", "politiek"),
                ("status", "in_gesprek"),
                ("beoordeling", "gepubliceerd"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let id = id_of(&app, "budgetten-schotten-de-zorg").await;
    settle().await;
    let page = app.get_text("/vraagstukken/budgetten-schotten-de-zorg", 200).await;
    assert!(page.contains("In gesprek") && page.contains("de redactie"));
    let response = editor
        .post(
            &format!("/beheer/vraagstukken/{id}"),
            &[
                ("titel", "Budgetten schotten de zorg af"),
                ("samenvatting", "Elk potje zijn eigen regels."),
                ("niveau", "beleidsmatig"),
                ("status", "alternatief_gevonden"),
                ("beoordeling", "gepubliceerd"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    settle().await;
    // The slug stays; level and status changed.
    let page = app.get_text("/vraagstukken/budgetten-schotten-de-zorg", 200).await;
    assert!(page.contains("Budgetten schotten de zorg af") && page.contains("Alternatief gevonden"));
    assert!(page.contains("Beleidsmatig"));
    // Filters in the back office.
    let list =
        editor.text("/beheer/vraagstukken?status=alternatief_gevonden&beoordeling=gepubliceerd", 200).await;
    assert!(list.contains("Budgetten schotten de zorg af"));
    let list = editor.text("/beheer/vraagstukken?status=gesignaleerd", 200).await;
    assert!(!list.contains("Budgetten schotten de zorg af"));
    let actions = app.audit_actions("vraagstuk", Some(id)).await;
    assert_eq!(actions, ["vraagstuk aangemaakt", "vraagstuk bewerkt"]);
}

async fn recognise(browser: &Browser<'_>, slug: &str) {
    let response = browser.post(&format!("/vraagstukken/{slug}/herkennen"), &[("actie", "herken")]).await;
    assert_eq!(response.status(), 303);
}

#[tokio::test]
async fn merging_moves_links_and_recognitions_once_and_redirects() {
    let app = TestApp::spawn_with_demo().await;
    let editor = app.logged_in(Role::Redacteur).await;
    let one = app.logged_in(Role::Aandeelhouder).await;
    let two = app.logged_in(Role::Coordinator).await;
    let (from, into) = ("labels-die-stigmatiseren", "afwijken-mag-niet");
    // Member one recognises both, member two only the one that goes.
    recognise(&one, from).await;
    recognise(&one, into).await;
    recognise(&two, from).await;
    let (from_id, into_id) = (id_of(&app, from).await, id_of(&app, into).await);
    // The one that goes answers with an initiative the survivor also has, and one it has not.
    let shared: i64 = sqlx::query_scalar(
        "SELECT initiative_id FROM vraagstuk_alternatives WHERE vraagstuk_id = $1 AND initiative_id IS NOT NULL LIMIT 1",
    )
    .bind(into_id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    sqlx::query("DELETE FROM vraagstuk_alternatives WHERE vraagstuk_id = $1")
        .bind(from_id)
        .execute(&app.db)
        .await
        .unwrap();
    let own = app.initiative("Alleen bij de ene").published().create().await;
    for initiative in [shared, own] {
        alternative(&app.db, from_id, initiative).await;
    }
    let alternatives_before: i64 =
        sqlx::query_scalar("SELECT count(*) FROM vraagstuk_alternatives WHERE vraagstuk_id = $1")
            .bind(into_id)
            .fetch_one(&app.db)
            .await
            .unwrap();

    // Merging with itself is refused in Dutch.
    let itself = editor
        .post(&format!("/beheer/vraagstukken/{from_id}/samenvoegen"), &[("met", &from_id.to_string())])
        .await;
    assert_eq!(itself.status(), 422);
    assert!(itself.text().await.unwrap().contains("niet met zichzelf"));
    let nothing = editor.post(&format!("/beheer/vraagstukken/{from_id}/samenvoegen"), &[("met", "")]).await;
    assert_eq!(nothing.status(), 422);
    let unknown =
        editor.post(&format!("/beheer/vraagstukken/{from_id}/samenvoegen"), &[("met", "999999")]).await;
    assert_eq!(unknown.status(), 422);

    let merged = editor
        .post(&format!("/beheer/vraagstukken/{from_id}/samenvoegen"), &[("met", &into_id.to_string())])
        .await;
    assert_eq!(merged.status(), 303);
    // Recognitions moved and counted once per member.
    let (count, rows): (i32, i64) = sqlx::query_as(
        "SELECT v.recognitions, (SELECT count(*) FROM vraagstuk_recognitions r WHERE r.vraagstuk_id = v.id) \
         FROM vraagstukken v WHERE v.id = $1",
    )
    .bind(into_id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!((count, rows), (2, 2));
    let left: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM vraagstuk_recognitions WHERE vraagstuk_id = $1) \
              + (SELECT count(*) FROM vraagstuk_alternatives WHERE vraagstuk_id = $1)",
    )
    .bind(from_id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(left, 0);
    // The new alternative moved, the shared one was dropped.
    let alternatives_after: i64 =
        sqlx::query_scalar("SELECT count(*) FROM vraagstuk_alternatives WHERE vraagstuk_id = $1")
            .bind(into_id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(alternatives_after, alternatives_before + 1);
    // The old URL answers 301 to the survivor, which shows the count.
    settle().await;
    let response = app.bare_client().get(app.url(&format!("/vraagstukken/{from}"))).send().await.unwrap();
    assert_eq!(response.status(), 301);
    assert_eq!(location(&response), format!("/vraagstukken/{into}"));
    assert!(
        app.get_text(&format!("/vraagstukken/{into}"), 200)
            .await
            .contains("<strong>2</strong> leden herkennen")
    );
    assert!(
        app.get_text(&format!("/vraagstukken/{into}"), 200).await.contains("/initiatieven/alleen-bij-de-ene")
    );
    // Merging again, or into a merged one, is refused.
    let again = editor
        .post(&format!("/beheer/vraagstukken/{from_id}/samenvoegen"), &[("met", &into_id.to_string())])
        .await;
    assert_eq!(again.status(), 422);
    assert!(again.text().await.unwrap().contains("al samengevoegd"));
    let third = id_of(&app, "te-weinig-ruimte-om-kind-te-zijn").await;
    let into_merged = editor
        .post(&format!("/beheer/vraagstukken/{third}/samenvoegen"), &[("met", &from_id.to_string())])
        .await;
    assert_eq!(into_merged.status(), 422);
    let audit: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'vraagstuk samengevoegd' AND target_id = $1",
    )
    .bind(from_id.to_string())
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(audit, 1);
}

#[tokio::test]
async fn recognitions_are_in_the_data_export_and_go_with_the_account() {
    let app = TestApp::spawn_with_demo().await;
    let member = app.logged_in(Role::Aandeelhouder).await;
    recognise(&member, "afwijken-mag-niet").await;
    assert_eq!(member.post("/account/vraagstukken/nieuw", PROPOSAL).await.status(), 303);
    let export: serde_json::Value = member.get("/account/gegevens.json").await.json().await.unwrap();
    assert_eq!(export["vraagstukken"]["herkend"][0]["slug"], "afwijken-mag-niet");
    assert_eq!(export["vraagstukken"]["voorgestelde_vraagstukken"][0]["beoordeling"], "ter_beoordeling");
    let response = member.post("/account/verwijderen", &[("password", crate::helpers::PASSWORD)]).await;
    assert!(response.status().is_redirection(), "{}", response.status());
    let left: i64 =
        sqlx::query_scalar("SELECT count(*) FROM vraagstuk_recognitions").fetch_one(&app.db).await.unwrap();
    assert_eq!(left, 0, "the recognition went with the account");
    let count: i32 =
        sqlx::query_scalar("SELECT recognitions FROM vraagstukken WHERE slug = 'afwijken-mag-niet'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(count, 0, "and no longer counts");
    // The proposal stays, without a proposer.
    let proposer: Option<i64> = sqlx::query_scalar(
        "SELECT proposed_by FROM vraagstukken WHERE slug = 'schoolverzuim-wordt-te-laat-besproken'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(proposer, None);
}
