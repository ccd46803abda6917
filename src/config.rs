//! Typed configuration read once from the environment (and `.env` when present).
//!
//! Every problem names the variable, so a bad value stops start-up with one clear line.

use std::net::SocketAddr;
use std::path::PathBuf;

use url::Url;

#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: String,
    pub bind_addr: SocketAddr,
    pub base_url: Url,
    /// `None` keeps mail in the outbox only (readable in the back office).
    pub smtp_url: Option<Url>,
    pub mail_from: String,
    pub secret_key: Secret,
    pub log_format: LogFormat,
    pub static_dir: PathBuf,
    pub geo_dir: PathBuf,
    /// Newsletter messages per second per app instance (0: as fast as the SMTP server takes them).
    pub newsletter_rate: u32,
    /// After this many seconds, a delivery claimed by an instance that died is sent again.
    pub newsletter_lease_secs: u32,
    /// SMTP connections (each with its own sequential sender) per app instance.
    pub newsletter_connections: u32,
    /// MiB of rendered public pages each instance keeps in memory (0: none).
    pub page_cache_mb: u32,
    /// Signs outgoing mail when DKIM_SELECTOR and DKIM_PRIVATE_KEY_FILE are set.
    pub dkim: Option<crate::mail::dkim::DkimSigner>,
    /// Reverse proxies whose `X-Forwarded-For`/`Forwarded` name the client (`TRUSTED_PROXIES`).
    pub trusted_proxies: crate::web::client::TrustedProxies,
}

/// A value that must never end up in a log line or an error message.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("configuratiefout in {variable}: {problem}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

fn invalid(variable: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError { variable, problem: problem.into() }
}

/// Where the project keeps files that are not compiled in; `./static` when run from the
/// repository or the container, the crate directory otherwise (tests, `cargo run` elsewhere).
fn project_dir(relative: &str) -> PathBuf {
    let local = PathBuf::from(relative);
    if local.is_dir() { local } else { PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative) }
}

impl Config {
    /// Reads the process environment after loading `.env` if there is one.
    pub fn from_env() -> Result<Self, ConfigError> {
        // A missing .env is normal; a malformed one is not silently ignored.
        if let Err(err) = dotenvy::dotenv()
            && !err.not_found()
        {
            return Err(invalid(".env", err.to_string()));
        }
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// The parsing itself, separate from the process environment so it can be tested.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let non_empty = |name: &str| get(name).filter(|v| !v.trim().is_empty());

        let database_url = non_empty("DATABASE_URL").ok_or_else(|| {
            invalid("DATABASE_URL", "ontbreekt (bijvoorbeeld postgres://user@localhost/bredeblik)")
        })?;
        let parsed = Url::parse(&database_url)
            .map_err(|e| invalid("DATABASE_URL", format!("geen geldige URL ({e})")))?;
        if !matches!(parsed.scheme(), "postgres" | "postgresql") {
            return Err(invalid("DATABASE_URL", "moet beginnen met postgres://"));
        }

        let bind_addr = match non_empty("BIND_ADDR") {
            None => SocketAddr::from(([127, 0, 0, 1], 8080)),
            Some(v) => v.parse().map_err(|_| {
                invalid("BIND_ADDR", format!("'{v}' is geen adres:poort zoals 127.0.0.1:8080"))
            })?,
        };

        let base_url = match non_empty("BASE_URL") {
            None => Url::parse(&format!("http://{bind_addr}/")).expect("a socket address forms a valid URL"),
            Some(v) => {
                let url = Url::parse(&v)
                    .map_err(|e| invalid("BASE_URL", format!("'{v}' is geen geldige URL ({e})")))?;
                if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
                    return Err(invalid("BASE_URL", format!("'{v}' moet een http(s)-adres met host zijn")));
                }
                url
            }
        };

        let smtp_url = match non_empty("SMTP_URL") {
            None => None,
            Some(v) => {
                let url = Url::parse(&v)
                    .map_err(|e| invalid("SMTP_URL", format!("'{v}' is geen geldige URL ({e})")))?;
                if !matches!(url.scheme(), "smtp" | "smtps") || url.host().is_none() {
                    return Err(invalid(
                        "SMTP_URL",
                        "moet de vorm smtp://host:poort of smtps://host:poort hebben",
                    ));
                }
                Some(url)
            }
        };

        let mail_from =
            non_empty("MAIL_FROM").unwrap_or_else(|| "Brede Blik <noreply@bredeblik.localhost>".into());
        if mail_from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(invalid("MAIL_FROM", format!("'{mail_from}' is geen geldig afzenderadres")));
        }

        let secret_key = match non_empty("SECRET_KEY") {
            Some(v) if v.len() >= 32 => Secret::new(v),
            Some(_) => return Err(invalid("SECRET_KEY", "moet minstens 32 tekens lang zijn")),
            // Locally a fixed development key is fine; on a public https address it is not.
            None if base_url.scheme() == "https" => {
                return Err(invalid("SECRET_KEY", "is verplicht wanneer BASE_URL https gebruikt"));
            }
            None => Secret::new("development-only-secret-key-do-not-use-in-production"),
        };

        let log_format = match non_empty("LOG_FORMAT").as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(invalid("LOG_FORMAT", format!("'{other}' is onbekend; kies text of json")));
            }
        };

        let number = |name: &'static str, default: u32, max: u32| -> Result<u32, ConfigError> {
            match non_empty(name) {
                None => Ok(default),
                Some(v) => v.parse::<u32>().ok().filter(|n| *n <= max).ok_or_else(|| {
                    invalid(name, format!("'{v}' is geen geheel getal van 0 tot en met {max}"))
                }),
            }
        };
        let newsletter_rate = number("NEWSLETTER_RATE", 20, 100_000)?;
        let newsletter_lease_secs = number("NEWSLETTER_LEASE_SECS", 60, 86_400)?.max(1);
        let newsletter_connections = number("NEWSLETTER_CONNECTIONS", 1, 16)?.max(1);
        let page_cache_mb = number("PAGE_CACHE_MB", 64, 65_536)?;

        let dkim = match (non_empty("DKIM_SELECTOR"), non_empty("DKIM_PRIVATE_KEY_FILE")) {
            (None, None) => None,
            (Some(_), None) => {
                return Err(invalid("DKIM_PRIVATE_KEY_FILE", "ontbreekt terwijl DKIM_SELECTOR is gezet"));
            }
            (None, Some(_)) => {
                return Err(invalid("DKIM_SELECTOR", "ontbreekt terwijl DKIM_PRIVATE_KEY_FILE is gezet"));
            }
            (Some(selector), Some(path)) => {
                let pem = std::fs::read_to_string(&path).map_err(|e| {
                    invalid("DKIM_PRIVATE_KEY_FILE", format!("kan '{path}' niet lezen ({e})"))
                })?;
                let domain = domain_of(&mail_from);
                Some(
                    crate::mail::dkim::DkimSigner::new(&selector, &domain, &pem)
                        .map_err(|problem| invalid("DKIM_PRIVATE_KEY_FILE", problem))?,
                )
            }
        };

        let trusted_proxies =
            crate::web::client::TrustedProxies::parse(&get("TRUSTED_PROXIES").unwrap_or_default())
                .map_err(|problem| invalid("TRUSTED_PROXIES", problem))?;

        Ok(Self {
            database_url,
            bind_addr,
            base_url,
            smtp_url,
            mail_from,
            secret_key,
            log_format,
            static_dir: non_empty("STATIC_DIR").map(PathBuf::from).unwrap_or_else(|| project_dir("static")),
            geo_dir: non_empty("GEO_DIR").map(PathBuf::from).unwrap_or_else(|| project_dir("data/geo")),
            newsletter_rate,
            newsletter_lease_secs,
            newsletter_connections,
            page_cache_mb,
            dkim,
            trusted_proxies,
        })
    }

    pub fn is_https(&self) -> bool {
        self.base_url.scheme() == "https"
    }

    /// The domain of `MAIL_FROM`: for Message-IDs, List-Id, DKIM and the SMTP greeting.
    pub fn mail_domain(&self) -> String {
        domain_of(&self.mail_from)
    }

    /// An absolute URL on this site for a path such as `/nieuws`.
    pub fn absolute(&self, path: &str) -> String {
        format!("{}{}", self.base_url.as_str().trim_end_matches('/'), path)
    }
}

fn domain_of(mail_from: &str) -> String {
    mail_from.rsplit('@').next().unwrap_or("localhost").trim_end_matches('>').trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn parse(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    const DB: (&str, &str) = ("DATABASE_URL", "postgres://u@localhost/db");

    #[test]
    fn defaults_apply_when_only_the_database_is_given() {
        let config = parse(&[DB]).unwrap();
        assert_eq!(config.bind_addr.to_string(), "127.0.0.1:8080");
        assert_eq!(config.base_url.as_str(), "http://127.0.0.1:8080/");
        assert!(config.smtp_url.is_none());
        assert_eq!(config.log_format, LogFormat::Text);
        assert_eq!(config.page_cache_mb, 64);
    }

    #[test]
    fn each_bad_value_names_its_variable() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[], "DATABASE_URL"),
            (&[("DATABASE_URL", "mysql://x/y")], "DATABASE_URL"),
            (&[DB, ("BIND_ADDR", "localhost")], "BIND_ADDR"),
            (&[DB, ("BASE_URL", "ftp://x")], "BASE_URL"),
            (&[DB, ("SMTP_URL", "http://x")], "SMTP_URL"),
            (&[DB, ("MAIL_FROM", "geen adres")], "MAIL_FROM"),
            (&[DB, ("SECRET_KEY", "kort")], "SECRET_KEY"),
            (&[DB, ("BASE_URL", "https://bredeblik.nl")], "SECRET_KEY"),
            (&[DB, ("LOG_FORMAT", "xml")], "LOG_FORMAT"),
            (&[DB, ("NEWSLETTER_RATE", "snel")], "NEWSLETTER_RATE"),
            (&[DB, ("PAGE_CACHE_MB", "-1")], "PAGE_CACHE_MB"),
            (&[DB, ("PAGE_CACHE_MB", "veel")], "PAGE_CACHE_MB"),
            (&[DB, ("DKIM_SELECTOR", "s1")], "DKIM_PRIVATE_KEY_FILE"),
            (&[DB, ("TRUSTED_PROXIES", "10.0.0.0/8, proxy.local")], "TRUSTED_PROXIES"),
            (
                &[DB, ("DKIM_SELECTOR", "s1"), ("DKIM_PRIVATE_KEY_FILE", "/bestaat/niet.pem")],
                "DKIM_PRIVATE_KEY_FILE",
            ),
        ];
        for (vars, variable) in cases {
            let err = parse(vars).expect_err(variable);
            assert_eq!(err.variable, *variable, "{vars:?}");
            assert!(err.to_string().contains(variable));
        }
    }

    #[test]
    fn the_secret_never_shows_in_debug_output() {
        let config = parse(&[DB, ("SECRET_KEY", "a-very-long-secret-key-of-at-least-32-chars")]).unwrap();
        assert!(!format!("{config:?}").contains("a-very-long"));
    }
}
