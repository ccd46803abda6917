//! What every public form shares: per-field Dutch error messages, and the bot checks
//! (a honeypot field and a signed start time for a minimum fill time).

use time::OffsetDateTime;

use crate::config::Secret;
use crate::tokens;

/// Errors by field name, in the order of the form.
#[derive(Debug, Default)]
pub struct FieldErrors(pub Vec<(&'static str, String)>);

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push((field, message.into()));
    }
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }
    pub fn has(&self, field: &str) -> bool {
        self.get(field).is_some()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Humans need a few seconds for a form; scripts that post at once are refused.
pub const MIN_FILL_SECONDS: i64 = 3;

/// The value of the hidden `begonnen` field: the time the form was shown, signed.
pub fn started_stamp(secret: &Secret) -> String {
    let now = OffsetDateTime::now_utc().unix_timestamp().to_string();
    let signature = tokens::sign(secret, "form-started", &now);
    format!("{now}.{signature}")
}

/// Why a submission looks automated, if it does: a filled honeypot, a missing or forged
/// start time, or a form sent faster than a person could fill it in.
pub fn bot_suspicion(secret: &Secret, honeypot: &str, started: &str) -> Option<&'static str> {
    if !honeypot.trim().is_empty() {
        return Some("honeypot");
    }
    let Some((time, signature)) = started.split_once('.') else { return Some("no start time") };
    if !tokens::constant_time_eq(tokens::sign(secret, "form-started", time).as_bytes(), signature.as_bytes())
    {
        return Some("forged start time");
    }
    let Ok(time) = time.parse::<i64>() else { return Some("bad start time") };
    let elapsed = OffsetDateTime::now_utc().unix_timestamp() - time;
    if elapsed < MIN_FILL_SECONDS {
        return Some("too fast");
    }
    if elapsed > 86_400 {
        return Some("stale form");
    }
    None
}

/// Trims and caps a text field; control characters other than newlines are dropped.
pub fn clean(value: &str, max_chars: usize) -> String {
    value
        .trim()
        .chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .take(max_chars)
        .collect::<String>()
        .replace("\r", "")
}

/// An urlencoded form body as pairs, for forms with repeated fields (checkbox groups), which
/// serde's urlencoded format cannot read into a struct.
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    pub fn one(&self, key: &str) -> String {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).unwrap_or_default()
    }
    pub fn flag(&self, key: &str) -> Option<String> {
        self.0.iter().any(|(k, _)| k == key).then(|| "1".to_owned())
    }
}

impl<S: Send + Sync> axum::extract::FromRequest<S> for FormData {
    type Rejection = axum::response::Response;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        use axum::response::IntoResponse;
        let bytes =
            axum::body::Bytes::from_request(request, state).await.map_err(IntoResponse::into_response)?;
        Ok(FormData(
            url::form_urlencoded::parse(&bytes)
                .take(500)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bot_checks() {
        let secret = Secret::new("s".repeat(40));
        let fresh = started_stamp(&secret);
        assert_eq!(bot_suspicion(&secret, "", &fresh), Some("too fast"));
        assert_eq!(bot_suspicion(&secret, "http://spam", &fresh), Some("honeypot"));
        let old = OffsetDateTime::now_utc().unix_timestamp() - 10;
        let stamp = format!("{old}.{}", tokens::sign(&secret, "form-started", &old.to_string()));
        assert_eq!(bot_suspicion(&secret, "", &stamp), None);
        assert_eq!(bot_suspicion(&secret, "", &format!("{old}.abc")), Some("forged start time"));
        assert_eq!(bot_suspicion(&secret, "", ""), Some("no start time"));
        assert_eq!(clean("  a\u{0}b\r\nc  ", 10), "ab\nc");
    }
}

/// A form whose only field is the button that was pressed, `actie` (e.g. `afmelden`, `wissen`):
/// the handler matches it against the actions it knows and refuses any other with a 400.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ActionForm {
    pub actie: String,
}

/// A reviewer's decision on something waiting for it (an application, a proposal): `besluit`
/// names the choice, `bericht` is the message to the person it concerns, and `versie` (where
/// the form has it) the version of the proposal the reviewer saw.
#[derive(serde::Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    besluit: String,
    #[serde(default)]
    bericht: String,
    #[serde(default)]
    versie: String,
}

impl DecisionForm {
    /// True for `yes` (e.g. `goedkeuren`), false for `afwijzen`; anything else is a 400 that
    /// names both choices.
    pub fn approves(&self, yes: &str) -> Result<bool, crate::error::AppError> {
        match self.besluit.as_str() {
            b if b == yes => Ok(true),
            "afwijzen" => Ok(false),
            _ => Err(crate::error::AppError::BadRequest(format!("Kies {yes} of afwijzen."))),
        }
    }

    /// The message, cleaned and at most 2000 characters.
    pub fn message(&self) -> String {
        clean(&self.bericht, 2000)
    }

    /// The version the reviewer saw, if the form sent a readable one.
    pub fn version(&self) -> Option<i128> {
        self.versie.parse().ok()
    }
}
