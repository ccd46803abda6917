//! `/beheer/abonnees`: who is on the newsletter list: counts per status, search and filter, a
//! chart of the list over time, CSV export, and unsubscribing or erasing someone by hand.

use askama::Template;
use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use time::OffsetDateTime;

use crate::audit::{Entry, Target};
use crate::error::{AppError, AppResult};
use crate::newsletter::SubscriberStatus;
use crate::state::AppState;
use crate::text;
use crate::web::auth::LoggedIn;
use crate::web::filters::{QueryParams, query_string};
use crate::web::form::ActionForm;
use crate::web::notice::{Notice, notices};
use crate::web::page::{Html, Page};
use crate::web::paging::{self, Paging};
use crate::web::typed_form::Form;

notices! {
    /// Messages on the subscriber list after an action.
    enum SubscriberNotice {
        Afgemeld = SubscriberStatus::Afgemeld.as_str(), "De abonnee is afgemeld.";
        Gewist = "gewist", "De abonnee en alle bijbehorende gegevens zijn gewist.";
    }
}

pub struct SubscriberRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub status: SubscriberStatus,
    pub created_at: OffsetDateTime,
    pub consent_source: String,
}

impl SubscriberRow {
    pub fn since(&self) -> String {
        text::date_nl(self.created_at)
    }
    pub fn can_unsubscribe(&self) -> bool {
        self.status != SubscriberStatus::Afgemeld
    }
}

#[derive(Template)]
#[template(path = "newsletter/admin/subscribers.html")]
struct ListTemplate {
    page: Page,
    counts: Vec<(SubscriberStatus, i64)>,
    rows: Vec<SubscriberRow>,
    q: String,
    status: String,
    statuses: &'static [SubscriberStatus],
    paging: Paging,
    base_query: String,
    chart_svg: String,
    notice: Option<&'static str>,
}

impl ListTemplate {
    fn page_url(&self, number: impl std::fmt::Display) -> String {
        paging::page_url("/beheer/abonnees", &self.base_query, number)
    }
}

/// Active subscribers at the end of each of the last twelve months, as an SVG bar chart with
/// a text alternative (the same numbers in a table next to it).
async fn chart(state: &AppState) -> sqlx::Result<(String, Vec<(String, i64)>)> {
    // Everyone who confirmed once counts, also those who left or bounced later.
    let months: Vec<(OffsetDateTime, i64)> = sqlx::query!(
        r#"SELECT m AS "month!", (SELECT count(*) FROM subscribers s WHERE s.confirmed_at < m + interval '1 month'
                    AND (s.unsubscribed_at IS NULL OR s.unsubscribed_at >= m + interval '1 month')
                    AND s.status = ANY($1)) AS "count!"
           FROM generate_series(date_trunc('month', now()) - interval '11 months', date_trunc('month', now()),
                                interval '1 month') m"#,
        &[SubscriberStatus::Actief, SubscriberStatus::Afgemeld, SubscriberStatus::Gebounced] as &[SubscriberStatus],
    )
    .fetch_all(&state.db)
    .await?
    .into_iter()
    .map(|r| (r.month, r.count))
    .collect();
    let max = months.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let (width, height, bar) = (600.0, 200.0, 600.0 / 12.0);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {h}\" class=\"chart\" role=\"img\" aria-labelledby=\"chart-title\"><title id=\"chart-title\">Actieve abonnees aan het eind van elke maand (zie de tabel)</title>",
        h = height + 30.0
    );
    let mut labelled = Vec::new();
    for (i, (month, count)) in months.iter().enumerate() {
        let h = (*count as f64 / max as f64) * (height - 20.0);
        let x = i as f64 * bar + 6.0;
        let label = format!(
            "{} {}",
            ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]
                [month.month() as usize - 1],
            month.year()
        );
        svg.push_str(&format!(
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" class=\"bar\"/><text x=\"{tx:.1}\" y=\"{ly:.1}\" class=\"label\">{short}</text><text x=\"{tx:.1}\" y=\"{vy:.1}\" class=\"value\">{count}</text>",
            y = height - h,
            w = bar - 12.0,
            tx = x + (bar - 12.0) / 2.0,
            ly = height + 18.0,
            vy = (height - h - 4.0).max(12.0),
            short = &label[..3],
        ));
        labelled.push((label, *count));
    }
    let _ = width;
    svg.push_str("</svg>");
    Ok((svg, labelled))
}

pub async fn list(state: AppState, page: Page, params: QueryParams) -> AppResult<Response> {
    const PER_PAGE: i64 = 50;
    let q = params.one("q").unwrap_or_default();
    let filter = params.one("status").and_then(|s| SubscriberStatus::parse(&s));
    let status = filter.map(|s| s.as_str().to_owned()).unwrap_or_default();
    let pattern = crate::text::like_contains(&q);
    let counts = sqlx::query!(
        r#"SELECT s.status AS "status!: SubscriberStatus", count(x.id) AS "count!"
           FROM unnest($1::text[]) AS s(status) LEFT JOIN subscribers x ON x.status = s.status
           GROUP BY s.status ORDER BY array_position($1::text[], s.status)"#,
        SubscriberStatus::ALL as &[SubscriberStatus],
    )
    .fetch_all(&state.db)
    .await?
    .into_iter()
    .map(|r| (r.status, r.count))
    .collect();
    let total = sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM subscribers
           WHERE (email ILIKE $1 OR name ILIKE $1) AND ($2::text IS NULL OR status = $2)"#,
        pattern,
        filter as Option<SubscriberStatus>,
    )
    .fetch_one(&state.db)
    .await?;
    let paging = Paging::new(params.page(), PER_PAGE, total);
    let rows = sqlx::query_as!(
        SubscriberRow,
        r#"SELECT id, email, name, status AS "status: SubscriberStatus", created_at, consent_source FROM subscribers
           WHERE (email ILIKE $1 OR name ILIKE $1) AND ($2::text IS NULL OR status = $2)
           ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4"#,
        pattern,
        filter as Option<SubscriberStatus>,
        PER_PAGE,
        paging.offset(),
    )
    .fetch_all(&state.db)
    .await?;
    let (chart_svg, _) = chart(&state).await?;
    let notice = page.notice::<SubscriberNotice>();
    Ok(Html(ListTemplate {
        page: page.in_back_office().crumb("Abonnees", "/beheer/abonnees"),
        counts,
        rows,
        base_query: query_string(&[("q", &q), ("status", &status)]),
        q,
        status,
        statuses: SubscriberStatus::ALL,
        paging,
        chart_svg,
        notice,
    })
    .into_response())
}

struct ExportRow {
    email: String,
    name: String,
    status: SubscriberStatus,
    topics: String,
    consent_at: Option<OffsetDateTime>,
    confirmed_at: Option<OffsetDateTime>,
    consent_source: String,
}

pub async fn export(state: AppState) -> AppResult<Response> {
    let rows = sqlx::query_as!(
        ExportRow,
        r#"SELECT email, name, status AS "status: SubscriberStatus", array_to_string(topics, ', ') AS "topics!",
                  consent_at, confirmed_at, consent_source
           FROM subscribers ORDER BY id"#,
    )
    .fetch_all(&state.db)
    .await?;
    let mut csv = String::from("e-mailadres;naam;status;onderwerpen;toestemming;bevestigd;bron\r\n");
    let when = |t: Option<OffsetDateTime>| t.map(text::datetime_nl).unwrap_or_default();
    for r in rows {
        let fields = [
            r.email,
            r.name,
            r.status.as_str().to_owned(),
            r.topics,
            when(r.consent_at),
            when(r.confirmed_at),
            r.consent_source,
        ];
        csv.push_str(&fields.iter().map(|f| crate::text::csv_field(f)).collect::<Vec<_>>().join(";"));
        csv.push_str("\r\n");
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"brede-blik-abonnees.csv\""),
            (header::CACHE_CONTROL, "no-store"),
        ],
        format!("\u{feff}{csv}"),
    )
        .into_response())
}

/// What a coordinator does with one subscriber (`actie`: `afmelden` or `wissen`).
pub async fn action(
    state: AppState,
    LoggedIn(actor): LoggedIn,
    Path(id): Path<i64>,
    Form(sent): Form<ActionForm>,
) -> AppResult<Response> {
    let email = sqlx::query_scalar!("SELECT email FROM subscribers WHERE id = $1", id)
        .fetch_optional(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let action = sent.actie;
    let mut tx = state.db.begin().await?;
    let (label, notice) = match action.as_str() {
        "afmelden" => {
            sqlx::query!(
                "UPDATE subscribers SET status = $2, unsubscribed_at = coalesce(unsubscribed_at, now()), updated_at = now() \
                 WHERE id = $1",
                id,
                SubscriberStatus::Afgemeld as SubscriberStatus,
            )
            .execute(&mut *tx)
            .await?;
            ("abonnee afgemeld", SubscriberNotice::Afgemeld)
        }
        "wissen" => {
            sqlx::query!("DELETE FROM subscribers WHERE id = $1", id).execute(&mut *tx).await?;
            // Earlier audit entries about this subscriber lose the address too.
            sqlx::query!(
                "UPDATE audit_log SET after = jsonb_build_object('abonnee', 'abonnee ' || target_id) \
                 WHERE target_type = $2 AND target_id = $1",
                id.to_string(),
                Target::Abonnee as Target,
            )
            .execute(&mut *tx)
            .await?;
            ("abonnee gewist", SubscriberNotice::Gewist)
        }
        _ => return Err(AppError::BadRequest("Onbekende handeling.".into())),
    };
    // The audit log keeps no address of an erased subscriber.
    let shown = if action == "wissen" { format!("abonnee {id}") } else { email };
    Entry::new(&actor, label, Target::Abonnee, id)
        .after(json!({ "abonnee": shown }))
        .record(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(notice.redirect("/beheer/abonnees"))
}

/// The import form: the pasted CSV, its columns by number (1 is the first), and how consent
/// was given (`wijze`: `bevestigen` asks by mail, `toestemming` with its `bron` counts as given).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ImportForm {
    csv: String,
    email_kolom: String,
    naam_kolom: String,
    wijze: String,
    bron: String,
}

impl ImportForm {
    /// The form as first shown: addresses in the first column, names in the second.
    fn blank() -> Self {
        ImportForm { email_kolom: "1".into(), naam_kolom: "2".into(), ..Self::default() }
    }

    /// Whether these people gave consent already (otherwise they are asked by mail).
    fn consented(&self) -> bool {
        self.wijze == "toestemming"
    }
}

#[derive(Template)]
#[template(path = "newsletter/admin/subscribers_import.html")]
struct ImportTemplate {
    page: Page,
    form: ImportForm,
    errors: crate::web::form::FieldErrors,
    result: Option<(usize, usize, usize)>,
}

pub async fn import_form(page: Page) -> impl IntoResponse {
    Html(ImportTemplate {
        page: page
            .in_back_office()
            .crumb("Abonnees", "/beheer/abonnees")
            .crumb("Importeren", "/beheer/abonnees/importeren"),
        form: ImportForm::blank(),
        errors: Default::default(),
        result: None,
    })
}

/// Imports pasted CSV. Columns are chosen by number; the separator (`;`, `,` or tab) is taken
/// from the first line. Addresses either count as consented (with the stated source, recorded
/// as such) or receive the usual confirmation mail. Existing subscribers are left alone.
pub async fn import(state: AppState, page: Page, Form(form): Form<ImportForm>) -> AppResult<Response> {
    let page = page
        .in_back_office()
        .crumb("Abonnees", "/beheer/abonnees")
        .crumb("Importeren", "/beheer/abonnees/importeren");
    let column = |value: &str| value.trim().parse::<usize>().ok().filter(|n| (1..=50).contains(n));
    let email_column = column(&form.email_kolom);
    let name_column = column(&form.naam_kolom);
    let consented = form.consented();
    let source = crate::web::form::clean(&form.bron, 200);
    let csv = &form.csv;
    let mut errors = crate::web::form::FieldErrors::default();
    if csv.trim().is_empty() {
        errors.add("csv", "Plak de inhoud van het CSV-bestand in het tekstvak.");
    }
    if email_column.is_none() {
        errors.add("email_kolom", "Geef het nummer van de kolom met e-mailadressen (1 is de eerste).");
    }
    if consented && source.chars().count() < 5 {
        errors.add("bron", "Vermeld waar en wanneer deze mensen toestemming gaven, bijvoorbeeld ‘inschrijflijst congres 11 november 2026’.");
    }
    let Some(email_column) = email_column.filter(|_| errors.is_empty()) else {
        let template = ImportTemplate { page, form, errors, result: None };
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, Html(template)).into_response());
    };
    let first = csv.lines().next().unwrap_or_default();
    let separator = [';', '\t', ','].into_iter().max_by_key(|s| first.matches(*s).count()).unwrap_or(';');
    let (mut added, mut existing, mut invalid) = (0, 0, 0);
    let mut tx = state.db.begin().await?;
    for line in csv.lines().take(50_000) {
        let cells: Vec<String> =
            line.split(separator).map(|c| c.trim().trim_matches('"').trim().to_owned()).collect();
        let cell = cells.get(email_column - 1).map_or("", String::as_str);
        let Ok(email) = crate::mail::EmailAddress::parse(cell) else {
            // Header lines and empty or broken rows.
            invalid += 1;
            continue;
        };
        let email = email.into_string();
        let name = name_column
            .and_then(|c| cells.get(c - 1))
            .map(|n| crate::web::form::clean(n, 120))
            .unwrap_or_default();
        let token = crate::tokens::random_hex(32);
        // With consent on record they are active at once; otherwise they get a confirmation mail.
        let status = if consented { SubscriberStatus::Actief } else { SubscriberStatus::Onbevestigd };
        let inserted = sqlx::query_scalar!(
            "INSERT INTO subscribers (email, name, status, link_token, consent_at, consent_source, consent_text_version, confirmed_at, \
                                      confirm_token_hash, confirm_sent_at, confirm_mails_today) \
             VALUES ($1, $2, $7, $4, now(), $5, 'import', CASE WHEN $3 THEN now() END, \
                     CASE WHEN $3 THEN NULL ELSE $6 END, CASE WHEN $3 THEN NULL ELSE now() END, CASE WHEN $3 THEN 0 ELSE 1 END) \
             ON CONFLICT ((lower(email))) DO NOTHING RETURNING id",
            email,
            name,
            consented,
            crate::tokens::random_hex(24),
            if consented { format!("import: {source}") } else { "import, bevestiging per e-mail gevraagd".to_owned() },
            crate::tokens::hash(&token),
            status as SubscriberStatus,
        )
        .fetch_optional(&mut *tx)
        .await?;
        if inserted.is_none() {
            existing += 1;
            continue;
        }
        added += 1;
        if !consented {
            let link = state.config.absolute(&format!("/nieuwsbrief/bevestigen/{token}"));
            let confirm = crate::newsletter::mails::ConfirmImport { link };
            crate::mail::enqueue(&mut *tx, &state.config, &email, &confirm).await?;
        }
    }
    Entry::new(page.actor()?, "abonnees geïmporteerd", Target::Abonnee, String::new())
        .after(json!({ "toegevoegd": added, "bestonden_al": existing, "overgeslagen": invalid, "toestemming": consented, "bron": source }))
        .record(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Html(ImportTemplate {
        page,
        form: ImportForm::default(),
        errors: Default::default(),
        result: Some((added, existing, invalid)),
    })
    .into_response())
}
