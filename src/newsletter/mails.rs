//! The newsletter's transactional mails: confirming a subscription (double opt-in), from the
//! public form or after an import without recorded consent. The newsletter itself is rendered
//! by `content`.

use crate::mail::{self, Mail};

/// Confirm a subscription made on the site.
pub struct ConfirmSubscription {
    pub link: String,
}

mail::templates!(
    ConfirmSubscription,
    "newsletter/mails/confirm_subscription.txt",
    "newsletter/mails/confirm_subscription.html"
);

impl Mail for ConfirmSubscription {
    fn kind(&self) -> &'static str {
        "nieuwsbrief-bevestigen"
    }
    fn subject(&self) -> String {
        "Bevestig uw aanmelding voor de nieuwsbrief van Brede Blik".into()
    }
}

/// Confirm an address that came in with an imported list.
pub struct ConfirmImport {
    pub link: String,
}

mail::templates!(
    ConfirmImport,
    "newsletter/mails/confirm_import.txt",
    "newsletter/mails/confirm_import.html"
);

impl Mail for ConfirmImport {
    fn kind(&self) -> &'static str {
        "nieuwsbrief-bevestigen"
    }
    fn subject(&self) -> String {
        "Wilt u de nieuwsbrief van Brede Blik ontvangen?".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::render_for_test;

    #[test]
    fn confirmations_read() {
        let link = "https://bredeblik.example/nieuwsbrief/bevestigen/abc";
        let own = render_for_test(&ConfirmSubscription { link: link.into() });
        assert_eq!(own.kind, "nieuwsbrief-bevestigen");
        assert_eq!(own.subject, "Bevestig uw aanmelding voor de nieuwsbrief van Brede Blik");
        assert!(own.text.contains("pas dan ontvangt u de nieuwsbrief. De link werkt zeven dagen."));
        assert!(own.text.contains(&format!("Aanmelding bevestigen:\n{link}")));
        assert!(
            own.html.contains(&format!(r#"href="{link}""#))
                && own.html.contains(">Aanmelding bevestigen</a>")
        );

        let imported = render_for_test(&ConfirmImport { link: link.into() });
        assert_eq!(imported.subject, "Wilt u de nieuwsbrief van Brede Blik ontvangen?");
        assert!(
            imported.text.contains("Uw e-mailadres staat op een lijst die aan Brede Blik is doorgegeven.")
        );
        assert!(imported.text.contains(&format!("Ja, stuur mij de nieuwsbrief:\n{link}")));
        assert!(imported.html.contains("verwijderen wij uw adres na dertig dagen."));
    }
}
