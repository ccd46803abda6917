//! An instance's in-memory view of public content (the catalogue and member indexes), rebuilt
//! when `content_version` has moved since it was loaded. Every instance reads the version at
//! each use, so a change made on one instance is seen on all of them at their next request.

use std::future::Future;
use std::sync::{Arc, RwLock};

use sqlx::{PgExecutor, PgPool, Postgres, Transaction};
use tokio::sync::Mutex;

/// The current `content_version`.
pub(crate) async fn content_version(executor: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!("SELECT version FROM content_version").fetch_one(executor).await
}

/// A read-only transaction that sees one consistent moment, and the content version of it:
/// where a view is loaded from.
pub(crate) async fn read_consistent(db: &PgPool) -> sqlx::Result<(Transaction<'static, Postgres>, i64)> {
    let mut tx = db.begin().await?;
    sqlx::query!("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY").execute(&mut *tx).await?;
    let version = content_version(&mut *tx).await?;
    Ok((tx, version))
}

/// A view that knows the `content_version` it was loaded at.
pub(crate) trait Versioned {
    fn version(&self) -> i64;
}

/// The current snapshot of one view, shared by every request of this instance.
pub(crate) struct Snapshots<T> {
    current: RwLock<Option<Arc<T>>>,
    rebuilding: Mutex<()>,
}

impl<T> Default for Snapshots<T> {
    fn default() -> Self {
        Snapshots { current: RwLock::new(None), rebuilding: Mutex::new(()) }
    }
}

impl<T: Versioned> Snapshots<T> {
    /// The snapshot for the current content version, loading it with `load` when it moved.
    pub(crate) async fn get<F, Fut>(&self, db: &PgPool, load: F) -> sqlx::Result<Arc<T>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = sqlx::Result<T>>,
    {
        let version = content_version(db).await?;
        if let Some(current) = self.fresh(version) {
            return Ok(current);
        }
        // One instance-wide rebuild at a time; whoever waited finds it done.
        let _guard = self.rebuilding.lock().await;
        if let Some(current) = self.fresh(version) {
            return Ok(current);
        }
        let snapshot = Arc::new(load().await?);
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Some(snapshot.clone());
        Ok(snapshot)
    }

    fn fresh(&self, version: i64) -> Option<Arc<T>> {
        let current = self.current.read().unwrap_or_else(|e| e.into_inner());
        current.as_ref().filter(|s| s.version() >= version).cloned()
    }
}
