//! Members propose initiatives, editors review and edit them, coordinators keep the
//! vocabularies: the catalogue's editorial side.

use crate::helpers::{Browser, PASSWORD, Role, SubscriberBuilder, TestApp};

fn location(response: &reqwest::Response) -> String {
    response.headers().get("location").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
}

async fn setup(app: &TestApp) {
    bredeblik::seed::themes(&app.db).await.unwrap();
}

async fn a_theme(app: &TestApp) -> (String, String) {
    sqlx::query_as("SELECT slug, name FROM themes ORDER BY position LIMIT 1")
        .fetch_one(&app.db)
        .await
        .unwrap()
}

async fn initiative(app: &TestApp, slug: &str) -> (i64, String, Option<i64>, String) {
    sqlx::query_as("SELECT id, status, owner_id, summary FROM initiatives WHERE slug = $1")
        .bind(slug)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

const SUMMARY: &str =
    "Leerkrachten en jeugdhulp werken samen in de klas, zodat kinderen hulp krijgen waar ze al zijn.";

#[tokio::test]
async fn a_member_proposes_an_initiative_that_is_public_only_after_an_editor_approves_it() {
    let (app, mailbox) = TestApp::spawn_with_mail().await;
    setup(&app).await;
    let member_id = app.member("ines@voorbeeld.nl", "Ines de Vries").approved().create().await;
    app.create_user("redactie@voorbeeld.nl", "redacteur", PASSWORD).await;
    let (theme, theme_name) = a_theme(&app).await;

    let owner = Browser::login(&app, "ines@voorbeeld.nl").await;
    let account = owner.text("/account", 200).await;
    assert!(account.contains("href=\"/account/initiatieven\""), "the account page links to the initiatives");
    let list = owner.text("/account/initiatieven", 200).await;
    assert!(list.contains("/account/initiatieven/nieuw"));
    let form = owner.text("/account/initiatieven/nieuw", 200).await;
    assert!(form.contains("name=\"samenvatting\"") && form.contains(&format!("value=\"{theme}\"")));

    let response = owner
        .post(
            "/account/initiatieven/nieuw",
            &[
                ("naam", "Samen in de klas"),
                ("samenvatting", SUMMARY),
                ("beschrijving", "## Hoe het werkt\n\nEen **jeugdhulpverlener** is elke week op school."),
                ("thema", &theme),
                ("domein", "onderwijs"),
                ("domein", "jeugdhulp"),
                ("niveau", "uitvoerend"),
                ("leeftijd", "4-12-jaar"),
                ("regio", "utrecht"),
                ("website", "https://samenindeklas.example.nl"),
                ("contactpersoon", "Ines de Vries"),
                ("contact_email", "contact@samenindeklas.example.nl"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/account/initiatieven?melding=aangemeld");
    let (id, status, owner_id, _) = initiative(&app, "samen-in-de-klas").await;
    assert_eq!((status.as_str(), owner_id), ("ter_beoordeling", Some(member_id)));
    assert_eq!(app.get("/initiatieven/samen-in-de-klas").await.status(), 404, "not public while in review");
    let told =
        mailbox.wait_for("redactie@voorbeeld.nl", "Nieuw initiatief ter beoordeling: Samen in de klas").await;
    assert!(told.body.contains(&format!("/beheer/initiatieven/{id}")), "the mail links to the review");
    let list = owner.text("/account/initiatieven", 200).await;
    assert!(list.contains("Samen in de klas") && list.contains("Ter beoordeling"));
    let export = owner.text("/account/gegevens.json", 200).await;
    assert!(export.contains("\"initiatieven\"") && export.contains("Samen in de klas"), "{export}");

    // The same name again gets a slug of its own.
    let response = owner
        .post("/account/initiatieven/nieuw", &[("naam", "Samen in de klas"), ("samenvatting", "Een tweede.")])
        .await;
    assert_eq!(response.status(), 303);
    initiative(&app, "samen-in-de-klas-2").await;

    let editor = Browser::login(&app, "redactie@voorbeeld.nl").await;
    let queue = editor.text("/beheer/initiatieven", 200).await;
    let queue_section = queue.split("id=\"all-title\"").next().unwrap();
    assert!(queue_section.contains(&format!("/beheer/initiatieven/{id}#beoordeling")), "in the review queue");
    let review = editor.text(&format!("/beheer/initiatieven/{id}"), 200).await;
    assert!(review.contains("Nieuw initiatief ter beoordeling") && review.contains("ines@voorbeeld.nl"));
    assert_eq!(editor.get("/beheer/initiatieven/abc").await.status(), 404, "no number names no initiative");

    let response = editor
        .post(
            &format!("/beheer/initiatieven/{id}/beoordeling"),
            &[("besluit", "goedkeuren"), ("bericht", "Een mooi voorbeeld, dank u wel!")],
        )
        .await;
    assert_eq!(response.status(), 303);
    let public = app.get_text("/initiatieven/samen-in-de-klas", 200).await;
    assert!(public.contains("Samen in de klas") && public.contains(&theme_name));
    assert!(public.contains("<strong>jeugdhulpverlener</strong>"));
    assert!(!public.contains("contact@samenindeklas.example.nl"), "the contact address stays hidden");
    let published: bool = sqlx::query_scalar(
        "SELECT published_at IS NOT NULL AND status = 'gepubliceerd' FROM initiatives WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!(published);
    let mail = mailbox.wait_for("ines@voorbeeld.nl", "staat op Brede Blik").await;
    assert!(mail.body.contains("Een mooi voorbeeld, dank u wel!"), "{}", mail.body);
    assert!(mail.body.contains("/initiatieven/samen-in-de-klas"));

    // Deciding twice is refused, and every step is in the audit log.
    let again =
        editor.post(&format!("/beheer/initiatieven/{id}/beoordeling"), &[("besluit", "afwijzen")]).await;
    assert_eq!(again.status(), 409);
    let actions = app.audit_actions("initiatief", Some(id)).await;
    assert_eq!(actions, ["initiatief aangemeld", "initiatief goedgekeurd"]);
}

#[tokio::test]
async fn a_change_to_a_published_initiative_stays_invisible_until_approved() {
    let (app, mailbox) = TestApp::spawn_with_mail().await;
    setup(&app).await;
    let member_id = app.member("ines@voorbeeld.nl", "Ines de Vries").approved().create().await;
    app.create_user("redactie@voorbeeld.nl", "redacteur", PASSWORD).await;
    let id = app
        .initiative("De buurtschool")
        .summary("De oude samenvatting.")
        .owner(member_id)
        .published()
        .create()
        .await;

    let owner = Browser::login(&app, "ines@voorbeeld.nl").await;
    let form = owner.text(&format!("/account/initiatieven/{id}"), 200).await;
    assert!(form.contains("De oude samenvatting."));
    let change =
        [("naam", "De buurtschool"), ("samenvatting", "De nieuwe samenvatting."), ("regio", "utrecht")];
    let response = owner.post(&format!("/account/initiatieven/{id}"), &change).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/account/initiatieven?melding=ingediend");

    let public = app.get_text("/initiatieven/de-buurtschool", 200).await;
    assert!(public.contains("De oude samenvatting.") && !public.contains("De nieuwe samenvatting."));
    assert_eq!(initiative(&app, "de-buurtschool").await.1, "gepubliceerd");
    assert!(owner.text("/account/initiatieven", 200).await.contains("wijziging wacht op beoordeling"));
    let form = owner.text(&format!("/account/initiatieven/{id}"), 200).await;
    assert!(form.contains("wacht op beoordeling") && form.contains("De nieuwe samenvatting."));

    // An editor reading this version...
    let early = Browser::login(&app, "redactie@voorbeeld.nl").await;
    let seen = early.text(&format!("/beheer/initiatieven/{id}"), 200).await;
    let version =
        seen.split("name=\"versie\" value=\"").nth(1).and_then(|s| s.split('"').next()).unwrap().to_owned();

    // A further change replaces the waiting one instead of queueing a second.
    let change =
        [("naam", "De buurtschool"), ("samenvatting", "De nieuwste samenvatting."), ("regio", "utrecht")];
    assert_eq!(owner.post(&format!("/account/initiatieven/{id}"), &change).await.status(), 303);
    let open: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM initiative_revisions WHERE initiative_id = $1 AND decided_at IS NULL",
    )
    .bind(id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(open, 1);
    mailbox.wait_for("redactie@voorbeeld.nl", "Wijziging ter beoordeling: De buurtschool").await;
    let told =
        mailbox.messages().iter().filter(|m| m.subject.starts_with("Wijziging ter beoordeling")).count();
    assert_eq!(told, 1, "the editors hear of a waiting change once, not at every further save");
    // ...cannot approve the newer version it has not seen.
    let stale = early
        .post(
            &format!("/beheer/initiatieven/{id}/beoordeling"),
            &[("besluit", "goedkeuren"), ("versie", &version)],
        )
        .await;
    assert_eq!(stale.status(), 409);
    assert!(app.get_text("/initiatieven/de-buurtschool", 200).await.contains("De oude samenvatting."));

    let editor = Browser::login(&app, "redactie@voorbeeld.nl").await;
    let review = editor.text(&format!("/beheer/initiatieven/{id}"), 200).await;
    assert!(review.contains("Wijziging ter beoordeling"), "{review}");
    assert!(review.contains("Gewijzigd: Samenvatting, Regio."), "the reviewer sees what changed");
    let response =
        editor.post(&format!("/beheer/initiatieven/{id}/beoordeling"), &[("besluit", "goedkeuren")]).await;
    assert_eq!(response.status(), 303);
    let public = app.get_text("/initiatieven/de-buurtschool", 200).await;
    assert!(public.contains("De nieuwste samenvatting.") && public.contains("Utrecht"));
    mailbox.wait_for("ines@voorbeeld.nl", "is goedgekeurd").await;

    // A rejected change leaves the page as it was, and the owner hears why.
    let change = [("naam", "De buurtschool"), ("samenvatting", "Iets wat niet klopt.")];
    assert_eq!(owner.post(&format!("/account/initiatieven/{id}"), &change).await.status(), 303);
    let response = editor
        .post(
            &format!("/beheer/initiatieven/{id}/beoordeling"),
            &[("besluit", "afwijzen"), ("bericht", "Dit klopt niet met de website.")],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert!(app.get_text("/initiatieven/de-buurtschool", 200).await.contains("De nieuwste samenvatting."));
    let mail = mailbox.wait_for("ines@voorbeeld.nl", "niet overgenomen").await;
    assert!(mail.body.contains("Dit klopt niet met de website."));
    let decisions: Vec<String> =
        sqlx::query_scalar("SELECT decision FROM initiative_revisions WHERE initiative_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert_eq!(decisions, ["goedgekeurd", "afgewezen"]);
}

#[tokio::test]
async fn only_the_owner_sees_an_initiative_and_only_approved_members_propose() {
    let app = TestApp::spawn().await;
    setup(&app).await;
    let owner_id = app.member("eigenaar@voorbeeld.nl", "Eigenaar").approved().create().await;
    app.member("ander@voorbeeld.nl", "Ander Lid").approved().create().await;
    app.member("nieuw@voorbeeld.nl", "Nieuw Lid").create().await;
    let id = app
        .initiative("Geheim plan")
        .slug("geheim")
        .summary("Nog niet af.")
        .owner(owner_id)
        .in_review()
        .create()
        .await;

    let owner = Browser::login(&app, "eigenaar@voorbeeld.nl").await;
    assert!(owner.text(&format!("/account/initiatieven/{id}"), 200).await.contains("Geheim plan"));

    let other = Browser::login(&app, "ander@voorbeeld.nl").await;
    let path = format!("/account/initiatieven/{id}");
    assert_eq!(other.get(&path).await.status(), 404);
    let response = other.post(&path, &[("naam", "Overgenomen"), ("samenvatting", "Van mij.")]).await;
    assert_eq!(response.status(), 404);
    assert_eq!(other.get("/account/initiatieven/999999").await.status(), 404, "same answer as a stranger's");
    assert_eq!(other.get("/account/initiatieven/abc").await.status(), 404);
    assert!(!other.text("/account/initiatieven", 200).await.contains("Geheim plan"));
    assert_eq!(initiative(&app, "geheim").await.3, "Nog niet af.");

    let waiting = Browser::login(&app, "nieuw@voorbeeld.nl").await;
    assert!(waiting.text("/account/initiatieven", 200).await.contains("zodra u aandeelhouder bent"));
    assert_eq!(waiting.get("/account/initiatieven/nieuw").await.status(), 403);
    let response =
        waiting.post("/account/initiatieven/nieuw", &[("naam", "Poging"), ("samenvatting", "X")]).await;
    assert_eq!(response.status(), 403);

    assert_eq!(app.get("/account/initiatieven").await.status(), 303, "login required");
}

#[tokio::test]
async fn bad_input_gets_dutch_messages_a_422_and_keeps_what_was_typed() {
    let app = TestApp::spawn().await;
    setup(&app).await;
    app.member("ines@voorbeeld.nl", "Ines de Vries").approved().create().await;
    app.create_user("redactie@voorbeeld.nl", "redacteur", PASSWORD).await;
    let owner = Browser::login(&app, "ines@voorbeeld.nl").await;
    let long_summary = "lang ".repeat(70);
    let huge = "x".repeat(60_000);
    let response = owner
        .post(
            "/account/initiatieven/nieuw",
            &[
                ("naam", "!!"),
                ("samenvatting", &long_summary),
                ("beschrijving", &huge),
                ("website", "mijn-site"),
                ("contact_email", "ines@"),
                ("regio", "atlantis"),
                ("contactpersoon", "Ines <b>de</b> Vries"),
                ("domein", "onderwijs"),
                ("thema", "bestaat-niet"),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    let body = response.text().await.unwrap();
    for message in [
        "Geef het initiatief een naam van minstens 3 tekens.",
        "De samenvatting mag hoogstens 300 tekens hebben; nu zijn het er 349.",
        "De beschrijving is te lang",
        "Vul een volledig webadres in",
        "Vul een geldig e-mailadres in",
        "Kies een regio uit de lijst.",
    ] {
        assert!(body.contains(message), "{message}");
    }
    assert!(body.contains(long_summary.trim()), "the long summary is kept, not cut");
    assert!(body.contains("value=\"mijn-site\"") && body.contains("value=\"ines@\""));
    assert!(
        body.contains("value=\"Ines &#60;b&#62;de&#60;/b&#62; Vries\"") || body.contains("Ines &lt;b&gt;de")
    );
    assert!(body.contains("value=\"onderwijs\" checked"), "ticked boxes stay ticked");
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM initiatives").fetch_one(&app.db).await.unwrap();
    assert_eq!(count, 0);

    let editor = Browser::login(&app, "redactie@voorbeeld.nl").await;
    let response = editor
        .post(
            "/beheer/initiatieven",
            &[("naam", "Goed genoeg"), ("samenvatting", "Kort."), ("status", "weg")],
        )
        .await;
    assert_eq!(response.status(), 422);
    let body = response.text().await.unwrap();
    assert!(body.contains("Kies een status.") && body.contains("value=\"Goed genoeg\""));
    let bad = editor.post("/beheer/initiatieven/1/beoordeling", &[("besluit", "misschien")]).await;
    assert_eq!(bad.status(), 400);
    assert_eq!(editor.get("/beheer/initiatieven/999999").await.status(), 404);
}

#[tokio::test]
async fn editors_create_preview_and_publish_initiatives_with_sanitised_markdown() {
    let app = TestApp::spawn().await;
    setup(&app).await;
    let editor = app.logged_in(Role::Redacteur).await;
    assert!(editor.text("/beheer", 200).await.contains("href=\"/beheer/initiatieven\""));
    let hostile = "Wij **spelen** buiten.\n\n<script>alert('x')</script>\n\n[klik](javascript:alert(1)) <img src=x onerror=alert(2)>";
    let fields = [
        ("naam", "Buiten spelen"),
        ("samenvatting", "Elke middag naar buiten."),
        ("beschrijving", hostile),
        ("domein", "kinderopvang"),
        ("status", "gepubliceerd"),
        ("uitgelicht", "1"),
    ];
    let mut preview_fields = fields.to_vec();
    preview_fields.push(("actie", "voorbeeld"));
    let response = editor.post("/beheer/initiatieven", &preview_fields).await;
    assert_eq!(response.status(), 200);
    let body = response.text().await.unwrap();
    let preview = body.split("id=\"preview-title\"").nth(1).expect("a preview section");
    assert!(preview.contains("<strong>spelen</strong>"), "{preview}");
    assert!(preview.contains("Kinderopvang"));
    assert!(!preview.contains("<script>") && !preview.contains("alert('x')"), "no script survives");
    assert!(!preview.contains("javascript:") && !preview.contains("onerror"));
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM initiatives").fetch_one(&app.db).await.unwrap();
    assert_eq!(count, 0, "a preview saves nothing");

    let mut save_fields = fields.to_vec();
    save_fields.push(("actie", "opslaan"));
    let response = editor.post("/beheer/initiatieven", &save_fields).await;
    assert_eq!(response.status(), 303);
    let (id, status, owner, _) = initiative(&app, "buiten-spelen").await;
    assert_eq!((status.as_str(), owner), ("gepubliceerd", None));
    let public = app.get_text("/initiatieven/buiten-spelen", 200).await;
    assert!(public.contains("<strong>spelen</strong>") && !public.contains("alert('x')"));
    let featured: bool =
        sqlx::query_scalar("SELECT featured AND published_at IS NOT NULL FROM initiatives WHERE id = $1")
            .bind(id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(featured);

    // Archiving takes it off the site; the published date of the first publication stays.
    let first: time::OffsetDateTime =
        sqlx::query_scalar("SELECT published_at FROM initiatives WHERE id = $1")
            .bind(id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    let response = editor
        .post(
            &format!("/beheer/initiatieven/{id}"),
            &[
                ("naam", "Buiten spelen"),
                ("samenvatting", "Elke middag naar buiten."),
                ("status", "gearchiveerd"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(app.get("/initiatieven/buiten-spelen").await.status(), 404);
    let list = editor.text("/beheer/initiatieven?status=gearchiveerd&q=buiten", 200).await;
    assert!(list.contains("Buiten spelen") && list.contains("Gearchiveerd"));
    assert!(!editor.text("/beheer/initiatieven?status=concept", 200).await.contains("Buiten spelen"));
    editor
        .post(
            &format!("/beheer/initiatieven/{id}"),
            &[("naam", "Buiten spelen"), ("samenvatting", "Weer terug."), ("status", "gepubliceerd")],
        )
        .await;
    let again: time::OffsetDateTime =
        sqlx::query_scalar("SELECT published_at FROM initiatives WHERE id = $1")
            .bind(id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(first, again);
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE target_type = 'initiatief' AND target_id = $1 AND actor_id IS NOT NULL",
    )
    .bind(id.to_string())
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(audited, 3);
}

#[tokio::test]
async fn coordinators_keep_the_vocabularies_and_cannot_delete_a_term_in_use() {
    let app = TestApp::spawn().await;
    setup(&app).await;
    let editor = app.logged_in(Role::Redacteur).await;
    assert_eq!(editor.get("/beheer/taxonomie").await.status(), 403);

    let coordinator = app.logged_in(Role::Coordinator).await;
    let page = coordinator.text("/beheer/taxonomie", 200).await;
    assert!(page.contains("Domeinen") && page.contains("Leeftijdsgroepen") && page.contains("Onderwijs"));

    let response =
        coordinator.post("/beheer/taxonomie", &[("lijst", "thema"), ("naam", "Samen spelen")]).await;
    assert_eq!(response.status(), 303);
    let (id, slug, position): (i32, String, i32) =
        sqlx::query_as("SELECT id, slug, position FROM themes WHERE name = 'Samen spelen'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(slug, "samen-spelen");
    let max: i32 = sqlx::query_scalar("SELECT max(position) FROM themes").fetch_one(&app.db).await.unwrap();
    assert_eq!(position, max, "a new term goes last");

    let duplicate =
        coordinator.post("/beheer/taxonomie", &[("lijst", "thema"), ("naam", "samen spelen")]).await;
    assert_eq!(duplicate.status(), 422);
    let body = duplicate.text().await.unwrap();
    assert!(body.contains("Er is al een thema met de naam") && body.contains("value=\"samen spelen\""));
    let empty = coordinator.post("/beheer/taxonomie", &[("lijst", "niveau"), ("naam", " ")]).await;
    assert_eq!(empty.status(), 422);
    assert!(empty.text().await.unwrap().contains("Geef de term een naam"));
    let unknown = coordinator.post("/beheer/taxonomie", &[("lijst", "kleur"), ("naam", "Rood")]).await;
    assert_eq!(unknown.status(), 400);

    let path = format!("/beheer/taxonomie/{id}");
    let renamed = coordinator
        .post(
            &path,
            &[("lijst", "thema"), ("actie", "opslaan"), ("naam", "Samen buiten spelen"), ("positie", "0")],
        )
        .await;
    assert_eq!(renamed.status(), 303);
    let (name, slug, position): (String, String, i32) =
        sqlx::query_as("SELECT name, slug, position FROM themes WHERE id = $1")
            .bind(id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!((name.as_str(), slug.as_str(), position), ("Samen buiten spelen", "samen-spelen", 0));
    let bad_position = coordinator
        .post(
            &path,
            &[("lijst", "thema"), ("actie", "opslaan"), ("naam", "Nieuwe naam"), ("positie", "eerste")],
        )
        .await;
    assert_eq!(bad_position.status(), 422);
    let body = bad_position.text().await.unwrap();
    assert!(body.contains("Vul als volgorde een heel getal in") && body.contains("value=\"Nieuwe naam\""));

    // In use by an initiative and a subscriber: refused, saying how many.
    app.initiative("X").theme(&slug).create().await;
    SubscriberBuilder::new(&app.db, "a@voorbeeld.nl").unconfirmed().topics(&["samen-spelen"]).create().await;
    let refused = coordinator.post(&path, &[("lijst", "thema"), ("actie", "verwijderen")]).await;
    assert_eq!(refused.status(), 422);
    let body = refused.text().await.unwrap();
    assert!(
        body.contains("kan niet worden verwijderd: 1 initiatief en 1 abonnee gebruiken deze term nog"),
        "{body}"
    );
    let still: i64 = sqlx::query_scalar("SELECT count(*) FROM themes WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(still, 1);

    // Unused: gone. A term of another list with the same id is not touched by mistake.
    sqlx::query("DELETE FROM initiative_themes").execute(&app.db).await.unwrap();
    sqlx::query("DELETE FROM subscribers").execute(&app.db).await.unwrap();
    let deleted = coordinator.post(&path, &[("lijst", "thema"), ("actie", "verwijderen")]).await;
    assert_eq!(deleted.status(), 303);
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM themes WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(left, 0);
    assert_eq!(coordinator.post(&path, &[("lijst", "thema"), ("actie", "verwijderen")]).await.status(), 404);
    let actions = app.audit_actions("themes", None).await;
    assert_eq!(actions, ["term toegevoegd", "term gewijzigd", "term verwijderd"]);
}
