//! Realistic-looking volume, generated inside PostgreSQL so that 100,000 records of each kind
//! take seconds: set-based inserts, no round trip per row.

use sqlx::PgPool;

use crate::catalogue::InitiativeStatus;
use crate::members::{MemberKind, MemberStatus};
use crate::regions::RegionKind;

/// Adds `n` published initiatives, `n` public members and `n` publications, tagged and spread over the
/// municipalities. Slugs carry a run id so the command can be repeated.
pub async fn synthetic(db: &PgPool, n: i64) -> anyhow::Result<()> {
    anyhow::ensure!(n > 0, "N moet groter dan 0 zijn");
    anyhow::ensure!(n <= 5_000_000, "N mag hoogstens 5.000.000 zijn");
    super::themes(db).await?;
    let run = crate::tokens::random_hex(3);
    let mut tx = db.begin().await?;
    sqlx::query!(
        "WITH municipalities AS (SELECT array_agg(id ORDER BY id) AS ids, array_agg(name ORDER BY id) AS names, count(*)::int AS n
                                 FROM regions WHERE kind = $4)
         INSERT INTO initiatives (slug, name, summary, description_md, region_id, status, featured, created_at, updated_at, published_at)
         SELECT 'synthetisch-' || $2 || '-' || g,
                (ARRAY['Samen','Buurt','Brede','Gewoon','Sterk','Thuis','Open','Wijk'])[1 + g % 8] || ' ' ||
                (ARRAY['opgroeien','school','spelen','leren','ouders','jongeren','kansen','netwerk','zorg','talent'])[1 + (g / 8) % 10] || ' ' || g,
                'Een voorbeeldinitiatief over ' ||
                (ARRAY['samenwerking tussen school en wijkteam','ouders die elkaar steunen','sport en spel in de buurt',
                       'jongeren die meedenken','kinderopvang als ontmoetingsplek','minder wachtlijsten door snelle hulp'])[1 + g % 6]
                || ' in de gemeente ' || r.names[(1 + (g * 7919) % r.n)::int] || '.',
                'Dit initiatief is automatisch aangemaakt om het platform met veel gegevens te testen. ' ||
                'Het laat zien hoe ' || (ARRAY['leerkrachten','jeugdartsen','buurtwerkers','ouders','jongeren'])[1 + g % 5] ||
                ' samen optrekken rond het gewone leven van kinderen.',
                r.ids[(1 + (g * 7919) % r.n)::int], $3, false,
                now() - (g % 2000) * interval '1 day', now() - (g % 2000) * interval '1 day', now() - (g % 2000) * interval '1 day'
         FROM generate_series(1, $1::bigint) AS g, municipalities r",
        n,
        run,
        InitiativeStatus::Gepubliceerd as InitiativeStatus,
        RegionKind::Gemeente as RegionKind,
    )
    .execute(&mut *tx)
    .await?;
    let pattern = format!("synthetisch-{run}-%");
    // Tags every new initiative with a spread of terms, in one statement over the run's rows.
    sqlx::query!(
        "WITH run AS (SELECT id FROM initiatives WHERE slug LIKE $1),
              t AS (INSERT INTO initiative_themes SELECT r.id, t.id FROM run r JOIN themes t ON (r.id + t.id) % 3 = 0
                    ON CONFLICT DO NOTHING),
              d AS (INSERT INTO initiative_domains SELECT r.id, d.id FROM run r JOIN domains d ON (r.id + d.id) % 4 = 0
                    ON CONFLICT DO NOTHING),
              l AS (INSERT INTO initiative_levels SELECT r.id, l.id FROM run r JOIN levels l ON (r.id + l.id) % 2 = 0
                    ON CONFLICT DO NOTHING)
         INSERT INTO initiative_age_groups SELECT r.id, a.id FROM run r JOIN age_groups a ON (r.id * 3 + a.id) % 2 = 0
         ON CONFLICT DO NOTHING",
        pattern,
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "WITH municipalities AS (SELECT array_agg(id ORDER BY id) AS ids, count(*)::int AS n FROM regions WHERE kind = $3)
         INSERT INTO members (slug, name, kind, organisation, role, region_id, offer, ask, public_profile, status)
         SELECT 'synthetisch-' || $2 || '-' || g,
                (ARRAY['Anna','Bram','Charlotte','Daan','Emma','Finn','Hanna','Jesse','Lotte','Milan'])[1 + g % 10] || ' ' ||
                (ARRAY['de Vries','Jansen','Bakker','Visser','Smit','Meijer','de Boer','Mulder'])[1 + (g / 10) % 8] || ' ' || g,
                CASE WHEN g % 4 = 0 THEN $4 ELSE $5 END,
                (ARRAY['Basisschool De Linde','Wijkteam Centrum','GGD','Kinderopvang Het Nest','Gemeente'])[1 + g % 5],
                (ARRAY['leerkracht','wijkcoach','jeugdarts','pedagogisch medewerker','beleidsadviseur'])[1 + g % 5],
                r.ids[(1 + (g * 104729) % r.n)::int], 'Ervaring met samenwerken over grenzen van organisaties heen.',
                'Collega''s die dezelfde vragen hebben.', g % 10 <> 0, $6
         FROM generate_series(1, $1::bigint) AS g, municipalities r",
        n,
        run,
        RegionKind::Gemeente as RegionKind,
        MemberKind::Organisatie as MemberKind,
        MemberKind::Persoon as MemberKind,
        MemberStatus::Goedgekeurd as MemberStatus,
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "INSERT INTO member_themes SELECT m.id, t.id FROM members m JOIN themes t ON (m.id + t.id) % 3 = 0 \
         WHERE m.slug LIKE $1 ON CONFLICT DO NOTHING",
        pattern,
    )
    .execute(&mut *tx)
    .await?;
    crate::kennisbank::seed::synthetic(&mut tx, n, &run).await?;
    crate::vraagstukken::seed::synthetic(&mut tx, n, &run).await?;
    crate::opbrengsten::seed::synthetic(&mut tx, n, &run).await?;
    tx.commit().await?;
    crate::events::seed::synthetic(db, n, &run).await?;
    crate::kennisbank::seed::analyze(db).await?;
    sqlx::query!("ANALYZE initiatives").execute(db).await?;
    sqlx::query!("ANALYZE members").execute(db).await?;
    Ok(())
}
