//! Demo lessons for `seed --demo` (two inspiratieregio's, linked to the demo vraagstukken and
//! initiatives) and synthetic ones for `seed --synthetic N`.

use sqlx::PgConnection;

use super::LessonKind;
use super::Review;
use crate::catalogue::InitiativeStatus;
use crate::regions::RegionKind;

struct DemoLesson {
    slug: &'static str,
    region: &'static str,
    title: &'static str,
    kind: LessonKind,
    body_md: &'static str,
    happened_on: &'static str,
    vraagstukken: &'static [&'static str],
    initiatives: &'static [&'static str],
}

const LESSONS: &[DemoLesson] = &[
    DemoLesson {
        slug: "doorbraaktafel-werkt-als-het-gezin-aan-tafel-zit",
        region: "JZ35",
        title: "De doorbraaktafel werkt als het gezin zelf aan tafel zit",
        kind: LessonKind::Werkt,
        body_md: "In de eerste twintig casussen kwam een oplossing het snelst als ouders en jongere zelf aanschoven. Zonder hen ging het gesprek weer over regels.",
        happened_on: "2024-03-14",
        vraagstukken: &["beslissingen-over-de-hoofden-van-gezinnen"],
        initiatives: &["doorbraaktafel-hart-van-brabant"],
    },
    DemoLesson {
        slug: "zonder-mandaat-geen-doorbraak",
        region: "JZ35",
        title: "Zonder mandaat over budgetten geen doorbraak",
        kind: LessonKind::Voorwaarde,
        body_md: "De tafel kan alleen regels opzij zetten als de wethouders vooraf een eigen budget en mandaat hebben gegeven. Waar dat ontbrak, bleef het bij adviezen.",
        happened_on: "2024-09-02",
        vraagstukken: &["protocollen-en-regels-gaan-voor"],
        initiatives: &["doorbraaktafel-hart-van-brabant"],
    },
    DemoLesson {
        slug: "vaste-jeugdprofessional-scheelt-verwijzingen",
        region: "GM0193",
        title: "Een vast gezicht in de school scheelt verwijzingen",
        kind: LessonKind::Werkt,
        body_md: "Leerkrachten stappen eerder binnen bij de jeugdprofessional die zij kennen. Vragen worden kleiner opgelost, en er gaan minder kinderen naar specialistische hulp.",
        happened_on: "2024-06-20",
        vraagstukken: &["schuiven-met-verantwoordelijkheden"],
        initiatives: &["jeugdprofessional-in-de-school"],
    },
    DemoLesson {
        slug: "spreekuur-alleen-trekt-weinig-ouders",
        region: "GM0193",
        title: "Een spreekuur alleen trekt weinig ouders",
        kind: LessonKind::WerktNiet,
        body_md: "Een vast spreekuur op school bleef vaak leeg. Ouders kwamen wel bij het schoolplein en bij de koffieochtend: de professional moet naar hen toe.",
        happened_on: "2025-01-15",
        vraagstukken: &["beslissingen-over-de-hoofden-van-gezinnen"],
        initiatives: &["jeugdprofessional-in-de-school"],
    },
];

/// Adds the demo lessons (after the demo vraagstukken); ones that exist (by slug) stay as they are.
pub async fn demo(conn: &mut PgConnection) -> anyhow::Result<()> {
    for l in LESSONS {
        let happened_on =
            time::Date::parse(l.happened_on, &time::macros::format_description!("[year]-[month]-[day]"))?;
        let id = sqlx::query_scalar!(
            "INSERT INTO lessons (slug, region_id, title, kind, body_md, happened_on, review)
             SELECT $1, r.id, $3, $4, $5, $6, $7 FROM regions r WHERE r.code = $2
             ON CONFLICT (slug) DO NOTHING RETURNING id",
            l.slug,
            l.region,
            l.title,
            l.kind as LessonKind,
            l.body_md,
            happened_on,
            Review::Gepubliceerd as Review,
        )
        .fetch_optional(&mut *conn)
        .await?;
        let Some(id) = id else { continue };
        let vraagstukken: Vec<String> = l.vraagstukken.iter().map(|s| s.to_string()).collect();
        sqlx::query!(
            "INSERT INTO lesson_vraagstukken SELECT $1, id FROM vraagstukken WHERE slug = ANY($2)",
            id,
            &vraagstukken
        )
        .execute(&mut *conn)
        .await?;
        let initiatives: Vec<String> = l.initiatives.iter().map(|s| s.to_string()).collect();
        sqlx::query!(
            "INSERT INTO lesson_initiatives SELECT $1, id FROM initiatives WHERE slug = ANY($2)",
            id,
            &initiatives
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// `n` synthetic lessons spread over the inspiratieregio's (the jeugdregio's when there are
/// none), each linked to a published vraagstuk and initiative.
pub async fn synthetic(conn: &mut PgConnection, n: i64, run: &str) -> anyhow::Result<()> {
    let kinds: Vec<String> = LessonKind::ALL.iter().map(|k| k.as_str().to_owned()).collect();
    sqlx::query!(
        "WITH r AS (SELECT array_agg(id ORDER BY id) AS ids, count(*) AS n FROM regions
                    WHERE is_inspiration OR (kind = $5 AND NOT EXISTS (SELECT 1 FROM regions WHERE is_inspiration)))
         INSERT INTO lessons (slug, region_id, title, kind, body_md, happened_on, review)
         SELECT 'synthetisch-' || $2 || '-' || g, r.ids[(1 + g % r.n)::int],
                (ARRAY['Samen aan tafel','Een vast gezicht','Ruimte voor maatwerk','Budget volgt het kind','Eerst luisteren'])[1 + g % 5]
                || ' ' || g,
                ($3::text[])[1 + g % cardinality($3::text[])],
                'Een voorbeeldles, automatisch aangemaakt om het platform met veel gegevens te testen.',
                current_date - (g % 1500)::int, $4
         FROM generate_series(1, $1::bigint) AS g, r WHERE r.n > 0",
        n,
        run,
        &kinds,
        Review::Gepubliceerd as Review,
        RegionKind::Jeugdregio as RegionKind,
    )
    .execute(&mut *conn)
    .await?;
    let pattern = format!("synthetisch-{run}-%");
    // Links every new lesson to one published vraagstuk and one published initiative, spread
    // over them by a stride (k-th lesson to the (k * 7919 mod n)-th target).
    sqlx::query!(
        "WITH synthetic AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM lessons WHERE slug LIKE $1),
              vraagstuk AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM vraagstukken
                            WHERE review = $2 AND merged_into IS NULL),
              initiative AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM initiatives WHERE status = $3),
              linked AS (INSERT INTO lesson_vraagstukken (lesson_id, vraagstuk_id)
                         SELECT l.id, v.id FROM synthetic l
                         JOIN vraagstuk v ON v.k = (l.k * 7919) % (SELECT NULLIF(count(*), 0) FROM vraagstuk)
                         ON CONFLICT DO NOTHING)
         INSERT INTO lesson_initiatives (lesson_id, initiative_id)
         SELECT l.id, i.id FROM synthetic l
         JOIN initiative i ON i.k = (l.k * 7919) % (SELECT NULLIF(count(*), 0) FROM initiative)
         ON CONFLICT DO NOTHING",
        pattern,
        Review::Gepubliceerd as Review,
        InitiativeStatus::Gepubliceerd as InitiativeStatus,
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!("ANALYZE lessons").execute(&mut *conn).await?;
    Ok(())
}
