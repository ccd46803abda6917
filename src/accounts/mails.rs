//! The mails of accounts: password reset, invitation, and the two about a changed address.

use crate::mail::{self, Mail};

/// A link to choose a new password, after "wachtwoord vergeten".
pub struct PasswordReset {
    pub link: String,
}

mail::templates!(PasswordReset, "accounts/mails/password_reset.txt", "accounts/mails/password_reset.html");

impl Mail for PasswordReset {
    fn kind(&self) -> &'static str {
        "wachtwoord-herstellen"
    }
    fn subject(&self) -> String {
        "Een nieuw wachtwoord instellen voor Brede Blik".into()
    }
}

/// A new account made in the back office: choose a password with the link.
pub struct Invitation {
    /// The role's stored value (`Role::as_str`), e.g. redacteur.
    pub role: &'static str,
    pub link: String,
}

mail::templates!(Invitation, "accounts/mails/invitation.txt", "accounts/mails/invitation.html");

impl Mail for Invitation {
    fn kind(&self) -> &'static str {
        "uitnodiging"
    }
    fn subject(&self) -> String {
        "Uw account bij Brede Blik".into()
    }
}

/// To the new address: confirm it with the link.
pub struct EmailChange {
    pub link: String,
}

mail::templates!(EmailChange, "accounts/mails/email_change.txt", "accounts/mails/email_change.html");

impl Mail for EmailChange {
    fn kind(&self) -> &'static str {
        "e-mailadres-bevestigen"
    }
    fn subject(&self) -> String {
        "Bevestig uw nieuwe e-mailadres voor Brede Blik".into()
    }
}

/// To the old address, once the change is confirmed.
pub struct EmailChanged {
    pub new_email: String,
}

mail::templates!(EmailChanged, "accounts/mails/email_changed.txt", "accounts/mails/email_changed.html");

impl Mail for EmailChanged {
    fn kind(&self) -> &'static str {
        "e-mailadres-gewijzigd"
    }
    fn subject(&self) -> String {
        "Uw e-mailadres bij Brede Blik is gewijzigd".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::render_for_test;

    #[test]
    fn password_reset_reads() {
        let link = "https://bredeblik.example/wachtwoord-herstellen/abc123";
        let mail = render_for_test(&PasswordReset { link: link.into() });
        assert_eq!(mail.kind, "wachtwoord-herstellen");
        assert_eq!(mail.subject, "Een nieuw wachtwoord instellen voor Brede Blik");
        assert_eq!(
            mail.text,
            format!(
                "Hallo,\n\n\
                 Iemand (hopelijk u) vroeg om een nieuw wachtwoord voor uw account bij Brede Blik. Met de knop hieronder kiest u een nieuw wachtwoord. De link werkt twee uur en één keer.\n\n\
                 Nieuw wachtwoord kiezen:\n{link}\n\n\
                 Heeft u dit niet gevraagd? Dan kunt u deze e-mail negeren; uw wachtwoord blijft zoals het was.\n\n\
                 Met vriendelijke groet,\nBrede Blik\nhttps://bredeblik.example/"
            )
        );
        assert!(mail.html.contains("<title>Een nieuw wachtwoord instellen voor Brede Blik</title>"));
        assert!(mail.html.contains(&format!(r#"<a href="{link}" style="display:inline-block;"#)));
        assert!(mail.html.contains(">Nieuw wachtwoord kiezen</a>"));
        assert!(mail.html.contains(r#"<p style="margin:0 0 16px;">Heeft u dit niet gevraagd?"#));
    }

    #[test]
    fn invitation_names_the_role() {
        let link = "https://bredeblik.example/wachtwoord-herstellen/t0k3n";
        let mail = render_for_test(&Invitation {
            role: crate::web::auth::Role::Redacteur.as_str(),
            link: link.into(),
        });
        assert_eq!((mail.kind, mail.subject.as_str()), ("uitnodiging", "Uw account bij Brede Blik"));
        for part in [&mail.text, &mail.html] {
            assert!(
                part.contains("Er is voor u een account aangemaakt bij Brede Blik, met de rol redacteur.")
            );
            assert!(part.contains("De link werkt zeven dagen."));
            assert!(part.contains(link));
        }
        assert!(mail.text.contains(&format!("Wachtwoord kiezen:\n{link}")));
    }

    #[test]
    fn email_change_mails_read() {
        let link = "https://bredeblik.example/account/e-mail/bevestigen/xyz";
        let confirm = render_for_test(&EmailChange { link: link.into() });
        assert_eq!(confirm.subject, "Bevestig uw nieuwe e-mailadres voor Brede Blik");
        assert!(confirm.text.contains(&format!("Nieuw e-mailadres bevestigen:\n{link}")));
        assert!(confirm.html.contains(&format!(r#"href="{link}""#)));

        let notice = render_for_test(&EmailChanged { new_email: "nieuw&co@voorbeeld.nl".into() });
        assert_eq!(notice.kind, "e-mailadres-gewijzigd");
        assert!(notice.text.contains("is gewijzigd in nieuw&co@voorbeeld.nl."), "text is not escaped");
        assert!(notice.html.contains("is gewijzigd in nieuw&#38;co@voorbeeld.nl."), "HTML is escaped");
        assert!(!notice.html.contains("Werkt de knop niet"), "no button");
    }
}
