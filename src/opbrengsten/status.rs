//! The kinds of lessons.

use crate::text_enum::text_enum;

text_enum! {
    /// `lessons.kind`: what works, what does not, and under which conditions.
    pub enum LessonKind {
        Werkt = "werkt", "Wat werkt";
        WerktNiet = "werkt_niet", "Wat niet werkt";
        Voorwaarde = "voorwaarde", "Onder welke voorwaarden";
    }
}
