//! Demo publications (`seed --demo`, from `data/publications.json`, written for this project)
//! and synthetic volume (`seed --synthetic N`).

use serde::Deserialize;
use sqlx::{PgConnection, PgPool};

use super::PublicationStatus;
use super::cite::Author;
use super::queries::write_authors;
use super::status::{Access, AuthorKind, Licence, PublicationKind};

const DEMO: &str = include_str!("../../data/publications.json");

#[derive(Deserialize)]
struct DemoPublication {
    slug: String,
    title: String,
    series: String,
    year: Option<i16>,
    publisher: String,
    kind: PublicationKind,
    abstract_md: String,
    access: Access,
    url: String,
    licence: Licence,
    authors: Vec<Author>,
    themes: Vec<String>,
    levels: Vec<String>,
    initiatives: Vec<String>,
    related: Vec<String>,
    /// The demo events where it was presented (seeded before the publications).
    #[serde(default)]
    events: Vec<String>,
}

/// Adds the demo publications that do not exist yet (by slug), published and linked to the
/// demo initiatives.
pub async fn demo(conn: &mut PgConnection) -> anyhow::Result<()> {
    let demo: Vec<DemoPublication> = serde_json::from_str(DEMO)?;
    for p in &demo {
        let id = sqlx::query_scalar!(
            "INSERT INTO publications (slug, title, series, year, publisher, kind, abstract_md, access, url, licence, \
                                       status, published_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, now()) \
             ON CONFLICT (slug) DO NOTHING RETURNING id",
            p.slug,
            p.title,
            p.series,
            p.year,
            p.publisher,
            p.kind as PublicationKind,
            p.abstract_md,
            p.access as Access,
            p.url,
            p.licence as Licence,
            PublicationStatus::Gepubliceerd as PublicationStatus,
        )
        .fetch_optional(&mut *conn)
        .await?;
        let Some(id) = id else { continue };
        write_authors(conn, id, &p.authors).await?;
        sqlx::query!(
            "INSERT INTO publication_themes SELECT $1, id FROM themes WHERE slug = ANY($2)",
            id,
            &p.themes
        )
        .execute(&mut *conn)
        .await?;
        sqlx::query!(
            "INSERT INTO publication_levels SELECT $1, id FROM levels WHERE slug = ANY($2)",
            id,
            &p.levels
        )
        .execute(&mut *conn)
        .await?;
        sqlx::query!(
            "INSERT INTO publication_initiatives SELECT $1, id FROM initiatives WHERE slug = ANY($2)",
            id,
            &p.initiatives
        )
        .execute(&mut *conn)
        .await?;
        sqlx::query!(
            "INSERT INTO publication_events SELECT $1, id FROM events WHERE slug = ANY($2)",
            id,
            &p.events
        )
        .execute(&mut *conn)
        .await?;
    }
    for p in &demo {
        sqlx::query!(
            "INSERT INTO publication_relations (publication_id, related_id) \
             SELECT a.id, b.id FROM publications a, publications b WHERE a.slug = $1 AND b.slug = ANY($2) \
             ON CONFLICT DO NOTHING",
            p.slug,
            &p.related
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Adds `n` published publications with authors (some with a particle), themes, levels and
/// years spread over three decades; slugs carry the run id.
pub async fn synthetic(conn: &mut PgConnection, n: i64, run: &str) -> anyhow::Result<()> {
    let kinds: Vec<String> = PublicationKind::ALL.iter().map(|k| k.as_str().to_owned()).collect();
    sqlx::query!(
        "INSERT INTO publications (slug, title, year, publisher, kind, abstract_md, access, url, status, published_at)
         SELECT 'synthetisch-' || $2 || '-' || g,
                (ARRAY['Opgroeien','Samenwerken','Jeugdhulp','Ouderschap','Onderwijs','Wijkteams','Preventie','Kansen'])[1 + g % 8]
                || ' ' || (ARRAY['in de wijk','rond de school','zonder schotten','met een brede blik','voor elk kind',
                                 'in de praktijk','en gemeenten','na de transitie','dichtbij huis','in beweging'])[1 + (g / 8) % 10]
                || ' ' || g,
                CASE WHEN g % 23 = 0 THEN NULL ELSE (1995 + g % 32)::smallint END,
                (ARRAY['Nederlands Jeugdinstituut','Kennisinstituut Jeugd','Uitgeverij Samen','Hogeschool Noord'])[1 + g % 4],
                ($3::text[])[1 + g % cardinality($3::text[])],
                'Een voorbeeldpublicatie, automatisch aangemaakt om het platform met veel gegevens te testen. Zij gaat over '
                || (ARRAY['samenwerking tussen school en wijkteam','ouders die elkaar steunen','minder wachtlijsten',
                          'jongeren die meedenken','de rol van de kinderopvang','jeugdhulp dichtbij het gewone leven'])[1 + g % 6] || '.',
                $4, 'https://example.org/publicatie/' || g, $5, now() - (g % 2000) * interval '1 day'
         FROM generate_series(1, $1::bigint) AS g",
        n,
        run,
        &kinds,
        Access::Link as Access,
        PublicationStatus::Gepubliceerd as PublicationStatus,
    )
    .execute(&mut *conn)
    .await?;
    let pattern = format!("synthetisch-{run}-%");
    sqlx::query!(
        "INSERT INTO publication_authors (publication_id, position, kind, given_name, particle, family_name)
         SELECT p.id, 0, $2,
                (ARRAY['Anna','Bram','Charlotte','Daan','Emma','Finn','Hanna','Jesse'])[1 + p.id % 8],
                (ARRAY['','van','de','van der','','ter',''])[1 + p.id % 7],
                (ARRAY['Vries','Jansen','Bakker','Berg','Smit','Meijer','Boer','Mulder','Dijk'])[1 + p.id % 9]
         FROM publications p WHERE p.slug LIKE $1",
        pattern,
        AuthorKind::Persoon as AuthorKind,
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "INSERT INTO publication_authors (publication_id, position, kind, family_name)
         SELECT p.id, 1, $2, (ARRAY['Nederlands Jeugdinstituut','Kennisinstituut Jeugd'])[1 + p.id % 2]
         FROM publications p WHERE p.slug LIKE $1 AND p.id % 3 = 0",
        pattern,
        AuthorKind::Organisatie as AuthorKind,
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "UPDATE publications p SET author_names = a.names
         FROM (SELECT publication_id, string_agg(concat_ws(' ', nullif(given_name, ''), nullif(particle, ''), family_name),
                                                 ', ' ORDER BY position) AS names
               FROM publication_authors GROUP BY publication_id) a
         WHERE a.publication_id = p.id AND p.slug LIKE $1",
        pattern,
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "WITH run AS (SELECT id FROM publications WHERE slug LIKE $1),
              t AS (INSERT INTO publication_themes SELECT r.id, t.id FROM run r JOIN themes t ON (r.id + t.id) % 3 = 0
                    ON CONFLICT DO NOTHING)
         INSERT INTO publication_levels SELECT r.id, l.id FROM run r JOIN levels l ON (r.id + l.id) % 2 = 0
         ON CONFLICT DO NOTHING",
        pattern,
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Statistics for the planner after a synthetic run.
pub async fn analyze(db: &PgPool) -> sqlx::Result<()> {
    sqlx::query!("ANALYZE publications").execute(db).await?;
    sqlx::query!("ANALYZE publication_authors").execute(db).await?;
    Ok(())
}
