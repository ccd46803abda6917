//! Password hashing (argon2id at OWASP's recommended parameters) and the password policy.

use std::sync::LazyLock;

use argon2::{Algorithm, Argon2, Params, Version};
use argon2::{PasswordHash, PasswordHasher, PasswordVerifier};

/// OWASP Password Storage Cheat Sheet: argon2id, 19 MiB, 2 iterations, 1 lane.
const MEMORY_KIB: u32 = 19 * 1024;
const ITERATIONS: u32 = 2;
const LANES: u32 = 1;

pub const MIN_LENGTH: usize = 10;
pub const MAX_LENGTH: usize = 256;

fn argon2() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, LANES, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes on a blocking thread: argon2 takes tens of milliseconds by design.
pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).map_err(|e| anyhow::anyhow!("random: {e}"))?;
        let hash = argon2()
            .hash_password_with_salt(password.as_bytes(), &salt)
            .map_err(|e| anyhow::anyhow!("hash: {e}"))?;
        Ok(hash.to_string())
    })
    .await?
}

/// A hash of a random password, checked against when the account does not exist so that
/// both answers take the same time.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    argon2()
        .hash_password_with_salt(b"not-a-real-password", b"bredeblik-dummy!")
        .expect("hashing works")
        .to_string()
});

pub enum Verdict {
    Wrong,
    Right { needs_rehash: bool },
}

pub async fn verify(password: String, stored: Option<String>) -> anyhow::Result<Verdict> {
    tokio::task::spawn_blocking(move || {
        let exists = stored.is_some();
        let stored = stored.unwrap_or_else(|| DUMMY_HASH.clone());
        let parsed = PasswordHash::new(&stored).map_err(|e| anyhow::anyhow!("stored hash: {e}"))?;
        let ok = argon2().verify_password(password.as_bytes(), stored.as_str()).is_ok();
        if !(ok && exists) {
            return Ok(Verdict::Wrong);
        }
        let current = Params::try_from(&parsed).ok();
        let needs_rehash = parsed.algorithm.as_str() != "argon2id"
            || current
                .is_none_or(|p| p.m_cost() != MEMORY_KIB || p.t_cost() != ITERATIONS || p.p_cost() != LANES);
        Ok(Verdict::Right { needs_rehash })
    })
    .await?
}

/// Words nobody should use as a password; compared case-insensitively, also without digits
/// at the end ("welkom123").
const COMMON: &str = include_str!("common_passwords.txt");

/// `None` when acceptable, else the Dutch reason.
pub fn policy_problem(password: &str, email: &str) -> Option<&'static str> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Some("Kies een wachtwoord van minstens 10 tekens.");
    }
    if length > MAX_LENGTH {
        return Some("Kies een wachtwoord van hoogstens 256 tekens.");
    }
    let lower = password.to_lowercase();
    let stem = lower.trim_end_matches(|c: char| c.is_ascii_digit() || c == '!');
    let is_common = COMMON.lines().map(str::trim).filter(|l| !l.is_empty()).any(|c| c == lower || c == stem);
    if is_common {
        return Some(
            "Dit wachtwoord staat op de lijst van veelgebruikte wachtwoorden. Kies iets dat niet te raden is.",
        );
    }
    let local = email.split('@').next().unwrap_or_default().to_lowercase();
    if local.len() >= 4 && lower.contains(&local) {
        return Some("Uw wachtwoord mag uw e-mailadres niet bevatten.");
    }
    if password.chars().collect::<std::collections::HashSet<_>>().len() < 4 {
        return Some("Dit wachtwoord herhaalt te weinig verschillende tekens.");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_rejects_short_common_and_personal_passwords() {
        assert!(policy_problem("kort", "a@b.nl").is_some());
        assert!(policy_problem("wachtwoord123", "a@b.nl").is_some());
        assert!(policy_problem("Welkom2024!", "a@b.nl").is_some());
        assert!(policy_problem("aaaaaaaaaaaa", "a@b.nl").is_some());
        assert!(policy_problem("janssen-is-mijn-naam", "janssen@b.nl").is_some());
        assert!(policy_problem("fiets-boom-wolk-lamp", "a@b.nl").is_none());
    }

    #[tokio::test]
    async fn hashes_verify_and_old_parameters_ask_for_a_rehash() {
        let hash = hash("fiets-boom-wolk-lamp".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(matches!(
            verify("fiets-boom-wolk-lamp".into(), Some(hash.clone())).await.unwrap(),
            Verdict::Right { needs_rehash: false }
        ));
        assert!(matches!(verify("verkeerd".into(), Some(hash)).await.unwrap(), Verdict::Wrong));
        assert!(matches!(verify("x".into(), None).await.unwrap(), Verdict::Wrong));

        let weak =
            Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(8 * 1024, 1, 1, None).unwrap());
        let old =
            weak.hash_password_with_salt(b"fiets-boom-wolk-lamp", b"0123456789abcdef").unwrap().to_string();
        assert!(matches!(
            verify("fiets-boom-wolk-lamp".into(), Some(old)).await.unwrap(),
            Verdict::Right { needs_rehash: true }
        ));
    }
}
