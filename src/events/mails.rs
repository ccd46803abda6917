//! The mails of an event registration, one typed mail with one pair of templates: what the
//! recipient reads differs per [`Kind`]. The calendar file that goes with some of them is
//! attached by `places::send`.

use crate::mail::{self, Mail};

/// Which mail about a registration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A place is yours (with the invitation attached).
    Confirmed,
    /// The event is full: you are on the waiting list.
    Waiting,
    /// A place came free for you: claim it before `deadline`.
    Offer,
    /// The event is soon.
    Reminder,
    /// Time or place changed (with the updated invitation).
    Updated,
    /// The event is off (with the cancellation).
    Cancelled,
    /// Someone registered this address again: here is the existing link.
    ExistingLink,
}

pub struct RegistrationMail {
    pub kind: Kind,
    pub name: String,
    pub title: String,
    pub when: String,
    pub place: String,
    /// The personal link (`/bijeenkomsten/aanmelding/{token}`).
    pub link: String,
    pub event_url: String,
    /// Only for people with a place: the online meeting's link.
    pub join_url: String,
    /// The offer's deadline, the organiser's reminder line or cancellation message.
    pub extra: String,
    /// For `ExistingLink`: the current state of the registration, in words.
    pub status: String,
}

impl RegistrationMail {
    pub fn shows_join_url(&self) -> bool {
        !self.join_url.is_empty() && matches!(self.kind, Kind::Confirmed | Kind::Reminder | Kind::Updated)
    }
}

mail::templates!(RegistrationMail, "events/mails/registration.txt", "events/mails/registration.html");

impl Mail for RegistrationMail {
    fn kind(&self) -> &'static str {
        match self.kind {
            Kind::Confirmed => "bijeenkomst-bevestiging",
            Kind::Waiting => "bijeenkomst-wachtlijst",
            Kind::Offer => "bijeenkomst-plaats-aangeboden",
            Kind::Reminder => "bijeenkomst-herinnering",
            Kind::Updated => "bijeenkomst-gewijzigd",
            Kind::Cancelled => "bijeenkomst-geannuleerd",
            Kind::ExistingLink => "bijeenkomst-bestaande-aanmelding",
        }
    }
    fn subject(&self) -> String {
        let title = &self.title;
        match self.kind {
            Kind::Confirmed => format!("Aangemeld: {title}"),
            Kind::Waiting => format!("Op de wachtlijst: {title}"),
            Kind::Offer => format!("Er is een plaats vrij: {title}"),
            Kind::Reminder => format!("Herinnering: {title}"),
            Kind::Updated => format!("Gewijzigd: {title}"),
            Kind::Cancelled => format!("Gaat niet door: {title}"),
            Kind::ExistingLink => format!("Uw aanmelding voor {title}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::render_for_test;

    fn mail(kind: Kind) -> RegistrationMail {
        RegistrationMail {
            kind,
            name: "Sanne".into(),
            title: "Leerdag".into(),
            when: "11 november 2026, 13.00–17.00 uur".into(),
            place: "Online".into(),
            link: "https://bredeblik.example/bijeenkomsten/aanmelding/abc".into(),
            event_url: "https://bredeblik.example/bijeenkomsten/leerdag".into(),
            join_url: "https://meet.example/x".into(),
            extra: "2 december 2026 om 12:00".into(),
            status: "Op de wachtlijst".into(),
        }
    }

    #[test]
    fn each_kind_reads() {
        let confirmed = render_for_test(&mail(Kind::Confirmed));
        assert_eq!(confirmed.subject, "Aangemeld: Leerdag");
        assert!(confirmed.text.contains("11 november 2026, 13.00–17.00 uur"), "{}", confirmed.text);
        assert!(confirmed.text.contains("https://meet.example/x"));
        assert!(confirmed.text.contains("https://bredeblik.example/bijeenkomsten/aanmelding/abc"));
        let offer = render_for_test(&mail(Kind::Offer));
        assert!(offer.text.contains("vóór 2 december 2026 om 12:00"), "{}", offer.text);
        assert!(!offer.text.contains("meet.example"), "no join link before a place is taken");
        let waiting = render_for_test(&mail(Kind::Waiting));
        assert!(waiting.text.contains("wachtlijst"));
        let existing = render_for_test(&mail(Kind::ExistingLink));
        assert!(existing.text.contains("Op de wachtlijst"), "{}", existing.text);
        let cancelled = render_for_test(&mail(Kind::Cancelled));
        assert_eq!(cancelled.subject, "Gaat niet door: Leerdag");
    }
}
