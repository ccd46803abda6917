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

/// Tells a coordinator that a campaign has made no progress for a quarter of an hour.
pub struct CampaignStalled {
    pub subject: String,
    pub waiting: i64,
    pub last_error: String,
    pub link: String,
}

mail::templates!(
    CampaignStalled,
    "newsletter/mails/campaign_stalled.txt",
    "newsletter/mails/campaign_stalled.html"
);

impl Mail for CampaignStalled {
    fn kind(&self) -> &'static str {
        "nieuwsbrief-vastgelopen"
    }
    fn subject(&self) -> String {
        format!("Nieuwsbrief loopt vast: {}", self.subject)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::render_for_test;

    #[test]
    fn a_stalled_campaign_is_reported_with_its_last_error() {
        let link = "https://bredeblik.example/beheer/nieuwsbrieven/7";
        let mail = CampaignStalled {
            subject: "December".into(),
            waiting: 200,
            last_error: "451 probeer later".into(),
            link: link.into(),
        };
        let read = render_for_test(&mail);
        assert_eq!(read.kind, "nieuwsbrief-vastgelopen");
        assert_eq!(read.subject, "Nieuwsbrief loopt vast: December");
        assert!(read.text.contains("200 adressen wachten nog"), "{}", read.text);
        assert!(read.text.contains("Laatste melding van de mailserver: 451 probeer later"));
        assert!(read.text.contains(&format!("Voortgang bekijken:\n{link}")));
        assert!(read.html.contains(&format!("href=\"{link}\"")));
        let quiet = render_for_test(&CampaignStalled { last_error: String::new(), ..mail });
        assert!(!quiet.text.contains("Laatste melding"));
    }

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
