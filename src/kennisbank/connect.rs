//! What a publication is linked to, edited in `/beheer/kennisbank/{id}`: the initiatives that
//! put it to work, its regions, the events (bijeenkomsten) where it was presented, and related
//! publications. An editor adds a link by the target's address (or slug) — only a published
//! target — and removes one with a button; each change is in the audit log.

use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;
use sqlx::PgPool;

use super::PublicationStatus;
use super::admin::{EditInput, EditNotice, edit_page};
use super::status::LinkKind;
use crate::audit::{self, Entry, Target};
use crate::catalogue::InitiativeStatus;
use crate::error::{AppError, AppResult};
use crate::events::EventStatus;
use crate::state::AppState;
use crate::web::auth::SessionUser;
use crate::web::form::{FieldErrors, clean};
use crate::web::notice::Notice;
use crate::web::page::Page;
use crate::web::path_id::PathId;
use crate::web::typed_form::Form;

/// One linked record as the back office lists it.
pub struct Linked {
    pub kind: LinkKind,
    pub target: i64,
    pub slug: String,
    pub name: String,
}

impl Linked {
    /// The target's public page.
    pub fn href(&self) -> String {
        format!("{}/{}", prefix(self.kind), self.slug)
    }
}

fn prefix(kind: LinkKind) -> &'static str {
    match kind {
        LinkKind::Initiatief => "/initiatieven",
        LinkKind::Regio => "/regios",
        LinkKind::Bijeenkomst => "/bijeenkomsten",
        LinkKind::Publicatie => "/kennisbank",
    }
}

/// Every record publication `id` is linked to, whatever its status, by kind and name.
pub async fn all_of(db: &PgPool, id: i64) -> sqlx::Result<Vec<Linked>> {
    let rows = sqlx::query!(
        r#"SELECT $2::text AS "kind!: LinkKind", i.id AS "target!", i.slug AS "slug!", i.name AS "name!"
             FROM initiatives i JOIN publication_initiatives l ON l.initiative_id = i.id WHERE l.publication_id = $1
           UNION ALL
           SELECT $3::text, r.id::bigint, r.slug, r.name
             FROM regions r JOIN publication_regions l ON l.region_id = r.id WHERE l.publication_id = $1
           UNION ALL
           SELECT $4::text, e.id, e.slug, e.title
             FROM events e JOIN publication_events l ON l.event_id = e.id WHERE l.publication_id = $1
           UNION ALL
           SELECT $5::text, p.id, p.slug, p.title FROM publications p
            WHERE p.id IN (SELECT related_id FROM publication_relations WHERE publication_id = $1
                           UNION SELECT publication_id FROM publication_relations WHERE related_id = $1)
           ORDER BY 1, 4"#,
        id,
        LinkKind::Initiatief as LinkKind,
        LinkKind::Regio as LinkKind,
        LinkKind::Bijeenkomst as LinkKind,
        LinkKind::Publicatie as LinkKind,
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Linked { kind: r.kind, target: r.target, slug: r.slug, name: r.name })
        .collect())
}

/// The slug in what an editor typed: a slug, a path or a whole address of the target's page.
fn slug_of(address: &str) -> Option<&str> {
    let path = address.trim().split(['?', '#']).next().unwrap_or_default();
    let slug = path.trim_end_matches('/').rsplit('/').next().unwrap_or_default();
    let valid = !slug.is_empty()
        && slug.len() <= 200
        && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    valid.then_some(slug)
}

/// The published target of `kind` with `slug`: its id and name.
async fn published_target(
    db: &PgPool,
    kind: LinkKind,
    slug: &str,
    publication: i64,
) -> sqlx::Result<Option<(i64, String)>> {
    let row = match kind {
        LinkKind::Initiatief => sqlx::query!(
            "SELECT id, name FROM initiatives WHERE slug = $1 AND status = $2",
            slug,
            InitiativeStatus::Gepubliceerd as InitiativeStatus,
        )
        .fetch_optional(db)
        .await?
        .map(|r| (r.id, r.name)),
        LinkKind::Regio => sqlx::query!("SELECT id, name FROM regions WHERE slug = $1", slug)
            .fetch_optional(db)
            .await?
            .map(|r| (i64::from(r.id), r.name)),
        LinkKind::Bijeenkomst => sqlx::query!(
            "SELECT id, title FROM events WHERE slug = $1 AND status <> $2",
            slug,
            EventStatus::Concept as EventStatus,
        )
        .fetch_optional(db)
        .await?
        .map(|r| (r.id, r.title)),
        LinkKind::Publicatie => sqlx::query!(
            "SELECT id, title FROM publications WHERE slug = $1 AND status = $2 AND id <> $3",
            slug,
            PublicationStatus::Gepubliceerd as PublicationStatus,
            publication,
        )
        .fetch_optional(db)
        .await?
        .map(|r| (r.id, r.title)),
    };
    Ok(row)
}

fn not_found_message(kind: LinkKind) -> &'static str {
    match kind {
        LinkKind::Initiatief => "Er is geen gepubliceerd initiatief met dit adres.",
        LinkKind::Regio => "Er is geen regio met dit adres.",
        LinkKind::Bijeenkomst => "Er is geen gepubliceerde bijeenkomst met dit adres.",
        LinkKind::Publicatie => "Er is geen andere gepubliceerde publicatie met dit adres.",
    }
}

/// Links publication `id` to the published target at `address`; `Ok(Err(message))` when
/// there is none, or it is linked already.
async fn add(
    state: &AppState,
    actor: &SessionUser,
    id: i64,
    kind: LinkKind,
    address: &str,
) -> AppResult<Result<(), String>> {
    let Some(slug) = slug_of(address) else {
        return Ok(Err(format!(
            "Vul het adres van de pagina in (bijvoorbeeld {}/naam-van-de-pagina) of alleen het laatste deel ervan.",
            prefix(kind)
        )));
    };
    let Some((target, name)) = published_target(&state.db, kind, slug, id).await? else {
        return Ok(Err(not_found_message(kind).to_owned()));
    };
    let mut tx = state.db.begin().await?;
    let insert = match kind {
        LinkKind::Initiatief => sqlx::query!(
            "INSERT INTO publication_initiatives (publication_id, initiative_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            id,
            target,
        ),
        LinkKind::Regio => sqlx::query!(
            "INSERT INTO publication_regions (publication_id, region_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            id,
            target as i32,
        ),
        LinkKind::Bijeenkomst => sqlx::query!(
            "INSERT INTO publication_events (publication_id, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            id,
            target,
        ),
        LinkKind::Publicatie => sqlx::query!(
            "INSERT INTO publication_relations (publication_id, related_id) SELECT $1, $2 \
             WHERE NOT EXISTS (SELECT 1 FROM publication_relations WHERE publication_id = $2 AND related_id = $1) \
             ON CONFLICT DO NOTHING",
            id,
            target,
        ),
    };
    if insert.execute(&mut *tx).await?.rows_affected() == 0 {
        return Ok(Err(format!("‘{name}’ is al gekoppeld.")));
    }
    audit::record(
        &mut *tx,
        Entry {
            actor: Some(actor),
            action: "koppeling toegevoegd",
            target_type: Target::Publicatie,
            target_id: id.to_string(),
            before: None,
            after: Some(json!({ "soort": kind, "doel": slug, "naam": name })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// Removes the link of `kind` to `target`; removing one that is gone already changes nothing.
async fn remove(
    state: &AppState,
    actor: &SessionUser,
    id: i64,
    kind: LinkKind,
    target: i64,
) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    let delete = match kind {
        LinkKind::Initiatief => sqlx::query!(
            "DELETE FROM publication_initiatives WHERE publication_id = $1 AND initiative_id = $2",
            id,
            target,
        ),
        LinkKind::Regio => sqlx::query!(
            "DELETE FROM publication_regions WHERE publication_id = $1 AND region_id::bigint = $2",
            id,
            target,
        ),
        LinkKind::Bijeenkomst => sqlx::query!(
            "DELETE FROM publication_events WHERE publication_id = $1 AND event_id = $2",
            id,
            target,
        ),
        LinkKind::Publicatie => sqlx::query!(
            "DELETE FROM publication_relations WHERE (publication_id = $1 AND related_id = $2) \
                                                  OR (publication_id = $2 AND related_id = $1)",
            id,
            target,
        ),
    };
    if delete.execute(&mut *tx).await?.rows_affected() > 0 {
        audit::record(
            &mut *tx,
            Entry {
                actor: Some(actor),
                action: "koppeling verwijderd",
                target_type: Target::Publicatie,
                target_id: id.to_string(),
                before: Some(json!({ "soort": kind, "doel_id": target })),
                after: None,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The koppelingen form: `actie` toevoegen (with `soort` and `adres`) or verwijderen (with
/// `soort` and `doel`, the target's id).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct LinkChange {
    actie: String,
    soort: String,
    adres: String,
    doel: String,
}

/// `POST /beheer/kennisbank/{id}/koppelingen`.
pub async fn change(
    state: AppState,
    page: Page,
    PathId(id): PathId<i64>,
    Form(change): Form<LinkChange>,
) -> AppResult<Response> {
    let kind = LinkKind::parse(&change.soort);
    let address = clean(&change.adres, 300);
    let mut errors = FieldErrors::default();
    match (change.actie.as_str(), kind) {
        (_, None) => errors.add("koppeling-soort", "Kies wat u wilt koppelen."),
        ("toevoegen", Some(kind)) => {
            sqlx::query_scalar!("SELECT id FROM publications WHERE id = $1", id)
                .fetch_optional(&state.db)
                .await?
                .ok_or(AppError::NotFound)?;
            if let Err(message) = add(&state, page.actor()?, id, kind, &address).await? {
                errors.add("koppeling-adres", message);
            }
        }
        ("verwijderen", Some(kind)) => match change.doel.parse::<i64>() {
            Ok(target) => remove(&state, page.actor()?, id, kind, target).await?,
            Err(_) => return Err(AppError::BadRequest("Deze koppeling bestaat niet.".into())),
        },
        _ => return Err(AppError::BadRequest("Kies koppelen of ontkoppelen.".into())),
    }
    if errors.is_empty() {
        let url = EditNotice::Koppeling.url(&format!("/beheer/kennisbank/{id}"), "koppelingen");
        return Ok(Redirect::to(&url).into_response());
    }
    let input = EditInput { link_kind: change.soort, link_address: address, errors, ..Default::default() };
    edit_page(&state, page, id, input).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_gives_its_slug() {
        assert_eq!(slug_of("beweging-brede-blik"), Some("beweging-brede-blik"));
        assert_eq!(
            slug_of("https://bredeblik.nl/initiatieven/beweging-brede-blik/?x=1"),
            Some("beweging-brede-blik")
        );
        assert_eq!(slug_of("/kennisbank/samen-om-het-kind#citeer"), Some("samen-om-het-kind"));
        assert_eq!(slug_of("<script>"), None);
        assert_eq!(slug_of(""), None);
    }
}
