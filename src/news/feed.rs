//! `/nieuws/feed.xml`: an Atom (RFC 4287) feed of the latest news.

use axum::http::header;
use axum::response::IntoResponse;
use time::format_description::well_known::Rfc3339;

use super::queries;
use crate::error::AppResult;
use crate::media;
use crate::state::AppState;
use crate::text;

fn escape(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

pub async fn atom(state: AppState) -> AppResult<impl IntoResponse> {
    let items = queries::for_feed(&state.db, 20).await?;
    let config = &state.config;
    let rfc3339 = |t: time::OffsetDateTime| t.format(&Rfc3339).unwrap_or_default();
    let updated = items
        .iter()
        .map(|i| i.updated_at.max(i.published_at))
        .max()
        .map(rfc3339)
        .unwrap_or_else(|| "2026-01-01T00:00:00Z".into());

    let mut xml = String::with_capacity(4096 + items.len() * 2048);
    xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"nl\">\n");
    xml.push_str("  <title>Brede Blik — nieuws</title>\n");
    xml.push_str(&format!("  <id>{}</id>\n", escape(&config.absolute("/nieuws"))));
    xml.push_str(&format!(
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        escape(&config.absolute("/nieuws/feed.xml"))
    ));
    xml.push_str(&format!(
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        escape(&config.absolute("/nieuws"))
    ));
    xml.push_str(&format!("  <updated>{updated}</updated>\n  <author><name>Brede Blik</name></author>\n"));
    for item in &items {
        let url = config.absolute(&format!("/nieuws/{}", item.slug));
        xml.push_str("  <entry>\n");
        xml.push_str(&format!("    <title>{}</title>\n", escape(&item.title)));
        xml.push_str(&format!("    <id>{}</id>\n", escape(&url)));
        xml.push_str(&format!(
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            escape(&url)
        ));
        xml.push_str(&format!("    <published>{}</published>\n", rfc3339(item.published_at)));
        xml.push_str(&format!(
            "    <updated>{}</updated>\n",
            rfc3339(item.updated_at.max(item.published_at))
        ));
        if !item.author_name.is_empty() {
            xml.push_str(&format!("    <author><name>{}</name></author>\n", escape(&item.author_name)));
        }
        xml.push_str(&format!("    <summary>{}</summary>\n", escape(&item.lead)));
        let mut html = String::new();
        if let Some(image) = media::find(&state.db, item.image_id).await? {
            html.push_str(&format!(
                "<p><img src=\"{}\" alt=\"{}\" width=\"{}\" height=\"{}\"></p>",
                escape(&config.absolute(&image.url())),
                escape(&item.image_alt),
                image.width,
                image.height
            ));
        }
        html.push_str(&text::markdown(&item.body_md));
        xml.push_str(&format!("    <content type=\"html\">{}</content>\n", escape(&html)));
        xml.push_str("  </entry>\n");
    }
    xml.push_str("</feed>\n");
    Ok(([(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")], xml))
}
