//! The link checker: every published record's "where to get it" address is fetched on a
//! schedule (a polite user agent, a timeout, redirects followed and the end recorded, a few at
//! a time), and `/beheer/kennisbank` lists the broken ones with the last answer and when it was
//! seen. Results live in `publication_links`.

use std::sync::Arc;
use std::time::Duration;

use sqlx::PgPool;
use tokio::sync::{Semaphore, watch};

use super::PublicationStatus;

/// What one check found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub status: Option<u16>,
    /// Where redirects ended; empty when there were none.
    pub final_url: String,
    pub error: String,
}

impl Outcome {
    pub fn broken(&self) -> bool {
        !self.error.is_empty() || self.status.is_none_or(|s| s >= 400)
    }
}

pub struct Checker {
    client: reqwest::Client,
    concurrency: usize,
}

/// How often the background job looks for links due, and when a link is due again.
const ROUND_EVERY: Duration = Duration::from_secs(6 * 3600);
const RECHECK_AFTER_DAYS: i32 = 7;
/// The first round waits, so a (test) instance that lives briefly fetches nothing.
const FIRST_ROUND_AFTER: Duration = Duration::from_secs(300);
const MAX_REDIRECTS: usize = 5;

impl Checker {
    pub fn new(site: &str, timeout: Duration, concurrency: usize) -> reqwest::Result<Self> {
        let client = reqwest::Client::builder()
            .user_agent(format!("BredeBlik-linkcontrole/1.0 (+{site})"))
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS))
            .build()?;
        Ok(Self { client, concurrency: concurrency.max(1) })
    }

    /// Fetches `url` (headers only; the body is not read).
    pub async fn check(&self, url: &str) -> Outcome {
        match self.client.get(url).send().await {
            Ok(response) => {
                let end = response.url().as_str();
                let final_url = if end == url { String::new() } else { end.to_owned() };
                Outcome { status: Some(response.status().as_u16()), final_url, error: String::new() }
            }
            Err(err) => {
                let error = if err.is_timeout() {
                    "geen antwoord binnen de tijd".to_owned()
                } else if err.is_redirect() {
                    "te veel doorverwijzingen".to_owned()
                } else if err.is_connect() {
                    "geen verbinding".to_owned()
                } else {
                    "fout bij ophalen".to_owned()
                };
                Outcome { status: None, final_url: String::new(), error }
            }
        }
    }

    /// Checks up to `limit` published records whose link was never checked, changed since,
    /// or was checked longer than `days` days ago; returns how many were checked.
    pub async fn check_due(self: &Arc<Self>, db: &PgPool, days: i32, limit: i64) -> sqlx::Result<usize> {
        let due = sqlx::query!(
            "SELECT p.id, p.url FROM publications p LEFT JOIN publication_links l ON l.publication_id = p.id \
             WHERE p.status = $1 AND p.url <> '' \
               AND (l.publication_id IS NULL OR l.url <> p.url OR l.checked_at < now() - make_interval(days => $2)) \
             ORDER BY l.checked_at NULLS FIRST, p.id LIMIT $3",
            PublicationStatus::Gepubliceerd as PublicationStatus,
            days,
            limit,
        )
        .fetch_all(db)
        .await?;
        let permits = Arc::new(Semaphore::new(self.concurrency));
        let mut tasks = tokio::task::JoinSet::new();
        for row in due {
            let (checker, permits) = (self.clone(), permits.clone());
            tasks.spawn(async move {
                let _permit = permits.acquire_owned().await;
                let outcome = checker.check(&row.url).await;
                (row.id, row.url, outcome)
            });
        }
        let mut checked = 0;
        while let Some(joined) = tasks.join_next().await {
            let Ok((id, url, outcome)) = joined else { continue };
            record(db, id, &url, &outcome).await?;
            checked += 1;
        }
        Ok(checked)
    }
}

async fn record(db: &PgPool, id: i64, url: &str, outcome: &Outcome) -> sqlx::Result<()> {
    let broken = outcome.broken();
    sqlx::query!(
        "INSERT INTO publication_links (publication_id, url, checked_at, status, final_url, error, broken, broken_since) \
         VALUES ($1, $2, now(), $3, $4, $5, $6, CASE WHEN $6 THEN now() END) \
         ON CONFLICT (publication_id) DO UPDATE SET url = EXCLUDED.url, checked_at = now(), status = EXCLUDED.status, \
             final_url = EXCLUDED.final_url, error = EXCLUDED.error, broken = EXCLUDED.broken, \
             broken_since = CASE WHEN NOT EXCLUDED.broken THEN NULL \
                                 ELSE coalesce(publication_links.broken_since, now()) END",
        id,
        url,
        outcome.status.map(|s| s as i16),
        outcome.final_url,
        outcome.error,
        broken,
    )
    .execute(db)
    .await?;
    Ok(())
}

/// The background job of `serve`: a round every few hours until `stopped`.
pub async fn run(db: PgPool, site: String, mut stopped: watch::Receiver<bool>) {
    let checker = match Checker::new(&site, Duration::from_secs(15), 4) {
        Ok(checker) => Arc::new(checker),
        Err(err) => {
            tracing::error!(%err, "link checker could not start");
            return;
        }
    };
    let mut wait = FIRST_ROUND_AFTER;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stopped.changed() => return,
        }
        if *stopped.borrow() {
            return;
        }
        match checker.check_due(&db, RECHECK_AFTER_DAYS, 2_000).await {
            Ok(checked) => tracing::info!(checked, "kennisbank links checked"),
            Err(err) => tracing::warn!(%err, "kennisbank link check failed"),
        }
        wait = ROUND_EVERY;
    }
}

/// A broken link as the back office lists it.
pub struct Broken {
    pub id: i64,
    pub title: String,
    pub url: String,
    pub status: Option<i16>,
    pub final_url: String,
    pub error: String,
    pub checked_at: time::OffsetDateTime,
    pub broken_since: Option<time::OffsetDateTime>,
}

impl Broken {
    pub fn answer(&self) -> String {
        match self.status {
            Some(status) => format!("HTTP {status}"),
            None => self.error.clone(),
        }
    }
    pub fn seen(&self) -> String {
        crate::text::datetime_nl(self.checked_at)
    }
    pub fn since(&self) -> String {
        self.broken_since.map(crate::text::datetime_nl).unwrap_or_default()
    }
}

pub async fn broken(db: &PgPool) -> sqlx::Result<Vec<Broken>> {
    sqlx::query_as!(
        Broken,
        "SELECT p.id, p.title, l.url, l.status, l.final_url, l.error, l.checked_at, l.broken_since \
         FROM publication_links l JOIN publications p ON p.id = l.publication_id \
         WHERE l.broken AND l.url = p.url ORDER BY l.broken_since NULLS LAST, p.title LIMIT 200",
    )
    .fetch_all(db)
    .await
}
