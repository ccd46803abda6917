//! Demo vraagstukken for `seed --demo`: the six points of the 2021 analysis of Radicale
//! vernieuwing jeugdzorg and the obstacles named in the network's other texts, in this
//! project's own words, each with the demo initiatives (and a publication or event) that answer
//! it. Synthetic ones for `seed --synthetic N`. (The demo lessons are in `opbrengsten::seed`.)

use sqlx::PgConnection;

use super::Review;
use super::status::VraagstukStatus;

struct DemoVraagstuk {
    slug: &'static str,
    title: &'static str,
    summary: &'static str,
    body_md: &'static str,
    level: &'static str,
    status: VraagstukStatus,
    themes: &'static [&'static str],
    /// Region codes.
    regions: &'static [&'static str],
    /// (initiative slug, why it helps).
    initiatives: &'static [(&'static str, &'static str)],
    publications: &'static [(&'static str, &'static str)],
    events: &'static [(&'static str, &'static str)],
}

const ANALYSIS: &str = "Dit is een van de zes punten uit de analyse die Radicale vernieuwing jeugdzorg in 2021 maakte na gesprekken met jongeren, ouders, hulpverleners, gemeenten en samenwerkingsverbanden.";

const VRAAGSTUKKEN: &[DemoVraagstuk] = &[
    DemoVraagstuk {
        slug: "te-weinig-ruimte-om-kind-te-zijn",
        title: "Te weinig ruimte om kind te zijn",
        summary: "Spelen, uitproberen en fouten maken horen bij opgroeien, maar gewoon gedrag wordt snel als probleem gezien.",
        body_md: "Kinderen krijgen steeds minder ruimte om gewoon kind te zijn. Wat vroeger bij opgroeien hoorde, leidt nu sneller tot zorgen, een melding of een verwijzing.\n\nWie het gewone leven sterker maakt — ruimte om te spelen, een buurt die meekijkt — voorkomt dat kinderen onnodig in de jeugdzorg terechtkomen.",
        level: "beleidsmatig",
        status: VraagstukStatus::InGesprek,
        themes: &["gewone-leven", "preventie"],
        regions: &["GM0363"],
        initiatives: &[
            (
                "speelkwartier-noord",
                "Buurtbewoners en jongeren maken samen ruimte om buiten te spelen, dichtbij huis.",
            ),
            (
                "beweging-brede-blik",
                "Zet de kracht van het gewone leven centraal in plaats van het probleem.",
            ),
        ],
        publications: &[(
            "analyse-radicale-vernieuwing-2021",
            "De analyse waarin dit punt voor het eerst werd benoemd.",
        )],
        events: &[(
            "landelijke-bijeenkomst-11-november-2026",
            "Hier is de analyse met het hele land besproken.",
        )],
    },
    DemoVraagstuk {
        slug: "afwijken-mag-niet",
        title: "Afwijken mag niet",
        summary: "Wie anders is of anders leert, past niet in het systeem en wordt doorverwezen in plaats van meegenomen.",
        body_md: "Scholen en voorzieningen zijn ingericht op het gemiddelde kind. Een kind dat anders leert, anders reageert of uit een ander gezin komt, valt daardoor snel buiten de boot.\n\nDe analyse van 2021 noemt dit als een van de redenen dat jongeren in de jeugdzorg belanden terwijl het gewone leven hen had kunnen dragen.",
        level: "uitvoerend",
        status: VraagstukStatus::AlternatiefGevonden,
        themes: &["passend-onderwijs", "kansengelijkheid"],
        regions: &[],
        initiatives: &[
            (
                "samen-naar-school-den-haag",
                "Zoekt voor elk kind een plek op school, ook als het anders gaat dan gemiddeld.",
            ),
            (
                "met-andere-ogen",
                "Leert professionals kijken naar wat een kind kan in plaats van naar wat afwijkt.",
            ),
        ],
        publications: &[],
        events: &[],
    },
    DemoVraagstuk {
        slug: "beslissingen-over-de-hoofden-van-gezinnen",
        title: "Beslissingen over de hoofden van gezinnen heen",
        summary: "Hulpverleners beslissen vaak zonder dat ouders en jongeren echt meepraten over wat er gebeurt.",
        body_md: "Gezinnen vertellen dat er over hen wordt gesproken in plaats van met hen. Plannen worden gemaakt in overleggen waar zij niet bij zijn.\n\nDat ondermijnt het vertrouwen en de eigen kracht van het gezin.",
        level: "uitvoerend",
        status: VraagstukStatus::InGesprek,
        themes: &["ouders-en-gezin"],
        regions: &["JZ35"],
        initiatives: &[
            (
                "doorbraaktafel-hart-van-brabant",
                "Aan de doorbraaktafel zit het gezin zelf en beslist mee over de oplossing.",
            ),
            ("buurtouders-heerlen-noord", "Ouders steunen andere ouders, op voet van gelijkheid."),
        ],
        publications: &[],
        events: &[],
    },
    DemoVraagstuk {
        slug: "weinig-aandacht-voor-de-toekomst-van-jongeren",
        title: "Weinig aandacht voor de toekomst van jongeren",
        summary: "Hulp richt zich op het probleem van nu, niet op waar een jongere over vijf jaar wil staan.",
        body_md: "Rond het achttiende jaar stopt veel hulp abrupt. Werk, wonen en school komen pas in beeld als het al misgaat.\n\nJongeren vragen om steun die met hen meegroeit, ook na hun achttiende.",
        level: "bestuurlijk",
        status: VraagstukStatus::AlternatiefGevonden,
        themes: &["jongerenparticipatie"],
        regions: &["JZ38"],
        initiatives: &[
            (
                "zorgcoach-op-het-mbo",
                "De zorgcoach blijft naast de jongere staan, ook na het achttiende jaar.",
            ),
            ("ervaringsmaatjes", "Jongeren met ervaring helpen anderen vooruit te kijken."),
        ],
        publications: &[],
        events: &[],
    },
    DemoVraagstuk {
        slug: "symptoombestrijding-in-plaats-van-oorzaken",
        title: "Symptoombestrijding in plaats van oorzaken oplossen",
        summary: "Er wordt behandeld wat zichtbaar is, terwijl de oorzaak vaak ligt in geldzorgen, wonen of eenzaamheid.",
        body_md: "Een kind met gedragsproblemen krijgt een behandeling, terwijl thuis de schulden zich opstapelen. Zolang de oorzaak blijft, komt het probleem terug.\n\nWerken met een brede blik betekent kijken naar het hele leven van het gezin.",
        level: "beleidsmatig",
        status: VraagstukStatus::InGesprek,
        themes: &["preventie", "ouders-en-gezin"],
        regions: &[],
        initiatives: &[
            (
                "eerst-rust-in-de-portemonnee",
                "Lost eerst de geldzorgen op, zodat er ruimte komt voor de rest.",
            ),
            (
                "consultatiebureau-in-de-kinderopvang",
                "Vroeg en dichtbij meekijken, voordat zorgen groot worden.",
            ),
        ],
        publications: &[],
        events: &[],
    },
    DemoVraagstuk {
        slug: "protocollen-en-regels-gaan-voor",
        title: "Protocollen en regels gaan voor",
        summary: "Hulpverleners moeten protocollen volgen, ook als hun vakmanschap zegt dat een gezin iets anders nodig heeft.",
        body_md: "Professionals zien vaak wat een gezin nodig heeft, maar de regels, indicaties en verantwoording laten het niet toe.\n\nRuimte voor vakmanschap en een plek waar regels opzij mogen, maakt het verschil.",
        level: "bestuurlijk",
        status: VraagstukStatus::AlternatiefGevonden,
        themes: &["vakmanschap", "ontschotting"],
        regions: &["JZ35"],
        initiatives: &[
            (
                "doorbraaktafel-hart-van-brabant",
                "Mag regels en budgetten opzij zetten als een gezin vastloopt.",
            ),
            (
                "leerwerkplaats-brede-blik-utrecht",
                "Professionals oefenen met werken vanuit het gewone leven in plaats van vanuit het protocol.",
            ),
        ],
        publications: &[],
        events: &[],
    },
    DemoVraagstuk {
        slug: "hokjes-etiketten-en-wachttijden",
        title: "Hokjes, etiketten, toegangen en wachttijden",
        summary: "Kinderen worden ingedeeld in vakjes, ketens en gemeentelijke silo's, met een toegang en een wachtlijst per hokje.",
        body_md: "Elk domein heeft zijn eigen toegang, budget en wachttijd. Een gezin met meerdere vragen moet langs meerdere loketten, en ondertussen gaat de jeugd voorbij.\n\nHet netwerk zoekt naar afspraken die de schotten tussen domeinen weghalen.",
        level: "politiek",
        status: VraagstukStatus::Gesignaleerd,
        themes: &["ontschotting"],
        regions: &[],
        initiatives: &[
            (
                "brede-lokale-afspraken",
                "Gemeenten, scholen en zorg maken één set afspraken in plaats van een per domein.",
            ),
            (
                "interprofessionele-teams-rond-de-school",
                "Eén team rond de school, zonder aparte toegang per vraag.",
            ),
        ],
        publications: &[],
        events: &[],
    },
    DemoVraagstuk {
        slug: "labels-die-stigmatiseren",
        title: "Labels die stigmatiseren",
        summary: "Een diagnose opent de deur naar hulp, maar het etiket blijft aan een kind kleven.",
        body_md: "Wie hulp wil, heeft vaak eerst een label nodig. Dat label bepaalt daarna hoe school, hulpverleners en het kind zelf naar zijn mogelijkheden kijken.\n\nDe nadruk verschuift naar problemen in plaats van naar kwaliteiten.",
        level: "uitvoerend",
        status: VraagstukStatus::Gesignaleerd,
        themes: &["kansengelijkheid", "gewone-leven"],
        regions: &[],
        initiatives: &[(
            "met-andere-ogen",
            "Begint bij de kwaliteiten van het kind en zijn omgeving, niet bij de diagnose.",
        )],
        publications: &[],
        events: &[],
    },
    DemoVraagstuk {
        slug: "schuiven-met-verantwoordelijkheden",
        title: "Schuiven met verantwoordelijkheden",
        summary: "Door het grote aantal instanties rond een gezin voelt niemand zich eindverantwoordelijk.",
        body_md: "School, wijkteam, jeugdhulp en gemeente verwijzen naar elkaar. Het gezin wacht, en niemand pakt door.\n\nDe gesprekken van 2021 lieten zien hoe lastig veranderen is met zoveel betrokken organisaties.",
        level: "bestuurlijk",
        status: VraagstukStatus::InGesprek,
        themes: &["ontschotting", "samenwerken-onderwijs-zorg"],
        regions: &["GM0193"],
        initiatives: &[
            (
                "jeugdprofessional-in-de-school",
                "De jeugdprofessional zit in de school: één vast gezicht dat doorpakt.",
            ),
            ("brede-lokale-afspraken", "Legt vast wie wat doet, zodat niemand naar een ander kan wijzen."),
        ],
        publications: &[],
        events: &[],
    },
    DemoVraagstuk {
        slug: "vernieuwing-alleen-van-de-jeugdzorg-verwacht",
        title: "Vernieuwing alleen van de jeugdzorg verwacht",
        summary: "Wie alleen jeugdzorgorganisaties aanspreekt, mist de gemeenten, scholen en buurten waar het gewone leven zich afspeelt.",
        body_md: "Veel jongeren hoeven niet in de jeugdzorg terecht te komen als er anders naar opgroeien wordt gekeken en het beleid daarbij past.\n\nDaarom zoekt het netwerk ook gemeenten, burgerinitiatieven en samenwerkingsverbanden op.",
        level: "politiek",
        status: VraagstukStatus::InGesprek,
        themes: &["gewone-leven", "jongerenparticipatie"],
        regions: &[],
        initiatives: &[
            (
                "jongeren-spreken-de-raad",
                "Jongeren spreken zelf de gemeenteraad aan over wat zij nodig hebben.",
            ),
            (
                "radicale-vernieuwing-jeugdzorg",
                "Benadert gemeenten, burgerinitiatieven en samenwerkingsverbanden, niet alleen zorgaanbieders.",
            ),
        ],
        publications: &[],
        events: &[],
    },
];

/// Adds the demo vraagstukken; ones that already exist (by slug) stay as they are.
pub async fn demo(conn: &mut PgConnection) -> anyhow::Result<()> {
    for v in VRAAGSTUKKEN {
        let body =
            if is_analysis(v.slug) { format!("{}\n\n{ANALYSIS}", v.body_md) } else { v.body_md.to_owned() };
        let id = sqlx::query_scalar!(
            "INSERT INTO vraagstukken (slug, title, summary, body_md, level_id, status, review, raised_at)
             SELECT $1, $2, $3, $4, l.id, $6, $7, timestamptz '2021-11-11 12:00+01'
             FROM levels l WHERE l.slug = $5
             ON CONFLICT (slug) DO NOTHING RETURNING id",
            v.slug,
            v.title,
            v.summary,
            body,
            v.level,
            v.status as VraagstukStatus,
            Review::Gepubliceerd as Review,
        )
        .fetch_optional(&mut *conn)
        .await?;
        let Some(id) = id else { continue };
        let themes: Vec<String> = v.themes.iter().map(|s| s.to_string()).collect();
        sqlx::query!(
            "INSERT INTO vraagstuk_themes SELECT $1, id FROM themes WHERE slug = ANY($2)",
            id,
            &themes
        )
        .execute(&mut *conn)
        .await?;
        let regions: Vec<String> = v.regions.iter().map(|s| s.to_string()).collect();
        sqlx::query!(
            "INSERT INTO vraagstuk_regions SELECT $1, id FROM regions WHERE code = ANY($2)",
            id,
            &regions
        )
        .execute(&mut *conn)
        .await?;
        // Its alternatives, each found by its slug in the column of its kind (one that is not
        // there is left out).
        let (mut initiatives, mut publications, mut events, mut whys) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (column, list) in [(0, v.initiatives), (1, v.publications), (2, v.events)] {
            for &(slug, why) in list {
                let slug_in = |c: usize| (c == column).then(|| slug.to_owned());
                initiatives.push(slug_in(0));
                publications.push(slug_in(1));
                events.push(slug_in(2));
                whys.push(why.to_owned());
            }
        }
        sqlx::query!(
            "INSERT INTO vraagstuk_alternatives (vraagstuk_id, initiative_id, publication_id, event_id, why)
             SELECT $1, i.id, p.id, e.id, a.why
             FROM unnest($2::text[], $3::text[], $4::text[], $5::text[])
                  WITH ORDINALITY AS a(initiative, publication, event, why, n)
             LEFT JOIN initiatives i ON i.slug = a.initiative
             LEFT JOIN publications p ON p.slug = a.publication
             LEFT JOIN events e ON e.slug = a.event
             WHERE num_nonnulls(i.id, p.id, e.id) = 1 ORDER BY a.n",
            id,
            &initiatives as &[Option<String>],
            &publications as &[Option<String>],
            &events as &[Option<String>],
            &whys,
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The six points of the 2021 analysis (the first six demo vraagstukken).
fn is_analysis(slug: &str) -> bool {
    VRAAGSTUKKEN.iter().take(6).any(|v| v.slug == slug)
}

/// `n` synthetic vraagstukken spread over the levels, each answered by two initiatives.
pub async fn synthetic(conn: &mut PgConnection, n: i64, run: &str) -> anyhow::Result<()> {
    let statuses: Vec<String> = VraagstukStatus::ALL.iter().map(|s| s.as_str().to_owned()).collect();
    sqlx::query!(
        "INSERT INTO vraagstukken (slug, title, summary, body_md, level_id, status, review, recognitions, raised_at)
         SELECT 'synthetisch-' || $2 || '-' || g,
                (ARRAY['Wachtlijsten','Schotten','Regels','Labels','Budgetten','Toegang','Overdracht','Verantwoording'])[1 + g % 8]
                || ' ' || (ARRAY['in de wijk','rond de school','tussen domeinen','bij de overgang naar 18','in de keten'])[1 + (g / 8) % 5]
                || ' ' || g,
                'Een voorbeeldvraagstuk, automatisch aangemaakt om het platform met veel gegevens te testen.',
                'Een hindernis die kinderen en gezinnen in hokjes houdt.',
                (SELECT id FROM levels ORDER BY position OFFSET g % 4 LIMIT 1),
                ($3::text[])[1 + g % cardinality($3::text[])], $4, 0, now() - (g % 1500) * interval '1 day'
         FROM generate_series(1, $1::bigint) AS g",
        n,
        run,
        &statuses,
        Review::Gepubliceerd as Review,
    )
    .execute(&mut *conn)
    .await?;
    let pattern = format!("synthetisch-{run}-%");
    sqlx::query!(
        "INSERT INTO vraagstuk_themes SELECT v.id, t.id FROM vraagstukken v JOIN themes t ON (v.id + t.id) % 4 = 0
         WHERE v.slug LIKE $1 ON CONFLICT DO NOTHING",
        pattern,
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "WITH published AS (
             SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM initiatives WHERE status = $2
         ), total AS (SELECT NULLIF(count(*), 0) AS n FROM published),
         synthetic AS (
             SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM vraagstukken WHERE slug LIKE $1
         )
         INSERT INTO vraagstuk_alternatives (vraagstuk_id, initiative_id, why)
         SELECT v.id, p.id, 'Een voorbeeld van een alternatief dat helpt.'
         FROM synthetic v CROSS JOIN total CROSS JOIN generate_series(0, 1) AS o
         JOIN published p ON p.k = (v.k * 7919 + o * 37) % total.n
         ON CONFLICT DO NOTHING",
        pattern,
        crate::catalogue::InitiativeStatus::Gepubliceerd as crate::catalogue::InitiativeStatus,
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!("ANALYZE vraagstukken").execute(&mut *conn).await?;
    Ok(())
}
