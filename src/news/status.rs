//! When a news item appears, as the editor chooses it in the form.

use crate::text_enum::text_enum;

text_enum! {
    /// The form's `publicatie` choice; stored as `news_items.published_at` (NULL for a concept).
    pub enum Publication {
        Concept = "concept", "Concept (niet zichtbaar)";
        Nu = "nu", "Nu publiceren";
        Gepland = "gepland", "Inplannen op";
    }
}
