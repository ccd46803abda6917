//! The outbox against the real binary and a relay that misbehaves on command: silent after its
//! greeting, slow, and the binary killed during delivery.

use std::time::{Duration, Instant};

use sqlx::PgPool;

use crate::binary::{self, Server, relay};
use crate::helpers::{Mailbox, TestDatabase};

async fn database() -> (TestDatabase, PgPool) {
    let database = TestDatabase::create().await;
    let db = PgPool::connect(&database.url).await.unwrap();
    (database, db)
}

#[tokio::test]
async fn the_outbox_delivers_again_within_a_minute_after_a_relay_silent_after_its_greeting() {
    let mailbox = Mailbox::start();
    let (database, db) = database().await;
    relay(&mailbox, "silent=1\n");
    let server = Server::start(&database.url, Some(&mailbox), &[]);
    server.wait_ready().await;
    let expected = binary::enqueue(&db, "stil", 10).await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert!(mailbox.messages().is_empty(), "the relay never answered after its greeting");

    relay(&mailbox, "");
    let recovered = Instant::now();
    let waited = binary::wait_for_outbox(&db, Duration::from_secs(60)).await;
    let (missed, duplicated) = binary::missed_and_duplicated(&mailbox, &expected);
    eprintln!(
        "silent relay: delivered {:.1} s after it recovered; missed {missed}, duplicated {duplicated}",
        recovered.elapsed().as_secs_f64()
    );
    assert!(waited < Duration::from_secs(60));
    assert_eq!((missed, duplicated), (0, 0));
    let sent: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE status = 'verzonden'")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(sent, 10);
    server.kill();
}

#[tokio::test]
async fn two_instances_behind_a_slow_relay_send_every_outbox_mail_once() {
    let mailbox = Mailbox::start();
    let (database, db) = database().await;
    // Every message takes two seconds, twice the lease: only renewing claims keeps a second
    // instance from taking them over.
    relay(&mailbox, "final_delay=2\n");
    let env = [("NEWSLETTER_LEASE_SECS", "1")];
    let a = Server::start(&database.url, Some(&mailbox), &env);
    let b = Server::start(&database.url, Some(&mailbox), &env);
    a.wait_ready().await;
    b.wait_ready().await;
    let expected = binary::enqueue(&db, "traag", 12).await;
    binary::wait_for_outbox(&db, Duration::from_secs(90)).await;
    let (missed, duplicated) = binary::missed_and_duplicated(&mailbox, &expected);
    eprintln!("two instances, 2 s per message: missed {missed}, duplicated {duplicated}");
    assert_eq!((missed, duplicated), (0, 0));
    let senders: i64 =
        sqlx::query_scalar("SELECT count(DISTINCT claimed_by) FROM outbox WHERE status = 'verzonden'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(senders, 2, "both instances sent part of the outbox");
    a.kill();
    b.kill();
}

#[tokio::test]
async fn kills_during_outbox_delivery_duplicate_at_most_one_mail_each() {
    const MAILS: usize = 1500;
    const KILLS: usize = 8;
    let mailbox = Mailbox::start();
    let (database, db) = database().await;
    let expected = binary::enqueue(&db, "ontvanger", MAILS).await;
    let env = [("NEWSLETTER_LEASE_SECS", "1")];
    let mut kills_during_sending = 0;
    for _ in 0..KILLS {
        let server = Server::start(&database.url, Some(&mailbox), &env);
        tokio::time::sleep(Duration::from_millis(binary::random_millis(300, 900))).await;
        let before = mailbox.messages().len();
        server.kill();
        if before > 0 && before < MAILS {
            kills_during_sending += 1;
        }
    }
    let last = Server::start(&database.url, Some(&mailbox), &env);
    binary::wait_for_outbox(&db, Duration::from_secs(120)).await;
    last.kill();
    let (missed, duplicated) = binary::missed_and_duplicated(&mailbox, &expected);
    eprintln!(
        "{KILLS} kills ({kills_during_sending} while sending): missed {missed}, duplicated {duplicated}"
    );
    assert_eq!(missed, 0, "every mail arrived");
    assert!(duplicated <= KILLS, "{duplicated} duplicates after {KILLS} kills");
    assert!(kills_during_sending >= 3, "the kills hit a delivery in progress ({kills_during_sending} did)");
}

#[tokio::test]
async fn mail_waits_while_the_relay_refuses_connections_and_flows_when_it_accepts_again() {
    let mailbox = Mailbox::start();
    let (database, db) = database().await;
    relay(&mailbox, "refuse=1\n");
    let server = Server::start(&database.url, Some(&mailbox), &[]);
    server.wait_ready().await;
    let expected = binary::enqueue(&db, "geweigerd", 5).await;
    tokio::time::sleep(Duration::from_secs(6)).await;
    let given_up: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE status <> 'wachtend'")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(given_up, 0, "a refusing relay (421) says nothing about the mails");
    let delayed: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM outbox WHERE next_attempt_at > now() + interval '20 seconds'",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(delayed, 0, "nor does it push them back");

    relay(&mailbox, "");
    let recovered = Instant::now();
    binary::wait_for_outbox(&db, Duration::from_secs(30)).await;
    let took = recovered.elapsed();
    let (missed, duplicated) = binary::missed_and_duplicated(&mailbox, &expected);
    eprintln!(
        "refusing relay: delivered {took:?} after it accepted again; missed {missed}, duplicated {duplicated}"
    );
    assert!(took < Duration::from_secs(20), "{took:?}");
    assert_eq!((missed, duplicated), (0, 0));
    server.kill();
}
