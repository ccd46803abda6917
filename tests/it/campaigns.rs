//! Composing a newsletter from blocks: editing and reordering them without JavaScript, the
//! mail's HTML and text parts, the HTML preview on its own route, the archive, and content
//! that is frozen once sending starts.

use crate::helpers::{CampaignBuilder, EventBuilder, PASSWORD, TestApp, select, select_attr, subscriber};

const SUBSCRIBER_TOKEN: &str = "5ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e7";

async fn headings(app: &TestApp, id: i64) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT CASE WHEN b.kind = 'nieuws' THEN 'nieuws:' || n.title ELSE b.heading END \
         FROM campaign_blocks b LEFT JOIN news_items n ON n.id = b.news_item_id \
         WHERE b.campaign_id = $1 ORDER BY b.position",
    )
    .bind(id)
    .fetch_all(&app.db)
    .await
    .unwrap()
}

/// The positions of `needles` in `haystack`, asserting each is there.
fn positions(haystack: &str, needles: &[&str]) -> Vec<usize> {
    needles
        .iter()
        .map(|n| haystack.find(n).unwrap_or_else(|| panic!("{n:?} is missing from:\n{haystack}")))
        .collect()
}

fn is_sorted(v: &[usize]) -> bool {
    v.windows(2).all(|w| w[0] < w[1])
}

/// Waits (up to ten seconds) until campaign `id` has gone out to everyone.
async fn wait_until_sent(app: &TestApp, id: i64) {
    for _ in 0..100 {
        let status: String = sqlx::query_scalar("SELECT status FROM campaigns WHERE id = $1")
            .bind(id)
            .fetch_one(&app.db)
            .await
            .unwrap();
        if status == "verzonden" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

async fn slug_of(app: &TestApp, id: i64) -> String {
    sqlx::query_scalar("SELECT slug FROM campaigns WHERE id = $1").bind(id).fetch_one(&app.db).await.unwrap()
}

#[tokio::test]
async fn blocks_are_composed_reordered_previewed_sent_archived_and_then_frozen() {
    let (app, mailbox) = TestApp::spawn_with_mail().await;
    subscriber(&app.db, "lezer@voorbeeld.nl", SUBSCRIBER_TOKEN).await;
    let news = app
        .news("Speeltuin weer open")
        .slug("speeltuin-open")
        .lead("Kinderen spelen weer buiten.")
        .create()
        .await;
    app.create_user("coordinator@voorbeeld.nl", "coordinator", PASSWORD).await;
    app.login("coordinator@voorbeeld.nl", PASSWORD).await;
    let response = app
        .post_form(
            "/beheer/nieuwsbrieven",
            &[("onderwerp", "Blokken in de brief"), ("intro", "Beste lezer,"), ("nieuws", &news.to_string())],
        )
        .await;
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let id: i64 = location.rsplit('/').next().unwrap().parse().unwrap();
    assert_eq!(headings(&app, id).await, ["nieuws:Speeltuin weer open"], "the chosen news item is a block");
    let blocks = format!("{location}/blokken");
    let news_id = news.to_string();

    // Add a free text block; its script and event handler do not survive.
    let first = "Eerste **tekst** met [een link](https://voorbeeld.nl/regio).\n\n\
                 <script>alert('x')</script>\n\n- punt een\n- punt <b onclick=\"alert(2)\">twee</b>";
    let response = app
        .post_form(
            &blocks,
            &[
                ("aantal", "1"),
                ("blok-0-soort", "nieuws"),
                ("blok-0-nieuws", &news_id),
                ("nieuw-kop", "Uit de regio"),
                ("nieuw-tekst", first),
                ("actie", "opslaan"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let existing = [
        ("blok-0-soort", "nieuws"),
        ("blok-0-nieuws", news_id.as_str()),
        ("blok-1-soort", "tekst"),
        ("blok-1-kop", "Uit de regio"),
        ("blok-1-tekst", first),
    ];
    let mut fields = existing.to_vec();
    fields.extend([("aantal", "2"), ("nieuw-tekst", "Tweede tekst."), ("nieuw-kop", "Agenda")]);
    fields.push(("actie", "opslaan"));
    assert_eq!(app.post_form(&blocks, &fields).await.status(), 303);
    assert_eq!(headings(&app, id).await, ["nieuws:Speeltuin weer open", "Uit de regio", "Agenda"]);

    // Move the last block up; the edit of another block in the same submission is kept.
    let mut fields = existing.to_vec();
    fields.retain(|(k, _)| *k != "blok-1-kop");
    fields.extend([
        ("blok-1-kop", "Nieuws uit de regio"),
        ("blok-2-soort", "tekst"),
        ("blok-2-kop", "Agenda"),
        ("blok-2-tekst", "Tweede tekst."),
        ("aantal", "3"),
        ("actie", "omhoog-2"),
    ]);
    let response = app.post_form(&blocks, &fields).await;
    assert_eq!(response.status(), 303);
    assert!(response.headers()["location"].to_str().unwrap().ends_with("#blokken"));
    assert_eq!(headings(&app, id).await, ["nieuws:Speeltuin weer open", "Agenda", "Nieuws uit de regio"]);
    let page = app.get_text(&location, 200).await;
    assert!(is_sorted(&positions(&page, &["value=\"Agenda\"", "value=\"Nieuws uit de regio\""])));

    // Remove the news block.
    let current = [
        ("aantal", "3"),
        ("blok-0-soort", "nieuws"),
        ("blok-0-nieuws", news_id.as_str()),
        ("blok-1-soort", "tekst"),
        ("blok-1-kop", "Agenda"),
        ("blok-1-tekst", "Tweede tekst."),
        ("blok-2-soort", "tekst"),
        ("blok-2-kop", "Nieuws uit de regio"),
        ("blok-2-tekst", first),
    ];
    let mut fields = current.to_vec();
    fields.push(("actie", "verwijderen-0"));
    assert_eq!(app.post_form(&blocks, &fields).await.status(), 303);
    assert_eq!(headings(&app, id).await, ["Agenda", "Nieuws uit de regio"]);
    // And put it back at the end, through the empty slot.
    let mut fields: Vec<(&str, &str)> = current[3..].to_vec();
    for (k, _) in fields.iter_mut() {
        *k = match *k {
            "blok-1-soort" => "blok-0-soort",
            "blok-1-kop" => "blok-0-kop",
            "blok-1-tekst" => "blok-0-tekst",
            "blok-2-soort" => "blok-1-soort",
            "blok-2-kop" => "blok-1-kop",
            _ => "blok-1-tekst",
        };
    }
    let two = fields.clone();
    fields.extend([("aantal", "2"), ("nieuw-nieuws", news_id.as_str()), ("actie", "opslaan")]);
    assert_eq!(app.post_form(&blocks, &fields).await.status(), 303);
    assert_eq!(headings(&app, id).await, ["Agenda", "Nieuws uit de regio", "nieuws:Speeltuin weer open"]);

    // Bad input: an emptied block and an unknown news item get Dutch messages, input is kept.
    let mut fields: Vec<(&str, &str)> =
        two.iter().map(|(k, v)| (*k, if *k == "blok-0-tekst" { "" } else { *v })).collect();
    fields.extend([
        ("aantal", "2"),
        ("nieuw-kop", "Nog een kop"),
        ("nieuw-nieuws", "999999"),
        ("actie", "opslaan"),
    ]);
    let response = app.post_form(&blocks, &fields).await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert!(page.contains("Blok 1: schrijf een tekst of verwijder het blok."), "{page}");
    assert!(page.contains("Kies een gepubliceerd nieuwsbericht uit de lijst."));
    assert!(page.contains("Schrijf de tekst van het nieuwe blok"));
    assert!(page.contains("value=\"Nog een kop\"") && page.contains("value=\"Nieuws uit de regio\""));
    for hostile in [
        vec![("aantal", "1"), ("blok-0-soort", "iets"), ("actie", "opslaan")],
        vec![("aantal", "1"), ("blok-0-soort", "nieuws"), ("blok-0-nieuws", "x"), ("actie", "opslaan")],
        vec![("aantal", "99999999999999999999"), ("actie", "omhoog-0")],
        vec![("aantal", "0"), ("actie", "verwijderen-7")],
        vec![("actie", "opslaan")],
        vec![("aantal", "-1"), ("actie", "opslaan")],
    ] {
        let status = app.post_form(&blocks, &hostile).await.status();
        assert_eq!(status, 400, "{hostile:?}");
    }
    assert_eq!(headings(&app, id).await.len(), 3, "refused input changes nothing");

    // The back office shows the mail's HTML in a sandboxed frame, served with its own policy.
    let response = app.get(&location).await;
    let csp = response.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("frame-src 'self'") && csp.contains("style-src 'self'"), "{csp}");
    let page = response.text().await.unwrap();
    assert!(page.contains(&format!(
        "<iframe class=\"mail-preview\" title=\"Voorbeeld van de nieuwsbrief\" sandbox src=\"{location}/voorbeeld.html\">"
    )));
    assert!(page.contains("een link (https://voorbeeld.nl/regio)"), "the text preview stays");
    let response = app.get(&format!("{location}/voorbeeld.html")).await;
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.starts_with(
        "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; frame-ancestors 'self'"
    ));
    assert!(!csp.contains("script"), "{csp}");
    assert_eq!(headers["x-frame-options"], "SAMEORIGIN");
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/html"));
    let preview = response.text().await.unwrap();
    assert!(is_sorted(&positions(
        &preview,
        &[">Agenda</h2>", ">Nieuws uit de regio</h2>", ">Speeltuin weer open</a>"]
    )));
    assert!(preview.contains("/nieuwsbrief/afmelden/voorbeeld\""), "a token that unsubscribes nobody");
    assert!(!preview.contains(SUBSCRIBER_TOKEN));
    assert!(!preview.contains("<script") && !preview.contains("onclick"));
    assert_eq!(app.get("/nieuwsbrief/afmelden/voorbeeld").await.status(), 404);

    // A test mail to oneself: both parts carry the blocks in order.
    let response = app.post_form(&format!("{location}/actie"), &[("actie", "test")]).await;
    assert_eq!(response.status(), 303);
    let mail = mailbox.wait_for("coordinator@voorbeeld.nl", "[TEST] Blokken in de brief").await;
    let (text, html) =
        mail.body.split_once("Content-Type: text/html").expect("an HTML part after the text part");
    assert!(text.contains("Content-Type: text/plain"));
    assert!(is_sorted(&positions(
        text,
        &["Beste lezer,", "Agenda\n", "Tweede tekst.", "Nieuws uit de regio\n", "Speeltuin weer open\n"]
    )));
    assert!(text.contains("Eerste tekst met een link (https://voorbeeld.nl/regio)."), "{text}");
    assert!(text.contains("- punt een\n- punt twee"), "{text}");
    assert!(text.contains("Lees verder: http://127.0.0.1:"));
    assert!(is_sorted(&positions(
        html,
        &[">Agenda</h2>", ">Nieuws uit de regio</h2>", ">Speeltuin weer open</a>"]
    )));
    assert!(html.contains("<strong>tekst</strong>"));
    assert!(html.contains("<p style=\"margin:0 0 16px;\">"), "inline styles for mail clients: {html}");
    assert!(
        html.contains(
            "<a href=\"https://voorbeeld.nl/regio\" style=\"color:#0a5b8a;text-decoration:underline;\""
        ),
        "{html}"
    );
    assert!(html.contains("<li style="));
    assert!(
        !mail.body.contains("<script") && !mail.body.contains("alert(") && !mail.body.contains("onclick")
    );

    // Sent for real: the subscriber gets the same blocks with their own token.
    let response = app.post_form(&format!("{location}/actie"), &[("actie", "versturen")]).await;
    assert_eq!(response.status(), 303);
    let mail = mailbox.wait_for("lezer@voorbeeld.nl", "Blokken in de brief").await;
    assert!(mail.body.contains(&format!("/nieuwsbrief/afmelden/{SUBSCRIBER_TOKEN}")));
    assert!(mail.body.contains(">Nieuws uit de regio</h2>"));
    wait_until_sent(&app, id).await;

    // Frozen: the editor is gone, and a submission is refused with a Dutch explanation.
    let page = app.get_text(&location, 200).await;
    assert!(page.contains("de inhoud ligt vast") && !page.contains("Inhoud opslaan"));
    let mut fields = two.clone();
    fields.extend([("aantal", "2"), ("actie", "opslaan")]);
    let response = app.post_form(&blocks, &fields).await;
    assert_eq!(response.status(), 409);
    assert!(response.text().await.unwrap().contains("de inhoud kan daarna niet meer worden gewijzigd"));
    assert_eq!(headings(&app, id).await.len(), 3);

    // The archive shows the same blocks, as web HTML, without personal links.
    let slug = slug_of(&app, id).await;
    let web = app.get_text(&format!("/nieuwsbrief/archief/{slug}"), 200).await;
    assert!(is_sorted(&positions(
        &web,
        &[
            "<h2>Agenda</h2>",
            "<h2>Nieuws uit de regio</h2>",
            "<a href=\"/nieuws/speeltuin-open\">Speeltuin weer open</a>"
        ]
    )));
    assert!(web.contains("<strong>tekst</strong>") && web.contains("<li>punt een</li>"));
    assert!(
        !web.contains("/nieuwsbrief/afmelden/")
            && !web.contains("style=\"")
            && !web.contains("<script>alert")
    );
}

#[tokio::test]
async fn only_coordinators_see_the_preview_and_it_is_not_found_for_unknown_campaigns() {
    let app = TestApp::spawn().await;
    let id = CampaignBuilder::new(&app.db, "proef").subject("Proef").create().await;
    let path = format!("/beheer/nieuwsbrieven/{id}/voorbeeld.html");
    let anonymous = app.get(&path).await;
    assert_eq!(anonymous.status(), 303);
    app.create_user("redacteur@voorbeeld.nl", "redacteur", PASSWORD).await;
    app.login("redacteur@voorbeeld.nl", PASSWORD).await;
    assert_eq!(app.get(&path).await.status(), 403);
    app.create_user("coordinator@voorbeeld.nl", "coordinator", PASSWORD).await;
    let coordinator = TestApp::spawn_second_client(&app, "coordinator@voorbeeld.nl", PASSWORD).await;
    let response = coordinator.get(app.url(&path)).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.text().await.unwrap().contains("Hallo"));
    let missing =
        coordinator.get(app.url("/beheer/nieuwsbrieven/999999/voorbeeld.html")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn a_new_campaign_can_start_with_a_text_block_and_keeps_its_input_on_errors() {
    let app = TestApp::spawn().await;
    bredeblik::seed::themes(&app.db).await.unwrap();
    let news = app.news("Kort nieuws").slug("kort").create().await;
    let news = news.to_string();
    app.create_user("coordinator@voorbeeld.nl", "coordinator", PASSWORD).await;
    app.login("coordinator@voorbeeld.nl", PASSWORD).await;
    let response = app
        .post_form(
            "/beheer/nieuwsbrieven",
            &[
                ("onderwerp", "x"),
                ("nieuws", &news),
                ("thema", "preventie"),
                ("tekstblok-kop", "Alleen een kop"),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert!(page.contains("minstens 3 tekens") && page.contains("Schrijf de tekst van het tekstblok"));
    assert!(page.contains(&format!("name=\"nieuws\" value=\"{news}\" checked")), "choices are kept");
    assert!(page.contains("value=\"preventie\" checked") && page.contains("value=\"Alleen een kop\""));
    // Each message stands at its field, which points to it and is marked invalid.
    for (field, message) in [("onderwerp", "minstens 3 tekens"), ("tekstblok-tekst", "Schrijf de tekst")] {
        let id = format!("c-{field}");
        assert_eq!(select_attr(&page, &format!("#{id}"), "aria-invalid"), ["true"], "{field}");
        let described = select_attr(&page, &format!("#{id}"), "aria-describedby").join("");
        assert!(described.split(' ').any(|d| d == format!("{id}-error")), "{field}: {described}");
        assert!(select(&page, &format!("#{id}-error")).join("").contains(message), "{field}");
    }
    assert!(
        select_attr(&page, "#c-preheader", "aria-invalid").is_empty(),
        "a field without an error is not marked"
    );

    let response = app
        .post_form(
            "/beheer/nieuwsbrieven",
            &[
                ("onderwerp", "Alleen tekst"),
                ("tekstblok-kop", "Welkom"),
                ("tekstblok-tekst", "Een *tekst*."),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let id: i64 = location.rsplit('/').next().unwrap().parse().unwrap();
    assert_eq!(headings(&app, id).await, ["Welkom"]);
    let preview = app.get_text(&format!("{location}/voorbeeld.html"), 200).await;
    assert!(preview.contains(">Welkom</h2>") && preview.contains("<em>tekst</em>"));
}

#[tokio::test]
async fn events_and_publications_are_blocks_in_the_mail_and_the_archive() {
    let (app, mailbox) = TestApp::spawn_with_mail().await;
    subscriber(&app.db, "lezer@voorbeeld.nl", SUBSCRIBER_TOKEN).await;
    let starts = time::macros::datetime!(2027-03-04 13:00 UTC);
    let event_id = EventBuilder::new(&app.db, "samen-spelen").starts_at(starts).create().await;
    let concept_event = EventBuilder::new(&app.db, "nog-geheim").starts_at(starts).concept().create().await;
    let publication = |slug: &str| {
        app.publication(&format!("Rapport {slug}"))
            .slug(slug)
            .year(2021)
            .summary("Wat **werkt** in de wijk.\n\n<script>alert(1)</script> [Meer](https://voorbeeld.nl).")
            .authors("Mark Snijder, Nederlands Jeugdinstituut")
    };
    let publication_id = publication("met-andere-ogen").published().create().await;
    let concept_publication = publication("nog-in-concept").create().await;
    app.create_user("coordinator@voorbeeld.nl", "coordinator", PASSWORD).await;
    app.login("coordinator@voorbeeld.nl", PASSWORD).await;
    let response = app
        .post_form("/beheer/nieuwsbrieven", &[("onderwerp", "Agenda en lezen"), ("intro", "Beste lezer,")])
        .await;
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let id: i64 = location.rsplit('/').next().unwrap().parse().unwrap();
    let blocks = format!("{location}/blokken");

    // The editor offers the published records only, each by kind.
    let page = app.get_text(&location, 200).await;
    assert!(page.contains(&format!("value=\"evenement-{event_id}\"")), "{page}");
    assert!(page.contains(&format!("value=\"publicatie-{publication_id}\"")));
    assert!(!page.contains(&format!("evenement-{concept_event}\"")));
    assert!(!page.contains(&format!("publicatie-{concept_publication}\"")));

    // Bad choices: a Dutch message, 422, the rest of the input kept; broken forms are a 400.
    for bad in
        [format!("publicatie-{concept_publication}"), "evenement-x".into(), format!("nieuws-{event_id}")]
    {
        let response = app
            .post_form(
                &blocks,
                &[("aantal", "0"), ("nieuw-kop", "Kop blijft"), ("nieuw-record", &bad), ("actie", "opslaan")],
            )
            .await;
        assert_eq!(response.status(), 422, "{bad}");
        let page = response.text().await.unwrap();
        assert!(page.contains("Kies een gepubliceerde bijeenkomst of publicatie uit de lijst."), "{page}");
        assert!(page.contains("value=\"Kop blijft\""));
    }
    for hostile in [
        vec![("aantal", "1"), ("blok-0-soort", "evenement"), ("actie", "opslaan")],
        vec![("aantal", "1"), ("blok-0-soort", "publicatie"), ("blok-0-record", "1e9"), ("actie", "opslaan")],
    ] {
        assert_eq!(app.post_form(&blocks, &hostile).await.status(), 400, "{hostile:?}");
    }

    // An event, then a publication after it, through the empty slot.
    let event_value = format!("evenement-{event_id}");
    let response = app
        .post_form(&blocks, &[("aantal", "0"), ("nieuw-record", &event_value), ("actie", "opslaan")])
        .await;
    assert_eq!(response.status(), 303);
    let (event_text, publication_value) = (event_id.to_string(), format!("publicatie-{publication_id}"));
    let response = app
        .post_form(
            &blocks,
            &[
                ("aantal", "1"),
                ("blok-0-soort", "evenement"),
                ("blok-0-record", &event_text),
                ("nieuw-record", &publication_value),
                ("actie", "opslaan"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let stored: Vec<(String, Option<i64>)> = sqlx::query_as(
        "SELECT kind, record_id FROM campaign_blocks WHERE campaign_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(
        stored,
        [("evenement".to_owned(), Some(event_id)), ("publicatie".to_owned(), Some(publication_id))]
    );
    let page = app.get_text(&location, 200).await;
    assert!(page.contains("Blok 1: bijeenkomst") && page.contains("Blok 2: publicatie"), "{page}");

    // Sent through the SMTP sink: both parts show title, date or authors, summary and link.
    let response = app.post_form(&format!("{location}/actie"), &[("actie", "versturen")]).await;
    assert_eq!(response.status(), 303);
    let mail = mailbox.wait_for("lezer@voorbeeld.nl", "Agenda en lezen").await;
    let (text, html) =
        mail.body.split_once("Content-Type: text/html").expect("an HTML part after the text part");
    assert!(is_sorted(&positions(
        text,
        &[
            "Beste lezer,",
            "Leerdag samen-spelen\n",
            "4 maart 2027, 14.00–17.00 uur · Zaal Één, Utrecht",
            "Een dag om van elkaar te leren.",
            "/bijeenkomsten/samen-spelen",
            "Rapport met-andere-ogen\n",
            "Rapport · Mark Snijder, Nederlands Jeugdinstituut (2021)",
            "Wat werkt in de wijk.",
            "/kennisbank/met-andere-ogen",
        ]
    )));
    assert!(text.contains("Lees verder: http://127.0.0.1:"), "{text}");
    assert!(is_sorted(&positions(
        html,
        &[
            "/bijeenkomsten/samen-spelen\" style=",
            ">Leerdag samen-spelen</a>",
            ">Rapport met-andere-ogen</a>"
        ]
    )));
    assert!(html.contains("(2021)") && html.contains("Zaal Één, Utrecht"), "{html}");
    assert!(!mail.body.contains("<script") && !mail.body.contains("alert("));

    wait_until_sent(&app, id).await;
    let slug = slug_of(&app, id).await;
    let web = app.get_text(&format!("/nieuwsbrief/archief/{slug}"), 200).await;
    assert!(is_sorted(&positions(
        &web,
        &[
            "<a href=\"/bijeenkomsten/samen-spelen\">Leerdag samen-spelen</a>",
            "4 maart 2027, 14.00–17.00 uur · Zaal Één, Utrecht",
            "<a href=\"/kennisbank/met-andere-ogen\">Rapport met-andere-ogen</a>",
            "Mark Snijder, Nederlands Jeugdinstituut (2021)",
        ]
    )));

    // A cancelled event stays in the archive and says so; an unpublished publication leaves it.
    sqlx::query("UPDATE events SET status = 'geannuleerd' WHERE id = $1")
        .bind(event_id)
        .execute(&app.db)
        .await
        .unwrap();
    sqlx::query("UPDATE publications SET status = 'gearchiveerd' WHERE id = $1")
        .bind(publication_id)
        .execute(&app.db)
        .await
        .unwrap();
    let web = app.get_text(&format!("/nieuwsbrief/archief/{slug}"), 200).await;
    assert!(web.contains("Gaat niet door") && !web.contains("/kennisbank/met-andere-ogen"), "{web}");
}

#[tokio::test]
async fn a_new_campaign_takes_at_most_fifty_topics_however_many_are_sent() {
    let app = TestApp::spawn().await;
    sqlx::query(
        "INSERT INTO themes (slug, name) SELECT 'thema-' || g, 'Thema ' || g FROM generate_series(0, 59) g",
    )
    .execute(&app.db)
    .await
    .unwrap();
    app.create_user("coordinator@voorbeeld.nl", "coordinator", PASSWORD).await;
    app.login("coordinator@voorbeeld.nl", PASSWORD).await;
    let topics: Vec<String> = (0..500).map(|i| format!("thema-{i}")).collect();
    let mut fields = vec![("onderwerp", "Veel onderwerpen"), ("intro", "Beste lezer,")];
    fields.extend(topics.iter().map(|t| ("thema", t.as_str())));
    let response = app.post_form("/beheer/nieuwsbrieven", &fields).await;
    assert_eq!(response.status(), 303);
    let mut stored: Vec<String> =
        sqlx::query_scalar("SELECT topics FROM campaigns WHERE subject = 'Veel onderwerpen'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    stored.sort();
    let mut first: Vec<String> = topics[..50].to_vec();
    first.sort();
    assert_eq!(stored, first, "the first fifty sent, of the sixty themes that exist");
}
