//! Themes, domains, levels and age groups: the vocabularies every record is tagged with.

use serde::Serialize;
use sqlx::PgExecutor;

#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct Term {
    #[serde(skip)]
    pub id: i32,
    pub slug: String,
    pub name: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Vocabulary {
    Theme,
    Domain,
    Level,
    AgeGroup,
}

impl Vocabulary {
    pub fn table(self) -> &'static str {
        match self {
            Vocabulary::Theme => "themes",
            Vocabulary::Domain => "domains",
            Vocabulary::Level => "levels",
            Vocabulary::AgeGroup => "age_groups",
        }
    }

    /// How the audit log names a change to this vocabulary's terms (its table's name).
    pub fn audit_target(self) -> crate::audit::Target {
        use crate::audit::Target;
        match self {
            Vocabulary::Theme => Target::Thema,
            Vocabulary::Domain => Target::Domein,
            Vocabulary::Level => Target::Niveau,
            Vocabulary::AgeGroup => Target::Leeftijdsgroep,
        }
    }
}

/// Themes, levels and regions as terms: what the lists of events, vraagstukken and lessons
/// filter by, read in the transaction of one snapshot.
pub async fn themes_levels_regions(conn: &mut sqlx::PgConnection) -> sqlx::Result<[Vec<Term>; 3]> {
    Ok([
        all(&mut *conn, Vocabulary::Theme).await?,
        all(&mut *conn, Vocabulary::Level).await?,
        crate::regions::queries::terms(&mut *conn).await?,
    ])
}

pub async fn all(db: impl PgExecutor<'_>, vocabulary: Vocabulary) -> sqlx::Result<Vec<Term>> {
    match vocabulary {
        Vocabulary::Theme => {
            sqlx::query_as!(Term, "SELECT id, slug, name FROM themes ORDER BY position, name")
                .fetch_all(db)
                .await
        }
        Vocabulary::Domain => {
            sqlx::query_as!(Term, "SELECT id, slug, name FROM domains ORDER BY position, name")
                .fetch_all(db)
                .await
        }
        Vocabulary::Level => {
            sqlx::query_as!(Term, "SELECT id, slug, name FROM levels ORDER BY position, name")
                .fetch_all(db)
                .await
        }
        Vocabulary::AgeGroup => {
            sqlx::query_as!(Term, "SELECT id, slug, name FROM age_groups ORDER BY position, name")
                .fetch_all(db)
                .await
        }
    }
}
