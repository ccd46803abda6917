//! PostgreSQL going away under the real binary: pages answer at once with the Dutch 503 page
//! and `Retry-After`, `/readyz` says not ready without waiting, and everything works again as
//! soon as the database is back, without a restart. The test stops and starts a cluster of
//! its own, never the one the rest of the suite uses.

use std::time::{Duration, Instant};

use crate::binary::{Cluster, Server};

#[tokio::test]
async fn a_database_outage_answers_fast_with_the_503_page_and_recovers_without_a_restart() {
    let cluster = Cluster::start();
    let server = Server::start(&cluster.url(), None, &[]);
    server.wait_ready().await;
    let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
    assert_eq!(client.get(server.url("/nieuws")).send().await.unwrap().status(), 200);

    cluster.down();
    // A session cookie makes every request look its session up in PostgreSQL (and keeps any
    // page cache out of the way).
    for path in ["/nieuws", "/account", "/beheer"] {
        let started = Instant::now();
        let response = client
            .get(server.url(path))
            .header("cookie", "bb_session=0123456789abcdef0123456789abcdef")
            .send()
            .await
            .unwrap();
        let took = started.elapsed();
        assert_eq!(response.status(), 503, "{path}");
        assert!(took < Duration::from_millis(2500), "{path} took {took:?}");
        assert!(response.headers().contains_key("retry-after"), "{path}");
        let body = response.text().await.unwrap();
        assert!(body.contains("Tijdelijk niet beschikbaar"), "{body}");
        eprintln!("{path} during the outage: 503 in {took:?}");
    }
    let started = Instant::now();
    let ready = client.get(server.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 503);
    assert!(started.elapsed() < Duration::from_millis(2500), "/readyz took {:?}", started.elapsed());

    cluster.up();
    let back = Instant::now();
    loop {
        let response = client.get(server.url("/nieuws")).send().await.unwrap();
        if response.status() == 200 {
            break;
        }
        assert!(back.elapsed() < Duration::from_secs(10), "no recovery: {}", response.status());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!("recovered {:?} after the database was back", back.elapsed());
    assert_eq!(client.get(server.url("/readyz")).send().await.unwrap().status(), 200);
    server.kill();
}
