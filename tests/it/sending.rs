//! The newsletter's delivery guarantee, tested against the real binary: killed with SIGKILL
//! at random moments and restarted, and run as two instances at once.

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sqlx::PgPool;

use crate::helpers::{Mailbox, TestDatabase};

const BIN: &str = env!("CARGO_BIN_EXE_bredeblik");

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn serve(database: &TestDatabase, mailbox: &Mailbox) -> Child {
    Command::new(BIN)
        .arg("serve")
        .env("DATABASE_URL", &database.url)
        .env("BIND_ADDR", format!("127.0.0.1:{}", free_port()))
        .env("SMTP_URL", format!("smtp://127.0.0.1:{}", mailbox.port))
        .env("NEWSLETTER_RATE", "0")
        .env("NEWSLETTER_LEASE_SECS", "1")
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

async fn prepare(subscribers: i64) -> (TestDatabase, PgPool, i64) {
    let database = TestDatabase::create().await;
    let db = PgPool::connect(&database.url).await.unwrap();
    sqlx::query(
        "INSERT INTO subscribers (email, status, link_token) \
         SELECT 'lezer' || g || '@voorbeeld.nl', 'actief', md5(g::text) || 'abcdefghijklmnop' FROM generate_series(1, $1) g",
    )
    .bind(subscribers)
    .execute(&db)
    .await
    .unwrap();
    let id: i64 = sqlx::query_scalar("INSERT INTO campaigns (slug, subject, intro_md) VALUES ('proef', 'Proefnummer', 'Hallo') RETURNING id")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(bredeblik::newsletter::sending::start(&db, id).await.unwrap(), subscribers);
    (database, db, id)
}

async fn wait_until_sent(db: &PgPool, timeout: Duration) {
    let started = Instant::now();
    loop {
        let status: String = sqlx::query_scalar("SELECT status FROM campaigns").fetch_one(db).await.unwrap();
        if status == "verzonden" {
            return;
        }
        assert!(started.elapsed() < timeout, "campaign not sent within {timeout:?} (status {status})");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn received_per_address(mailbox: &Mailbox) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for mail in mailbox.messages() {
        *counts.entry(mail.to).or_insert(0) += 1;
    }
    counts
}

fn random_millis(low: u64, high: u64) -> u64 {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).unwrap();
    low + u64::from_le_bytes(bytes) % (high - low)
}

#[tokio::test]
async fn no_subscriber_is_skipped_or_doubled_across_twenty_sigkills() {
    const SUBSCRIBERS: i64 = 4000;
    const KILLS: usize = 20;
    let mailbox = Mailbox::start();
    let (database, db, _) = prepare(SUBSCRIBERS).await;
    let mut kills_during_sending = 0;
    for _ in 0..KILLS {
        let mut child = serve(&database, &mailbox);
        tokio::time::sleep(Duration::from_millis(random_millis(150, 700))).await;
        let before = mailbox.messages().len();
        child.kill().unwrap(); // SIGKILL: no graceful anything
        child.wait().unwrap();
        if before > 0 && before < SUBSCRIBERS as usize {
            kills_during_sending += 1;
        }
    }
    let mut last = serve(&database, &mailbox);
    wait_until_sent(&db, Duration::from_secs(120)).await;
    last.kill().unwrap();
    last.wait().unwrap();

    let counts = received_per_address(&mailbox);
    assert_eq!(counts.len() as i64, SUBSCRIBERS, "every subscriber received the campaign");
    let duplicates: usize = counts.values().map(|n| n - 1).sum();
    assert!(duplicates <= KILLS, "{duplicates} duplicates after {KILLS} kills");
    assert!(kills_during_sending >= 5, "the kills hit a send in progress ({kills_during_sending} did)");
    let sent: i64 = sqlx::query_scalar("SELECT count(*) FROM deliveries WHERE status = 'verzonden'")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(sent, SUBSCRIBERS);
    eprintln!("{KILLS} kills ({kills_during_sending} while sending), {duplicates} duplicate(s)");
}

#[tokio::test]
async fn two_instances_share_the_work_without_sending_anything_twice() {
    const SUBSCRIBERS: i64 = 800;
    let mailbox = Mailbox::start();
    let (database, db, _) = prepare(SUBSCRIBERS).await;
    let mut a = serve(&database, &mailbox);
    let mut b = serve(&database, &mailbox);
    wait_until_sent(&db, Duration::from_secs(120)).await;
    for child in [&mut a, &mut b] {
        child.kill().unwrap();
        child.wait().unwrap();
    }
    let counts = received_per_address(&mailbox);
    assert_eq!(counts.len() as i64, SUBSCRIBERS);
    assert!(counts.values().all(|n| *n == 1), "nobody received it twice");
    let instances: i64 =
        sqlx::query_scalar("SELECT count(DISTINCT claimed_by) FROM deliveries WHERE status = 'verzonden'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(instances, 2, "both instances sent part of the campaign");
}
