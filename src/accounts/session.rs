//! Server-side sessions in PostgreSQL. The cookie carries a random id; the table holds only
//! its hash, the user and the expiry, so every app instance sees the same sessions.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sqlx::PgPool;
use time::Duration;

use crate::error::AppError;
use crate::state::AppState;
use crate::tokens;
use crate::web::auth::{CurrentUser, Role, SessionUser};
use crate::web::cookies;

/// A session ends after this long without a request...
pub const IDLE: Duration = Duration::hours(12);
/// ...and in any case this long after login.
pub const ABSOLUTE: Duration = Duration::days(7);

/// The user behind a session cookie, if the session is valid; refreshes `last_seen_at`
/// at most once a minute.
pub async fn lookup(db: &PgPool, cookie: &str) -> sqlx::Result<Option<SessionUser>> {
    let hash = tokens::hash(cookie);
    let row = sqlx::query!(
        r#"SELECT u.id, u.email, u.role AS "role: Role", s.id_hash AS session_hash,
                  s.last_seen_at < now() - interval '1 minute' AS "stale!"
           FROM sessions s JOIN users u ON u.id = s.user_id
           WHERE s.id_hash = $1 AND s.expires_at > now() AND s.last_seen_at > now() - make_interval(secs => $2)
             AND u.active"#,
        hash,
        IDLE.as_seconds_f64(),
    )
    .fetch_optional(db)
    .await?;
    let Some(row) = row else { return Ok(None) };
    if row.stale {
        sqlx::query!("UPDATE sessions SET last_seen_at = now() WHERE id_hash = $1", hash).execute(db).await?;
    }
    Ok(Some(SessionUser { id: row.id, email: row.email, role: row.role, session_hash: row.session_hash }))
}

/// Middleware: puts the user of a valid session cookie (or nobody) in every request as
/// `CurrentUser`, for the `web::auth` extractors, the page header and the back-office guards.
pub async fn identify(state: AppState, mut request: Request, next: Next) -> Response {
    let user = match cookies::get(request.headers(), cookies::SESSION) {
        Some(cookie) => match lookup(&state.db, &cookie).await {
            Ok(user) => user,
            Err(err) => return AppError::from(err).into_response(),
        },
        None => None,
    };
    request.extensions_mut().insert(CurrentUser(user));
    next.run(request).await
}

/// Starts a new session (a new id, so a session id known before login is worthless after).
/// Returns the cookie value.
pub async fn create(db: &PgPool, user_id: i64, user_agent: &str) -> sqlx::Result<String> {
    let id = tokens::random_hex(32);
    sqlx::query!(
        "INSERT INTO sessions (id_hash, user_id, expires_at, user_agent) \
         VALUES ($1, $2, now() + make_interval(secs => $3), $4)",
        tokens::hash(&id),
        user_id,
        ABSOLUTE.as_seconds_f64(),
        user_agent.chars().take(200).collect::<String>(),
    )
    .execute(db)
    .await?;
    Ok(id)
}

pub async fn destroy(db: &PgPool, session_hash: &str) -> sqlx::Result<()> {
    sqlx::query!("DELETE FROM sessions WHERE id_hash = $1", session_hash).execute(db).await?;
    Ok(())
}

/// Ends every session of a user except, optionally, the one in use.
pub async fn destroy_all_for(
    executor: impl sqlx::PgExecutor<'_>,
    user_id: i64,
    keep: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query!("DELETE FROM sessions WHERE user_id = $1 AND id_hash IS DISTINCT FROM $2", user_id, keep)
        .execute(executor)
        .await?;
    Ok(())
}
