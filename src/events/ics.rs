//! A small iCalendar (RFC 5545) writer for events: CRLF line ends, lines folded at 75 octets
//! (never inside a UTF-8 character), TEXT values escaped, times in UTC. With a `METHOD`
//! (RFC 5546) it is an invitation or a cancellation for a mail; without, a file or a feed.

use time::OffsetDateTime;
use time::macros::format_description;

/// What a calendar says it is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// A file or feed to read or subscribe to.
    Publish,
    /// An invitation (a confirmation or an update of time or place).
    Request,
    /// The event is off.
    Cancel,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Publish => "PUBLISH",
            Method::Request => "REQUEST",
            Method::Cancel => "CANCEL",
        }
    }

    /// The `Content-Type` of a calendar with this method.
    pub fn content_type(self) -> String {
        format!("text/calendar; method={}; charset=UTF-8", self.as_str())
    }
}

/// A person in an invitation (only ever in a mail to that person, never in a public file).
pub struct Person<'a> {
    pub name: &'a str,
    pub email: &'a str,
}

/// One VEVENT.
pub struct Entry<'a> {
    pub uid: String,
    pub sequence: i32,
    pub stamp: OffsetDateTime,
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
    pub title: &'a str,
    pub description: String,
    pub location: String,
    pub url: String,
    pub cancelled: bool,
    pub organizer: Option<Person<'a>>,
    pub attendee: Option<Person<'a>>,
}

/// A whole calendar: `name` is its display name (for feeds).
pub fn calendar(method: Method, name: &str, entries: &[Entry<'_>]) -> String {
    let mut out = String::new();
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(&mut out, "PRODID:-//Brede Blik//Bijeenkomsten//NL");
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, &format!("METHOD:{}", method.as_str()));
    line(&mut out, &format!("X-WR-CALNAME:{}", escape(name)));
    line(&mut out, "X-WR-TIMEZONE:Europe/Amsterdam");
    for entry in entries {
        write_entry(&mut out, method, entry);
    }
    line(&mut out, "END:VCALENDAR");
    out
}

fn write_entry(out: &mut String, method: Method, e: &Entry<'_>) {
    line(out, "BEGIN:VEVENT");
    line(out, &format!("UID:{}", e.uid));
    line(out, &format!("SEQUENCE:{}", e.sequence));
    line(out, &format!("DTSTAMP:{}", utc(e.stamp)));
    line(out, &format!("DTSTART:{}", utc(e.starts_at)));
    line(out, &format!("DTEND:{}", utc(e.ends_at)));
    line(out, &format!("SUMMARY:{}", escape(e.title)));
    if !e.description.is_empty() {
        line(out, &format!("DESCRIPTION:{}", escape(&e.description)));
    }
    if !e.location.is_empty() {
        line(out, &format!("LOCATION:{}", escape(&e.location)));
    }
    if !e.url.is_empty() {
        line(out, &format!("URL:{}", e.url));
    }
    let cancelled = e.cancelled || method == Method::Cancel;
    line(out, if cancelled { "STATUS:CANCELLED" } else { "STATUS:CONFIRMED" });
    if let Some(organizer) = &e.organizer {
        line(out, &format!("ORGANIZER;CN={}:mailto:{}", param(organizer.name), organizer.email));
    }
    if let Some(attendee) = &e.attendee {
        line(
            out,
            &format!("ATTENDEE;CN={};ROLE=REQ-PARTICIPANT:mailto:{}", param(attendee.name), attendee.email),
        );
    }
    line(out, "END:VEVENT");
}

/// `20261111T120000Z`
fn utc(moment: OffsetDateTime) -> String {
    let format = format_description!("[year][month][day]T[hour][minute][second]Z");
    moment.to_offset(time::UtcOffset::UTC).format(&format).unwrap_or_default()
}

/// A TEXT value: backslash, semicolon, comma and line breaks escaped (RFC 5545 3.3.11).
pub fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A parameter value (CN=…): quoted, without the characters a quoted value cannot hold.
fn param(value: &str) -> String {
    let clean: String = value.chars().filter(|c| *c != '"' && !c.is_control()).collect();
    format!("\"{clean}\"")
}

/// Appends one content line, folded at 75 octets with CRLF and a space (RFC 5545 3.1); a
/// multi-byte character is never split.
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    fn entry(title: &str) -> Entry<'_> {
        Entry {
            uid: "bijeenkomst-7@bredeblik.example".into(),
            sequence: 2,
            stamp: datetime!(2026-11-30 10:00 UTC),
            starts_at: datetime!(2026-11-11 12:00 UTC),
            ends_at: datetime!(2026-11-11 16:00 UTC),
            title,
            description: "Regel één, met komma; en \\ backslash\nregel twee".into(),
            location: String::new(),
            url: "https://bredeblik.example/bijeenkomsten/x".into(),
            cancelled: false,
            organizer: None,
            attendee: None,
        }
    }

    #[test]
    fn lines_end_in_crlf_and_fold_at_75_octets_without_splitting_characters() {
        let title = "ë".repeat(100);
        let ics = calendar(Method::Publish, "Bijeenkomsten", &[entry(&title)]);
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        assert!(!ics.replace("\r\n", "").contains('\n'), "bare LF");
        for physical in ics.split("\r\n") {
            assert!(physical.len() <= 75, "{} octets: {physical}", physical.len());
        }
        // Unfolding gives the title back whole.
        let unfolded = ics.replace("\r\n ", "");
        assert!(unfolded.contains(&format!("SUMMARY:{title}\r\n")));
        assert!(unfolded.contains("DTSTART:20261111T120000Z\r\n"));
        assert!(unfolded.contains("SEQUENCE:2\r\n"));
    }

    #[test]
    fn text_is_escaped() {
        let ics = calendar(Method::Request, "x", &[entry("Titel, met; tekens")]).replace("\r\n ", "");
        assert!(ics.contains("SUMMARY:Titel\\, met\\; tekens\r\n"));
        assert!(ics.contains("DESCRIPTION:Regel één\\, met komma\\; en \\\\ backslash\\nregel twee\r\n"));
        assert!(ics.contains("METHOD:REQUEST\r\n"));
        let cancel = calendar(Method::Cancel, "x", &[entry("t")]);
        assert!(cancel.contains("STATUS:CANCELLED\r\n"));
    }
}
