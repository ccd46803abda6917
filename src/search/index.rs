//! What every list index (`catalogue::index`, `members::index`, `kennisbank::index`,
//! `events::index`, `vraagstukken::index`, `opbrengsten::index`) shares: an [`Index`] holds the
//! current snapshot of its [`View`], read at one consistent moment (`snapshot::read_consistent`)
//! and tagged with the `content_version` of that moment, and reads it again when the version
//! moved (`snapshot::Snapshots`). A feature declares only its view: what it reads and builds.

use std::future::Future;
use std::ops::Deref;
use std::sync::Arc;

use sqlx::{PgPool, Postgres, Transaction};

use crate::search::rows::Numbering;
use crate::snapshot::{self, ContentClock, Snapshots, Versioned};
use crate::taxonomy::Term;

/// A list's in-memory view of its public rows.
pub trait View: Sized + Send + Sync {
    /// What the log line calls it ("events snapshot loaded").
    const NAME: &'static str;

    /// Reads the view from `tx`, a read-only transaction at one consistent moment; commit it as
    /// soon as everything is read, before building.
    fn load(tx: Transaction<'static, Postgres>) -> impl Future<Output = sqlx::Result<Self>> + Send;

    /// How many rows it holds (for the log).
    fn rows(&self) -> usize;
}

/// The last reads of a view filtered by theme, level and region (events, vraagstukken, lessons):
/// the three vocabularies' terms, read in the view's transaction, which this ends; and the rows
/// numbered in the list's default order (`ids`).
pub(crate) async fn finish_with_terms(
    mut tx: Transaction<'static, Postgres>,
    ids: Vec<i64>,
) -> sqlx::Result<(Numbering, [Vec<Term>; 3])> {
    let terms = crate::taxonomy::themes_levels_regions(&mut tx).await?;
    tx.commit().await?;
    Ok((Numbering::new(ids), terms))
}

/// A view with the `content_version` it was read at.
pub struct At<V> {
    pub(crate) version: i64,
    view: V,
}

impl<V> Versioned for At<V> {
    fn version(&self) -> i64 {
        self.version
    }
}

impl<V> Deref for At<V> {
    type Target = V;

    fn deref(&self) -> &V {
        &self.view
    }
}

/// The current snapshot of one list view, shared by every request of this instance; a feature
/// adds its searches as an `impl Index<ItsView>`.
pub struct Index<V> {
    snapshots: Snapshots<At<V>>,
}

impl<V: View> Index<V> {
    pub fn new(clock: Arc<ContentClock>) -> Self {
        Self { snapshots: Snapshots::new(clock) }
    }

    /// The snapshot for the version the instance's clock gives, read again when it moved.
    pub(crate) async fn snapshot(&self, db: &PgPool) -> sqlx::Result<Arc<At<V>>> {
        self.snapshots.get(db, || load(db)).await
    }

    /// The snapshot at least as new as `version`, a `content_version` the caller read (no round
    /// trip when the one held is that new).
    pub(crate) async fn snapshot_at(&self, db: &PgPool, version: i64) -> sqlx::Result<Arc<At<V>>> {
        self.snapshots.at(version, || load(db)).await
    }
}

/// Reads the view at one consistent moment.
async fn load<V: View>(db: &PgPool) -> sqlx::Result<At<V>> {
    let started = std::time::Instant::now();
    let (tx, version) = snapshot::read_consistent(db).await?;
    let view = V::load(tx).await?;
    tracing::info!(
        rows = view.rows(),
        ms = started.elapsed().as_millis() as u64,
        "{} snapshot loaded",
        V::NAME
    );
    Ok(At { version, view })
}
