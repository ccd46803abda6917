//! The relay's mail: one member's message to another, with the sender as Reply-To (set by
//! the caller) and, in every copy, how to stop these messages and how to report abuse.

use crate::mail::{self, Mail};

pub struct RelayMail {
    pub sender_name: String,
    pub sender_organisation: String,
    /// The sender's public profile, when they have one.
    pub sender_profile: Option<String>,
    pub subject: String,
    pub body: String,
    /// The recipient's profile settings, where "andere leden mogen mij schrijven" is turned off.
    pub settings_url: String,
    /// The report form for this message (`/verbinden/melden/{token}`).
    pub report_url: String,
}

mail::templates!(RelayMail, "verbinden/mails/relay.txt", "verbinden/mails/relay.html");

impl Mail for RelayMail {
    fn kind(&self) -> &'static str {
        "bericht-van-lid"
    }
    fn subject(&self) -> String {
        format!("Bericht van {} via Brede Blik: {}", self.sender_name, self.subject)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mail_says_who_wrote_how_to_stop_and_how_to_report() {
        let mail = RelayMail {
            sender_name: "Anna de Vries".into(),
            sender_organisation: "Wijkteam Zuid".into(),
            sender_profile: Some("https://bredeblik.example/aandeelhouders/anna".into()),
            subject: "Samen optrekken".into(),
            body: "Hallo,\n\nzullen we <eens> praten?".into(),
            settings_url: "https://bredeblik.example/account/profiel#verbinden".into(),
            report_url: "https://bredeblik.example/verbinden/melden/abc".into(),
        };
        let rendered = mail::render_for_test(&mail);
        assert_eq!(rendered.subject, "Bericht van Anna de Vries via Brede Blik: Samen optrekken");
        for part in [&rendered.text, &rendered.html] {
            assert!(part.contains("Anna de Vries"), "{part}");
            assert!(part.contains("https://bredeblik.example/account/profiel#verbinden"), "{part}");
            assert!(part.contains("https://bredeblik.example/verbinden/melden/abc"), "{part}");
        }
        assert!(rendered.text.contains("zullen we <eens> praten?"));
        assert!(!rendered.html.contains("<eens>"), "the body is escaped in HTML");
    }
}
