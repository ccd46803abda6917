//! The PDF of a publication with an open licence (CC BY, CC0, ...): an editor uploads it in
//! the back office, a member with their own proposal. Uploads go through `media`'s limits (the
//! multipart size limit, the per-user upload count); the type is read from the bytes (`%PDF-`),
//! never from the name or the browser. A record whose licence is unknown or closed links to
//! the publisher and never hosts the file: an upload is refused, and a stored file is not
//! served once the licence is no longer open.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use sqlx::PgPool;

use super::PublicationStatus;
use super::status::Licence;
use crate::audit::{Entry, Target};
use crate::error::{AppError, AppResult};
use crate::media::{MAX_FILE_BYTES, UPLOADS_PER_USER, Upload, too_large_message};
use crate::web::auth::SessionUser;

/// A hosted PDF, without its bytes.
pub struct Pdf {
    pub size: i32,
}

impl Pdf {
    /// The address it is served under: the record's address with `.pdf`.
    pub fn url(slug: &str) -> String {
        format!("/kennisbank/{slug}.pdf")
    }

    /// "1,4 MB" or "320 kB".
    pub fn size_text(&self) -> String {
        let kb = f64::from(self.size) / 1024.0;
        if kb < 1024.0 {
            format!("{} kB", kb.ceil() as i64)
        } else {
            format!("{:.1} MB", kb / 1024.0).replace('.', ",")
        }
    }
}

/// The PDF a publication hosts, if its licence still allows it.
pub async fn of(db: &PgPool, id: i64) -> sqlx::Result<Option<Pdf>> {
    let row = sqlx::query!(
        r#"SELECT f.size, p.licence AS "licence: Licence" FROM publication_files f JOIN publications p ON p.id = f.publication_id
           WHERE f.publication_id = $1"#,
        id,
    )
    .fetch_optional(db)
    .await?;
    Ok(row.filter(|r| r.licence.is_open()).map(|r| Pdf { size: r.size }))
}

/// Why an upload is refused, in Dutch, or `None` when the bytes are a PDF within the limit.
pub fn refusal(bytes: &[u8]) -> Option<String> {
    if bytes.is_empty() {
        Some("Het bestand is leeg; kies de PDF van de publicatie.".into())
    } else if bytes.len() > MAX_FILE_BYTES {
        Some(too_large_message())
    } else if !bytes.starts_with(b"%PDF-") {
        Some(
            "Dit bestand is geen PDF. Kies de PDF van de publicatie (een bestand dat met ‘%PDF-’ begint)."
                .into(),
        )
    } else {
        None
    }
}

/// Stores `upload` as publication `id`'s PDF (replacing an earlier one). `Ok(Err(message))`
/// when it is refused: no file chosen, not a PDF, too large, a licence that is not open, or
/// too many uploads by this user this hour. Nothing is written then. The file and its audit
/// entry are one transaction.
pub async fn store(
    db: &PgPool,
    id: i64,
    upload: Option<&Upload>,
    by: &SessionUser,
) -> AppResult<Result<(), String>> {
    let licence =
        sqlx::query_scalar!(r#"SELECT licence AS "licence: Licence" FROM publications WHERE id = $1"#, id)
            .fetch_optional(db)
            .await?
            .ok_or(AppError::NotFound)?;
    if !licence.is_open() {
        return Ok(Err(format!(
            "Deze publicatie heeft als licentie ‘{licence}’. Alleen met een open licentie (zoals CC BY) mag de PDF op deze site staan; anders linkt de kennisbank naar de uitgever."
        )));
    }
    let Some(upload) = upload else {
        return Ok(Err("Kies een PDF-bestand om te uploaden.".into()));
    };
    if let Some(message) = refusal(&upload.bytes) {
        return Ok(Err(message));
    }
    match crate::ratelimit::hit(db, UPLOADS_PER_USER, &by.id.to_string()).await {
        Ok(()) => {}
        Err(AppError::Database(err)) => return Err(err.into()),
        Err(_) => {
            return Ok(Err(format!(
                "U heeft het afgelopen uur al {} bestanden verstuurd; dat is het maximum. Probeer het later opnieuw.",
                UPLOADS_PER_USER.max
            )));
        }
    }
    let sha256 = hex::encode(Sha256::digest(&upload.bytes));
    let mut tx = db.begin().await?;
    sqlx::query!(
        "INSERT INTO publication_files (publication_id, sha256, size, bytes, created_by) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (publication_id) DO UPDATE SET sha256 = $2, size = $3, bytes = $4, created_by = $5, created_at = now()",
        id,
        sha256,
        upload.bytes.len() as i32,
        upload.bytes.as_ref(),
        by.id,
    )
    .execute(&mut *tx)
    .await?;
    Entry::new(by, "pdf geüpload", Target::Publicatie, id).record(&mut *tx).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// Removes a publication's PDF, with its audit entry when there was one.
pub async fn remove(db: &PgPool, id: i64, by: &SessionUser) -> sqlx::Result<()> {
    let mut tx = db.begin().await?;
    let removed = sqlx::query!("DELETE FROM publication_files WHERE publication_id = $1", id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if removed > 0 {
        Entry::new(by, "pdf verwijderd", Target::Publicatie, id).record(&mut *tx).await?;
    }
    tx.commit().await
}

/// `/kennisbank/{slug}.pdf`: the hosted PDF of a published record with an open licence.
pub async fn serve(db: &PgPool, slug: &str, headers: &HeaderMap) -> AppResult<Response> {
    let row = sqlx::query!(
        r#"SELECT f.sha256, f.bytes, p.licence AS "licence: Licence" FROM publication_files f
           JOIN publications p ON p.id = f.publication_id WHERE p.slug = $1 AND p.status = $2"#,
        slug,
        PublicationStatus::Gepubliceerd as PublicationStatus,
    )
    .fetch_optional(db)
    .await?
    .filter(|r| r.licence.is_open())
    .ok_or(AppError::NotFound)?;
    let etag = format!("\"{}\"", row.sha256);
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim().trim_start_matches("W/") == etag));
    let mut response =
        if fresh { StatusCode::NOT_MODIFIED.into_response() } else { Body::from(row.bytes).into_response() };
    let out = response.headers_mut();
    out.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
    if let Ok(value) = HeaderValue::from_str(&format!("inline; filename=\"{slug}.pdf\"")) {
        out.insert(header::CONTENT_DISPOSITION, value);
    }
    if let Ok(value) = HeaderValue::from_str(&etag) {
        out.insert(header::ETAG, value);
    }
    // Not content-addressed (a new upload keeps the address): revalidate after an hour.
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    out.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_pdf_bytes_pass() {
        assert!(refusal(b"%PDF-1.7\n...").is_none());
        assert!(refusal(b"\x89PNG\r\n").unwrap().contains("geen PDF"));
        assert!(refusal(b"").unwrap().contains("leeg"));
        assert_eq!(Pdf { size: 1536 * 1024 }.size_text(), "1,5 MB");
        assert_eq!(Pdf { size: 2000 }.size_text(), "2 kB");
    }
}
