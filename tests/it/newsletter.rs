use crate::helpers::{
    CampaignBuilder, PASSWORD, SubscriberBuilder, TestApp, extract_csrf, select, select_attr, subscriber,
};

fn started() -> String {
    let secret = bredeblik::config::Secret::new("development-only-secret-key-do-not-use-in-production");
    let time = (time::OffsetDateTime::now_utc().unix_timestamp() - 30).to_string();
    format!("{time}.{}", bredeblik::tokens::sign(&secret, "form-started", &time))
}

#[tokio::test]
async fn double_opt_in_with_a_consent_record_and_no_enumeration() {
    let (app, mailbox) = TestApp::spawn_with_mail().await;
    let stamp = started();
    let response = app
        .post_form(
            "/nieuwsbrief",
            &[("email", "lezer@voorbeeld.nl"), ("naam", "Lezer"), ("begonnen", &stamp), ("bron", "home")],
        )
        .await;
    assert_eq!(response.status(), 200);
    let first = response.text().await.unwrap();
    assert!(first.contains("Bijna klaar"));

    let mail = mailbox.wait_for("lezer@voorbeeld.nl", "Bevestig").await;
    let path = mail.link(&app.url("/nieuwsbrief/bevestigen/")).trim_start_matches(&app.address).to_owned();
    assert!(app.get_text(&path, 200).await.contains("Ja, ik wil de nieuwsbrief ontvangen"));
    let status: String =
        sqlx::query_scalar("SELECT status FROM subscribers").fetch_one(&app.db).await.unwrap();
    assert_eq!(status, "onbevestigd", "a GET (link scanner) confirms nothing");
    assert_eq!(app.post_form(&path, &[]).await.status(), 200);
    let (status, source, version, confirmed): (String, String, String, bool) = sqlx::query_as(
        "SELECT status, consent_source, consent_text_version, confirmed_at IS NOT NULL AND consent_at IS NOT NULL FROM subscribers",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!((status.as_str(), source.as_str(), confirmed), ("actief", "formulier op de homepage", true));
    assert!(!version.is_empty());
    assert_eq!(app.get(&path).await.status(), 404, "the link works once");

    // The same answer for an active address, and no mail.
    let again = app
        .post_form("/nieuwsbrief", &[("email", "LEZER@voorbeeld.nl"), ("begonnen", &stamp)])
        .await
        .text()
        .await
        .unwrap();
    assert!(again.contains("Bijna klaar"));

    // A flood for one pending address sends it at most three mails.
    for _ in 0..7 {
        app.post_form("/nieuwsbrief", &[("email", "doelwit@voorbeeld.nl"), ("begonnen", &stamp)]).await;
    }
    // Wait until the three allowed mails have arrived, then a little longer for any extra.
    for _ in 0..100 {
        if mailbox.messages().iter().filter(|m| m.to.contains("doelwit")).count() >= 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let mails = mailbox.messages();
    assert_eq!(mails.iter().filter(|m| m.to.contains("doelwit")).count(), 3);
    assert_eq!(mails.iter().filter(|m| m.to.contains("lezer")).count(), 1);

    let bad = app.post_form("/nieuwsbrief", &[("email", "geen adres"), ("begonnen", &stamp)]).await;
    assert_eq!(bad.status(), 422);
}

#[tokio::test]
async fn a_refused_subscription_points_to_the_field_and_keeps_the_chosen_topics() {
    let app = TestApp::spawn().await;
    bredeblik::seed::themes(&app.db).await.unwrap();
    let topics: Vec<String> = sqlx::query_scalar("SELECT slug FROM themes ORDER BY position LIMIT 2")
        .fetch_all(&app.db)
        .await
        .unwrap();
    let fields = [
        ("email", "geen adres"),
        ("naam", "Lezer"),
        ("onderwerp", topics[0].as_str()),
        ("onderwerp", topics[1].as_str()),
        ("begonnen", &started()),
    ];
    let response = app.post_form("/nieuwsbrief", &fields).await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert_eq!(select_attr(&page, "#nb-email", "value"), ["geen adres"], "what was typed stays");
    assert_eq!(select_attr(&page, "#nb-email", "aria-invalid"), ["true"]);
    assert_eq!(select_attr(&page, "#nb-email", "aria-describedby"), ["nb-email-error"]);
    assert_eq!(
        select(&page, "#nb-email-error"),
        ["Fout: Vul een geldig e-mailadres in, bijvoorbeeld naam@organisatie.nl."]
    );
    assert_eq!(
        select_attr(&page, ".error-summary a", "href"),
        ["#nb-email"],
        "the summary links to the field"
    );
    assert_eq!(
        select_attr(&page, "#nb-naam", "aria-invalid"),
        Vec::<String>::new(),
        "a good field is not marked"
    );
    let checked = select_attr(&page, "input[name=onderwerp][checked]", "value");
    assert_eq!(checked, topics, "both ticked topics (one key, twice) are kept");
}

#[tokio::test]
async fn one_click_unsubscribe_works_from_a_mail_provider_without_session_or_token() {
    let app = TestApp::spawn().await;
    let token = "a".repeat(48);
    subscriber(&app.db, "weg@voorbeeld.nl", &token).await;
    let page = app.get_text(&format!("/nieuwsbrief/afmelden/{token}"), 200).await;
    assert!(page.contains("weg@voorbeeld.nl") && page.contains(">Afmelden</button>"));
    let status: String =
        sqlx::query_scalar("SELECT status FROM subscribers").fetch_one(&app.db).await.unwrap();
    assert_eq!(status, "actief", "GET changes nothing");

    // RFC 8058: a bare POST, no cookies, no CSRF token; answered at once, no redirect.
    let provider = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let response = provider
        .post(app.url(&format!("/nieuwsbrief/afmelden/{token}")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let status: String =
        sqlx::query_scalar("SELECT status FROM subscribers").fetch_one(&app.db).await.unwrap();
    assert_eq!(status, "afgemeld");
    assert_eq!(
        provider
            .post(app.url(&format!("/nieuwsbrief/afmelden/{}", "b".repeat(48))))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

#[tokio::test]
async fn a_campaign_reaches_every_confirmed_subscriber_once_with_list_headers() {
    let (app, mailbox) = TestApp::spawn_with_mail().await;
    bredeblik::seed::demo(&app.db).await.unwrap();
    for g in 1..=60 {
        let reader = SubscriberBuilder::new(&app.db, &format!("abonnee{g}@voorbeeld.nl"));
        if g % 10 == 0 { reader.unsubscribed() } else { reader }.create().await;
    }
    app.create_user("coordinator@voorbeeld.nl", "coordinator", PASSWORD).await;
    app.login("coordinator@voorbeeld.nl", PASSWORD).await;
    let news: Vec<String> = sqlx::query_scalar("SELECT id::text FROM news_items ORDER BY id LIMIT 2")
        .fetch_all(&app.db)
        .await
        .unwrap();
    let response = app
        .post_form(
            "/beheer/nieuwsbrieven",
            &[
                ("onderwerp", "Nieuws uit het netwerk"),
                ("intro", "Beste lezer, **welkom**."),
                ("nieuws", &news[0]),
                ("nieuws", &news[1]),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let page = app.get_text(&location, 200).await;
    assert!(page.contains("Nu versturen"));
    let token = extract_csrf(&page);
    let response = app
        .client
        .post(app.url(&format!("{location}/actie")))
        .form(&[("csrf_token", token.as_str()), ("actie", "versturen")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);

    for _ in 0..200 {
        let status: String =
            sqlx::query_scalar("SELECT status FROM campaigns").fetch_one(&app.db).await.unwrap();
        if status == "verzonden" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let status: String = sqlx::query_scalar("SELECT status FROM campaigns").fetch_one(&app.db).await.unwrap();
    assert_eq!(status, "verzonden");
    let mails: Vec<_> =
        mailbox.messages().into_iter().filter(|m| m.subject == "Nieuws uit het netwerk").collect();
    assert_eq!(mails.len(), 54, "the 54 active subscribers, once each");
    let mut recipients: Vec<&str> = mails.iter().map(|m| m.to.as_str()).collect();
    recipients.sort();
    recipients.dedup();
    assert_eq!(recipients.len(), 54);
    let mail = &mails[0];
    assert!(mail.headers.contains("List-Unsubscribe: <http://127.0.0.1:"), "{}", mail.headers);
    assert!(mail.headers.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
    assert!(mail.headers.contains("List-Id: "));
    assert!(mail.headers.contains("Message-ID: <campaign-"));
    assert!(mail.body.contains("/nieuwsbrief/afmelden/"), "a visible unsubscribe link");
    // Each recipient's links carry their own token, in both parts and the header, and nobody else's.
    let tokens: Vec<(String, String)> =
        sqlx::query_as("SELECT email, link_token FROM subscribers").fetch_all(&app.db).await.unwrap();
    for mail in &mails {
        let own = &tokens.iter().find(|(email, _)| *email == mail.to).unwrap().1;
        assert_eq!(mail.body.matches(&format!("/nieuwsbrief/afmelden/{own}")).count(), 2, "text and HTML");
        assert!(mail.headers.contains(&format!("/nieuwsbrief/afmelden/{own}>")));
        let others = tokens.iter().filter(|(email, t)| *email != mail.to && mail.body.contains(t.as_str()));
        assert_eq!(others.count(), 0, "no other subscriber's token in the mail to {}", mail.to);
    }

    let progress: serde_json::Value =
        app.get(&format!("{location}/voortgang.json")).await.json().await.unwrap();
    assert_eq!(progress["progress"]["sent"], 54);
    assert_eq!(progress["percent"], 100);
    let archive = app.get_text("/nieuwsbrief/archief", 200).await;
    assert!(archive.contains("Nieuws uit het netwerk"));
    let slug: String = sqlx::query_scalar("SELECT slug FROM campaigns").fetch_one(&app.db).await.unwrap();
    let web = app.get_text(&format!("/nieuwsbrief/archief/{slug}"), 200).await;
    assert!(
        web.contains("<strong>welkom</strong>") && !web.contains("/nieuwsbrief/afmelden/"),
        "no personal links on the web"
    );
}

#[tokio::test]
async fn editors_write_preview_schedule_and_publish_news() {
    let app = TestApp::spawn().await;
    app.create_user("redacteur@voorbeeld.nl", "redacteur", PASSWORD).await;
    app.login("redacteur@voorbeeld.nl", PASSWORD).await;
    let body = "## Kopje\n\nTekst met <script>alert(1)</script> en **nadruk**.";
    let preview = app
        .post_form(
            "/beheer/nieuws",
            &[
                ("titel", "Een nieuw begin"),
                ("inleiding", "Kort."),
                ("tekst", body),
                ("publicatie", "nu"),
                ("actie", "voorbeeld"),
            ],
        )
        .await;
    assert_eq!(preview.status(), 200);
    let preview = preview.text().await.unwrap();
    assert!(
        preview.contains("<strong>nadruk</strong>") && !preview.contains("<script>alert"),
        "sanitised preview"
    );
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM news_items").fetch_one(&app.db).await.unwrap();
    assert_eq!(count, 0, "a preview saves nothing");

    let missing = app
        .post_form(
            "/beheer/nieuws",
            &[("titel", "x"), ("publicatie", "gepland"), ("publicatiemoment", "morgen")],
        )
        .await;
    assert_eq!(missing.status(), 422);
    let text = missing.text().await.unwrap();
    assert!(text.contains("titel van minstens 3 tekens") && text.contains("Kies datum en tijd"));

    let future = time::OffsetDateTime::now_utc() + time::Duration::days(2);
    let planned = bredeblik::text::to_amsterdam_local(future);
    let response = app
        .post_form(
            "/beheer/nieuws",
            &[
                ("titel", "Straks te lezen"),
                ("inleiding", "Later."),
                ("tekst", body),
                ("publicatie", "gepland"),
                ("publicatiemoment", &planned),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/beheer/nieuws?melding=ingepland");
    assert_eq!(app.get("/nieuws/straks-te-lezen").await.status(), 404, "scheduled news waits");
    let id: i64 = sqlx::query_scalar("SELECT id FROM news_items WHERE slug = 'straks-te-lezen'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let response = app
        .post_form(
            &format!("/beheer/nieuws/{id}"),
            &[("titel", "Straks te lezen"), ("inleiding", "Nu al."), ("tekst", body), ("publicatie", "nu")],
        )
        .await;
    assert_eq!(response.status(), 303);
    let list = app.get_text(response.headers()["location"].to_str().unwrap(), 200).await;
    assert!(list.contains("Het bericht is gepubliceerd."), "the list says what saving did");
    let page = app.get_text("/nieuws/straks-te-lezen", 200).await;
    assert!(page.contains("Nu al.") && !page.contains("<script>alert"));
    let feed = app.get_text("/nieuws/feed.xml", 200).await;
    assert!(feed.contains("Straks te lezen"));
    let audit: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE target_type = 'nieuwsbericht'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(audit, 2);
}

#[tokio::test]
async fn coordinators_see_export_unsubscribe_and_erase_subscribers() {
    let app = TestApp::spawn().await;
    SubscriberBuilder::new(&app.db, "een@voorbeeld.nl").name("Een").confirmed().create().await;
    SubscriberBuilder::new(&app.db, "twee@voorbeeld.nl").name("=SUM(A1)").confirmed().create().await;
    SubscriberBuilder::new(&app.db, "drie@voorbeeld.nl").unconfirmed().create().await;
    app.create_user("coordinator@voorbeeld.nl", "coordinator", PASSWORD).await;
    app.login("coordinator@voorbeeld.nl", PASSWORD).await;
    let page = app.get_text("/beheer/abonnees", 200).await;
    assert!(page.contains("<svg") && page.contains("een@voorbeeld.nl"));
    let filtered = app.get_text("/beheer/abonnees?status=onbevestigd", 200).await;
    assert!(filtered.contains("drie@voorbeeld.nl") && !filtered.contains("een@voorbeeld.nl"));
    // The status filter keeps its choice and shows the Dutch label, not the stored value.
    assert_eq!(select_attr(&filtered, "#status option[selected]", "value"), ["onbevestigd"]);
    assert_eq!(select(&filtered, "#status option[selected]"), ["Onbevestigd"]);
    let csv = app.get_text("/beheer/abonnees.csv", 200).await;
    assert_eq!(csv.trim_end().lines().count(), 4);
    assert!(csv.contains("\"'=SUM(A1)\""), "formulas defused");

    let id: i64 = sqlx::query_scalar("SELECT id FROM subscribers WHERE email = 'een@voorbeeld.nl'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(
        app.post_form(&format!("/beheer/abonnees/{id}"), &[("actie", "afmelden")]).await.status(),
        303
    );
    let status: String = sqlx::query_scalar("SELECT status FROM subscribers WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(status, "afgemeld");
    assert_eq!(app.post_form(&format!("/beheer/abonnees/{id}"), &[("actie", "wissen")]).await.status(), 303);
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM subscribers WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(left, 0);
    let audit: Vec<String> =
        sqlx::query_scalar("SELECT after::text FROM audit_log WHERE target_type = 'abonnee'")
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert_eq!(audit.len(), 2);
    assert!(
        audit.iter().all(|a| !a.contains("een@voorbeeld.nl")),
        "erased means erased, also from the audit log"
    );
}

#[tokio::test]
async fn a_scheduled_campaign_starts_by_itself_when_its_moment_comes() {
    let (app, mailbox) = TestApp::spawn_with_mail().await;
    SubscriberBuilder::new(&app.db, "gepland@voorbeeld.nl").create().await;
    app.create_user("coordinator@voorbeeld.nl", "coordinator", PASSWORD).await;
    app.login("coordinator@voorbeeld.nl", PASSWORD).await;
    let response =
        app.post_form("/beheer/nieuwsbrieven", &[("onderwerp", "Later verstuurd"), ("intro", "Hallo")]).await;
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let past = app
        .post_form(
            &format!("{location}/actie"),
            &[("actie", "inplannen"), ("verzendmoment", "2020-01-01T10:00")],
        )
        .await;
    assert_eq!(past.status(), 400, "a moment in the past is refused");
    let soon =
        bredeblik::text::to_amsterdam_local(time::OffsetDateTime::now_utc() + time::Duration::minutes(5));
    let response = app
        .post_form(&format!("{location}/actie"), &[("actie", "inplannen"), ("verzendmoment", &soon)])
        .await;
    assert_eq!(response.status(), 303);
    let status: String = sqlx::query_scalar("SELECT status FROM campaigns").fetch_one(&app.db).await.unwrap();
    assert_eq!(status, "gepland");
    // Let the moment arrive.
    sqlx::query("UPDATE campaigns SET scheduled_at = now() - interval '1 second'")
        .execute(&app.db)
        .await
        .unwrap();
    mailbox.wait_for("gepland@voorbeeld.nl", "Later verstuurd").await;
}

#[tokio::test]
async fn subscribers_choose_their_topics_through_their_personal_link() {
    let app = TestApp::spawn().await;
    bredeblik::seed::themes(&app.db).await.unwrap();
    let token = "c".repeat(48);
    subscriber(&app.db, "kiezer@voorbeeld.nl", &token).await;
    let page = app.get_text(&format!("/nieuwsbrief/voorkeuren/{token}"), 200).await;
    assert!(page.contains("kiezer@voorbeeld.nl"));
    let response = app
        .post_form(
            &format!("/nieuwsbrief/voorkeuren/{token}"),
            &[("onderwerp", "preventie"), ("onderwerp", "bestaat-niet")],
        )
        .await;
    assert_eq!(response.status(), 200);
    let topics: Vec<String> =
        sqlx::query_scalar("SELECT unnest(topics) FROM subscribers").fetch_all(&app.db).await.unwrap();
    assert_eq!(topics, vec!["preventie"], "unknown topics are dropped");
    assert_eq!(app.get(&format!("/nieuwsbrief/voorkeuren/{}", "d".repeat(48))).await.status(), 404);
    let unsubscribe = app.get_text(&format!("/nieuwsbrief/afmelden/{token}"), 200).await;
    assert!(
        unsubscribe.contains(&format!("/nieuwsbrief/voorkeuren/{token}")),
        "leaving offers choosing topics instead"
    );
}

#[tokio::test]
async fn with_a_dkim_key_every_mail_is_signed_over_the_list_unsubscribe_headers() {
    let dir = std::env::temp_dir().join(format!("bb-dkim-{}", bredeblik::tokens::random_hex(4)));
    std::fs::create_dir_all(&dir).unwrap();
    let key = dir.join("dkim.pem");
    let status = std::process::Command::new("openssl")
        .args(["genrsa", "-traditional", "-out"])
        .arg(&key)
        .arg("2048")
        .stderr(std::process::Stdio::null())
        .status()
        .expect("openssl generates a test key");
    assert!(status.success());
    let mailbox = crate::helpers::Mailbox::start();
    let smtp = format!("smtp://127.0.0.1:{}", mailbox.port);
    let key_path = key.to_string_lossy().to_string();
    let app = TestApp::spawn_with(&[
        ("SMTP_URL", &smtp),
        ("MAIL_FROM", "Brede Blik <nieuwsbrief@bredeblik.example>"),
        ("DKIM_SELECTOR", "bb2026"),
        ("DKIM_PRIVATE_KEY_FILE", &key_path),
    ])
    .await;
    SubscriberBuilder::new(&app.db, "getekend@voorbeeld.nl").create().await;
    let id = CampaignBuilder::new(&app.db, "dkim").subject("Getekend").create().await;
    bredeblik::newsletter::sending::start(&app.db, id).await.unwrap();
    let mail = mailbox.wait_for("getekend@voorbeeld.nl", "Getekend").await;
    let unfolded = mail.headers.replace("\n ", " ").replace("\n\t", " ");
    let signature = unfolded
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("dkim-signature:"))
        .unwrap_or_else(|| panic!("a DKIM-Signature header: {}", mail.headers))
        .to_ascii_lowercase();
    assert!(signature.contains("d=bredeblik.example") && signature.contains("s=bb2026"), "{signature}");
    let signed = signature.split("h=").nth(1).unwrap().split(';').next().unwrap().replace(' ', "");
    let signed: Vec<&str> = signed.split(':').collect();
    for header in ["from", "subject", "list-unsubscribe", "list-unsubscribe-post", "list-id"] {
        assert!(signed.contains(&header), "{header} is signed: {signed:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn subscribers_are_imported_from_csv_with_consent_stated_or_asked_by_mail() {
    let (app, mailbox) = TestApp::spawn_with_mail().await;
    SubscriberBuilder::new(&app.db, "bestaand@voorbeeld.nl").unsubscribed().create().await;
    app.create_user("coordinator@voorbeeld.nl", "coordinator", PASSWORD).await;
    app.login("coordinator@voorbeeld.nl", PASSWORD).await;
    let csv = "naam;e-mail\nAnna;anna@voorbeeld.nl\nBas;BESTAAND@voorbeeld.nl\nCor;geen-adres\n";

    let missing = app
        .post_form(
            "/beheer/abonnees/importeren",
            &[("csv", csv), ("email_kolom", "2"), ("wijze", "toestemming"), ("bron", "")],
        )
        .await;
    assert_eq!(missing.status(), 422, "consent needs a stated source");
    // Nothing typed is lost, and the message stands at the field it is about.
    let page = missing.text().await.unwrap();
    let kept = select(&page, "textarea#i-csv").join("");
    assert_eq!(kept.split_whitespace().collect::<Vec<_>>(), csv.split_whitespace().collect::<Vec<_>>());
    assert_eq!(select_attr(&page, "#i-email_kolom", "value"), ["2"]);
    assert_eq!(select_attr(&page, "input[name=wijze][checked]", "value"), ["toestemming"]);
    assert_eq!(select_attr(&page, "#i-bron", "aria-invalid"), ["true"]);
    assert!(select(&page, "#i-bron-error").join("").contains("toestemming gaven"));
    assert_eq!(select_attr(&page, ".error-summary a", "href"), ["#i-bron"]);

    let response = app
        .post_form(
            "/beheer/abonnees/importeren",
            &[("csv", csv), ("email_kolom", "2"), ("naam_kolom", "1"), ("wijze", "bevestigen")],
        )
        .await;
    assert_eq!(response.status(), 200);
    assert!(response.text().await.unwrap().contains("1 toegevoegd, 1 stonden al op de lijst"));
    let (status, name): (String, String) =
        sqlx::query_as("SELECT status, name FROM subscribers WHERE email = 'anna@voorbeeld.nl'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!((status.as_str(), name.as_str()), ("onbevestigd", "Anna"));
    let left: String =
        sqlx::query_scalar("SELECT status FROM subscribers WHERE email = 'bestaand@voorbeeld.nl'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(left, "afgemeld", "someone who left is not re-added by an import");
    let mail = mailbox.wait_for("anna@voorbeeld.nl", "nieuwsbrief").await;
    let path = mail.link(&app.url("/nieuwsbrief/bevestigen/")).trim_start_matches(&app.address).to_owned();
    assert_eq!(app.post_form(&path, &[]).await.status(), 200);

    let consented = "e-mail,naam\ndirk@voorbeeld.nl,Dirk\n";
    app.post_form(
        "/beheer/abonnees/importeren",
        &[
            ("csv", consented),
            ("email_kolom", "1"),
            ("wijze", "toestemming"),
            ("bron", "inschrijflijst congres 11 november 2026"),
        ],
    )
    .await;
    let (status, source): (String, String) =
        sqlx::query_as("SELECT status, consent_source FROM subscribers WHERE email = 'dirk@voorbeeld.nl'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(status, "actief");
    assert!(source.contains("inschrijflijst congres"));
}
