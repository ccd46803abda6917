//! The catalogue's mails: editors hear what waits for review, owners hear the decision, and
//! an initiative's contact person receives the contact form's message.

use crate::mail::{self, Mail};

/// To each editor: a new initiative or a change waits for review.
pub struct ReviewWaiting {
    pub name: String,
    pub is_change: bool,
    /// The review page in the back office.
    pub link: String,
}

mail::templates!(ReviewWaiting, "catalogue/mails/review_waiting.txt", "catalogue/mails/review_waiting.html");

impl Mail for ReviewWaiting {
    fn kind(&self) -> &'static str {
        "initiatief-ter-beoordeling"
    }
    fn subject(&self) -> String {
        if self.is_change {
            format!("Wijziging ter beoordeling: {}", self.name)
        } else {
            format!("Nieuw initiatief ter beoordeling: {}", self.name)
        }
    }
}

/// To the owner: the editors approved or rejected a new initiative or a change to one.
pub struct Decision {
    pub owner_name: String,
    pub name: String,
    pub is_change: bool,
    pub approved: bool,
    pub message: String,
    /// The public page when approved, the owner's initiatives otherwise.
    pub link: String,
}

mail::templates!(Decision, "catalogue/mails/decision.txt", "catalogue/mails/decision.html");

impl Decision {
    fn verdict(&self) -> String {
        let name = &self.name;
        match (self.is_change, self.approved) {
            (true, true) => format!(
                "De redactie heeft uw wijziging van ‘{name}’ goedgekeurd. De openbare pagina is bijgewerkt."
            ),
            (true, false) => format!(
                "De redactie heeft uw wijziging van ‘{name}’ niet overgenomen. De openbare pagina blijft zoals hij was."
            ),
            (false, true) => {
                format!("De redactie heeft uw initiatief ‘{name}’ goedgekeurd. Het staat nu op de site.")
            }
            (false, false) => format!(
                "De redactie heeft uw initiatief ‘{name}’ nog niet geplaatst. U kunt het aanpassen en opnieuw indienen."
            ),
        }
    }

    fn button_label(&self) -> &'static str {
        if self.approved { "Bekijk de pagina" } else { "Naar mijn initiatieven" }
    }
}

impl Mail for Decision {
    fn kind(&self) -> &'static str {
        if self.approved { "initiatief-goedgekeurd" } else { "initiatief-afgewezen" }
    }
    fn subject(&self) -> String {
        let name = &self.name;
        match (self.is_change, self.approved) {
            (true, true) => format!("Uw wijziging van {name} is goedgekeurd"),
            (true, false) => format!("Uw wijziging van {name} is niet overgenomen"),
            (false, true) => format!("{name} staat op Brede Blik"),
            (false, false) => format!("Uw initiatief {name}"),
        }
    }
}

/// A visitor's message from the contact form on an initiative's page; the sender is the
/// Reply-To, so answering goes straight to them.
pub struct ContactMessage {
    pub contact_name: String,
    pub sender_name: String,
    pub sender_email: String,
    pub initiative: String,
    pub message: String,
}

mail::templates!(
    ContactMessage,
    "catalogue/mails/contact_message.txt",
    "catalogue/mails/contact_message.html"
);

impl Mail for ContactMessage {
    fn kind(&self) -> &'static str {
        "contactformulier"
    }
    fn subject(&self) -> String {
        format!("Bericht via Brede Blik over {}", self.initiative)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::render_for_test;

    #[test]
    fn editors_hear_what_waits() {
        let link = "https://bredeblik.example/beheer/initiatieven/7";
        let new =
            render_for_test(&ReviewWaiting { name: "Samen".into(), is_change: false, link: link.into() });
        assert_eq!(new.kind, "initiatief-ter-beoordeling");
        assert_eq!(new.subject, "Nieuw initiatief ter beoordeling: Samen");
        assert!(new.text.starts_with("Een aandeelhouder heeft ‘Samen’ aangemeld."));
        assert!(new.text.contains(&format!("Beoordelen:\n{link}")));
        assert!(new.html.contains(&format!(r#"href="{link}""#)));
        let change =
            render_for_test(&ReviewWaiting { name: "Samen".into(), is_change: true, link: link.into() });
        assert_eq!(change.subject, "Wijziging ter beoordeling: Samen");
        assert!(change.html.contains("De eigenaar van ‘Samen’ stelt een wijziging voor."));
    }

    #[test]
    fn owners_hear_each_decision() {
        let cases = [
            (false, true, "Samen staat op Brede Blik", "Het staat nu op de site.", "Bekijk de pagina"),
            (false, false, "Uw initiatief Samen", "nog niet geplaatst", "Naar mijn initiatieven"),
            (
                true,
                true,
                "Uw wijziging van Samen is goedgekeurd",
                "De openbare pagina is bijgewerkt.",
                "Bekijk de pagina",
            ),
            (
                true,
                false,
                "Uw wijziging van Samen is niet overgenomen",
                "niet overgenomen.",
                "Naar mijn initiatieven",
            ),
        ];
        for (is_change, approved, subject, sentence, button) in cases {
            let mail = render_for_test(&Decision {
                owner_name: "Anna".into(),
                name: "Samen".into(),
                is_change,
                approved,
                message: "Een mooi voorbeeld & dank.".into(),
                link: "https://bredeblik.example/x".into(),
            });
            assert_eq!(mail.subject, subject);
            assert_eq!(mail.kind, if approved { "initiatief-goedgekeurd" } else { "initiatief-afgewezen" });
            assert!(mail.text.starts_with("Beste Anna,\n\nDe redactie heeft uw"), "{}", mail.text);
            assert!(mail.text.contains(sentence) && mail.html.contains(sentence), "{subject}");
            assert!(mail.text.contains("Bericht van de redactie: Een mooi voorbeeld & dank."));
            assert!(mail.html.contains("Bericht van de redactie: Een mooi voorbeeld &#38; dank."));
            assert!(mail.text.contains(&format!("{button}:\nhttps://bredeblik.example/x")));
            assert!(mail.html.contains(&format!(">{button}</a>")));
        }
    }

    #[test]
    fn contact_message_carries_the_sender_and_text() {
        let mail = render_for_test(&ContactMessage {
            contact_name: "Karin".into(),
            sender_name: "Jan".into(),
            sender_email: "jan@voorbeeld.nl".into(),
            initiative: "Samen".into(),
            message: "Hoi,\nmag ik <langskomen>?".into(),
        });
        assert_eq!(
            (mail.kind, mail.subject.as_str()),
            ("contactformulier", "Bericht via Brede Blik over Samen")
        );
        assert!(mail.text.starts_with(
            "Beste Karin,\n\nJan (jan@voorbeeld.nl) stuurde via de pagina van Samen op Brede Blik dit bericht:\n\nHoi,\nmag ik <langskomen>?\n\n"
        ));
        assert!(mail.html.contains("mag ik &#60;langskomen&#62;?"), "the visitor's text is escaped");
        assert!(
            mail.html
                .contains("Met ‘beantwoorden’ in uw mailprogramma antwoordt u de afzender rechtstreeks.")
        );
    }
}
