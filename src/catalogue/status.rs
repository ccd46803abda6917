//! Where an initiative is in its life, and an editor's decision on a proposed change.

use crate::text_enum::text_enum;

text_enum! {
    /// `initiatives.status`. Only published initiatives appear on the site.
    pub enum InitiativeStatus {
        Concept = "concept", "Concept";
        TerBeoordeling = "ter_beoordeling", "Ter beoordeling";
        Gepubliceerd = "gepubliceerd", "Gepubliceerd";
        Gearchiveerd = "gearchiveerd", "Gearchiveerd";
    }

    /// `initiative_revisions.decision`: what an editor did with a proposed change.
    pub enum RevisionDecision {
        Goedgekeurd = "goedgekeurd", "Goedgekeurd";
        Afgewezen = "afgewezen", "Afgewezen";
    }
}
