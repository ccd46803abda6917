//! Kinds of region, and the decision on an application to become an inspiratieregio.

use crate::text_enum::text_enum;

text_enum! {
    /// `regions.kind`: municipalities lie in a province and in a jeugdregio.
    pub enum RegionKind {
        Provincie = "provincie", "Provincie";
        Gemeente = "gemeente", "Gemeente";
        Jeugdregio = "jeugdregio", "Jeugdregio";
    }

    /// `region_applications.decision` (NULL while the application is open).
    pub enum ApplicationDecision {
        Geselecteerd = "geselecteerd", "Geselecteerd";
        Afgewezen = "afgewezen", "Afgewezen";
    }
}

impl RegionKind {
    /// A region's name for a list of every kind: "Utrecht (provincie)" where the kind is not
    /// obvious from the name (municipalities go by their name alone).
    pub fn name_with_kind(self, name: &str) -> String {
        match self {
            RegionKind::Provincie => format!("{name} (provincie)"),
            RegionKind::Jeugdregio => format!("{name} (jeugdregio)"),
            RegionKind::Gemeente => name.to_owned(),
        }
    }
}
