//! "Wijziging voorstellen": an approved member proposes a change to a published record (the
//! whole form, corrected, and a note). It waits in `publication_revisions` as a change to an
//! initiative waits in `initiative_revisions`; the public record stays as it is until an
//! editor, who sees what changed field by field, accepts it (applied, audit log) or rejects it.

use askama::Template;
use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use sqlx::PgPool;
use time::OffsetDateTime;

use super::admin::{FormTemplate, ListNotice, render};
use super::cite::Citable;
use super::form::{self, Choices, PublicationForm};
use super::mails::ChangeWaiting;
use super::propose::OwnNotice;
use super::queries;
use crate::audit::{Entry, Target};
use crate::catalogue::editorial::mail_editors;
use crate::error::{AppError, AppResult};
use crate::members::review::ApprovedMember;
use crate::review::{Decision, Reviewer};
use crate::state::AppState;
use crate::text;
use crate::web::form::FieldErrors;
use crate::web::notice::Notice;
use crate::web::page::{Html, Page};
use crate::web::path_id::PathId;
use crate::web::typed_form::Form;

const NOTE_MAX: usize = 2_000;

/// A change waiting for a decision, as the back office lists it.
pub struct Pending {
    pub id: i64,
    pub title: String,
    pub proposer: Option<String>,
    pub created_at: OffsetDateTime,
}

impl Pending {
    pub fn created(&self) -> String {
        text::datetime_nl(self.created_at)
    }
}

/// The changes waiting for a decision: for one record, or (`None`) for all, oldest first.
pub async fn pending(db: &PgPool, publication: Option<i64>) -> sqlx::Result<Vec<Pending>> {
    sqlx::query_as!(
        Pending,
        r#"SELECT r.id, p.title, m.name AS "proposer?", r.created_at
           FROM publication_revisions r JOIN publications p ON p.id = r.publication_id
           LEFT JOIN members m ON m.id = r.proposed_by
           WHERE r.decided_at IS NULL AND ($1::bigint IS NULL OR r.publication_id = $1)
           ORDER BY r.created_at, r.id LIMIT 200"#,
        publication,
    )
    .fetch_all(db)
    .await
}

pub async fn pending_for(db: &PgPool, publication: i64) -> sqlx::Result<Vec<Pending>> {
    pending(db, Some(publication)).await
}

/// One field that a change alters: its label, the value now and the value proposed.
#[derive(Debug, PartialEq)]
pub struct Change {
    pub label: &'static str,
    pub before: String,
    pub after: String,
}

fn sorted(list: &[String]) -> String {
    let mut list = list.to_vec();
    list.sort();
    list.join(", ")
}

/// The fields in which `new` differs from `old`.
pub fn diff(old: &PublicationForm, new: &PublicationForm) -> Vec<Change> {
    let pairs = [
        ("Titel", &old.titel, &new.titel),
        ("Reeks", &old.reeks, &new.reeks),
        ("Auteurs", &old.auteurs, &new.auteurs),
        ("Jaar", &old.jaar, &new.jaar),
        ("Uitgever", &old.uitgever, &new.uitgever),
        ("Soort", &old.soort, &new.soort),
        ("Samenvatting", &old.samenvatting, &new.samenvatting),
        ("Waar te vinden", &old.toegang, &new.toegang),
        ("Webadres", &old.url, &new.url),
        ("DOI", &old.doi, &new.doi),
        ("ISBN", &old.isbn, &new.isbn),
        ("Licentie", &old.licentie, &new.licentie),
    ];
    let mut changes: Vec<Change> = pairs
        .into_iter()
        .filter(|(_, a, b)| a.trim() != b.trim())
        .map(|(label, a, b)| Change { label, before: a.clone(), after: b.clone() })
        .collect();
    for (label, a, b) in [("Thema's", &old.thema, &new.thema), ("Niveaus", &old.niveau, &new.niveau)] {
        let (a, b) = (sorted(a), sorted(b));
        if a != b {
            changes.push(Change { label, before: a, after: b });
        }
    }
    changes
}

fn crumbs(page: Page, record: &Citable) -> Page {
    let slug = &record.slug;
    page.crumb("Kennisbank", "/kennisbank")
        .crumb(record.title.clone(), format!("/kennisbank/{slug}"))
        .crumb("Wijziging voorstellen", format!("/account/kennisbank/wijzigen/{slug}"))
}

/// The form for a change to `record`, with the vocabularies to choose from.
async fn template(
    db: &PgPool,
    page: Page,
    record: &Citable,
    form: PublicationForm,
    errors: FieldErrors,
) -> AppResult<FormTemplate> {
    let choices = Choices::load(db).await?;
    let action = format!("/account/kennisbank/wijzigen/{}", record.slug);
    Ok(FormTemplate {
        slug: record.slug.clone(),
        revision: true,
        ..FormTemplate::new(crumbs(page, record), action, "Wijziging voorstellen", form, choices, errors)
    })
}

/// `GET /account/kennisbank/wijzigen/{slug}`: the published record's form, to correct.
pub async fn new_form(
    state: AppState,
    page: Page,
    _: ApprovedMember,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let publication = queries::by_slug(&state.db, &slug).await?.ok_or(AppError::NotFound)?;
    let (form, ..) = PublicationForm::load(&state.db, publication.id).await?.ok_or(AppError::NotFound)?;
    let template = template(&state.db, page, &publication.record, form, FieldErrors::default()).await?;
    Ok(render(template, None))
}

/// `POST /account/kennisbank/wijzigen/{slug}`: stores the change for review (or previews it).
pub async fn create(
    state: AppState,
    page: Page,
    ApprovedMember { user, member_id }: ApprovedMember,
    Path(slug): Path<String>,
    Form(form): Form<PublicationForm>,
) -> AppResult<Response> {
    let publication = queries::by_slug(&state.db, &slug).await?.ok_or(AppError::NotFound)?;
    let (current, ..) = PublicationForm::load(&state.db, publication.id).await?.ok_or(AppError::NotFound)?;
    let form = form.cleaned();
    let (mut errors, fields) = match form.validate() {
        Ok(fields) => (FieldErrors::default(), Some(fields)),
        Err(errors) => (errors, None),
    };
    if form.toelichting.chars().count() > NOTE_MAX {
        errors.add("toelichting", "Houd de toelichting korter dan 2.000 tekens.");
    }
    let proposed = fields.as_ref().map(PublicationForm::from_fields);
    let changes = proposed.as_ref().map(|p| diff(&current, p)).unwrap_or_default();
    if errors.is_empty() && form.actie != "voorbeeld" && changes.is_empty() && form.toelichting.is_empty() {
        errors.add(
            "toelichting",
            "U heeft niets gewijzigd. Pas een veld aan, of schrijf in de toelichting wat er anders moet.",
        );
    }
    let (Some(fields), Some(mut proposed), true) = (fields, proposed, errors.is_empty()) else {
        let template = template(&state.db, page, &publication.record, form, errors).await?;
        return Ok(render(template, None));
    };
    if form.actie == "voorbeeld" {
        let template = template(&state.db, page, &publication.record, form, FieldErrors::default()).await?;
        return Ok(render(template, Some(&fields)));
    }
    proposed.toelichting = form.toelichting.clone();
    let mut tx = state.db.begin().await?;
    let id = sqlx::query_scalar!(
        "INSERT INTO publication_revisions (publication_id, proposed_by, proposed, note) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (publication_id, proposed_by) WHERE decided_at IS NULL DO NOTHING RETURNING id",
        publication.id,
        member_id,
        json!(proposed),
        form.toelichting,
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(id) = id else {
        let mut errors = FieldErrors::default();
        errors.add(
            "toelichting",
            "U heeft voor deze publicatie al een wijziging voorgesteld die nog op de redactie wacht. Wacht op het besluit en stel daarna zo nodig een nieuwe voor.",
        );
        let template = template(&state.db, page, &publication.record, form, errors).await?;
        return Ok(render(template, None));
    };
    Entry::new(&user, "wijziging voorgesteld", Target::Publicatie, publication.id)
        .after(json!({ "wijziging": id, "velden": changes.iter().map(|c| c.label).collect::<Vec<_>>() }))
        .record(&mut *tx)
        .await?;
    let waiting = ChangeWaiting {
        title: publication.record.title.clone(),
        link: state.config.absolute(&format!("/beheer/kennisbank/wijzigingen/{id}")),
    };
    mail_editors(&mut tx, &state.config, &waiting).await?;
    tx.commit().await?;
    Ok(OwnNotice::Wijziging.redirect("/account/kennisbank"))
}

#[derive(Template)]
#[template(path = "kennisbank/admin/revision.html")]
struct ReviewTemplate {
    page: Page,
    id: i64,
    publication_id: i64,
    title: String,
    slug: String,
    proposer: Option<String>,
    note: String,
    created: String,
    changes: Vec<Change>,
    /// `Some(accepted)` once decided.
    decided: Option<bool>,
}

struct Stored {
    publication_id: i64,
    title: String,
    slug: String,
    proposer: Option<String>,
    proposed: serde_json::Value,
    note: String,
    created_at: OffsetDateTime,
    accepted: Option<bool>,
}

async fn stored(db: &PgPool, id: i64) -> sqlx::Result<Option<Stored>> {
    sqlx::query_as!(
        Stored,
        r#"SELECT r.publication_id, p.title, p.slug, m.name AS "proposer?", r.proposed, r.note, r.created_at, r.accepted
           FROM publication_revisions r JOIN publications p ON p.id = r.publication_id
           LEFT JOIN members m ON m.id = r.proposed_by WHERE r.id = $1"#,
        id,
    )
    .fetch_optional(db)
    .await
}

fn proposed_form(value: serde_json::Value) -> AppResult<PublicationForm> {
    serde_json::from_value(value).map_err(|e| AppError::Internal(e.into()))
}

/// `GET /beheer/kennisbank/wijzigingen/{id}`: what the change alters, and the decision.
pub async fn review(state: AppState, page: Page, PathId(id): PathId<i64>) -> AppResult<Response> {
    let row = stored(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let (current, ..) =
        PublicationForm::load(&state.db, row.publication_id).await?.ok_or(AppError::NotFound)?;
    let proposed = proposed_form(row.proposed)?;
    Ok(Html(ReviewTemplate {
        page: page
            .in_back_office()
            .crumb("Kennisbank", "/beheer/kennisbank")
            .crumb("Voorgestelde wijziging", format!("/beheer/kennisbank/wijzigingen/{id}")),
        id,
        publication_id: row.publication_id,
        changes: diff(&current, &proposed),
        title: row.title,
        slug: row.slug,
        proposer: row.proposer,
        note: row.note,
        created: text::datetime_nl(row.created_at),
        decided: row.accepted,
    })
    .into_response())
}

/// `POST /beheer/kennisbank/wijzigingen/{id}`: `besluit` overnemen (applies the change to the
/// record) or afwijzen (leaves the record as it is).
pub async fn decide(PathId(id): PathId<i64>, decision: Decision) -> AppResult<Response> {
    let accept = decision.approves("overnemen")?;
    match decide_change(&decision.reviewer(), id, accept, decision.message()).await? {
        ChangeOutcome::Accepted => Ok(ListNotice::WijzigingOvergenomen.redirect("/beheer/kennisbank")),
        ChangeOutcome::Rejected => Ok(ListNotice::WijzigingAfgewezen.redirect("/beheer/kennisbank")),
        ChangeOutcome::NotFound => Err(AppError::NotFound),
        ChangeOutcome::AlreadyDecided => Err(AppError::Conflict("Over deze wijziging is al besloten.".into())),
        ChangeOutcome::Invalid => Err(AppError::Conflict(
            "Deze wijziging voldoet niet (meer) aan de regels van het formulier. Wijs haar af, of neem haar met de hand over in het bewerkformulier."
                .into(),
        )),
    }
}

/// What became of a decision on a proposed change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeOutcome {
    /// The change is applied to the record.
    Accepted,
    /// The record stays as it is.
    Rejected,
    NotFound,
    /// Someone decided on it before.
    AlreadyDecided,
    /// To accept, but the change no longer passes the form's rules; nothing changed.
    Invalid,
}

/// Accepts (applies to the record) or rejects proposed change `id`, with `message` for the
/// audit log; the record's update, the decision and its audit entry are one transaction.
pub async fn decide_change(
    by: &Reviewer<'_>,
    id: i64,
    accept: bool,
    message: String,
) -> anyhow::Result<ChangeOutcome> {
    let mut tx = by.db.begin().await?;
    let row = sqlx::query!(
        "SELECT publication_id, proposed, decided_at IS NOT NULL AS \"decided!\" FROM publication_revisions \
         WHERE id = $1 FOR UPDATE",
        id,
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else { return Ok(ChangeOutcome::NotFound) };
    if row.decided {
        return Ok(ChangeOutcome::AlreadyDecided);
    }
    let publication = row.publication_id;
    let Some((current, status, _)) = PublicationForm::load(by.db, publication).await? else {
        return Ok(ChangeOutcome::NotFound);
    };
    let proposed: PublicationForm = serde_json::from_value(row.proposed)?;
    if accept {
        let Ok(fields) = proposed.validate() else { return Ok(ChangeOutcome::Invalid) };
        // Lock the record while it changes.
        sqlx::query!("SELECT id FROM publications WHERE id = $1 FOR UPDATE", publication)
            .fetch_one(&mut *tx)
            .await?;
        form::update(&mut tx, publication, &fields, status).await?;
    }
    sqlx::query!(
        "UPDATE publication_revisions SET decided_at = now(), decided_by = $2, accepted = $3 WHERE id = $1",
        id,
        Some(by.actor.id),
        accept,
    )
    .execute(&mut *tx)
    .await?;
    Entry::new(
        by.actor,
        if accept { "wijziging overgenomen" } else { "wijziging afgewezen" },
        Target::Publicatie,
        publication,
    )
    .before(json!({ "wijziging": id, "velden": current }))
    .after(json!({ "wijziging": id, "velden": proposed, "bericht": message }))
    .record(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(if accept { ChangeOutcome::Accepted } else { ChangeOutcome::Rejected })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_diff_names_changed_fields_only() {
        let old = PublicationForm {
            titel: "Samen".into(),
            thema: vec!["a".into(), "b".into()],
            ..Default::default()
        };
        let mut new = old.clone();
        new.thema = vec!["b".into(), "a".into()];
        assert!(diff(&old, &new).is_empty(), "the order of themes is no change");
        new.titel = "Samen om het kind".into();
        new.doi = "10.1234/x".into();
        let changes = diff(&old, &new);
        assert_eq!(changes.iter().map(|c| c.label).collect::<Vec<_>>(), ["Titel", "DOI"]);
        assert_eq!(changes[0].before, "Samen");
    }
}
