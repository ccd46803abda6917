//! The mails of joining as a shareholder (aandeelhouder) and of the coordinator's decision.

use crate::mail::{self, Mail};

/// Confirm the address given on the join form.
pub struct JoinConfirm {
    pub name: String,
    pub link: String,
}

mail::templates!(JoinConfirm, "members/mails/join_confirm.txt", "members/mails/join_confirm.html");

impl Mail for JoinConfirm {
    fn kind(&self) -> &'static str {
        "aanmelding-bevestigen"
    }
    fn subject(&self) -> String {
        "Bevestig uw aanmelding bij Brede Blik".into()
    }
}

/// Someone joined with an address that already has an account (the form says the same as for
/// a new address, so it reveals nothing; the owner hears it here).
pub struct AlreadyRegistered {
    pub login_link: String,
}

mail::templates!(
    AlreadyRegistered,
    "members/mails/already_registered.txt",
    "members/mails/already_registered.html"
);

impl Mail for AlreadyRegistered {
    fn kind(&self) -> &'static str {
        "aanmelding-bestaand-account"
    }
    fn subject(&self) -> String {
        "U heeft al een account bij Brede Blik".into()
    }
}

/// A coordinator approved or rejected an application, with an optional message.
pub struct Decision {
    pub name: String,
    pub approved: bool,
    pub message: String,
    pub login_link: String,
}

mail::templates!(Decision, "members/mails/decision.txt", "members/mails/decision.html");

impl Mail for Decision {
    fn kind(&self) -> &'static str {
        if self.approved { "aanmelding-goedgekeurd" } else { "aanmelding-afgewezen" }
    }
    fn subject(&self) -> String {
        if self.approved { "Welkom bij Brede Blik" } else { "Uw aanmelding bij Brede Blik" }.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::render_for_test;

    #[test]
    fn join_confirmation_reads() {
        let link = "https://bredeblik.example/aandeelhouder-worden/bevestigen/abc";
        let mail = render_for_test(&JoinConfirm { name: "Anna de Vries".into(), link: link.into() });
        assert_eq!(mail.kind, "aanmelding-bevestigen");
        assert_eq!(mail.subject, "Bevestig uw aanmelding bij Brede Blik");
        assert!(mail.text.starts_with("Beste Anna de Vries,\n\nFijn dat u zich aanmeldt als aandeelhouder"));
        assert!(
            mail.text.contains(&format!("E-mailadres bevestigen:\n{link}\n\nDaarna bekijkt een coördinator"))
        );
        assert!(mail.html.contains("<p style=\"margin:0 0 16px;\">Beste Anna de Vries,</p>"));
        assert!(mail.html.contains(&format!(r#"href="{link}""#)));
    }

    #[test]
    fn already_registered_points_to_the_login() {
        let mail =
            render_for_test(&AlreadyRegistered { login_link: "https://bredeblik.example/inloggen".into() });
        assert_eq!(mail.subject, "U heeft al een account bij Brede Blik");
        assert!(mail.text.contains("er bestaat al een account voor"));
        assert!(mail.text.contains("Inloggen:\nhttps://bredeblik.example/inloggen"));
        assert!(mail.html.contains(">Inloggen</a>"));
    }

    #[test]
    fn decision_reads_for_both_outcomes() {
        let login_link = "https://bredeblik.example/inloggen".to_owned();
        let approved = render_for_test(&Decision {
            name: "Anna".into(),
            approved: true,
            message: "Van harte welkom!".into(),
            login_link: login_link.clone(),
        });
        assert_eq!(
            (approved.kind, approved.subject.as_str()),
            ("aanmelding-goedgekeurd", "Welkom bij Brede Blik")
        );
        assert_eq!(
            approved.text,
            "Beste Anna,\n\n\
             Uw aanmelding als aandeelhouder van Brede Blik is goedgekeurd. Welkom in het netwerk! U kunt nu inloggen en uw profiel bijhouden.\n\n\
             Bericht van de coördinator: Van harte welkom!\n\n\
             Inloggen:\nhttps://bredeblik.example/inloggen\n\n\
             Vragen? Beantwoord deze e-mail niet, maar schrijf naar info@bredeblik.example.\n\n\
             Met vriendelijke groet,\nBrede Blik\nhttps://bredeblik.example/"
        );
        assert!(approved.html.contains(">Inloggen</a>"));

        let rejected = render_for_test(&Decision {
            name: "Anna".into(),
            approved: false,
            message: String::new(),
            login_link,
        });
        assert_eq!(
            (rejected.kind, rejected.subject.as_str()),
            ("aanmelding-afgewezen", "Uw aanmelding bij Brede Blik")
        );
        assert!(rejected.text.contains("Wij hebben besloten uw aanmelding niet goed te keuren.\n\nVragen?"));
        assert!(!rejected.text.contains("Inloggen") && !rejected.html.contains("Inloggen"));
        assert!(!rejected.text.contains("Bericht van de coördinator"));
    }
}
