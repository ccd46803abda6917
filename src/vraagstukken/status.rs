//! Where an obstacle stands, and the kinds of lessons.

use crate::text_enum::text_enum;

text_enum! {
    /// `vraagstukken.status`: where the obstacle stands in the network's conversation.
    pub enum VraagstukStatus {
        Gesignaleerd = "gesignaleerd", "Gesignaleerd";
        InGesprek = "in_gesprek", "In gesprek";
        AlternatiefGevonden = "alternatief_gevonden", "Alternatief gevonden";
    }
}

text_enum! {
    /// `lessons.kind`: what works, what does not, and under which conditions.
    pub enum LessonKind {
        Werkt = "werkt", "Wat werkt";
        WerktNiet = "werkt_niet", "Wat niet werkt";
        Voorwaarde = "voorwaarde", "Onder welke voorwaarden";
    }
}
