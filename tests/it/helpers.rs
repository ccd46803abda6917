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
        let database = Arc::new(TestDatabase::create().await);
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
