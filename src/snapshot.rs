//! An instance's in-memory view of public content (the list indexes of the catalogue, members,
//! kennisbank, events, vraagstukken and lessons, and the rendered pages of `web::page_cache`),
//! kept as long as `content_version` has not moved since it was loaded.
//!
//! Triggers bump `content_version` in the same transaction as every change to public content.
//! Each instance keeps the last version it read in its `ContentClock` and reads it again at most
//! every `RECHECK` (whichever request finds it due; the others go on with the last), and at once
//! after every unsafe request it served itself (`web::page_cache::layer`). So a change shows at
//! once on the instance that made it and within `RECHECK` on every other, and a list page that
//! finds its snapshot current needs no round trip to PostgreSQL at all.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use sqlx::{PgExecutor, PgPool, Postgres, Transaction};
use tokio::sync::Mutex;

/// How often an instance asks PostgreSQL whether public content changed.
pub const RECHECK: Duration = Duration::from_millis(250);

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

/// This instance's view of `content_version` (see the module comment).
pub struct ContentClock {
    /// Last version read (-1: none yet).
    version: AtomicI64,
    /// When it was read, in milliseconds since `epoch`.
    checked_at: AtomicU64,
    refreshing: AtomicBool,
    epoch: Instant,
}

impl Default for ContentClock {
    fn default() -> Self {
        Self {
            version: AtomicI64::new(-1),
            checked_at: AtomicU64::new(0),
            refreshing: AtomicBool::new(false),
            epoch: Instant::now(),
        }
    }
}

impl ContentClock {
    fn now_ms(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }

    /// The version to answer at: the last one read, or a fresh one when `RECHECK` has passed
    /// (one request reads it, the others go on with the last).
    pub async fn version(&self, db: &PgPool) -> sqlx::Result<i64> {
        let known = self.version.load(Ordering::Acquire);
        let age = self.now_ms().saturating_sub(self.checked_at.load(Ordering::Acquire));
        if known >= 0 && age < RECHECK.as_millis() as u64 {
            return Ok(known);
        }
        if known >= 0 && self.refreshing.swap(true, Ordering::AcqRel) {
            return Ok(known);
        }
        let fresh = self.refresh(db).await;
        self.refreshing.store(false, Ordering::Release);
        fresh
    }

    /// Reads `content_version` now (after a change made through this instance).
    pub async fn refresh(&self, db: &PgPool) -> sqlx::Result<i64> {
        let read = content_version(db).await.inspect_err(|err| {
            tracing::warn!(error = %err, "content version unreadable");
        })?;
        let before = self.version.fetch_max(read, Ordering::AcqRel);
        self.checked_at.store(self.now_ms(), Ordering::Release);
        Ok(read.max(before))
    }
}

/// A view that knows the `content_version` it was loaded at.
pub(crate) trait Versioned {
    fn version(&self) -> i64;
}

/// The current snapshot of one view, shared by every request of this instance.
pub(crate) struct Snapshots<T> {
    clock: Arc<ContentClock>,
    current: RwLock<Option<Arc<T>>>,
    rebuilding: Mutex<()>,
}

impl<T: Versioned> Snapshots<T> {
    pub(crate) fn new(clock: Arc<ContentClock>) -> Self {
        Snapshots { clock, current: RwLock::new(None), rebuilding: Mutex::new(()) }
    }

    /// The snapshot for the version the instance's clock gives, loading it with `load` when it
    /// moved.
    pub(crate) async fn get<F, Fut>(&self, db: &PgPool, load: F) -> sqlx::Result<Arc<T>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = sqlx::Result<T>>,
    {
        let version = self.clock.version(db).await?;
        self.at(version, load).await
    }

    /// The snapshot for at least `version`, loading it when it is older.
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

    fn fresh(&self, version: i64) -> Option<Arc<T>> {
        let current = self.current.read().unwrap_or_else(|e| e.into_inner());
        current.as_ref().filter(|s| s.version() >= version).cloned()
    }
}

/// The cards (what a list shows of one record) a snapshot's pages have shown, fetched from
/// PostgreSQL once per snapshot: a page whose cards were all shown before needs no round trip.
/// A new snapshot starts empty, so a card is never older than the snapshot it is shown with.
pub(crate) struct Cards<C> {
    kept: RwLock<HashMap<i64, Arc<C>>>,
}

impl<C> Default for Cards<C> {
    fn default() -> Self {
        Self { kept: RwLock::default() }
    }
}

impl<C> Cards<C> {
    /// At most this many cards are kept per snapshot (then it starts over); a larger page (an
    /// export) is fetched without keeping it.
    const KEPT: usize = 20_000;

    /// The cards of `ids`, in that order, fetching the ones not kept with `fetch` (which
    /// returns each card with its id; an id it does not return is left out).
    pub(crate) async fn get<F, Fut>(&self, ids: &[i64], fetch: F) -> sqlx::Result<Vec<Arc<C>>>
    where
        F: FnOnce(Vec<i64>) -> Fut,
        Fut: Future<Output = sqlx::Result<Vec<(i64, C)>>>,
    {
        let mut found: Vec<Option<Arc<C>>> = {
            let kept = self.kept.read().unwrap_or_else(|e| e.into_inner());
            ids.iter().map(|id| kept.get(id).cloned()).collect()
        };
        let missing: Vec<i64> =
            ids.iter().zip(&found).filter(|(_, card)| card.is_none()).map(|(id, _)| *id).collect();
        if !missing.is_empty() {
            let keep = missing.len() <= Self::KEPT / 8;
            let fetched: HashMap<i64, Arc<C>> =
                fetch(missing).await?.into_iter().map(|(id, card)| (id, Arc::new(card))).collect();
            for (slot, id) in found.iter_mut().zip(ids) {
                if slot.is_none() {
                    *slot = fetched.get(id).cloned();
                }
            }
            if keep {
                let mut kept = self.kept.write().unwrap_or_else(|e| e.into_inner());
                if kept.len() + fetched.len() > Self::KEPT {
                    kept.clear();
                }
                kept.extend(fetched);
            }
        }
        Ok(found.into_iter().flatten().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn cards_are_fetched_once_and_kept_in_order() {
        let cards: Cards<String> = Cards::default();
        let fetch = |ids: Vec<i64>| async move {
            Ok(ids.into_iter().filter(|id| *id != 4).map(|id| (id, format!("card {id}"))).collect())
        };
        let first = cards.get(&[3, 1, 4, 2], fetch).await.unwrap();
        assert_eq!(first.iter().map(|c| c.as_str()).collect::<Vec<_>>(), ["card 3", "card 1", "card 2"]);
        // Kept: a second page asks only for what it has not seen.
        let asked = std::sync::Mutex::new(Vec::new());
        let second = cards
            .get(&[2, 5, 3], |ids: Vec<i64>| {
                asked.lock().unwrap().extend(ids.iter().copied());
                async move { Ok(ids.into_iter().map(|id| (id, format!("new {id}"))).collect()) }
            })
            .await
            .unwrap();
        assert_eq!(second.iter().map(|c| c.as_str()).collect::<Vec<_>>(), ["card 2", "new 5", "card 3"]);
        assert_eq!(*asked.lock().unwrap(), [5]);
    }
}
