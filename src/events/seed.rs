//! Demo events for `seed --demo` (written for this project; facts such as the national
//! meeting of 11 November 2026 carried over) and synthetic events for `seed --synthetic N`.
//! Upcoming demo events are dated from the day the seed runs, so they stay upcoming.

use sqlx::{PgConnection, PgPool};
use time::{Duration, OffsetDateTime};

use super::status::{EventForm, EventStatus, QuestionKind, RegistrationStatus};
use crate::text;
use crate::tokens;

struct DemoEvent {
    slug: &'static str,
    title: &'static str,
    summary: &'static str,
    programme_md: &'static str,
    report_md: &'static str,
    /// Local (Amsterdam) start and end: days from today (`None`: the fixed date below), hh:mm.
    days_from_now: Option<i64>,
    fixed_date: &'static str,
    start: &'static str,
    end: &'static str,
    form: EventForm,
    venue: &'static str,
    address: &'static str,
    join_url: &'static str,
    organiser: &'static str,
    level: &'static str,
    capacity: i32,
    /// Demo people with a place (the nearly full event).
    registered: i32,
    themes: &'static [&'static str],
    regions: &'static [&'static str],
    initiatives: &'static [&'static str],
    questions: &'static [(QuestionKind, &'static str, &'static [&'static str])],
}

const EVENTS: &[DemoEvent] = &[
    DemoEvent {
        slug: "landelijke-bijeenkomst-11-november-2026",
        title: "Landelijke bijeenkomst: waar begint de verandering?",
        summary: "Een middag met mensen uit gemeenten, onderwijs, jeugdhulp en burgerinitiatieven over de analyse van wat jongeren onnodig in de jeugdzorg brengt, en over waar de beweging nu moet beginnen.",
        programme_md: "- **13.00 uur** Ontvangst en opening\n- **13.30 uur** De analyse in het kort: wat zien we?\n- **14.15 uur** Gesprekstafels per niveau: uitvoerend, bestuurlijk, beleidsmatig en politiek\n- **16.00 uur** Wat nemen we mee, en wie doet mee?\n- **16.45 uur** Afsluiting",
        report_md: "Ruim honderd mensen uit het hele land bespraken de analyse. De herkenning was groot: veel jongeren komen in de jeugdzorg terecht omdat het gewone leven om hen heen te weinig ruimte en steun biedt.\n\nAan de tafels kwamen drie vertrekpunten naar voren:\n\n1. begin bij gemeenten en samenwerkingsverbanden, niet alleen bij zorgaanbieders;\n2. maak ruimte voor burgerinitiatieven in de wijk;\n3. leg vast wat werkt, zodat regio's van elkaar leren.\n\nVeel aanwezigen gaven aan zelf een rol te willen spelen bij de verdere opbouw van de beweging. De beelden en een uitgebreider verslag volgen in de nieuwsbrief.",
        days_from_now: None,
        fixed_date: "2026-11-11",
        start: "13:00",
        end: "17:00",
        form: EventForm::OpLocatie,
        venue: "Stadsschouwburg Utrecht",
        address: "Lucasbolwerk 24, Utrecht",
        join_url: "",
        organiser: "Beweging Brede Blik",
        level: "beleidsmatig",
        capacity: 150,
        registered: 0,
        themes: &["gewone-leven", "ontschotting"],
        regions: &[],
        initiatives: &["radicale-vernieuwing-jeugdzorg", "beweging-brede-blik"],
        questions: &[],
    },
    DemoEvent {
        slug: "leerdag-onderwijs-en-zorg-in-een-team",
        title: "Leerdag: onderwijs en zorg in één team",
        summary: "Inspiratieregio's laten zien hoe leerkrachten, jeugdprofessionals en ouders samen optrekken rond de school. Met werkplaatsen in kleine groepen.",
        programme_md: "Na een korte opening gaat u in **twee werkplaatsen** aan de slag met een vraag uit uw eigen praktijk. We sluiten af met een gezamenlijke lunch.",
        report_md: "",
        days_from_now: Some(21),
        fixed_date: "",
        start: "09:30",
        end: "13:00",
        form: EventForm::OpLocatie,
        venue: "Brede school De Regenboog",
        address: "Schoolstraat 1, Zwolle",
        join_url: "",
        organiser: "Inspiratieregio IJsselland",
        level: "uitvoerend",
        capacity: 12,
        registered: 11,
        themes: &["samenwerken-onderwijs-zorg", "passend-onderwijs"],
        regions: &["JZ14"],
        initiatives: &["jeugdprofessional-in-de-school"],
        questions: &[
            (
                QuestionKind::Keuze,
                "Aan welke werkplaats doet u mee?",
                &["Werkplaats A: de school als vindplaats", "Werkplaats B: ouders als partner"],
            ),
            (QuestionKind::Tekst, "Welke vraag uit uw praktijk neemt u mee?", &[]),
        ],
    },
    DemoEvent {
        slug: "online-sessie-ontschotting-in-de-praktijk",
        title: "Online sessie: ontschotting in de praktijk",
        summary: "Anderhalf uur online met twee gemeenten die budgetten en teams samenvoegden rond gezinnen. Wat hielp, wat stond in de weg?",
        programme_md: "Twee korte verhalen uit de praktijk, daarna vragen en gesprek in kleine groepen. U heeft alleen een browser nodig.",
        report_md: "",
        days_from_now: Some(10),
        fixed_date: "",
        start: "15:30",
        end: "17:00",
        form: EventForm::Online,
        venue: "",
        address: "",
        join_url: "https://vergaderen.example.org/brede-blik-ontschotting",
        organiser: "Brede Blik",
        level: "bestuurlijk",
        capacity: 100,
        registered: 0,
        themes: &["ontschotting"],
        regions: &[],
        initiatives: &[],
        questions: &[],
    },
    DemoEvent {
        slug: "regionale-leertafel-wijkgericht-werken",
        title: "Regionale leertafel: wijkgericht werken",
        summary: "Professionals en bewoners uit de wijk bespreken hoe hulp dichtbij het gewone leven blijft. Op locatie, en online te volgen.",
        programme_md: "Een leertafel rond drie vragen uit de wijk. Wie online meedoet, kan vragen stellen via de chat.",
        report_md: "",
        days_from_now: Some(45),
        fixed_date: "",
        start: "19:00",
        end: "21:00",
        form: EventForm::Hybride,
        venue: "Wijkcentrum De Ontmoeting",
        address: "Marktplein 5, Groningen",
        join_url: "https://vergaderen.example.org/leertafel-wijk",
        organiser: "Inspiratieregio Groningen",
        level: "uitvoerend",
        capacity: 40,
        registered: 0,
        themes: &["wijkgericht-werken", "ouders-en-gezin"],
        regions: &["JZ01"],
        initiatives: &[],
        questions: &[(QuestionKind::Tekst, "Heeft u iets nodig om goed mee te kunnen doen?", &[])],
    },
];

const DEMO_PEOPLE: &[(&str, &str)] = &[
    ("Anouk Verhoeven", "Basisschool De Linde"),
    ("Youssef El Amrani", "Wijkteam Zwolle-Zuid"),
    ("Marieke Dijkstra", "GGD IJsselland"),
    ("Thomas de Graaf", "Gemeente Zwolle"),
    ("Fatma Yilmaz", "Kinderopvang Het Nest"),
    ("Jeroen Postma", "Samenwerkingsverband passend onderwijs"),
    ("Ilse van Dam", "Jeugdhulp IJssel"),
    ("Ruben Kok", "Gemeente Kampen"),
    ("Sanne Hoekstra", "Ouderplatform"),
    ("Bas Willems", "Basisschool Het Kompas"),
    ("Noor Bakker", "Wijkteam Deventer"),
];

fn local(date: &str, time: &str) -> anyhow::Result<OffsetDateTime> {
    text::from_amsterdam_local(&format!("{date}T{time}"))
        .ok_or_else(|| anyhow::anyhow!("bad demo time {date} {time}"))
}

/// Adds the demo events (by slug: existing ones stay as they are).
pub async fn demo(tx: &mut PgConnection) -> anyhow::Result<()> {
    let today = text::amsterdam(OffsetDateTime::now_utc()).date();
    for e in EVENTS {
        let date = match e.days_from_now {
            Some(days) => (today + Duration::days(days)).to_string(),
            None => e.fixed_date.to_owned(),
        };
        let (starts_at, ends_at) = (local(&date, e.start)?, local(&date, e.end)?);
        let id = sqlx::query_scalar!(
            "INSERT INTO events (slug, title, summary, programme_md, report_md, starts_at, ends_at, form, venue, address, \
                                 join_url, organiser, level_id, capacity, status, published_at, registration_deadline) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, (SELECT id FROM levels WHERE slug = $13), $14, $15, \
                     now(), $6::timestamptz - interval '1 day') \
             ON CONFLICT (slug) DO NOTHING RETURNING id",
            e.slug,
            e.title,
            e.summary,
            e.programme_md,
            e.report_md,
            starts_at,
            ends_at,
            e.form as EventForm,
            e.venue,
            e.address,
            e.join_url,
            e.organiser,
            e.level,
            e.capacity,
            EventStatus::Gepubliceerd as EventStatus,
        )
        .fetch_optional(&mut *tx)
        .await?;
        let Some(id) = id else { continue };
        let themes: Vec<String> = e.themes.iter().map(|s| s.to_string()).collect();
        sqlx::query!("INSERT INTO event_themes SELECT $1, id FROM themes WHERE slug = ANY($2)", id, &themes)
            .execute(&mut *tx)
            .await?;
        let regions: Vec<String> = e.regions.iter().map(|s| s.to_string()).collect();
        sqlx::query!(
            "INSERT INTO event_regions SELECT $1, id FROM regions WHERE code = ANY($2)",
            id,
            &regions
        )
        .execute(&mut *tx)
        .await?;
        let initiatives: Vec<String> = e.initiatives.iter().map(|s| s.to_string()).collect();
        sqlx::query!(
            "INSERT INTO event_initiatives SELECT $1, id FROM initiatives WHERE slug = ANY($2)",
            id,
            &initiatives
        )
        .execute(&mut *tx)
        .await?;
        for (position, (kind, label, choices)) in e.questions.iter().enumerate() {
            let choices: Vec<String> = choices.iter().map(|s| s.to_string()).collect();
            sqlx::query!(
                "INSERT INTO event_questions (event_id, position, kind, label, choices) VALUES ($1, $2, $3, $4, $5)",
                id,
                position as i32 + 1,
                *kind as QuestionKind,
                label,
                &choices,
            )
            .execute(&mut *tx)
            .await?;
        }
        for (i, (name, organisation)) in DEMO_PEOPLE.iter().take(e.registered as usize).enumerate() {
            let nonce = tokens::random_hex(16);
            sqlx::query!(
                "INSERT INTO registrations (event_id, name, email, organisation, show_on_list, status, token_nonce, token_hash) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                id,
                name,
                format!("deelnemer{}@voorbeeld.example", i + 1),
                organisation,
                i % 3 != 2,
                RegistrationStatus::Bevestigd as RegistrationStatus,
                nonce,
                // Demo rows get no working link: the hash of a random value nobody holds.
                tokens::hash(&tokens::random_hex(32)),
            )
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query!("UPDATE events SET places_taken = $2 WHERE id = $1", id, e.registered)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

/// Adds `n / 10` (at least one) published events spread over the past and coming year.
pub async fn synthetic(db: &PgPool, n: i64, run: &str) -> anyhow::Result<()> {
    let count = (n / 10).max(1);
    sqlx::query!(
        "INSERT INTO events (slug, title, summary, starts_at, ends_at, form, venue, organiser, capacity, status, published_at)
         SELECT 'synthetisch-' || $2 || '-' || g,
                (ARRAY['Leerdag','Werkbijeenkomst','Online sessie','Leertafel'])[1 + g % 4] || ' ' ||
                (ARRAY['gewoon opgroeien','school en wijk','ouders als partner','snelle hulp'])[1 + (g / 4) % 4] || ' ' || g,
                'Een automatisch aangemaakte bijeenkomst om het platform met veel gegevens te testen.',
                date_trunc('hour', now()) + ((g * 37) % 730 - 365) * interval '1 day',
                date_trunc('hour', now()) + ((g * 37) % 730 - 365) * interval '1 day' + interval '3 hours',
                (ARRAY[$3, $4, $5])[1 + g % 3], 'Zaal ' || g, 'Brede Blik', 20 + g % 80, $6, now()
         FROM generate_series(1, $1::bigint) AS g",
        count,
        run,
        EventForm::OpLocatie.as_str(),
        EventForm::Online.as_str(),
        EventForm::Hybride.as_str(),
        EventStatus::Gepubliceerd as EventStatus,
    )
    .execute(db)
    .await?;
    let pattern = format!("synthetisch-{run}-%");
    sqlx::query!(
        "INSERT INTO event_themes SELECT e.id, t.id FROM events e JOIN themes t ON (e.id + t.id) % 4 = 0 \
         WHERE e.slug LIKE $1 ON CONFLICT DO NOTHING",
        pattern,
    )
    .execute(db)
    .await?;
    Ok(())
}
