//! The vraagstukken's mails: editors hear that a proposed obstacle or alternative waits, the
//! member who proposed it hears the decision.

use crate::mail::{self, Mail};

/// To each editor: a member proposed an obstacle or an alternative to one.
pub struct ProposalWaiting {
    /// "het vraagstuk ‘…’" or "een alternatief bij ‘…’".
    pub what: String,
    /// The review page in the back office.
    pub link: String,
}

mail::templates!(
    ProposalWaiting,
    "vraagstukken/mails/proposal_waiting.txt",
    "vraagstukken/mails/proposal_waiting.html"
);

impl Mail for ProposalWaiting {
    fn kind(&self) -> &'static str {
        "vraagstuk-ter-beoordeling"
    }
    fn subject(&self) -> String {
        format!("Ter beoordeling: {}", self.what)
    }
}

/// To the member who proposed it: the editors approved or rejected the obstacle or alternative.
pub struct Decision {
    /// "uw vraagstuk ‘…’" or "uw alternatief bij ‘…’".
    pub what: String,
    pub approved: bool,
    pub message: String,
    /// The public page when approved, the member's proposals otherwise.
    pub link: String,
}

mail::templates!(Decision, "vraagstukken/mails/decision.txt", "vraagstukken/mails/decision.html");

impl Decision {
    fn verdict(&self) -> String {
        if self.approved {
            format!("De redactie heeft {} goedgekeurd. Het staat nu op de site.", self.what)
        } else {
            format!("De redactie heeft {} niet opgenomen.", self.what)
        }
    }
    fn button_label(&self) -> &'static str {
        if self.approved { "Bekijk het vraagstuk" } else { "Naar mijn voorstellen" }
    }
}

impl Mail for Decision {
    fn kind(&self) -> &'static str {
        if self.approved { "vraagstuk-goedgekeurd" } else { "vraagstuk-afgewezen" }
    }
    fn subject(&self) -> String {
        if self.approved {
            "Uw voorstel staat op de site".into()
        } else {
            "Uw voorstel is niet opgenomen".into()
        }
    }
}
