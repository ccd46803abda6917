//! The newsletter's delivery guarantee, tested against the real binary: killed with SIGKILL
//! at random moments and restarted, and run as two instances at once.

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sqlx::PgPool;

use crate::binary::free_port;
use crate::helpers::{CampaignBuilder, Mailbox, TestDatabase};

const BIN: &str = env!("CARGO_BIN_EXE_bredeblik");

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
    let id = CampaignBuilder::new(&db, "proef").create().await;
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

// The newsletter behind relays that misbehave on command (tests/support/smtp_sink.py), and a
// PostgreSQL restarted during a send.

use crate::binary::{self, Cluster, Server, relay};

/// Subscribers `prefix1@voorbeeld.nl` … and a started campaign (created by `created_by`).
async fn campaign_for(db: &PgPool, prefix: &str, subscribers: i64, created_by: Option<i64>) -> Vec<String> {
    sqlx::query(
        "INSERT INTO subscribers (email, status, link_token) \
         SELECT $2 || g || '@voorbeeld.nl', 'actief', md5($2 || g) || 'abcdefghijklmnop' FROM generate_series(1, $1) g",
    )
    .bind(subscribers)
    .bind(prefix)
    .execute(db)
    .await
    .unwrap();
    let id = CampaignBuilder::new(db, "proef").created_by(created_by).create().await;
    assert_eq!(bredeblik::newsletter::sending::start(db, id).await.unwrap(), subscribers);
    (1..=subscribers).map(|n| format!("{prefix}{n}@voorbeeld.nl")).collect()
}

#[tokio::test]
async fn two_instances_and_a_stalling_relay_send_nothing_twice() {
    let mailbox = Mailbox::start();
    let database = TestDatabase::create().await;
    let db = PgPool::connect(&database.url).await.unwrap();
    let expected = campaign_for(&db, "lezer", 300, None).await;
    let env = [("NEWSLETTER_LEASE_SECS", "1")];
    let a = Server::start(&database.url, Some(&mailbox), &env);
    let b = Server::start(&database.url, Some(&mailbox), &env);
    a.wait_ready().await;
    b.wait_ready().await;
    // The relay stalls: every reply takes three seconds, three leases, for a while.
    relay(&mailbox, "delay=3\n");
    tokio::time::sleep(Duration::from_secs(10)).await;
    relay(&mailbox, "");
    wait_until_sent(&db, Duration::from_secs(120)).await;
    a.kill();
    b.kill();
    let (missed, duplicated) = binary::missed_and_duplicated(&mailbox, &expected);
    eprintln!(
        "two instances, relay stalling 3 s per reply for 10 s: missed {missed}, duplicated {duplicated}"
    );
    assert_eq!((missed, duplicated), (0, 0));
}

#[tokio::test]
async fn a_final_reply_after_ninety_seconds_is_waited_for_not_sent_again() {
    let mailbox = Mailbox::start();
    let database = TestDatabase::create().await;
    let db = PgPool::connect(&database.url).await.unwrap();
    let mut expected = campaign_for(&db, "lezer", 5, None).await;
    expected.extend(binary::enqueue(&db, "transactioneel", 3).await);
    relay(&mailbox, "final_delay=90\n");
    let started = Instant::now();
    let server = Server::start(&database.url, Some(&mailbox), &[("NEWSLETTER_LEASE_SECS", "5")]);
    // Both senders (newsletter and outbox) hand over a message and wait for the answer.
    for _ in 0..300 {
        if mailbox.messages().len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(mailbox.messages().len(), 2);
    relay(&mailbox, "");
    wait_until_sent(&db, Duration::from_secs(150)).await;
    binary::wait_for_outbox(&db, Duration::from_secs(30)).await;
    let took = started.elapsed();
    server.kill();
    let (missed, duplicated) = binary::missed_and_duplicated(&mailbox, &expected);
    eprintln!("final reply after 90 s: all sent in {took:?}; missed {missed}, duplicated {duplicated}");
    assert!(took >= Duration::from_secs(90), "the relay did take its time");
    assert_eq!((missed, duplicated), (0, 0));
}

#[tokio::test]
async fn a_relay_silent_after_its_ehlo_costs_one_deadline_not_one_per_pipelined_reply() {
    let mailbox = Mailbox::start();
    let database = TestDatabase::create().await;
    let db = PgPool::connect(&database.url).await.unwrap();
    // Greeting and EHLO answered, then silence: MAIL, RCPT and DATA go out pipelined.
    relay(&mailbox, "silent=2\n");
    let server = Server::start(&database.url, Some(&mailbox), &[]);
    server.wait_ready().await;
    let expected = campaign_for(&db, "lezer", 20, None).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    relay(&mailbox, "");
    let recovered = Instant::now();
    wait_until_sent(&db, Duration::from_secs(60)).await;
    let took = recovered.elapsed();
    server.kill();
    let (missed, duplicated) = binary::missed_and_duplicated(&mailbox, &expected);
    eprintln!(
        "relay silent after EHLO: campaign done {took:?} after it recovered; missed {missed}, duplicated {duplicated}"
    );
    assert!(took < Duration::from_secs(55), "within a minute (one 30 s deadline, not three): {took:?}");
    assert_eq!((missed, duplicated), (0, 0));
    // Only the https unsubscribe: nothing reads a mailbox, so no mailto is offered.
    let sample = &mailbox.messages()[0];
    assert!(sample.headers.contains("List-Unsubscribe: <http"), "{}", sample.headers);
    assert!(!sample.headers.contains("mailto:"), "{}", sample.headers);
}

#[tokio::test]
async fn a_long_relay_outage_keeps_the_campaign_going_reports_it_stalled_once_and_loses_nobody() {
    let mailbox = Mailbox::start();
    let database = TestDatabase::create().await;
    let db = PgPool::connect(&database.url).await.unwrap();
    let hash = bredeblik::accounts::password::hash(crate::helpers::PASSWORD.to_owned()).await.unwrap();
    let coordinator: i64 = sqlx::query_scalar(
        "INSERT INTO users (email, role, password_hash, email_confirmed_at) \
         VALUES ('coordinator@voorbeeld.nl', 'coordinator', $1, now()) RETURNING id",
    )
    .bind(hash)
    .fetch_one(&db)
    .await
    .unwrap();
    // The relay answers 451 to every reader, long past the old schedule of five attempts.
    relay(&mailbox, "tempfail=lezer\n");
    let server = Server::start(&database.url, Some(&mailbox), &[]);
    server.wait_ready().await;
    let expected = campaign_for(&db, "lezer", 20, Some(coordinator)).await;
    let status = || async {
        sqlx::query_scalar::<_, String>("SELECT status FROM campaigns").fetch_one(&db).await.unwrap()
    };
    // Time passes faster here: every waiting delivery is due again at once.
    let started = Instant::now();
    loop {
        sqlx::query("UPDATE deliveries SET next_attempt_at = now() WHERE status = 'wachtend'")
            .execute(&db)
            .await
            .unwrap();
        let least: i32 =
            sqlx::query_scalar("SELECT min(attempts) FROM deliveries").fetch_one(&db).await.unwrap();
        assert_eq!(status().await, "bezig", "never shown as sent while deliveries wait");
        if least >= 8 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "attempts stay at {least}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let failed: i64 =
        sqlx::query_scalar("SELECT count(*) FROM deliveries WHERE status NOT IN ('wachtend', 'bezig')")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(failed, 0, "8 temporary failures give nobody up");

    // A quarter of an hour without progress: the campaign is stalled.
    sqlx::query("UPDATE campaigns SET updated_at = now() - interval '20 minutes'")
        .execute(&db)
        .await
        .unwrap();
    let notice =
        binary::wait_for_mail(&mailbox, "coordinator@voorbeeld.nl", "loopt vast", Duration::from_secs(45))
            .await;
    assert!(notice.body.contains("Proefnummer") && notice.body.contains("20 adressen"), "{}", notice.body);
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let form = client.get(server.url("/inloggen")).send().await.unwrap().text().await.unwrap();
    let token = crate::helpers::extract_csrf(&form);
    let login = client
        .post(server.url("/inloggen"))
        .form(&[
            ("email", "coordinator@voorbeeld.nl"),
            ("password", crate::helpers::PASSWORD),
            ("csrf_token", &token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 303);
    let list = client.get(server.url("/beheer/nieuwsbrieven")).send().await.unwrap().text().await.unwrap();
    assert!(list.contains("vastgelopen"), "{list}");
    // Checked again (as every sender does twice a minute): still one mail.
    let config = crate::helpers::config_for(&database.url, &[]);
    for _ in 0..3 {
        bredeblik::newsletter::sending::report_stalled_campaigns(&db, &config).await.unwrap();
    }
    let notices: i64 =
        sqlx::query_scalar("SELECT count(*) FROM outbox WHERE kind = 'nieuwsbrief-vastgelopen'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(notices, 1, "the coordinator is mailed once");

    // One reader's mail server keeps deferring past three days: that one is given up.
    sqlx::query("UPDATE deliveries SET first_failed_at = now() - interval '4 days' WHERE subscriber_id = (SELECT id FROM subscribers WHERE email = 'lezer20@voorbeeld.nl')")
        .execute(&db)
        .await
        .unwrap();
    relay(&mailbox, "tempfail=lezer20@\n");
    sqlx::query("UPDATE deliveries SET next_attempt_at = now() WHERE status = 'wachtend'")
        .execute(&db)
        .await
        .unwrap();
    wait_until_sent(&db, Duration::from_secs(30)).await;
    server.kill();
    let (missed, duplicated) = binary::missed_and_duplicated(&mailbox, &expected[..19]);
    eprintln!("451 for 8+ attempts: missed {missed}, duplicated {duplicated}");
    assert_eq!((missed, duplicated), (0, 0));
    let given_up: Vec<String> = sqlx::query_scalar(
        "SELECT s.email FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id WHERE d.status = 'mislukt'",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(given_up, vec!["lezer20@voorbeeld.nl".to_owned()]);
}

#[tokio::test]
async fn postgres_restarted_during_a_send_duplicates_and_misses_nothing() {
    const SUBSCRIBERS: i64 = 3000;
    const RESTARTS: usize = 3;
    let cluster = Cluster::start();
    let mailbox = Mailbox::start();
    // The lease outlasts each outage; a mark that fails meanwhile is retried, not resent.
    let server = Server::start(
        &cluster.url(),
        Some(&mailbox),
        &[("NEWSLETTER_LEASE_SECS", "20"), ("NEWSLETTER_RATE", "300")],
    );
    server.wait_ready().await;
    let db = PgPool::connect(&cluster.url()).await.unwrap();
    let expected = campaign_for(&db, "lezer", SUBSCRIBERS, None).await;
    db.close().await;
    let mut during_sending = 0;
    for _ in 0..RESTARTS {
        tokio::time::sleep(Duration::from_millis(binary::random_millis(1000, 2000))).await;
        let before = mailbox.messages().len();
        cluster.down();
        tokio::time::sleep(Duration::from_millis(500)).await;
        cluster.up();
        if before > 0 && before < SUBSCRIBERS as usize {
            during_sending += 1;
        }
    }
    let db = PgPool::connect(&cluster.url()).await.unwrap();
    wait_until_sent(&db, Duration::from_secs(120)).await;
    server.kill();
    let (missed, duplicated) = binary::missed_and_duplicated(&mailbox, &expected);
    eprintln!(
        "{RESTARTS} PostgreSQL restarts ({during_sending} while sending): missed {missed}, duplicated {duplicated}"
    );
    assert!(during_sending >= 2, "the restarts hit the send ({during_sending} did)");
    assert_eq!((missed, duplicated), (0, 0));
}
