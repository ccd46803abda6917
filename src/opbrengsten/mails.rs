//! The lessons' mails: editors hear that a lesson waits for review, its author hears the decision.

use crate::mail::{self, Mail};

/// To each editor: a member wrote a lesson for an inspiratieregio.
pub struct LessonWaiting {
    pub title: String,
    pub region: String,
    /// The review list in the back office.
    pub link: String,
}

mail::templates!(
    LessonWaiting,
    "opbrengsten/mails/lesson_waiting.txt",
    "opbrengsten/mails/lesson_waiting.html"
);

impl Mail for LessonWaiting {
    fn kind(&self) -> &'static str {
        "les-ter-beoordeling"
    }
    fn subject(&self) -> String {
        format!("Les ter beoordeling: {}", self.title)
    }
}

/// To the author: the editors published or rejected the lesson.
pub struct Decision {
    pub title: String,
    pub approved: bool,
    pub message: String,
    /// The public page when published, the form otherwise.
    pub link: String,
}

mail::templates!(Decision, "opbrengsten/mails/decision.txt", "opbrengsten/mails/decision.html");

impl Decision {
    fn verdict(&self) -> String {
        if self.approved {
            format!("De redactie heeft uw les ‘{}’ goedgekeurd. Ze staat nu op de site.", self.title)
        } else {
            format!("De redactie heeft uw les ‘{}’ niet op de site gezet.", self.title)
        }
    }
    fn button_label(&self) -> &'static str {
        if self.approved { "Bekijk de les" } else { "Een les schrijven" }
    }
}

impl Mail for Decision {
    fn kind(&self) -> &'static str {
        if self.approved { "les-goedgekeurd" } else { "les-afgewezen" }
    }
    fn subject(&self) -> String {
        if self.approved {
            format!("Uw les staat op de site: {}", self.title)
        } else {
            format!("Uw les {}", self.title)
        }
    }
}
