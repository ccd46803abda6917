//! Client addresses behind a real nginx (`TRUSTED_PROXIES`), login throttling that stops
//! guessing without locking the owner out, and limits that let a whole venue subscribe
//! (issue 10).

use std::net::IpAddr;
use std::time::Duration;

use crate::binary::free_port;
use crate::helpers::{PASSWORD, TestApp, browser_headers, login_via, token_of};

/// A form start stamp that is old enough (the app runs with the development secret).
fn started() -> String {
    let secret = bredeblik::config::Secret::new("development-only-secret-key-do-not-use-in-production");
    let time = (time::OffsetDateTime::now_utc().unix_timestamp() - 30).to_string();
    format!("{time}.{}", bredeblik::tokens::sign(&secret, "form-started", &time))
}

/// A real nginx in front of the app, as the README's deployment section has it: it appends
/// the peer's address to `X-Forwarded-For`.
struct Nginx {
    port: u16,
    dir: std::path::PathBuf,
    child: std::process::Child,
}

impl Nginx {
    async fn start(app: &TestApp) -> Self {
        let binary = ["/usr/sbin/nginx", "/usr/bin/nginx"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists())
            .expect("nginx is installed (scripts/ensure-tools installs it)");
        let dir = std::env::temp_dir().join(format!("bb-nginx-{}", bredeblik::tokens::random_hex(6)));
        std::fs::create_dir_all(&dir).unwrap();
        let port = free_port();
        let upstream = app.address.trim_start_matches("http://");
        let d = dir.display();
        let config = format!(
            "daemon off; master_process off; worker_processes 1; pid {d}/nginx.pid; error_log {d}/error.log warn;\n\
             events {{ worker_connections 1024; }}\n\
             http {{\n  access_log off;\n  client_body_temp_path {d}/body; proxy_temp_path {d}/proxy;\n  \
             fastcgi_temp_path {d}/fastcgi; uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;\n  \
             client_max_body_size 10m;\n  \
             server {{\n    listen 127.0.0.1:{port};\n    location / {{\n      proxy_pass http://{upstream};\n      \
             proxy_set_header Host $http_host;\n      \
             proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n      \
             proxy_set_header X-Forwarded-Proto $scheme;\n    }}\n  }}\n}}\n"
        );
        std::fs::write(dir.join("nginx.conf"), config).unwrap();
        let child = std::process::Command::new(binary)
            .arg("-p")
            .arg(&dir)
            .arg("-e")
            .arg(dir.join("error.log"))
            .arg("-c")
            .arg(dir.join("nginx.conf"))
            .spawn()
            .expect("nginx starts");
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                return Self { port, dir, child };
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let mut child = child;
        let _ = child.kill();
        let _ = child.wait();
        panic!("nginx did not start: {}", std::fs::read_to_string(dir.join("error.log")).unwrap_or_default());
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A browser of its own, connecting from `from` (any 127.x.y.z address is this machine).
fn client_from(from: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .default_headers(browser_headers())
        .local_address(from.parse::<IpAddr>().unwrap())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

async fn subscribe(client: &reqwest::Client, base: &str, email: &str, extra: &[(&str, &str)]) -> u16 {
    let token = token_of(client, &format!("{base}/nieuwsbrief")).await;
    let stamp = started();
    let mut request = client.post(format!("{base}/nieuwsbrief")).form(&[
        ("email", email),
        ("begonnen", &stamp),
        ("website", ""),
        ("csrf_token", &token),
    ]);
    for (k, v) in extra {
        request = request.header(*k, *v);
    }
    request.send().await.unwrap().status().as_u16()
}

async fn consent_ip(app: &TestApp, email: &str) -> String {
    sqlx::query_scalar("SELECT consent_ip FROM subscribers WHERE email = $1")
        .bind(email)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_client_address_comes_from_a_trusted_proxy_only() {
    let app = TestApp::spawn_with(&[("TRUSTED_PROXIES", "127.0.0.1")]).await;
    let nginx = Nginx::start(&app).await;
    let base = nginx.url("");
    let spoof = [("x-forwarded-for", "203.0.113.66")];

    // Through the proxy: the address nginx saw, not what the client wrote itself.
    let visitor = client_from("127.0.0.2");
    assert_eq!(subscribe(&visitor, &base, "via-proxy@voorbeeld.nl", &spoof).await, 200);
    assert_eq!(consent_ip(&app, "via-proxy@voorbeeld.nl").await, "127.0.0.2");

    // Straight to the app from an address that is no proxy: the header is ignored.
    let direct = client_from("127.0.0.3");
    assert_eq!(subscribe(&direct, &app.address, "direct@voorbeeld.nl", &spoof).await, 200);
    assert_eq!(consent_ip(&app, "direct@voorbeeld.nl").await, "127.0.0.3");

    // Without TRUSTED_PROXIES, everyone behind the proxy is the proxy.
    let plain = TestApp::spawn().await;
    let plain_nginx = Nginx::start(&plain).await;
    assert_eq!(subscribe(&visitor, &plain_nginx.url(""), "achter-proxy@voorbeeld.nl", &spoof).await, 200);
    assert_eq!(consent_ip(&plain, "achter-proxy@voorbeeld.nl").await, "127.0.0.1");
}

#[test]
fn a_bad_trusted_proxies_value_stops_start_up_naming_the_variable() {
    let err = bredeblik::config::Config::from_lookup(|k| match k {
        "DATABASE_URL" => Some("postgres://u@localhost/db".into()),
        "TRUSTED_PROXIES" => Some("10.0.0.0/8, proxy.local".into()),
        _ => None,
    })
    .unwrap_err();
    assert_eq!(err.variable, "TRUSTED_PROXIES");
    assert!(err.to_string().contains("proxy.local"), "{err}");
}

#[tokio::test]
async fn an_attacker_slows_down_but_cannot_lock_the_owner_out() {
    let app = TestApp::spawn_with(&[("TRUSTED_PROXIES", "127.0.0.1")]).await;
    let nginx = Nginx::start(&app).await;
    let base = nginx.url("");
    let owner_email = "coordinator@voorbeeld.nl";
    app.create_user(owner_email, "coordinator", PASSWORD).await;

    // The owner's own browser logged in before, so it carries a device cookie.
    let laptop = client_from("127.0.0.2");
    assert_eq!(login_via(&laptop, &base, owner_email, PASSWORD).await, 303);

    // An attacker guesses from one address: ten tries, then growing waits.
    let attacker = client_from("127.0.0.5");
    for attempt in 1..=10 {
        assert_eq!(
            login_via(&attacker, &base, owner_email, "geraden-wachtwoord").await,
            422,
            "try {attempt}"
        );
    }
    for _ in 0..3 {
        assert_eq!(
            login_via(&attacker, &base, owner_email, PASSWORD).await,
            429,
            "even the right password waits"
        );
    }
    let blocked: f64 = sqlx::query_scalar(
        "SELECT extract(epoch FROM blocked_until - now())::float8 FROM login_failures WHERE key LIKE 'client:%|127.0.0.5'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!((1.0..=30.0).contains(&blocked), "the first wait is half a minute: {blocked}");

    // The owner gets in from another address without a device cookie, and from the laptop.
    let phone = client_from("127.0.0.6");
    assert_eq!(login_via(&phone, &base, owner_email, PASSWORD).await, 303);
    assert_eq!(login_via(&laptop, &base, owner_email, PASSWORD).await, 303);

    // The per-account ceiling is a fixed window of 15 minutes: keep what follows in one.
    wait_unless_window_has(900, 30).await;
    // A botnet: 50 more guesses from 25 addresses spends the account's budget for browsers
    // it has never seen; the owner's laptop (device cookie) still gets in.
    for i in 0..25 {
        let bot = client_from(&format!("127.0.1.{}", i + 10));
        for _ in 0..2 {
            let status = login_via(&bot, &base, owner_email, "nog-een-gok").await;
            assert!(status == 422 || status == 429, "{status}");
        }
    }
    let stranger = client_from("127.0.0.7");
    assert_eq!(login_via(&stranger, &base, owner_email, PASSWORD).await, 429, "unknown browsers wait");
    assert_eq!(login_via(&laptop, &base, owner_email, PASSWORD).await, 303, "the owner's browser does not");
    // A device cookie is worth nothing for another account.
    app.create_user("ander@voorbeeld.nl", "redacteur", PASSWORD).await;
    assert_eq!(login_via(&laptop, &base, "ander@voorbeeld.nl", PASSWORD).await, 303);
}

/// Fixed-window limits restart on multiples of `window` seconds: sleeps into the next window
/// when fewer than `needed` seconds of this one are left.
async fn wait_unless_window_has(window: i64, needed: i64) {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let left = window - now % window;
    if left < needed {
        tokio::time::sleep(Duration::from_secs(left as u64 + 1)).await;
    }
}

#[tokio::test]
async fn a_venue_of_200_subscribes_while_a_script_with_1000_addresses_is_stopped() {
    let app = TestApp::spawn_with(&[("TRUSTED_PROXIES", "127.0.0.1")]).await;
    let nginx = Nginx::start(&app).await;
    let base = nginx.url("");

    // 200 people on the venue's Wi-Fi (one address), each in their own browser.
    let mut people = tokio::task::JoinSet::new();
    for i in 0..200 {
        let base = base.clone();
        people.spawn(async move {
            let browser = client_from("127.0.0.8");
            subscribe(&browser, &base, &format!("deelnemer{i}@voorbeeld.nl"), &[]).await
        });
    }
    let statuses = people.join_all().await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let venue: i64 = sqlx::query_scalar("SELECT count(*) FROM subscribers WHERE email LIKE 'deelnemer%'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(venue, 200, "everyone at the venue got in");

    // A script posts a thousand addresses from one address (within one hourly window).
    wait_unless_window_has(3600, 60).await;
    let script = client_from("127.0.0.9");
    let token = token_of(&script, &format!("{base}/nieuwsbrief")).await;
    let stamp = started();
    let mut accepted = 0;
    for i in 0..1000 {
        let email = format!("slachtoffer{i}@voorbeeld.nl");
        let status = script
            .post(format!("{base}/nieuwsbrief"))
            .form(&[("email", email.as_str()), ("begonnen", &stamp), ("website", ""), ("csrf_token", &token)])
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
        assert!(status == 200 || status == 429, "{status}");
        accepted += usize::from(status == 200);
    }
    assert!(accepted <= 250, "the script stops at the per-client limit: {accepted} accepted");
    let mails: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE to_address LIKE 'slachtoffer%'")
        .fetch_one(&app.db)
        .await
        .unwrap_or(accepted as i64);
    assert!(mails <= 250, "{mails} confirmation mails");

    // One address posted over and over gets at most three confirmation mails a day.
    let pest = client_from("127.0.0.10");
    for _ in 0..10 {
        assert_eq!(subscribe(&pest, &base, "steeds@voorbeeld.nl", &[]).await, 200);
    }
    let confirmations: i32 =
        sqlx::query_scalar("SELECT confirm_mails_today FROM subscribers WHERE email = 'steeds@voorbeeld.nl'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(confirmations, 3);
}
