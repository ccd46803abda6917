//! Publishing and archiving an initiative: the editor's status choice as one function of the
//! catalogue that says what it did, so handlers only call it and render the outcome.

use sqlx::PgConnection;

use super::InitiativeStatus;

/// What a status change did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transition {
    /// The initiative went on the site (the first time also sets `published_at`).
    Published,
    /// It was taken off the site into the archive.
    Archived,
    /// Anything else, including the same status again.
    Other,
}

/// The state before a change, for the audit log, and what the change did.
#[derive(Clone, Copy, Debug)]
pub struct StatusChange {
    pub before: InitiativeStatus,
    pub before_featured: bool,
    pub transition: Transition,
}

impl Transition {
    /// What going from `before` to `after` is; a new initiative comes from `Concept`.
    pub fn between(before: InitiativeStatus, after: InitiativeStatus) -> Self {
        match after {
            _ if before == after => Transition::Other,
            InitiativeStatus::Gepubliceerd => Transition::Published,
            InitiativeStatus::Gearchiveerd => Transition::Archived,
            _ => Transition::Other,
        }
    }
}

/// Sets the status and the featured flag of initiative `id` (locking its row); `None` when
/// there is no such initiative.
pub async fn set_status(
    conn: &mut PgConnection,
    id: i64,
    status: InitiativeStatus,
    featured: bool,
) -> sqlx::Result<Option<StatusChange>> {
    let Some(before) = sqlx::query!(
        r#"SELECT status AS "status: InitiativeStatus", featured FROM initiatives WHERE id = $1 FOR UPDATE"#,
        id,
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    write_status(&mut *conn, id, status).await?;
    sqlx::query!("UPDATE initiatives SET featured = $2 WHERE id = $1", id, featured)
        .execute(&mut *conn)
        .await?;
    Ok(Some(StatusChange {
        before: before.status,
        before_featured: before.featured,
        transition: Transition::between(before.status, status),
    }))
}

/// Writes the status of initiative `id`; going on the site the first time also sets
/// `published_at`, which later changes keep.
pub(super) async fn write_status(
    conn: &mut PgConnection,
    id: i64,
    status: InitiativeStatus,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE initiatives SET status = $2, \
                published_at = CASE WHEN $2 = $3 THEN coalesce(published_at, now()) ELSE published_at END \
         WHERE id = $1",
        id,
        status as InitiativeStatus,
        InitiativeStatus::Gepubliceerd as InitiativeStatus,
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_names_what_it_did() {
        use InitiativeStatus::*;
        assert_eq!(Transition::between(Concept, Gepubliceerd), Transition::Published);
        assert_eq!(Transition::between(Gepubliceerd, Gearchiveerd), Transition::Archived);
        assert_eq!(Transition::between(Gepubliceerd, Gepubliceerd), Transition::Other);
        assert_eq!(Transition::between(Gearchiveerd, Concept), Transition::Other);
    }
}
