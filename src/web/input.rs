//! Input hygiene at the edge, once for every route: what a handler reads from the path, the
//! query string or a form is valid UTF-8 without control characters, and a single-line field
//! has no line breaks.
//!
//! - A path whose decoded segments hold a control character or invalid UTF-8 names no page:
//!   404, before any handler (or PostgreSQL, which refuses NUL) sees it.
//! - Query strings and urlencoded form bodies are cleaned, not refused (a person never types a
//!   NUL; whoever sends one gets the cleaned value): invalid UTF-8 becomes U+FFFD, control
//!   characters are dropped, and line breaks and tabs become a space, except in the multi-line
//!   fields (`<textarea>`s, see [`is_multiline`]), which keep `\n` and tab and have CR LF
//!   folded to `\n`.
//! - Multipart forms (uploads) get the same treatment field by field in `media::UploadForm`.

use std::borrow::Cow;

/// The names of the multi-line form fields: every `<textarea>` in `templates/` (a test
/// keeps this list complete). Every other field is single-line.
const MULTILINE: &[&str] = &[
    "auteurs",
    "bericht",
    "beschrijving",
    "csv",
    "deel",
    "inleiding",
    "intro",
    "motivatie",
    "reden",
    "samenvatting",
    "tekst",
    "toelichting",
    "waarom",
    "zoek",
];

/// Whether form field `name` may hold line breaks (a `<textarea>`): the names above and the
/// newsletter's block fields (`blok-3-tekst`, `nieuw-tekst`, `tekstblok-tekst`).
pub fn is_multiline(name: &str) -> bool {
    MULTILINE.contains(&name) || name.ends_with("-tekst")
}

/// The value as it may enter the application: no control characters; in a single-line field
/// every line break or tab becomes one space; in a multi-line field CR LF and CR become LF.
pub fn clean_value(value: &str, multiline: bool) -> Cow<'_, str> {
    let needs_work = value.chars().any(|c| c.is_control() || c == '\u{2028}' || c == '\u{2029}');
    if !needs_work {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' | '\n' | '\u{2028}' | '\u{2029}' => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push(if multiline { '\n' } else { ' ' });
            }
            '\t' => out.push(if multiline { '\t' } else { ' ' }),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Whether a decoded path is fit to route: valid UTF-8 without control characters.
pub fn path_is_clean(raw_path: &str) -> bool {
    let decoded = percent_decode(raw_path.as_bytes());
    match std::str::from_utf8(&decoded) {
        Ok(text) => !text.chars().any(char::is_control),
        Err(_) => false,
    }
}

fn percent_decode(input: &[u8]) -> Cow<'_, [u8]> {
    if !input.contains(&b'%') {
        return Cow::Borrowed(input);
    }
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        if input[i] == b'%'
            && i + 2 < input.len()
            && let (Some(h), Some(l)) = (hex(input[i + 1]), hex(input[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(input[i]);
        i += 1;
    }
    Cow::Owned(out)
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// An urlencoded query or body, cleaned pair by pair; `None` when it is clean already (the
/// common case), so nothing is copied.
pub fn clean_urlencoded(input: &[u8]) -> Option<String> {
    let mut dirty = false;
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(input)
        .map(|(k, v)| {
            let key = clean_value(&k, false);
            let value = clean_value(&v, is_multiline(&key));
            // `parse` decodes invalid UTF-8 to U+FFFD; a clean round trip has none it did not
            // have in the input either.
            dirty |= matches!(key, Cow::Owned(_)) || matches!(value, Cow::Owned(_));
            dirty |= (k.contains('\u{FFFD}') || v.contains('\u{FFFD}')) && !input_has_replacement(input);
            (key.into_owned(), value.into_owned())
        })
        .collect();
    if !dirty {
        return None;
    }
    let mut serializer = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in &pairs {
        serializer.append_pair(k, v);
    }
    Some(serializer.finish())
}

/// Whether the raw input itself spells U+FFFD (then a decoded U+FFFD is not our doing).
fn input_has_replacement(input: &[u8]) -> bool {
    let decoded = percent_decode(input);
    decoded.windows(3).any(|w| w == [0xEF, 0xBF, 0xBD])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_line_fields_lose_breaks_and_controls() {
        assert_eq!(clean_value("x\r\nBcc: evil@example.org", false), "x Bcc: evil@example.org");
        assert_eq!(clean_value("a\u{0}b\tc\u{7f}d\u{85}", false), "ab cd");
        assert_eq!(clean_value("gewoon", false), "gewoon");
        assert!(matches!(clean_value("gewoon", false), Cow::Borrowed(_)));
    }

    #[test]
    fn multi_line_fields_keep_lines_and_tabs() {
        assert_eq!(clean_value("een\r\ntwee\rdrie\n\tvier\u{0}", true), "een\ntwee\ndrie\n\tvier");
        assert!(is_multiline("beschrijving") && is_multiline("blok-3-tekst") && !is_multiline("naam"));
    }

    #[test]
    fn paths_with_controls_or_bad_utf8_are_not_clean() {
        assert!(path_is_clean("/initiatieven/een-slug"));
        assert!(path_is_clean("/regios/fryslân"));
        assert!(path_is_clean("/regios/frysl%C3%A2n"));
        assert!(!path_is_clean("/initiatieven/%00"));
        assert!(!path_is_clean("/initiatieven/a%0D%0Ab"));
        assert!(!path_is_clean("/initiatieven/%FF%FE"));
        assert!(path_is_clean("/zoeken/%"));
    }

    #[test]
    fn urlencoded_input_is_rewritten_only_when_needed() {
        assert_eq!(clean_urlencoded(b"q=fiets&thema=a&thema=b"), None);
        assert_eq!(clean_urlencoded(b"q=%EF%BF%BD"), None);
        assert_eq!(
            clean_urlencoded(b"naam=a%00b&bericht=x%0D%0Ay").as_deref(),
            Some("naam=ab&bericht=x%0Ay")
        );
        assert_eq!(clean_urlencoded(b"naam=x%0D%0ABcc%3A+e").as_deref(), Some("naam=x+Bcc%3A+e"));
        assert_eq!(clean_urlencoded(b"q=%FF%FEa").as_deref(), Some("q=%EF%BF%BD%EF%BF%BDa"));
    }
}
