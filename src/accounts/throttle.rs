//! Login throttling that keeps guessing slow without locking the real person out.
//!
//! Three budgets, checked before a password is verified (see `handlers::login`):
//! - **per account and client** (address as resolved through `TRUSTED_PROXIES`):
//!   after [`FAILURES_BEFORE_DELAY`] wrong passwords that client waits before its next try,
//!   30 seconds, doubling with every further failure up to 15 minutes. Someone guessing from their own
//!   address slows down; the account owner elsewhere is not affected.
//! - **per trusted browser** (OWASP's device cookie): a browser in which someone logged in to
//!   the account before carries a signed `bb_device` cookie and is counted on its own, with
//!   the same schedule, instead of by address and account. It skips the per-account and
//!   per-address limits below, so whoever attacks the account from elsewhere cannot keep its
//!   owner out of a browser they used before.
//! - **per account** (`ratelimit::LOGIN_PER_ACCOUNT`, attempts from browsers without a device
//!   cookie, any address) and **per address** (`ratelimit::LOGIN_PER_IP`, all accounts): the
//!   ceiling for guessing spread over many addresses, or many accounts from one address.
//!
//! Failures are forgotten an hour after the last one; a successful login clears the budget of
//! that client or browser.

use sqlx::PgPool;

use crate::config::Secret;
use crate::tokens;

/// From this many wrong passwords in a row on, an (account, client) pair or trusted browser
/// waits before its next try.
pub const FAILURES_BEFORE_DELAY: i32 = 10;
/// The first delay after the free failures; it doubles with each further failure.
pub const FIRST_DELAY_SECS: i64 = 30;
/// The longest delay.
pub const MAX_DELAY_SECS: i64 = 900;

/// How long a browser stays trusted after a login: a year.
pub const DEVICE_MAX_AGE: i64 = 365 * 24 * 3600;

/// The budget key of an (account, client) pair.
pub fn client_key(email: &str, ip: &str) -> String {
    format!("client:{}|{ip}", email.to_lowercase())
}

/// The budget key of a trusted browser.
pub fn device_key(device: &str) -> String {
    format!("device:{device}")
}

/// Seconds the caller must still wait before trying `key` again, if any.
pub async fn wait(db: &PgPool, key: &str) -> sqlx::Result<Option<u64>> {
    let seconds = sqlx::query_scalar!(
        r#"SELECT extract(epoch FROM blocked_until - now())::float8 AS "seconds!" FROM login_failures
           WHERE key = $1 AND blocked_until > now()"#,
        key,
    )
    .fetch_optional(db)
    .await?;
    Ok(seconds.map(|s| s.ceil().max(1.0) as u64))
}

/// Records a wrong password for `key`; from the tenth on, the key must wait.
pub async fn failed(db: &PgPool, key: &str) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO login_failures AS f (key, failures) VALUES ($1, 1) \
         ON CONFLICT (key) DO UPDATE SET \
            failures = CASE WHEN f.last_failure_at < now() - interval '1 hour' THEN 1 ELSE f.failures + 1 END, \
            last_failure_at = now()",
        key,
    )
    .execute(db)
    .await?;
    sqlx::query!(
        "UPDATE login_failures SET blocked_until = CASE WHEN failures >= $2 \
            THEN now() + make_interval(secs => least($4, $3 * power(2, least(failures - $2, 20)))) END \
         WHERE key = $1",
        key,
        FAILURES_BEFORE_DELAY,
        FIRST_DELAY_SECS as f64,
        MAX_DELAY_SECS as f64,
    )
    .execute(db)
    .await?;
    Ok(())
}

/// A successful login: this client or browser starts afresh; old rows go.
pub async fn succeeded(db: &PgPool, key: &str) -> sqlx::Result<()> {
    sqlx::query!(
        "DELETE FROM login_failures WHERE key = $1 OR last_failure_at < now() - interval '1 day'",
        key
    )
    .execute(db)
    .await?;
    Ok(())
}

/// The value of a new `bb_device` cookie for `email`: a random id and its signature.
pub fn new_device(secret: &Secret, email: &str) -> String {
    let id = tokens::random_hex(16);
    let signature = tokens::sign(secret, "device", &format!("{}|{id}", email.to_lowercase()));
    format!("{id}{signature}")
}

/// The device id in `cookie` when it was issued for `email` by this site.
pub fn device_for(secret: &Secret, cookie: &str, email: &str) -> Option<String> {
    if cookie.len() != 96 || !cookie.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let (id, signature) = cookie.split_at(32);
    let expected = tokens::sign(secret, "device", &format!("{}|{id}", email.to_lowercase()));
    tokens::constant_time_eq(expected.as_bytes(), signature.as_bytes()).then(|| id.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_cookie_belongs_to_one_account() {
        let secret = Secret::new("s".repeat(40));
        let cookie = new_device(&secret, "Lid@Voorbeeld.nl");
        assert!(device_for(&secret, &cookie, "lid@voorbeeld.nl").is_some());
        assert!(device_for(&secret, &cookie, "ander@voorbeeld.nl").is_none());
        assert!(device_for(&Secret::new("t".repeat(40)), &cookie, "lid@voorbeeld.nl").is_none());
        assert!(device_for(&secret, "abc", "lid@voorbeeld.nl").is_none());
    }
}
