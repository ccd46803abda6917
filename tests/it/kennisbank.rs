//! The kennisbank: search with facets over the demo publications, the record page with its
//! machine-readable metadata, and every reference format read back by citation-js.

use std::process::Command;

use crate::helpers::{Browser, Role, TestApp, select, select_attr};

/// The slugs of the publication cards on a list page, in order.
fn card_slugs(body: &str) -> Vec<String> {
    body.split("<h3><a href=\"/kennisbank/")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(str::to_owned)
        .collect()
}

/// A published record with a person whose particle is kept apart, an organisation, a DOI and
/// an ISBN, and characters BibTeX must escape.
async fn citable_record(app: &TestApp) {
    app.publication("Ontwikkelkansen in de wijk: 50% minder verwijzingen & meer spel")
        .slug("ontwikkelkansen-in-de-wijk")
        .year(2019)
        .publisher("Uitgeverij Samen")
        .kind("artikel")
        .summary("Over spelen in de buurt.")
        .url("https://example.org/artikel")
        .doi("10.1234/bb.2019_07")
        .isbn("9789058307002")
        .licence("cc-by")
        .person("Jan Willem", "van der", "Berg")
        .person("Fatima", "", "El Amrani")
        .organisation("Nederlands Jeugdinstituut")
        .published()
        .create()
        .await;
}

#[tokio::test]
async fn the_kennisbank_searches_with_typos_and_counts_facets() {
    let app = TestApp::spawn_with_demo().await;
    let all = app.get_text("/kennisbank", 200).await;
    let slugs = card_slugs(&all);
    assert!(slugs.len() >= 8, "at least eight demo records: {slugs:?}");
    // Newest first, records without a year last.
    let last = slugs.last().map(String::as_str).unwrap_or_default();
    assert!(["om-het-kind", "beter-met-minder", "met-andere-ogen"].contains(&last), "{slugs:?}");

    // The type facet counts what choosing it would give, and choosing it gives that.
    let rapport_label = select(&all, "label[for=soort-rapport]").join("");
    let count: usize =
        rapport_label.split('(').nth(1).and_then(|s| s.split(')').next()).unwrap().parse().unwrap();
    let rapporten = card_slugs(&app.get_text("/kennisbank?soort=rapport", 200).await);
    assert_eq!(rapporten.len(), count);
    assert!(rapporten.contains(&"samen-om-het-kind".to_owned()));

    // A typo in a word of the title still finds it; with a facet the result narrows.
    let typo = card_slugs(&app.get_text("/kennisbank?q=jeugdhlp", 200).await);
    assert!(typo.contains(&"analyse-radicale-vernieuwing-2021".to_owned()), "{typo:?}");
    let narrowed = card_slugs(&app.get_text("/kennisbank?q=jeugdhlp&soort=factsheet", 200).await);
    assert!(!narrowed.contains(&"analyse-radicale-vernieuwing-2021".to_owned()));
    // An author's name, misspelt.
    let author = card_slugs(&app.get_text("/kennisbank?q=Snijdr", 200).await);
    assert_eq!(author.first().map(String::as_str), Some("samen-om-het-kind"), "{author:?}");
    // Dutch stemming in the abstract.
    let stemmed = card_slugs(&app.get_text("/kennisbank?q=basisvoorziening", 200).await);
    assert!(stemmed.contains(&"samen-om-het-kind".to_owned()));

    // Year ranges and levels: 2021 records, politiek.
    let years = card_slugs(&app.get_text("/kennisbank?jaar=2020-2024&niveau=politiek", 200).await);
    assert!(years.contains(&"analyse-radicale-vernieuwing-2021".to_owned()));
    assert!(!years.contains(&"samen-om-het-kind".to_owned()));
    let undated = card_slugs(&app.get_text("/kennisbank?jaar=zonder-jaar", 200).await);
    assert!(undated.contains(&"beter-met-minder".to_owned()));

    // Sorting by author: every record, the organisations by their name.
    let by_author = card_slugs(&app.get_text("/kennisbank?sorteer=auteur", 200).await);
    assert_eq!(by_author.len(), slugs.len());
    assert_eq!(by_author.first().map(String::as_str), Some("brede-blik-in-actie"));
    assert_eq!(by_author.last().map(String::as_str), Some("samen-om-het-kind"));

    // Hostile and odd input: never a 500.
    for query in
        ["q=%00%27%22<script>", "soort=onbekend", "pagina=-5", "jaar=1900-2000&jaar=x", "sorteer=%27"]
    {
        app.get_text(&format!("/kennisbank?{query}"), 200).await;
    }
    app.get_text("/kennisbank/bestaat-niet", 404).await;
    app.get_text("/kennisbank/bestaat-niet.bib", 404).await;
}

#[tokio::test]
async fn a_card_names_the_authors_or_else_the_publisher() {
    let app = TestApp::spawn().await;
    app.publication("Zonder auteurs").publisher("Nederlands Jeugdinstituut").published().create().await;
    app.publication("Met auteurs")
        .publisher("Uitgeverij Samen")
        .person("Fatima", "", "El Amrani")
        .published()
        .create()
        .await;
    let list = app.get_text("/kennisbank", 200).await;
    let metas = select(&list, ".cards .meta");
    let meta_of = |title: &str| {
        let at = select(&list, ".cards h3").iter().position(|h| h.contains(title)).expect(title);
        metas[at].clone()
    };
    assert!(meta_of("Zonder auteurs").contains("Nederlands Jeugdinstituut"), "{metas:?}");
    let with_authors = meta_of("Met auteurs");
    assert!(with_authors.contains("Fatima El Amrani") && !with_authors.contains("Uitgeverij Samen"));
}

/// A common word over most of the library (issue #12: answered from the in-memory index, not
/// per matching row in PostgreSQL) finds every record that holds it, newest first when they
/// rank alike, on the list, in the API and in the site search.
#[tokio::test]
async fn a_common_word_over_many_publications_is_answered() {
    let app = TestApp::spawn().await;
    sqlx::query(
        "INSERT INTO publications (slug, title, kind, abstract_md, status, published_at) \
         SELECT 'veel-' || g, \
                CASE WHEN g % 3 = 0 THEN 'Preventie op school ' ELSE 'Jeugdhulp in de wijk ' END || g, \
                'rapport', 'Over samenwerken.', 'gepubliceerd', now() \
         FROM generate_series(1, 600) AS g ORDER BY g",
    )
    .execute(&app.db)
    .await
    .unwrap();
    let list = app.get_text("/kennisbank?q=jeugdhulp", 200).await;
    assert!(select(&list, "#results-title").join("").starts_with("400 publicaties"), "{list}");
    assert_eq!(card_slugs(&list).first().map(String::as_str), Some("veel-599"));
    let typo = app.get_text("/kennisbank?q=jeugdhlp", 200).await;
    assert!(select(&typo, "#results-title").join("").starts_with("400 publicaties"));
    let api: serde_json::Value = app.get("/api/v1/publications?q=jeugdhulp").await.json().await.unwrap();
    assert_eq!(api["meta"]["total"], 400);
    assert!(app.get_text("/zoeken?q=jeugdhulp", 200).await.contains("Kennisbank (400)"));
    let none = app.get_text("/kennisbank?q=zwembad", 200).await;
    assert!(card_slugs(&none).is_empty());
}

#[tokio::test]
async fn a_record_page_carries_its_metadata_and_apa_reference() {
    let app = TestApp::spawn_with_demo().await;
    citable_record(&app).await;
    let page = app.get_text("/kennisbank/ontwikkelkansen-in-de-wijk", 200).await;
    let json_ld = select(&page, "script[type='application/ld+json']");
    let value: serde_json::Value = serde_json::from_str(&json_ld[0]).unwrap();
    assert_eq!(value["@type"], "ScholarlyArticle");
    assert_eq!(value["identifier"]["value"], "10.1234/bb.2019_07");
    assert_eq!(value["author"][0]["familyName"], "van der Berg");
    assert_eq!(value["author"][2]["@type"], "Organization");
    assert_eq!(
        select_attr(&page, "meta[name=citation_title]", "content"),
        ["Ontwikkelkansen in de wijk: 50% minder verwijzingen & meer spel"]
    );
    assert_eq!(
        select_attr(&page, "meta[name=citation_author]", "content"),
        ["van der Berg, Jan Willem", "El Amrani, Fatima", "Nederlands Jeugdinstituut"]
    );
    assert_eq!(select_attr(&page, "meta[name=citation_doi]", "content"), ["10.1234/bb.2019_07"]);
    assert_eq!(select_attr(&page, "meta[property='og:title']", "content").len(), 1);
    let reference = select(&page, "#apa-reference").join("");
    assert!(
        reference.contains("Berg, J. W. van der, El Amrani, F., en Nederlands Jeugdinstituut. (2019)."),
        "{reference}"
    );
    assert!(reference.contains("https://doi.org/10.1234/bb.2019_07"));
    assert!(page.contains("978-905830700-2"), "the ISBN is shown");

    // A record without a year is "z.d."; a report is a schema.org Report; its initiatives show.
    let advice = app.get_text("/kennisbank/beter-met-minder", 200).await;
    assert!(select(&advice, "#apa-reference").join("").contains("(z.d.)"));
    let report = app.get_text("/kennisbank/samen-om-het-kind", 200).await;
    let value: serde_json::Value =
        serde_json::from_str(&select(&report, "script[type='application/ld+json']")[0]).unwrap();
    assert_eq!(value["@type"], "Report");
    assert!(report.contains("href=\"/initiatieven/interprofessionele-teams-rond-de-school\""));
    assert!(report.contains("href=\"/kennisbank/beter-met-minder\""), "related publications link");
}

/// A directory of its own under the system's temporary directory, removed afterwards.
struct Scratch(std::path::PathBuf);

impl Scratch {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("bb-cite-{}-{}", std::process::id(), rand_suffix()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
    fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos()
}

/// Runs citation-js over the given files (tests/browser/cite-readback.mjs).
fn read_back(files: &[&std::path::Path]) -> serde_json::Value {
    let browser = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    assert!(
        browser.join("node_modules/@citation-js/core").exists(),
        "citation-js is missing: run scripts/ensure-tools (or npm ci in tests/browser)"
    );
    let output =
        Command::new("node").arg("cite-readback.mjs").args(files).current_dir(&browser).output().unwrap();
    assert!(output.status.success(), "citation-js: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

#[tokio::test]
async fn every_export_reads_back_with_citation_js() {
    let app = TestApp::spawn_with_demo().await;
    citable_record(&app).await;
    let dir = Scratch::new();
    let mut files = Vec::new();
    for (extension, content_type) in [
        ("bib", "application/x-bibtex"),
        ("ris", "application/x-research-info-systems"),
        ("json", "application/vnd.citationstyles.csl+json"),
    ] {
        let response = app.get(&format!("/kennisbank/ontwikkelkansen-in-de-wijk.{extension}")).await;
        assert_eq!(response.status(), 200);
        let header = |name: &str| response.headers()[name].to_str().unwrap().to_owned();
        assert!(header("content-type").starts_with(content_type));
        assert_eq!(
            header("content-disposition"),
            format!("attachment; filename=\"ontwikkelkansen-in-de-wijk.{extension}\"")
        );
        let path = dir.path().join(format!("one.{extension}"));
        std::fs::write(&path, response.bytes().await.unwrap()).unwrap();
        files.push(path);
    }
    let paths: Vec<&std::path::Path> = files.iter().map(|p| p.as_path()).collect();
    let parsed = read_back(&paths);
    for path in &files {
        let items = parsed[path.to_str().unwrap()].as_array().unwrap();
        assert_eq!(items.len(), 1, "{path:?}");
        let item = &items[0];
        let format = path.extension().unwrap().to_str().unwrap();
        assert_eq!(
            item["title"], "Ontwikkelkansen in de wijk: 50% minder verwijzingen & meer spel",
            "{format}"
        );
        assert_eq!(item["year"], 2019, "{format}");
        assert_eq!(item["doi"], "10.1234/bb.2019_07", "{format}");
        let first = &item["authors"][0];
        assert_eq!(first["given"], "Jan Willem", "{format}: {item}");
        if format == "ris" {
            // RIS has no field for a particle: it stays in front of the family name.
            assert_eq!(first["family"], "van der Berg", "{format}: {item}");
        } else {
            assert_eq!(
                (first["particle"].as_str(), first["family"].as_str()),
                (Some("van der"), Some("Berg")),
                "{format}: {item}"
            );
        }
        assert_eq!(item["authors"][1]["family"], "El Amrani", "{format}: {item}");
        let organisation = &item["authors"][2];
        let name = organisation["literal"].as_str().or(organisation["family"].as_str());
        assert_eq!(name, Some("Nederlands Jeugdinstituut"), "{format}: {item}");
    }

    // The export of a search result holds every record of it, each readable.
    let result = card_slugs(&app.get_text("/kennisbank?soort=rapport", 200).await);
    let mut exported = Vec::new();
    for extension in ["bib", "ris", "json"] {
        let response = app.get(&format!("/kennisbank/export.{extension}?soort=rapport")).await;
        assert_eq!(response.status(), 200);
        let path = dir.path().join(format!("result.{extension}"));
        std::fs::write(&path, response.bytes().await.unwrap()).unwrap();
        exported.push(path);
    }
    let paths: Vec<&std::path::Path> = exported.iter().map(|p| p.as_path()).collect();
    let parsed = read_back(&paths);
    for path in &exported {
        let items = parsed[path.to_str().unwrap()].as_array().unwrap();
        assert_eq!(items.len(), result.len(), "{path:?}");
        assert!(items.iter().any(|i| i["title"] == "Samen om het kind" && i["year"] == 2015), "{path:?}");
    }
}

#[tokio::test]
async fn a_members_proposal_waits_for_review_and_an_editor_publishes_it() {
    let app = TestApp::spawn_with_demo().await;
    let editor = app.logged_in(Role::Redacteur).await;
    app.member("ines@voorbeeld.nl", "Ines de Vries").approved().create().await;
    let member = Browser::login(&app, "ines@voorbeeld.nl").await;

    // Bad identifiers: a message next to each field, 422, everything typed kept.
    let bad = [
        ("titel", "Spelen als medicijn"),
        ("auteurs", "Ines | de | Vries\nNederlands Jeugdinstituut"),
        ("jaar", "23"),
        ("soort", "artikel"),
        ("toegang", "link"),
        ("isbn", "978-90-5830-700-1"),
        ("doi", "10.12/x"),
        ("url", "javascript:alert(1)"),
        ("licentie", "onbekend"),
        ("thema", "preventie"),
        ("actie", "opslaan"),
    ];
    let response = member.post("/account/kennisbank/nieuw", &bad).await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    for field in ["jaar", "isbn", "doi", "url"] {
        assert_eq!(select(&page, &format!("#{field}-error")).len(), 1, "message next to {field}");
    }
    assert!(select(&page, "#isbn-error").join("").contains("controlecijfer"));
    assert_eq!(select_attr(&page, "#titel", "value"), ["Spelen als medicijn"]);
    assert_eq!(select(&page, "#auteurs").join(""), "Ines | de | Vries Nederlands Jeugdinstituut");
    assert_eq!(select_attr(&page, "#thema-preventie", "checked").len(), 1);

    let good = [
        ("titel", "Spelen als medicijn"),
        ("auteurs", "Ines | de | Vries\nNederlands Jeugdinstituut"),
        ("jaar", "2023"),
        ("soort", "artikel"),
        ("samenvatting", "Waarom **buitenspelen** werkt."),
        ("toegang", "link"),
        ("isbn", "978-90-5830-700-2"),
        ("doi", "https://doi.org/10.1234/spelen.2023"),
        ("url", "https://example.org/spelen"),
        ("licentie", "cc-by"),
        ("thema", "preventie"),
        ("niveau", "uitvoerend"),
        ("actie", "opslaan"),
    ];
    let response = member.post("/account/kennisbank/nieuw", &good).await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/account/kennisbank?melding=voorgesteld");
    let (id, slug, status): (i64, String, String) =
        sqlx::query_as("SELECT id, slug, status FROM publications WHERE title = 'Spelen als medicijn'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(status, "ter_beoordeling");
    app.get_text(&format!("/kennisbank/{slug}"), 404).await;
    assert!(member.text("/account/kennisbank", 200).await.contains("Spelen als medicijn"));
    let waiting: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM outbox WHERE kind = 'publicatie-ter-beoordeling' AND to_address = 'redacteur@voorbeeld.nl'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(waiting, 1, "the editor is told");

    // The editor sees it in the queue and approves it.
    let queue = editor.text("/beheer/kennisbank", 200).await;
    assert!(queue.contains(&format!("/beheer/kennisbank/{id}#beoordeling")));
    let review = editor.text(&format!("/beheer/kennisbank/{id}"), 200).await;
    assert_eq!(select_attr(&review, "#doi", "value"), ["10.1234/spelen.2023"]);
    let response =
        editor.post(&format!("/beheer/kennisbank/{id}/beoordeling"), &[("besluit", "goedkeuren")]).await;
    assert_eq!(response.status(), 303);
    let public = app.get_text(&format!("/kennisbank/{slug}"), 200).await;
    let reference = select(&public, "#apa-reference").join("");
    assert!(reference.contains("Vries, I. de, en Nederlands Jeugdinstituut. (2023)."), "{reference}");
    let found = card_slugs(&app.get_text("/kennisbank?q=medicjn&niveau=uitvoerend", 200).await);
    assert!(found.contains(&slug), "{found:?}");
    // A second decision finds nothing waiting.
    let again =
        editor.post(&format!("/beheer/kennisbank/{id}/beoordeling"), &[("besluit", "afwijzen")]).await;
    assert_eq!(again.status(), 409);

    let audit = app.audit_actions("publicatie", Some(id)).await;
    assert_eq!(audit, ["publicatie voorgesteld", "publicatie goedgekeurd"]);
    let told: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM outbox WHERE kind = 'publicatie-goedgekeurd' AND to_address = 'ines@voorbeeld.nl'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(told, 1);

    // Someone without an approved membership cannot propose.
    let visitor = app.logged_in(Role::Aandeelhouder).await;
    assert_eq!(visitor.post("/account/kennisbank/nieuw", &good).await.status(), 403);
}

#[tokio::test]
async fn editors_create_with_a_preview_and_edit_with_the_audit_log() {
    let app = TestApp::spawn_with_demo().await;
    let editor = app.logged_in(Role::Redacteur).await;
    let fields = [
        ("titel", "Gewoon opgroeien"),
        ("auteurs", "Mark | | Snijder"),
        ("jaar", ""),
        ("soort", "boek"),
        ("samenvatting", "Een *boek* over opgroeien."),
        ("toegang", "bibliotheek"),
        ("licentie", "onbekend"),
        ("status", "gepubliceerd"),
    ];
    let mut preview = fields.to_vec();
    preview.push(("actie", "voorbeeld"));
    let page = editor.post("/beheer/kennisbank", &preview).await.text().await.unwrap();
    assert!(select(&page, ".preview").join("").contains("Snijder, M. (z.d.). Gewoon opgroeien."), "{page}");
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM publications WHERE title = 'Gewoon opgroeien'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(count, 0, "a preview saves nothing");

    let mut save = fields.to_vec();
    save.push(("actie", "opslaan"));
    assert_eq!(editor.post("/beheer/kennisbank", &save).await.status(), 303);
    let id: i64 = sqlx::query_scalar("SELECT id FROM publications WHERE title = 'Gewoon opgroeien'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    app.get_text("/kennisbank/gewoon-opgroeien", 200).await;

    save.retain(|(k, _)| *k != "jaar");
    save.push(("jaar", "2024"));
    assert_eq!(editor.post(&format!("/beheer/kennisbank/{id}"), &save).await.status(), 303);
    let page = app.get_text("/kennisbank/gewoon-opgroeien", 200).await;
    assert!(select(&page, "#apa-reference").join("").contains("(2024)"));
    let actions = app.audit_actions("publicatie", None).await;
    assert_eq!(actions, ["publicatie aangemaakt", "publicatie bewerkt"]);

    // A bad status or kind is a message, not a 500.
    let mut bad = save.clone();
    bad.retain(|(k, _)| *k != "status" && *k != "soort");
    bad.push(("status", "verwijderd"));
    bad.push(("soort", "roman"));
    let response = editor.post(&format!("/beheer/kennisbank/{id}"), &bad).await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert_eq!(select(&page, "#status-error").len(), 1);
    assert_eq!(select(&page, "#soort-error").len(), 1);
}

#[tokio::test]
async fn publications_appear_in_the_sitemap_search_api_and_on_initiative_pages() {
    let app = TestApp::spawn_with_demo().await;
    let sitemap = app.get_text("/sitemap.xml", 200).await;
    assert!(sitemap.contains("/kennisbank/samen-om-het-kind</loc>"));
    assert!(sitemap.contains("/kennisbank</loc>"));

    let search = app.get_text("/zoeken?q=Snijder", 200).await;
    assert!(search.contains("href=\"/kennisbank/samen-om-het-kind\""), "one search finds publications");

    let response = app.get("/api/v1/publications?soort=rapport&per_pagina=2").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    let rapporten = card_slugs(&app.get_text("/kennisbank?soort=rapport", 200).await);
    assert_eq!(body["meta"]["total"], rapporten.len());
    assert_eq!(body["data"].as_array().unwrap().len(), 2);
    let all: serde_json::Value = app.get("/api/v1/publications?q=Snijder").await.json().await.unwrap();
    let record = &all["data"][0];
    assert_eq!(record["slug"], "samen-om-het-kind");
    assert_eq!(record["authors"][0]["family"], "Snijder");
    assert_eq!(record["year"], 2015);
    assert!(record["url"].as_str().unwrap().ends_with("/kennisbank/samen-om-het-kind"));

    let spec: serde_json::Value = app.get("/api/openapi.json").await.json().await.unwrap();
    assert!(spec["paths"]["/api/v1/publications"]["get"].is_object());
    assert!(spec["components"]["schemas"]["Publication"]["properties"]["authors"].is_object());

    let initiative = app.get_text("/initiatieven/beweging-brede-blik", 200).await;
    assert!(initiative.contains("href=\"/kennisbank/kwartier-maken-voor-de-brede-blik\""));
}

#[tokio::test]
async fn the_link_checker_records_answers_redirects_and_silence() {
    use std::sync::Arc;
    use std::time::Duration;

    use axum::Router;
    use axum::http::{StatusCode, header};
    use axum::routing::get;

    // A local server that answers 200, 301, 404, 500 and, for /hangt, never.
    let server = Router::new()
        .route("/ok", get(|| async { "in orde" }))
        .route("/oud", get(|| async { (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, "/ok")]) }))
        .route("/weg", get(|| async { StatusCode::NOT_FOUND }))
        .route("/stuk", get(|| async { StatusCode::INTERNAL_SERVER_ERROR }))
        .route(
            "/hangt",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(60)).await;
                "te laat"
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, server).await });

    let app = TestApp::spawn().await;
    for path in ["ok", "oud", "weg", "stuk", "hangt"] {
        app.publication(&format!("Publicatie {path}"))
            .slug(&format!("link-{path}"))
            .url(&format!("{base}/{path}"))
            .published()
            .create()
            .await;
    }
    let checker = Arc::new(
        bredeblik::kennisbank::links::Checker::new("http://test", Duration::from_secs(1), 3).unwrap(),
    );
    let started = std::time::Instant::now();
    assert_eq!(checker.check_due(&app.db, 7, 100).await.unwrap(), 5);
    assert!(started.elapsed() < Duration::from_secs(10), "the silent server costs one timeout");
    let rows: Vec<(String, Option<i16>, String, String, bool)> = sqlx::query_as(
        "SELECT p.slug, l.status, l.final_url, l.error, l.broken FROM publication_links l \
         JOIN publications p ON p.id = l.publication_id ORDER BY p.slug",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    let by_slug = |slug: &str| rows.iter().find(|r| r.0 == slug).unwrap().clone();
    assert_eq!(by_slug("link-ok"), ("link-ok".into(), Some(200), String::new(), String::new(), false));
    let moved = by_slug("link-oud");
    assert_eq!(
        (moved.1, moved.2.as_str(), moved.4),
        (Some(200), format!("{base}/ok").as_str(), false),
        "301 followed and recorded"
    );
    assert_eq!((by_slug("link-weg").1, by_slug("link-weg").4), (Some(404), true));
    assert_eq!((by_slug("link-stuk").1, by_slug("link-stuk").4), (Some(500), true));
    let silent = by_slug("link-hangt");
    assert_eq!((silent.1, silent.3.as_str(), silent.4), (None, "geen antwoord binnen de tijd", true));

    // Nothing is due again until the record changes or a week has passed.
    assert_eq!(checker.check_due(&app.db, 7, 100).await.unwrap(), 0);

    // The back office lists the broken ones with the last answer.
    let editor = app.logged_in(Role::Redacteur).await;
    let page = editor.text("/beheer/kennisbank", 200).await;
    let broken = select(&page, "#broken-links tbody tr");
    assert_eq!(broken.len(), 3, "{broken:?}");
    let text = broken.join(" ");
    assert!(
        text.contains("HTTP 404")
            && text.contains("HTTP 500")
            && text.contains("geen antwoord binnen de tijd"),
        "{text}"
    );
}

/// A minimal PDF: the magic bytes the upload is checked by, and a body.
fn pdf_bytes() -> Vec<u8> {
    let mut bytes = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec();
    bytes.extend(std::iter::repeat_n(b' ', 2048));
    bytes
}

async fn upload(
    browser: &Browser<'_>,
    app: &TestApp,
    path: &str,
    bytes: Vec<u8>,
    name: &str,
) -> reqwest::Response {
    use reqwest::multipart::{Form, Part};
    let form = Form::new()
        .part("pdf", Part::bytes(bytes).file_name(name.to_owned()).mime_str("application/pdf").unwrap());
    browser
        .client
        .post(app.url(&format!("{path}?csrf_token={}", browser.token)))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn publication_id(app: &TestApp, slug: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM publications WHERE slug = $1")
        .bind(slug)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn an_open_licence_record_hosts_its_pdf_and_a_closed_one_refuses_it() {
    let app = TestApp::spawn_with_demo().await;
    citable_record(&app).await;
    let editor = app.logged_in(Role::Redacteur).await;
    let open = publication_id(&app, "ontwikkelkansen-in-de-wijk").await;
    let closed = publication_id(&app, "kwartier-maken-voor-de-brede-blik").await;

    // Not a PDF by its bytes (whatever its name and declared type): a Dutch message, 422.
    let response = upload(
        &editor,
        &app,
        &format!("/beheer/kennisbank/{open}/pdf"),
        b"\x89PNG\r\n\x1a\nrest".to_vec(),
        "rapport.pdf",
    )
    .await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert!(select(&page, "#pdf-error").join("").contains("geen PDF"), "{page}");
    // A closed (or unknown) licence never hosts the file.
    let response =
        upload(&editor, &app, &format!("/beheer/kennisbank/{closed}/pdf"), pdf_bytes(), "rapport.pdf").await;
    assert_eq!(response.status(), 422);
    assert!(select(&response.text().await.unwrap(), "#pdf-error").join("").contains("open licentie"));
    // Too large: the upload limit's message.
    let huge = [pdf_bytes(), vec![b'x'; 9 * 1024 * 1024]].concat();
    let response = upload(&editor, &app, &format!("/beheer/kennisbank/{open}/pdf"), huge, "groot.pdf").await;
    assert_eq!(response.status(), 413);
    let stored: i64 =
        sqlx::query_scalar("SELECT count(*) FROM publication_files").fetch_one(&app.db).await.unwrap();
    assert_eq!(stored, 0, "nothing refused is stored");

    let response =
        upload(&editor, &app, &format!("/beheer/kennisbank/{open}/pdf"), pdf_bytes(), "rapport.pdf").await;
    assert_eq!(response.status(), 303);
    let record = app.get_text("/kennisbank/ontwikkelkansen-in-de-wijk", 200).await;
    assert_eq!(select_attr(&record, "#pdf-link", "href"), ["/kennisbank/ontwikkelkansen-in-de-wijk.pdf"]);
    let pdf_url = select_attr(&record, "meta[name=citation_pdf_url]", "content");
    assert!(
        pdf_url.len() == 1 && pdf_url[0].ends_with("/kennisbank/ontwikkelkansen-in-de-wijk.pdf"),
        "{pdf_url:?}"
    );
    let download = app.get("/kennisbank/ontwikkelkansen-in-de-wijk.pdf").await;
    assert_eq!(download.status(), 200);
    assert_eq!(download.headers()["content-type"], "application/pdf");
    assert_eq!(download.headers()["x-content-type-options"], "nosniff");
    assert_eq!(download.bytes().await.unwrap().as_ref(), pdf_bytes().as_slice(), "the same bytes come back");
    let audit = app.audit_actions("publicatie", Some(open)).await;
    assert_eq!(audit, ["pdf geüpload"]);

    // A record without a hosted file, or whose licence closed later, serves none.
    app.get_text("/kennisbank/kwartier-maken-voor-de-brede-blik.pdf", 404).await;
    sqlx::query("UPDATE publications SET licence = 'gesloten' WHERE id = $1")
        .bind(open)
        .execute(&app.db)
        .await
        .unwrap();
    app.get_text("/kennisbank/ontwikkelkansen-in-de-wijk.pdf", 404).await;
    let record = app.get_text("/kennisbank/ontwikkelkansen-in-de-wijk", 200).await;
    assert!(select(&record, "#pdf-link").is_empty());

    // A member adds the PDF to their own proposal (open licence), not to someone else's.
    app.member("ines@voorbeeld.nl", "Ines de Vries").approved().create().await;
    let member = Browser::login(&app, "ines@voorbeeld.nl").await;
    let proposal = [
        ("titel", "Spelen als medicijn"),
        ("soort", "artikel"),
        ("toegang", "download"),
        ("licentie", "cc-by"),
        ("actie", "opslaan"),
    ];
    assert_eq!(member.post("/account/kennisbank/nieuw", &proposal).await.status(), 303);
    let own = publication_id(&app, "spelen-als-medicijn").await;
    let list = member.text("/account/kennisbank", 200).await;
    assert_eq!(
        select_attr(&list, &format!("form[action='/account/kennisbank/{own}/pdf']"), "enctype"),
        ["multipart/form-data"]
    );
    let response =
        upload(&member, &app, &format!("/account/kennisbank/{own}/pdf"), b"hallo".to_vec(), "x.pdf").await;
    assert_eq!(response.status(), 422);
    assert!(
        select(&response.text().await.unwrap(), &format!("#pdf-{own}-error")).join("").contains("geen PDF")
    );
    let response =
        upload(&member, &app, &format!("/account/kennisbank/{own}/pdf"), pdf_bytes(), "x.pdf").await;
    assert_eq!(response.status(), 303);
    let response =
        upload(&member, &app, &format!("/account/kennisbank/{closed}/pdf"), pdf_bytes(), "x.pdf").await;
    assert_eq!(response.status(), 404, "not their proposal");

    // The editor removes a PDF: the file goes, the audit log says so.
    let form = reqwest::multipart::Form::new().text("verwijderen", "1");
    let response = editor
        .client
        .post(app.url(&format!("/beheer/kennisbank/{open}/pdf?csrf_token={}", editor.token)))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], format!("/beheer/kennisbank/{open}?melding=pdf-weg#pdf"));
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM publication_files WHERE publication_id = $1")
        .bind(open)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(stored, 0);
    let audit = app.audit_actions("publicatie", Some(open)).await;
    assert_eq!(audit, ["pdf geüpload", "pdf verwijderd"]);
}

#[tokio::test]
async fn editors_link_a_record_to_events_initiatives_regions_and_publications() {
    let app = TestApp::spawn_with_demo().await;
    let editor = app.logged_in(Role::Redacteur).await;
    let id = publication_id(&app, "samen-om-het-kind").await;
    let path = format!("/beheer/kennisbank/{id}/koppelingen");
    app.initiative("Nog niet klaar").create().await;

    // Adding by address or slug; only published targets.
    for (kind, address) in [
        ("bijeenkomst", "https://bredeblik.example/bijeenkomsten/leerdag-onderwijs-en-zorg-in-een-team"),
        ("initiatief", "/initiatieven/beweging-brede-blik"),
        ("publicatie", "met-andere-ogen"),
    ] {
        let response =
            editor.post(&path, &[("soort", kind), ("adres", address), ("actie", "toevoegen")]).await;
        assert_eq!(response.status(), 303, "{kind} {address}");
    }
    let region: String =
        sqlx::query_scalar("SELECT slug FROM regions ORDER BY id LIMIT 1").fetch_one(&app.db).await.unwrap();
    assert_eq!(
        editor.post(&path, &[("soort", "regio"), ("adres", &region), ("actie", "toevoegen")]).await.status(),
        303
    );

    for (kind, address, message) in [
        ("initiatief", "nog-niet-klaar", "geen gepubliceerd initiatief"),
        ("publicatie", "samen-om-het-kind", "geen andere gepubliceerde publicatie"),
        ("bijeenkomst", "<script>alert(1)</script>", "Vul het adres"),
        ("publicatie", "/kennisbank/met-andere-ogen", "al gekoppeld"),
    ] {
        let response =
            editor.post(&path, &[("soort", kind), ("adres", address), ("actie", "toevoegen")]).await;
        assert_eq!(response.status(), 422, "{kind} {address}");
        let page = response.text().await.unwrap();
        assert!(select(&page, "#koppeling-adres-error").join("").contains(message), "{message}: {page}");
        assert_eq!(select_attr(&page, "#koppeling-adres", "value"), [address], "the input is kept");
    }
    assert_eq!(
        editor.post(&path, &[("soort", "roman"), ("adres", "x"), ("actie", "toevoegen")]).await.status(),
        422
    );

    // The record page and the event page show each other; the initiative and the related record too.
    let record = app.get_text("/kennisbank/samen-om-het-kind", 200).await;
    assert!(record.contains("href=\"/bijeenkomsten/leerdag-onderwijs-en-zorg-in-een-team\""));
    assert!(record.contains("href=\"/initiatieven/beweging-brede-blik\""));
    assert!(record.contains(&format!("href=\"/regios/{region}\"")));
    let event = app.get_text("/bijeenkomsten/leerdag-onderwijs-en-zorg-in-een-team", 200).await;
    assert!(
        select(&event, "section[aria-labelledby=kennisbank-title]").join("").contains("Samen om het kind")
    );
    let related = app.get_text("/kennisbank/met-andere-ogen", 200).await;
    assert!(related.contains("href=\"/kennisbank/samen-om-het-kind\""), "related both ways");

    // Removing, from the list the edit page shows.
    let edit = editor.text(&format!("/beheer/kennisbank/{id}"), 200).await;
    let event_id: i64 =
        sqlx::query_scalar("SELECT id FROM events WHERE slug = 'leerdag-onderwijs-en-zorg-in-een-team'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(edit.contains(&format!("name=\"doel\" value=\"{event_id}\"")));
    let response = editor
        .post(&path, &[("soort", "bijeenkomst"), ("doel", &event_id.to_string()), ("actie", "verwijderen")])
        .await;
    assert_eq!(response.status(), 303);
    let event = app.get_text("/bijeenkomsten/leerdag-onderwijs-en-zorg-in-een-team", 200).await;
    assert!(!event.contains("href=\"/kennisbank/samen-om-het-kind\""));
    assert_eq!(
        editor
            .post(&path, &[("soort", "bijeenkomst"), ("doel", "abc"), ("actie", "verwijderen")])
            .await
            .status(),
        400
    );

    let audit = app.audit_actions("publicatie", Some(id)).await;
    assert_eq!(
        audit,
        [
            "koppeling toegevoegd",
            "koppeling toegevoegd",
            "koppeling toegevoegd",
            "koppeling toegevoegd",
            "koppeling verwijderd"
        ]
    );
}

#[tokio::test]
async fn a_members_change_waits_until_an_editor_accepts_it() {
    let app = TestApp::spawn_with_demo().await;
    let editor = app.logged_in(Role::Redacteur).await;
    app.member("ines@voorbeeld.nl", "Ines de Vries").approved().create().await;
    let member = Browser::login(&app, "ines@voorbeeld.nl").await;
    let record = app.get_text("/kennisbank/samen-om-het-kind", 200).await;
    assert!(record.contains("href=\"/account/kennisbank/wijzigen/samen-om-het-kind\""));

    let form = member.text("/account/kennisbank/wijzigen/samen-om-het-kind", 200).await;
    let title = select_attr(&form, "#titel", "value").join("");
    assert_eq!(title, "Samen om het kind");
    let mut current: Vec<(String, String)> = vec![
        ("titel".into(), title.clone()),
        ("auteurs".into(), select(&form, "#auteurs").join("")),
        ("jaar".into(), select_attr(&form, "#jaar", "value").join("")),
        ("uitgever".into(), select_attr(&form, "#uitgever", "value").join("")),
        ("soort".into(), select_attr(&form, "#soort option[selected]", "value").join("")),
        ("samenvatting".into(), select(&form, "#samenvatting").join("")),
        ("toegang".into(), select_attr(&form, "#toegang option[selected]", "value").join("")),
        ("url".into(), select_attr(&form, "#url", "value").join("")),
        ("licentie".into(), select_attr(&form, "#licentie option[selected]", "value").join("")),
        ("actie".into(), "opslaan".into()),
    ];
    // Multi-line fields as stored (the HTML selector folds their line breaks).
    let (authors, abstract_md): (String, String) = sqlx::query_as(
        "SELECT coalesce(string_agg(CASE WHEN a.kind = 'persoon' THEN a.given_name || ' | ' || a.particle || ' | ' || a.family_name \
                                    ELSE a.family_name END, E'\\n' ORDER BY a.position), ''), p.abstract_md \
         FROM publications p LEFT JOIN publication_authors a ON a.publication_id = p.id \
         WHERE p.slug = 'samen-om-het-kind' GROUP BY p.id",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    current[1].1 = authors;
    current[5].1 = abstract_md;
    for key in ["thema", "niveau"] {
        for value in select_attr(&form, &format!("input[name={key}][checked]"), "value") {
            current.push((key.into(), value));
        }
    }
    let post = |fields: Vec<(String, String)>| {
        let member = &member;
        async move {
            let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            member.post("/account/kennisbank/wijzigen/samen-om-het-kind", &borrowed).await
        }
    };
    // Nothing changed and no note: a message, 422.
    let response = post(current.clone()).await;
    assert_eq!(response.status(), 422);
    assert_eq!(select(&response.text().await.unwrap(), "#toelichting-error").len(), 1);
    // A bad value: its message, the rest kept.
    let mut bad = current.clone();
    bad.push(("isbn".into(), "123".into()));
    bad.push(("toelichting".into(), "Het ISBN ontbreekt.".into()));
    let response = post(bad).await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert_eq!(select(&page, "#isbn-error").len(), 1);
    assert_eq!(select(&page, "#toelichting").join(""), "Het ISBN ontbreekt.");

    let mut change = current.clone();
    change[0].1 = "Samen om het kind: gewoon opgroeien".into();
    change.push(("doi".into(), "10.1234/samen.2015".into()));
    change.push(("toelichting".into(), "De ondertitel ontbrak.".into()));
    let response = post(change.clone()).await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/account/kennisbank?melding=wijziging");
    // A second one while the first waits is refused; the record is unchanged.
    assert_eq!(post(change).await.status(), 422);
    let public = app.get_text("/kennisbank/samen-om-het-kind", 200).await;
    assert!(!public.contains("gewoon opgroeien"), "unchanged until accepted");
    let told: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE kind = 'publicatie-wijziging'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(told >= 1, "the editors are told");

    // The editor sees the diff and accepts.
    let queue = editor.text("/beheer/kennisbank", 200).await;
    let link = select_attr(&queue, "#revisions a", "href");
    assert_eq!(link.len(), 1);
    let review = editor.text(&link[0], 200).await;
    let changes = select(&review, "#changes tbody tr");
    assert_eq!(changes.len(), 2, "{changes:?}");
    assert!(changes[0].contains("Samen om het kind: gewoon opgroeien"));
    assert!(changes[1].contains("10.1234/samen.2015"));
    assert!(review.contains("De ondertitel ontbrak."));
    assert_eq!(editor.post(&link[0], &[("besluit", "misschien")]).await.status(), 400);
    let response = editor.post(&link[0], &[("besluit", "overnemen")]).await;
    assert_eq!(response.status(), 303);
    let public = app.get_text("/kennisbank/samen-om-het-kind", 200).await;
    assert!(select(&public, "h1").join("").contains("Samen om het kind: gewoon opgroeien"));
    assert!(public.contains("10.1234/samen.2015"));
    assert_eq!(editor.post(&link[0], &[("besluit", "afwijzen")]).await.status(), 409, "decided once");

    // A rejected change leaves the record as it is.
    let mut other = current.clone();
    other[0].1 = "Iets heel anders".into();
    assert_eq!(post(other).await.status(), 303);
    let rid: i64 = sqlx::query_scalar("SELECT id FROM publication_revisions WHERE decided_at IS NULL")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let response =
        editor.post(&format!("/beheer/kennisbank/wijzigingen/{rid}"), &[("besluit", "afwijzen")]).await;
    assert_eq!(response.status(), 303);
    assert!(!app.get_text("/kennisbank/samen-om-het-kind", 200).await.contains("Iets heel anders"));

    let id = publication_id(&app, "samen-om-het-kind").await;
    let audit = app.audit_actions("publicatie", Some(id)).await;
    assert_eq!(
        audit,
        ["wijziging voorgesteld", "wijziging overgenomen", "wijziging voorgesteld", "wijziging afgewezen"]
    );
    // Only an approved member proposes changes.
    let visitor = app.logged_in(Role::Aandeelhouder).await;
    assert_eq!(visitor.get("/account/kennisbank/wijzigen/samen-om-het-kind").await.status(), 403);
    assert_eq!(member.get("/account/kennisbank/wijzigen/bestaat-niet").await.status(), 404);

    // A change that no longer passes the form's rules is not taken over: 409, nothing changes;
    // an unknown change is a 404.
    let mut stale = current.clone();
    stale[0].1 = "Verouderd voorstel".into();
    assert_eq!(post(stale).await.status(), 303);
    let rid: i64 = sqlx::query_scalar(
        "UPDATE publication_revisions SET proposed = jsonb_set(proposed, '{isbn}', '\"123\"') \
         WHERE decided_at IS NULL RETURNING id",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    let decide = format!("/beheer/kennisbank/wijzigingen/{rid}");
    assert_eq!(editor.post(&decide, &[("besluit", "overnemen")]).await.status(), 409);
    assert!(!app.get_text("/kennisbank/samen-om-het-kind", 200).await.contains("Verouderd voorstel"));
    assert_eq!(editor.post(&decide, &[("besluit", "afwijzen")]).await.status(), 303, "still open");
    let unknown = format!("/beheer/kennisbank/wijzigingen/{}", rid + 1000);
    assert_eq!(editor.post(&unknown, &[("besluit", "afwijzen")]).await.status(), 404);
}
