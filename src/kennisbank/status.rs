//! The kinds and statuses of a publication, as stored (see the migration `publications`).

use crate::text_enum::text_enum;

text_enum! {
    /// `publications.kind`: what sort of publication it is.
    pub enum PublicationKind {
        Rapport = "rapport", "Rapport";
        Artikel = "artikel", "Artikel";
        Boek = "boek", "Boek";
        Hoofdstuk = "hoofdstuk", "Hoofdstuk";
        Handreiking = "handreiking", "Handreiking";
        Advies = "advies", "Advies";
        Factsheet = "factsheet", "Factsheet";
        Proefschrift = "proefschrift", "Proefschrift";
        Video = "video", "Video";
        Podcast = "podcast", "Podcast";
        Webpagina = "webpagina", "Webpagina";
    }
}

text_enum! {
    /// `publications.access`: what the visitor finds at the address.
    pub enum Access {
        Link = "link", "Online te lezen";
        Download = "download", "Te downloaden";
        Bestellen = "bestellen", "Te bestellen";
        Bibliotheek = "bibliotheek", "In de bibliotheek";
    }
}

text_enum! {
    /// `publications.licence`. Only an open licence allows hosting the file here.
    pub enum Licence {
        Onbekend = "onbekend", "Onbekend";
        Gesloten = "gesloten", "Alle rechten voorbehouden";
        CcBy = "cc-by", "CC BY 4.0";
        CcBySa = "cc-by-sa", "CC BY-SA 4.0";
        CcByNc = "cc-by-nc", "CC BY-NC 4.0";
        CcByNcSa = "cc-by-nc-sa", "CC BY-NC-SA 4.0";
        CcByNd = "cc-by-nd", "CC BY-ND 4.0";
        CcByNcNd = "cc-by-nc-nd", "CC BY-NC-ND 4.0";
        Cc0 = "cc0", "CC0 (publiek domein)";
    }
}

impl Licence {
    /// Whether the licence allows this site to host a copy.
    pub fn is_open(self) -> bool {
        !matches!(self, Licence::Onbekend | Licence::Gesloten)
    }

    /// The licence's deed, for machines (JSON-LD) and people.
    pub fn url(self) -> Option<&'static str> {
        match self {
            Licence::Onbekend | Licence::Gesloten => None,
            Licence::CcBy => Some("https://creativecommons.org/licenses/by/4.0/"),
            Licence::CcBySa => Some("https://creativecommons.org/licenses/by-sa/4.0/"),
            Licence::CcByNc => Some("https://creativecommons.org/licenses/by-nc/4.0/"),
            Licence::CcByNcSa => Some("https://creativecommons.org/licenses/by-nc-sa/4.0/"),
            Licence::CcByNd => Some("https://creativecommons.org/licenses/by-nd/4.0/"),
            Licence::CcByNcNd => Some("https://creativecommons.org/licenses/by-nc-nd/4.0/"),
            Licence::Cc0 => Some("https://creativecommons.org/publicdomain/zero/1.0/"),
        }
    }
}

text_enum! {
    /// `publication_authors.kind`.
    pub enum AuthorKind {
        Persoon = "persoon", "Persoon";
        Organisatie = "organisatie", "Organisatie";
    }
}

text_enum! {
    /// What a back-office link ties a publication to (`publication_initiatives`,
    /// `publication_regions`, `publication_events`, `publication_relations`).
    pub enum LinkKind {
        Initiatief = "initiatief", "Initiatief";
        Regio = "regio", "Regio";
        Bijeenkomst = "bijeenkomst", "Bijeenkomst";
        Publicatie = "publicatie", "Verwante publicatie";
    }
}
