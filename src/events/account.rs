//! A member's registrations: shown on `/account`, included in the data export, and removed
//! with the account (a place they held goes to the waiting list).

use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;

use super::places;
use super::status::RegistrationStatus;
use crate::config::Config;
use crate::text;

/// One of the member's registrations, with the link to its personal page.
pub struct MyRegistration {
    pub title: String,
    pub when: String,
    pub status: RegistrationStatus,
    pub link: String,
}

/// Registrations made while logged in or with the account's address, latest event first.
pub async fn of_user(
    db: &PgPool,
    config: &Config,
    user_id: i64,
    email: &str,
) -> sqlx::Result<Vec<MyRegistration>> {
    let rows = sqlx::query!(
        r#"SELECT e.title, e.starts_at, e.ends_at, r.status AS "status: RegistrationStatus", r.token_nonce
           FROM registrations r JOIN events e ON e.id = r.event_id
           WHERE (r.user_id = $1 OR lower(r.email) = lower($2)) AND r.status <> $3
           ORDER BY e.starts_at DESC LIMIT 100"#,
        user_id,
        email,
        RegistrationStatus::Geannuleerd as RegistrationStatus,
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| MyRegistration {
            title: r.title,
            when: super::queries::when_nl(r.starts_at, r.ends_at),
            status: r.status,
            link: format!("/bijeenkomsten/aanmelding/{}", places::token(config, &r.token_nonce)),
        })
        .collect())
}

/// Everything stored about the member's registrations, for the data export.
pub async fn export(db: &PgPool, user_id: i64, email: &str) -> sqlx::Result<Vec<serde_json::Value>> {
    let rows = sqlx::query!(
        r#"SELECT e.title, e.starts_at, r.name, r.email, r.organisation, r.answers, r.show_on_list,
                  r.status AS "status: RegistrationStatus", r.created_at
           FROM registrations r JOIN events e ON e.id = r.event_id
           WHERE r.user_id = $1 OR lower(r.email) = lower($2) ORDER BY r.created_at"#,
        user_id,
        email,
    )
    .fetch_all(db)
    .await?;
    let time =
        |t: OffsetDateTime| t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
    Ok(rows
        .into_iter()
        .map(|r| {
            serde_json::json!({
                "bijeenkomst": r.title, "begin": time(r.starts_at), "naam": r.name, "e-mail": r.email,
                "organisatie": r.organisation, "antwoorden": r.answers, "op_deelnemerslijst": r.show_on_list,
                "stand": r.status.label(), "aangemeld_op": time(r.created_at), "datum": text::date_nl(r.starts_at),
            })
        })
        .collect())
}

/// With the account: live registrations are cancelled first (their places move on), then
/// every registration of the member is deleted.
pub async fn forget(tx: &mut PgConnection, config: &Config, user_id: i64, email: &str) -> anyhow::Result<()> {
    let live = sqlx::query_scalar!(
        "SELECT id FROM registrations WHERE (user_id = $1 OR lower(email) = lower($2)) AND status <> $3",
        user_id,
        email,
        RegistrationStatus::Geannuleerd as RegistrationStatus,
    )
    .fetch_all(&mut *tx)
    .await?;
    for id in live {
        places::cancel(tx, config, id).await?;
    }
    sqlx::query!("DELETE FROM registrations WHERE user_id = $1 OR lower(email) = lower($2)", user_id, email)
        .execute(&mut *tx)
        .await?;
    Ok(())
}
