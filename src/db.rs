//! The connection pool, the embedded migrations and the readiness check.

use std::time::Duration;

use sqlx::PgPool;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

pub static MIGRATOR: Migrator = sqlx::migrate!();

/// How long a request waits for a connection from the pool. When PostgreSQL is down (or
/// every slot is taken) the request gets the 503 page after this, not after a long hang.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(1);

pub async fn connect(database_url: &str, max_connections: u32) -> anyhow::Result<PgPool> {
    let options: PgConnectOptions = database_url
        .parse()
        .map_err(|e| anyhow::anyhow!("DATABASE_URL is geen geldige PostgreSQL-URL: {e}"))?;
    // JIT compilation costs 0.3-0.7 s on the catalogue's queries and never pays off for
    // queries that take milliseconds.
    let options = options.options([("jit", "off")]);
    let pool = PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_lazy_with(options);
    // Start-up gives a database that is still starting a few seconds, unlike a request.
    let started = std::time::Instant::now();
    loop {
        match pool.acquire().await {
            Ok(_) => return Ok(pool),
            Err(e) if started.elapsed() >= Duration::from_secs(5) => {
                return Err(anyhow::anyhow!("kan geen verbinding maken met DATABASE_URL: {e}"));
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

pub async fn migrate(db: &PgPool) -> anyhow::Result<()> {
    MIGRATOR.run(db).await.map_err(|e| anyhow::anyhow!("migraties mislukt: {e}"))
}

/// Ready means: the database answers (within a second) and every embedded migration has
/// been applied.
pub async fn readiness(db: &PgPool) -> Result<(), String> {
    let query = sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
        .fetch_all(db);
    let applied: Vec<i64> = tokio::time::timeout(Duration::from_secs(1), query)
        .await
        .map_err(|_| "database antwoordt niet binnen een seconde".to_owned())?
        .map_err(|e| format!("database niet bereikbaar of niet gemigreerd: {e}"))?;
    let missing: Vec<i64> = MIGRATOR.iter().map(|m| m.version).filter(|v| !applied.contains(v)).collect();
    if missing.is_empty() { Ok(()) } else { Err(format!("migraties ontbreken: {missing:?}")) }
}
