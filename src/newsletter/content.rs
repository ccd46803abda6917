//! What a campaign says: the same content for the mail (per recipient, with their own
//! unsubscribe link) and for the archive page on the web (without any personal token).
//!
//! After the introduction a campaign is an ordered list of blocks (`campaign_blocks`): a free
//! text with an optional heading and a Markdown body, or a record with a page of its own (a news
//! item, an event, a publication) shown as a [`Card`].

use askama::Template;
use sqlx::PgPool;

use super::{BlockKind, CampaignStatus};
use crate::config::Config;
use crate::text;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Campaign {
    pub id: i64,
    pub subject: String,
    pub preheader: String,
    pub intro_md: String,
    pub status: CampaignStatus,
}

/// The campaign `id`, if it exists.
pub async fn load_campaign(db: &PgPool, id: i64) -> sqlx::Result<Option<Campaign>> {
    sqlx::query_as!(
        Campaign,
        r#"SELECT id, subject, preheader, intro_md, status AS "status: CampaignStatus"
           FROM campaigns WHERE id = $1"#,
        id,
    )
    .fetch_optional(db)
    .await
}

/// The link token in previews: its unsubscribe and preference links lead nowhere.
pub const PREVIEW_TOKEN: &str = "voorbeeld";

/// A record as a block shows it: its title linking to its page, a line with its date or its
/// authors and year, and a short summary in plain text.
#[derive(Clone, Debug)]
pub struct Card {
    pub title: String,
    pub meta: String,
    pub summary: String,
    /// The record's page, from the site's root.
    pub path: String,
}

/// At most this many records of a kind to choose from in the block editor.
pub const RECORD_CHOICES: i64 = 50;

/// The published records of a block `kind` that names one, as `(id, card)`: those in `ids`,
/// or without `ids` the latest `limit` to choose from. Each feature answers for its own kind.
pub async fn record_cards(
    db: &PgPool,
    kind: BlockKind,
    ids: Option<&[i64]>,
    limit: i64,
) -> sqlx::Result<Vec<(i64, Card)>> {
    match kind {
        BlockKind::Evenement => crate::events::queries::newsletter_cards(db, ids, limit).await,
        BlockKind::Publicatie => crate::kennisbank::queries::newsletter_cards(db, ids, limit).await,
        BlockKind::Nieuws | BlockKind::Tekst => Ok(Vec::new()),
    }
}

/// The cards of the record blocks in `blocks`, per (kind, id).
pub async fn cards_of(
    db: &PgPool,
    blocks: impl Iterator<Item = (BlockKind, i64)> + Clone,
) -> sqlx::Result<std::collections::HashMap<(BlockKind, i64), Card>> {
    let mut cards = std::collections::HashMap::new();
    for kind in BlockKind::RECORDS {
        let ids: Vec<i64> = blocks.clone().filter(|(k, _)| *k == kind).map(|(_, id)| id).collect();
        if ids.is_empty() {
            continue;
        }
        let found = record_cards(db, kind, Some(&ids), ids.len() as i64).await?;
        cards.extend(found.into_iter().map(|(id, card)| ((kind, id), card)));
    }
    Ok(cards)
}

/// A record's summary as one short line of plain text.
pub fn summary_line(markdown: &str) -> String {
    let plain = plain_text(markdown);
    text::excerpt(&plain.split_whitespace().collect::<Vec<_>>().join(" "), 240)
}

/// A block as stored, with its news item's title, slug and lead when it is one.
#[derive(Clone, Debug)]
pub struct StoredBlock {
    pub kind: BlockKind,
    pub news_item_id: Option<i64>,
    pub record_id: Option<i64>,
    pub heading: String,
    pub body_md: String,
    pub news_slug: Option<String>,
    pub news_title: Option<String>,
    pub news_lead: Option<String>,
}

pub async fn load_blocks(db: &PgPool, campaign_id: i64) -> sqlx::Result<Vec<StoredBlock>> {
    sqlx::query_as!(
        StoredBlock,
        r#"SELECT b.kind AS "kind: BlockKind", b.news_item_id, b.record_id, b.heading, b.body_md, n.slug AS "news_slug?",
                  n.title AS "news_title?", n.lead AS "news_lead?"
           FROM campaign_blocks b LEFT JOIN news_items n ON n.id = b.news_item_id
           WHERE b.campaign_id = $1 ORDER BY b.position"#,
        campaign_id,
    )
    .fetch_all(db)
    .await
}

/// One block, rendered once for everyone: a record's card, or a free text as sanitised HTML
/// for the web, the same with inline styles for mail clients, and as plain text.
pub struct Block {
    pub card: Option<Card>,
    pub heading: String,
    pub html: String,
    pub mail_html: String,
    pub text: String,
}

/// A campaign ready to send: the parts that are the same for everyone, rendered once.
pub struct Prepared {
    pub campaign: Campaign,
    pub intro_html: String,
    pub intro_mail_html: String,
    pub intro_text: String,
    pub blocks: Vec<Block>,
    /// Both parts rendered once with `placeholder` where each recipient's token goes.
    rendered: std::sync::OnceLock<(String, String)>,
    placeholder: String,
}

pub async fn prepare(db: &PgPool, campaign: Campaign) -> sqlx::Result<Prepared> {
    let stored = load_blocks(db, campaign.id).await?;
    let cards = cards_of(db, stored.iter().filter_map(|b| Some((b.kind, b.record_id?)))).await?;
    let card = |card: Card| Block {
        card: Some(card),
        heading: String::new(),
        html: String::new(),
        mail_html: String::new(),
        text: String::new(),
    };
    // A block whose record is gone or no longer published is left out.
    let blocks = stored
        .into_iter()
        .filter_map(|b| match (b.kind, b.news_slug, b.news_title) {
            (BlockKind::Nieuws, Some(slug), Some(title)) => Some(card(Card {
                title,
                meta: String::new(),
                summary: b.news_lead.unwrap_or_default(),
                path: format!("/nieuws/{slug}"),
            })),
            (BlockKind::Nieuws, _, _) => None,
            (BlockKind::Tekst, _, _) => Some(Block {
                card: None,
                html: text::markdown(&b.body_md),
                mail_html: mail_html(&b.body_md),
                text: plain_text(&b.body_md),
                heading: b.heading,
            }),
            (kind, _, _) => cards.get(&(kind, b.record_id?)).cloned().map(card),
        })
        .collect();
    Ok(Prepared {
        intro_html: text::markdown(&campaign.intro_md),
        intro_mail_html: mail_html(&campaign.intro_md),
        intro_text: plain_text(&campaign.intro_md),
        blocks,
        campaign,
        rendered: std::sync::OnceLock::new(),
        // Random, so no campaign text can contain it by accident.
        placeholder: format!("t{}", crate::tokens::random_hex(16)),
    })
}

const LINK_STYLE: &str = "color:#0a5b8a;text-decoration:underline;";
const CELL_STYLE: &str = "border:1px solid #d6dee1;padding:4px 8px;text-align:left;vertical-align:top;";

/// Sanitised Markdown with inline styles for mail clients, which ignore or strip a
/// stylesheet. The styles are set by the sanitiser itself on the elements it lets through,
/// so nothing in the text can reach into an attribute.
pub fn mail_html(markdown: &str) -> String {
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer"))
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .set_tag_attribute_value("p", "style", "margin:0 0 16px;")
        .set_tag_attribute_value("h1", "style", "margin:24px 0 8px;font-size:22px;color:#073a44;")
        .set_tag_attribute_value("h2", "style", "margin:24px 0 8px;font-size:19px;color:#073a44;")
        .set_tag_attribute_value("h3", "style", "margin:20px 0 8px;font-size:17px;color:#073a44;")
        .set_tag_attribute_value("h4", "style", "margin:16px 0 8px;font-size:16px;color:#073a44;")
        .set_tag_attribute_value("a", "style", LINK_STYLE)
        .set_tag_attribute_value("ul", "style", "margin:0 0 16px;padding:0 0 0 24px;")
        .set_tag_attribute_value("ol", "style", "margin:0 0 16px;padding:0 0 0 24px;")
        .set_tag_attribute_value("li", "style", "margin:0 0 4px;")
        .set_tag_attribute_value(
            "blockquote",
            "style",
            "margin:0 0 16px;padding:0 0 0 12px;border-left:4px solid #d6dee1;color:#4a565c;",
        )
        .set_tag_attribute_value("table", "style", "border-collapse:collapse;margin:0 0 16px;")
        .set_tag_attribute_value("th", "style", CELL_STYLE)
        .set_tag_attribute_value("td", "style", CELL_STYLE)
        .set_tag_attribute_value("code", "style", "font-family:Consolas,Menlo,monospace;font-size:14px;")
        .set_tag_attribute_value("pre", "style", "margin:0 0 16px;white-space:pre-wrap;")
        .clean(&text::markdown(markdown))
        .to_string()
}

/// Markdown as readable plain text: the words without markup, list items with a dash or
/// their number, and each link as "text (address)".
pub fn plain_text(markdown: &str) -> String {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let mut out = String::new();
    let mut lists: Vec<Option<u64>> = Vec::new();
    let mut links: Vec<(String, usize)> = Vec::new();
    let newline = |out: &mut String| {
        let trimmed = out.trim_end_matches(' ').len();
        out.truncate(trimmed);
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
    };
    for event in Parser::new_ext(markdown, Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push('\n'),
            Event::Rule => out.push_str("----\n\n"),
            Event::Start(Tag::List(start)) => {
                newline(&mut out);
                lists.push(start);
            }
            Event::End(TagEnd::List(_)) => {
                lists.pop();
                newline(&mut out);
                if lists.is_empty() {
                    out.push('\n');
                }
            }
            Event::Start(Tag::Item) => {
                out.push_str(&"  ".repeat(lists.len().saturating_sub(1)));
                match lists.last_mut() {
                    Some(Some(n)) => {
                        out.push_str(&format!("{n}. "));
                        *n += 1;
                    }
                    _ => out.push_str("- "),
                }
            }
            Event::End(TagEnd::Item) | Event::End(TagEnd::TableHead) | Event::End(TagEnd::TableRow) => {
                newline(&mut out)
            }
            Event::End(TagEnd::TableCell) => out.push_str(" | "),
            Event::Start(Tag::Link { dest_url, .. }) => links.push((dest_url.to_string(), out.len())),
            Event::End(TagEnd::Link) => {
                if let Some((url, start)) = links.pop() {
                    let label = out[start..].trim().to_owned();
                    let shown = url.strip_prefix("mailto:").unwrap_or(&url);
                    let safe = ["http://", "https://", "mailto:", "/"].iter().any(|s| url.starts_with(s));
                    if safe && label != shown {
                        out.push_str(&format!(" ({url})"));
                    }
                }
            }
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::CodeBlock | TagEnd::Table) => {
                newline(&mut out);
                if lists.is_empty() {
                    out.push('\n');
                }
            }
            _ => {}
        }
    }
    let mut text = out.trim().to_owned();
    while text.contains("\n\n\n") {
        text = text.replace("\n\n\n", "\n\n");
    }
    text
}

#[derive(Template)]
#[template(path = "newsletter/mail.html")]
struct MailHtml<'a> {
    prepared: &'a Prepared,
    site: String,
    unsubscribe_url: String,
    preferences_url: String,
}

#[derive(Template)]
#[template(path = "newsletter/mail.txt")]
struct MailText<'a> {
    prepared: &'a Prepared,
    site: String,
    unsubscribe_url: String,
    preferences_url: String,
}

impl Prepared {
    /// The text and HTML part for one recipient. The templates run once per campaign (and
    /// process); each recipient's parts are that result with their own token put in.
    pub fn render(&self, config: &Config, link_token: &str) -> anyhow::Result<(String, String)> {
        if self.rendered.get().is_none() {
            let parts = self.render_for(config, &self.placeholder)?;
            let _ = self.rendered.set(parts);
        }
        let (text, html) = self.rendered.get().ok_or_else(|| anyhow::anyhow!("mail not rendered"))?;
        Ok((text.replace(&self.placeholder, link_token), html.replace(&self.placeholder, link_token)))
    }

    fn render_for(&self, config: &Config, link_token: &str) -> anyhow::Result<(String, String)> {
        let site = config.absolute("");
        let unsubscribe_url = config.absolute(&format!("/nieuwsbrief/afmelden/{link_token}"));
        let preferences_url = config.absolute(&format!("/nieuwsbrief/voorkeuren/{link_token}"));
        let html = MailHtml {
            prepared: self,
            site: site.clone(),
            unsubscribe_url: unsubscribe_url.clone(),
            preferences_url: preferences_url.clone(),
        }
        .render()?;
        let text = MailText { prepared: self, site, unsubscribe_url, preferences_url }.render()?;
        Ok((text, html))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_becomes_readable_plain_text() {
        let text = plain_text(
            "## Kop\n\nEen **vette** [link](https://voorbeeld.nl/a) en <script>x()</script>.\n\n\
             - een\n- twee\n\n1. eerste\n2. tweede\n\n[https://x.nl](https://x.nl) [kwaad](javascript:alert(1))",
        );
        assert_eq!(
            text,
            "Kop\n\nEen vette link (https://voorbeeld.nl/a) en x().\n\n- een\n- twee\n\n1. eerste\n2. tweede\n\n\
             https://x.nl kwaad"
        );
    }

    #[test]
    fn mail_html_is_sanitised_and_styled_inline() {
        let html = mail_html(
            "Tekst met [link](https://voorbeeld.nl \"<p>\") <img src=x onerror=alert(1)>\n\n<script>alert(1)</script>\n\n- punt",
        );
        assert!(!html.contains("<script") && !html.contains("onerror"), "{html}");
        assert!(html.contains("<p style=\"margin:0 0 16px;\">"), "{html}");
        assert!(html.contains("<li style=\"margin:0 0 4px;\">punt</li>"), "{html}");
        assert!(html.contains(&format!("style=\"{LINK_STYLE}\"")), "{html}");
        // Text in the title attribute cannot become an element of its own.
        assert_eq!(html.matches("<p style").count(), 1, "{html}");
    }
}
