//! Text helpers shared by every feature: Dutch dates, slugs and sanitised Markdown.

use time::{Date, Month, OffsetDateTime, UtcOffset, Weekday};

const MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];

fn last_sunday(year: i32, month: Month) -> Date {
    let mut day = Date::from_calendar_date(year, month, time::util::days_in_month(month, year))
        .expect("the last day of a month is a valid date");
    while day.weekday() != Weekday::Sunday {
        day = day.previous_day().expect("within range");
    }
    day
}

/// Europe/Amsterdam: CET, and CEST from the last Sunday of March 01:00 UTC until the last
/// Sunday of October 01:00 UTC (the EU rule since 1996).
pub fn amsterdam(moment: OffsetDateTime) -> OffsetDateTime {
    let utc = moment.to_offset(UtcOffset::UTC);
    let year = utc.year();
    let summer_start = last_sunday(year, Month::March).with_hms(1, 0, 0).expect("valid").assume_utc();
    let summer_end = last_sunday(year, Month::October).with_hms(1, 0, 0).expect("valid").assume_utc();
    let hours = if utc >= summer_start && utc < summer_end { 2 } else { 1 };
    utc.to_offset(UtcOffset::from_hms(hours, 0, 0).expect("valid offset"))
}

/// "11 november 2026"
pub fn date_nl(moment: OffsetDateTime) -> String {
    let local = amsterdam(moment);
    format!("{} {} {}", local.day(), MONTHS[local.month() as usize - 1], local.year())
}

/// "11 november 2026 om 14:05"
pub fn datetime_nl(moment: OffsetDateTime) -> String {
    let local = amsterdam(moment);
    format!("{} om {:02}:{:02}", date_nl(moment), local.hour(), local.minute())
}

/// A URL slug: lowercase ASCII letters and digits separated by single dashes.
pub fn slugify(input: &str) -> String {
    let mut slug = String::with_capacity(input.len());
    let mut dash = false;
    for c in input.chars().flat_map(fold_accent) {
        if c.is_ascii_alphanumeric() {
            if dash && !slug.is_empty() {
                slug.push('-');
            }
            dash = false;
            slug.push(c.to_ascii_lowercase());
        } else {
            dash = true;
        }
    }
    slug.truncate(80);
    slug.trim_end_matches('-').to_owned()
}

/// The slugs to try, in order, for a new record whose table has a unique slug: `base`,
/// `base-2` … `base-19`, then `base-` with a random suffix. The caller inserts with
/// `ON CONFLICT (slug) DO NOTHING` and asks for the next one while the insert returns nothing.
pub struct SlugCandidates<'a> {
    base: &'a str,
    tried: u32,
}

impl<'a> SlugCandidates<'a> {
    pub fn new(base: &'a str) -> Self {
        Self { base, tried: 0 }
    }

    pub fn next_slug(&mut self) -> String {
        self.tried += 1;
        match self.tried {
            1 => self.base.to_owned(),
            n if n < 20 => format!("{}-{n}", self.base),
            _ => format!("{}-{}", self.base, crate::tokens::random_hex(3)),
        }
    }
}

fn fold_accent(c: char) -> Vec<char> {
    let folded = match c {
        'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' | 'À' | 'Á' | 'Â' | 'Ä' => 'a',
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => 'i',
        'ò' | 'ó' | 'ô' | 'ö' | 'õ' | 'Ò' | 'Ó' | 'Ô' | 'Ö' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => 'u',
        'ý' | 'ÿ' => 'y',
        'ç' => 'c',
        'ñ' => 'n',
        '\'' | '’' => return vec![],
        other => other,
    };
    vec![folded]
}

/// Markdown to HTML, then sanitised: whatever a member or editor types, only a safe subset of
/// HTML reaches the page (no scripts, no event handlers, no inline styles, safe link targets).
///
/// The result is also valid and accessible by construction (see [`tidy_sanitised`]): a link
/// whose target was removed is plain text, an image without a source is left out, an image
/// without a description is decorative (`alt=""`: an explicit choice, so a screen reader
/// skips it instead of reading its file name), and no attribute value carries a line break.
pub fn markdown(source: &str) -> String {
    use pulldown_cmark::{Options, Parser, html};
    let parser = Parser::new_ext(source, Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES);
    let mut unsafe_html = String::with_capacity(source.len() * 3 / 2);
    html::push_html(&mut unsafe_html, parser);
    let sanitised = ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer"))
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .attribute_filter(|_, attribute, value| {
            let url = matches!(attribute, "href" | "src");
            if url && value.trim().is_empty() {
                return None;
            }
            if !value.contains(|c: char| c.is_control()) {
                return Some(value.into());
            }
            // Browsers drop tabs and line breaks from URLs; elsewhere they are a space.
            let folded: String = value
                .chars()
                .filter_map(|c| match c {
                    c if !c.is_control() => Some(c),
                    '\t' | '\n' | '\r' if !url => Some(' '),
                    _ => None,
                })
                .collect();
            Some(folded.into())
        })
        .clean(&unsafe_html)
        .to_string();
    tidy_sanitised(&sanitised)
}

/// Repairs what sanitising leaves invalid or inaccessible, on ammonia's serialised output
/// (html5ever's: every attribute value double-quoted, `<` escaped in text, no nested links):
/// `<a>` without `href` loses its tags and keeps its text; a link without visible text shows
/// its target; `<img>` without `src` goes; `<img>` without `alt` gets `alt=""`.
fn tidy_sanitised(html: &str) -> String {
    let mut out = String::with_capacity(html.len() + 16);
    // Inside a link: whether its tags are dropped, its target, where its content starts.
    let mut link: Option<(bool, String, usize)> = None;
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        if let Some(after) = rest.strip_prefix("</a>") {
            match link.take() {
                Some((true, _, _)) => {}
                Some((false, href, content_start)) => {
                    if !has_visible_content(&out[content_start..]) {
                        out.push_str(&href.replace('<', "&lt;").replace('>', "&gt;"));
                    }
                    out.push_str("</a>");
                }
                None => out.push_str("</a>"),
            }
            rest = after;
            continue;
        }
        let Some(end) = tag_end(rest) else {
            out.push_str(rest);
            return out;
        };
        let tag = &rest[..=end];
        rest = &rest[end + 1..];
        match tag_name(tag) {
            "a" => match attribute(tag, "href") {
                None => link = Some((true, String::new(), 0)),
                Some(href) => {
                    out.push_str(tag);
                    link = Some((false, href.to_owned(), out.len()));
                }
            },
            "img" if attribute(tag, "src").is_none_or(|s| s.trim().is_empty()) => {}
            "img" if attribute(tag, "alt").is_none() => {
                out.push_str(&tag[..tag.len() - 1]);
                out.push_str(" alt=\"\">");
            }
            _ => out.push_str(tag),
        }
    }
    out.push_str(rest);
    out
}

/// The index of the `>` that closes the tag at the start of `html` (quotes respected).
fn tag_end(html: &str) -> Option<usize> {
    let mut quoted = false;
    for (i, c) in html.char_indices().skip(1) {
        match c {
            '"' => quoted = !quoted,
            '>' if !quoted => return Some(i),
            _ => {}
        }
    }
    None
}

fn tag_name(tag: &str) -> &str {
    let name = tag.trim_start_matches('<');
    let end = name.find(|c: char| c.is_whitespace() || c == '>' || c == '/').unwrap_or(name.len());
    &name[..end]
}

/// The (still escaped) value of `name` in a serialised start tag.
fn attribute<'t>(tag: &'t str, name: &str) -> Option<&'t str> {
    let needle = format!(" {name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let end = tag[start..].find('"')?;
    Some(&tag[start..start + end])
}

/// Whether a link's content shows anything: text, or an image with a description.
fn has_visible_content(content: &str) -> bool {
    let mut text = String::new();
    let mut rest = content;
    while let Some(start) = rest.find('<') {
        text.push_str(&rest[..start]);
        let end = tag_end(&rest[start..]).map_or(rest.len(), |e| start + e + 1);
        let tag = &rest[start..end];
        if tag_name(tag) == "img" && attribute(tag, "alt").is_some_and(|alt| !alt.trim().is_empty()) {
            return true;
        }
        rest = &rest[end..];
    }
    text.push_str(rest);
    !text.replace("&nbsp;", " ").trim().is_empty()
}

/// A LIKE/ILIKE pattern that finds `q` anywhere, with `\\`, `%` and `_` taken as text
/// (PostgreSQL's default escape character is the backslash).
pub fn like_contains(q: &str) -> String {
    format!("%{}%", q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"))
}

/// One CSV field, always quoted; a leading =, +, - or @ gets a ' so spreadsheets do not run
/// it as a formula.
pub fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) { format!("'{value}") } else { value.to_owned() };
    format!("\"{}\"", value.replace('"', "\"\""))
}

/// Plain-text excerpt of at most `max` characters, cut at a word boundary.
pub fn excerpt(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map(|(head, _)| head).unwrap_or(&cut);
    format!("{}…", cut.trim_end_matches([',', '.', ';', ':']))
}

#[cfg(test)]
mod tests {
    #[test]
    fn slug_candidates_count_up_then_go_random() {
        let mut c = super::SlugCandidates::new("wijkteam");
        let first: Vec<String> = (0..19).map(|_| c.next_slug()).collect();
        assert_eq!(first[0], "wijkteam");
        assert_eq!(first[1], "wijkteam-2");
        assert_eq!(first[18], "wijkteam-19");
        let (a, b) = (c.next_slug(), c.next_slug());
        assert!(a.starts_with("wijkteam-") && a.len() == "wijkteam-".len() + 6, "{a}");
        assert_ne!(a, b);
    }

    use super::*;
    use time::macros::datetime;

    #[test]
    fn dates_are_dutch_and_in_amsterdam_time() {
        assert_eq!(date_nl(datetime!(2026-11-11 12:00 UTC)), "11 november 2026");
        // 23:30 UTC on 31 December is already New Year in Amsterdam (CET, +1).
        assert_eq!(date_nl(datetime!(2025-12-31 23:30 UTC)), "1 januari 2026");
        // Summer time: +2.
        assert_eq!(datetime_nl(datetime!(2026-07-01 10:05 UTC)), "1 juli 2026 om 12:05");
        // The switch: last Sunday of March 2026 is the 29th, at 01:00 UTC.
        assert_eq!(amsterdam(datetime!(2026-03-29 00:59 UTC)).offset().whole_hours(), 1);
        assert_eq!(amsterdam(datetime!(2026-03-29 01:00 UTC)).offset().whole_hours(), 2);
        assert_eq!(amsterdam(datetime!(2026-10-25 01:00 UTC)).offset().whole_hours(), 1);
    }

    #[test]
    fn slugs_are_readable_ascii() {
        assert_eq!(slugify("Regio's & Gemeenten: één aanpak!"), "regios-gemeenten-een-aanpak");
        assert_eq!(slugify("  --  "), "");
        assert_eq!(slugify("'s-Hertogenbosch"), "s-hertogenbosch");
        assert_eq!(slugify("Fryslân"), "fryslan");
    }

    #[test]
    fn markdown_is_sanitised() {
        let html = markdown(
            "**vet** <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>",
        );
        assert!(html.contains("<strong>vet</strong>"));
        assert!(!html.contains("<script"));
        assert!(!html.contains("javascript:"));
        assert!(!html.contains("onerror"));
    }

    #[test]
    fn sanitised_markdown_is_valid_and_accessible() {
        // A link whose target was removed is plain text.
        let html = markdown("[klik](javascript:alert(1)) en <a href=\"vbscript:x\">hier</a>");
        assert!(!html.contains("<a"), "{html}");
        assert!(html.contains("klik") && html.contains("hier"), "{html}");
        // An image without a source goes; one without a description is decorative.
        let html = markdown("![kat](javascript:x) <img onerror=alert(1)> <img src=\"/a.png\"> ![](/b.png)");
        assert!(!html.contains("kat") || !html.contains("<img alt=\"kat\""), "{html}");
        assert_eq!(html.matches("<img").count(), 2, "{html}");
        assert_eq!(html.matches("alt=\"\"").count(), 2, "{html}");
        assert!(!html.contains("<img>") && !html.contains("<img alt=\"\">"), "{html}");
        // A link with nothing to read shows where it goes.
        let html = markdown("[](https://voorbeeld.nl/x?a=1&b=2)");
        assert!(html.contains(">https://voorbeeld.nl/x?a=1&amp;b=2</a>"), "{html}");
        // No line breaks inside attribute values.
        let html = markdown(
            "<img src=\"/c.png\" alt=\"een\ntwee\"> <a href=\"https://x.nl/\na\" title=\"a\nb\">t</a>",
        );
        for tag in html.split('<').skip(1) {
            let tag = tag.split('>').next().unwrap();
            assert!(!tag.contains('\n'), "{tag} in {html}");
        }
        // Ordinary Markdown is untouched.
        let html = markdown("Zie [de site](https://bredeblik.nl) en ![logo](/static/logo.png \"Logo\")");
        assert!(
            html.contains("<a href=\"https://bredeblik.nl\" rel=\"noopener noreferrer\">de site</a>"),
            "{html}"
        );
        assert!(html.contains("alt=\"logo\""), "{html}");
    }

    #[test]
    fn like_patterns_take_wildcards_as_text() {
        assert_eq!(like_contains("a\\b%c_d"), "%a\\\\b\\%c\\_d%");
    }

    #[test]
    fn excerpts_cut_at_words() {
        assert_eq!(excerpt("kort", 10), "kort");
        assert_eq!(excerpt("een twee drie vier", 10), "een twee…");
    }
}

/// A wall-clock time in Amsterdam (as typed in a form) as a moment; `None` if unreadable.
pub fn from_amsterdam_local(value: &str) -> Option<OffsetDateTime> {
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let local = time::PrimitiveDateTime::parse(value.trim().get(..16)?, format).ok()?;
    [1, 2].into_iter().find_map(|hours| {
        let offset = UtcOffset::from_hms(hours, 0, 0).ok()?;
        let moment = local.assume_offset(offset);
        (amsterdam(moment).offset() == offset).then_some(moment)
    })
}

/// The value for an `<input type="datetime-local">`, in Amsterdam time.
pub fn to_amsterdam_local(moment: OffsetDateTime) -> String {
    let local = amsterdam(moment);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        local.year(),
        local.month() as u8,
        local.day(),
        local.hour(),
        local.minute()
    )
}

#[cfg(test)]
mod local_time_tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn form_times_are_amsterdam_time() {
        assert_eq!(from_amsterdam_local("2026-07-01T12:05"), Some(datetime!(2026-07-01 10:05 UTC)));
        assert_eq!(from_amsterdam_local("2026-12-01T12:05"), Some(datetime!(2026-12-01 11:05 UTC)));
        assert_eq!(from_amsterdam_local("gisteren"), None);
        assert_eq!(to_amsterdam_local(datetime!(2026-07-01 10:05 UTC)), "2026-07-01T12:05");
    }
}
