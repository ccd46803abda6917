//! The kinds and states of Verbinden.

use crate::text_enum::text_enum;

text_enum! {
    /// `suggestion_counts.kind`: what the coordinator sees counted, never per person.
    pub enum CountKind {
        Getoond = "getoond", "Getoond";
        Gevolgd = "gevolgd", "Gevolgd";
        NietRelevant = "niet_relevant", "Niet relevant";
        Contact = "contact", "Leidde tot contact";
    }
}

text_enum! {
    /// `relay_reports.status`.
    pub enum ReportStatus {
        Open = "open", "Open";
        Afgehandeld = "afgehandeld", "Afgehandeld";
    }
}

text_enum! {
    /// What a suggestion points at, as the "niet relevant" form sends it (`soort`); never stored.
    pub enum SuggestionKind {
        Lid = "lid", "Lid";
        Initiatief = "initiatief", "Initiatief";
    }
}
