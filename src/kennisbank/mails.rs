//! The kennisbank's mails: editors hear that a proposed publication waits, the member who
//! proposed it hears the decision.

use crate::mail::{self, Mail};

/// To each editor: a member proposed a publication.
pub struct ProposalWaiting {
    pub title: String,
    /// The review page in the back office.
    pub link: String,
}

mail::templates!(
    ProposalWaiting,
    "kennisbank/mails/proposal_waiting.txt",
    "kennisbank/mails/proposal_waiting.html"
);

impl Mail for ProposalWaiting {
    fn kind(&self) -> &'static str {
        "publicatie-ter-beoordeling"
    }
    fn subject(&self) -> String {
        format!("Publicatie ter beoordeling: {}", self.title)
    }
}

/// To each editor: a member proposed a change to a published publication.
pub struct ChangeWaiting {
    pub title: String,
    /// The change's review page in the back office.
    pub link: String,
}

mail::templates!(
    ChangeWaiting,
    "kennisbank/mails/change_waiting.txt",
    "kennisbank/mails/change_waiting.html"
);

impl Mail for ChangeWaiting {
    fn kind(&self) -> &'static str {
        "publicatie-wijziging"
    }
    fn subject(&self) -> String {
        format!("Wijziging voorgesteld: {}", self.title)
    }
}

/// To the member who proposed it: the editors approved or rejected the publication.
pub struct Decision {
    pub member_name: String,
    pub title: String,
    pub approved: bool,
    pub message: String,
    /// The public page when approved, the member's proposals otherwise.
    pub link: String,
}

mail::templates!(Decision, "kennisbank/mails/decision.txt", "kennisbank/mails/decision.html");

impl Decision {
    fn verdict(&self) -> String {
        if self.approved {
            format!(
                "De redactie heeft uw voorstel ‘{}’ goedgekeurd. Het staat nu in de kennisbank.",
                self.title
            )
        } else {
            format!("De redactie heeft uw voorstel ‘{}’ niet in de kennisbank opgenomen.", self.title)
        }
    }
    fn button_label(&self) -> &'static str {
        if self.approved { "Bekijk de publicatie" } else { "Naar mijn voorstellen" }
    }
}

impl Mail for Decision {
    fn kind(&self) -> &'static str {
        if self.approved { "publicatie-goedgekeurd" } else { "publicatie-afgewezen" }
    }
    fn subject(&self) -> String {
        if self.approved {
            format!("{} staat in de kennisbank", self.title)
        } else {
            format!("Uw voorstel {}", self.title)
        }
    }
}
