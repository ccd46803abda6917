//! The connection pool, the embedded migrations and the readiness check.

use std::time::Duration;

use sqlx::PgPool;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

pub static MIGRATOR: Migrator = sqlx::migrate!();

pub async fn connect(database_url: &str, max_connections: u32) -> anyhow::Result<PgPool> {
    let options: PgConnectOptions = database_url
        .parse()
        .map_err(|e| anyhow::anyhow!("DATABASE_URL is geen geldige PostgreSQL-URL: {e}"))?;
    // JIT compilation costs 0.3-0.7 s on the catalogue's queries and never pays off for
    // queries that take milliseconds.
    let options = options.options([("jit", "off")]);
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options)
        .await
        .map_err(|e| anyhow::anyhow!("kan geen verbinding maken met DATABASE_URL: {e}"))
}

pub async fn migrate(db: &PgPool) -> anyhow::Result<()> {
    MIGRATOR.run(db).await.map_err(|e| anyhow::anyhow!("migraties mislukt: {e}"))
}

/// Ready means: the database answers and every embedded migration has been applied.
pub async fn readiness(db: &PgPool) -> Result<(), String> {
    let applied: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
            .fetch_all(db)
            .await
            .map_err(|e| format!("database niet bereikbaar of niet gemigreerd: {e}"))?;
    let missing: Vec<i64> = MIGRATOR.iter().map(|m| m.version).filter(|v| !applied.contains(v)).collect();
    if missing.is_empty() { Ok(()) } else { Err(format!("migraties ontbreken: {missing:?}")) }
}
