use serde::Serialize;
use sqlx::PgPool;
use time::OffsetDateTime;

pub use super::status::TokenPurpose;
use crate::web::auth::Role;

#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct User {
    pub id: i64,
    pub email: String,
    #[serde(skip)]
    pub password_hash: Option<String>,
    pub role: String,
    pub active: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    pub email_confirmed_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_login_at: Option<OffsetDateTime>,
}

impl User {
    pub fn role(&self) -> Role {
        Role::parse(&self.role).unwrap_or(Role::Aandeelhouder)
    }
}

pub async fn by_email(db: &PgPool, email: &str) -> sqlx::Result<Option<User>> {
    sqlx::query_as!(
        User,
        "SELECT id, email, password_hash, role, active, email_confirmed_at, created_at, last_login_at \
         FROM users WHERE lower(email) = lower($1)",
        email.trim(),
    )
    .fetch_optional(db)
    .await
}

pub async fn by_id(db: &PgPool, id: i64) -> sqlx::Result<Option<User>> {
    sqlx::query_as!(
        User,
        "SELECT id, email, password_hash, role, active, email_confirmed_at, created_at, last_login_at \
         FROM users WHERE id = $1",
        id,
    )
    .fetch_optional(db)
    .await
}

/// Creates a user, or returns the existing one with that address. Used by the CLI and the
/// back office; the account has no password until one is set through the mailed link.
pub async fn create(
    executor: impl sqlx::PgExecutor<'_>,
    email: &str,
    role: Role,
) -> sqlx::Result<(i64, bool)> {
    let row = sqlx::query!(
        r#"INSERT INTO users (email, role, email_confirmed_at) VALUES ($1, $2, now())
           ON CONFLICT ((lower(email))) DO UPDATE SET updated_at = users.updated_at
           RETURNING id, (xmax = 0) AS "inserted!""#,
        email.trim(),
        role as Role,
    )
    .fetch_one(executor)
    .await?;
    Ok((row.id, row.inserted))
}

/// Gives a user a role and switches the account on or off.
pub async fn set_role(
    executor: impl sqlx::PgExecutor<'_>,
    id: i64,
    role: Role,
    active: bool,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE users SET role = $2, active = $3, updated_at = now() WHERE id = $1",
        id,
        role as Role,
        active,
    )
    .execute(executor)
    .await?;
    Ok(())
}

/// Stores a new password hash (made by `password::hash`).
pub async fn set_password_hash(executor: impl sqlx::PgExecutor<'_>, id: i64, hash: &str) -> sqlx::Result<()> {
    sqlx::query!("UPDATE users SET password_hash = $2 WHERE id = $1", id, hash).execute(executor).await?;
    Ok(())
}

/// Marks a mailed token used; false when it was used already (or never issued).
pub async fn use_token(executor: impl sqlx::PgExecutor<'_>, token: &str) -> sqlx::Result<bool> {
    let used = sqlx::query!(
        "UPDATE user_tokens SET used_at = now() WHERE token_hash = $1 AND used_at IS NULL",
        crate::tokens::hash(token),
    )
    .execute(executor)
    .await?;
    Ok(used.rows_affected() == 1)
}

/// A single-use token of `purpose`, valid for `hours`; returns the token to put in a link.
pub async fn issue_token(
    executor: impl sqlx::PgExecutor<'_>,
    user_id: i64,
    purpose: TokenPurpose,
    hours: i32,
) -> sqlx::Result<String> {
    let token = crate::tokens::random_hex(32);
    sqlx::query!(
        "INSERT INTO user_tokens (token_hash, user_id, purpose, expires_at) \
         VALUES ($1, $2, $3, now() + make_interval(hours => $4))",
        crate::tokens::hash(&token),
        user_id,
        purpose as TokenPurpose,
        hours,
    )
    .execute(executor)
    .await?;
    Ok(token)
}

/// The user a still-valid, unused token belongs to.
pub async fn token_user(db: &PgPool, token: &str, purpose: TokenPurpose) -> sqlx::Result<Option<i64>> {
    if !crate::tokens::is_well_formed(token, 32) {
        return Ok(None);
    }
    sqlx::query_scalar!(
        "SELECT t.user_id FROM user_tokens t JOIN users u ON u.id = t.user_id \
         WHERE t.token_hash = $1 AND t.purpose = $2 AND t.used_at IS NULL AND t.expires_at > now() AND u.active",
        crate::tokens::hash(token),
        purpose as TokenPurpose,
    )
    .fetch_optional(db)
    .await
}
