//! The real `bredeblik` binary, a misbehaving SMTP relay and a PostgreSQL cluster of a test's
//! own: the parts the mail and outage tests put together.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sqlx::PgPool;

use crate::helpers::Mailbox;

pub const BIN: &str = env!("CARGO_BIN_EXE_bredeblik");

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// One running `bredeblik serve`, killed (SIGKILL) when dropped.
pub struct Server {
    child: Child,
    pub port: u16,
}

impl Server {
    pub fn start(database_url: &str, mailbox: Option<&Mailbox>, env: &[(&str, &str)]) -> Self {
        let port = free_port();
        let mut command = Command::new(BIN);
        command
            .arg("serve")
            .env("DATABASE_URL", database_url)
            .env("BIND_ADDR", format!("127.0.0.1:{port}"))
            .env("NEWSLETTER_RATE", "0")
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some(mailbox) = mailbox {
            command.env("SMTP_URL", format!("smtp://127.0.0.1:{}", mailbox.port));
        }
        for (key, value) in env {
            command.env(key, value);
        }
        Self { child: command.spawn().unwrap(), port }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub async fn wait_ready(&self) {
        let client = reqwest::Client::new();
        let started = Instant::now();
        loop {
            if let Ok(r) = client.get(self.url("/readyz")).send().await
                && r.status() == 200
            {
                return;
            }
            assert!(started.elapsed() < Duration::from_secs(30), "server did not become ready");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub fn kill(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Tells the test relay how to misbehave (see tests/support/smtp_sink.py); "" to behave.
pub fn relay(mailbox: &Mailbox, settings: &str) {
    let tmp = mailbox.dir.join("control.tmp");
    std::fs::write(&tmp, settings).unwrap();
    std::fs::rename(tmp, mailbox.dir.join("control")).unwrap();
}

pub fn received_per_address(mailbox: &Mailbox) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for mail in mailbox.messages() {
        *counts.entry(mail.to).or_insert(0) += 1;
    }
    counts
}

/// (addresses that got nothing, extra copies) among `expected`.
pub fn missed_and_duplicated(mailbox: &Mailbox, expected: &[String]) -> (usize, usize) {
    let counts = received_per_address(mailbox);
    let missed = expected.iter().filter(|a| !counts.contains_key(*a)).count();
    let duplicated = counts.values().map(|n| n - 1).sum();
    (missed, duplicated)
}

pub fn random_millis(low: u64, high: u64) -> u64 {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).unwrap();
    low + u64::from_le_bytes(bytes) % (high - low)
}

/// A plain transactional mail for the delivery tests: "Bericht N".
struct NumberedMail(usize);

impl bredeblik::mail::Bodies for NumberedMail {
    fn text_body(&self) -> askama::Result<String> {
        Ok("Hallo".into())
    }
    fn html_body(&self) -> askama::Result<String> {
        Ok("<p>Hallo</p>".into())
    }
}

impl bredeblik::mail::Mail for NumberedMail {
    fn kind(&self) -> &'static str {
        "test"
    }
    fn subject(&self) -> String {
        format!("Bericht {}", self.0)
    }
}

/// Puts `count` transactional mails in the outbox, to `prefix1@voorbeeld.nl` and on.
pub async fn enqueue(db: &PgPool, prefix: &str, count: usize) -> Vec<String> {
    let config = bredeblik::config::Config::from_lookup(|k| {
        (k == "DATABASE_URL").then(|| "postgres://x@y/z".to_string())
    })
    .unwrap();
    let mut addresses = Vec::new();
    for n in 1..=count {
        let to = format!("{prefix}{n}@voorbeeld.nl");
        bredeblik::mail::enqueue(db, &config, &to, &NumberedMail(n)).await.unwrap();
        addresses.push(to);
    }
    addresses
}

/// Waits until no outbox row is waiting any more.
pub async fn wait_for_outbox(db: &PgPool, timeout: Duration) -> Duration {
    let started = Instant::now();
    loop {
        let waiting: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE status = 'wachtend'")
            .fetch_one(db)
            .await
            .unwrap();
        if waiting == 0 {
            return started.elapsed();
        }
        assert!(started.elapsed() < timeout, "{waiting} outbox mails still waiting after {timeout:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A PostgreSQL cluster of one test's own (scripts/pg), so the test can stop and start it
/// without touching the cluster the rest of the suite uses.
pub struct Cluster {
    dir: PathBuf,
    port: u16,
}

impl Cluster {
    /// A new cluster on a free port. A port is free when chosen but not reserved: another test
    /// starting a server may take it before PostgreSQL binds it. Then a fresh port is tried.
    pub fn start() -> Self {
        for attempt in 1..=3 {
            let dir = std::env::temp_dir().join(format!("bb-pg-{}", bredeblik::tokens::random_hex(6)));
            let port = free_port();
            if Self::pg_start(&dir, port) {
                return Self { dir, port };
            }
            eprintln!("scripts/pg start on port {port} failed (attempt {attempt}):\n{}", server_log(&dir));
            let _ = std::fs::remove_dir_all(&dir);
        }
        panic!("scripts/pg start failed on three ports");
    }

    /// The `postgres` database of the cluster (the app migrates it at start).
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn script() -> PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/pg")
    }

    fn pg_start(dir: &std::path::Path, port: u16) -> bool {
        Command::new(Self::script())
            .arg("start")
            .arg(dir)
            .arg(port.to_string())
            .env("PG_FAST", "1")
            .stdout(Stdio::null())
            .status()
            .unwrap()
            .success()
    }

    /// Starts the cluster again after `down`, on its own port.
    pub fn up(&self) {
        assert!(Self::pg_start(&self.dir, self.port), "scripts/pg start:\n{}", server_log(&self.dir));
    }

    pub fn down(&self) {
        let status = Command::new(Self::script()).arg("stop").arg(&self.dir).status().unwrap();
        assert!(status.success(), "scripts/pg stop");
    }
}

/// The end of a cluster's server log (`scripts/pg` writes it into the data directory).
fn server_log(dir: &std::path::Path) -> String {
    let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.down();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Waits up to `timeout` for a mail to `to` whose subject contains `subject`.
pub async fn wait_for_mail(
    mailbox: &Mailbox,
    to: &str,
    subject: &str,
    timeout: Duration,
) -> crate::helpers::Mail {
    let started = Instant::now();
    loop {
        if let Some(mail) =
            mailbox.messages().into_iter().find(|m| m.to.contains(to) && m.subject.contains(subject))
        {
            return mail;
        }
        assert!(started.elapsed() < timeout, "no mail to {to} about '{subject}' within {timeout:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
