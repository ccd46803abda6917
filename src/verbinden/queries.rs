//! What the rule compares, read from the database: members, initiatives and vraagstukken as
//! [`rule::Profile`]s, and the candidates a member may be shown. Who may be suggested is
//! decided here, in the SQL: approved, public profile, chose to be suggested, not the viewer,
//! not dismissed by the viewer.

use std::collections::HashMap;

use sqlx::PgPool;

use super::rule::{Named, Place, Profile};
use super::{CountKind, ReportStatus};
use crate::catalogue::InitiativeStatus;
use crate::members::MemberStatus;
use crate::regions::RegionKind;

/// How many candidates the rule looks at per list: those sharing the most themes first.
const CANDIDATES: i64 = 300;

/// A member or an initiative the rule may suggest, with what it shows on a card.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub id: i64,
    pub slug: String,
    pub name: String,
    /// The organisation (members) or the summary (initiatives).
    pub line: String,
    pub profile: Profile,
}

fn named<K>(keys: Vec<K>, names: Vec<String>) -> Vec<Named<K>> {
    keys.into_iter().zip(names).map(|(key, name)| Named { key, name }).collect()
}

/// A candidate as the queries return it: its card and its terms, keys and names in two
/// arrays of one order.
struct CandidateRow {
    id: i64,
    slug: String,
    name: String,
    line: String,
    region_id: Option<i32>,
    theme_keys: Vec<String>,
    theme_names: Vec<String>,
    level_keys: Vec<String>,
    level_names: Vec<String>,
    vraagstuk_keys: Vec<i64>,
    vraagstuk_names: Vec<String>,
}

/// The places of these regions, by region id.
async fn places(db: &PgPool, ids: &[i32]) -> sqlx::Result<HashMap<i32, Place>> {
    let rows = sqlx::query!(
        r#"SELECT r.id AS "id!", r.kind AS "kind!: RegionKind", r.code AS "code!", r.name AS "name!", j.id AS "j_id?", j.name AS "j_name?", p.id AS "p_id?", p.name AS "p_name?"
           FROM regions r LEFT JOIN regions j ON j.id = r.jeugdregio_id LEFT JOIN regions p ON p.id = r.province_id
           WHERE r.id = ANY($1)"#,
        ids,
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let place = match r.kind {
                RegionKind::Provincie => {
                    Place { province: Some(Named::new(r.id, r.name)), ..Place::default() }
                }
                RegionKind::Jeugdregio => {
                    Place { jeugdregio: Some(Named::new(r.id, r.name)), ..Place::default() }
                }
                RegionKind::Gemeente => Place {
                    municipality: Some(Named::new(r.code, r.name)),
                    jeugdregio: r.j_id.zip(r.j_name).map(|(id, name)| Named::new(id, name)),
                    province: r.p_id.zip(r.p_name).map(|(id, name)| Named::new(id, name)),
                },
            };
            (r.id, place)
        })
        .collect())
}

/// The candidates of these rows, with the places of their regions.
async fn candidates(db: &PgPool, rows: Vec<CandidateRow>) -> sqlx::Result<Vec<Candidate>> {
    let ids: Vec<i32> = rows.iter().filter_map(|r| r.region_id).collect();
    let places = places(db, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| Candidate {
            id: r.id,
            slug: r.slug,
            name: r.name,
            line: r.line,
            profile: Profile {
                themes: named(r.theme_keys, r.theme_names),
                places: r.region_id.and_then(|id| places.get(&id).cloned()).into_iter().collect(),
                levels: named(r.level_keys, r.level_names),
                vraagstukken: named(r.vraagstuk_keys, r.vraagstuk_names),
            },
        })
        .collect())
}

/// Members as the rule sees them. `only`: that one member, whatever their choices (the
/// subject of a page, or the viewer). Otherwise the findable members for `viewer`, those
/// sharing most of `themes` first.
async fn members(
    db: &PgPool,
    only: Option<i64>,
    viewer: Option<i64>,
    themes: &[String],
) -> sqlx::Result<Vec<Candidate>> {
    let rows = sqlx::query_as!(
        CandidateRow,
        r#"SELECT m.id, m.slug, m.name, m.organisation AS line, m.region_id,
                  ARRAY(SELECT t.slug FROM member_themes l JOIN themes t ON t.id = l.theme_id
                        WHERE l.member_id = m.id ORDER BY t.id) AS "theme_keys!",
                  ARRAY(SELECT t.name FROM member_themes l JOIN themes t ON t.id = l.theme_id
                        WHERE l.member_id = m.id ORDER BY t.id) AS "theme_names!",
                  ARRAY(SELECT lv.slug FROM levels lv WHERE EXISTS (SELECT 1 FROM initiatives i
                        JOIN initiative_levels il ON il.initiative_id = i.id
                        WHERE il.level_id = lv.id AND i.owner_id = m.id AND i.status = $5) ORDER BY lv.id) AS "level_keys!",
                  ARRAY(SELECT lv.name FROM levels lv WHERE EXISTS (SELECT 1 FROM initiatives i
                        JOIN initiative_levels il ON il.initiative_id = i.id
                        WHERE il.level_id = lv.id AND i.owner_id = m.id AND i.status = $5) ORDER BY lv.id) AS "level_names!",
                  ARRAY(SELECT v.id FROM vraagstuk_recognitions r JOIN vraagstukken v ON v.id = r.vraagstuk_id
                        WHERE r.user_id = m.user_id AND v.review = $5 ORDER BY v.id) AS "vraagstuk_keys!",
                  ARRAY(SELECT v.title FROM vraagstuk_recognitions r JOIN vraagstukken v ON v.id = r.vraagstuk_id
                        WHERE r.user_id = m.user_id AND v.review = $5 ORDER BY v.id) AS "vraagstuk_names!"
           FROM members m
           WHERE CASE WHEN $1::bigint IS NOT NULL THEN m.id = $1
                 ELSE m.status = $4 AND m.public_profile AND m.suggestable
                      AND ($2::bigint IS NULL OR m.user_id IS DISTINCT FROM $2)
                      AND NOT EXISTS (SELECT 1 FROM suggestion_dismissals d WHERE d.user_id = $2 AND d.member_id = m.id)
                 END
           ORDER BY (SELECT count(*) FROM member_themes l JOIN themes t ON t.id = l.theme_id
                     WHERE l.member_id = m.id AND t.slug = ANY($3)) DESC, m.id
           LIMIT $6"#,
        only,
        viewer,
        themes,
        MemberStatus::Goedgekeurd as MemberStatus,
        InitiativeStatus::Gepubliceerd as InitiativeStatus,
        CANDIDATES,
    )
    .fetch_all(db)
    .await?;
    candidates(db, rows).await
}

/// Published initiatives as the rule sees them; `only` and `viewer` as for [`members`]
/// (the viewer's own initiatives and those they dismissed are left out).
async fn initiatives(
    db: &PgPool,
    only: Option<i64>,
    viewer: Option<i64>,
    themes: &[String],
) -> sqlx::Result<Vec<Candidate>> {
    let rows = sqlx::query_as!(
        CandidateRow,
        r#"SELECT i.id, i.slug, i.name, i.summary AS line, i.region_id,
                  ARRAY(SELECT t.slug FROM initiative_themes l JOIN themes t ON t.id = l.theme_id
                        WHERE l.initiative_id = i.id ORDER BY t.id) AS "theme_keys!",
                  ARRAY(SELECT t.name FROM initiative_themes l JOIN themes t ON t.id = l.theme_id
                        WHERE l.initiative_id = i.id ORDER BY t.id) AS "theme_names!",
                  ARRAY(SELECT lv.slug FROM initiative_levels l JOIN levels lv ON lv.id = l.level_id
                        WHERE l.initiative_id = i.id ORDER BY lv.id) AS "level_keys!",
                  ARRAY(SELECT lv.name FROM initiative_levels l JOIN levels lv ON lv.id = l.level_id
                        WHERE l.initiative_id = i.id ORDER BY lv.id) AS "level_names!",
                  ARRAY(SELECT v.id FROM vraagstuk_alternatives a JOIN vraagstukken v ON v.id = a.vraagstuk_id
                        WHERE a.initiative_id = i.id AND a.review = $4 AND v.review = $4 ORDER BY v.id) AS "vraagstuk_keys!",
                  ARRAY(SELECT v.title FROM vraagstuk_alternatives a JOIN vraagstukken v ON v.id = a.vraagstuk_id
                        WHERE a.initiative_id = i.id AND a.review = $4 AND v.review = $4 ORDER BY v.id) AS "vraagstuk_names!"
           FROM initiatives i
           WHERE i.status = $4 AND CASE WHEN $1::bigint IS NOT NULL THEN i.id = $1
                 ELSE NOT EXISTS (SELECT 1 FROM members o WHERE o.id = i.owner_id AND o.user_id = $2)
                      AND NOT EXISTS (SELECT 1 FROM suggestion_dismissals d WHERE d.user_id = $2 AND d.initiative_id = i.id)
                      AND EXISTS (SELECT 1 FROM initiative_themes l JOIN themes t ON t.id = l.theme_id
                                  WHERE l.initiative_id = i.id AND t.slug = ANY($3))
                 END
           ORDER BY (SELECT count(*) FROM initiative_themes l JOIN themes t ON t.id = l.theme_id
                     WHERE l.initiative_id = i.id AND t.slug = ANY($3)) DESC, i.published_at DESC NULLS LAST, i.id
           LIMIT $5"#,
        only,
        viewer,
        themes,
        InitiativeStatus::Gepubliceerd as InitiativeStatus,
        CANDIDATES,
    )
    .fetch_all(db)
    .await?;
    candidates(db, rows).await
}

/// The findable members `viewer` may be shown (never the viewer, never dismissed ones).
pub async fn findable_members(
    db: &PgPool,
    viewer: Option<i64>,
    themes: &[String],
) -> sqlx::Result<Vec<Candidate>> {
    members(db, None, viewer, themes).await
}

/// Published initiatives `viewer` may be shown (not their own, not dismissed ones); the viewer
/// may have no account.
pub async fn initiatives_for(
    db: &PgPool,
    viewer: Option<i64>,
    themes: &[String],
) -> sqlx::Result<Vec<Candidate>> {
    initiatives(db, None, viewer, themes).await
}

/// One member as the rule sees them, whatever their choices.
pub async fn member(db: &PgPool, id: i64) -> sqlx::Result<Option<Candidate>> {
    Ok(members(db, Some(id), None, &[]).await?.pop())
}

/// The member profile of a user, if they have one.
pub async fn member_of_user(db: &PgPool, user_id: i64) -> sqlx::Result<Option<Candidate>> {
    let id =
        sqlx::query_scalar!("SELECT id FROM members WHERE user_id = $1", user_id).fetch_optional(db).await?;
    match id {
        Some(id) => member(db, id).await,
        None => Ok(None),
    }
}

/// One published initiative as the rule sees it.
pub async fn initiative(db: &PgPool, id: i64) -> sqlx::Result<Option<Candidate>> {
    Ok(initiatives(db, Some(id), None, &[]).await?.pop())
}

/// A published vraagstuk as the rule sees it: its themes, regions, level and itself.
pub async fn vraagstuk(db: &PgPool, id: i64) -> sqlx::Result<Option<Profile>> {
    let row = sqlx::query!(
        r#"SELECT v.title, lv.slug AS level_key, lv.name AS level_name,
                  ARRAY(SELECT t.slug FROM vraagstuk_themes l JOIN themes t ON t.id = l.theme_id
                        WHERE l.vraagstuk_id = v.id ORDER BY t.id) AS "theme_keys!",
                  ARRAY(SELECT t.name FROM vraagstuk_themes l JOIN themes t ON t.id = l.theme_id
                        WHERE l.vraagstuk_id = v.id ORDER BY t.id) AS "theme_names!",
                  ARRAY(SELECT region_id FROM vraagstuk_regions WHERE vraagstuk_id = v.id) AS "regions!"
           FROM vraagstukken v JOIN levels lv ON lv.id = v.level_id WHERE v.id = $1"#,
        id,
    )
    .fetch_optional(db)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let places = places(db, &row.regions).await?;
    Ok(Some(Profile {
        themes: named(row.theme_keys, row.theme_names),
        places: row.regions.iter().filter_map(|id| places.get(id).cloned()).collect(),
        levels: vec![Named::new(row.level_key, row.level_name)],
        vraagstukken: vec![Named::new(id, row.title)],
    }))
}

/// "Niet relevant": remembered per viewer, for a member or an initiative. False when it was
/// already dismissed.
pub async fn dismiss(
    db: &PgPool,
    user_id: i64,
    member: Option<i64>,
    initiative: Option<i64>,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "INSERT INTO suggestion_dismissals (user_id, member_id, initiative_id) \
         SELECT $1, (SELECT id FROM members WHERE id = $2), (SELECT id FROM initiatives WHERE id = $3) \
         WHERE num_nonnulls((SELECT id FROM members WHERE id = $2), (SELECT id FROM initiatives WHERE id = $3)) = 1 \
         ON CONFLICT DO NOTHING",
        user_id,
        member,
        initiative,
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Adds `n` to today's count of `kind` (shown, followed, dismissed, contact).
pub async fn count(db: impl sqlx::PgExecutor<'_>, kind: CountKind, n: i64) -> sqlx::Result<()> {
    if n == 0 {
        return Ok(());
    }
    sqlx::query!(
        "INSERT INTO suggestion_counts (kind, count) VALUES ($1, $2) \
         ON CONFLICT (day, kind) DO UPDATE SET count = suggestion_counts.count + EXCLUDED.count",
        kind as CountKind,
        n,
    )
    .execute(db)
    .await?;
    Ok(())
}

/// The totals per kind, over all days.
pub async fn totals(db: &PgPool) -> sqlx::Result<Vec<(CountKind, i64)>> {
    let rows = sqlx::query!(
        r#"SELECT kind AS "kind: CountKind", sum(count)::bigint AS "total!" FROM suggestion_counts GROUP BY kind"#
    )
    .fetch_all(db)
    .await?;
    Ok(CountKind::ALL
        .iter()
        .map(|kind| (*kind, rows.iter().find(|r| r.kind == *kind).map_or(0, |r| r.total)))
        .collect())
}

/// Whether the user's member profile may be suggested to others.
pub async fn is_suggestable(db: &PgPool, user_id: i64) -> sqlx::Result<bool> {
    let found = sqlx::query_scalar!(
        "SELECT suggestable AND public_profile AND status = $2 FROM members WHERE user_id = $1",
        user_id,
        MemberStatus::Goedgekeurd as MemberStatus,
    )
    .fetch_optional(db)
    .await?;
    Ok(found.flatten().unwrap_or(false))
}

/// Whether a coordinator blocked this user from the relay.
pub async fn is_blocked(db: &PgPool, user_id: i64) -> sqlx::Result<bool> {
    let found = sqlx::query_scalar!("SELECT 1 AS one FROM relay_blocks WHERE user_id = $1", user_id)
        .fetch_optional(db)
        .await?;
    Ok(found.is_some())
}

/// Who writes: an approved member, as the mail names them.
pub struct Sender {
    pub name: String,
    pub organisation: String,
    /// The slug of their public profile, if it is public.
    pub public_slug: Option<String>,
}

pub async fn sender(db: &PgPool, user_id: i64) -> sqlx::Result<Option<Sender>> {
    let row = sqlx::query!(
        "SELECT name, organisation, slug, public_profile FROM members WHERE user_id = $1 AND status = $2",
        user_id,
        MemberStatus::Goedgekeurd as MemberStatus,
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| Sender {
        name: r.name,
        organisation: r.organisation,
        public_slug: r.public_profile.then_some(r.slug),
    }))
}

/// The address of a member's account: only ever put in the outbox, never in a page.
pub async fn recipient_address(db: &PgPool, member_id: i64) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!(
        "SELECT u.email FROM members m JOIN users u ON u.id = m.user_id WHERE m.id = $1",
        member_id
    )
    .fetch_optional(db)
    .await
}

/// A relayed message by its report token's hash: id, subject and whether it was reported.
pub async fn message_by_token(db: &PgPool, token_hash: &str) -> sqlx::Result<Option<(i64, String, bool)>> {
    let row = sqlx::query!(
        r#"SELECT m.id, m.subject, EXISTS (SELECT 1 FROM relay_reports r WHERE r.message_id = m.id) AS "reported!"
           FROM relay_messages m WHERE m.report_token_hash = $1"#,
        token_hash,
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| (r.id, r.subject, r.reported)))
}

/// Records a report; false when the message was reported already.
pub async fn report(db: &PgPool, message_id: i64, reason: &str) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "INSERT INTO relay_reports (message_id, reason) VALUES ($1, $2) ON CONFLICT (message_id) DO NOTHING",
        message_id,
        reason,
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// What a user's data export holds of Verbinden: dismissed suggestions and sent messages.
/// (The two choices are columns of the member profile, exported with it.)
pub async fn export(db: &PgPool, user_id: i64) -> sqlx::Result<serde_json::Value> {
    let dismissed = sqlx::query_scalar!(
        r#"SELECT jsonb_build_object('lid', m.name, 'initiatief', i.name, 'op', d.created_at) AS "row!"
           FROM suggestion_dismissals d LEFT JOIN members m ON m.id = d.member_id
           LEFT JOIN initiatives i ON i.id = d.initiative_id WHERE d.user_id = $1 ORDER BY d.created_at"#,
        user_id,
    )
    .fetch_all(db)
    .await?;
    let sent = sqlx::query_scalar!(
        r#"SELECT jsonb_build_object('aan', m.name, 'onderwerp', r.subject, 'bericht', r.body, 'verstuurd', r.created_at)
                  AS "row!"
           FROM relay_messages r JOIN members m ON m.id = r.recipient_id WHERE r.sender_id = $1 ORDER BY r.created_at"#,
        user_id,
    )
    .fetch_all(db)
    .await?;
    Ok(serde_json::json!({ "niet_relevant": dismissed, "verstuurde_berichten": sent }))
}

/// An open report, with the message it is about and who sent it.
pub struct OpenReport {
    pub id: i64,
    pub reported_at: time::OffsetDateTime,
    pub reason: String,
    pub subject: String,
    pub body: String,
    pub sender_email: String,
    pub sender_blocked: bool,
}

impl OpenReport {
    pub fn date(&self) -> String {
        crate::text::date_nl(self.reported_at)
    }
}

pub async fn open_reports(db: &PgPool) -> sqlx::Result<Vec<OpenReport>> {
    let rows = sqlx::query!(
        r#"SELECT r.id, r.created_at, r.reason, m.subject, m.body, u.email,
                  EXISTS (SELECT 1 FROM relay_blocks b WHERE b.user_id = m.sender_id) AS "blocked!"
           FROM relay_reports r JOIN relay_messages m ON m.id = r.message_id JOIN users u ON u.id = m.sender_id
           WHERE r.status = $1 ORDER BY r.created_at"#,
        ReportStatus::Open as ReportStatus,
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| OpenReport {
            id: r.id,
            reported_at: r.created_at,
            reason: r.reason,
            subject: r.subject,
            body: r.body,
            sender_email: r.email,
            sender_blocked: r.blocked,
        })
        .collect())
}

/// Blocked senders: user id, address, since (as a date).
pub async fn blocked(db: &PgPool) -> sqlx::Result<Vec<(i64, String, String)>> {
    let rows = sqlx::query!(
        "SELECT b.user_id, u.email, b.created_at FROM relay_blocks b JOIN users u ON u.id = b.user_id ORDER BY b.created_at"
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| (r.user_id, r.email, crate::text::date_nl(r.created_at))).collect())
}
