//! Demo content for Verbinden: some demo members chose to be suggested, and three of them
//! (with an account of their own, without a password until they ask for one) to receive
//! messages, so a newcomer sees suggestions with reasons on `/account` and profiles.

use sqlx::PgConnection;

/// Demo members who may be suggested to other members.
pub const FINDABLE: &[&str] = &[
    "marloes-bakhuis",
    "jeroen-tammeling",
    "aylin-kocaman",
    "ruben-oosterhof",
    "kinderopvang-de-boomhut",
    "hanneke-vos",
    "jolanda-brouwer",
    "youssef-amrani",
];

/// Of those, the ones other members may write to (relayed to `<slug>@leden.bredeblik.example`).
pub const CONTACTABLE: &[&str] = &["marloes-bakhuis", "jeroen-tammeling", "youssef-amrani"];

pub async fn demo(conn: &mut PgConnection) -> anyhow::Result<()> {
    let findable: Vec<String> = FINDABLE.iter().map(|s| s.to_string()).collect();
    sqlx::query!("UPDATE members SET suggestable = true WHERE slug = ANY($1) AND NOT suggestable", &findable)
        .execute(&mut *conn)
        .await?;
    for slug in CONTACTABLE {
        sqlx::query!(
            "WITH account AS (
                 INSERT INTO users (email, email_confirmed_at) SELECT $1 || '@leden.bredeblik.example', now()
                 WHERE EXISTS (SELECT 1 FROM members WHERE slug = $1 AND user_id IS NULL)
                 ON CONFLICT DO NOTHING RETURNING id)
             UPDATE members SET user_id = account.id, accepts_messages = true FROM account WHERE slug = $1",
            slug,
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
