//! Every route of the router and every field of every form, with hostile values: a NUL byte,
//! a lone backslash, a CR LF pair, a 1 MB string and invalid UTF-8. The answer must be a 4xx
//! or a normal one, never a 5xx (issue 10, "Done when").
//!
//! The routes are read from the source (every `.route("…", …)`), so a new route is walked
//! without editing this file. Real values for path parameters and the forms come from a
//! crawl of the site as a beheerder (and, for `/account`, as a member), with demo content.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use crate::helpers::{
    CampaignBuilder, PASSWORD, TestApp, lesson_in_review, open_application_round, region_application,
    revision, rust_sources, subscriber,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Payload {
    Nul,
    Backslash,
    CrLf,
    Huge,
    BadUtf8,
}

const PAYLOADS: [Payload; 5] =
    [Payload::Nul, Payload::Backslash, Payload::CrLf, Payload::Huge, Payload::BadUtf8];

impl Payload {
    /// The raw bytes of the value.
    fn bytes(self) -> Vec<u8> {
        match self {
            Payload::Nul => b"a\0b".to_vec(),
            Payload::Backslash => b"\\".to_vec(),
            Payload::CrLf => b"x\r\nBcc: evil@example.org".to_vec(),
            Payload::Huge => vec![b'a'; 1 << 20],
            Payload::BadUtf8 => vec![0xFF, 0xFE, b'x', 0xC0],
        }
    }

    /// Percent-encoded, for an urlencoded body.
    fn encoded(self) -> String {
        percent(&self.bytes())
    }

    /// Percent-encoded, for a path or query string. A URL holds at most 64 KB (the `http`
    /// crate's limit, about what servers and browsers take), so the long value is 20 KB here.
    fn in_url(self) -> String {
        match self {
            Payload::Huge => "a".repeat(20 * 1024),
            other => other.encoded(),
        }
    }
}

fn percent(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (*b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Every `.route("path", …)` in the source and every back-office declaration, with their methods.
fn routes_in_source() -> Vec<(String, BTreeSet<&'static str>)> {
    let mut found: BTreeMap<String, BTreeSet<&'static str>> = BTreeMap::new();
    for source in rust_sources() {
        for call in source.split(".route(").skip(1) {
            let call = call.split(".route(").next().unwrap();
            let Some(route) = call.split('"').nth(1).filter(|r| r.starts_with('/')) else { continue };
            let methods = found.entry(route.to_owned()).or_default();
            if call.contains("get(") {
                methods.insert("GET");
            }
            if call.contains("post(") {
                methods.insert("POST");
            }
        }
    }
    // The back office declares its routes once, with their roles (`admin::routes()`).
    for route in bredeblik::admin::routes() {
        found.entry(route.path.to_owned()).or_default().insert(route.method);
    }
    found.into_iter().collect()
}

/// Whether `path` (no query) is an instance of route `pattern`; the score prefers literal
/// segments (`/beheer/nieuws/nieuw` over `/beheer/nieuws/{id}`).
fn matches(pattern: &str, path: &str) -> Option<usize> {
    let p: Vec<&str> = pattern.split('/').collect();
    let s: Vec<&str> = path.split('/').collect();
    let mut literal = 0;
    for (i, part) in p.iter().enumerate() {
        if part.starts_with("{*") {
            return (s.len() > i && !s[i].is_empty()).then_some(literal);
        }
        let segment = s.get(i)?;
        if part.starts_with('{') {
            if segment.is_empty() {
                return None;
            }
        } else if part != segment {
            return None;
        } else {
            literal += 1;
        }
    }
    (p.len() == s.len()).then_some(literal)
}

fn pattern_of<'r>(routes: &'r [(String, BTreeSet<&'static str>)], path: &str) -> Option<&'r str> {
    routes
        .iter()
        .filter_map(|(pattern, _)| matches(pattern, path).map(|score| (score, pattern.as_str())))
        .max_by_key(|(score, _)| *score)
        .map(|(_, pattern)| pattern)
}

fn unescape(value: &str) -> String {
    value
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The attributes of a start tag such as `<input type="text" name="q" value="x" checked>`.
fn attributes(tag: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let body = tag.trim_start_matches('<').trim_end_matches('>').trim_end_matches('/');
    let mut rest = body.split_once(char::is_whitespace).map(|(_, r)| r).unwrap_or("");
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        let name_end = rest.find(|c: char| c == '=' || c.is_whitespace()).unwrap_or(rest.len());
        let name = rest[..name_end].to_ascii_lowercase();
        rest = &rest[name_end..];
        let trimmed = rest.trim_start();
        if let Some(after) = trimmed.strip_prefix('=') {
            let after = after.trim_start();
            let (value, remaining) = if let Some(q) = after.strip_prefix('"') {
                let end = q.find('"').unwrap_or(q.len());
                (&q[..end], q.get(end + 1..).unwrap_or(""))
            } else {
                let end = after.find(char::is_whitespace).unwrap_or(after.len());
                (&after[..end], &after[end..])
            };
            out.insert(name, unescape(value));
            rest = remaining;
        } else {
            out.insert(name, String::new());
            rest = trimmed;
        }
    }
    out
}

/// The end of the tag that starts at `html[0]`, quotes respected.
fn tag_len(html: &str) -> usize {
    let mut quoted = false;
    for (i, c) in html.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '>' if !quoted => return i + 1,
            _ => {}
        }
    }
    html.len()
}

#[derive(Debug, Clone)]
struct Form {
    method: String,
    action: String,
    multipart: bool,
    /// What the browser would send as the form stands.
    baseline: Vec<(String, String)>,
    /// Every field name in the form.
    names: Vec<String>,
}

fn forms_in(html: &str, page_path: &str) -> Vec<Form> {
    let mut forms = Vec::new();
    for chunk in html.split("<form").skip(1) {
        let open_len = tag_len(chunk);
        let attrs = attributes(&format!("<form{}", &chunk[..open_len]));
        let body = &chunk[open_len..chunk.find("</form>").unwrap_or(chunk.len())];
        let method = attrs.get("method").map(|m| m.to_ascii_uppercase()).unwrap_or_else(|| "GET".into());
        let action =
            attrs.get("action").cloned().filter(|a| !a.is_empty()).unwrap_or_else(|| page_path.into());
        if !action.starts_with('/') {
            continue;
        }
        let multipart = attrs.get("enctype").is_some_and(|e| e.contains("multipart"));
        let mut baseline = Vec::new();
        let mut names = Vec::new();
        let mut radios_done = BTreeSet::new();
        let mut button_done = false;
        let mut rest = body;
        while let Some(start) = rest.find('<') {
            rest = &rest[start..];
            let len = tag_len(rest);
            let tag = &rest[..len];
            let name_of = |t: &str| {
                t.trim_start_matches('<')
                    .split(|c: char| c.is_whitespace() || c == '>')
                    .next()
                    .unwrap_or("")
                    .to_ascii_lowercase()
            };
            let element = name_of(tag);
            let a = attributes(tag);
            let name = a.get("name").cloned().unwrap_or_default();
            match element.as_str() {
                "input" if !name.is_empty() => {
                    let kind = a.get("type").map(|t| t.to_ascii_lowercase()).unwrap_or_else(|| "text".into());
                    let value = a.get("value").cloned().unwrap_or_default();
                    match kind.as_str() {
                        "file" => {}
                        "checkbox" => {
                            names.push(name.clone());
                            if a.contains_key("checked") {
                                baseline.push((name, if value.is_empty() { "on".into() } else { value }));
                            }
                        }
                        "radio" => {
                            names.push(name.clone());
                            if a.contains_key("checked") && radios_done.insert(name.clone()) {
                                baseline.push((name, value));
                            }
                        }
                        "submit" => {
                            names.push(name.clone());
                            if !button_done && !destructive(&value) {
                                button_done = true;
                                baseline.push((name, value));
                            }
                        }
                        _ => {
                            names.push(name.clone());
                            // An empty field gets a plausible value, so that the hostile one in
                            // another field gets past "fill in everything" (a honeypot, out of
                            // the tab order, stays empty).
                            let value = if value.is_empty()
                                && kind != "hidden"
                                && a.get("tabindex").map(String::as_str) != Some("-1")
                            {
                                plausible(&kind).to_owned()
                            } else {
                                value
                            };
                            baseline.push((name, value));
                        }
                    }
                }
                "button" if !name.is_empty() => {
                    names.push(name.clone());
                    let value = a.get("value").cloned().unwrap_or_default();
                    if !button_done && !destructive(&value) {
                        button_done = true;
                        baseline.push((name, value));
                    }
                }
                "textarea" if !name.is_empty() => {
                    let content = &rest[len..rest[len..].find("</textarea>").map_or(len, |e| len + e)];
                    names.push(name.clone());
                    let content =
                        if content.is_empty() { plausible("textarea").to_owned() } else { unescape(content) };
                    baseline.push((name, content));
                }
                "select" if !name.is_empty() => {
                    let inner = &rest[len..rest[len..].find("</select>").map_or(len, |e| len + e)];
                    let options: Vec<HashMap<String, String>> = inner
                        .split("<option")
                        .skip(1)
                        .map(|o| attributes(&format!("<option{}", &o[..tag_len(o)])))
                        .collect();
                    let chosen = options.iter().find(|o| o.contains_key("selected")).or(options.first());
                    names.push(name.clone());
                    if let Some(option) = chosen {
                        baseline.push((name, option.get("value").cloned().unwrap_or_default()));
                    }
                }
                _ => {}
            }
            rest = &rest[len.max(1)..];
        }
        // A radio group with nothing chosen: the first choice.
        names.dedup();
        forms.push(Form { method, action, multipart, baseline, names });
    }
    forms
}

/// A value of the right shape for an empty input of this type. The password is not the
/// accounts' own, so "delete my account" and the like are refused.
fn plausible(kind: &str) -> &'static str {
    match kind {
        "email" => "wandelaar@voorbeeld.nl",
        "password" => "lang-genoeg-wachtwoord-1",
        "url" => "https://voorbeeld.nl/",
        "date" => "2027-03-01",
        "datetime-local" => "2027-03-01T10:00",
        "number" => "1",
        "textarea" => "Een tekst van een paar woorden.",
        _ => "Tekst",
    }
}

fn destructive(value: &str) -> bool {
    ["verwijder", "annuleer", "annuleren", "deactiv", "afwijzen", "stop"].iter().any(|w| value.contains(w))
}

fn links_in(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(unescape)
        .filter(|h| h.starts_with('/') && !h.starts_with("//"))
        .map(|h| h.split('#').next().unwrap_or("").to_owned())
        .collect()
}

struct Walk {
    app: TestApp,
    member: reqwest::Client,
    requests: usize,
    failures: Vec<String>,
}

impl Walk {
    fn client_for(&self, path: &str) -> &reqwest::Client {
        if path.starts_with("/account") { &self.member } else { &self.app.client }
    }

    async fn check(&mut self, what: String, request: reqwest::RequestBuilder) {
        self.requests += 1;
        match request.send().await {
            Ok(response) => {
                let status = response.status();
                let _ = response.bytes().await;
                if status.is_server_error() {
                    self.failures.push(format!("{status} {what}"));
                }
            }
            Err(err) => {
                let err: String = err.to_string().chars().take(200).collect();
                self.failures.push(format!("no answer ({err}) {what}"))
            }
        }
    }

    async fn reset_limits(&self) {
        sqlx::query("DELETE FROM rate_limits").execute(&self.app.db).await.unwrap();
        let _ = sqlx::query("DELETE FROM login_failures").execute(&self.app.db).await;
    }

    /// Logs in again when a form ended a session (a changed password, a deactivated user).
    async fn keep_sessions(&mut self) {
        let admin = self.app.client.get(self.app.url("/beheer")).send().await.unwrap().status();
        if admin != 200 {
            self.app.client = self.app.new_client();
            login(&self.app, &self.app.client, "beheerder@voorbeeld.nl").await;
        }
        let member = self.member.get(self.app.url("/account")).send().await.unwrap().status();
        if member != 200 {
            self.member = self.app.new_client();
            login(&self.app, &self.member, "lid@voorbeeld.nl").await;
        }
    }
}

async fn login(app: &TestApp, client: &reqwest::Client, email: &str) {
    let page = client.get(app.url("/inloggen")).send().await.unwrap().text().await.unwrap();
    let token = crate::helpers::extract_csrf(&page);
    let response = client
        .post(app.url("/inloggen"))
        .form(&[("email", email), ("password", PASSWORD), ("csrf_token", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303, "{email} logs in");
}

fn urlencoded(fields: &[(String, Vec<u8>)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", percent(k.as_bytes()), percent(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn multipart(fields: &[(String, Vec<u8>)]) -> (String, Vec<u8>) {
    let boundary = "----bredeblik-hostile-7d3f";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(value);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn seed(app: &TestApp) {
    bredeblik::seed::demo(&app.db).await.unwrap();
    app.create_user("beheerder@voorbeeld.nl", "beheerder", PASSWORD).await;
    let member = app.member("lid@voorbeeld.nl", "Lid Walk").role("leerkracht").listed().create().await;
    app.initiative("Eigen initiatief")
        .summary("Kort.")
        .owner(member)
        .contact_email("contact@voorbeeld.nl")
        .published()
        .create()
        .await;
    // A change to a published publication waiting for review (its page and decision are walked).
    revision(&app.db, "samen-om-het-kind", member, r#"{"titel": "Samen om het kind (herzien)"}"#, "Walk")
        .await;
    app.member("wacht@voorbeeld.nl", "Wacht Even").slug("wacht").offer("Iets").create().await;
    CampaignBuilder::new(&app.db, "proef").subject("Proef").create().await;
    subscriber(&app.db, "lezer@voorbeeld.nl", &"ab".repeat(24)).await;
    region_application(&app.db, "GM0344", "Aanvrager", "regio@voorbeeld.nl").await;
    // A lesson waiting for review, so that the decision form in /beheer/opbrengsten is walked.
    lesson_in_review(&app.db, "wacht-op-beoordeling", "JZ35", "Wacht").await;
    // An open application round, so that the inspiratieregio form is shown and walked.
    open_application_round(&app.db).await;
}

#[tokio::test]
async fn hostile_values_in_every_route_and_every_field_never_get_a_5xx() {
    let app = TestApp::spawn().await;
    seed(&app).await;
    let member = app.new_client();
    login(&app, &app.client, "beheerder@voorbeeld.nl").await;
    login(&app, &member, "lid@voorbeeld.nl").await;
    let mut walk = Walk { app, member, requests: 0, failures: Vec::new() };
    let routes = routes_in_source();
    assert!(routes.len() > 50, "the route scan finds the router: {routes:?}");

    // 1. Crawl for one real instance of every route, its forms and its query parameters.
    let mut example: HashMap<String, String> = HashMap::new();
    let mut forms: BTreeMap<String, Form> = BTreeMap::new();
    let mut query_keys: BTreeMap<String, (String, BTreeSet<String>)> = BTreeMap::new();
    let mut queue: VecDeque<String> = routes
        .iter()
        .filter(|(p, m)| !p.contains('{') && m.contains("GET"))
        .map(|(p, _)| p.clone())
        .collect();
    queue.push_back("/beheer/nieuwsbrieven".into());
    let mut fetched = BTreeSet::new();
    while let Some(url) = queue.pop_front() {
        let path = url.split('?').next().unwrap().to_owned();
        let Some(pattern) = pattern_of(&routes, &path) else { continue };
        if url.contains('?') {
            let entry =
                query_keys.entry(pattern.to_owned()).or_insert_with(|| (url.clone(), BTreeSet::new()));
            for (k, _) in url::form_urlencoded::parse(url.split_once('?').unwrap().1.as_bytes()) {
                entry.1.insert(k.into_owned());
            }
        }
        if example.contains_key(pattern) || fetched.len() > 250 || path.starts_with("/uitloggen") {
            continue;
        }
        example.insert(pattern.to_owned(), path.clone());
        if !fetched.insert(path.clone()) {
            continue;
        }
        let response = walk.client_for(&path).get(walk.app.url(&path)).send().await.unwrap();
        let is_html = response
            .headers()
            .get("content-type")
            .is_some_and(|c| c.to_str().unwrap_or("").starts_with("text/html"));
        let body = response.text().await.unwrap_or_default();
        if !is_html {
            continue;
        }
        for link in links_in(&body) {
            queue.push_back(link);
        }
        for form in forms_in(&body, &path) {
            let action_path = form.action.split('?').next().unwrap().to_owned();
            queue.push_back(action_path.clone());
            let Some(action_pattern) = pattern_of(&routes, &action_path) else { continue };
            let mut names = form.names.clone();
            names.sort();
            forms.entry(format!("{} {action_pattern} {names:?}", form.method)).or_insert(form);
        }
    }
    // Public pages as an anonymous visitor sees them (the login and join forms, a contact form).
    let anonymous = walk.app.new_client();
    // A valid reset link, so that the form behind it is walked too.
    let reader: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = 'lid@voorbeeld.nl'")
        .fetch_one(&walk.app.db)
        .await
        .unwrap();
    let reset = bredeblik::accounts::users::issue_token(
        &walk.app.db,
        reader,
        bredeblik::accounts::users::TokenPurpose::Wachtwoord,
        2,
    )
    .await
    .unwrap();
    let reset_path = format!("/wachtwoord-herstellen/{reset}");
    for path in [
        "/inloggen",
        "/aandeelhouder-worden",
        "/wachtwoord-vergeten",
        "/nieuwsbrief",
        "/inspiratieregio-aanmelden",
        reset_path.as_str(),
    ] {
        let body = anonymous.get(walk.app.url(path)).send().await.unwrap().text().await.unwrap();
        for form in forms_in(&body, path) {
            let mut names = form.names.clone();
            names.sort();
            forms.entry(format!("{} {} {names:?}", form.method, form.action)).or_insert(form);
        }
    }
    println!(
        "crawled {} pages; {} forms; {} routes with an example",
        fetched.len(),
        forms.len(),
        example.len()
    );
    for key in forms.keys() {
        println!("  form {key}");
    }
    let unreached: Vec<&String> =
        routes.iter().map(|(p, _)| p).filter(|p| p.contains('{') && !example.contains_key(*p)).collect();
    println!("routes with parameters the crawl found no instance of: {unreached:?}");
    // The forms' minimum fill time (3 s) has passed once the crawl is done.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;

    // 2. Every field of every form.
    for form in forms.values() {
        walk.reset_limits().await;
        for name in &form.names {
            if name == "csrf_token" {
                continue;
            }
            for payload in PAYLOADS {
                let mut fields: Vec<(String, Vec<u8>)> = form
                    .baseline
                    .iter()
                    .filter(|(k, _)| k != name)
                    .map(|(k, v)| (k.clone(), v.clone().into_bytes()))
                    .collect();
                fields.push((name.clone(), payload.bytes()));
                let what = format!("{} {} field {name} = {payload:?}", form.method, form.action);
                let client = walk.client_for(&form.action).clone();
                let request = if form.method == "GET" {
                    if payload == Payload::Huge {
                        fields.last_mut().unwrap().1 = vec![b'a'; 20 * 1024];
                    }
                    let sep = if form.action.contains('?') { '&' } else { '?' };
                    client.get(walk.app.url(&format!("{}{sep}{}", form.action, urlencoded(&fields))))
                } else if form.multipart {
                    let (content_type, body) = multipart(&fields);
                    client.post(walk.app.url(&form.action)).header("content-type", content_type).body(body)
                } else {
                    client
                        .post(walk.app.url(&form.action))
                        .header("content-type", "application/x-www-form-urlencoded")
                        .body(urlencoded(&fields))
                };
                walk.check(what, request).await;
            }
        }
        walk.keep_sessions().await;
    }

    // 3. Every path parameter of every route, and every query parameter seen in a link.
    walk.reset_limits().await;
    let token = {
        let page = walk.app.client.get(walk.app.url("/inloggen")).send().await.unwrap().text().await.unwrap();
        crate::helpers::extract_csrf(&page)
    };
    let member_token = {
        let page = walk.member.get(walk.app.url("/account")).send().await.unwrap().text().await.unwrap();
        crate::helpers::extract_csrf(&page)
    };
    for (pattern, methods) in &routes {
        let parts: Vec<&str> = pattern.split('/').collect();
        let concrete: Vec<String> = match example.get(pattern) {
            Some(path) => path.split('/').map(str::to_owned).collect(),
            None => parts
                .iter()
                .map(|p| if p.starts_with('{') { "1".to_owned() } else { (*p).to_owned() })
                .collect(),
        };
        for (i, part) in parts.iter().enumerate() {
            if !part.starts_with('{') {
                continue;
            }
            for payload in PAYLOADS {
                let mut segments = concrete.clone();
                segments[i] = payload.in_url();
                let path = segments.join("/");
                for method in methods {
                    let client = walk.client_for(&path).clone();
                    let what = format!("{method} {pattern} param {part} = {payload:?}");
                    let request = if *method == "GET" {
                        client.get(walk.app.url(&path))
                    } else {
                        let csrf = if path.starts_with("/account") { &member_token } else { &token };
                        client
                            .post(walk.app.url(&path))
                            .header("content-type", "application/x-www-form-urlencoded")
                            .body(format!("csrf_token={csrf}"))
                    };
                    walk.check(what, request).await;
                }
            }
        }
    }
    for (pattern, (url, keys)) in &query_keys {
        let path = url.split('?').next().unwrap();
        for key in keys {
            for payload in PAYLOADS {
                let what = format!("GET {pattern} query {key} = {payload:?}");
                let request = walk.client_for(path).get(walk.app.url(&format!(
                    "{path}?{}={}",
                    percent(key.as_bytes()),
                    payload.in_url()
                )));
                walk.check(what, request).await;
            }
        }
    }

    println!("{} hostile requests, {} answered with a 5xx or not at all", walk.requests, walk.failures.len());
    let mut distinct = walk.failures.clone();
    distinct.dedup();
    assert!(walk.requests > 1000, "the walk reached the forms: {} requests", walk.requests);
    assert!(distinct.is_empty(), "{} failures:\n{}", distinct.len(), distinct.join("\n"));
}
