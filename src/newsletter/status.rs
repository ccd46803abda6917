//! The states of campaigns, deliveries and subscribers, and the kinds of campaign block.

use crate::text_enum::text_enum;

text_enum! {
    /// `campaigns.status`: concept → gepland → bezig ⇄ gepauzeerd → verzonden, or geannuleerd.
    pub enum CampaignStatus {
        Concept = "concept", "Concept";
        Gepland = "gepland", "Gepland";
        Bezig = "bezig", "Bezig met verzenden";
        Gepauzeerd = "gepauzeerd", "Gepauzeerd";
        Verzonden = "verzonden", "Verzonden";
        Geannuleerd = "geannuleerd", "Geannuleerd";
    }

    /// `deliveries.status`: one row per (campaign, subscriber).
    pub enum DeliveryStatus {
        Wachtend = "wachtend", "Wachtend";
        Bezig = "bezig", "Bezig";
        Verzonden = "verzonden", "Verzonden";
        Mislukt = "mislukt", "Mislukt";
        Overgeslagen = "overgeslagen", "Overgeslagen";
    }

    /// `subscribers.status`. Only active subscribers receive campaigns.
    pub enum SubscriberStatus {
        Onbevestigd = "onbevestigd", "Onbevestigd";
        Actief = "actief", "Actief";
        Afgemeld = "afgemeld", "Afgemeld";
        Gebounced = "gebounced", "Gebounced";
    }

    /// `campaign_blocks.kind`: a chosen news item, a free text, or a record of another feature
    /// (its id in `record_id`).
    pub enum BlockKind {
        Nieuws = "nieuws", "Nieuwsbericht";
        Tekst = "tekst", "Tekst";
        Evenement = "evenement", "Bijeenkomst";
        Publicatie = "publicatie", "Publicatie";
    }
}

impl BlockKind {
    /// The kinds whose block names a record of another feature by `record_id`.
    pub const RECORDS: [BlockKind; 2] = [BlockKind::Evenement, BlockKind::Publicatie];

    pub fn is_record(self) -> bool {
        Self::RECORDS.contains(&self)
    }
}
