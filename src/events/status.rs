//! The states and kinds of events, their questions and registrations.

use crate::text_enum::text_enum;

text_enum! {
    /// `events.status`: concept → gepubliceerd, or geannuleerd.
    pub enum EventStatus {
        Concept = "concept", "Concept";
        Gepubliceerd = "gepubliceerd", "Gepubliceerd";
        Geannuleerd = "geannuleerd", "Geannuleerd";
    }
}

impl EventStatus {
    /// The statuses of events the site and the open-data API show.
    pub const PUBLIC: [EventStatus; 2] = [EventStatus::Gepubliceerd, EventStatus::Geannuleerd];
}

text_enum! {
    /// `events.form`: where the event takes place.
    pub enum EventForm {
        OpLocatie = "op_locatie", "Op locatie";
        Online = "online", "Online";
        Hybride = "hybride", "Hybride";
    }
}

text_enum! {
    /// `event_questions.kind`.
    pub enum QuestionKind {
        Tekst = "tekst", "Open vraag";
        Keuze = "keuze", "Keuze";
    }
}

text_enum! {
    /// `registrations.status`. Bevestigd, aangeboden and aanwezig hold a place
    /// (`events.places_taken`); wachtlijst waits in order of arrival.
    pub enum RegistrationStatus {
        Bevestigd = "bevestigd", "Aangemeld";
        Wachtlijst = "wachtlijst", "Op de wachtlijst";
        Aangeboden = "aangeboden", "Plaats aangeboden";
        Geannuleerd = "geannuleerd", "Afgemeld";
        Aanwezig = "aanwezig", "Aanwezig";
    }
}

impl RegistrationStatus {
    /// Whether a registration in this state holds one of the event's places.
    pub fn holds_place(self) -> bool {
        matches!(self, Self::Bevestigd | Self::Aangeboden | Self::Aanwezig)
    }
}
