//! Transactional mail. Handlers `enqueue` a message in the same transaction as the change
//! that causes it; `worker` delivers the outbox over SMTP with retries. Without `SMTP_URL`
//! messages stay in the outbox, readable at `/beheer/e-mail`.

pub mod dkim;
pub mod lease;
pub mod smtp;
pub mod worker;

mod status;
pub use status::OutboxStatus;

use askama::Template;

use crate::config::Config;
use crate::tokens;

/// One mail, written as plain paragraphs; rendered as multipart text + HTML.
pub struct Email {
    /// What kind of mail this is, for the back office (e.g. `wachtwoord-herstellen`).
    pub kind: &'static str,
    pub to: String,
    pub subject: String,
    pub paragraphs: Vec<String>,
    /// A button: (label, absolute URL).
    pub action: Option<(String, String)>,
    /// Paragraphs after the button.
    pub after: Vec<String>,
}

#[derive(Template)]
#[template(path = "mail/layout.txt")]
struct TextMail<'a> {
    email: &'a Email,
    site: String,
}

#[derive(Template)]
#[template(path = "mail/layout.html")]
struct HtmlMail<'a> {
    email: &'a Email,
    site: String,
}

/// `<random@domain-of-MAIL_FROM>`
pub fn message_id(config: &Config, local: &str) -> String {
    format!("<{local}@{}>", config.mail_domain())
}

pub async fn enqueue(
    executor: impl sqlx::PgExecutor<'_>,
    config: &Config,
    email: Email,
) -> anyhow::Result<()> {
    enqueue_with_reply_to(executor, config, email, None).await
}

/// As `enqueue`, with a Reply-To (a contact form's sender, so the answer goes to them).
pub async fn enqueue_with_reply_to(
    executor: impl sqlx::PgExecutor<'_>,
    config: &Config,
    email: Email,
    reply_to: Option<&str>,
) -> anyhow::Result<()> {
    let site = config.absolute("/");
    let text = TextMail { email: &email, site: site.clone() }.render()?;
    let html = HtmlMail { email: &email, site }.render()?;
    sqlx::query(
        "INSERT INTO outbox (kind, to_address, subject, text_body, html_body, message_id, reply_to) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(email.kind)
    .bind(&email.to)
    .bind(&email.subject)
    .bind(text)
    .bind(html)
    .bind(message_id(config, &tokens::random_hex(16)))
    .bind(reply_to)
    .execute(executor)
    .await?;
    Ok(())
}
