//! The `bredeblik` binary itself: configuration errors, JSON logs with request ids, and a
//! graceful stop on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::binary::free_port;
use crate::helpers::TestDatabase;

const BIN: &str = env!("CARGO_BIN_EXE_bredeblik");

#[test]
fn a_bad_value_stops_start_up_with_one_line_naming_the_variable() {
    for (variable, value) in
        [("BIND_ADDR", "nergens"), ("DATABASE_URL", "mysql://x/y"), ("SMTP_URL", "http://x")]
    {
        let output = Command::new(BIN)
            .arg("serve")
            .env_clear()
            .env("DATABASE_URL", "postgres://u@127.0.0.1:1/db")
            .env(variable, value)
            .current_dir(std::env::temp_dir())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{variable}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(variable), "{stderr}");
    }
}

#[test]
fn help_lists_the_subcommands() {
    let output = Command::new(BIN).arg("--help").output().unwrap();
    let help = String::from_utf8(output.stdout).unwrap();
    for command in ["serve", "migrate", "seed"] {
        assert!(help.contains(command), "{help}");
    }
}

#[tokio::test]
async fn the_server_logs_json_with_request_ids_and_stops_gracefully_on_sigterm() {
    let database = TestDatabase::create().await;
    let port = free_port();
    let mut child = Command::new(BIN)
        .arg("serve")
        .env("DATABASE_URL", &database.url)
        .env("BIND_ADDR", format!("127.0.0.1:{port}"))
        .env("LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let client = reqwest::Client::new();
    let started = Instant::now();
    loop {
        if let Ok(r) = client.get(format!("http://127.0.0.1:{port}/readyz")).send().await
            && r.status() == 200
        {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "server did not become ready");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let response = client.get(format!("http://127.0.0.1:{port}/nieuws")).send().await.unwrap();
    let request_id = response.headers()["x-request-id"].to_str().unwrap().to_owned();

    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let stopped = Instant::now();
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        assert!(stopped.elapsed() < Duration::from_secs(10), "no graceful stop within 10 s");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "exit status {exit:?}");

    let lines: Vec<String> =
        BufReader::new(child.stdout.take().unwrap()).lines().map_while(Result::ok).collect();
    let json: Vec<serde_json::Value> = lines.iter().filter_map(|l| serde_json::from_str(l).ok()).collect();
    assert_eq!(json.len(), lines.len(), "every log line is JSON: {lines:?}");
    assert!(
        json.iter().any(|l| l.to_string().contains(&request_id)),
        "a log line carries request id {request_id}: {lines:?}"
    );
    assert!(lines.iter().any(|l| l.contains("afsluiten")));
}

#[tokio::test]
async fn admin_create_without_a_terminal_prints_a_one_time_link() {
    let database = TestDatabase::create().await;
    let output = Command::new(BIN)
        .args(["admin", "create", "--email", "eerste@voorbeeld.nl", "--role", "beheerder"])
        .env("DATABASE_URL", &database.url)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("/wachtwoord-herstellen/"), "{stdout}");
    let bad = Command::new(BIN)
        .args(["admin", "create", "--email", "x@voorbeeld.nl", "--role", "koning"])
        .env("DATABASE_URL", &database.url)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("onbekende rol"));
}
