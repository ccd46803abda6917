//! An e-mail address, checked once where it comes in (a form, an import, the command line);
//! code that holds an [`EmailAddress`] holds a plausible address by construction.

use std::fmt;

/// A plausible e-mail address, trimmed: one @, a dot in the domain, no spaces, control
/// characters, angle brackets or commas, at most 254 characters (64 before the @).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailAddress(String);

/// What [`EmailAddress::parse`] refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("geen geldig e-mailadres")]
pub struct NotAnEmailAddress;

impl EmailAddress {
    pub fn parse(input: &str) -> Result<Self, NotAnEmailAddress> {
        let email = input.trim();
        let Some((local, domain)) = email.split_once('@') else { return Err(NotAnEmailAddress) };
        let plausible = email.len() <= 254
            && !local.is_empty()
            && local.len() <= 64
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !email
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>' || c == ',')
            && !domain.contains('@');
        if plausible { Ok(Self(email.to_owned())) } else { Err(NotAnEmailAddress) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl AsRef<str> for EmailAddress {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plausible_addresses_pass_trimmed() {
        assert_eq!(EmailAddress::parse("  naam@organisatie.nl ").unwrap().as_str(), "naam@organisatie.nl");
        assert!(EmailAddress::parse("a.b+c@sub.voorbeeld.nl").is_ok());
    }

    #[test]
    fn implausible_addresses_are_refused() {
        let long_local = format!("{}@voorbeeld.nl", "a".repeat(65));
        let long = format!("a@{}.nl", "b".repeat(250));
        for bad in [
            "",
            "naam",
            "@voorbeeld.nl",
            "naam@voorbeeld",
            "naam@.voorbeeld.nl",
            "naam@voorbeeld.nl.",
            "na am@voorbeeld.nl",
            "naam@voor@beeld.nl",
            "<naam@voorbeeld.nl>",
            "a@b.nl,c@d.nl",
            "naam@voorbeeld.nl\r\nBcc: x@y.nl",
            &long_local,
            &long,
        ] {
            assert_eq!(EmailAddress::parse(bad), Err(NotAnEmailAddress), "{bad:?}");
        }
    }
}
