use bredeblik::web::auth::Role;

use crate::helpers::{PASSWORD, TestApp, extract_csrf};

/// Every POST route outside /beheer (those are declared in `admin::routes()`); `joining.rs` checks this
/// list against the source.
pub const PUBLIC_POST_ROUTES: &[&str] = &[
    "/inloggen",
    "/uitloggen",
    "/wachtwoord-vergeten",
    "/wachtwoord-herstellen/{token}",
    "/account/wachtwoord",
    "/account/verwijderen",
    "/account/e-mail",
    "/account/profiel",
    "/inspiratieregio-aanmelden",
    "/nieuwsbrief/voorkeuren/{token}",
    "/account/e-mail/bevestigen/{token}",
    "/account/initiatieven/nieuw",
    "/account/kennisbank/nieuw",
    "/account/kennisbank/{id}/pdf",
    "/account/kennisbank/wijzigen/{slug}",
    "/account/initiatieven/{id}",
    "/aandeelhouder-worden",
    "/aandeelhouder-worden/bevestigen/{token}",
    "/initiatieven/{slug}/contact",
    "/nieuwsbrief",
    "/nieuwsbrief/bevestigen/{token}",
    "/bijeenkomsten/{slug}",
    "/bijeenkomsten/aanmelding/{token}",
    "/vraagstukken/{slug}/herkennen",
    "/account/vraagstukken/nieuw",
    "/account/vraagstukken/alternatief",
    "/opbrengsten/schrijven",
    "/verbinden/niet-relevant",
    "/aandeelhouders/{slug}/schrijven",
    "/verbinden/melden/{token}",
];

fn location(response: &reqwest::Response) -> String {
    response.headers().get("location").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
}

#[tokio::test]
async fn login_sets_a_hardened_session_cookie_and_logout_ends_the_session() {
    let app = TestApp::spawn().await;
    app.create_user("lid@voorbeeld.nl", "aandeelhouder", PASSWORD).await;

    let response = app.login("lid@voorbeeld.nl", PASSWORD).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/account");
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("bb_session="))
        .expect("a session cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "no Secure flag on plain http");
    let session_value = cookie.split(';').next().unwrap().trim_start_matches("bb_session=").to_owned();
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions WHERE id_hash = $1")
        .bind(bredeblik::tokens::hash(&session_value))
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(stored, 1, "only the hash of the session id is stored");

    let account = app.get_text("/account", 200).await;
    assert!(account.contains("lid@voorbeeld.nl"));

    // A stolen copy of the cookie dies with the logout.
    let other = app.new_client();
    let with_stolen = other
        .get(app.url("/account"))
        .header("cookie", format!("bb_session={session_value}"))
        .send()
        .await
        .unwrap();
    assert_eq!(with_stolen.status(), 200);
    let token = extract_csrf(&account);
    let response =
        app.client.post(app.url("/uitloggen")).form(&[("csrf_token", token.as_str())]).send().await.unwrap();
    assert_eq!(response.status(), 303);
    let after = other
        .get(app.url("/account"))
        .header("cookie", format!("bb_session={session_value}"))
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 303, "the session no longer exists");
    assert!(location(&after).starts_with("/inloggen?volgende="));
}

#[tokio::test]
async fn wrong_and_unknown_accounts_get_the_same_answer() {
    let app = TestApp::spawn().await;
    app.create_user("bestaat@voorbeeld.nl", "aandeelhouder", PASSWORD).await;
    let wrong = app.login("bestaat@voorbeeld.nl", "niet-het-wachtwoord").await;
    assert_eq!(wrong.status(), 422);
    let wrong = wrong.text().await.unwrap();
    let unknown = app.login("bestaat-niet@voorbeeld.nl", "niet-het-wachtwoord").await;
    assert_eq!(unknown.status(), 422);
    let unknown = unknown.text().await.unwrap();
    let message = "Dit e-mailadres en wachtwoord horen niet bij elkaar";
    assert!(wrong.contains(message) && unknown.contains(message));
    assert!(unknown.contains("value=\"bestaat-niet@voorbeeld.nl\""), "the typed address is kept");

    let empty = app.login("", "").await;
    assert_eq!(empty.status(), 422);
    assert!(empty.text().await.unwrap().contains("Vul uw e-mailadres en wachtwoord in"));
}

#[tokio::test]
async fn login_is_rate_limited_per_account_with_a_dutch_429() {
    let app = TestApp::spawn().await;
    app.create_user("doelwit@voorbeeld.nl", "beheerder", PASSWORD).await;
    for attempt in 1..=10 {
        let response = app.login("doelwit@voorbeeld.nl", "geraden-wachtwoord").await;
        assert_eq!(response.status(), 422, "attempt {attempt}");
    }
    let response = app.login("doelwit@voorbeeld.nl", PASSWORD).await;
    assert_eq!(response.status(), 429, "even the right password waits once the budget is spent");
    let retry_after: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry_after));
    assert!(response.text().await.unwrap().contains("Even geduld"));
    // The counter lives in PostgreSQL, so another app instance sees it too.
    let hits: i32 = sqlx::query_scalar("SELECT max(hits) FROM rate_limits WHERE key LIKE 'login-account:%'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(hits, 11);
}

#[tokio::test]
async fn a_cross_site_post_is_refused_on_every_route() {
    let app = TestApp::spawn().await;
    let mut posts: Vec<String> = PUBLIC_POST_ROUTES
        .iter()
        .map(|s| s.replace("{token}", "0000").replace("{id}", "1").replace("{slug}", "onbekend"))
        .collect();
    posts.extend(
        bredeblik::admin::routes().iter().filter(|r| r.method == "POST").map(|r| r.path.replace("{id}", "1")),
    );
    // What a page of another site makes a browser send: refused before any handler runs.
    let bare = app.bare_client();
    let own_origin = app.address.clone();
    let forged: [(&str, &str); 5] = [
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
        ("origin", "https://aanvaller.example"),
        ("origin", "null"),
        ("origin", "http://127.0.0.1:1"),
    ];
    for path in &posts {
        for (name, value) in forged {
            let fields = [("email", "a@voorbeeld.nl"), ("password", PASSWORD)];
            let response = bare.post(app.url(path)).header(name, value).form(&fields).send().await.unwrap();
            assert_eq!(response.status(), 403, "POST {path} with {name}: {value}");
            assert!(response.text().await.unwrap().contains("Dit formulier is verlopen"));
        }
    }
    // The browser's own verdict wins over an Origin that looks right.
    let response = bare
        .post(app.url("/inloggen"))
        .header("sec-fetch-site", "cross-site")
        .header("origin", own_origin.as_str())
        .form(&[("email", "a@b.nl")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    // A form of the site itself gets through to the handler, whether the browser says so with
    // Sec-Fetch-Site or (older browsers) with Origin; so does a request without either header
    // and without a session: it can do nothing the sender could not do from anywhere.
    for (name, value) in [("sec-fetch-site", "same-origin"), ("origin", own_origin.as_str())] {
        let response = bare
            .post(app.url("/inloggen"))
            .header(name, value)
            .form(&[("email", "a@b.nl")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422, "{name}: {value}");
    }
    let response = bare.post(app.url("/inloggen")).form(&[("email", "a@b.nl")]).send().await.unwrap();
    assert_eq!(response.status(), 422);

    // With a logged-in session, a request that says nothing about where it came from is refused.
    app.create_user("lid@voorbeeld.nl", "aandeelhouder", PASSWORD).await;
    let login = app.login("lid@voorbeeld.nl", PASSWORD).await;
    assert_eq!(login.status(), 303);
    let session = login
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("bb_session="))
        .and_then(|v| v.split(';').next())
        .expect("login sets the session cookie")
        .to_owned();
    let response = bare.post(app.url("/uitloggen")).header("cookie", session.as_str()).send().await.unwrap();
    assert_eq!(response.status(), 403);
    assert!(response.text().await.unwrap().contains("Dit formulier is verlopen"));
    let response = bare
        .post(app.url("/uitloggen"))
        .header("cookie", session.as_str())
        .header("origin", own_origin.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303, "the same logout from the site's own page works");
}

#[tokio::test]
async fn every_back_office_route_checks_the_role_it_needs() {
    let app = TestApp::spawn().await;
    let target = app.create_user("doel@voorbeeld.nl", "aandeelhouder", PASSWORD).await;
    let mut clients = Vec::new();
    for role in Role::ALL {
        let email = format!("{}@voorbeeld.nl", role.as_str());
        app.create_user(&email, role.as_str(), PASSWORD).await;
        let client = app.new_client();
        let page = client.get(app.url("/inloggen")).send().await.unwrap().text().await.unwrap();
        let token = extract_csrf(&page);
        let response = client
            .post(app.url("/inloggen"))
            .form(&[("email", email.as_str()), ("password", PASSWORD), ("csrf_token", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303, "{role:?} logs in");
        clients.push((role, client, token));
    }
    let anonymous = app.new_client();
    let anonymous_token =
        extract_csrf(&anonymous.get(app.url("/inloggen")).send().await.unwrap().text().await.unwrap());
    let routes = bredeblik::admin::routes();
    assert!(!routes.is_empty());
    for bredeblik::admin::BackOfficeRoute { method, path: pattern, role: needed } in &routes {
        let path = pattern.replace("{id}", &target.to_string());
        let send = |client: &reqwest::Client, token: &str| {
            let request = if *method == "POST" {
                client.post(app.url(&path)).form(&[
                    ("csrf_token", token),
                    ("role", "aandeelhouder"),
                    ("active", "1"),
                    ("email", "x@voorbeeld.nl"),
                ])
            } else {
                client.get(app.url(&path))
            };
            request.send()
        };
        let response = send(&anonymous, &anonymous_token).await.unwrap();
        assert_eq!(response.status(), 303, "anonymous {method} {path}");
        assert!(
            location(&response).starts_with("/inloggen?volgende=%2Fbeheer"),
            "{method} {path}: {}",
            location(&response)
        );
        for (role, client, token) in &clients {
            let status = send(client, token).await.unwrap().status().as_u16();
            if role < needed {
                assert_eq!(status, 403, "{role:?} on {method} {path}");
            } else {
                assert!(
                    status != 403 && status != 401 && status < 500,
                    "{role:?} on {method} {path}: {status}"
                );
            }
        }
    }
    // Unknown back-office paths are not public either.
    let response = anonymous.get(app.url("/beheer/bestaat-niet")).send().await.unwrap();
    assert_eq!(response.status(), 303);
}

#[tokio::test]
async fn the_next_parameter_only_leads_to_local_pages() {
    let app = TestApp::spawn().await;
    app.create_user("lid@voorbeeld.nl", "aandeelhouder", PASSWORD).await;
    let response = app
        .post_form(
            "/inloggen",
            &[("email", "lid@voorbeeld.nl"), ("password", PASSWORD), ("volgende", "//evil.example/x")],
        )
        .await;
    assert_eq!(location(&response), "/account");
    let app2 = TestApp::spawn().await;
    app2.create_user("lid@voorbeeld.nl", "aandeelhouder", PASSWORD).await;
    let response = app2
        .post_form(
            "/inloggen",
            &[("email", "lid@voorbeeld.nl"), ("password", PASSWORD), ("volgende", "/nieuws?x=1")],
        )
        .await;
    assert_eq!(location(&response), "/nieuws?x=1");
}

#[tokio::test]
async fn changing_the_password_logs_out_everywhere_else() {
    let app = TestApp::spawn().await;
    app.create_user("lid@voorbeeld.nl", "aandeelhouder", PASSWORD).await;
    app.login("lid@voorbeeld.nl", PASSWORD).await;
    let elsewhere = TestApp::spawn_second_client(&app, "lid@voorbeeld.nl", PASSWORD).await;
    assert_eq!(elsewhere.get(app.url("/account")).send().await.unwrap().status(), 200);

    let weak = app
        .post_form(
            "/account/wachtwoord",
            &[("current", PASSWORD), ("password", "wachtwoord123"), ("password_repeat", "wachtwoord123")],
        )
        .await;
    assert_eq!(weak.status(), 422);
    assert!(weak.text().await.unwrap().contains("veelgebruikte wachtwoorden"));

    let new = "nieuwe-zin-met-woorden";
    let response = app
        .post_form(
            "/account/wachtwoord",
            &[("current", PASSWORD), ("password", new), ("password_repeat", new)],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(app.get("/account").await.status(), 200, "this browser stays logged in");
    assert_eq!(
        elsewhere.get(app.url("/account")).send().await.unwrap().status(),
        303,
        "the other is logged out"
    );
    let fresh = TestApp::spawn_second_client(&app, "lid@voorbeeld.nl", new).await;
    assert_eq!(fresh.get(app.url("/account")).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn export_and_deletion_of_the_own_account() {
    let app = TestApp::spawn().await;
    let id = app.create_user("weg@voorbeeld.nl", "aandeelhouder", PASSWORD).await;
    app.member_for(id, "Weg Lid").slug("weg").public(true).approved().create().await;
    app.login("weg@voorbeeld.nl", PASSWORD).await;
    let response = app.get("/account/gegevens.json").await;
    assert!(response.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    let json: serde_json::Value = response.json().await.unwrap();
    assert_eq!(json["account"]["email"], "weg@voorbeeld.nl");
    assert_eq!(json["aandeelhoudersprofiel"]["name"], "Weg Lid");
    assert!(json["account"].get("password_hash").is_none(), "the hash is never exported");

    let refused = app.post_form("/account/verwijderen", &[("password", "fout")]).await;
    assert_eq!(refused.status(), 422);
    let response = app.post_form("/account/verwijderen", &[("password", PASSWORD)]).await;
    assert_eq!(response.status(), 303);
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    let members: i64 = sqlx::query_scalar("SELECT count(*) FROM members WHERE slug = 'weg'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!((users, members), (0, 0));
    assert_eq!(app.get("/account").await.status(), 303);
}

impl TestApp {
    /// Another browser, logged in as `email`.
    pub async fn spawn_second_client(app: &TestApp, email: &str, password: &str) -> reqwest::Client {
        let client = app.new_client();
        let token =
            extract_csrf(&client.get(app.url("/inloggen")).send().await.unwrap().text().await.unwrap());
        let response = client
            .post(app.url("/inloggen"))
            .form(&[("email", email), ("password", password), ("csrf_token", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303, "second client logs in");
        client
    }
}
