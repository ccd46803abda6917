//! Uploaded images: logos, photos and news images.
//!
//! App instances share nothing but PostgreSQL, so images live in the `media` table. An upload
//! is never stored as sent: its type is read from its bytes (not from the file name or the
//! browser), it is decoded within limits, made to fit its purpose and encoded anew, which also
//! drops EXIF and GPS data. The same result is stored once (unique SHA-256) and served under a
//! content-addressed URL that may be cached forever.
//!
//! For a form with an image (see `news::admin` and `members::profile`):
//! - make the form `enctype="multipart/form-data"`, and take
//!   an [`UploadForm`] instead of `FormData` (urlencoded posts still work);
//! - call [`read_image`] for the field, which stores a new upload and keeps the current
//!   image across a re-rendered form; put the resulting [`ImageField`] in the template as
//!   `field` and `{% include "partials/image_field.html" %}`;
//! - after saving, call [`forget_if_unused`] with the image the record had before, so that a
//!   removed or replaced image goes offline;
//! - show a stored image with [`Image::url`], `width` and `height`.

mod form;
mod process;

use std::sync::LazyLock;

use axum::Router;
use axum::body::Body;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use tokio::sync::Semaphore;

pub use form::{ImageField, Upload, UploadForm, read_image};
pub use process::Purpose;

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::form::FieldErrors;

pub type MediaId = i64;

/// The upload limits live with the other body limits, which the CSRF check enforces too.
pub use crate::web::limits::{MAX_FILE_BYTES, UPLOAD_LIMIT, too_large_message, too_large_response};

/// Decoding and encoding take a core each; more at once would only queue inside the pool.
static IMAGE_WORK: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(2));

/// Per user: one image in work at a time (per app instance; a second upload meanwhile is
/// refused, not queued), and at most [`UPLOADS_PER_USER`] an hour (counted in PostgreSQL, so
/// across instances). A decode of the largest image allowed takes one to two seconds.
static USERS_AT_WORK: LazyLock<std::sync::Mutex<std::collections::HashSet<i64>>> =
    LazyLock::new(Default::default);
pub const UPLOADS_PER_USER: crate::ratelimit::Limit =
    crate::ratelimit::Limit { name: "upload-user", max: 60, window_secs: 3600 };

/// Holds a user's one place in [`USERS_AT_WORK`] until dropped.
struct UserAtWork(i64);

impl UserAtWork {
    fn take(user: i64) -> Option<Self> {
        let mut users = USERS_AT_WORK.lock().unwrap_or_else(|e| e.into_inner());
        // Not `then_some(Self(..))`: a guard built and dropped here would lock again.
        if users.insert(user) { Some(Self(user)) } else { None }
    }
}

impl Drop for UserAtWork {
    fn drop(&mut self) {
        USERS_AT_WORK.lock().unwrap_or_else(|e| e.into_inner()).remove(&self.0);
    }
}

#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// Not an image we accept; the message (Dutch) is meant for the visitor.
    #[error("{0}")]
    Rejected(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl UploadError {
    /// Puts a rejection on the form as the error of `field`; other failures are the
    /// server's and become an `AppError`.
    pub fn into_field_error(self, errors: &mut FieldErrors, field: &'static str) -> AppResult<()> {
        match self {
            UploadError::Rejected(message) => {
                errors.add(field, message);
                Ok(())
            }
            UploadError::Database(err) => Err(err.into()),
            UploadError::Internal(err) => Err(err.into()),
        }
    }
}

/// A stored image, without its bytes.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct Image {
    pub id: MediaId,
    pub sha256: String,
    pub content_type: String,
    pub width: i32,
    pub height: i32,
}

impl Image {
    /// The path it is served under; it changes whenever the content does.
    pub fn url(&self) -> String {
        url(self.id, &self.sha256, &self.content_type)
    }

    /// What a form carries in a hidden field to keep this image: `{id}-{hash prefix}`.
    pub fn key(&self) -> String {
        format!("{}-{}", self.id, &self.sha256[..HASH_PREFIX])
    }
}

const HASH_PREFIX: usize = 16;

fn extension(content_type: &str) -> &'static str {
    if content_type == "image/png" { "png" } else { "jpg" }
}

/// `/media/{id}-{first 16 hex digits of the SHA-256}.{png|jpg}`
pub fn url(id: MediaId, sha256: &str, content_type: &str) -> String {
    format!("/media/{id}-{}.{}", &sha256[..HASH_PREFIX.min(sha256.len())], extension(content_type))
}

/// Checks, re-encodes and stores an uploaded file; the same result is stored only once.
pub async fn store_upload(
    db: &PgPool,
    bytes: axum::body::Bytes,
    purpose: Purpose,
    user_id: Option<i64>,
) -> Result<MediaId, UploadError> {
    let _user_slot = match user_id {
        Some(user) => Some(UserAtWork::take(user).ok_or_else(|| {
            UploadError::Rejected(
                "U verstuurt al een afbeelding; wacht tot die verwerkt is en probeer het dan opnieuw.".into(),
            )
        })?),
        None => None,
    };
    if let Some(user) = user_id {
        match crate::ratelimit::hit(db, UPLOADS_PER_USER, &user.to_string()).await {
            Ok(()) => {}
            Err(AppError::Database(err)) => return Err(err.into()),
            Err(_) => {
                return Err(UploadError::Rejected(format!(
                    "U heeft het afgelopen uur al {} afbeeldingen verstuurd; dat is het maximum. Probeer het later opnieuw.",
                    UPLOADS_PER_USER.max
                )));
            }
        }
    }
    let _permit = IMAGE_WORK.acquire().await.map_err(anyhow::Error::from)?;
    let processed = tokio::task::spawn_blocking(move || process::process(&bytes, purpose))
        .await
        .map_err(anyhow::Error::from)?
        .map_err(UploadError::Rejected)?;
    drop(_permit);
    let sha256 = hex::encode(Sha256::digest(&processed.bytes));
    // Before the insert: an abandoned copy of this very image must not vanish after it.
    prune_abandoned(db).await?;
    let inserted = sqlx::query_scalar!(
        "INSERT INTO media (sha256, content_type, width, height, bytes, created_by) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (sha256) DO NOTHING RETURNING id",
        &sha256,
        processed.content_type,
        processed.width as i32,
        processed.height as i32,
        &processed.bytes,
        user_id,
    )
    .fetch_optional(db)
    .await?;
    match inserted {
        Some(id) => Ok(id),
        None => {
            Ok(sqlx::query_scalar!("SELECT id FROM media WHERE sha256 = $1", &sha256).fetch_one(db).await?)
        }
    }
}

/// Deletes a stored image that nothing refers to any more (a removed or replaced logo should
/// not stay online). Call it after the change that dropped the reference is committed; a
/// table that gets an image column must be named in `delete_unused`.
///
/// It runs after the record is saved: a failure here is logged, not shown as an error page for
/// a save that succeeded; the daily prune of unused uploads catches the image later.
pub async fn forget_if_unused(db: &PgPool, id: Option<MediaId>) {
    let Some(id) = id else { return };
    let deleted = delete_unused(db, Some(id)).await;
    if let Err(err) = deleted {
        tracing::warn!(%err, media = id, "could not delete an image no longer used");
    }
}

/// Uploads are stored as soon as they are checked, so a form that is shown again keeps
/// them; those whose form was never saved are deleted a day later.
async fn prune_abandoned(db: &PgPool) -> sqlx::Result<()> {
    delete_unused(db, None).await
}

/// Deletes image `id` if nothing refers to it, or without an id every such image older than
/// a day. The query names every table with an image column (a table that gets one must be
/// added here). A revision waiting for review may propose a logo (`proposed.logo_id`); a
/// decided one no longer holds on to it.
async fn delete_unused(db: &PgPool, id: Option<MediaId>) -> sqlx::Result<()> {
    sqlx::query!(
        "DELETE FROM media m \
         WHERE (m.id = $1 OR ($1 IS NULL AND m.created_at < now() - interval '1 day')) \
           AND NOT EXISTS (SELECT 1 FROM news_items WHERE image_id = m.id) \
           AND NOT EXISTS (SELECT 1 FROM members WHERE logo_id = m.id) \
           AND NOT EXISTS (SELECT 1 FROM initiatives WHERE logo_id = m.id) \
           AND NOT EXISTS (SELECT 1 FROM events WHERE report_image_id = m.id) \
           AND NOT EXISTS (SELECT 1 FROM initiative_revisions WHERE decided_at IS NULL \
                           AND proposed -> 'logo_id' = to_jsonb(m.id))",
        id,
    )
    .execute(db)
    .await?;
    Ok(())
}

pub async fn find(db: &PgPool, id: Option<MediaId>) -> sqlx::Result<Option<Image>> {
    let Some(id) = id else { return Ok(None) };
    sqlx::query_as!(Image, "SELECT id, sha256, content_type, width, height FROM media WHERE id = $1", id)
        .fetch_optional(db)
        .await
}

/// The image a form's hidden field names (see [`Image::key`]); anything else is `None`.
pub async fn find_by_key(db: &PgPool, key: &str) -> sqlx::Result<Option<Image>> {
    let Some((id, prefix)) = key.split_once('-') else { return Ok(None) };
    let Ok(id) = id.parse::<MediaId>() else { return Ok(None) };
    Ok(find(db, Some(id)).await?.filter(|image| image.sha256.get(..HASH_PREFIX) == Some(prefix)))
}

pub fn router() -> Router<AppState> {
    Router::new().route("/media/{file}", get(serve))
}

async fn serve(state: AppState, Path(file): Path<String>, headers: HeaderMap) -> AppResult<Response> {
    let (stem, ext) = file.rsplit_once('.').ok_or(AppError::NotFound)?;
    let (id, prefix) = stem.split_once('-').ok_or(AppError::NotFound)?;
    let id: MediaId = id.parse().map_err(|_| AppError::NotFound)?;
    let row = sqlx::query!("SELECT sha256, content_type, bytes FROM media WHERE id = $1", id)
        .fetch_optional(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let (sha256, content_type, bytes) = (row.sha256, row.content_type, row.bytes);
    if sha256.get(..HASH_PREFIX) != Some(prefix) || extension(&content_type) != ext {
        return Err(AppError::NotFound);
    }
    let etag = format!("\"{sha256}\"");
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim().trim_start_matches("W/") == etag));
    let mut response =
        if fresh { StatusCode::NOT_MODIFIED.into_response() } else { Body::from(bytes).into_response() };
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    Ok(response)
}
