//! `/beheer/taxonomie`: coordinators keep the four vocabularies (themes, domains, levels, age
//! groups): add a term, rename it, change its place in the order, and delete it when nothing
//! uses it any more. A term's slug never changes, because URLs and subscriptions refer to it.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;

use crate::audit::Entry;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::taxonomy::Vocabulary;
use crate::text::{SlugCandidates, slugify};
use crate::web::form;
use crate::web::notice::{Notice, notices};
use crate::web::page::{Html, Page};
use crate::web::path_id::PathId;
use crate::web::typed_form::Form;

notices! {
    /// Messages on the taxonomy page after a change.
    enum TermNotice {
        Toegevoegd = "toegevoegd", "De term is toegevoegd.";
        Opgeslagen = "opgeslagen", "De term is opgeslagen.";
        Verwijderd = "verwijderd", "De term is verwijderd.";
    }
}

/// The form key, the heading and the singular of each vocabulary.
const LISTS: &[(&str, Vocabulary, &str, &str)] = &[
    ("thema", Vocabulary::Theme, "Thema's", "thema"),
    ("domein", Vocabulary::Domain, "Domeinen", "domein"),
    ("niveau", Vocabulary::Level, "Niveaus", "niveau"),
    ("leeftijd", Vocabulary::AgeGroup, "Leeftijdsgroepen", "leeftijdsgroep"),
];

fn list_for(key: &str) -> AppResult<(&'static str, Vocabulary, &'static str, &'static str)> {
    LISTS
        .iter()
        .find(|(k, ..)| *k == key)
        .copied()
        .ok_or_else(|| AppError::BadRequest("Kies een van de vier lijsten.".into()))
}

/// How many records use each term: (initiatives, members, news items, subscribers).
fn usage_sql(vocabulary: Vocabulary) -> &'static str {
    match vocabulary {
        Vocabulary::Theme => {
            "(SELECT count(*) FROM initiative_themes l WHERE l.theme_id = t.id) AS initiatives, \
             (SELECT count(*) FROM member_themes l WHERE l.theme_id = t.id) AS members, \
             (SELECT count(*) FROM news_item_themes l WHERE l.theme_id = t.id) AS news, \
             (SELECT count(*) FROM subscribers s WHERE t.slug = ANY(s.topics)) AS subscribers"
        }
        Vocabulary::Domain => {
            "(SELECT count(*) FROM initiative_domains l WHERE l.domain_id = t.id) AS initiatives, \
             (SELECT count(*) FROM member_domains l WHERE l.domain_id = t.id) AS members, \
             0::bigint AS news, 0::bigint AS subscribers"
        }
        Vocabulary::Level => {
            "(SELECT count(*) FROM initiative_levels l WHERE l.level_id = t.id) AS initiatives, \
             0::bigint AS members, 0::bigint AS news, 0::bigint AS subscribers"
        }
        Vocabulary::AgeGroup => {
            "(SELECT count(*) FROM initiative_age_groups l WHERE l.age_group_id = t.id) AS initiatives, \
             0::bigint AS members, 0::bigint AS news, 0::bigint AS subscribers"
        }
    }
}

#[derive(sqlx::FromRow)]
pub struct TermRow {
    pub id: i32,
    pub slug: String,
    pub name: String,
    pub position: i32,
    pub initiatives: i64,
    pub members: i64,
    pub news: i64,
    pub subscribers: i64,
}

impl TermRow {
    pub fn uses(&self) -> i64 {
        self.initiatives + self.members + self.news + self.subscribers
    }

    /// "3 initiatieven, 1 aandeelhouder en 2 abonnees", or "niets".
    pub fn usage(&self) -> String {
        let parts: Vec<String> = [
            (self.initiatives, "initiatief", "initiatieven"),
            (self.members, "aandeelhouder", "aandeelhouders"),
            (self.news, "nieuwsbericht", "nieuwsberichten"),
            (self.subscribers, "abonnee", "abonnees"),
        ]
        .iter()
        .filter(|(n, ..)| *n > 0)
        .map(|(n, one, many)| format!("{n} {}", if *n == 1 { one } else { many }))
        .collect();
        match parts.split_last() {
            None => "niets".into(),
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} en {last}", rest.join(", ")),
        }
    }
}

async fn terms(db: &sqlx::PgPool, vocabulary: Vocabulary) -> sqlx::Result<Vec<TermRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT t.id, t.slug, t.name, t.position, {} FROM {} t ORDER BY t.position, t.name",
        usage_sql(vocabulary),
        vocabulary.table()
    )))
    .fetch_all(db)
    .await
}

pub struct Section {
    pub key: &'static str,
    pub title: &'static str,
    pub singular: &'static str,
    pub terms: Vec<TermRow>,
    pub error: Option<String>,
    /// The new term's name as typed, kept when it was refused.
    pub new_name: String,
}

#[derive(Template)]
#[template(path = "catalogue/admin/taxonomy.html")]
struct TaxonomyTemplate {
    page: Page,
    sections: Vec<Section>,
    notice: Option<&'static str>,
}

/// A refused change: which list, the message, and the typed values to put back.
struct Refusal {
    key: &'static str,
    message: String,
    new_name: String,
    edited: Option<(i32, String, i32)>,
}

async fn render(state: &AppState, page: Page, refusal: Option<Refusal>) -> AppResult<Response> {
    let mut sections = Vec::new();
    for (key, vocabulary, title, singular) in LISTS {
        let mut section = Section {
            key,
            title,
            singular,
            terms: terms(&state.db, *vocabulary).await?,
            error: None,
            new_name: String::new(),
        };
        if let Some(refusal) = refusal.as_ref().filter(|r| r.key == *key) {
            section.error = Some(refusal.message.clone());
            section.new_name = refusal.new_name.clone();
            if let Some((id, name, position)) = &refusal.edited
                && let Some(term) = section.terms.iter_mut().find(|t| t.id == *id)
            {
                term.name = name.clone();
                term.position = *position;
            }
        }
        sections.push(section);
    }
    let status = if refusal.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let template = TaxonomyTemplate {
        notice: page.notice::<TermNotice>(),
        page: page.in_back_office().crumb("Taxonomie", "/beheer/taxonomie"),
        sections,
    };
    Ok((status, Html(template)).into_response())
}

pub async fn show(state: AppState, page: Page) -> AppResult<Response> {
    render(&state, page, None).await
}

fn check_name(name: &str) -> Option<&'static str> {
    let chars = name.chars().count();
    if chars < 2 {
        Some("Geef de term een naam van minstens 2 tekens.")
    } else if chars > 80 {
        Some("Houd de naam korter dan 80 tekens.")
    } else if slugify(name).is_empty() {
        Some("Gebruik in de naam ook letters of cijfers.")
    } else {
        None
    }
}

/// Reads an optional position; `Err` when something other than a whole number was typed.
fn read_position(value: &str) -> Result<Option<i32>, ()> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    value.parse::<i32>().ok().filter(|p| (0..=100_000).contains(p)).map(Some).ok_or(())
}

async fn name_taken(
    conn: &mut sqlx::PgConnection,
    vocabulary: Vocabulary,
    name: &str,
    except: i32,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT EXISTS (SELECT 1 FROM {} WHERE lower(name) = lower($1) AND id <> $2)",
        vocabulary.table()
    )))
    .bind(name)
    .bind(except)
    .fetch_one(conn)
    .await
}

/// A term as the add and change forms send it: the list (`lijst`) it belongs to, its name
/// and position, and `actie=verwijderen` to delete it.
#[derive(Default, serde::Deserialize)]
#[serde(default)]
pub struct TermForm {
    lijst: String,
    naam: String,
    positie: String,
    actie: String,
}

pub async fn add(state: AppState, page: Page, Form(sent): Form<TermForm>) -> AppResult<Response> {
    let (key, vocabulary, _, singular) = list_for(&sent.lijst)?;
    let name = form::clean(&sent.naam, 200);
    let refuse = |message: String| Refusal { key, message, new_name: name.clone(), edited: None };
    if let Some(message) = check_name(&name) {
        return render(&state, page, Some(refuse(message.into()))).await;
    }
    let table = vocabulary.table();
    let mut tx = state.db.begin().await?;
    // One change to a vocabulary at a time, so two people adding the same name cannot both win.
    sqlx::query(sqlx::AssertSqlSafe(format!("LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")))
        .execute(&mut *tx)
        .await?;
    if name_taken(&mut tx, vocabulary, &name, -1).await? {
        drop(tx);
        let message = format!("Er is al een {singular} met de naam ‘{name}’.");
        return render(&state, page, Some(refuse(message))).await;
    }
    // The first free slug, taken in the insert itself (as `text::SlugCandidates` describes).
    let base = slugify(&name);
    let mut candidates = SlugCandidates::new(&base);
    let (id, slug) = loop {
        let slug = candidates.next_slug();
        let inserted: Option<i32> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "INSERT INTO {table} (slug, name, position) \
             VALUES ($1, $2, (SELECT coalesce(max(position), 0) + 1 FROM {table})) \
             ON CONFLICT (slug) DO NOTHING RETURNING id"
        )))
        .bind(&slug)
        .bind(&name)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(id) = inserted {
            break (id, slug);
        }
    };
    Entry::new(page.actor()?, "term toegevoegd", vocabulary.audit_target(), id)
        .after(json!({ "naam": name, "slug": slug }))
        .record(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Redirect::to(&TermNotice::Toegevoegd.url("/beheer/taxonomie", key)).into_response())
}

pub async fn change(
    state: AppState,
    page: Page,
    PathId(id): PathId<i32>,
    Form(sent): Form<TermForm>,
) -> AppResult<Response> {
    let (key, vocabulary, _, singular) = list_for(&sent.lijst)?;
    let table = vocabulary.table();
    let mut tx = state.db.begin().await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")))
        .execute(&mut *tx)
        .await?;
    // Locking the row also waits for anyone linking a record to it right now.
    let row: Option<TermRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT t.id, t.slug, t.name, t.position, {} FROM {table} t WHERE t.id = $1 FOR UPDATE",
        usage_sql(vocabulary)
    )))
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let term = row.ok_or(AppError::NotFound)?;
    if sent.actie == "verwijderen" {
        return delete(state, page, tx, key, vocabulary, term).await;
    }
    let name = form::clean(&sent.naam, 200);
    let position = read_position(&sent.positie);
    let edited = Some((id, name.clone(), position.ok().flatten().unwrap_or(term.position)));
    let refuse =
        |message: String| Some(Refusal { key, message, new_name: String::new(), edited: edited.clone() });
    let message = match (check_name(&name), position) {
        (Some(message), _) => Some(message.to_owned()),
        (None, Err(())) => Some("Vul als volgorde een heel getal in, 0 of hoger.".to_owned()),
        (None, Ok(_)) if name_taken(&mut tx, vocabulary, &name, id).await? => {
            Some(format!("Er is al een {singular} met de naam ‘{name}’."))
        }
        _ => None,
    };
    if let Some(message) = message {
        drop(tx);
        return render(&state, page, refuse(message)).await;
    }
    let position = position.ok().flatten().unwrap_or(term.position);
    sqlx::query(sqlx::AssertSqlSafe(format!("UPDATE {table} SET name = $2, position = $3 WHERE id = $1")))
        .bind(id)
        .bind(&name)
        .bind(position)
        .execute(&mut *tx)
        .await?;
    Entry::new(page.actor()?, "term gewijzigd", vocabulary.audit_target(), id)
        .before(json!({ "naam": term.name, "volgorde": term.position }))
        .after(json!({ "naam": name, "volgorde": position }))
        .record(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Redirect::to(&TermNotice::Opgeslagen.url("/beheer/taxonomie", key)).into_response())
}

#[allow(clippy::too_many_arguments)]
async fn delete(
    state: AppState,
    page: Page,
    mut tx: sqlx::Transaction<'static, sqlx::Postgres>,
    key: &'static str,
    vocabulary: Vocabulary,
    term: TermRow,
) -> AppResult<Response> {
    let table = vocabulary.table();
    if term.uses() > 0 {
        drop(tx);
        let message = format!(
            "‘{}’ kan niet worden verwijderd: {} {} deze term nog. Haal de term daar eerst weg.",
            term.name,
            term.usage(),
            if term.uses() == 1 { "gebruikt" } else { "gebruiken" },
        );
        let refusal = Refusal { key, message, new_name: String::new(), edited: None };
        return render(&state, page, Some(refusal)).await;
    }
    sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table} WHERE id = $1")))
        .bind(term.id)
        .execute(&mut *tx)
        .await?;
    Entry::new(page.actor()?, "term verwijderd", vocabulary.audit_target(), term.id)
        .before(json!({ "naam": term.name, "slug": term.slug }))
        .record(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Redirect::to(&TermNotice::Verwijderd.url("/beheer/taxonomie", key)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(initiatives: i64, members: i64, subscribers: i64) -> TermRow {
        TermRow {
            id: 1,
            slug: "x".into(),
            name: "X".into(),
            position: 1,
            initiatives,
            members,
            news: 0,
            subscribers,
        }
    }

    #[test]
    fn usage_is_said_in_dutch() {
        assert_eq!(row(0, 0, 0).usage(), "niets");
        assert_eq!(row(1, 0, 0).usage(), "1 initiatief");
        assert_eq!(row(3, 1, 2).usage(), "3 initiatieven, 1 aandeelhouder en 2 abonnees");
        assert_eq!(read_position(" 4 "), Ok(Some(4)));
        assert_eq!(read_position(""), Ok(None));
        assert_eq!(read_position("-1"), Err(()));
        assert_eq!(read_position("vier"), Err(()));
    }
}
