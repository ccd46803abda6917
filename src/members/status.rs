//! What kind of member someone is, and where their application stands.

use crate::text_enum::text_enum;

text_enum! {
    /// `members.kind`.
    pub enum MemberKind {
        Persoon = "persoon", "Persoon";
        Organisatie = "organisatie", "Organisatie";
    }

    /// `members.status`. Only approved members with a public profile appear on the site.
    pub enum MemberStatus {
        Onbevestigd = "onbevestigd", "Onbevestigd";
        WachtOpBeoordeling = "wacht_op_beoordeling", "Wacht op beoordeling";
        Goedgekeurd = "goedgekeurd", "Goedgekeurd";
        Afgewezen = "afgewezen", "Afgewezen";
    }
}

impl MemberKind {
    /// How an applicant describes themselves on the join form.
    pub fn as_applicant(self) -> &'static str {
        match self {
            MemberKind::Persoon => "Persoon (professional)",
            MemberKind::Organisatie => "Organisatie of initiatief",
        }
    }
}
