//! Reading the Cookie header and writing Set-Cookie values.

use axum::http::HeaderMap;
use axum::http::header::COOKIE;

pub const SESSION: &str = "bb_session";
/// A browser in which someone logged in before (accounts::throttle).
pub const DEVICE: &str = "bb_device";

pub fn get(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// `HttpOnly; SameSite=Lax; Path=/`, `Secure` behind https; `max_age` None is a session cookie.
pub fn set(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> String {
    let mut cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        cookie.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        cookie.push_str("; Secure");
    }
    cookie
}

pub fn clear(name: &str, secure: bool) -> String {
    set(name, "", Some(0), secure)
}
