//! What the account data export holds of the vraagstukken: the obstacles a member recognises
//! and what they proposed; and what deleting the account does to them.

use serde_json::Value;
use sqlx::{PgConnection, PgPool};

/// The member's recognitions and proposals, for `/account/gegevens.json`.
pub async fn export(db: &PgPool, user_id: i64) -> sqlx::Result<Value> {
    let recognised = sqlx::query_scalar!(
        r#"SELECT jsonb_build_object('vraagstuk', v.title, 'slug', v.slug, 'sinds', r.created_at) AS "row!"
           FROM vraagstuk_recognitions r JOIN vraagstukken v ON v.id = r.vraagstuk_id
           WHERE r.user_id = $1 ORDER BY r.created_at"#,
        user_id,
    )
    .fetch_all(db)
    .await?;
    let proposed = sqlx::query_scalar!(
        r#"SELECT jsonb_build_object('titel', v.title, 'slug', v.slug, 'beoordeling', v.review,
                                     'samenvatting', v.summary, 'aangemaakt', v.created_at) AS "row!"
           FROM vraagstukken v WHERE v.proposed_by = $1 ORDER BY v.created_at"#,
        user_id,
    )
    .fetch_all(db)
    .await?;
    let alternatives = sqlx::query_scalar!(
        r#"SELECT jsonb_build_object('vraagstuk', v.slug, 'waarom', a.why, 'beoordeling', a.review,
                                     'aangemaakt', a.created_at) AS "row!"
           FROM vraagstuk_alternatives a JOIN vraagstukken v ON v.id = a.vraagstuk_id
           WHERE a.proposed_by = $1 ORDER BY a.created_at"#,
        user_id,
    )
    .fetch_all(db)
    .await?;
    Ok(serde_json::json!({
        "herkend": recognised,
        "voorgestelde_vraagstukken": proposed,
        "voorgestelde_alternatieven": alternatives,
    }))
}

/// Before an account is deleted (in its transaction): its recognitions no longer count. The
/// rows themselves go with the account (`ON DELETE CASCADE`); proposals stay without a proposer.
pub async fn forget(conn: &mut PgConnection, user_id: i64) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE vraagstukken SET recognitions = recognitions - 1 \
         WHERE id IN (SELECT vraagstuk_id FROM vraagstuk_recognitions WHERE user_id = $1)",
        user_id,
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}
