//! What a campaign says: the same content for the mail (per recipient, with their own
//! unsubscribe link) and for the archive page on the web (without any personal token).

use askama::Template;
use sqlx::PgPool;

use crate::config::Config;
use crate::text;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Campaign {
    pub id: i64,
    pub slug: String,
    pub subject: String,
    pub preheader: String,
    pub intro_md: String,
    pub news_item_ids: Vec<i64>,
    pub topics: Vec<String>,
    pub status: String,
}

pub const CAMPAIGN_COLUMNS: &str = "id, slug, subject, preheader, intro_md, news_item_ids, topics, status";

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Story {
    pub slug: String,
    pub title: String,
    pub lead: String,
}

/// A campaign ready to send: the parts that are the same for everyone, rendered once.
pub struct Prepared {
    pub campaign: Campaign,
    pub intro_html: String,
    pub stories: Vec<Story>,
}

pub async fn prepare(db: &PgPool, campaign: Campaign) -> sqlx::Result<Prepared> {
    let stories = sqlx::query_as(
        "SELECT n.slug, n.title, n.lead FROM unnest($1::bigint[]) WITH ORDINALITY AS s(id, k) \
         JOIN news_items n ON n.id = s.id ORDER BY s.k",
    )
    .bind(&campaign.news_item_ids)
    .fetch_all(db)
    .await?;
    Ok(Prepared { intro_html: text::markdown(&campaign.intro_md), stories, campaign })
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
    intro_text: String,
    site: String,
    unsubscribe_url: String,
    preferences_url: String,
}

/// Plain text from Markdown: the source minus its markup characters is readable enough.
fn plain(markdown: &str) -> String {
    markdown.replace("**", "").replace("__", "").replace("## ", "").replace("# ", "")
}

impl Prepared {
    pub fn render(&self, config: &Config, link_token: &str) -> anyhow::Result<(String, String)> {
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
        let intro_text = plain(&self.campaign.intro_md);
        let text =
            MailText { prepared: self, intro_text, site, unsubscribe_url, preferences_url }.render()?;
        Ok((text, html))
    }
}
