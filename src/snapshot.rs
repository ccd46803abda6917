//! An instance's in-memory view of public content (the catalogue and member indexes), rebuilt
//! when `content_version` has moved since it was loaded. Every instance reads the version at
//! each use, so a change made on one instance is seen on all of them at their next request.
//!
//! A list page needs PostgreSQL anyway for the cards of the page shown, so it need not pay a
//! round trip for the version first: `Snapshots::answer` computes the page on the snapshot held
//! and reads the version in the same statement as the cards (`VERSION_COLUMN`); only when the
//! version moved does it load the new snapshot and answer again. A request still sees every
//! change committed before it started.

use std::future::Future;
use std::sync::{Arc, RwLock};

use sqlx::{PgExecutor, PgPool, Postgres, Transaction};
use tokio::sync::Mutex;

/// The current `content_version`.
pub(crate) async fn content_version(executor: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!("SELECT version FROM content_version").fetch_one(executor).await
}

/// A column to add to a statement that fetches the cards of a page: the `content_version` at
/// the same moment, as `content_version` (see `Snapshots::answer`).
pub(crate) const VERSION_COLUMN: &str = "(SELECT version FROM content_version) AS content_version";

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
        self.at(version, load).await
    }

    /// The snapshot for at least `version` (read by the caller), loading it when it is older.
    pub(crate) async fn at<F, Fut>(&self, version: i64, load: F) -> sqlx::Result<Arc<T>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = sqlx::Result<T>>,
    {
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

    /// An answer computed on a snapshot at least as new as the `content_version` when the call
    /// began, without a round trip of its own for the version: `answer` works on the snapshot
    /// held and returns, with its result, the version it read in the same statement as its
    /// cards (`VERSION_COLUMN`, or `content_version` when it needs no query). When that version
    /// is newer than the snapshot, the snapshot is loaded again and `answer` runs once more.
    pub(crate) async fn answer<R, L, LFut, A, AFut>(
        &self,
        db: &PgPool,
        load: L,
        mut answer: A,
    ) -> sqlx::Result<R>
    where
        L: Fn() -> LFut,
        LFut: Future<Output = sqlx::Result<T>>,
        A: FnMut(Arc<T>) -> AFut,
        AFut: Future<Output = sqlx::Result<(R, i64)>>,
    {
        let held = self.current.read().unwrap_or_else(|e| e.into_inner()).clone();
        let snapshot = match held {
            Some(held) => held,
            None => self.get(db, &load).await?,
        };
        let (result, version) = answer(snapshot.clone()).await?;
        if version <= snapshot.version() {
            return Ok(result);
        }
        // The snapshot is now at least at the version read during the call, so at least as new as
        // the content was when it began: the second answer stands whatever happens meanwhile.
        let snapshot = self.at(version, &load).await?;
        Ok(answer(snapshot).await?.0)
    }

    fn fresh(&self, version: i64) -> Option<Arc<T>> {
        let current = self.current.read().unwrap_or_else(|e| e.into_inner());
        current.as_ref().filter(|s| s.version() >= version).cloned()
    }
}
