//! Bijeenkomsten: the public pages, places that are never overbooked, the waiting list and
//! its offers, reminders with two instances, and calendar files read by ical.js.

use std::time::Duration;

use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::{EventBuilder, SubscriberBuilder, TestApp, select_attr};

const SECRET: &str = "development-only-secret-key-do-not-use-in-production";

fn started() -> String {
    let secret = bredeblik::config::Secret::new(SECRET);
    let time = (time::OffsetDateTime::now_utc().unix_timestamp() - 30).to_string();
    format!("{time}.{}", bredeblik::tokens::sign(&secret, "form-started", &time))
}

/// The personal link's token of a registration, as the mails carry it.
async fn token_of(db: &PgPool, email: &str) -> String {
    let nonce: String =
        sqlx::query_scalar("SELECT token_nonce FROM registrations WHERE email = $1 ORDER BY id DESC LIMIT 1")
            .bind(email)
            .fetch_one(db)
            .await
            .unwrap();
    bredeblik::tokens::sign(&bredeblik::config::Secret::new(SECRET), "event-registration", &nonce)
}

async fn register(app: &TestApp, slug: &str, name: &str, email: &str) -> reqwest::Response {
    let stamp = started();
    app.client
        .post(app.url(&format!("/bijeenkomsten/{slug}")))
        .form(&[("naam", name), ("email", email), ("organisatie", "Wijkteam"), ("begonnen", &stamp)])
        .send()
        .await
        .unwrap()
}

async fn statuses(db: &PgPool, event_id: i64) -> Vec<(String, String)> {
    sqlx::query_as("SELECT email, status FROM registrations WHERE event_id = $1 ORDER BY id")
        .bind(event_id)
        .fetch_all(db)
        .await
        .unwrap()
}

async fn status_of(db: &PgPool, email: &str) -> String {
    sqlx::query_scalar("SELECT status FROM registrations WHERE email = $1 ORDER BY id DESC LIMIT 1")
        .bind(email)
        .fetch_one(db)
        .await
        .unwrap()
}

/// Runs tests/browser/ics-check.mjs (ical.js) over calendar texts; panics when one fails.
fn parse_calendars(calendars: &[String]) -> Vec<Value> {
    let dir = std::env::temp_dir().join(format!("bb-ics-{}", bredeblik::tokens::random_hex(6)));
    std::fs::create_dir_all(&dir).unwrap();
    let files: Vec<_> = calendars
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let path = dir.join(format!("{i}.ics"));
            std::fs::write(&path, text).unwrap();
            path
        })
        .collect();
    let harness = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    assert!(
        harness.join("node_modules/ical.js").exists(),
        "ical.js is missing: run `npm ci` in tests/browser (scripts/ensure-tools does)"
    );
    let output = std::process::Command::new("node")
        .current_dir(&harness)
        .arg("ics-check.mjs")
        .args(&files)
        .output()
        .expect("node runs");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(output.status.success(), "ical.js refused a file: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice::<Vec<Value>>(&output.stdout).unwrap()
}

#[tokio::test]
async fn demo_events_list_detail_filters_and_participants() {
    let app = TestApp::spawn_with_demo().await;
    let list = app.get_text("/bijeenkomsten", 200).await;
    assert!(list.contains("Leerdag: onderwijs en zorg in één team"), "{list}");
    assert!(list.contains("Online sessie: ontschotting in de praktijk"));
    assert!(!list.contains("Landelijke bijeenkomst: waar"), "past events only on request");
    // Upcoming first: the online session (in 10 days) before the learning day (in 21).
    assert!(list.find("Online sessie").unwrap() < list.find("Leerdag: onderwijs").unwrap());

    let past = app.get_text("/bijeenkomsten?verleden=1", 200).await;
    assert!(past.contains("Landelijke bijeenkomst: waar begint de verandering?"), "{past}");
    let meeting = app.get_text("/bijeenkomsten/landelijke-bijeenkomst-11-november-2026", 200).await;
    assert!(meeting.contains("11 november 2026, 13.00–17.00 uur"), "{meeting}");
    assert!(meeting.contains("Verslag"));
    assert!(meeting.contains("al begonnen of voorbij"), "no registration for a past event");

    let online = app.get_text("/bijeenkomsten?vorm=online", 200).await;
    assert!(online.contains("Online sessie") && !online.contains("Leerdag: onderwijs"), "{online}");
    assert_eq!(select_attr(&online, "#f-vorm option[selected]", "value"), ["online"]);
    let themed = app.get_text("/bijeenkomsten?thema=wijkgericht-werken", 200).await;
    assert!(themed.contains("Regionale leertafel") && !themed.contains("Online sessie"));
    // Unknown filter values are ignored, not an error.
    app.get_text("/bijeenkomsten?thema=%3Cscript%3E&vorm=x&pagina=-4", 200).await;

    let full = app.get_text("/bijeenkomsten/leerdag-onderwijs-en-zorg-in-een-team", 200).await;
    assert!(full.contains("Nog 1 plaats vrij."), "{full}");
    assert!(full.contains("Anouk Verhoeven"), "participants who chose to be shown");
    assert!(!full.contains("voorbeeld.example"), "never an address on the page");
    assert!(full.contains("Aan welke werkplaats doet u mee?"));
    assert!(!full.contains("name=\"toon\" value=\"1\" checked"), "consent box starts unticked");
    let online_page = app.get_text("/bijeenkomsten/online-sessie-ontschotting-in-de-praktijk", 200).await;
    assert!(!online_page.contains("vergaderen.example.org"), "the join link is only in mails");

    app.get_text("/bijeenkomsten/bestaat-niet", 404).await;
    app.get_text("/bijeenkomsten/aanmelding/abc", 404).await;
}

#[tokio::test]
async fn fifty_registrations_at_once_for_ten_places_give_ten_places_and_forty_waiting() {
    let app = TestApp::spawn().await;
    let id = EventBuilder::new(&app.db, "druk").capacity(10).in_hours(72).create().await;
    let requests = (0..50).map(|i| {
        let client = app.client.clone();
        let url = app.url("/bijeenkomsten/druk");
        async move {
            let stamp = started();
            let email = format!("persoon{i}@voorbeeld.nl");
            let response = client
                .post(url)
                .form(&[("naam", format!("Persoon {i}")), ("email", email), ("begonnen", stamp)])
                .send()
                .await
                .unwrap();
            response.status().as_u16()
        }
    });
    let codes = futures_join_all(requests).await;
    assert!(codes.iter().all(|c| *c == 200), "{codes:?}");
    let rows = statuses(&app.db, id).await;
    let placed = rows.iter().filter(|(_, s)| s == "bevestigd").count();
    let waiting = rows.iter().filter(|(_, s)| s == "wachtlijst").count();
    assert_eq!((placed, waiting), (10, 40));
    let taken: i32 = sqlx::query_scalar("SELECT places_taken FROM events WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(taken, 10);
    let mails: Vec<(String, i64)> =
        sqlx::query_as("SELECT kind, count(*) FROM outbox GROUP BY kind ORDER BY kind")
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert_eq!(
        mails,
        vec![("bijeenkomst-bevestiging".to_owned(), 10), ("bijeenkomst-wachtlijst".to_owned(), 40)]
    );
}

/// Runs futures concurrently on the test runtime (each as its own task).
async fn futures_join_all<F>(futures: impl Iterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::with_capacity(handles.len());
    for handle in handles {
        out.push(handle.await.unwrap());
    }
    out
}

#[tokio::test]
async fn a_second_registration_gets_the_same_answer_and_a_mail_with_the_existing_link() {
    let app = TestApp::spawn().await;
    let id = EventBuilder::new(&app.db, "dubbel").capacity(1).in_hours(72).create().await;
    register(&app, "dubbel", "Eerste", "iemand@voorbeeld.nl").await;
    // The event is now full: a new address and a known one get the same page.
    let new = register(&app, "dubbel", "Ander", "ander@voorbeeld.nl").await;
    assert_eq!(new.status(), 200);
    let new = new.text().await.unwrap();
    let again = register(&app, "dubbel", "Nog eens", "IEMAND@voorbeeld.nl").await;
    assert_eq!(again.status(), 200);
    let again = again.text().await.unwrap();
    let main = |html: &str| html.split("<main").nth(1).unwrap().split("</main>").next().unwrap().to_owned();
    assert_eq!(main(&new), main(&again), "the answer says nothing about the address");
    assert!(again.contains("wachtlijst"));
    assert_eq!(statuses(&app.db, id).await.len(), 2, "no second registration");
    let token = token_of(&app.db, "iemand@voorbeeld.nl").await;
    let mails: Vec<(String, String)> = sqlx::query_as(
        "SELECT kind, text_body FROM outbox WHERE to_address ILIKE 'iemand@voorbeeld.nl' ORDER BY id",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(mails.len(), 2);
    assert_eq!(mails[1].0, "bijeenkomst-bestaande-aanmelding");
    let link = format!("/bijeenkomsten/aanmelding/{token}");
    assert!(mails[0].1.contains(&link) && mails[1].1.contains(&link), "{}", mails[1].1);
}

#[tokio::test]
async fn bad_input_and_closed_events_get_dutch_messages_and_keep_the_input() {
    let app = TestApp::spawn().await;
    EventBuilder::new(&app.db, "open").capacity(5).in_hours(72).create().await;
    let stamp = started();
    let response = app
        .client
        .post(app.url("/bijeenkomsten/open"))
        .form(&[
            ("naam", "<script>alert(1)</script>"),
            ("email", "geen adres"),
            ("organisatie", "Org \u{0}X"),
            ("begonnen", &stamp),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let body = response.text().await.unwrap();
    assert!(body.contains("Vul een geldig e-mailadres in"));
    assert!(body.contains("value=\"&#60;script&#62;alert(1)&#60;/script&#62;\""), "input kept, escaped");
    // Too fast (a fresh stamp) or a filled honeypot: refused.
    let now = time::OffsetDateTime::now_utc().unix_timestamp().to_string();
    let secret = bredeblik::config::Secret::new(SECRET);
    let fresh = format!("{now}.{}", bredeblik::tokens::sign(&secret, "form-started", &now));
    let bot = app
        .client
        .post(app.url("/bijeenkomsten/open"))
        .form(&[("naam", "Bot"), ("email", "bot@voorbeeld.nl"), ("begonnen", &fresh)])
        .send()
        .await
        .unwrap();
    assert_eq!(bot.status(), 422);
    // A huge value is cut, not a 500.
    let huge = "x".repeat(100_000);
    let big = app
        .client
        .post(app.url("/bijeenkomsten/open"))
        .form(&[("naam", huge.as_str()), ("email", "groot@voorbeeld.nl"), ("begonnen", &stamp)])
        .send()
        .await
        .unwrap();
    assert!(big.status().is_success() || big.status().is_client_error(), "{}", big.status());
    // An address known to bounce is refused with a message, the input kept.
    SubscriberBuilder::new(&app.db, "kapot@voorbeeld.nl").bounced().create().await;
    let bounced = register(&app, "open", "Kapot", "Kapot@voorbeeld.nl").await;
    assert_eq!(bounced.status(), 422);
    assert!(bounced.text().await.unwrap().contains("konden wij eerder geen e-mail bezorgen"));
    // Past the deadline, cancelled, or over: 409 with the reason.
    sqlx::query("UPDATE events SET registration_deadline = now() - interval '1 hour' WHERE slug = 'open'")
        .execute(&app.db)
        .await
        .unwrap();
    let late = register(&app, "open", "Laat", "laat@voorbeeld.nl").await;
    assert_eq!(late.status(), 409);
    assert!(late.text().await.unwrap().contains("aanmeldtermijn"));
    sqlx::query("UPDATE events SET registration_deadline = NULL, status = 'geannuleerd' WHERE slug = 'open'")
        .execute(&app.db)
        .await
        .unwrap();
    let off = register(&app, "open", "Af", "af@voorbeeld.nl").await;
    assert_eq!(off.status(), 409);
    assert!(off.text().await.unwrap().contains("gaat niet door"));
    // A bad action on a personal link is a 400, an unknown token a 404.
    let token = "0".repeat(64);
    let unknown = app
        .client
        .post(app.url(&format!("/bijeenkomsten/aanmelding/{token}")))
        .form(&[("actie", "afmelden")])
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn a_freed_place_goes_to_the_first_waiting_and_moves_on_when_unclaimed() {
    let app = TestApp::spawn().await;
    let id = EventBuilder::new(&app.db, "een-plaats").capacity(1).in_hours(240).create().await;
    for (name, email) in [("A", "a@voorbeeld.nl"), ("B", "b@voorbeeld.nl"), ("C", "c@voorbeeld.nl")] {
        assert_eq!(register(&app, "een-plaats", name, email).await.status(), 200);
    }
    assert_eq!(status_of(&app.db, "a@voorbeeld.nl").await, "bevestigd");
    let (a, b, c) = (
        token_of(&app.db, "a@voorbeeld.nl").await,
        token_of(&app.db, "b@voorbeeld.nl").await,
        token_of(&app.db, "c@voorbeeld.nl").await,
    );
    // GET only shows: a link scanner changes nothing.
    let page = app.get_text(&format!("/bijeenkomsten/aanmelding/{a}"), 200).await;
    assert!(page.contains("Afmelden"));
    assert_eq!(status_of(&app.db, "a@voorbeeld.nl").await, "bevestigd");

    let cancelled = app
        .client
        .post(app.url(&format!("/bijeenkomsten/aanmelding/{a}")))
        .form(&[("actie", "afmelden")])
        .send()
        .await
        .unwrap();
    assert_eq!(cancelled.status(), 303);
    assert_eq!(status_of(&app.db, "a@voorbeeld.nl").await, "geannuleerd");
    assert_eq!(status_of(&app.db, "b@voorbeeld.nl").await, "aangeboden");
    assert_eq!(status_of(&app.db, "c@voorbeeld.nl").await, "wachtlijst");
    let offer: String = sqlx::query_scalar(
        "SELECT text_body FROM outbox WHERE to_address = 'b@voorbeeld.nl' AND kind = 'bijeenkomst-plaats-aangeboden'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!(offer.contains(&format!("/bijeenkomsten/aanmelding/{b}")), "{offer}");
    // The window is 48 hours for an event ten days ahead.
    let window: f64 = sqlx::query_scalar(
        "SELECT extract(epoch FROM offer_expires_at - offered_at)::float8 FROM registrations WHERE email = 'b@voorbeeld.nl'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!((window - 48.0 * 3600.0).abs() < 5.0, "{window}");

    // B lets the window pass: the worker offers the place to C.
    sqlx::query("UPDATE registrations SET offer_expires_at = now() - interval '1 second' WHERE email = 'b@voorbeeld.nl'")
        .execute(&app.db)
        .await
        .unwrap();
    for _ in 0..50 {
        if status_of(&app.db, "c@voorbeeld.nl").await == "aangeboden" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status_of(&app.db, "c@voorbeeld.nl").await, "aangeboden");
    assert_eq!(status_of(&app.db, "b@voorbeeld.nl").await, "geannuleerd");
    let late = app
        .client
        .post(app.url(&format!("/bijeenkomsten/aanmelding/{b}")))
        .form(&[("actie", "innemen")])
        .send()
        .await
        .unwrap();
    assert_eq!(late.status(), 409);
    let claimed = app
        .client
        .post(app.url(&format!("/bijeenkomsten/aanmelding/{c}")))
        .form(&[("actie", "innemen")])
        .send()
        .await
        .unwrap();
    assert_eq!(claimed.status(), 303);
    assert_eq!(status_of(&app.db, "c@voorbeeld.nl").await, "bevestigd");
    let taken: i32 = sqlx::query_scalar("SELECT places_taken FROM events WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(taken, 1, "never more places than capacity");
    let confirmations: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM outbox WHERE to_address = 'c@voorbeeld.nl' AND kind = 'bijeenkomst-bevestiging'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(confirmations, 1);
}

#[tokio::test]
async fn the_reminder_goes_out_once_per_person_with_two_instances() {
    let app = TestApp::spawn().await;
    let sibling = app.spawn_sibling().await;
    let id = EventBuilder::new(&app.db, "morgen").capacity(100).in_hours(30).create().await;
    sqlx::query(
        "INSERT INTO registrations (event_id, name, email, status, token_nonce, token_hash) \
         SELECT $1, 'Persoon ' || g, 'p' || g || '@voorbeeld.nl', 'bevestigd', md5(g::text), md5('h' || g) \
         FROM generate_series(1, 120) g",
    )
    .bind(id)
    .execute(&app.db)
    .await
    .unwrap();
    // Due now: the reminder moment (48 h before) has passed.
    for _ in 0..100 {
        let left: i64 =
            sqlx::query_scalar("SELECT count(*) FROM registrations WHERE reminder_sent_at IS NULL")
                .fetch_one(&app.db)
                .await
                .unwrap();
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Let both workers run a few more rounds.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let (total, people): (i64, i64) = sqlx::query_as(
        "SELECT count(*), count(DISTINCT to_address) FROM outbox WHERE kind = 'bijeenkomst-herinnering'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!((total, people), (120, 120));
    drop(sibling);
}

#[tokio::test]
async fn calendar_files_are_valid_keep_their_uid_and_show_no_addresses() {
    let (app, mailbox) = TestApp::spawn_with_mail().await;
    let id = EventBuilder::new(&app.db, "agenda").capacity(5).in_hours(200).create().await;
    sqlx::query("UPDATE events SET title = 'Leerdag, één; met \\ tekens en een hele lange titel die zeker gevouwen moet worden' WHERE id = $1")
        .bind(id)
        .execute(&app.db)
        .await
        .unwrap();
    assert_eq!(register(&app, "agenda", "Eva Één", "eva@voorbeeld.nl").await.status(), 200);
    register(&app, "agenda", "Piet", "piet@voorbeeld.nl").await;

    // The confirmation arrives through SMTP with the invitation attached.
    let mail = mailbox.wait_for("eva@voorbeeld.nl", "Aangemeld").await;
    assert!(mail.headers.contains("multipart/mixed"), "{}", mail.headers);
    assert!(mail.body.contains("text/calendar") && mail.body.contains("uitnodiging.ics"), "{}", mail.body);

    // The organiser moves the event, then calls it off.
    let state_config = app_config(&app);
    let mut tx = app.db.begin().await.unwrap();
    let later = time::OffsetDateTime::now_utc() + time::Duration::days(20);
    bredeblik::events::places::reschedule(
        &mut tx,
        &state_config,
        id,
        later,
        later + time::Duration::hours(2),
        "Zaal Twee",
        "Straat 1, Utrecht",
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let mut tx = app.db.begin().await.unwrap();
    bredeblik::events::places::cancel_event(&mut tx, &state_config, id, "Door ziekte van de sprekers.")
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let attachments: Vec<(String, String, Vec<u8>)> = sqlx::query_as(
        "SELECT o.kind, a.content_type, a.content FROM outbox_attachments a JOIN outbox o ON o.id = a.outbox_id \
         WHERE o.to_address = 'eva@voorbeeld.nl' ORDER BY o.id",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    let kinds: Vec<&str> = attachments.iter().map(|(k, _, _)| k.as_str()).collect();
    assert_eq!(kinds, ["bijeenkomst-bevestiging", "bijeenkomst-gewijzigd", "bijeenkomst-geannuleerd"]);
    let mut calendars: Vec<String> =
        attachments.iter().map(|(_, _, c)| String::from_utf8(c.clone()).unwrap()).collect();
    calendars.push(app.get_text("/bijeenkomsten/agenda.ics", 200).await);
    calendars.push(app.get_text("/bijeenkomsten.ics", 200).await);
    for public in &calendars[3..] {
        assert!(!public.contains("voorbeeld.nl"), "no attendee address in a public file: {public}");
    }
    let parsed = parse_calendars(&calendars);
    let event_of = |i: usize| &parsed[i]["events"][0];
    let uid = event_of(0)["uid"].as_str().unwrap().to_owned();
    assert!(uid.starts_with(&format!("bijeenkomst-{id}@")), "{uid}");
    assert_eq!(parsed[0]["method"], "REQUEST");
    assert_eq!(parsed[1]["method"], "REQUEST");
    assert_eq!(parsed[2]["method"], "CANCEL");
    for i in 0..4 {
        assert_eq!(event_of(i)["uid"], uid.as_str(), "file {i} keeps the UID");
    }
    let sequences: Vec<i64> = (0..4).map(|i| event_of(i)["sequence"].as_i64().unwrap_or(0)).collect();
    assert!(sequences[0] < sequences[1] && sequences[1] < sequences[2], "{sequences:?}");
    assert_eq!(
        event_of(0)["summary"],
        "Leerdag, één; met \\ tekens en een hele lange titel die zeker gevouwen moet worden"
    );
    assert_eq!(event_of(2)["status"], "CANCELLED");
    assert_eq!(event_of(3)["status"], "CANCELLED");
    assert!(event_of(1)["location"].as_str().unwrap().contains("Zaal Twee"));
    assert!(event_of(3)["description"].as_str().unwrap().contains("/bijeenkomsten/agenda"));
    let in_feed = parsed[4]["events"].as_array().unwrap();
    assert!(in_feed.iter().any(|e| e["uid"] == uid.as_str()));
    // The waiting person got the cancellation too.
    let piet: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM outbox WHERE to_address = 'piet@voorbeeld.nl' AND kind = 'bijeenkomst-geannuleerd'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(piet, 1);
}

/// The configuration the app under test runs with (same secret, domain and base URL).
fn app_config(app: &TestApp) -> bredeblik::config::Config {
    crate::helpers::config_for("postgres://127.0.0.1/unused", &[("BASE_URL", &app.address)])
}

#[tokio::test]
async fn editors_run_an_event_from_concept_to_report_and_everything_is_audited() {
    let app = TestApp::spawn_with_demo().await;
    let editor = app.logged_in(crate::helpers::Role::Redacteur).await;
    let start = time::OffsetDateTime::now_utc() + time::Duration::days(30);
    let local = |t: time::OffsetDateTime| bredeblik::text::to_amsterdam_local(t);
    let (begin, end) = (local(start), local(start + time::Duration::hours(3)));
    let base: Vec<(&str, &str)> = vec![
        ("titel", "Werkplaats jeugd en wijk"),
        ("samenvatting", "Samen werken aan een wijk waar kinderen gewoon kunnen opgroeien."),
        ("tekst", "## Programma\n\n- Opening"),
        ("begin", &begin),
        ("einde", &end),
        ("vorm", "op_locatie"),
        ("locatie", "Buurthuis De Kern"),
        ("adres", "Kerkstraat 1, Utrecht"),
        ("capaciteit", "2"),
        ("herinnering_uren", "48"),
        ("thema", "wijkgericht-werken"),
        ("vraag1", "Welke sessie?"),
        ("vraag1_soort", "keuze"),
        ("vraag1_keuzes", "Ochtend; Middag"),
    ];
    // Bad input: a Dutch message per field, the input kept.
    let mut bad = base.clone();
    bad.retain(|(k, _)| *k != "begin" && *k != "capaciteit");
    bad.push(("capaciteit", "veel"));
    let response = editor.post("/beheer/bijeenkomsten", &bad).await;
    assert_eq!(response.status(), 422);
    let body = response.text().await.unwrap();
    assert!(body.contains("Kies datum en tijd van het begin.") && body.contains("Werkplaats jeugd en wijk"));

    let mut publish = base.clone();
    publish.push(("actie", "publiceren"));
    let created = editor.post("/beheer/bijeenkomsten", &publish).await;
    assert_eq!(created.status(), 303);
    let id: i64 = sqlx::query_scalar("SELECT id FROM events WHERE slug = 'werkplaats-jeugd-en-wijk'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let page = app.get_text("/bijeenkomsten/werkplaats-jeugd-en-wijk", 200).await;
    assert!(page.contains("Welke sessie?") && page.contains("Nog 2 plaatsen vrij."), "{page}");

    for (name, email) in [("Ans", "ans@voorbeeld.nl"), ("Bo", "bo@voorbeeld.nl"), ("Cas", "cas@voorbeeld.nl")]
    {
        let stamp = started();
        let r = app
            .client
            .post(app.url("/bijeenkomsten/werkplaats-jeugd-en-wijk"))
            .form(&[
                ("naam", name),
                ("email", email),
                ("vraag1", "Middag"),
                ("toon", if name == "Ans" { "1" } else { "" }),
                ("begonnen", &stamp),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    assert_eq!(status_of(&app.db, "cas@voorbeeld.nl").await, "wachtlijst");

    // Lowering the capacity below the number with a place keeps everyone and says so.
    let mut lower = base.clone();
    lower.retain(|(k, _)| *k != "capaciteit");
    lower.push(("capaciteit", "1"));
    let response = editor.post(&format!("/beheer/bijeenkomsten/{id}"), &lower).await;
    assert_eq!(response.status(), 200);
    assert!(response.text().await.unwrap().contains("Iedereen houdt zijn plaats"));
    assert_eq!(status_of(&app.db, "bo@voorbeeld.nl").await, "bevestigd");
    // Raising it offers the new places to the waiting list.
    let mut raise = base.clone();
    raise.retain(|(k, _)| *k != "capaciteit");
    raise.push(("capaciteit", "3"));
    assert_eq!(editor.post(&format!("/beheer/bijeenkomsten/{id}"), &raise).await.status(), 303);
    assert_eq!(status_of(&app.db, "cas@voorbeeld.nl").await, "aangeboden");

    // Moving the event: the updated invitation to everyone with a place, SEQUENCE up.
    let later = local(start + time::Duration::days(1));
    let later_end = local(start + time::Duration::days(1) + time::Duration::hours(3));
    let mut moved = raise.clone();
    moved.retain(|(k, _)| *k != "begin" && *k != "einde");
    moved.push(("begin", &later));
    moved.push(("einde", &later_end));
    assert_eq!(editor.post(&format!("/beheer/bijeenkomsten/{id}"), &moved).await.status(), 303);
    let updates: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE kind = 'bijeenkomst-gewijzigd'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(updates, 3, "Ans, Bo and Cas (offered) hold places");
    let sequence: i32 = sqlx::query_scalar("SELECT sequence FROM events WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(sequence, 1);

    // Registrations, attendance, CSV with only shared names, the printable list.
    let list = editor.text(&format!("/beheer/bijeenkomsten/{id}/aanmeldingen"), 200).await;
    assert!(list.contains("ans@voorbeeld.nl") && list.contains("Middag"));
    let ans: i64 = sqlx::query_scalar("SELECT id FROM registrations WHERE email = 'ans@voorbeeld.nl'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let r = editor
        .post(
            &format!("/beheer/bijeenkomsten/{id}/aanmeldingen"),
            &[("aanmelding", &ans.to_string()), ("actie", "aanwezig")],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(status_of(&app.db, "ans@voorbeeld.nl").await, "aanwezig");
    let csv = editor.text(&format!("/beheer/bijeenkomsten/{id}/aanmeldingen.csv"), 200).await;
    assert!(csv.contains("\"Ans\"") && !csv.contains("\"Bo\"") && csv.contains("(niet gedeeld)"), "{csv}");
    assert!(!csv.contains("@voorbeeld.nl"), "no addresses in the export");
    let print = editor.text(&format!("/beheer/bijeenkomsten/{id}/aanmeldingen?afdrukken=1"), 200).await;
    assert!(print.contains("Presentielijst") && print.contains("Bo"));

    // The report appears on the event page.
    let form = reqwest::multipart::Form::new()
        .text("verslag-tekst", "Een **goede** middag.")
        .text("csrf_token", editor.token.clone());
    let r = editor
        .client
        .post(app.url(&format!("/beheer/bijeenkomsten/{id}/verslag")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = app.get_text("/bijeenkomsten/werkplaats-jeugd-en-wijk", 200).await;
    assert!(page.contains("<strong>goede</strong>"));

    // Cancelling: everyone registered or waiting hears it.
    let r = editor
        .post(
            &format!("/beheer/bijeenkomsten/{id}/annuleren"),
            &[("bericht", "De zaal is niet beschikbaar.")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let cancellations: i64 =
        sqlx::query_scalar("SELECT count(*) FROM outbox WHERE kind = 'bijeenkomst-geannuleerd'")
            .fetch_one(&app.db)
            .await
            .unwrap();

    assert_eq!(cancellations, 3);
    assert_eq!(
        editor.post(&format!("/beheer/bijeenkomsten/{id}/annuleren"), &[("bericht", "")]).await.status(),
        409
    );

    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE target_type IN ('bijeenkomst', 'aanmelding') ORDER BY id",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(
        actions,
        [
            "bijeenkomst aangemaakt",
            "bijeenkomst gewijzigd",
            "bijeenkomst gewijzigd",
            "bijeenkomst gewijzigd",
            "aanwezigheid bijgewerkt",
            "aanmeldingen geëxporteerd",
            "verslag van bijeenkomst opgeslagen",
            "bijeenkomst geannuleerd"
        ]
    );
}

#[tokio::test]
async fn events_appear_everywhere_else_and_leave_with_the_account() {
    let app = TestApp::spawn_with_demo().await;
    let home = app.get_text("/", 200).await;
    assert!(
        home.contains("Komende bijeenkomsten")
            && home.contains("/bijeenkomsten/online-sessie-ontschotting-in-de-praktijk")
    );
    assert!(home.contains("href=\"/bijeenkomsten\""), "in the main navigation");
    // The learning day is linked to jeugdregio JZ14: on that region's page.
    let region: String =
        sqlx::query_scalar("SELECT slug FROM regions WHERE code = 'JZ14'").fetch_one(&app.db).await.unwrap();
    let page = app.get_text(&format!("/regios/{region}"), 200).await;
    assert!(page.contains("Leerdag: onderwijs en zorg in één team"), "{region}");
    let found = app.get_text("/zoeken?q=ontschotting", 200).await;
    assert!(found.contains("/bijeenkomsten/online-sessie-ontschotting-in-de-praktijk"));
    let sitemap = app.get_text("/sitemap.xml", 200).await;
    assert!(sitemap.contains("/bijeenkomsten/landelijke-bijeenkomst-11-november-2026</loc>"));
    let api: Value = app.get("/api/v1/events?vorm=online").await.json().await.unwrap();
    assert_eq!(api["meta"]["total"], 1);
    assert_eq!(api["data"][0]["slug"], "online-sessie-ontschotting-in-de-praktijk");
    assert!(!api.to_string().contains("vergaderen.example.org"), "no join link in open data");
    let past: Value = app.get("/api/v1/events?verleden=1").await.json().await.unwrap();
    assert_eq!(past["data"][0]["slug"], "landelijke-bijeenkomst-11-november-2026");
    let spec: Value = app.get("/api/openapi.json").await.json().await.unwrap();
    assert!(
        spec["paths"]["/api/v1/events"]["get"].is_object()
            && spec["components"]["schemas"]["Event"].is_object()
    );

    // A member registers while logged in: the form is filled in, the account shows it.
    let member = app.member("lid@voorbeeld.nl", "Lid van Dam").approved().create().await;
    let _ = member;
    let browser = crate::helpers::Browser::login(&app, "lid@voorbeeld.nl").await;
    let form = browser.text("/bijeenkomsten/online-sessie-ontschotting-in-de-praktijk", 200).await;
    assert!(
        form.contains("value=\"lid@voorbeeld.nl\"") && form.contains("value=\"Lid van Dam\""),
        "prefilled"
    );
    let stamp = started();
    let r = browser
        .post(
            "/bijeenkomsten/leerdag-onderwijs-en-zorg-in-een-team",
            &[("naam", "Lid van Dam"), ("email", "lid@voorbeeld.nl"), ("begonnen", &stamp)],
        )
        .await;
    assert_eq!(r.status(), 200);
    let account = browser.text("/account", 200).await;
    assert!(
        account.contains("Mijn bijeenkomsten") && account.contains("Leerdag: onderwijs en zorg in één team")
    );
    let export: Value = browser.get("/account/gegevens.json").await.json().await.unwrap();
    assert_eq!(export["aanmeldingen_bijeenkomsten"][0]["e-mail"], "lid@voorbeeld.nl");
    // Someone waits; deleting the account frees the place for them.
    register(&app, "leerdag-onderwijs-en-zorg-in-een-team", "Wachter", "wachter@voorbeeld.nl").await;
    assert_eq!(status_of(&app.db, "wachter@voorbeeld.nl").await, "wachtlijst");
    let r = browser.post("/account/verwijderen", &[("password", crate::helpers::PASSWORD)]).await;
    assert_eq!(r.status(), 303);
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM registrations WHERE email = 'lid@voorbeeld.nl'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(left, 0);
    assert_eq!(status_of(&app.db, "wachter@voorbeeld.nl").await, "aangeboden");
}

#[tokio::test]
async fn the_home_page_lists_running_events_then_coming_ones_and_never_ended_ones() {
    let app = TestApp::spawn().await;
    // Each lasts three hours (EventBuilder).
    EventBuilder::new(&app.db, "afgelopen").in_hours(-5).create().await;
    EventBuilder::new(&app.db, "volgende-maand").in_hours(24 * 30).create().await;
    EventBuilder::new(&app.db, "bezig").in_hours(-1).create().await;
    EventBuilder::new(&app.db, "morgen").in_hours(24).create().await;
    EventBuilder::new(&app.db, "ontwerp").in_hours(2).concept().create().await;
    EventBuilder::new(&app.db, "volgende-week").in_hours(24 * 7).create().await;

    let home = app.get_text("/", 200).await;
    assert_eq!(
        select_attr(&home, r#"section[aria-labelledby="events-title"] h3 a"#, "href"),
        ["/bijeenkomsten/bezig", "/bijeenkomsten/morgen", "/bijeenkomsten/volgende-week"],
        "the running event first, then by start; three at most; no concept, nothing ended"
    );
}

/// The list (page and API) comes from each instance's in-memory index; here it is held against
/// the same question put to PostgreSQL directly: the number found and the events of a page,
/// coming and past.
#[tokio::test]
async fn the_indexed_list_answers_as_the_database_does() {
    let app = TestApp::spawn_with_demo().await;
    bredeblik::seed::synthetic(&app.db, 3000).await.unwrap();
    // A running event, a concept and a cancelled one besides the synthetic year.
    EventBuilder::new(&app.db, "bezig").in_hours(-1).create().await;
    EventBuilder::new(&app.db, "ontwerp").in_hours(5).concept().create().await;
    let cancelled = EventBuilder::new(&app.db, "afgelast").in_hours(30).create().await;
    sqlx::query("UPDATE events SET status = 'geannuleerd' WHERE id = $1")
        .bind(cancelled)
        .execute(&app.db)
        .await
        .unwrap();
    sqlx::query(
        "UPDATE events SET level_id = (SELECT id FROM levels ORDER BY position LIMIT 1) WHERE id % 3 = 0",
    )
    .execute(&app.db)
    .await
    .unwrap();
    let theme: String = sqlx::query_scalar(
        "SELECT t.slug FROM themes t JOIN event_themes l ON l.theme_id = t.id GROUP BY t.slug ORDER BY count(*) DESC, t.slug LIMIT 1",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    let level: String = sqlx::query_scalar("SELECT slug FROM levels ORDER BY position LIMIT 1")
        .fetch_one(&app.db)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(600)).await;
    for (filters, page) in [
        (vec![], 1),
        (vec![], 4),
        (vec![("verleden", "1")], 1),
        (vec![("verleden", "1")], 3),
        (vec![("thema", theme.as_str())], 2),
        (vec![("vorm", "online"), ("verleden", "1")], 1),
        (vec![("niveau", level.as_str()), ("vorm", "hybride")], 1),
        (vec![("thema", theme.as_str()), ("niveau", level.as_str()), ("verleden", "1")], 1),
    ] {
        let get = |key: &str| filters.iter().find(|(k, _)| *k == key).map(|(_, v)| (*v).to_owned());
        let past = get("verleden").is_some();
        let expected: Vec<String> = sqlx::query_scalar(
            "SELECT e.slug FROM events e
             WHERE e.status <> 'concept' AND (CASE WHEN $1 THEN e.ends_at <= now() ELSE e.ends_at > now() END)
               AND ($2::text IS NULL OR EXISTS (SELECT 1 FROM event_themes l JOIN themes t ON t.id = l.theme_id
                                                WHERE l.event_id = e.id AND t.slug = $2))
               AND ($3::text IS NULL OR e.level_id = (SELECT id FROM levels WHERE slug = $3))
               AND ($4::text IS NULL OR e.form = $4)
             ORDER BY CASE WHEN $1 THEN -extract(epoch FROM e.starts_at) ELSE extract(epoch FROM e.starts_at) END, e.id",
        )
        .bind(past)
        .bind(get("thema"))
        .bind(get("niveau"))
        .bind(get("vorm"))
        .fetch_all(&app.db)
        .await
        .unwrap();
        let query: String = filters.iter().map(|(k, v)| format!("{k}={v}&")).collect();
        let (shown, total) =
            app.api_slugs(&format!("/api/v1/events?{query}per_pagina=20&pagina={page}")).await;
        let wanted: Vec<String> = expected.iter().skip((page - 1) * 20).take(20).cloned().collect();
        assert_eq!(total, expected.len() as i64, "{query} total");
        assert_eq!(shown, wanted, "{query} page {page}");
        let body = app.get_text(&format!("/bijeenkomsten?{query}pagina={page}"), 200).await;
        let listed: Vec<String> = select_attr(&body, "main h2 a", "href")
            .into_iter()
            .filter_map(|h| h.strip_prefix("/bijeenkomsten/").map(str::to_owned))
            .collect();
        assert_eq!(listed, wanted, "{query} page {page} on the site");
    }
}
