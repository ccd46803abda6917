use crate::helpers::{PASSWORD, TestApp};

#[tokio::test]
async fn a_forgotten_password_is_reset_through_the_mailed_single_use_link() {
    let (app, mailbox) = TestApp::spawn_with_mail().await;
    app.create_user("vergeten@voorbeeld.nl", "coordinator", PASSWORD).await;
    let old_session = TestApp::spawn_second_client(&app, "vergeten@voorbeeld.nl", PASSWORD).await;

    let known = app.post_form("/wachtwoord-vergeten", &[("email", "vergeten@voorbeeld.nl")]).await;
    assert_eq!(known.status(), 200);
    let known = known.text().await.unwrap();
    let unknown = app
        .post_form("/wachtwoord-vergeten", &[("email", "onbekend@voorbeeld.nl")])
        .await
        .text()
        .await
        .unwrap();
    let answer = "Als dit e-mailadres bij ons bekend is";
    assert!(known.contains(answer) && unknown.contains(answer), "no enumeration");

    let mail = mailbox.wait_for("vergeten@voorbeeld.nl", "nieuw wachtwoord").await;
    assert!(mail.headers.contains("multipart/alternative"), "text and HTML");
    assert!(mail.headers.contains("Message-ID: <") && mail.headers.contains("@bredeblik.localhost>"));
    let link = mail.link(&app.url("/wachtwoord-herstellen/"));
    let path = link.trim_start_matches(&app.address).to_owned();
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM user_tokens WHERE token_hash = $1")
        .bind(bredeblik::tokens::hash(path.rsplit('/').next().unwrap()))
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(stored, 1, "the token is stored hashed");

    let form = app.get_text(&path, 200).await;
    assert!(form.contains("Nieuw wachtwoord"));
    let mismatch = app
        .post_form(&path, &[("password", "een-nieuwe-zin-hier"), ("password_repeat", "iets-anders-hier")])
        .await;
    assert_eq!(mismatch.status(), 422);
    let new = "een-nieuwe-zin-hier";
    let done = app.post_form(&path, &[("password", new), ("password_repeat", new)]).await;
    assert_eq!(done.status(), 303);
    assert_eq!(done.headers()["location"], "/inloggen?melding=hersteld");

    assert_eq!(app.get(&path).await.status(), 404, "the link works once");
    assert_eq!(old_session.get(app.url("/account")).send().await.unwrap().status(), 303, "old sessions end");
    assert_eq!(app.login("vergeten@voorbeeld.nl", PASSWORD).await.status(), 422);
    assert_eq!(app.login("vergeten@voorbeeld.nl", new).await.status(), 303);
    assert_eq!(mailbox.messages().iter().filter(|m| m.to.contains("onbekend")).count(), 0);
}

/// A mail of the test's own.
struct Proef;

impl bredeblik::mail::Bodies for Proef {
    fn text_body(&self) -> askama::Result<String> {
        Ok("Hallo".into())
    }
    fn html_body(&self) -> askama::Result<String> {
        Ok("<p>Hallo</p>".into())
    }
}

impl bredeblik::mail::Mail for Proef {
    fn kind(&self) -> &'static str {
        "test"
    }
    fn subject(&self) -> String {
        "Proef".into()
    }
}

#[tokio::test]
async fn the_outbox_retries_temporary_failures_and_stops_on_permanent_ones() {
    let (app, mailbox) = TestApp::spawn_with_mail().await;
    for to in ["gewoon@voorbeeld.nl", "tempfail@voorbeeld.nl", "permfail@voorbeeld.nl"] {
        let config = bredeblik::config::Config::from_lookup(|k| {
            (k == "DATABASE_URL").then(|| "postgres://x@y/z".to_string())
        })
        .unwrap();
        bredeblik::mail::enqueue(&app.db, &config, to, &Proef).await.unwrap();
    }
    mailbox.wait_for("gewoon@voorbeeld.nl", "Proef").await;
    let mut statuses = Vec::new();
    for _ in 0..100 {
        statuses = sqlx::query_as::<_, (String, String, i32)>(
            "SELECT to_address, status, attempts FROM outbox ORDER BY to_address",
        )
        .fetch_all(&app.db)
        .await
        .unwrap();
        if statuses.iter().all(|(_, s, a)| s != "wachtend" || *a > 0) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        statuses,
        vec![
            ("gewoon@voorbeeld.nl".into(), "verzonden".into(), 1),
            ("permfail@voorbeeld.nl".into(), "mislukt".into(), 1),
            ("tempfail@voorbeeld.nl".into(), "wachtend".into(), 1),
        ]
    );
    let next: bool = sqlx::query_scalar("SELECT next_attempt_at > now() + interval '20 seconds' FROM outbox WHERE to_address LIKE 'tempfail%'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(next, "a temporary failure waits before the next attempt");
}

#[tokio::test]
async fn an_admin_creates_a_user_who_is_invited_by_mail_and_the_audit_log_records_it() {
    let (app, mailbox) = TestApp::spawn_with_mail().await;
    app.create_user("baas@voorbeeld.nl", "beheerder", PASSWORD).await;
    app.login("baas@voorbeeld.nl", PASSWORD).await;
    let invalid =
        app.post_form("/beheer/gebruikers", &[("email", "geen-adres"), ("role", "coordinator")]).await;
    assert_eq!(invalid.status(), 422);
    assert!(invalid.text().await.unwrap().contains("value=\"geen-adres\""), "input kept");

    let response = app
        .post_form("/beheer/gebruikers", &[("email", "coordinator@voorbeeld.nl"), ("role", "coordinator")])
        .await;
    assert_eq!(response.status(), 303);
    let mail = mailbox.wait_for("coordinator@voorbeeld.nl", "Uw account").await;
    assert!(mail.body.contains("/wachtwoord-herstellen/"));

    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = 'coordinator@voorbeeld.nl'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let response = app.post_form(&format!("/beheer/gebruikers/{id}"), &[("role", "redacteur")]).await;
    assert_eq!(response.status(), 303);
    let (role, active): (String, bool) = sqlx::query_as("SELECT role, active FROM users WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!((role.as_str(), active), ("redacteur", false), "role changed and (unchecked box) deactivated");

    let own: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = 'baas@voorbeeld.nl'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let response = app
        .post_form(&format!("/beheer/gebruikers/{own}"), &[("role", "aandeelhouder"), ("active", "1")])
        .await;
    assert_eq!(response.status(), 409, "no self-demotion");

    let audit = app.get_text("/beheer/audit", 200).await;
    assert!(audit.contains("gebruiker aangemaakt") && audit.contains("gebruiker gewijzigd"));
    assert!(audit.contains("baas@voorbeeld.nl"));
    assert!(audit.contains("gebruiker aangemaakt (Gebruiker "), "what an entry is about, in Dutch");
    let filtered = app.get_text("/beheer/audit?actie=gebruiker+gewijzigd", 200).await;
    assert!(!filtered.contains("(gebruiker ") || filtered.matches("gebruiker gewijzigd (").count() == 1);
    let outbox = app.get_text("/beheer/e-mail", 200).await;
    assert!(outbox.contains("coordinator@voorbeeld.nl"));
}

#[tokio::test]
async fn changing_the_e_mail_address_waits_for_the_link_sent_to_the_new_address() {
    let (app, mailbox) = TestApp::spawn_with_mail().await;
    app.create_user("oud@voorbeeld.nl", "aandeelhouder", PASSWORD).await;
    app.create_user("bezet@voorbeeld.nl", "aandeelhouder", PASSWORD).await;
    app.login("oud@voorbeeld.nl", PASSWORD).await;

    let wrong =
        app.post_form("/account/e-mail", &[("email", "nieuw@voorbeeld.nl"), ("password", "fout")]).await;
    assert_eq!(wrong.status(), 422);
    assert!(wrong.text().await.unwrap().contains("value=\"nieuw@voorbeeld.nl\""), "input kept");

    // An address in use gets the same answer and no mail.
    let taken =
        app.post_form("/account/e-mail", &[("email", "bezet@voorbeeld.nl"), ("password", PASSWORD)]).await;
    assert_eq!(taken.status(), 303);

    let response =
        app.post_form("/account/e-mail", &[("email", "nieuw@voorbeeld.nl"), ("password", PASSWORD)]).await;
    assert_eq!(response.status(), 303);
    let email: String =
        sqlx::query_scalar("SELECT email FROM users WHERE email LIKE '%oud%' OR email LIKE '%nieuw%'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(email, "oud@voorbeeld.nl", "nothing changes before confirmation");
    let mail = mailbox.wait_for("nieuw@voorbeeld.nl", "nieuwe e-mailadres").await;
    let path = mail.link(&app.url("/account/e-mail/bevestigen/")).trim_start_matches(&app.address).to_owned();
    assert!(app.get_text(&path, 200).await.contains("nieuw@voorbeeld.nl"));
    assert_eq!(app.post_form(&path, &[]).await.status(), 303);
    mailbox.wait_for("oud@voorbeeld.nl", "is gewijzigd").await;
    assert_eq!(app.login("nieuw@voorbeeld.nl", PASSWORD).await.status(), 303);
    assert_eq!(app.get(&path).await.status(), 404, "single use");
    assert!(mailbox.messages().iter().all(|m| !m.to.contains("bezet")), "no mail for the address in use");
}
