//! Verbinden: the two choices on the profile (off until ticked), suggestions with their reasons
//! (never yourself, never dismissed, never unfindable), the labelled set, the relay (address
//! hidden, Reply-To set, rate limit, reports and blocks), and what the API and export show.

use crate::helpers::{Browser, PASSWORD, Role, TestApp, select};

/// Sets a member's region, themes and choices, and a public approved profile.
async fn profile(
    app: &TestApp,
    member: i64,
    region: &str,
    themes: &[&str],
    suggestable: bool,
    accepts: bool,
) {
    sqlx::query(
        "UPDATE members SET region_id = (SELECT id FROM regions WHERE code = $2), public_profile = true, \
         status = 'goedgekeurd', suggestable = $3, accepts_messages = $4, organisation = 'Org ' || name WHERE id = $1",
    )
    .bind(member)
    .bind(region)
    .bind(suggestable)
    .bind(accepts)
    .execute(&app.db)
    .await
    .unwrap();
    let themes: Vec<String> = themes.iter().map(|t| t.to_string()).collect();
    sqlx::query(
        "INSERT INTO member_themes SELECT $1, id FROM themes WHERE slug = ANY($2) ON CONFLICT DO NOTHING",
    )
    .bind(member)
    .bind(&themes)
    .execute(&app.db)
    .await
    .unwrap();
}

async fn themes(app: &TestApp) {
    sqlx::query(
        "INSERT INTO themes (slug, name) VALUES ('passend-onderwijs', 'Passend onderwijs'), \
         ('ouders-en-gezin', 'Ouders en gezin'), ('sport', 'Sport') ON CONFLICT DO NOTHING",
    )
    .execute(&app.db)
    .await
    .unwrap();
}

/// Utrecht (GM0344), Zeist (GM0355, borders Utrecht), Groningen (GM0014).
struct People<'a> {
    anna: Browser<'a>,
    anna_id: i64,
    bram_id: i64,
    carla_id: i64,
    dirk_id: i64,
}

/// Anna (Utrecht) looks; Bram (Zeist) is findable and accepts messages; Carla shares every
/// theme but did not choose to be suggested nor written to; Dirk is findable but not public.
async fn people(app: &TestApp) -> People<'_> {
    themes(app).await;
    let anna_id = app.member("anna@voorbeeld.nl", "Anna Aalbers").approved().create().await;
    let bram_id = app.member("bram@voorbeeld.nl", "Bram Bos").approved().create().await;
    let carla_id = app.member("carla@voorbeeld.nl", "Carla Claes").approved().create().await;
    let dirk_id = app.member("dirk@voorbeeld.nl", "Dirk Dekker").approved().create().await;
    profile(app, anna_id, "GM0344", &["passend-onderwijs", "ouders-en-gezin"], true, true).await;
    profile(app, bram_id, "GM0355", &["passend-onderwijs", "ouders-en-gezin", "sport"], true, true).await;
    profile(app, carla_id, "GM0344", &["passend-onderwijs", "ouders-en-gezin"], false, false).await;
    profile(app, dirk_id, "GM0344", &["passend-onderwijs"], true, true).await;
    sqlx::query("UPDATE members SET public_profile = false WHERE id = $1")
        .bind(dirk_id)
        .execute(&app.db)
        .await
        .unwrap();
    let anna = Browser::login(app, "anna@voorbeeld.nl").await;
    People { anna, anna_id, bram_id, carla_id, dirk_id }
}

fn block(html: &str) -> String {
    select(html, "#verbinden").join(" ")
}

#[tokio::test]
async fn both_choices_are_off_until_the_member_ticks_them() {
    let app = TestApp::spawn().await;
    app.member("nieuw@voorbeeld.nl", "Nora Nieuw").approved().create().await;
    let me = Browser::login(&app, "nieuw@voorbeeld.nl").await;
    let form = me.text("/account/profiel", 200).await;
    for name in ["voorstellen", "berichten"] {
        let boxes = crate::helpers::select_attr(&form, &format!("input[name={name}]"), "type");
        assert_eq!(boxes, ["checkbox"], "{name} is on the form");
        let checked = crate::helpers::select_attr(&form, &format!("input[name={name}][checked]"), "name");
        assert!(checked.is_empty(), "{name} is not ticked in advance");
    }
    let (suggestable, accepts): (bool, bool) =
        sqlx::query_as("SELECT suggestable, accepts_messages FROM members WHERE slug = 'nora-nieuw'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(!suggestable && !accepts, "the columns default to off");

    // Ticked and saved, they stay on; saved without them, they go off again.
    let fields = [("naam", "Nora Nieuw"), ("deel", "Ervaring met gezinnen"), ("regio", "GM0344")];
    let mut on = fields.to_vec();
    on.extend([("voorstellen", "1"), ("berichten", "1")]);
    assert_eq!(me.post("/account/profiel", &on).await.status(), 303);
    let form = me.text("/account/profiel", 200).await;
    assert_eq!(crate::helpers::select_attr(&form, "input[name=voorstellen][checked]", "name").len(), 1);
    assert_eq!(crate::helpers::select_attr(&form, "input[name=berichten][checked]", "name").len(), 1);
    assert_eq!(me.post("/account/profiel", &fields).await.status(), 303);
    let (suggestable, accepts): (bool, bool) =
        sqlx::query_as("SELECT suggestable, accepts_messages FROM members WHERE slug = 'nora-nieuw'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(!suggestable && !accepts);

    // The typed form keeps the other input on an error.
    let bad = me
        .post(
            "/account/profiel",
            &[("naam", "Nora Nieuw"), ("deel", ""), ("regio", "GM0344"), ("voorstellen", "1")],
        )
        .await;
    assert_eq!(bad.status(), 422);
    let body = bad.text().await.unwrap();
    assert!(body.contains("Vertel kort wat u met het netwerk wilt delen."));
    assert_eq!(crate::helpers::select_attr(&body, "input[name=voorstellen][checked]", "name").len(), 1);
}

#[tokio::test]
async fn suggestions_carry_reasons_and_never_show_the_viewer_the_unfindable_or_the_dismissed() {
    let app = TestApp::spawn().await;
    let p = people(&app).await;
    app.initiative("Samen naar school Zeist")
        .region("GM0355")
        .theme("passend-onderwijs")
        .published()
        .create()
        .await;

    let account = p.anna.text("/account", 200).await;
    let shown = block(&account);
    assert!(shown.contains("Mensen om mee te praten"), "{shown}");
    assert!(
        shown.contains("Bram Bos")
            && shown.contains("ook actief op Passend onderwijs en Ouders en gezin, in de buurgemeente Zeist"),
        "{shown}"
    );
    assert!(
        shown.contains("Samen naar school Zeist")
            && shown.contains("ook actief op Passend onderwijs, in de buurgemeente Zeist")
    );
    assert!(!shown.contains("Carla Claes"), "not findable: never suggested");
    assert!(!shown.contains("Dirk Dekker"), "no public profile: never suggested");
    assert!(!shown.contains("Anna Aalbers"), "never yourself");

    // On Bram's profile and the initiative page, for Anna; a visitor sees no suggestions.
    let bram = p.anna.text("/aandeelhouders/bram-bos", 200).await;
    assert!(block(&bram).contains("Werkt ook aan dit thema"));
    let page = p.anna.text("/initiatieven/samen-naar-school-zeist", 200).await;
    assert!(block(&page).contains("Bram Bos"), "{}", block(&page));
    let anonymous = app.get_text("/initiatieven/samen-naar-school-zeist", 200).await;
    assert!(block(&anonymous).is_empty() && !anonymous.contains("Niet relevant"));
    assert!(block(&app.get_text("/aandeelhouders/bram-bos", 200).await).is_empty());

    // Carla chooses to be suggested: she appears (same municipality outranks the neighbour).
    sqlx::query("UPDATE members SET suggestable = true WHERE id = $1")
        .bind(p.carla_id)
        .execute(&app.db)
        .await
        .unwrap();
    let shown = block(&p.anna.text("/account", 200).await);
    let (carla, bram) = (shown.find("Carla Claes").unwrap(), shown.find("Bram Bos").unwrap());
    assert!(carla < bram, "{shown}");
    assert!(shown.contains("ook actief op Passend onderwijs en Ouders en gezin, ook in Utrecht"));

    // "Niet relevant" removes Bram for Anna, remembered; a refused or odd dismissal is a 400.
    let bram_id = p.bram_id.to_string();
    let response = p
        .anna
        .post("/verbinden/niet-relevant", &[("soort", "lid"), ("id", &bram_id), ("terug", "/account")])
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/account#verbinden");
    let shown = block(&p.anna.text("/account", 200).await);
    assert!(!shown.contains("Bram Bos") && shown.contains("Carla Claes"), "{shown}");
    let again = p
        .anna
        .post("/verbinden/niet-relevant", &[("soort", "lid"), ("id", &bram_id), ("terug", "//evil.example")])
        .await;
    assert_eq!(again.headers()["location"], "/account#verbinden", "only paths on this site");
    assert_eq!(p.anna.post("/verbinden/niet-relevant", &[("soort", "x"), ("id", "1")]).await.status(), 400);
    assert_eq!(
        p.anna.post("/verbinden/niet-relevant", &[("soort", "lid"), ("id", "abc")]).await.status(),
        400
    );
    let anonymous = app.post_form("/verbinden/niet-relevant", &[("soort", "lid"), ("id", &bram_id)]).await;
    assert_eq!(anonymous.status(), 303, "login first");
    let dismissals: i64 =
        sqlx::query_scalar("SELECT count(*) FROM suggestion_dismissals").fetch_one(&app.db).await.unwrap();
    assert_eq!(dismissals, 1);

    // Followed from a suggestion: counted, as a number only.
    p.anna.text("/aandeelhouders/carla-claes?via=verbinden", 200).await;
    let counts: Vec<(String, i64)> =
        sqlx::query_as("SELECT kind, sum(count)::bigint FROM suggestion_counts GROUP BY kind ORDER BY kind")
            .fetch_all(&app.db)
            .await
            .unwrap();
    let count = |kind: &str| counts.iter().find(|(k, _)| k == kind).map_or(0, |(_, n)| *n);
    assert!(count("getoond") >= 4, "{counts:?}");
    assert_eq!(count("gevolgd"), 1);
    assert_eq!(count("niet_relevant"), 1);
    let coordinator = app.logged_in(Role::Coordinator).await;
    let overview = coordinator.text("/beheer/verbinden", 200).await;
    assert!(overview.contains("Niet relevant") && overview.contains("Gevolgd"));
    assert!(
        !overview.contains("Anna Aalbers") && !overview.contains("anna@voorbeeld.nl"),
        "no one's behaviour"
    );
    let _ = (p.anna_id, p.dirk_id);
}

#[tokio::test]
async fn the_relay_hides_the_address_sets_reply_to_limits_and_can_be_reported_and_blocked() {
    let (app, mailbox) = TestApp::spawn_with_mail().await;
    let p = people(&app).await;
    // The profile offers writing (to Bram, who accepts), never an address.
    let profile = app.get_text("/aandeelhouders/bram-bos", 200).await;
    assert!(profile.contains("href=\"/aandeelhouders/bram-bos/schrijven\""));
    assert!(!profile.contains("bram@voorbeeld.nl"));
    let carla = app.get_text("/aandeelhouders/carla-claes", 200).await;
    assert!(!carla.contains("/schrijven"), "Carla does not accept messages");
    // A visitor is sent to log in first.
    assert_eq!(app.get("/aandeelhouders/bram-bos/schrijven").await.status(), 303);

    let form = p.anna.text("/aandeelhouders/bram-bos/schrijven", 200).await;
    assert!(!form.contains("bram@voorbeeld.nl"));
    // Empty or too short: 422, input kept.
    let bad =
        p.anna.post("/aandeelhouders/bram-bos/schrijven", &[("onderwerp", ""), ("bericht", "kort")]).await;
    assert_eq!(bad.status(), 422);
    let body = bad.text().await.unwrap();
    assert!(body.contains("Geef uw bericht een onderwerp.") && body.contains(">kort</textarea>"));

    let sent = p
        .anna
        .post(
            "/aandeelhouders/bram-bos/schrijven",
            &[
                ("onderwerp", "Passend onderwijs in Zeist"),
                ("bericht", "Dag Bram, zullen we eens bellen over de klas?"),
            ],
        )
        .await;
    assert_eq!(sent.status(), 303);
    let location = sent.headers()["location"].to_str().unwrap().to_owned();
    let done = p.anna.text(&location, 200).await;
    assert!(done.contains("Uw bericht is verstuurd") && !done.contains("bram@voorbeeld.nl"));
    let mail = mailbox.wait_for("bram@voorbeeld.nl", "Passend onderwijs in Zeist").await;
    assert!(mail.headers.contains("Reply-To: anna@voorbeeld.nl"), "{}", mail.headers);
    assert!(mail.subject.contains("Anna Aalbers"));
    assert!(mail.body.contains("zullen we eens bellen over de klas?"));
    assert!(mail.body.contains("/account/profiel#verbinden"), "how to stop");
    let report = mail.link(&app.url("/verbinden/melden/"));

    // Carla does not accept messages: refused in Dutch, whoever asks.
    for response in [
        p.anna.get("/aandeelhouders/carla-claes/schrijven").await,
        p.anna
            .post(
                "/aandeelhouders/carla-claes/schrijven",
                &[("onderwerp", "Hoi"), ("bericht", "Een bericht van tien.")],
            )
            .await,
    ] {
        assert_eq!(response.status(), 403);
        assert!(response.text().await.unwrap().contains("ontvangt geen berichten van andere leden"));
    }
    // Dirk's profile is not public: no such page.
    assert_eq!(p.anna.get("/aandeelhouders/dirk-dekker/schrijven").await.status(), 404);
    let messages: i64 =
        sqlx::query_scalar("SELECT count(*) FROM relay_messages").fetch_one(&app.db).await.unwrap();
    assert_eq!(messages, 1);

    // The rate limit per sender: five an hour.
    for n in 2..=5 {
        let subject = format!("Bericht {n}");
        let response = p
            .anna
            .post(
                "/aandeelhouders/bram-bos/schrijven",
                &[("onderwerp", &subject), ("bericht", "Nog een bericht, met tekst.")],
            )
            .await;
        assert_eq!(response.status(), 303, "message {n}");
    }
    let sixth = p
        .anna
        .post(
            "/aandeelhouders/bram-bos/schrijven",
            &[("onderwerp", "Zes"), ("bericht", "Nog een bericht, met tekst.")],
        )
        .await;
    assert_eq!(sixth.status(), 429);

    // Bram reports the first message; a coordinator blocks Anna; Anna is refused in Dutch.
    let form = app.client.get(&report).send().await.unwrap().text().await.unwrap();
    assert!(form.contains("Passend onderwijs in Zeist"));
    let path = report.trim_start_matches(&app.url(""));
    let empty = app.post_form(path, &[("reden", "")]).await;
    assert_eq!(empty.status(), 422);
    assert_eq!(app.post_form(path, &[("reden", "Ongevraagde verkoop")]).await.status(), 200);
    assert_eq!(app.post_form(path, &[("reden", "Nog eens")]).await.status(), 409);
    assert_eq!(app.get("/verbinden/melden/0123456789abcdef0123456789abcdef").await.status(), 404);
    assert_eq!(app.get("/verbinden/melden/niet-een-token").await.status(), 404);
    let coordinator = app.logged_in(Role::Coordinator).await;
    let overview = coordinator.text("/beheer/verbinden", 200).await;
    assert!(overview.contains("Ongevraagde verkoop") && overview.contains("anna@voorbeeld.nl"));
    let report_id: i64 = sqlx::query_scalar("SELECT id FROM relay_reports").fetch_one(&app.db).await.unwrap();
    let decided = coordinator
        .post(&format!("/beheer/verbinden/meldingen/{report_id}"), &[("actie", "blokkeren")])
        .await;
    assert_eq!(decided.status(), 303);
    assert_eq!(
        coordinator
            .post(&format!("/beheer/verbinden/meldingen/{report_id}"), &[("actie", "blokkeren")])
            .await
            .status(),
        409
    );
    sqlx::query("DELETE FROM rate_limits").execute(&app.db).await.unwrap();
    let refused = p.anna.get("/aandeelhouders/bram-bos/schrijven").await;
    assert_eq!(refused.status(), 403);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("heeft het sturen van berichten via Brede Blik voor uw account uitgezet")
    );
    let audit: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'afzender geblokkeerd voor berichten'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(audit, 1);
    // The block can be lifted.
    let anna_user: i64 = sqlx::query_scalar("SELECT user_id FROM members WHERE id = $1")
        .bind(p.anna_id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(
        coordinator.post(&format!("/beheer/verbinden/blokkades/{anna_user}"), &[]).await.status(),
        303
    );
    assert_eq!(p.anna.get("/aandeelhouders/bram-bos/schrijven").await.status(), 200);
}

#[tokio::test]
async fn export_and_deletion_cover_choices_dismissals_and_messages_and_the_api_shows_none() {
    let (app, _mailbox) = TestApp::spawn_with_mail().await;
    let p = people(&app).await;
    let bram_id = p.bram_id.to_string();
    p.anna
        .post("/verbinden/niet-relevant", &[("soort", "lid"), ("id", &bram_id), ("terug", "/account")])
        .await;
    let sent = p
        .anna
        .post(
            "/aandeelhouders/bram-bos/schrijven",
            &[("onderwerp", "Even kennismaken"), ("bericht", "Een bericht van meer dan tien tekens.")],
        )
        .await;
    assert_eq!(sent.status(), 303);
    let export: serde_json::Value = p.anna.get("/account/gegevens.json").await.json().await.unwrap();
    assert_eq!(export["aandeelhoudersprofiel"]["suggestable"], true);
    assert_eq!(export["aandeelhoudersprofiel"]["accepts_messages"], true);
    assert_eq!(export["verbinden"]["niet_relevant"][0]["lid"], "Bram Bos");
    assert_eq!(export["verbinden"]["verstuurde_berichten"][0]["onderwerp"], "Even kennismaken");

    // The open-data API carries none of it.
    let members = app.get_text("/api/v1/members?per_pagina=100", 200).await;
    for field in ["suggestable", "accepts_messages", "voorstellen", "berichten", "niet_relevant", "relay"] {
        assert!(!members.contains(field), "{field} in the API");
    }
    let one: serde_json::Value = app.get("/api/v1/members?per_pagina=100").await.json().await.unwrap();
    assert!(!one.to_string().contains("accepts"));

    let deleted = p.anna.post("/account/verwijderen", &[("password", PASSWORD)]).await;
    assert_eq!(deleted.status(), 303);
    for table in ["suggestion_dismissals", "relay_messages"] {
        let left: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert_eq!(left, 0, "{table} emptied with the account");
    }
}

#[derive(serde::Deserialize)]
struct Labels {
    members: Vec<Labelled>,
}

#[derive(serde::Deserialize)]
struct Labelled {
    member: String,
    relevant: std::collections::BTreeMap<String, String>,
    not_relevant: std::collections::BTreeMap<String, String>,
}

#[tokio::test]
async fn labelled_set_precision_three_of_the_top_five_are_relevant() {
    let app = TestApp::spawn_with_demo().await;
    let labels: Labels = serde_json::from_str(include_str!("../data/verbinden-labels.json")).unwrap();
    let geo = bredeblik::geo::Geo::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/geo"))
        .unwrap();
    assert!(labels.members.len() >= 5);
    for labelled in &labels.members {
        let id: i64 = sqlx::query_scalar("SELECT id FROM members WHERE slug = $1")
            .bind(&labelled.member)
            .fetch_one(&app.db)
            .await
            .unwrap();
        let top = bredeblik::verbinden::top_for_member(&app.db, &geo, id, 5).await.unwrap();
        let keys: Vec<&str> = top.iter().map(|(k, _)| k.as_str()).collect();
        let relevant = keys.iter().filter(|k| labelled.relevant.contains_key(**k)).count();
        let wrong: Vec<&&str> = keys.iter().filter(|k| labelled.not_relevant.contains_key(**k)).collect();
        eprintln!("{}: {relevant}/5 relevant, top five {top:?}", labelled.member);
        assert!(relevant >= 3, "{}: only {relevant} of {keys:?} relevant", labelled.member);
        assert!(wrong.is_empty(), "{}: {wrong:?} judged not relevant", labelled.member);
        assert!(top.iter().all(|(_, s)| !s.reason.is_empty()));
    }
    // seed --demo made some members findable; a newcomer with a theme sees suggestions.
    let findable: i64 = sqlx::query_scalar("SELECT count(*) FROM members WHERE suggestable")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(findable >= 5);
    app.member("nieuw@voorbeeld.nl", "Nieuw Lid").theme("passend-onderwijs").approved().create().await;
    let me = Browser::login(&app, "nieuw@voorbeeld.nl").await;
    let shown = block(&me.text("/account", 200).await);
    assert!(shown.contains("Marloes") || shown.contains("Ruben"), "{shown}");
    assert!(shown.contains("ook actief op Passend onderwijs"), "{shown}");
}

#[tokio::test]
async fn the_member_list_filters_on_contact_and_puts_the_nearest_first_only_for_a_member() {
    let app = TestApp::spawn().await;
    let p = people(&app).await;
    // Aad (Groningen) shares no theme with Anna but comes first A–Z; he accepts messages.
    let aad_id = app.member("aad@voorbeeld.nl", "Aad Aardema").approved().create().await;
    profile(&app, aad_id, "GM0014", &["sport"], true, true).await;
    let at = |html: &str, slug: &str| html.find(&format!("href=\"/aandeelhouders/{slug}\""));

    // Anonymous: A–Z, Aad before Bram; Carla (no messages) is listed without the filter only.
    let all = app.get_text("/aandeelhouders", 200).await;
    assert!(at(&all, "aad-aardema").unwrap() < at(&all, "bram-bos").unwrap(), "A–Z for a visitor");
    assert!(at(&all, "carla-claes").is_some());
    let contact = app.get_text("/aandeelhouders?contact=ja", 200).await;
    assert!(at(&contact, "bram-bos").is_some() && at(&contact, "aad-aardema").is_some());
    assert!(at(&contact, "carla-claes").is_none(), "who does not accept messages is filtered out");
    assert!(at(&contact, "dirk-dekker").is_none(), "a hidden profile never shows");

    // Anna (Utrecht, two themes shared with Bram in neighbouring Zeist) sees Bram first.
    let mine = p.anna.text("/aandeelhouders", 200).await;
    assert!(at(&mine, "bram-bos").unwrap() < at(&mine, "aad-aardema").unwrap(), "nearest first for a member");
    let mine = p.anna.text("/aandeelhouders?contact=ja", 200).await;
    assert!(at(&mine, "bram-bos").unwrap() < at(&mine, "aad-aardema").unwrap());
    assert!(at(&mine, "carla-claes").is_none());
}
