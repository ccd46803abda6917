//! Fixed-window rate limits kept in PostgreSQL, so they hold across app instances.

use sqlx::PgPool;

use crate::error::AppError;

#[derive(Clone, Copy, Debug)]
pub struct Limit {
    pub name: &'static str,
    pub max: i32,
    pub window_secs: i64,
}

/// Attempts on one account from browsers without its device cookie, from any address: the
/// ceiling for guessing spread over many addresses (see accounts::throttle).
pub const LOGIN_PER_ACCOUNT: Limit = Limit { name: "login-account", max: 50, window_secs: 900 };
pub const LOGIN_PER_IP: Limit = Limit { name: "login-ip", max: 30, window_secs: 900 };
pub const RESET_PER_IP: Limit = Limit { name: "reset-ip", max: 10, window_secs: 3600 };
pub const RESET_PER_ACCOUNT: Limit = Limit { name: "reset-account", max: 3, window_secs: 3600 };

/// Counts one hit for `subject` (an IP address or e-mail address) and refuses with 429 when
/// the window's budget is spent.
pub async fn hit(db: &PgPool, limit: Limit, subject: &str) -> Result<(), AppError> {
    let key = format!("{}:{}", limit.name, subject.to_lowercase());
    let row = sqlx::query!(
        r#"WITH w AS (SELECT to_timestamp(floor(extract(epoch FROM now()) / $2) * $2) AS start)
           INSERT INTO rate_limits (key, window_start, hits) SELECT $1, w.start, 1 FROM w
           ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limits.hits + 1
           RETURNING hits, extract(epoch FROM (window_start + make_interval(secs => $2) - now()))::float8
                     AS "retry_after!""#,
        key,
        limit.window_secs as f64,
    )
    .fetch_one(db)
    .await?;
    let (hits, retry_after) = (row.hits, row.retry_after);
    if hits > limit.max {
        return Err(AppError::TooManyRequests { retry_after_secs: retry_after.ceil().max(1.0) as u64 });
    }
    Ok(())
}
// Per-client limits on public forms are generous: a whole venue (one Wi-Fi, one address) may
// use a form at once. What protects third parties is per address: a confirmation mail at most
// three times a day per e-mail address, an account only once per address.
pub const JOIN_PER_IP: Limit = Limit { name: "join-ip", max: 30, window_secs: 3600 };
pub const CONTACT_PER_IP: Limit = Limit { name: "contact-ip", max: 20, window_secs: 3600 };
/// 200 people at one meeting subscribe within minutes; a script with a thousand addresses
/// stops at 250 an hour.
pub const SUBSCRIBE_PER_IP: Limit = Limit { name: "subscribe-ip", max: 250, window_secs: 3600 };
