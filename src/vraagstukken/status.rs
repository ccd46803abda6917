//! Where an obstacle stands.

use crate::text_enum::text_enum;

text_enum! {
    /// `vraagstukken.status`: where the obstacle stands in the network's conversation.
    pub enum VraagstukStatus {
        Gesignaleerd = "gesignaleerd", "Gesignaleerd";
        InGesprek = "in_gesprek", "In gesprek";
        AlternatiefGevonden = "alternatief_gevonden", "Alternatief gevonden";
    }
}
