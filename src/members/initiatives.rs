//! `/account/initiatieven`: approved aandeelhouders propose initiatives and keep their own up
//! to date. New ones wait for an editor; a change to a published one is stored as a revision
//! and the public page stays as it is until an editor approves it. Someone else's initiative
//! answers 404, exactly like one that does not exist.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use time::OffsetDateTime;

use super::review::{ApprovedMember, approved_member};
use crate::audit::{Entry, Target};
use crate::catalogue::InitiativeStatus;
use crate::catalogue::editorial::{self, Choices, InitiativeFields, Submitted};
use crate::error::{AppError, AppResult};
use crate::media::{self, MediaId, UploadForm};
use crate::state::AppState;
use crate::text;
use crate::web::auth::{LoggedIn, SessionUser};
use crate::web::form::FieldErrors;
use crate::web::notice::{Notice, notices};
use crate::web::page::{Html, Page};
use crate::web::path_id::PathId;

notices! {
    /// Messages on a member's list of initiatives after an action.
    enum OwnNotice {
        Aangemeld = "aangemeld", "Dank u wel. Uw initiatief is aangemeld; de redactie bekijkt het en u krijgt bericht.";
        Opgeslagen = "opgeslagen", "Uw wijzigingen zijn opgeslagen en wachten op beoordeling door de redactie.";
        Ingediend = "ingediend", "Uw wijziging is ingediend. De openbare pagina verandert pas als de redactie de wijziging goedkeurt.";
    }
}

pub struct OwnInitiative {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub status: InitiativeStatus,
    pub review_message: String,
    pub updated_at: OffsetDateTime,
    pub pending: bool,
}

impl OwnInitiative {
    pub fn status_label(&self) -> &'static str {
        self.status.label()
    }
    pub fn published(&self) -> bool {
        self.status == InitiativeStatus::Gepubliceerd
    }
    pub fn updated(&self) -> String {
        text::date_nl(self.updated_at)
    }
}

#[derive(Template)]
#[template(path = "account/initiatives.html")]
struct ListTemplate {
    page: Page,
    member: bool,
    items: Vec<OwnInitiative>,
    notice: Option<&'static str>,
}

pub async fn list(state: AppState, page: Page, LoggedIn(user): LoggedIn) -> AppResult<Response> {
    let member = approved_member(&state, &user).await?;
    let items = match member {
        Some(member_id) => {
            sqlx::query_as!(
                OwnInitiative,
                r#"SELECT i.id, i.slug, i.name, i.status AS "status: InitiativeStatus", i.review_message, i.updated_at,
                          EXISTS (SELECT 1 FROM initiative_revisions v
                                  WHERE v.initiative_id = i.id AND v.decided_at IS NULL) AS "pending!"
                   FROM initiatives i WHERE i.owner_id = $1 ORDER BY i.updated_at DESC"#,
                member_id,
            )
            .fetch_all(&state.db)
            .await?
        }
        None => Vec::new(),
    };
    let notice = page.notice::<OwnNotice>();
    let template = ListTemplate {
        page: page.in_account().crumb("Mijn initiatieven", "/account/initiatieven"),
        member: member.is_some(),
        items,
        notice,
    };
    Ok(Html(template).into_response())
}

#[derive(Template)]
#[template(path = "account/initiative_form.html")]
struct FormTemplate {
    page: Page,
    id: Option<i64>,
    slug: String,
    status: InitiativeStatus,
    form: InitiativeFields,
    choices: Choices,
    errors: FieldErrors,
    pending: bool,
    review_message: String,
    preview: bool,
}

impl FormTemplate {
    fn action(&self) -> String {
        match self.id {
            Some(id) => format!("/account/initiatieven/{id}"),
            None => "/account/initiatieven/nieuw".into(),
        }
    }
    fn status_label(&self) -> &'static str {
        self.status.label()
    }
    fn published(&self) -> bool {
        self.status == InitiativeStatus::Gepubliceerd
    }
    fn editable(&self) -> bool {
        self.status != InitiativeStatus::Gearchiveerd
    }
}

/// The owner's view of one of their initiatives.
struct Own {
    id: i64,
    slug: String,
    name: String,
    status: InitiativeStatus,
    review_message: String,
}

async fn own(state: &AppState, user: &SessionUser, id: i64) -> AppResult<(i64, Own)> {
    let member_id = approved_member(state, user).await?.ok_or(AppError::NotFound)?;
    let own = sqlx::query_as!(
        Own,
        r#"SELECT id, slug, name, status AS "status: InitiativeStatus", review_message
           FROM initiatives WHERE id = $1 AND owner_id = $2"#,
        id,
        member_id,
    )
    .fetch_optional(&state.db)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok((member_id, own))
}

async fn open_revision(state: &AppState, id: i64) -> sqlx::Result<Option<InitiativeFields>> {
    let row = sqlx::query!(
        "SELECT v.proposed, i.logo_id FROM initiative_revisions v JOIN initiatives i ON i.id = v.initiative_id \
         WHERE v.initiative_id = $1 AND v.decided_at IS NULL",
        id,
    )
    .fetch_optional(&state.db)
    .await?;
    match row.and_then(|r| InitiativeFields::from_revision(r.proposed, r.logo_id).ok()) {
        Some(fields) => Ok(Some(fields.with_logo(&state.db).await?)),
        None => Ok(None),
    }
}

async fn render(page: Page, own: Option<&Own>, sent: Submitted, pending: bool) -> AppResult<Response> {
    let Submitted { fields: form, choices, errors, preview } = sent;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = page.in_account().crumb("Mijn initiatieven", "/account/initiatieven");
    let page = match own {
        Some(own) => page.crumb(own.name.clone(), format!("/account/initiatieven/{}", own.id)),
        None => page.crumb("Nieuw initiatief", "/account/initiatieven/nieuw"),
    };
    let template = FormTemplate {
        page,
        id: own.map(|o| o.id),
        slug: own.map(|o| o.slug.clone()).unwrap_or_default(),
        status: own.map_or(InitiativeStatus::TerBeoordeling, |o| o.status),
        form,
        choices,
        errors,
        pending,
        review_message: own.map(|o| o.review_message.clone()).unwrap_or_default(),
        preview,
    };
    Ok((status, Html(template)).into_response())
}

pub async fn new_form(state: AppState, page: Page, _: ApprovedMember) -> AppResult<Response> {
    render(page, None, Submitted::stored(&state.db, InitiativeFields::default()).await?, false).await
}

pub async fn create(
    state: AppState,
    page: Page,
    ApprovedMember { user, member_id }: ApprovedMember,
    upload: UploadForm,
) -> AppResult<Response> {
    let sent = Submitted::read(&state.db, &upload, Some(user.id)).await?;
    if sent.shown_again() {
        return render(page, None, sent, false).await;
    }
    let form = sent.fields;
    let mut tx = state.db.begin().await?;
    let (id, slug) =
        editorial::insert(&mut tx, &form, InitiativeStatus::TerBeoordeling, false, Some(member_id)).await?;
    Entry::new(&user, "initiatief aangemeld", Target::Initiatief, id)
        .after(json!({ "naam": form.name, "slug": slug, "status": InitiativeStatus::TerBeoordeling }))
        .record(&mut *tx)
        .await?;
    editorial::notify_editors(&mut tx, &state.config, id, &form.name, false).await?;
    tx.commit().await?;
    Ok(OwnNotice::Aangemeld.redirect("/account/initiatieven"))
}

pub async fn edit_form(
    state: AppState,
    page: Page,
    LoggedIn(user): LoggedIn,
    PathId(id): PathId<i64>,
) -> AppResult<Response> {
    let (_, own) = own(&state, &user, id).await?;
    let revision = open_revision(&state, own.id).await?;
    let pending = revision.is_some();
    // The owner goes on with their waiting proposal rather than the live text.
    let form = match revision {
        Some(fields) => fields,
        None => InitiativeFields::load(&state.db, own.id).await?.ok_or(AppError::NotFound)?,
    };
    render(page, Some(&own), Submitted::stored(&state.db, form).await?, pending).await
}

pub async fn update(
    state: AppState,
    page: Page,
    LoggedIn(user): LoggedIn,
    PathId(id): PathId<i64>,
    upload: UploadForm,
) -> AppResult<Response> {
    let (member_id, own) = own(&state, &user, id).await?;
    if own.status == InitiativeStatus::Gearchiveerd {
        return Err(AppError::Conflict(
            "Dit initiatief is gearchiveerd en kan niet meer worden gewijzigd. Neem contact op met de redactie als het weer zichtbaar moet worden.".into(),
        ));
    }
    let pending = open_revision(&state, own.id).await?.is_some();
    let sent = Submitted::read(&state.db, &upload, Some(user.id)).await?;
    if sent.shown_again() {
        return render(page, Some(&own), sent, pending).await;
    }
    let form = sent.fields;
    let mut tx = state.db.begin().await?;
    let status = sqlx::query_scalar!(
        r#"SELECT status AS "status: InitiativeStatus" FROM initiatives WHERE id = $1 FOR UPDATE"#,
        own.id,
    )
    .fetch_one(&mut *tx)
    .await?;
    // The logo the initiative or its waiting revision held before, which may now be unused.
    let previous_logo: Option<MediaId>;
    let notice = if status == InitiativeStatus::Gepubliceerd {
        let replaced = sqlx::query_scalar!(
            "SELECT proposed -> 'logo_id' FROM initiative_revisions \
             WHERE initiative_id = $1 AND decided_at IS NULL FOR UPDATE",
            own.id,
        )
        .fetch_optional(&mut *tx)
        .await?;
        // A further change to a waiting one replaces it; the editors were told already.
        let already_waiting = replaced.is_some();
        previous_logo = replaced.flatten().and_then(|v| v.as_i64());
        sqlx::query!(
            "INSERT INTO initiative_revisions (initiative_id, proposed, submitted_by) VALUES ($1, $2, $3) \
             ON CONFLICT (initiative_id) WHERE decided_at IS NULL \
             DO UPDATE SET proposed = EXCLUDED.proposed, submitted_by = EXCLUDED.submitted_by, submitted_at = now()",
            own.id,
            json!(form),
            member_id,
        )
        .execute(&mut *tx)
        .await?;
        Entry::new(&user, "wijziging initiatief ingediend", Target::Initiatief, own.id)
            .after(json!(form))
            .record(&mut *tx)
            .await?;
        if !already_waiting {
            editorial::notify_editors(&mut tx, &state.config, own.id, &form.name, true).await?;
        }
        OwnNotice::Ingediend
    } else {
        let before = InitiativeFields::load(&state.db, own.id).await?;
        previous_logo = before.as_ref().and_then(|b| b.logo_id);
        editorial::update(&mut tx, own.id, &form).await?;
        sqlx::query!(
            "UPDATE initiatives SET status = $2, review_message = '' WHERE id = $1",
            own.id,
            InitiativeStatus::TerBeoordeling as InitiativeStatus,
        )
        .execute(&mut *tx)
        .await?;
        Entry::new(&user, "initiatief gewijzigd door eigenaar", Target::Initiatief, own.id)
            .before(json!({ "status": status, "velden": before }))
            .after(json!({ "status": InitiativeStatus::TerBeoordeling, "velden": form }))
            .record(&mut *tx)
            .await?;
        if status != InitiativeStatus::TerBeoordeling {
            // Back in the queue after a rejection: worth a word to the editors again.
            editorial::notify_editors(&mut tx, &state.config, own.id, &form.name, false).await?;
        }
        OwnNotice::Opgeslagen
    };
    tx.commit().await?;
    if previous_logo != form.logo_id {
        media::forget_if_unused(&state.db, previous_logo).await;
    }
    Ok(notice.redirect("/account/initiatieven"))
}
