//! Random tokens and their stored hashes.

use sha2::{Digest, Sha256};

/// `bytes` random bytes from the operating system, hex encoded.
pub fn random_hex(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    getrandom::fill(&mut buffer).expect("the operating system's random source is available");
    hex::encode(buffer)
}

/// Tokens sent by mail or kept in cookies are stored only as this hash.
pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// HMAC-SHA256 of `value` under the site secret, separated by `purpose` so a signature made
/// for one use is worthless for another.
pub fn sign(secret: &crate::config::Secret, purpose: &str, value: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes()).expect("HMAC takes keys of any length");
    mac.update(purpose.as_bytes());
    mac.update(b":");
    mac.update(value.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Compares without an early exit, so timing says nothing about where two tokens differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Whether `token` has the shape of a token this site issued (`bytes` random bytes, hex):
/// anything else is refused before it reaches the database.
pub fn is_well_formed(token: &str, bytes: usize) -> bool {
    token.len() == bytes * 2 && token.bytes().all(|b| b.is_ascii_hexdigit())
}
