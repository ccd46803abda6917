//! What a mailed single-use link may do.

use crate::text_enum::text_enum;

text_enum! {
    /// `user_tokens.purpose`: what a mailed single-use link may do.
    pub enum TokenPurpose {
        Wachtwoord = "wachtwoord", "Wachtwoord kiezen";
        Email = "email", "E-mailadres bevestigen";
        Bevestigen = "bevestigen", "Aanmelding bevestigen";
    }
}
