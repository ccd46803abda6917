use crate::helpers::{PASSWORD, TestApp, extract_csrf, rust_sources};

/// A signed start time from a few seconds ago, as a person filling in the form would send.
fn started(app_secret_default: bool) -> String {
    assert!(app_secret_default);
    let secret = bredeblik::config::Secret::new("development-only-secret-key-do-not-use-in-production");
    let time = (time::OffsetDateTime::now_utc().unix_timestamp() - 30).to_string();
    format!("{time}.{}", bredeblik::tokens::sign(&secret, "form-started", &time))
}

fn registration<'a>(email: &'a str, started: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("soort", "persoon"),
        ("naam", "Fatima el Amrani"),
        ("organisatie", "Basisschool De Regenboog"),
        ("rol", "intern begeleider"),
        ("regio", "GM0344"),
        ("thema", "gewone-leven"),
        ("thema", "passend-onderwijs"),
        ("deel", "Hoe wij het zorgoverleg op school vervingen door een gesprek met ouders erbij."),
        ("zoek", "Scholen die hetzelfde proberen."),
        ("email", email),
        ("password", PASSWORD),
        ("password_repeat", PASSWORD),
        ("openbaar", "1"),
        ("privacy", "1"),
        ("website", ""),
        ("begonnen", started),
    ]
}

#[tokio::test]
async fn a_new_member_registers_confirms_and_is_approved_before_appearing() {
    let (app, mailbox) = TestApp::spawn_with_mail().await;
    bredeblik::seed::themes(&app.db).await.unwrap();
    let form = app.get_text("/aandeelhouder-worden", 200).await;
    assert!(form.contains("name=\"begonnen\""));
    let stamp = started(true);
    let response = app.post_form("/aandeelhouder-worden", &registration("fatima@voorbeeld.nl", &stamp)).await;
    assert_eq!(response.status(), 200);
    assert!(response.text().await.unwrap().contains("Bevestig uw e-mailadres"));
    assert_eq!(app.get("/aandeelhouders/fatima-el-amrani").await.status(), 404, "not public before approval");

    let mail = mailbox.wait_for("fatima@voorbeeld.nl", "Bevestig").await;
    let link = mail.link(&app.url("/aandeelhouder-worden/bevestigen/"));
    let path = link.trim_start_matches(&app.address).to_owned();
    let page = app.get_text(&path, 200).await;
    assert!(page.contains("Ja, dit is mijn e-mailadres"), "GET only shows a button");
    let status: String = sqlx::query_scalar("SELECT status FROM members WHERE slug = 'fatima-el-amrani'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(status, "onbevestigd", "a link scanner's GET confirms nothing");
    let response = app.post_form(&path, &[]).await;
    assert_eq!(response.status(), 200);
    let status: String = sqlx::query_scalar("SELECT status FROM members WHERE slug = 'fatima-el-amrani'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(status, "wacht_op_beoordeling");

    let coordinator = app.new_client();
    app.create_user("coordinator@voorbeeld.nl", "coordinator", PASSWORD).await;
    let coordinator_client = TestApp::spawn_second_client(&app, "coordinator@voorbeeld.nl", PASSWORD).await;
    drop(coordinator);
    let queue =
        coordinator_client.get(app.url("/beheer/aanmeldingen")).send().await.unwrap().text().await.unwrap();
    assert!(queue.contains("Fatima el Amrani"));
    let token = crate::helpers::extract_csrf(&queue);
    let id: i64 = sqlx::query_scalar("SELECT id FROM members WHERE slug = 'fatima-el-amrani'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let response = coordinator_client
        .post(app.url(&format!("/beheer/aanmeldingen/{id}")))
        .form(&[
            ("csrf_token", token.as_str()),
            ("besluit", "goedkeuren"),
            ("bericht", "Welkom, we kijken uit naar je verhalen!"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let welcome = mailbox.wait_for("fatima@voorbeeld.nl", "Welkom").await;
    assert!(welcome.body.contains("we kijken uit naar je verhalen"));

    let profile = app.get_text("/aandeelhouders/fatima-el-amrani", 200).await;
    assert!(profile.contains("Basisschool De Regenboog"));
    assert!(app.get_text("/aandeelhouders", 200).await.contains("Fatima el Amrani"));
    assert!(app.get_text("/zoeken?q=Fatima", 200).await.contains("/aandeelhouders/fatima-el-amrani"));
    let again = coordinator_client
        .post(app.url(&format!("/beheer/aanmeldingen/{id}")))
        .form(&[("csrf_token", token.as_str()), ("besluit", "afwijzen")])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409, "a decision is taken once");
}

#[tokio::test]
async fn registration_errors_are_dutch_per_field_and_keep_the_input() {
    let app = TestApp::spawn().await;
    let stamp = started(true);
    let mut fields = registration("geen-adres", &stamp);
    fields.retain(|(k, _)| *k != "privacy" && *k != "regio");
    fields.push(("regio", "GM9999"));
    let response = app.post_form("/aandeelhouder-worden", &fields).await;
    assert_eq!(response.status(), 422);
    let body = response.text().await.unwrap();
    for message in ["geldig e-mailadres", "Kies de gemeente", "vink aan dat u ermee akkoord gaat"] {
        assert!(body.contains(message), "{message}");
    }
    assert!(body.contains("value=\"Fatima el Amrani\""), "input kept");
    assert!(body.contains("Hoe wij het zorgoverleg"), "textarea kept");
    assert!(!body.contains(PASSWORD), "passwords are not echoed back");
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users").fetch_one(&app.db).await.unwrap();
    assert_eq!(users, 0);
}

#[tokio::test]
async fn bots_are_caught_by_the_honeypot_and_the_fill_time() {
    let app = TestApp::spawn().await;
    let stamp = started(true);
    let mut honeypot = registration("bot@voorbeeld.nl", &stamp);
    honeypot.retain(|(k, _)| *k != "website");
    honeypot.push(("website", "http://spam.example"));
    assert_eq!(app.post_form("/aandeelhouder-worden", &honeypot).await.status(), 422);
    let page = app.get_text("/aandeelhouder-worden", 200).await;
    let fresh =
        page.split("name=\"begonnen\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let fast = registration("bot@voorbeeld.nl", &fresh);
    assert_eq!(app.post_form("/aandeelhouder-worden", &fast).await.status(), 422, "sent at once");
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users").fetch_one(&app.db).await.unwrap();
    assert_eq!(users, 0);
}

#[tokio::test]
async fn registering_with_a_known_address_gives_the_same_answer_and_warns_the_owner() {
    let (app, mailbox) = TestApp::spawn_with_mail().await;
    app.create_user("bekend@voorbeeld.nl", "aandeelhouder", PASSWORD).await;
    let stamp = started(true);
    let response = app.post_form("/aandeelhouder-worden", &registration("bekend@voorbeeld.nl", &stamp)).await;
    assert_eq!(response.status(), 200);
    assert!(response.text().await.unwrap().contains("Bevestig uw e-mailadres"));
    mailbox.wait_for("bekend@voorbeeld.nl", "al een account").await;
    let members: i64 = sqlx::query_scalar("SELECT count(*) FROM members").fetch_one(&app.db).await.unwrap();
    assert_eq!(members, 0);
}

#[tokio::test]
async fn the_contact_form_relays_without_showing_the_address() {
    let (app, mailbox) = TestApp::spawn_with_mail().await;
    bredeblik::seed::demo(&app.db).await.unwrap();
    let (slug, contact): (String, String) = sqlx::query_as(
        "SELECT slug, contact_email FROM initiatives WHERE contact_email <> '' ORDER BY id LIMIT 1",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    let page = app.get_text(&format!("/initiatieven/{slug}"), 200).await;
    assert!(!page.contains(&contact));
    let stamp = started(true);
    let bad = app
        .post_form(
            &format!("/initiatieven/{slug}/contact"),
            &[("naam", "J"), ("email", "x"), ("bericht", "kort"), ("begonnen", &stamp)],
        )
        .await;
    assert_eq!(bad.status(), 422);
    let body = bad.text().await.unwrap();
    assert!(
        body.contains("Vul uw naam in")
            && body.contains("geldig e-mailadres")
            && body.contains("minstens 10 tekens")
    );

    let message = "Wij willen graag leren van jullie aanpak met ouders.";
    let ok = app
        .post_form(
            &format!("/initiatieven/{slug}/contact"),
            &[
                ("naam", "Joris Bakker"),
                ("email", "joris@voorbeeld.nl"),
                ("bericht", message),
                ("website", ""),
                ("begonnen", &stamp),
            ],
        )
        .await;
    assert_eq!(ok.status(), 303);
    let location = ok.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(location, format!("/initiatieven/{slug}?melding=verstuurd#contact"));
    let sent = app.get_text(&location, 200).await;
    assert!(sent.contains("Uw bericht is verstuurd. De contactpersoon van"), "the page confirms the message");
    let mail = mailbox.wait_for(&contact, "Bericht via Brede Blik").await;
    assert!(mail.body.contains(message));
    assert!(mail.headers.contains("Reply-To: joris@voorbeeld.nl"), "{}", mail.headers);
}

/// The arguments of a call whose text starts after its opening parenthesis.
fn arguments(call: &str) -> &str {
    let mut depth = 0;
    for (i, c) in call.char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return &call[..i],
            ')' => depth -= 1,
            _ => {}
        }
    }
    call
}

#[test]
fn every_post_route_in_the_source_is_covered_by_the_csrf_test_list() {
    // The CSRF middleware guards every unsafe request; this keeps the test's list of routes
    // (accounts.rs) honest by finding every `.route("…", post(…))` and every back-office
    // declaration `.post("…", role, handler)` or `.editor("…", role, editor)` in the source.
    let mut found = Vec::new();
    for source in rust_sources() {
        for call in source.split(".route(").skip(1).map(arguments) {
            if call.trim_start().starts_with('"') && call.contains("post(") {
                found.push(call.split('"').nth(1).unwrap().to_owned());
            }
        }
        for call in source.split(".post(").skip(1).map(arguments) {
            if call.trim_start().starts_with('"') {
                found.push(call.split('"').nth(1).unwrap().to_owned());
            }
        }
        // An editor `.editor("…", role, Editor { … })` posts to its base and to `{base}/{id}`.
        for call in source.split(".editor(").skip(1).map(arguments) {
            if call.trim_start().starts_with('"') {
                let base = call.split('"').nth(1).unwrap();
                found.extend([base.to_owned(), format!("{base}/{{id}}")]);
            }
        }
    }
    // Exempt on purpose (RFC 8058 one-click unsubscribe): see web::csrf::EXEMPT_PREFIXES.
    found.retain(|path| !bredeblik::web::csrf::EXEMPT_PREFIXES.iter().any(|prefix| path.starts_with(prefix)));
    found.sort();
    let mut listed: Vec<String> = crate::accounts::PUBLIC_POST_ROUTES.iter().map(|s| s.to_string()).collect();
    listed
        .extend(bredeblik::admin::routes().iter().filter(|r| r.method == "POST").map(|r| r.path.to_string()));
    listed.sort();
    listed.dedup();
    found.dedup();
    assert_eq!(found, listed, "every POST route must be in the CSRF test");
}

#[tokio::test]
async fn members_keep_their_own_profile_up_to_date() {
    let app = TestApp::spawn_with_demo().await;
    let id = app.create_user("lid@voorbeeld.nl", "aandeelhouder", PASSWORD).await;
    app.member_for(id, "Oude Naam").slug("mijn-profiel").role("leerkracht").listed().create().await;
    assert_eq!(app.get("/account/profiel").await.status(), 303, "login required");
    app.login("lid@voorbeeld.nl", PASSWORD).await;
    let form = app.get_text("/account/profiel", 200).await;
    assert!(form.contains("value=\"Oude Naam\"") && form.contains("Uw profiel staat openbaar"));

    let bad = app.post_form("/account/profiel", &[("naam", "X"), ("regio", "GM9999"), ("deel", "")]).await;
    assert_eq!(bad.status(), 422);
    let response = app
        .post_form(
            "/account/profiel",
            &[
                ("naam", "Nieuwe Naam"),
                ("organisatie", "School"),
                ("rol", "intern begeleider"),
                ("regio", "GM0363"),
                ("thema", "ontschotting"),
                ("deel", "Ons zorgoverleg met ouders."),
                ("openbaar", "1"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(location, "/account/profiel?melding=opgeslagen");
    assert!(app.get_text(&location, 200).await.contains("Uw profiel is opgeslagen."));
    let unknown = app.get_text("/account/profiel?melding=%3Cb%3Ehallo%3C%2Fb%3E", 200).await;
    assert!(
        !unknown.contains("class=\"notice\"") && !unknown.contains("hallo"),
        "only declared notices show"
    );
    let public = app.get_text("/aandeelhouders/mijn-profiel", 200).await;
    assert!(
        public.contains("Nieuwe Naam")
            && public.contains("Amsterdam")
            && public.contains("Ons zorgoverleg met ouders.")
    );
    app.post_form(
        "/account/profiel",
        &[("naam", "Nieuwe Naam"), ("regio", "GM0363"), ("deel", "Ons zorgoverleg met ouders.")],
    )
    .await;
    assert_eq!(
        app.get("/aandeelhouders/mijn-profiel").await.status(),
        404,
        "unticking 'openbaar' hides the profile"
    );
}

#[tokio::test]
async fn regions_apply_before_the_deadline_and_coordinators_select_them() {
    let (app, mailbox) = TestApp::spawn_with_mail().await;
    let closed = app.get_text("/inspiratieregio-aanmelden", 200).await;
    assert!(closed.contains("gesloten"), "no deadline set: closed");

    app.create_user("coordinator@voorbeeld.nl", "coordinator", PASSWORD).await;
    let coordinator = TestApp::spawn_second_client(&app, "coordinator@voorbeeld.nl", PASSWORD).await;
    let admin_page =
        coordinator.get(app.url("/beheer/inspiratieregios")).send().await.unwrap().text().await.unwrap();
    let token = crate::helpers::extract_csrf(&admin_page);
    let tomorrow = (time::OffsetDateTime::now_utc() + time::Duration::days(1)).date().to_string();
    let response = coordinator
        .post(app.url("/beheer/inspiratieregios/termijn"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("sluitingsdatum", tomorrow.as_str()),
            ("bekendmaking", "begin december"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);

    let open = app.get_text("/inspiratieregio-aanmelden", 200).await;
    assert!(open.contains("Aanmelden kan tot en met") && open.contains("begin december"));
    let stamp = started(true);
    let short = app
        .post_form(
            "/inspiratieregio-aanmelden",
            &[
                ("regio", "JZ13"),
                ("naam", "Wethouder"),
                ("email", "x"),
                ("motivatie", "kort"),
                ("begonnen", &stamp),
            ],
        )
        .await;
    assert_eq!(short.status(), 422);
    assert!(short.text().await.unwrap().contains("minstens 50 tekens"));
    let motivation =
        "Wij willen onderwijs, kinderopvang en het wijkteam onder één dak laten samenwerken rond elk kind.";
    let response = app
        .post_form(
            "/inspiratieregio-aanmelden",
            &[
                ("regio", "GM0363"),
                ("naam", "Mira Jansen"),
                ("functie", "beleidsadviseur"),
                ("email", "mira@voorbeeld.nl"),
                ("motivatie", motivation),
                ("website", ""),
                ("begonnen", &stamp),
            ],
        )
        .await;
    assert_eq!(response.status(), 200);
    assert!(response.text().await.unwrap().contains("uw aanmelding is ontvangen"));
    mailbox.wait_for("mira@voorbeeld.nl", "ontvangen").await;

    let id: i64 = sqlx::query_scalar("SELECT id FROM region_applications").fetch_one(&app.db).await.unwrap();
    let response = coordinator
        .post(app.url(&format!("/beheer/inspiratieregios/{id}")))
        .form(&[("csrf_token", token.as_str()), ("besluit", "selecteren"), ("bericht", "Van harte welkom!")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let mail = mailbox.wait_for("mira@voorbeeld.nl", "Besluit").await;
    assert!(mail.body.contains("geselecteerd") && mail.body.contains("Van harte welkom!"));
    let (inspiration, cohort): (bool, Option<i32>) =
        sqlx::query_as("SELECT is_inspiration, cohort_year FROM regions WHERE code = 'GM0363'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(inspiration && cohort.is_some());
    assert!(app.get_text("/regios", 200).await.contains("/regios/amsterdam"));

    // After the deadline the page says it is closed, and a POST changes nothing.
    sqlx::query("UPDATE settings SET value = '2020-01-01' WHERE key = 'inspiratieregio_deadline'")
        .execute(&app.db)
        .await
        .unwrap();
    let after = app.get_text("/inspiratieregio-aanmelden", 200).await;
    assert!(
        after.contains("gesloten") && after.contains("1 januari 2020") && after.contains("begin december")
    );
    app.post_form(
        "/inspiratieregio-aanmelden",
        &[
            ("regio", "GM0344"),
            ("naam", "Laat"),
            ("email", "laat@voorbeeld.nl"),
            ("motivatie", motivation),
            ("begonnen", &stamp),
        ],
    )
    .await;
    let count: i64 =
        sqlx::query_scalar("SELECT count(*) FROM region_applications").fetch_one(&app.db).await.unwrap();
    assert_eq!(count, 1);
}

#[tokio::test]
async fn consent_to_a_public_profile_is_never_ticked_in_advance() {
    let app = TestApp::spawn_with_demo().await;
    let form = app.get_text("/aandeelhouder-worden", 200).await;
    let checkbox = form.split("name=\"openbaar\"").nth(1).unwrap().split('>').next().unwrap();
    assert!(!checkbox.contains("checked"), "the join form starts unticked: {checkbox}");

    // Existing members keep their choice, both ways.
    for (email, public) in [("open@voorbeeld.nl", true), ("dicht@voorbeeld.nl", false)] {
        app.member(email, email.split('@').next().unwrap()).public(public).approved().create().await;
    }
    // Migrating again (as every start-up does) changes no choice.
    bredeblik::db::migrate(&app.db).await.unwrap();
    for (email, public) in [("open@voorbeeld.nl", true), ("dicht@voorbeeld.nl", false)] {
        let browser = app.new_client();
        let token =
            extract_csrf(&browser.get(app.url("/inloggen")).send().await.unwrap().text().await.unwrap());
        let login = browser
            .post(app.url("/inloggen"))
            .form(&[("email", email), ("password", PASSWORD), ("csrf_token", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(login.status(), 303, "{email} logs in");
        let page = browser.get(app.url("/account/profiel")).send().await.unwrap().text().await.unwrap();
        let checkbox = page.split("name=\"openbaar\"").nth(1).unwrap().split('>').next().unwrap();
        assert_eq!(checkbox.contains("checked"), public, "{email}: {checkbox}");
    }
    // No migration flips the choice or makes it the default.
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations")).unwrap() {
        let sql = std::fs::read_to_string(entry.unwrap().path()).unwrap().to_lowercase();
        assert!(!sql.contains("public_profile boolean not null default true"));
        assert!(!(sql.contains("update members") && sql.contains("public_profile")));
    }
}
