//! The mails of the inspiratieregio round: application received, and the decision.

use crate::mail::{self, Mail};

/// The application arrived; `when` says when the decision comes ("" if not announced).
pub struct ApplicationReceived {
    pub name: String,
    pub when: String,
}

mail::templates!(
    ApplicationReceived,
    "regions/mails/application_received.txt",
    "regions/mails/application_received.html"
);

impl Mail for ApplicationReceived {
    fn kind(&self) -> &'static str {
        "inspiratieregio-ontvangen"
    }
    fn subject(&self) -> String {
        "Uw aanmelding als inspiratieregio is ontvangen".into()
    }
}

/// The coordinators selected the region or not, with an optional explanation.
pub struct ApplicationDecision {
    pub name: String,
    pub region: String,
    pub selected: bool,
    pub message: String,
}

mail::templates!(
    ApplicationDecision,
    "regions/mails/application_decision.txt",
    "regions/mails/application_decision.html"
);

impl Mail for ApplicationDecision {
    fn kind(&self) -> &'static str {
        "inspiratieregio-besluit"
    }
    fn subject(&self) -> String {
        format!("Besluit over de aanmelding van {} als inspiratieregio", self.region)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::render_for_test;

    #[test]
    fn received_says_when_the_answer_comes() {
        let dated =
            render_for_test(&ApplicationReceived { name: "Piet".into(), when: "op 1 maart 2027".into() });
        assert_eq!(dated.subject, "Uw aanmelding als inspiratieregio is ontvangen");
        assert!(dated.text.starts_with("Beste Piet,\n\nDank u wel voor de aanmelding als inspiratieregio."));
        assert!(
            dated.text.contains("\n\nU hoort op 1 maart 2027 per e-mail of uw regio is geselecteerd.\n\n")
        );
        assert!(dated.html.contains("U hoort op 1 maart 2027 per e-mail"));
        let undated = render_for_test(&ApplicationReceived { name: "Piet".into(), when: String::new() });
        assert!(undated.text.contains("\n\nU hoort per e-mail of uw regio is geselecteerd."));
    }

    #[test]
    fn decision_reads_for_both_outcomes() {
        let selected = render_for_test(&ApplicationDecision {
            name: "Piet".into(),
            region: "Twente".into(),
            selected: true,
            message: "Van harte welkom!".into(),
        });
        assert_eq!(selected.kind, "inspiratieregio-besluit");
        assert_eq!(selected.subject, "Besluit over de aanmelding van Twente als inspiratieregio");
        for part in [&selected.text, &selected.html] {
            assert!(part.contains("Goed nieuws: Twente is geselecteerd als inspiratieregio van Brede Blik."));
            assert!(part.contains("Toelichting van de coördinator: Van harte welkom!"));
        }
        let not = render_for_test(&ApplicationDecision {
            name: "Piet".into(),
            region: "Twente".into(),
            selected: false,
            message: String::new(),
        });
        assert!(not.text.contains("Deze keer is uw regio niet geselecteerd.\n\nMet vriendelijke groet"));
        assert!(!not.html.contains("Toelichting"));
    }
}
