//! The harness: every test gets the real application on a free port, against a database of
//! its own (copied from a migrated template, so that creating one takes milliseconds).

use std::sync::Arc;
use std::time::Duration;

use bredeblik::config::Config;
use bredeblik::startup::Application;
use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, PgConnection, PgPool};
use tokio::sync::oneshot;

/// Base URL of the test cluster without a database name, e.g. postgres://postgres@127.0.0.1:54330
pub fn cluster_url() -> String {
    std::env::var("TEST_DATABASE_URL").expect(
        "TEST_DATABASE_URL is not set: run the suite with `make test`, which starts a private PostgreSQL",
    )
}

fn template_name() -> String {
    let mut fingerprint = String::new();
    for migration in bredeblik::db::MIGRATOR.iter() {
        fingerprint.push_str(&hex::encode(&migration.checksum[..]));
    }
    format!("bb_template_{}", &bredeblik::tokens::hash(&fingerprint)[..16])
}

async fn admin_connection() -> PgConnection {
    PgConnection::connect(&format!("{}/postgres", cluster_url()))
        .await
        .expect("the test cluster is reachable")
}

async fn database_exists(conn: &mut PgConnection, name: &str) -> bool {
    sqlx::query_scalar::<_, i32>("SELECT 1 FROM pg_database WHERE datname = $1")
        .bind(name)
        .fetch_optional(conn)
        .await
        .unwrap()
        .is_some()
}

/// Creates the migrated template once per migration set; concurrent test processes wait on
/// an advisory lock, and the template appears under its final name only when complete.
async fn ensure_template() -> String {
    let name = template_name();
    let mut admin = admin_connection().await;
    if database_exists(&mut admin, &name).await {
        return name;
    }
    sqlx::query("SELECT pg_advisory_lock(727272)").execute(&mut admin).await.unwrap();
    if !database_exists(&mut admin, &name).await {
        let building = format!("{name}_building");
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)")))
            .execute(&mut admin)
            .await
            .unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {building}")))
            .execute(&mut admin)
            .await
            .unwrap();
        let pool = PgPool::connect(&format!("{}/{building}", cluster_url())).await.unwrap();
        bredeblik::db::migrate(&pool).await.unwrap();
        let geo =
            bredeblik::geo::Geo::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/geo"))
                .unwrap();
        bredeblik::geo::sync_reference_regions(&pool, &geo).await.unwrap();
        pool.close().await;
        sqlx::query(sqlx::AssertSqlSafe(format!("ALTER DATABASE {building} RENAME TO {name}")))
            .execute(&mut admin)
            .await
            .unwrap();
    }
    sqlx::query("SELECT pg_advisory_unlock(727272)").execute(&mut admin).await.unwrap();
    name
}

/// A fresh database, dropped again when the guard goes (also when the test panics).
pub struct TestDatabase {
    pub name: String,
    pub url: String,
}

impl TestDatabase {
    pub async fn create() -> Self {
        let template = ensure_template().await;
        let name = format!("bb_test_{}", bredeblik::tokens::random_hex(8));
        let mut admin = admin_connection().await;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name} TEMPLATE {template}")))
            .execute(&mut admin)
            .await
            .unwrap();
        let url = format!("{}/{name}", cluster_url());
        Self { name, url }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Drop cannot await; a short-lived runtime on its own thread does the clean-up.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async {
                if let Ok(mut admin) = PgConnection::connect(&format!("{}/postgres", cluster_url())).await {
                    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .execute(&mut admin)
                    .await;
                }
            });
        })
        .join();
    }
}

pub struct TestApp {
    pub address: String,
    pub db: PgPool,
    /// Keeps cookies, does not follow redirects (tests look at them).
    pub client: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
    // Declared last: dropped after the pool is closed.
    _database: Arc<TestDatabase>,
}

pub fn config_for(database_url: &str, extra: &[(&str, &str)]) -> Config {
    let mut vars: Vec<(String, String)> =
        vec![("DATABASE_URL".into(), database_url.into()), ("BIND_ADDR".into(), "127.0.0.1:0".into())];
    vars.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    Config::from_lookup(|key| vars.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.clone())).unwrap()
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(&[]).await
    }

    pub async fn spawn_with_demo() -> Self {
        let app = Self::spawn().await;
        bredeblik::seed::demo(&app.db).await.unwrap();
        app
    }

    pub async fn spawn_with(extra: &[(&str, &str)]) -> Self {
        if std::env::var("TEST_LOG").is_ok() {
            bredeblik::telemetry::init(bredeblik::config::LogFormat::Text);
        }
        Self::spawn_on(Arc::new(TestDatabase::create().await), extra).await
    }

    /// A second instance of the application on this test's database, as when several app
    /// servers share one PostgreSQL.
    pub async fn spawn_sibling(&self) -> Self {
        Self::spawn_on(self._database.clone(), &[]).await
    }

    async fn spawn_on(database: Arc<TestDatabase>, extra: &[(&str, &str)]) -> Self {
        let config = config_for(&database.url, extra);
        let pool = PgPoolOptions::new().max_connections(5).connect(&database.url).await.unwrap();
        let app = Application::build_with_pool(config, pool.clone()).await.unwrap();
        let port = app.port();
        let (tx, rx) = oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            app.run_until(async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .default_headers(browser_headers())
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        Self {
            address: format!("http://127.0.0.1:{port}"),
            db: pool,
            client,
            shutdown: Some(tx),
            server: Some(server),
            _database: database,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("request completes")
    }

    /// One page of an open-data list (`/api/v1/…`): the slugs of its records in order, and
    /// `meta.total`.
    pub async fn api_slugs(&self, path: &str) -> (Vec<String>, i64) {
        let api: serde_json::Value = self.get(path).await.json().await.expect("a JSON answer");
        let slugs = api["data"]
            .as_array()
            .expect("a data array")
            .iter()
            .map(|d| d["slug"].as_str().expect("a slug").to_owned())
            .collect();
        (slugs, api["meta"]["total"].as_i64().expect("meta.total"))
    }

    /// GET, assert the status and return the body.
    pub async fn get_text(&self, path: &str, status: u16) -> String {
        let response = self.get(path).await;
        assert_eq!(response.status().as_u16(), status, "GET {path}");
        response.text().await.unwrap()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }
}

/// The test suite's real SMTP server (tests/support/smtp_sink.py): a process of its own,
/// writing each message it accepts as an .eml file.
pub struct Mailbox {
    pub dir: std::path::PathBuf,
    pub port: u16,
    child: std::process::Child,
}

impl Mailbox {
    pub fn start() -> Self {
        use std::io::BufRead;
        let dir = std::env::temp_dir().join(format!("bb-mail-{}", bredeblik::tokens::random_hex(6)));
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/smtp_sink.py");
        let mut child = std::process::Command::new("python3")
            .arg(script)
            .args(["--port", "0", "--dir"])
            .arg(&dir)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3 runs the SMTP sink");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let port =
            line.trim().strip_prefix("listening on ").expect("sink announces its port").parse().unwrap();
        Self { dir, port, child }
    }

    pub fn messages(&self) -> Vec<Mail> {
        let mut files: Vec<_> = std::fs::read_dir(&self.dir)
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        files.iter().map(|p| Mail::parse(&std::fs::read_to_string(p).unwrap())).collect()
    }

    /// Waits (up to 15 s) until a message to `to` whose subject contains `subject` arrives.
    pub async fn wait_for(&self, to: &str, subject: &str) -> Mail {
        for _ in 0..150 {
            if let Some(mail) =
                self.messages().into_iter().rev().find(|m| m.to.contains(to) && m.subject.contains(subject))
            {
                return mail;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "no mail to {to} about '{subject}' arrived; got {:?}",
            self.messages().iter().map(|m| (&m.to, &m.subject)).collect::<Vec<_>>()
        );
    }
}

impl Drop for Mailbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub headers: String,
    /// The decoded text of all parts.
    pub body: String,
}

fn decode_quoted_printable(input: &str) -> String {
    let bytes = input.replace("=\r\n", "").replace("=\n", "");
    let bytes = bytes.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"), 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Mail {
    pub fn parse(raw: &str) -> Self {
        let raw = raw.replace("\r\n", "\n");
        let (headers, body) = raw.split_once("\n\n").unwrap_or((&raw, ""));
        let header = |name: &str| {
            headers.lines().find_map(|l| l.strip_prefix(&format!("{name}: "))).unwrap_or_default().to_owned()
        };
        Self {
            to: header("X-Envelope-To"),
            subject: header("Subject"),
            headers: headers.to_owned(),
            body: decode_quoted_printable(body),
        }
    }

    /// The first link in the mail that starts with `prefix`.
    pub fn link(&self, prefix: &str) -> String {
        let start = self.body.find(prefix).unwrap_or_else(|| panic!("no link {prefix} in {}", self.body));
        self.body[start..]
            .split(|c: char| c.is_whitespace() || c == '"' || c == '<')
            .next()
            .unwrap()
            .to_owned()
    }
}

impl TestApp {
    pub async fn spawn_with_mail() -> (Self, Mailbox) {
        let mailbox = Mailbox::start();
        let smtp = format!("smtp://127.0.0.1:{}", mailbox.port);
        let app = Self::spawn_with(&[("SMTP_URL", &smtp)]).await;
        (app, mailbox)
    }

    /// The `csrf_token` field of a form on the site (empty since cross-site requests are refused
    /// by their headers; forms may still carry the field).
    pub async fn csrf_token(&self) -> String {
        let body = self.get_text("/inloggen", 200).await;
        extract_csrf(&body)
    }

    /// POSTs a form as the site's own page would (the client says `Sec-Fetch-Site: same-origin`).
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let token = self.csrf_token().await;
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf_token", &token));
        self.client.post(self.url(path)).form(&all).send().await.expect("request completes")
    }

    /// Creates an active user with a password and the given role.
    pub async fn create_user(&self, email: &str, role: &str, password: &str) -> i64 {
        let hash = bredeblik::accounts::password::hash(password.to_owned()).await.unwrap();
        sqlx::query_scalar("INSERT INTO users (email, role, password_hash, email_confirmed_at) VALUES ($1, $2, $3, now()) RETURNING id")
            .bind(email)
            .bind(role)
            .bind(hash)
            .fetch_one(&self.db)
            .await
            .unwrap()
    }

    pub async fn login(&self, email: &str, password: &str) -> reqwest::Response {
        self.post_form("/inloggen", &[("email", email), ("password", password)]).await
    }

    /// A second client with its own cookies, for "another browser".
    pub fn new_client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .default_headers(browser_headers())
            .build()
            .unwrap()
    }

    /// A client that sends what a non-browser sends: no `Sec-Fetch-Site`, no `Origin`, no cookies.
    pub fn bare_client(&self) -> reqwest::Client {
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
    }
}

/// What every current browser adds to a request made by a page of the same site (a request's
/// own `Sec-Fetch-Site` replaces it).
pub fn browser_headers() -> reqwest::header::HeaderMap {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("sec-fetch-site", reqwest::header::HeaderValue::from_static("same-origin"));
    headers
}

pub fn extract_csrf(html: &str) -> String {
    html.split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_default()
        .to_owned()
}

/// The CSRF token of the form on the page at `url`, fetched with `client` (and its cookies).
pub async fn token_of(client: &reqwest::Client, url: &str) -> String {
    extract_csrf(&client.get(url).send().await.unwrap().text().await.unwrap())
}

/// Logs in through the form at `{base}/inloggen` with a client of its own (another browser,
/// or another address behind a proxy); the status of the answer.
pub async fn login_via(client: &reqwest::Client, base: &str, email: &str, password: &str) -> u16 {
    let token = token_of(client, &format!("{base}/inloggen")).await;
    client
        .post(format!("{base}/inloggen"))
        .form(&[("email", email), ("password", password), ("csrf_token", &token)])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

pub const PASSWORD: &str = "fiets-boom-wolk-lamp";

pub use bredeblik::web::auth::Role;

/// A browser of its own (cookies, its CSRF token), logged in to one account.
pub struct Browser<'a> {
    app: &'a TestApp,
    pub client: reqwest::Client,
    pub token: String,
}

impl<'a> Browser<'a> {
    /// Logs in to an existing account with [`PASSWORD`].
    pub async fn login(app: &'a TestApp, email: &str) -> Self {
        let client = app.new_client();
        let page = client.get(app.url("/inloggen")).send().await.unwrap().text().await.unwrap();
        let token = extract_csrf(&page);
        let response = client
            .post(app.url("/inloggen"))
            .form(&[("email", email), ("password", PASSWORD), ("csrf_token", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303, "{email} logs in");
        Self { app, client, token }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.app.url(path)).send().await.unwrap()
    }

    /// GET, assert the status and return the body.
    pub async fn text(&self, path: &str, status: u16) -> String {
        let response = self.get(path).await;
        assert_eq!(response.status().as_u16(), status, "GET {path}");
        response.text().await.unwrap()
    }

    /// POSTs a form with this browser's CSRF token added.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut all = fields.to_vec();
        all.push(("csrf_token", &self.token));
        self.client.post(self.app.url(path)).form(&all).send().await.unwrap()
    }
}

impl TestApp {
    /// A new account with `role` (address `<role>@voorbeeld.nl`), logged in in a browser of
    /// its own.
    pub async fn logged_in(&self, role: Role) -> Browser<'_> {
        let email = format!("{}@voorbeeld.nl", role.as_str());
        self.create_user(&email, role.as_str(), PASSWORD).await;
        Browser::login(self, &email).await
    }

    /// An initiative to create: `app.initiative("Samen in de klas").published().create().await`.
    pub fn initiative(&self, name: &str) -> InitiativeBuilder<'_> {
        InitiativeBuilder {
            app: self,
            slug: bredeblik::text::slugify(name),
            name: name.to_owned(),
            summary: format!("Over {name}."),
            status: "concept",
            owner: None,
            contact_email: String::new(),
            logo: None,
            theme: None,
            region: None,
        }
    }

    /// An aandeelhouder account with a member profile, logging in with [`PASSWORD`]:
    /// `app.member("ines@voorbeeld.nl", "Ines de Vries").approved().create().await`.
    pub fn member(&self, email: &str, name: &str) -> MemberBuilder<'_> {
        MemberBuilder {
            app: self,
            email: email.to_owned(),
            account: None,
            slug: bredeblik::text::slugify(name),
            name: name.to_owned(),
            kind: "persoon",
            role: String::new(),
            offer: String::new(),
            public: false,
            region: None,
            theme: None,
            status: "wacht_op_beoordeling",
        }
    }

    /// A member profile for the existing account `user_id`:
    /// `app.member_for(user, "Lid Walk").approved().create().await`.
    pub fn member_for(&self, user_id: i64, name: &str) -> MemberBuilder<'_> {
        MemberBuilder { account: Some(user_id), ..self.member("", name) }
    }

    /// The id of the account with this e-mail address.
    pub async fn user_id(&self, email: &str) -> i64 {
        sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(email)
            .fetch_one(&self.db)
            .await
            .unwrap()
    }

    /// The audit log's actions about records of `target_type` (with `id`, about that record
    /// only), oldest first.
    pub async fn audit_actions(&self, target_type: &str, id: Option<i64>) -> Vec<String> {
        sqlx::query_scalar(
            "SELECT action FROM audit_log WHERE target_type = $1 AND ($2::text IS NULL OR target_id = $2) ORDER BY id",
        )
        .bind(target_type)
        .bind(id.map(|id| id.to_string()))
        .fetch_all(&self.db)
        .await
        .unwrap()
    }

    /// A kennisbank publication to create; see [`PublicationBuilder`].
    pub fn publication(&self, title: &str) -> PublicationBuilder<'_> {
        PublicationBuilder {
            db: &self.db,
            slug: bredeblik::text::slugify(title),
            title: title.to_owned(),
            year: None,
            summary: String::new(),
            authors: String::new(),
            url: String::new(),
            status: "concept",
            kind: "rapport",
            publisher: String::new(),
            doi: String::new(),
            isbn: String::new(),
            licence: "onbekend",
            people: Vec::new(),
        }
    }

    /// A published news item to create: `app.news("Speeltuin weer open").create().await`.
    pub fn news(&self, title: &str) -> NewsBuilder<'_> {
        NewsBuilder {
            db: &self.db,
            slug: bredeblik::text::slugify(title),
            title: title.to_owned(),
            lead: String::new(),
        }
    }
}

pub struct InitiativeBuilder<'a> {
    app: &'a TestApp,
    slug: String,
    name: String,
    summary: String,
    status: &'static str,
    owner: Option<i64>,
    contact_email: String,
    logo: Option<i64>,
    theme: Option<String>,
    region: Option<&'static str>,
}

impl InitiativeBuilder<'_> {
    pub fn slug(mut self, slug: &str) -> Self {
        self.slug = slug.to_owned();
        self
    }
    pub fn summary(mut self, summary: &str) -> Self {
        self.summary = summary.to_owned();
        self
    }
    /// On the site (status `gepubliceerd`, published now).
    pub fn published(mut self) -> Self {
        self.status = "gepubliceerd";
        self
    }
    /// Waiting in the editors' review queue.
    pub fn in_review(mut self) -> Self {
        self.status = "ter_beoordeling";
        self
    }
    /// Owned by the member with this id.
    pub fn owner(mut self, member_id: i64) -> Self {
        self.owner = Some(member_id);
        self
    }
    pub fn contact_email(mut self, email: &str) -> Self {
        self.contact_email = email.to_owned();
        self
    }
    /// With this media row as its logo.
    pub fn logo(mut self, media_id: i64) -> Self {
        self.logo = Some(media_id);
        self
    }
    /// Tagged with the theme of this slug.
    pub fn theme(mut self, slug: &str) -> Self {
        self.theme = Some(slug.to_owned());
        self
    }
    /// In the region of this CBS code (e.g. `GM0355`).
    pub fn region(mut self, code: &'static str) -> Self {
        self.region = Some(code);
        self
    }
    /// Inserts the initiative; returns its id.
    pub async fn create(self) -> i64 {
        let id = sqlx::query_scalar(
            "INSERT INTO initiatives (slug, name, summary, status, owner_id, contact_email, logo_id, published_at, region_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $4 = 'gepubliceerd' THEN now() END, \
                     (SELECT id FROM regions WHERE code = $8)) RETURNING id",
        )
        .bind(&self.slug)
        .bind(&self.name)
        .bind(&self.summary)
        .bind(self.status)
        .bind(self.owner)
        .bind(&self.contact_email)
        .bind(self.logo)
        .bind(self.region)
        .fetch_one(&self.app.db)
        .await
        .unwrap();
        if let Some(theme) = &self.theme {
            sqlx::query("INSERT INTO initiative_themes (initiative_id, theme_id) SELECT $1, id FROM themes WHERE slug = $2")
                .bind(id)
                .bind(theme)
                .execute(&self.app.db)
                .await
                .unwrap();
        }
        id
    }
}

pub struct MemberBuilder<'a> {
    app: &'a TestApp,
    email: String,
    account: Option<i64>,
    slug: String,
    name: String,
    kind: &'static str,
    role: String,
    offer: String,
    public: bool,
    region: Option<&'static str>,
    theme: Option<&'static str>,
    status: &'static str,
}

impl MemberBuilder<'_> {
    /// Approved by a coordinator (status `goedgekeurd`).
    pub fn approved(mut self) -> Self {
        self.status = "goedgekeurd";
        self
    }
    pub fn slug(mut self, slug: &str) -> Self {
        self.slug = slug.to_owned();
        self
    }
    /// An organisation rather than a person.
    pub fn organisation(mut self) -> Self {
        self.kind = "organisatie";
        self
    }
    /// The member's role ("leerkracht").
    pub fn role(mut self, role: &str) -> Self {
        self.role = role.to_owned();
        self
    }
    /// What the member offers.
    pub fn offer(mut self, offer: &str) -> Self {
        self.offer = offer.to_owned();
        self
    }
    /// Whether the profile is public.
    pub fn public(mut self, public: bool) -> Self {
        self.public = public;
        self
    }
    /// In the region with this CBS code ("GM0344").
    pub fn region(mut self, code: &'static str) -> Self {
        self.region = Some(code);
        self
    }
    /// Listed in the directory: approved, with a public profile in Utrecht (GM0344) and an
    /// offer.
    pub fn listed(self) -> Self {
        self.offer("Iets").public(true).region("GM0344").approved()
    }
    /// Working on the theme of this slug.
    pub fn theme(mut self, slug: &'static str) -> Self {
        self.theme = Some(slug);
        self
    }
    /// Inserts the account (unless it exists, see [`TestApp::member_for`]) and the profile;
    /// returns the member id.
    pub async fn create(self) -> i64 {
        let user = match self.account {
            Some(id) => id,
            None => self.app.create_user(&self.email, "aandeelhouder", PASSWORD).await,
        };
        let id = sqlx::query_scalar(
            "INSERT INTO members (slug, name, kind, role, offer, public_profile, status, user_id, region_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, (SELECT id FROM regions WHERE code = $9)) RETURNING id",
        )
        .bind(&self.slug)
        .bind(&self.name)
        .bind(self.kind)
        .bind(&self.role)
        .bind(&self.offer)
        .bind(self.public)
        .bind(self.status)
        .bind(user)
        .bind(self.region)
        .fetch_one(&self.app.db)
        .await
        .unwrap();
        if let Some(theme) = self.theme {
            sqlx::query(
                "INSERT INTO member_themes (member_id, theme_id) SELECT $1, id FROM themes WHERE slug = $2",
            )
            .bind(id)
            .bind(theme)
            .execute(&self.app.db)
            .await
            .unwrap();
        }
        id
    }
}

/// A kennisbank publication to create: `app.publication("Samen leren").published().create().await`;
/// by default a `rapport` in concept without year, summary, authors or web address.
pub struct PublicationBuilder<'a> {
    db: &'a PgPool,
    slug: String,
    title: String,
    year: Option<i16>,
    summary: String,
    authors: String,
    url: String,
    status: &'static str,
    kind: &'static str,
    publisher: String,
    doi: String,
    isbn: String,
    licence: &'static str,
    /// Ordered authors: kind (`persoon`, `organisatie`), given name, particle, family name.
    people: Vec<(&'static str, String, String, String)>,
}

impl PublicationBuilder<'_> {
    pub fn slug(mut self, slug: &str) -> Self {
        self.slug = slug.to_owned();
        self
    }
    pub fn year(mut self, year: i16) -> Self {
        self.year = Some(year);
        self
    }
    /// The summary (Markdown).
    pub fn summary(mut self, markdown: &str) -> Self {
        self.summary = markdown.to_owned();
        self
    }
    /// The authors as one line of names.
    pub fn authors(mut self, names: &str) -> Self {
        self.authors = names.to_owned();
        self
    }
    pub fn url(mut self, url: &str) -> Self {
        self.url = url.to_owned();
        self
    }
    /// On the site (status `gepubliceerd`, published now).
    pub fn published(mut self) -> Self {
        self.status = "gepubliceerd";
        self
    }
    /// What sort of publication it is (`publications.kind`; `rapport` unless set).
    pub fn kind(mut self, kind: &'static str) -> Self {
        self.kind = kind;
        self
    }
    pub fn publisher(mut self, publisher: &str) -> Self {
        self.publisher = publisher.to_owned();
        self
    }
    pub fn doi(mut self, doi: &str) -> Self {
        self.doi = doi.to_owned();
        self
    }
    pub fn isbn(mut self, isbn: &str) -> Self {
        self.isbn = isbn.to_owned();
        self
    }
    /// The licence as stored (`cc-by`, …; `onbekend` unless set).
    pub fn licence(mut self, licence: &'static str) -> Self {
        self.licence = licence;
        self
    }
    /// The next author, a person, with the particle kept apart (`van der`).
    pub fn person(mut self, given: &str, particle: &str, family: &str) -> Self {
        self.people.push(("persoon", given.to_owned(), particle.to_owned(), family.to_owned()));
        self
    }
    /// The next author, an organisation.
    pub fn organisation(mut self, name: &str) -> Self {
        self.people.push(("organisatie", String::new(), String::new(), name.to_owned()));
        self
    }
    /// Inserts the publication and its authors; returns its id. Without `authors(..)`, the line
    /// of names is made from the authors added one by one.
    pub async fn create(self) -> i64 {
        let names: Vec<String> = self
            .people
            .iter()
            .map(|(_, given, particle, family)| {
                [given, particle, family]
                    .iter()
                    .filter(|s| !s.is_empty())
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        let author_names = if self.authors.is_empty() { names.join(", ") } else { self.authors.clone() };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO publications (slug, title, year, kind, abstract_md, author_names, url, status, published_at, \
                                       publisher, doi, isbn, licence) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now(), $9, $10, $11, $12) RETURNING id",
        )
        .bind(&self.slug)
        .bind(&self.title)
        .bind(self.year)
        .bind(self.kind)
        .bind(&self.summary)
        .bind(&author_names)
        .bind(&self.url)
        .bind(self.status)
        .bind(&self.publisher)
        .bind(&self.doi)
        .bind(&self.isbn)
        .bind(self.licence)
        .fetch_one(self.db)
        .await
        .unwrap();
        for (position, (kind, given, particle, family)) in self.people.iter().enumerate() {
            sqlx::query(
                "INSERT INTO publication_authors (publication_id, position, kind, given_name, particle, family_name) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(position as i16)
            .bind(kind)
            .bind(given)
            .bind(particle)
            .bind(family)
            .execute(self.db)
            .await
            .unwrap();
        }
        id
    }
}

/// A published news item; see [`TestApp::news`].
pub struct NewsBuilder<'a> {
    db: &'a PgPool,
    slug: String,
    title: String,
    lead: String,
}

impl NewsBuilder<'_> {
    pub fn slug(mut self, slug: &str) -> Self {
        self.slug = slug.to_owned();
        self
    }
    pub fn lead(mut self, lead: &str) -> Self {
        self.lead = lead.to_owned();
        self
    }
    /// Inserts the item, published now; returns its id.
    pub async fn create(self) -> i64 {
        sqlx::query_scalar("INSERT INTO news_items (slug, title, lead, published_at) VALUES ($1, $2, $3, now()) RETURNING id")
            .bind(&self.slug)
            .bind(&self.title)
            .bind(&self.lead)
            .fetch_one(self.db)
            .await
            .unwrap()
    }
}

/// An event to create: `EventBuilder::new(&db, "leerdag").capacity(2).create().await`; by
/// default published, on location, 20 places, starting in 48 hours for three hours.
pub struct EventBuilder<'a> {
    db: &'a PgPool,
    slug: String,
    capacity: i32,
    starts_at: time::OffsetDateTime,
    status: &'static str,
}

impl<'a> EventBuilder<'a> {
    pub fn new(db: &'a PgPool, slug: &str) -> Self {
        EventBuilder {
            db,
            slug: slug.to_owned(),
            capacity: 20,
            starts_at: time::OffsetDateTime::now_utc() + time::Duration::hours(48),
            status: "gepubliceerd",
        }
    }
    pub fn capacity(mut self, capacity: i32) -> Self {
        self.capacity = capacity;
        self
    }
    /// Starts `hours` from now (negative: in the past).
    pub fn in_hours(mut self, hours: i64) -> Self {
        self.starts_at = time::OffsetDateTime::now_utc() + time::Duration::hours(hours);
        self
    }
    pub fn starts_at(mut self, starts_at: time::OffsetDateTime) -> Self {
        self.starts_at = starts_at;
        self
    }
    /// Not on the site yet.
    pub fn concept(mut self) -> Self {
        self.status = "concept";
        self
    }
    /// Inserts the event (titled `Leerdag <slug>`); returns its id.
    pub async fn create(self) -> i64 {
        sqlx::query_scalar(
            "INSERT INTO events (slug, title, summary, starts_at, ends_at, form, venue, capacity, status, published_at) \
             VALUES ($1, 'Leerdag ' || $1, 'Een dag om van elkaar te leren.', $2, $2 + interval '3 hours', \
                     'op_locatie', 'Zaal Één, Utrecht', $3, $4, now()) RETURNING id",
        )
        .bind(&self.slug)
        .bind(self.starts_at)
        .bind(self.capacity)
        .bind(self.status)
        .fetch_one(self.db)
        .await
        .unwrap()
    }
}

/// A newsletter campaign to create: `CampaignBuilder::new(&db, "proef").create().await`; a
/// concept with subject `Proefnummer` and intro `Hallo`.
pub struct CampaignBuilder<'a> {
    db: &'a PgPool,
    slug: String,
    subject: String,
    created_by: Option<i64>,
}

impl<'a> CampaignBuilder<'a> {
    pub fn new(db: &'a PgPool, slug: &str) -> Self {
        CampaignBuilder { db, slug: slug.to_owned(), subject: "Proefnummer".into(), created_by: None }
    }
    pub fn subject(mut self, subject: &str) -> Self {
        self.subject = subject.to_owned();
        self
    }
    pub fn created_by(mut self, user_id: Option<i64>) -> Self {
        self.created_by = user_id;
        self
    }
    /// Inserts the campaign; returns its id.
    pub async fn create(self) -> i64 {
        sqlx::query_scalar(
            "INSERT INTO campaigns (slug, subject, intro_md, created_by) VALUES ($1, $2, 'Hallo', $3) RETURNING id",
        )
        .bind(&self.slug)
        .bind(&self.subject)
        .bind(self.created_by)
        .fetch_one(self.db)
        .await
        .unwrap()
    }
}

/// A newsletter subscriber to create: `SubscriberBuilder::new(&db, "lezer@voorbeeld.nl").create().await`;
/// by default `actief` without a name, topics or confirmation time, with a link token made
/// from the address.
pub struct SubscriberBuilder<'a> {
    db: &'a PgPool,
    email: String,
    name: String,
    status: &'static str,
    token: String,
    topics: Vec<String>,
    confirmed: bool,
}

impl<'a> SubscriberBuilder<'a> {
    pub fn new(db: &'a PgPool, email: &str) -> Self {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        email.hash(&mut hasher);
        SubscriberBuilder {
            db,
            email: email.to_owned(),
            name: String::new(),
            status: "actief",
            token: format!("{:016x}", hasher.finish()).repeat(3),
            topics: Vec::new(),
            confirmed: false,
        }
    }
    pub fn name(mut self, name: &str) -> Self {
        self.name = name.to_owned();
        self
    }
    pub fn token(mut self, token: &str) -> Self {
        self.token = token.to_owned();
        self
    }
    /// Following these topics (theme slugs).
    pub fn topics(mut self, topics: &[&str]) -> Self {
        self.topics = topics.iter().map(|t| t.to_string()).collect();
        self
    }
    /// Confirmed their address now (`confirmed_at`).
    pub fn confirmed(mut self) -> Self {
        self.confirmed = true;
        self
    }
    /// Signed up but not confirmed yet (`onbevestigd`).
    pub fn unconfirmed(mut self) -> Self {
        self.status = "onbevestigd";
        self
    }
    /// Unsubscribed (`afgemeld`).
    pub fn unsubscribed(mut self) -> Self {
        self.status = "afgemeld";
        self
    }
    /// Their address bounced (`gebounced`).
    pub fn bounced(mut self) -> Self {
        self.status = "gebounced";
        self
    }
    /// Inserts the subscriber; returns its id.
    pub async fn create(self) -> i64 {
        sqlx::query_scalar(
            "INSERT INTO subscribers (email, name, status, link_token, topics, confirmed_at) \
             VALUES ($1, $2, $3, $4, $5, CASE WHEN $6 THEN now() END) RETURNING id",
        )
        .bind(&self.email)
        .bind(&self.name)
        .bind(self.status)
        .bind(&self.token)
        .bind(&self.topics)
        .bind(self.confirmed)
        .fetch_one(self.db)
        .await
        .unwrap()
    }
}

/// A confirmed (`actief`) newsletter subscriber with link token `token`; returns its id.
pub async fn subscriber(db: &PgPool, email: &str, token: &str) -> i64 {
    SubscriberBuilder::new(db, email).token(token).create().await
}

/// A change to the publication `publication_slug` that `member` proposes (`proposed`, the
/// changed fields as JSON), waiting for review; returns its id.
pub async fn revision(db: &PgPool, publication_slug: &str, member: i64, proposed: &str, note: &str) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO publication_revisions (publication_id, proposed_by, proposed, note) \
         SELECT id, $2, $3::jsonb, $4 FROM publications WHERE slug = $1 RETURNING id",
    )
    .bind(publication_slug)
    .bind(member)
    .bind(proposed)
    .bind(note)
    .fetch_one(db)
    .await
    .unwrap()
}

/// An application of the region with CBS code `code` to become an inspiratieregio; returns
/// its id.
pub async fn region_application(db: &PgPool, code: &str, applicant: &str, email: &str) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO region_applications (region_id, applicant_name, applicant_email, motivation) \
         VALUES ((SELECT id FROM regions WHERE code = $1), $2, $3, 'Omdat.') RETURNING id",
    )
    .bind(code)
    .bind(applicant)
    .bind(email)
    .fetch_one(db)
    .await
    .unwrap()
}

/// A lesson ("werkt") of the region with CBS code `code`, dated today and waiting for
/// review; returns its id.
pub async fn lesson_in_review(db: &PgPool, slug: &str, code: &str, title: &str) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO lessons (slug, region_id, title, kind, body_md, happened_on) \
         VALUES ($1, (SELECT id FROM regions WHERE code = $2), $3, 'werkt', 'Tekst.', current_date) RETURNING id",
    )
    .bind(slug)
    .bind(code)
    .bind(title)
    .fetch_one(db)
    .await
    .unwrap()
}

/// An inspiratieregio application round open for another year.
pub async fn open_application_round(db: &PgPool) {
    sqlx::query("INSERT INTO settings (key, value) VALUES ($1, (current_date + 365)::text)")
        .bind("inspiratieregio_deadline")
        .execute(db)
        .await
        .unwrap();
}

/// A one-pixel PNG stored two days ago and used by nothing (an upload whose form was never
/// saved); returns its id.
pub async fn abandoned_upload(db: &PgPool) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO media (sha256, content_type, width, height, bytes, created_at) \
         VALUES (repeat('a', 64), 'image/png', 1, 1, '\\x00', now() - interval '2 days') RETURNING id",
    )
    .fetch_one(db)
    .await
    .unwrap()
}

/// The initiative `initiative_id` as an alternative to the vraagstuk `vraagstuk_id`.
pub async fn alternative(db: &PgPool, vraagstuk_id: i64, initiative_id: i64) {
    sqlx::query(
        "INSERT INTO vraagstuk_alternatives (vraagstuk_id, initiative_id, why) VALUES ($1, $2, 'Waarom.')",
    )
    .bind(vraagstuk_id)
    .bind(initiative_id)
    .execute(db)
    .await
    .unwrap();
}

/// The text of every Rust file under `src/`, for tests that check the source itself.
pub fn rust_sources() -> Vec<String> {
    let mut sources = Vec::new();
    let mut pending = vec![std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                sources.push(std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    sources
}

/// The text of every element of `html` that matches the CSS `selector`, whitespace collapsed.
pub fn select(html: &str, selector: &str) -> Vec<String> {
    let document = scraper::Html::parse_document(html);
    let selector = scraper::Selector::parse(selector).unwrap_or_else(|e| panic!("selector {selector}: {e}"));
    document
        .select(&selector)
        .map(|element| element.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

/// The value of `attribute` on every element that matches `selector`.
pub fn select_attr(html: &str, selector: &str, attribute: &str) -> Vec<String> {
    let document = scraper::Html::parse_document(html);
    let selector = scraper::Selector::parse(selector).unwrap_or_else(|e| panic!("selector {selector}: {e}"));
    document.select(&selector).filter_map(|element| element.attr(attribute).map(str::to_owned)).collect()
}
