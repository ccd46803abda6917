//! Static files, loaded into memory at start-up and fingerprinted by content hash.
//!
//! Templates link to `/static/css/site.css?v=<hash>`; a request carrying the current hash is
//! cached for a year (`immutable`), any other request is revalidated with the ETag.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path as UrlPath, Query};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::error::AppError;
use crate::state::AppState;

#[derive(Debug)]
struct Asset {
    bytes: axum::body::Bytes,
    content_type: &'static str,
    hash: String,
}

#[derive(Debug, Default, Clone)]
pub struct Assets {
    files: Arc<HashMap<String, Asset>>,
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or_default() {
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "json" | "webmanifest" => "application/json",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

impl Assets {
    pub fn load(dir: &Path) -> anyhow::Result<Self> {
        let mut files = HashMap::new();
        let mut pending = vec![dir.to_path_buf()];
        while let Some(current) = pending.pop() {
            for entry in std::fs::read_dir(&current)
                .map_err(|e| anyhow::anyhow!("kan map {} niet lezen: {e}", current.display()))?
            {
                let path = entry?.path();
                if path.is_dir() {
                    pending.push(path);
                    continue;
                }
                let relative = path.strip_prefix(dir)?.to_string_lossy().replace('\\', "/");
                let bytes = std::fs::read(&path)?;
                let hash = hex::encode(&Sha256::digest(&bytes)[..6]);
                let content_type = content_type(&relative);
                files.insert(relative, Asset { bytes: bytes.into(), content_type, hash });
            }
        }
        Ok(Self { files: Arc::new(files) })
    }

    /// The URL to use in a page; a missing file still yields a URL (which will 404) so that a
    /// typo shows up in the crawler rather than as a panic.
    pub fn url(&self, path: &str) -> String {
        match self.files.get(path) {
            Some(asset) => format!("/static/{path}?v={}", asset.hash),
            None => format!("/static/{path}"),
        }
    }
}

#[derive(Deserialize)]
pub struct VersionQuery {
    v: Option<String>,
}

pub async fn serve(
    state: AppState,
    UrlPath(path): UrlPath<String>,
    Query(query): Query<VersionQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let asset = state.assets.files.get(&path).ok_or(AppError::NotFound)?;
    let etag = format!("\"{}\"", asset.hash);
    let cache = if query.v.as_deref() == Some(asset.hash.as_str()) {
        "public, max-age=31536000, immutable"
    } else {
        "public, no-cache"
    };
    let mut response =
        if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
            StatusCode::NOT_MODIFIED.into_response()
        } else {
            let mut response = Response::new(Body::from(asset.bytes.clone()));
            response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
            response
        };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(header::ETAG, HeaderValue::from_str(&etag).map_err(anyhow::Error::from)?);
    Ok(response)
}
