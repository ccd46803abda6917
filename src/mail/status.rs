//! Where a message in the outbox stands.

use crate::text_enum::text_enum;

text_enum! {
    /// `outbox.status`: waiting messages are retried until sent or given up.
    pub enum OutboxStatus {
        Wachtend = "wachtend", "Wachtend";
        Verzonden = "verzonden", "Verzonden";
        Mislukt = "mislukt", "Mislukt";
    }
}
