//! `/beheer/nieuwsbrieven`: compose a campaign, send a test to yourself, send, pause, resume
//! or cancel, and follow the progress (live with JavaScript, by reloading without).

use askama::Template;
use axum::Json;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use lettre::AsyncTransport;
use serde::Serialize;
use serde_json::json;

use crate::audit::{Entry, Target};
use crate::error::{AppError, AppResult};
use crate::newsletter::content::{self, Campaign, PREVIEW_TOKEN};
use crate::newsletter::lifecycle::{self, Outcome};
use crate::newsletter::{BlockKind, CampaignStatus, DeliveryStatus, sending};
use crate::state::AppState;
use crate::taxonomy::{self, Term, Vocabulary};
use crate::text::{self, slugify};
use crate::web::auth::LoggedIn;
use crate::web::form::{self, FieldErrors, FormData};
use crate::web::notice::{Notice, notices};
use crate::web::page::{Html, Page};
use crate::web::typed_form::Form;

notices! {
    /// The actions on a campaign's page (`actie`), each also the notice shown after it; `inhoud`
    /// follows saving the blocks.
    enum CampaignNotice {
        Test = "test", "De testversie is naar uw eigen e-mailadres gestuurd.";
        Versturen = "versturen", "Het versturen is begonnen.";
        Pauzeren = "pauzeren", "Het versturen is gepauzeerd.";
        Hervatten = "hervatten", "Het versturen gaat verder.";
        Annuleren = "annuleren", "De nieuwsbrief is geannuleerd; wie hem nog niet had, krijgt hem niet.";
        Opnieuw = "opnieuw", "De mislukte adressen worden opnieuw geprobeerd.";
        Inplannen = "inplannen", "De nieuwsbrief is ingepland en gaat op het gekozen moment vanzelf de deur uit.";
        Inhoud = "inhoud", "De inhoud is opgeslagen.";
    }
}

pub struct Row {
    pub id: i64,
    pub subject: String,
    pub status: CampaignStatus,
    /// Sending, but without progress for a while (see `sending::report_stalled_campaigns`).
    pub stalled: bool,
    pub sent: i64,
    pub total: i64,
}

impl Row {
    pub fn shown_status(&self) -> &'static str {
        shown_status(self.status, self.stalled)
    }
}

/// A campaign that is sending but makes no progress is shown as stalled ("vastgelopen").
fn shown_status(status: CampaignStatus, stalled: bool) -> &'static str {
    if stalled && status == CampaignStatus::Bezig { "vastgelopen" } else { status.as_str() }
}

pub struct NewsOption {
    pub id: i64,
    pub title: String,
}

/// What the form for a new campaign holds, kept when it comes back with errors.
#[derive(Default)]
pub struct Draft {
    pub subject: String,
    pub preheader: String,
    pub intro: String,
    pub news: Vec<i64>,
    pub topics: Vec<String>,
    pub block_heading: String,
    pub block_body: String,
}

#[derive(Template)]
#[template(path = "newsletter/admin/campaigns.html")]
struct ListTemplate {
    page: Page,
    campaigns: Vec<Row>,
    news: Vec<NewsOption>,
    themes: Vec<Term>,
    draft: Draft,
    errors: FieldErrors,
}

impl ListTemplate {
    fn news_checked(&self, id: &i64) -> bool {
        self.draft.news.contains(id)
    }
    fn topic_checked(&self, slug: &str) -> bool {
        self.draft.topics.iter().any(|t| t == slug)
    }
}

async fn render_list(state: &AppState, page: Page, draft: Draft, errors: FieldErrors) -> AppResult<Response> {
    let campaigns = sqlx::query_as!(
        Row,
        r#"SELECT c.id, c.subject, c.status AS "status: CampaignStatus", c.stalled_at IS NOT NULL AS "stalled!",
             (SELECT count(*) FROM deliveries d WHERE d.campaign_id = c.id AND d.status = $1) AS "sent!",
             (SELECT count(*) FROM deliveries d WHERE d.campaign_id = c.id) AS "total!"
           FROM campaigns c ORDER BY c.id DESC LIMIT 100"#,
        DeliveryStatus::Verzonden as DeliveryStatus,
    )
    .fetch_all(&state.db)
    .await?;
    let news = published_news(state).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let template = ListTemplate {
        page: page.in_back_office().crumb("Nieuwsbrieven", "/beheer/nieuwsbrieven"),
        campaigns,
        news,
        themes: taxonomy::all(&state.db, Vocabulary::Theme).await?,
        draft,
        errors,
    };
    Ok((status, Html(template)).into_response())
}

/// The news items a campaign can point to: the latest published ones.
async fn published_news(state: &AppState) -> sqlx::Result<Vec<NewsOption>> {
    sqlx::query_as!(
        NewsOption,
        "SELECT id, title FROM news_items WHERE published_at <= now() ORDER BY published_at DESC LIMIT 30",
    )
    .fetch_all(&state.db)
    .await
}

async fn load_campaign(state: &AppState, id: i64) -> AppResult<Campaign> {
    content::load_campaign(&state.db, id).await?.ok_or(AppError::NotFound)
}

pub async fn list(state: AppState, page: Page) -> AppResult<Response> {
    render_list(&state, page, Draft::default(), FieldErrors::default()).await
}

/// The new-campaign form: subject, preheader, introduction, news items and themes (repeated
/// keys), and an optional first text block.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct NewCampaign {
    onderwerp: String,
    preheader: String,
    intro: String,
    nieuws: Vec<String>,
    thema: Vec<String>,
    #[serde(rename = "tekstblok-kop")]
    tekstblok_kop: String,
    #[serde(rename = "tekstblok-tekst")]
    tekstblok_tekst: String,
}

pub async fn create(state: AppState, page: Page, Form(sent): Form<NewCampaign>) -> AppResult<Response> {
    let mut draft = Draft {
        subject: form::clean(&sent.onderwerp, 200),
        preheader: form::clean(&sent.preheader, 200),
        intro: form::clean(&sent.intro, 20_000),
        // At most 50 of each, as a page offers them.
        news: sent.nieuws.iter().take(50).filter_map(|v| v.parse().ok()).collect(),
        topics: sent.thema.into_iter().take(50).collect(),
        block_heading: form::clean(&sent.tekstblok_kop, 200),
        block_body: form::clean(&sent.tekstblok_tekst, 20_000),
    };
    let mut seen = std::collections::HashSet::new();
    draft.news.retain(|id| seen.insert(*id));
    let mut errors = FieldErrors::default();
    if draft.subject.chars().count() < 3 {
        errors.add("onderwerp", "Geef de nieuwsbrief een onderwerp (minstens 3 tekens).");
    }
    if !draft.block_heading.is_empty() && draft.block_body.is_empty() {
        errors.add("tekstblok-tekst", "Schrijf de tekst van het tekstblok (de kop alleen is niet genoeg).");
    }
    if draft.intro.is_empty() && draft.news.is_empty() && draft.block_body.is_empty() {
        errors.add("intro", "Schrijf een inleiding of kies minstens één nieuwsbericht.");
    }
    if !errors.is_empty() {
        return render_list(&state, page, draft, errors).await;
    }
    let Draft { subject, preheader, intro, news: news_ids, topics, block_heading, block_body } = draft;
    let slug = format!("{}-{}", slugify(&subject), crate::tokens::random_hex(3));
    let mut tx = state.db.begin().await?;
    let id = sqlx::query_scalar!(
        "INSERT INTO campaigns (slug, subject, preheader, intro_md, topics, created_by) \
         VALUES ($1, $2, $3, $4, (SELECT coalesce(array_agg(slug), '{}') FROM themes WHERE slug = ANY($5)), $6) \
         RETURNING id",
        slug,
        subject,
        preheader,
        intro,
        &topics,
        page.user.as_ref().map(|a| a.id),
    )
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query!(
        "INSERT INTO campaign_blocks (campaign_id, position, kind, news_item_id) \
         SELECT $1, row_number() OVER (ORDER BY s.k), $3, n.id \
         FROM unnest($2::bigint[]) WITH ORDINALITY AS s(id, k) JOIN news_items n ON n.id = s.id",
        id,
        &news_ids,
        BlockKind::Nieuws as BlockKind,
    )
    .execute(&mut *tx)
    .await?;
    if !block_body.is_empty() {
        sqlx::query!(
            "INSERT INTO campaign_blocks (campaign_id, position, kind, heading, body_md) \
             SELECT $1, count(*) + 1, $4, $2, $3 FROM campaign_blocks WHERE campaign_id = $1",
            id,
            block_heading,
            block_body,
            BlockKind::Tekst as BlockKind,
        )
        .execute(&mut *tx)
        .await?;
    }
    Entry::new(page.actor()?, "nieuwsbrief aangemaakt", Target::Nieuwsbrief, id)
        .after(json!({ "onderwerp": subject }))
        .record(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/beheer/nieuwsbrieven/{id}")).into_response())
}

#[derive(Serialize)]
pub struct Progress {
    pub total: i64,
    pub sent: i64,
    pub failed: i64,
    pub skipped: i64,
    pub remaining: i64,
    /// Messages per second over the last minute.
    pub rate: f64,
    pub status: CampaignStatus,
    pub stalled: bool,
}

impl Progress {
    pub fn shown_status(&self) -> &'static str {
        shown_status(self.status, self.stalled)
    }
    pub fn expected_end(&self) -> String {
        if self.remaining == 0 || self.rate <= 0.0 {
            return String::new();
        }
        let seconds = (self.remaining as f64 / self.rate).ceil() as i64;
        text::datetime_nl(time::OffsetDateTime::now_utc() + time::Duration::seconds(seconds))
    }
    pub fn percent(&self) -> i64 {
        if self.total == 0 { 0 } else { (self.sent + self.failed + self.skipped) * 100 / self.total }
    }
    pub fn rate_text(&self) -> String {
        format!("{:.1}", self.rate)
    }
}

async fn progress(state: &AppState, id: i64) -> sqlx::Result<Progress> {
    sqlx::query_as!(
        Progress,
        r#"SELECT count(d.id) AS "total!",
             count(d.id) FILTER (WHERE d.status = $2) AS "sent!",
             count(d.id) FILTER (WHERE d.status = $3) AS "failed!",
             count(d.id) FILTER (WHERE d.status = $4) AS "skipped!",
             count(d.id) FILTER (WHERE d.status IN ($5, $6)) AS "remaining!",
             (count(d.id) FILTER (WHERE d.sent_at > now() - interval '1 minute'))::float8 / 60 AS "rate!",
             c.status AS "status: CampaignStatus", c.stalled_at IS NOT NULL AS "stalled!"
           FROM campaigns c LEFT JOIN deliveries d ON d.campaign_id = c.id WHERE c.id = $1 GROUP BY c.status, c.stalled_at"#,
        id,
        DeliveryStatus::Verzonden as DeliveryStatus,
        DeliveryStatus::Mislukt as DeliveryStatus,
        DeliveryStatus::Overgeslagen as DeliveryStatus,
        DeliveryStatus::Wachtend as DeliveryStatus,
        DeliveryStatus::Bezig as DeliveryStatus,
    )
    .fetch_one(&state.db)
    .await
}

pub struct Failure {
    pub email: String,
    pub last_error: String,
    pub attempts: i32,
}

/// A block as the editor shows it: a news item (with its title), a record of another feature
/// (an event, a publication, with its title) or a free text.
#[derive(Clone, Debug, Default)]
pub struct EditBlock {
    pub news_item_id: Option<i64>,
    pub news_title: String,
    pub record: Option<RecordRef>,
    pub record_title: String,
    pub heading: String,
    pub body: String,
    pub error: Option<String>,
}

impl EditBlock {
    /// What the block is, for its legend.
    pub fn label(&self) -> String {
        self.kind().label().to_lowercase()
    }

    fn kind(&self) -> BlockKind {
        match (&self.record, self.news_item_id) {
            (Some(record), _) => record.kind,
            (None, Some(_)) => BlockKind::Nieuws,
            (None, None) => BlockKind::Tekst,
        }
    }
}

/// The record a block names: its kind (an event, a publication) and id. In the editor's new
/// slot it is one value, such as `evenement-12`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordRef {
    pub kind: BlockKind,
    pub id: i64,
}

impl RecordRef {
    pub fn value(&self) -> String {
        format!("{}-{}", self.kind.as_str(), self.id)
    }

    fn parse(value: &str) -> Option<Self> {
        let (kind, id) = value.rsplit_once('-')?;
        let kind = BlockKind::parse(kind).filter(|k| k.is_record())?;
        Some(Self { kind, id: id.parse().ok()? })
    }
}

/// The published records of one kind a coordinator can add as a block.
pub struct RecordChoices {
    pub kind: BlockKind,
    pub options: Vec<(String, String)>,
}

async fn record_choices(state: &AppState) -> sqlx::Result<Vec<RecordChoices>> {
    let mut groups = Vec::new();
    for kind in BlockKind::RECORDS {
        let cards = content::record_cards(&state.db, kind, None, content::RECORD_CHOICES).await?;
        let options = cards
            .into_iter()
            .map(|(id, card)| (RecordRef { kind, id }.value(), format!("{} ({})", card.title, card.meta)))
            .collect();
        groups.push(RecordChoices { kind, options });
    }
    Ok(groups)
}

/// Fills in each record block's title, or says that its record is no longer published.
async fn name_records(state: &AppState, blocks: &mut [EditBlock]) -> sqlx::Result<()> {
    let refs: Vec<RecordRef> = blocks.iter().filter_map(|b| b.record).collect();
    let cards = content::cards_of(&state.db, refs.iter().map(|r| (r.kind, r.id))).await?;
    for (n, block) in blocks.iter_mut().enumerate() {
        let Some(record) = block.record else { continue };
        match cards.get(&(record.kind, record.id)) {
            Some(card) => block.record_title = card.title.clone(),
            None => {
                block.error = Some(format!(
                    "Blok {}: deze {} is niet (meer) gepubliceerd; verwijder het blok.",
                    n + 1,
                    record.kind.label().to_lowercase()
                ))
            }
        }
    }
    Ok(())
}

/// The block editor's state: as stored, or as submitted when it had errors.
#[derive(Default)]
pub struct BlockForm {
    pub blocks: Vec<EditBlock>,
    pub new_heading: String,
    pub new_body: String,
    pub new_news: String,
    pub new_record: String,
    pub errors: FieldErrors,
}

impl BlockForm {
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty() || self.blocks.iter().any(|b| b.error.is_some())
    }
}

/// At most this many blocks after the introduction; a newsletter is not a book.
const MAX_BLOCKS: usize = 40;

#[derive(Template)]
#[template(path = "newsletter/admin/campaign.html")]
struct ShowTemplate {
    page: Page,
    campaign: Campaign,
    progress: Progress,
    text_preview: String,
    scheduled: String,
    failures: Vec<Failure>,
    notice: Option<&'static str>,
    editable: bool,
    form: BlockForm,
    news: Vec<NewsOption>,
    records: Vec<RecordChoices>,
}

impl ShowTemplate {
    fn news_selected(&self, id: &i64) -> bool {
        self.form.new_news == id.to_string()
    }
}

pub async fn show(state: AppState, page: Page, Path(id): Path<i64>) -> AppResult<Response> {
    let campaign = load_campaign(&state, id).await?;
    let mut blocks: Vec<EditBlock> = content::load_blocks(&state.db, id)
        .await?
        .into_iter()
        .map(|b| EditBlock {
            news_item_id: b.news_item_id,
            news_title: b.news_title.unwrap_or_default(),
            record: b.record_id.map(|id| RecordRef { kind: b.kind, id }),
            record_title: String::new(),
            heading: b.heading,
            body: b.body_md,
            error: None,
        })
        .collect();
    name_records(&state, &mut blocks).await?;
    // A record that is gone shows as such, without blocking the page.
    for block in &mut blocks {
        block.error = None;
    }
    render_show(&state, page, campaign, BlockForm { blocks, ..BlockForm::default() }).await
}

async fn render_show(
    state: &AppState,
    page: Page,
    campaign: Campaign,
    form: BlockForm,
) -> AppResult<Response> {
    let id = campaign.id;
    let prepared = content::prepare(&state.db, campaign.clone()).await?;
    let (text_preview, _) = prepared.render(&state.config, PREVIEW_TOKEN)?;
    let failures = sqlx::query_as!(
        Failure,
        "SELECT s.email, d.last_error, d.attempts FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id \
         WHERE d.campaign_id = $1 AND d.status = $2 ORDER BY d.id LIMIT 200",
        id,
        DeliveryStatus::Mislukt as DeliveryStatus,
    )
    .fetch_all(&state.db)
    .await?;
    let progress = progress(state, id).await?;
    let scheduled_at = sqlx::query_scalar!("SELECT scheduled_at FROM campaigns WHERE id = $1", id)
        .fetch_one(&state.db)
        .await?;
    let scheduled = scheduled_at.map(text::datetime_nl).unwrap_or_default();
    let status = if form.has_errors() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let template = ShowTemplate {
        notice: page.notice::<CampaignNotice>(),
        page: page
            .in_back_office()
            .crumb("Nieuwsbrieven", "/beheer/nieuwsbrieven")
            .crumb(campaign.subject.clone(), format!("/beheer/nieuwsbrieven/{id}")),
        editable: campaign.status.editable(),
        campaign,
        progress,
        text_preview,
        scheduled,
        failures,
        form,
        news: published_news(state).await?,
        records: record_choices(state).await?,
    };
    Ok((status, Html(template)).into_response())
}

const FROZEN: &str =
    "Het versturen van deze nieuwsbrief is begonnen; de inhoud kan daarna niet meer worden gewijzigd.";

/// Saves the block editor: every block as submitted, after the one button's change (move a
/// block up or down, remove it), plus a new text block and/or news item from the empty slot.
pub async fn save_blocks(
    state: AppState,
    page: Page,
    Path(id): Path<i64>,
    data: FormData,
) -> AppResult<Response> {
    let campaign = load_campaign(&state, id).await?;
    if !campaign.status.editable() {
        return Err(AppError::Conflict(FROZEN.into()));
    }
    // A missing or odd count must not silently drop blocks.
    let count: usize = data.one("aantal").parse().ok().filter(|n| *n <= MAX_BLOCKS).ok_or_else(|| {
        AppError::BadRequest(
            "Het formulier is niet compleet. Laad de pagina opnieuw en probeer het nog eens.".into(),
        )
    })?;
    let mut blocks = Vec::with_capacity(count);
    for i in 0..count {
        let field = |name: &str| data.one(&format!("blok-{i}-{name}"));
        let block = match BlockKind::parse(&field("soort")) {
            Some(BlockKind::Nieuws) => EditBlock {
                news_item_id: Some(
                    field("nieuws")
                        .parse()
                        .map_err(|_| AppError::BadRequest("Een nieuwsblok zonder nieuwsbericht.".into()))?,
                ),
                ..EditBlock::default()
            },
            Some(BlockKind::Tekst) => EditBlock {
                heading: form::clean(&field("kop"), 200),
                body: form::clean(&field("tekst"), 20_000),
                ..EditBlock::default()
            },
            Some(kind) => EditBlock {
                record: Some(RecordRef {
                    kind,
                    id: field("record")
                        .parse()
                        .map_err(|_| AppError::BadRequest("Een blok dat naar niets verwijst.".into()))?,
                }),
                ..EditBlock::default()
            },
            None => return Err(AppError::BadRequest("Onbekend soort blok.".into())),
        };
        blocks.push(block);
    }
    let action = data.one("actie");
    let (verb, index) = action.split_once('-').unwrap_or((action.as_str(), ""));
    let index: Option<usize> = index.parse().ok().filter(|i| *i < blocks.len());
    match (verb, index) {
        ("opslaan", _) => {}
        ("omhoog", Some(i)) if i > 0 => blocks.swap(i, i - 1),
        ("omlaag", Some(i)) if i + 1 < blocks.len() => blocks.swap(i, i + 1),
        ("verwijderen", Some(i)) => {
            blocks.remove(i);
        }
        _ => return Err(AppError::BadRequest("Onbekende handeling.".into())),
    }

    let existing = blocks.len();
    let mut form = BlockForm {
        new_heading: form::clean(&data.one("nieuw-kop"), 200),
        new_body: form::clean(&data.one("nieuw-tekst"), 20_000),
        new_news: data.one("nieuw-nieuws").trim().to_owned(),
        new_record: data.one("nieuw-record").trim().to_owned(),
        ..BlockForm::default()
    };
    if !form.new_heading.is_empty() || !form.new_body.is_empty() {
        if form.new_body.is_empty() {
            form.errors
                .add("nieuw-tekst", "Schrijf de tekst van het nieuwe blok (de kop alleen is niet genoeg).");
        } else {
            blocks.push(EditBlock {
                heading: form.new_heading.clone(),
                body: form.new_body.clone(),
                ..EditBlock::default()
            });
        }
    }
    let published = published_news(&state).await?;
    if !form.new_news.is_empty() {
        match published.iter().find(|n| n.id.to_string() == form.new_news) {
            Some(news) => blocks.push(EditBlock { news_item_id: Some(news.id), ..EditBlock::default() }),
            None => form.errors.add("nieuw-nieuws", "Kies een gepubliceerd nieuwsbericht uit de lijst."),
        }
    }
    if !form.new_record.is_empty() {
        let found = match RecordRef::parse(&form.new_record) {
            Some(record) => {
                let cards = content::record_cards(&state.db, record.kind, Some(&[record.id]), 1).await?;
                (!cards.is_empty()).then_some(record)
            }
            None => None,
        };
        match found {
            Some(record) => blocks.push(EditBlock { record: Some(record), ..EditBlock::default() }),
            None => form
                .errors
                .add("nieuw-record", "Kies een gepubliceerde bijeenkomst of publicatie uit de lijst."),
        }
    }
    if blocks.len() > MAX_BLOCKS {
        form.errors.add("nieuw-tekst", format!("Een nieuwsbrief heeft hoogstens {MAX_BLOCKS} blokken."));
    }
    let news_ids: Vec<i64> = blocks.iter().filter_map(|b| b.news_item_id).collect();
    let titles =
        sqlx::query_as!(NewsOption, "SELECT id, title FROM news_items WHERE id = ANY($1)", &news_ids)
            .fetch_all(&state.db)
            .await?;
    for (n, block) in blocks.iter_mut().enumerate() {
        match block.news_item_id {
            Some(news_id) => match titles.iter().find(|t| t.id == news_id) {
                Some(news) => block.news_title = news.title.clone(),
                None => {
                    block.error = Some(format!(
                        "Blok {}: dit nieuwsbericht bestaat niet meer; verwijder het blok.",
                        n + 1
                    ))
                }
            },
            None if block.record.is_some() => {}
            None if block.body.is_empty() => {
                block.error = Some(format!("Blok {}: schrijf een tekst of verwijder het blok.", n + 1))
            }
            None => {}
        }
    }
    name_records(&state, &mut blocks).await?;
    if form.has_errors() {
        // What was typed in the empty slot stays there rather than becoming a block.
        blocks.truncate(existing);
        form.blocks = blocks;
        return render_show(&state, page, campaign, form).await;
    }

    let mut tx = state.db.begin().await?;
    let status = sqlx::query_scalar!(
        r#"SELECT status AS "status: CampaignStatus" FROM campaigns WHERE id = $1 FOR UPDATE"#,
        id,
    )
    .fetch_one(&mut *tx)
    .await?;
    if !status.editable() {
        return Err(AppError::Conflict(FROZEN.into()));
    }
    let before =
        sqlx::query_scalar!(r#"SELECT count(*) AS "count!" FROM campaign_blocks WHERE campaign_id = $1"#, id)
            .fetch_one(&mut *tx)
            .await?;
    sqlx::query!("DELETE FROM campaign_blocks WHERE campaign_id = $1", id).execute(&mut *tx).await?;
    let kinds: Vec<BlockKind> = blocks.iter().map(EditBlock::kind).collect();
    let news_ids: Vec<Option<i64>> = blocks.iter().map(|b| b.news_item_id).collect();
    let record_ids: Vec<Option<i64>> = blocks.iter().map(|b| b.record.map(|r| r.id)).collect();
    let headings: Vec<String> = blocks.iter().map(|b| b.heading.clone()).collect();
    let bodies: Vec<String> = blocks.iter().map(|b| b.body.clone()).collect();
    sqlx::query!(
        "INSERT INTO campaign_blocks (campaign_id, position, kind, news_item_id, record_id, heading, body_md) \
         SELECT $1, s.k, s.kind, s.news_item_id, s.record_id, s.heading, s.body_md \
         FROM unnest($2::text[], $3::bigint[], $6::bigint[], $4::text[], $5::text[]) WITH ORDINALITY \
           AS s(kind, news_item_id, record_id, heading, body_md, k)",
        id,
        &kinds as &[BlockKind],
        &news_ids as &[Option<i64>],
        &headings,
        &bodies,
        &record_ids as &[Option<i64>],
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!("UPDATE campaigns SET updated_at = now() WHERE id = $1", id).execute(&mut *tx).await?;
    Entry::new(page.actor()?, "nieuwsbrief-inhoud gewijzigd", Target::Nieuwsbrief, id)
        .before(json!({ "blokken": before }))
        .after(json!({ "blokken": blocks.len(), "handeling": action }))
        .record(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Redirect::to(&CampaignNotice::Inhoud.url(&format!("/beheer/nieuwsbrieven/{id}"), "blokken"))
        .into_response())
}

/// Only inline styles (the mail is full of them) and images over HTTPS; no scripts, no
/// requests, and framed only by the back office itself.
const PREVIEW_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; frame-ancestors 'self'; \
     base-uri 'none'; form-action 'none'";

/// The mail's HTML part as a subscriber would get it, with links that unsubscribe nobody.
/// It is served on its own, with a policy of its own, because the site's policy forbids the
/// inline styles mail clients need.
pub async fn preview_html(state: AppState, Path(id): Path<i64>) -> AppResult<Response> {
    let campaign = load_campaign(&state, id).await?;
    let prepared = content::prepare(&state.db, campaign).await?;
    let (_, html) = prepared.render(&state.config, PREVIEW_TOKEN)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, PREVIEW_CSP),
            (header::X_FRAME_OPTIONS, "SAMEORIGIN"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        html,
    )
        .into_response())
}

pub async fn progress_json(state: AppState, Path(id): Path<i64>) -> AppResult<Response> {
    let progress = progress(&state, id).await.map_err(|_| AppError::NotFound)?;
    let expected_end = progress.expected_end();
    let percent = progress.percent();
    Ok(Json(json!({ "progress": progress, "shown_status": progress.shown_status(), "percent": percent, "expected_end": expected_end }))
        .into_response())
}

/// A step of a campaign (`actie`: test, inplannen with `verzendmoment`, versturen, …).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct CampaignAction {
    actie: String,
    verzendmoment: String,
}

pub async fn action(
    state: AppState,
    LoggedIn(actor): LoggedIn,
    Path(id): Path<i64>,
    Form(sent): Form<CampaignAction>,
) -> AppResult<Response> {
    let unknown = || AppError::BadRequest("Onbekende handeling.".into());
    let action = CampaignNotice::parse(&sent.actie).ok_or_else(unknown)?;
    let status = lifecycle::status(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let conflict =
        || AppError::Conflict(format!("Dit kan niet bij een nieuwsbrief met status ‘{}’.", status.as_str()));
    let outcome = match action {
        CampaignNotice::Test => {
            let campaign = load_campaign(&state, id).await?;
            let mut prepared = content::prepare(&state.db, campaign).await?;
            // Marked as a test before signing, so a DKIM signature stays valid.
            prepared.campaign.subject = format!("[TEST] {}", prepared.campaign.subject);
            let Some(smtp) = crate::mail::worker::transport(&state.config)? else {
                return Err(AppError::Conflict(
                    "Er is geen SMTP-server ingesteld (SMTP_URL); een test kan niet worden verstuurd.".into(),
                ));
            };
            let message = sending::build_message(&state.config, &prepared, &actor.email, 0, "test")?;
            smtp.send(message).await.map_err(|e| AppError::Internal(anyhow::anyhow!("test send: {e}")))?;
            Outcome::Done
        }
        CampaignNotice::Inplannen => {
            if !status.editable() {
                return Err(conflict());
            }
            let at = text::from_amsterdam_local(&sent.verzendmoment)
                .filter(|t| *t > time::OffsetDateTime::now_utc())
                .ok_or_else(|| {
                    AppError::BadRequest("Kies een verzendmoment in de toekomst (datum en tijd).".into())
                })?;
            lifecycle::schedule(&state.db, id, at).await?
        }
        CampaignNotice::Versturen | CampaignNotice::Hervatten => lifecycle::start(&state.db, id).await?,
        CampaignNotice::Pauzeren => lifecycle::pause(&state.db, id).await?,
        CampaignNotice::Annuleren => lifecycle::cancel(&state.db, id).await?,
        CampaignNotice::Opnieuw => lifecycle::retry_failed(&state.db, id).await?,
        CampaignNotice::Inhoud => return Err(unknown()),
    };
    if outcome == Outcome::NotAllowed {
        return Err(conflict());
    }
    Entry::new(&actor, "nieuwsbrief-handeling", Target::Nieuwsbrief, id)
        .before(json!({ "status": status }))
        .after(json!({ "handeling": action.code() }))
        .record(&state.db)
        .await?;
    Ok(action.redirect(&format!("/beheer/nieuwsbrieven/{id}")))
}
