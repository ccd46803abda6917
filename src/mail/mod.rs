//! Transactional mail. Each mail is a typed struct in the feature that sends it, with its own
//! text and HTML templates under `templates/<feature>/mails/` (declared with
//! [`templates!`](crate::mail::templates)); [`render`] puts both parts in the shared layout.
//! Handlers [`enqueue`] a mail in the same transaction as the change that causes it; `worker`
//! delivers the outbox over SMTP with retries. Without `SMTP_URL` messages stay in the outbox,
//! readable at `/beheer/e-mail`.

mod address;
pub(crate) mod dkim;
pub(crate) mod lease;
pub(crate) mod smtp;
pub(crate) mod worker;

mod status;
pub use address::{EmailAddress, NotAnEmailAddress};
pub use status::OutboxStatus;

use askama::Template;

use crate::config::Config;
use crate::tokens;

/// The two bodies of a mail, from its own templates. Implemented by [`templates!`].
pub trait Bodies {
    /// The plain-text body: paragraphs separated by blank lines, without greeting or footer.
    fn text_body(&self) -> askama::Result<String>;
    /// The HTML body: `<p>` paragraphs and buttons (`mail/macros.html`), without the frame.
    fn html_body(&self) -> askama::Result<String>;
}

/// One transactional mail.
pub trait Mail: Bodies {
    /// What kind of mail this is, for the back office (e.g. `wachtwoord-herstellen`).
    fn kind(&self) -> &'static str;
    fn subject(&self) -> String;
}

/// Declares a mail's text and HTML templates: `mail::templates!(Type, "x.txt", "x.html");`.
/// The templates see the mail as `mail`.
macro_rules! templates {
    ($mail:ty, $text:tt, $html:tt) => {
        const _: () = {
            #[derive(askama::Template)]
            #[template(path = $text)]
            struct Text<'a> {
                mail: &'a $mail,
            }
            #[derive(askama::Template)]
            #[template(path = $html)]
            struct Html<'a> {
                mail: &'a $mail,
            }
            impl $crate::mail::Bodies for $mail {
                fn text_body(&self) -> askama::Result<String> {
                    askama::Template::render(&Text { mail: self })
                }
                fn html_body(&self) -> askama::Result<String> {
                    askama::Template::render(&Html { mail: self })
                }
            }
        };
    };
}
pub(crate) use templates;

#[derive(Template)]
#[template(path = "mail/layout.txt")]
struct TextLayout<'a> {
    body: &'a str,
    site: &'a str,
}

#[derive(Template)]
#[template(path = "mail/layout.html")]
struct HtmlLayout<'a> {
    subject: &'a str,
    body: &'a str,
    site: &'a str,
}

/// A mail as the recipient reads it.
#[derive(Debug)]
pub struct Rendered {
    pub kind: &'static str,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Inline style of a body paragraph: mail clients drop `<style>` blocks.
const PARAGRAPH: &str = r#"<p style="margin:0 0 16px;">"#;

/// Renders a mail in the shared layout; `site` is the site's absolute root URL.
pub fn render(site: &str, mail: &impl Mail) -> askama::Result<Rendered> {
    let subject = mail.subject();
    let text = TextLayout { body: &tidy_text(&mail.text_body()?), site }.render()?;
    let html_body = mail.html_body()?.replace("<p>", PARAGRAPH);
    let html = HtmlLayout { subject: &subject, body: html_body.trim(), site }.render()?;
    Ok(Rendered { kind: mail.kind(), subject, text, html })
}

/// Trims every line's end and leaves at most one blank line between paragraphs, so that
/// template tags on lines of their own do not show in the text part.
fn tidy_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = false;
    for line in text.trim().lines().map(str::trim_end) {
        if line.is_empty() {
            blank = true;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank { "\n\n" } else { "\n" });
        }
        out.push_str(line);
        blank = false;
    }
    out
}

/// `<random@domain-of-MAIL_FROM>`
pub fn message_id(config: &Config, local: &str) -> String {
    format!("<{local}@{}>", config.mail_domain())
}

/// Puts `mail` to `to` in the outbox, in the caller's transaction.
pub async fn enqueue(
    executor: impl sqlx::PgExecutor<'_>,
    config: &Config,
    to: &str,
    mail: &impl Mail,
) -> anyhow::Result<()> {
    enqueue_with_reply_to(executor, config, to, mail, None).await
}

/// As `enqueue`, with a Reply-To (a contact form's sender, so the answer goes to them).
pub async fn enqueue_with_reply_to(
    executor: impl sqlx::PgExecutor<'_>,
    config: &Config,
    to: &str,
    mail: &impl Mail,
    reply_to: Option<&str>,
) -> anyhow::Result<()> {
    let rendered = render(&config.absolute("/"), mail)?;
    sqlx::query!(
        "INSERT INTO outbox (kind, to_address, subject, text_body, html_body, message_id, reply_to) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        rendered.kind,
        to,
        &rendered.subject,
        rendered.text,
        rendered.html,
        message_id(config, &tokens::random_hex(16)),
        reply_to,
    )
    .execute(executor)
    .await?;
    Ok(())
}

/// A file sent with a mail (e.g. a calendar invitation), kept in `outbox_attachments`.
#[derive(Clone, Debug)]
pub struct Attachment {
    pub filename: String,
    /// The full media type, parameters included (`text/calendar; method=REQUEST; charset=UTF-8`).
    pub content_type: String,
    pub content: Vec<u8>,
}

/// As `enqueue`, with files attached; the mail and its files are written in one statement.
pub async fn enqueue_with_attachments(
    executor: impl sqlx::PgExecutor<'_>,
    config: &Config,
    to: &str,
    mail: &impl Mail,
    attachments: &[Attachment],
) -> anyhow::Result<()> {
    let rendered = render(&config.absolute("/"), mail)?;
    let filenames: Vec<&str> = attachments.iter().map(|a| a.filename.as_str()).collect();
    let content_types: Vec<&str> = attachments.iter().map(|a| a.content_type.as_str()).collect();
    let contents: Vec<&[u8]> = attachments.iter().map(|a| a.content.as_slice()).collect();
    sqlx::query(
        "WITH mail AS ( \
             INSERT INTO outbox (kind, to_address, subject, text_body, html_body, message_id) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id) \
         INSERT INTO outbox_attachments (outbox_id, position, filename, content_type, content) \
         SELECT mail.id, f.position, f.filename, f.content_type, f.content FROM mail, \
                unnest($7::text[], $8::text[], $9::bytea[]) WITH ORDINALITY \
                AS f (filename, content_type, content, position)",
    )
    .bind(rendered.kind)
    .bind(to)
    .bind(&rendered.subject)
    .bind(rendered.text)
    .bind(rendered.html)
    .bind(message_id(config, &tokens::random_hex(16)))
    .bind(&filenames)
    .bind(&content_types)
    .bind(&contents)
    .execute(executor)
    .await?;
    Ok(())
}

/// Renders a mail for a unit test, with `https://bredeblik.example/` as the site.
#[cfg(test)]
pub fn render_for_test(mail: &impl Mail) -> Rendered {
    render("https://bredeblik.example/", mail).expect("the mail renders")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_keeps_one_blank_line_between_paragraphs() {
        assert_eq!(tidy_text("\n  Hallo,  \n\n\n\nTweede\nregel\n\n"), "Hallo,\n\nTweede\nregel");
    }
}
