//! What a record's page lists beside it: its themes, regions, initiatives, publications… Each
//! feature declares these reads with [`linked!`]; a row is a [`crate::taxonomy::Term`] or a
//! [`Link`].

/// A linked record: where it lives and what it is called.
#[derive(Debug, Clone)]
pub struct Link {
    pub slug: String,
    pub name: String,
}

/// Declares the reads of what one record is linked to, a checked `query_as!` each, where `$1`
/// is the record's id and further parameters follow the SQL:
///
/// ```ignore
/// linked! {
///     /// The published initiatives that put a publication to work.
///     pub fn initiatives_of -> Link =
///         "SELECT i.slug, i.name FROM initiatives i JOIN publication_initiatives l ON l.initiative_id = i.id \
///          WHERE l.publication_id = $1 AND i.status = $2 ORDER BY i.name",
///         InitiativeStatus::Gepubliceerd as InitiativeStatus;
/// }
/// ```
///
/// gives `pub async fn initiatives_of(db: &PgPool, id: i64) -> sqlx::Result<Vec<Link>>`.
macro_rules! linked {
    ($(
        $(#[$meta:meta])*
        $vis:vis fn $name:ident -> $row:path = $sql:literal $(, $bind:expr)*;
    )+) => {
        $(
            $(#[$meta])*
            $vis async fn $name(db: &sqlx::PgPool, id: i64) -> sqlx::Result<Vec<$row>> {
                sqlx::query_as!($row, $sql, id $(, $bind)*).fetch_all(db).await
            }
        )+
    };
}

pub(crate) use linked;
