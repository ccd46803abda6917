//! Image uploads (src/media): through the real news and profile forms, served from the database.

use std::io::Cursor;
use std::time::Duration;

use image::{DynamicImage, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};
use reqwest::multipart::{Form, Part};

use crate::helpers::{Browser, PASSWORD, TestApp, abandoned_upload};

fn encode(img: DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

/// A photo-like gradient, so that resizing has something to do.
fn gradient_png(w: u32, h: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(w, h, |x, y| Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8]));
    encode(DynamicImage::ImageRgb8(img), ImageFormat::Png)
}

/// A JPEG with an EXIF block that holds a recognisable "location".
fn jpeg_with_exif() -> Vec<u8> {
    let img = RgbImage::from_fn(640, 480, |x, y| Rgb([(x / 3) as u8, (y / 2) as u8, 90]));
    let jpeg = encode(DynamicImage::ImageRgb8(img), ImageFormat::Jpeg);
    let mut payload = b"Exif\0\0II*\0\x08\0\0\0\0\0\0\0\0\0".to_vec();
    payload.extend_from_slice(b"GPS-GEHEIM-52.3702-4.8952");
    let length = (payload.len() + 2) as u16;
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&length.to_be_bytes());
    out.extend_from_slice(&payload);
    out.extend_from_slice(&jpeg[2..]);
    assert!(image::load_from_memory(&out).is_ok(), "the test JPEG itself is valid");
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for byte in data {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A tiny file whose header promises 30000 × 30000 pixels: a decompression bomb.
fn bomb_png() -> Vec<u8> {
    let mut png = encode(DynamicImage::ImageRgb8(RgbImage::new(1, 1)), ImageFormat::Png);
    png[16..20].copy_from_slice(&30_000u32.to_be_bytes());
    png[20..24].copy_from_slice(&30_000u32.to_be_bytes());
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

fn file(bytes: Vec<u8>, name: &str, mime: &str) -> Part {
    Part::bytes(bytes).file_name(name.to_owned()).mime_str(mime).unwrap()
}

fn news_fields(title: &str) -> Form {
    Form::new()
        .text("titel", title.to_owned())
        .text("inleiding", "Een korte inleiding.")
        .text("tekst", "Wat er **gebeurde**.")
        .text("publicatie", "nu")
}

/// The news fields with an image and its alt text.
fn news_with_image(title: &str, alt: &str, image: Part) -> Form {
    news_fields(title).text("afbeelding_alt", alt.to_owned()).part("afbeelding", image)
}

async fn post(app: &TestApp, path: &str, with_token: bool, form: Form) -> reqwest::Response {
    let url =
        if with_token { format!("{path}?csrf_token={}", app.csrf_token().await) } else { path.to_owned() };
    app.client.post(app.url(&url)).multipart(form).send().await.expect("request completes")
}

async fn editor(app: &TestApp) {
    app.create_user("redacteur@voorbeeld.nl", "redacteur", PASSWORD).await;
    app.login("redacteur@voorbeeld.nl", PASSWORD).await;
}

/// The first `/media/…` URL in a page.
fn media_url(html: &str) -> String {
    let start = html.find("src=\"/media/").expect("the page shows an uploaded image") + 5;
    html[start..].split('"').next().unwrap().to_owned()
}

/// The value of a hidden field.
fn hidden(html: &str, name: &str) -> String {
    html.split(&format!("name=\"{name}\" value=\""))
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_else(|| panic!("the form has a hidden {name}"))
        .to_owned()
}

#[tokio::test]
async fn news_images_are_checked_resized_stripped_and_served_for_good() {
    let app = TestApp::spawn().await;
    editor(&app).await;
    let form = app.get_text("/beheer/nieuws/nieuw", 200).await;
    assert!(form.contains("enctype=\"multipart/form-data\"") && form.contains("action=\"/beheer/nieuws\""));
    assert!(form.contains("type=\"file\"") && form.contains("hoogstens 8 MB"));

    // Named .txt and sent as text/plain: the type comes from the bytes.
    let huge = gradient_png(3000, 2000);
    let response = post(
        &app,
        "/beheer/nieuws",
        true,
        news_with_image("Groot nieuws", "Een kleurverloop", file(huge, "notities.txt", "text/plain")),
    )
    .await;
    assert_eq!(response.status(), 303);
    let (image_id, alt): (Option<i64>, String) =
        sqlx::query_as("SELECT image_id, image_alt FROM news_items WHERE slug = 'groot-nieuws'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(image_id.is_some());
    assert_eq!(alt, "Een kleurverloop");

    let page = app.get_text("/nieuws/groot-nieuws", 200).await;
    let url = media_url(&page);
    assert!(url.ends_with(".jpg"), "a photo without transparency becomes JPEG: {url}");
    assert!(page.contains("alt=\"Een kleurverloop\"") && page.contains("width=\"1600\" height=\"1067\""));
    assert!(page.contains(&format!("<meta property=\"og:image\" content=\"{}{url}\">", app.address)));
    let feed = app.get_text("/nieuws/feed.xml", 200).await;
    assert!(feed.contains(&url), "the feed shows the image");

    let response = app.get(&url).await;
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "image/jpeg");
    assert_eq!(headers["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let etag = headers["etag"].to_str().unwrap().to_owned();
    let bytes = response.bytes().await.unwrap();
    let served = image::load_from_memory(&bytes).unwrap();
    assert_eq!((served.width(), served.height()), (1600, 1067));

    let again = app.client.get(app.url(&url)).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(again.status(), 304);
    let wrong = url.replacen("/media/", "/media/9", 1);
    let missing = app.get(&wrong).await;
    assert_eq!(missing.status(), 404);
    assert!(missing.text().await.unwrap().contains("Pagina niet gevonden"));
    assert_eq!(app.get(&url.replace(".jpg", ".png")).await.status(), 404);

    // EXIF (here: a location) does not survive the re-encoding.
    let exif = jpeg_with_exif();
    assert!(exif.windows(10).any(|w| w == b"GPS-GEHEIM"));
    let response = post(
        &app,
        "/beheer/nieuws",
        true,
        news_with_image("Foto met locatie", "Een foto", file(exif, "foto.jpg", "image/jpeg")),
    )
    .await;
    assert_eq!(response.status(), 303);
    let page = app.get_text("/nieuws/foto-met-locatie", 200).await;
    let bytes = app.get(&media_url(&page)).await.bytes().await.unwrap();
    assert!(!bytes.windows(10).any(|w| w == b"GPS-GEHEIM"), "metadata is dropped");
    let served = image::load_from_memory(&bytes).unwrap();
    assert_eq!((served.width(), served.height()), (640, 480), "small images keep their size");

    // The same upload is stored once; removing the image from an item keeps the other's.
    let id: i64 = sqlx::query_scalar("SELECT id FROM news_items WHERE slug = 'foto-met-locatie'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let response = post(
        &app,
        &format!("/beheer/nieuws/{id}"),
        true,
        news_with_image(
            "Foto met locatie",
            "Dezelfde foto",
            file(jpeg_with_exif(), "kopie.jpg", "image/jpeg"),
        ),
    )
    .await;
    assert_eq!(response.status(), 303);
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM media").fetch_one(&app.db).await.unwrap();
    assert_eq!(stored, 2);
    let edit = app.get_text(&format!("/beheer/nieuws/{id}"), 200).await;
    assert!(edit.contains("name=\"afbeelding_verwijderen\"") && edit.contains("value=\"Dezelfde foto\""));
    let response = post(
        &app,
        &format!("/beheer/nieuws/{id}"),
        true,
        news_fields("Foto met locatie").text("afbeelding_verwijderen", "1"),
    )
    .await;
    assert_eq!(response.status(), 303);
    let image_id: Option<i64> = sqlx::query_scalar("SELECT image_id FROM news_items WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(image_id, None);
    assert!(!app.get_text("/nieuws/foto-met-locatie", 200).await.contains("src=\"/media/"));
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM media").fetch_one(&app.db).await.unwrap();
    assert_eq!(stored, 1, "the removed image is deleted, the other item's stays");
    assert_eq!(app.get(&url).await.status(), 200);
}

#[tokio::test]
async fn bad_uploads_get_a_dutch_message_and_keep_the_other_fields() {
    let app = TestApp::spawn().await;
    editor(&app).await;

    let response = post(
        &app,
        "/beheer/nieuws",
        true,
        news_with_image(
            "Mijn titel",
            "Iets",
            file(b"Dit is gewoon tekst.\n".to_vec(), "plaatje.png", "image/png"),
        ),
    )
    .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("geen afbeelding die wij kunnen lezen"), "{html}");
    assert!(html.contains("value=\"Mijn titel\"") && html.contains("Wat er **gebeurde**."));
    assert!(html.contains("href=\"#n-afbeelding\"") && html.contains("id=\"n-afbeelding\""));

    let response = post(
        &app,
        "/beheer/nieuws",
        true,
        news_fields("Mijn titel").part("afbeelding", file(bomb_png(), "bom.png", "image/png")),
    )
    .await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("De afbeelding is te groot"));

    // A good image without a description is refused, but kept for the next try.
    let response = post(
        &app,
        "/beheer/nieuws",
        true,
        news_fields("Mijn titel").part("afbeelding", file(gradient_png(300, 200), "a.png", "image/png")),
    )
    .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("Beschrijf kort wat er op de afbeelding te zien is"));
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM news_items").fetch_one(&app.db).await.unwrap();
    assert_eq!(count, 0);
    let kept = hidden(&html, "afbeelding_huidig");
    let response = post(
        &app,
        "/beheer/nieuws",
        true,
        news_fields("Mijn titel").text("afbeelding_alt", "Een kleurverloop").text("afbeelding_huidig", kept),
    )
    .await;
    assert_eq!(response.status(), 303);
    let image_id: Option<i64> =
        sqlx::query_scalar("SELECT image_id FROM news_items WHERE slug = 'mijn-titel'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(image_id.is_some());

    // Larger than the upload limit: a Dutch 413 page.
    let response = post(
        &app,
        "/beheer/nieuws",
        true,
        news_fields("Te groot")
            .part("afbeelding", file(vec![0u8; 9 * 1024 * 1024], "groot.png", "image/png")),
    )
    .await;
    assert_eq!(response.status(), 413);
    assert!(response.text().await.unwrap().contains("Het bestand is te groot; het mag hoogstens 8 MB zijn"));

    // A multipart post from another site is refused (see web::csrf; forms carry no token).
    let response = app
        .client
        .post(app.url("/beheer/nieuws"))
        .header("sec-fetch-site", "cross-site")
        .multipart(
            news_fields("Van elders").part("afbeelding", file(gradient_png(10, 10), "a.png", "image/png")),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM news_items").fetch_one(&app.db).await.unwrap();
    assert_eq!(count, 1);
}

#[tokio::test]
async fn members_show_a_logo_and_initiatives_use_the_same_store() {
    let app = TestApp::spawn().await;
    app.member("lid@voorbeeld.nl", "Stichting Logo").organisation().listed().create().await;
    app.login("lid@voorbeeld.nl", PASSWORD).await;
    let form = app.get_text("/account/profiel", 200).await;
    assert!(form.contains("enctype=\"multipart/form-data\"") && form.contains("action=\"/account/profiel\""));

    let transparent =
        RgbaImage::from_fn(1000, 500, |x, _| Rgba([20, 90, 160, if x < 500 { 255 } else { 0 }]));
    let profile = || {
        Form::new()
            .text("naam", "Stichting Logo")
            .text("regio", "GM0344")
            .text("deel", "Kennis over logo's")
            .text("openbaar", "1")
    };
    let response = post(
        &app,
        "/account/profiel",
        true,
        profile().part(
            "logo",
            file(encode(DynamicImage::ImageRgba8(transparent), ImageFormat::Png), "logo.png", "image/png"),
        ),
    )
    .await;
    assert_eq!(response.status(), 303);
    let page = app.get_text("/aandeelhouders/stichting-logo", 200).await;
    assert!(
        page.contains("alt=\"Logo van Stichting Logo\"") && page.contains("width=\"400\" height=\"200\"")
    );
    let response = app.get(&media_url(&page)).await;
    assert_eq!(response.headers()["content-type"], "image/png");
    let logo = image::load_from_memory(&response.bytes().await.unwrap()).unwrap();
    assert_eq!((logo.width(), logo.height()), (400, 200));
    assert!(logo.color().has_alpha(), "transparency is kept");

    // The form carries the current logo, as a browser sends it back with a broken new one.
    let form = app.get_text("/account/profiel", 200).await;
    let current = hidden(&form, "logo_huidig");
    let response = post(
        &app,
        "/account/profiel",
        true,
        profile().text("logo_huidig", current).part(
            "logo",
            file(b"GIF89a\x10\x00\x10\x00\x00\x00\x00niet echt".to_vec(), "logo.gif", "image/gif"),
        ),
    )
    .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("beschadigd of onvolledig") && html.contains("value=\"Stichting Logo\""), "{html}");
    assert!(html.contains("name=\"logo_huidig\""), "the earlier logo stays");

    let logo_url = media_url(&page);
    let response = post(&app, "/account/profiel", true, profile().text("logo_verwijderen", "1")).await;
    assert_eq!(response.status(), 303);
    assert!(!app.get_text("/aandeelhouders/stichting-logo", 200).await.contains("/media/"));
    assert_eq!(app.get(&logo_url).await.status(), 404, "a removed logo is no longer online");

    // The API other forms use, and the initiative page.
    let logo_id = bredeblik::media::store_upload(
        &app.db,
        gradient_png(120, 80).into(),
        bredeblik::media::Purpose::Logo,
        None,
    )
    .await
    .unwrap();
    app.initiative("Met logo").summary("Kort").logo(logo_id).published().create().await;
    // An upload whose form was never saved goes a day later, at the next upload.
    abandoned_upload(&app.db).await;
    let page = app.get_text("/initiatieven/met-logo", 200).await;
    assert!(page.contains("alt=\"Logo van Met logo\"") && page.contains("width=\"120\" height=\"80\""));
    assert_eq!(app.get(&media_url(&page)).await.status(), 200);
    let refused = bredeblik::media::store_upload(
        &app.db,
        b"<svg/>".to_vec().into(),
        bredeblik::media::Purpose::Logo,
        None,
    )
    .await;
    assert!(matches!(refused, Err(bredeblik::media::UploadError::Rejected(_))));
    bredeblik::media::store_upload(
        &app.db,
        gradient_png(30, 30).into(),
        bredeblik::media::Purpose::Photo,
        None,
    )
    .await
    .unwrap();
    let abandoned: i64 = sqlx::query_scalar("SELECT count(*) FROM media WHERE sha256 = repeat('a', 64)")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(abandoned, 0);
    assert_eq!(app.get(&media_url(&page)).await.status(), 200, "a logo in use stays");
}

/// An approved aandeelhouder with their own logged-in client and its CSRF token.
async fn approved_member(app: &TestApp, email: &str) -> (reqwest::Client, String) {
    app.member(email, "Ines").approved().create().await;
    logged_in(app, email).await
}

async fn logged_in(app: &TestApp, email: &str) -> (reqwest::Client, String) {
    let browser = Browser::login(app, email).await;
    (browser.client, browser.token)
}

async fn send(
    app: &TestApp,
    (client, token): &(reqwest::Client, String),
    path: &str,
    form: Form,
) -> reqwest::Response {
    client.post(app.url(&format!("{path}?csrf_token={token}"))).multipart(form).send().await.unwrap()
}

async fn page(app: &TestApp, (client, _): &(reqwest::Client, String), path: &str) -> String {
    let response = client.get(app.url(path)).send().await.unwrap();
    assert_eq!(response.status(), 200, "GET {path}");
    response.text().await.unwrap()
}

fn initiative_fields(summary: &str) -> Form {
    Form::new()
        .text("naam", "Logo in de klas")
        .text("samenvatting", summary.to_owned())
        .text("actie", "opslaan")
}

fn logo_png(rgb: [u8; 3]) -> Vec<u8> {
    encode(DynamicImage::ImageRgb8(RgbImage::from_pixel(600, 300, Rgb(rgb))), ImageFormat::Png)
}

async fn approve(app: &TestApp, editor: &(reqwest::Client, String), id: i64) {
    let response = editor
        .0
        .post(app.url(&format!("/beheer/initiatieven/{id}/beoordeling")))
        .form(&[("besluit", "goedkeuren"), ("csrf_token", editor.1.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
}

async fn logo_of(app: &TestApp, id: i64) -> Option<i64> {
    sqlx::query_scalar("SELECT logo_id FROM initiatives WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

async fn media_count(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM media").fetch_one(&app.db).await.unwrap()
}

#[tokio::test]
async fn an_initiative_logo_goes_through_review_like_the_other_fields() {
    let app = TestApp::spawn().await;
    let owner = approved_member(&app, "ines@voorbeeld.nl").await;
    app.create_user("redactie@voorbeeld.nl", "redacteur", PASSWORD).await;
    let editor = logged_in(&app, "redactie@voorbeeld.nl").await;

    let form = page(&app, &owner, "/account/initiatieven/nieuw").await;
    assert!(form.contains("enctype=\"multipart/form-data\"") && form.contains("name=\"logo\" type=\"file\""));
    let response = send(
        &app,
        &owner,
        "/account/initiatieven/nieuw",
        initiative_fields("Met een blauw logo.")
            .part("logo", file(logo_png([20, 60, 200]), "logo.png", "image/png")),
    )
    .await;
    assert_eq!(response.status(), 303);
    let id: i64 = sqlx::query_scalar("SELECT id FROM initiatives WHERE slug = 'logo-in-de-klas'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let blue = logo_of(&app, id).await.expect("the logo is stored with the proposal");
    assert_eq!(app.get("/initiatieven/logo-in-de-klas").await.status(), 404);
    let review = page(&app, &editor, &format!("/beheer/initiatieven/{id}")).await;
    assert!(review.contains("name=\"logo_huidig\""), "the editor's form has the logo");

    approve(&app, &editor, id).await;
    let public = app.get_text("/initiatieven/logo-in-de-klas", 200).await;
    assert!(public.contains("alt=\"Logo van Logo in de klas\""), "{public}");
    let blue_url = media_url(&public);
    assert!(blue_url.starts_with(&format!("/media/{blue}-")));
    let catalogue = app.get_text("/initiatieven", 200).await;
    assert!(
        catalogue.contains(&format!("class=\"card-logo\" src=\"{blue_url}\"")),
        "the card shows the logo"
    );

    // A new logo for the published initiative waits in the revision; the old one stays public.
    let form = page(&app, &owner, &format!("/account/initiatieven/{id}")).await;
    let current = hidden(&form, "logo_huidig");
    assert!(current.starts_with(&format!("{blue}-")));
    let response = send(
        &app,
        &owner,
        &format!("/account/initiatieven/{id}"),
        initiative_fields("Met een blauw logo.")
            .text("logo_huidig", current)
            .part("logo", file(logo_png([200, 40, 40]), "rood.png", "image/png")),
    )
    .await;
    assert_eq!(response.status(), 303);
    assert_eq!(logo_of(&app, id).await, Some(blue));
    let red: i64 = sqlx::query_scalar(
        "SELECT (proposed ->> 'logo_id')::bigint FROM initiative_revisions WHERE initiative_id = $1 AND decided_at IS NULL",
    )
    .bind(id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_ne!(red, blue);
    assert_eq!(media_url(&app.get_text("/initiatieven/logo-in-de-klas", 200).await), blue_url);
    let form = page(&app, &owner, &format!("/account/initiatieven/{id}")).await;
    assert!(hidden(&form, "logo_huidig").starts_with(&format!("{red}-")), "the owner sees the proposed logo");

    // The waiting logo survives the cleanup of abandoned uploads.
    sqlx::query("UPDATE media SET created_at = now() - interval '2 days'").execute(&app.db).await.unwrap();
    let response = send(
        &app,
        &owner,
        "/account/initiatieven/nieuw",
        Form::new().text("naam", "").part("logo", file(gradient_png(80, 80), "x.png", "image/png")),
    )
    .await;
    assert_eq!(response.status(), 422);
    let waiting: i64 = sqlx::query_scalar("SELECT count(*) FROM media WHERE id = ANY($1)")
        .bind(vec![blue, red])
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(waiting, 2, "neither the live nor the proposed logo is pruned");

    let review = page(&app, &editor, &format!("/beheer/initiatieven/{id}")).await;
    assert!(review.contains("Gewijzigd: Logo.") && review.contains("alt=\"Voorgesteld logo\""), "{review}");
    approve(&app, &editor, id).await;
    assert_eq!(logo_of(&app, id).await, Some(red));
    let public = app.get_text("/initiatieven/logo-in-de-klas", 200).await;
    assert!(media_url(&public).starts_with(&format!("/media/{red}-")));
    assert_eq!(app.get(&blue_url).await.status(), 404, "the replaced logo goes offline");

    // A rejected logo is deleted; the live one stays.
    let form = page(&app, &owner, &format!("/account/initiatieven/{id}")).await;
    let response = send(
        &app,
        &owner,
        &format!("/account/initiatieven/{id}"),
        initiative_fields("Met een blauw logo.")
            .text("logo_huidig", hidden(&form, "logo_huidig"))
            .part("logo", file(logo_png([40, 160, 40]), "groen.png", "image/png")),
    )
    .await;
    assert_eq!(response.status(), 303);
    let before = media_count(&app).await;
    let response = editor
        .0
        .post(app.url(&format!("/beheer/initiatieven/{id}/beoordeling")))
        .form(&[("besluit", "afwijzen"), ("csrf_token", editor.1.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(media_count(&app).await, before - 1);
    assert_eq!(logo_of(&app, id).await, Some(red));
    assert!(
        sqlx::query_scalar::<_, bool>("SELECT EXISTS (SELECT 1 FROM media WHERE id = $1)")
            .bind(red)
            .fetch_one(&app.db)
            .await
            .unwrap()
    );

    // A rejected revision that kept the live logo deletes nothing.
    let form = page(&app, &owner, &format!("/account/initiatieven/{id}")).await;
    let response = send(
        &app,
        &owner,
        &format!("/account/initiatieven/{id}"),
        initiative_fields("Een andere samenvatting.").text("logo_huidig", hidden(&form, "logo_huidig")),
    )
    .await;
    assert_eq!(response.status(), 303);
    let response = editor
        .0
        .post(app.url(&format!("/beheer/initiatieven/{id}/beoordeling")))
        .form(&[("besluit", "afwijzen"), ("csrf_token", editor.1.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(logo_of(&app, id).await, Some(red));
    assert_eq!(
        app.get(&media_url(&app.get_text("/initiatieven/logo-in-de-klas", 200).await)).await.status(),
        200
    );

    // Editors set and remove the logo directly.
    let form = page(&app, &editor, &format!("/beheer/initiatieven/{id}")).await;
    let response = send(
        &app,
        &editor,
        &format!("/beheer/initiatieven/{id}"),
        initiative_fields("Met een blauw logo.")
            .text("status", "gepubliceerd")
            .text("logo_huidig", hidden(&form, "logo_huidig"))
            .text("logo_verwijderen", "1"),
    )
    .await;
    assert_eq!(response.status(), 303);
    assert_eq!(logo_of(&app, id).await, None);
    assert!(!app.get_text("/initiatieven/logo-in-de-klas", 200).await.contains("src=\"/media/"));
    let left: Vec<i64> = sqlx::query_scalar("SELECT id FROM media WHERE id = ANY($1)")
        .bind(vec![blue, red])
        .fetch_all(&app.db)
        .await
        .unwrap();
    assert!(left.is_empty(), "nothing refers to the old logos any more");
}

#[tokio::test]
async fn a_bad_initiative_logo_gets_a_dutch_422_and_keeps_the_other_fields() {
    let app = TestApp::spawn().await;
    let owner = approved_member(&app, "ines@voorbeeld.nl").await;
    let response = send(
        &app,
        &owner,
        "/account/initiatieven/nieuw",
        initiative_fields("Deze samenvatting blijft staan.")
            .text("website", "https://logo.example.nl")
            .part("logo", file(b"Dit is gewoon tekst.\n".to_vec(), "logo.png", "image/png")),
    )
    .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("geen afbeelding die wij kunnen lezen"), "{html}");
    assert!(
        html.contains("href=\"#logo\"") && html.contains("id=\"logo\""),
        "the summary links to the field"
    );
    assert!(html.contains("value=\"Logo in de klas\"") && html.contains("Deze samenvatting blijft staan."));
    assert!(html.contains("value=\"https://logo.example.nl\""));
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM initiatives").fetch_one(&app.db).await.unwrap();
    assert_eq!(count, 0);

    // A good logo with another error is kept for the next try.
    let response = send(
        &app,
        &owner,
        "/account/initiatieven/nieuw",
        Form::new()
            .text("naam", "Logo in de klas")
            .part("logo", file(logo_png([1, 2, 3]), "a.png", "image/png")),
    )
    .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    let kept = hidden(&html, "logo_huidig");
    let response = send(
        &app,
        &owner,
        "/account/initiatieven/nieuw",
        initiative_fields("Nu wel met samenvatting.").text("logo_huidig", kept),
    )
    .await;
    assert_eq!(response.status(), 303);
    let logo: Option<i64> =
        sqlx::query_scalar("SELECT logo_id FROM initiatives WHERE slug = 'logo-in-de-klas'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(logo.is_some());
}

/// A PNG of `w` × `h` grey pixels: small on disk, a full decode for the server.
fn grey_png(w: u32, h: u32) -> Vec<u8> {
    encode(DynamicImage::ImageLuma8(image::GrayImage::new(w, h)), ImageFormat::Png)
}

#[tokio::test]
async fn one_user_decodes_one_image_at_a_time_and_refusals_name_the_bound() {
    let app = TestApp::spawn().await;
    editor(&app).await;

    // 7000 × 7000 fits 8000 a side but not 40 megapixels: the message says which bound.
    let mut big = encode(DynamicImage::ImageRgb8(RgbImage::new(1, 1)), ImageFormat::Png);
    big[16..20].copy_from_slice(&7000u32.to_be_bytes());
    big[20..24].copy_from_slice(&7000u32.to_be_bytes());
    let crc = crc32(&big[12..29]);
    big[29..33].copy_from_slice(&crc.to_be_bytes());
    let response = post(
        &app,
        "/beheer/nieuws",
        true,
        news_fields("Te groot").part("afbeelding", file(big, "groot.png", "image/png")),
    )
    .await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert!(
        page.contains("7000 × 7000 pixels is 49,0 megapixel") && page.contains("hoogstens 40 megapixel"),
        "{page}"
    );

    // Three uploads of a heavy image at once by one user: one is decoded, the others are
    // refused at once instead of queueing.
    let heavy = grey_png(8000, 5000);
    let token = app.csrf_token().await;
    let mut uploads = tokio::task::JoinSet::new();
    for i in 0..3 {
        let client = app.client.clone();
        let url = app.url(&format!("/beheer/nieuws?csrf_token={token}"));
        let form = news_with_image(
            &format!("Zwaar {i}"),
            "Grijs vlak",
            file(heavy.clone(), "zwaar.png", "image/png"),
        );
        uploads.spawn(async move {
            // Decoding 40 megapixels in a debug build on a busy 2-core machine can take longer
            // than the client's usual 30 s; the test is about refusal, not speed.
            let response =
                client.post(url).multipart(form).timeout(Duration::from_secs(180)).send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        });
    }
    let answers = uploads.join_all().await;
    let busy = answers
        .iter()
        .filter(|(s, body)| *s == 422 && body.contains("U verstuurt al een afbeelding"))
        .count();
    let stored = answers.iter().filter(|(s, _)| *s == 303).count();
    assert!(busy >= 1 && stored >= 1, "{:?}", answers.iter().map(|a| a.0).collect::<Vec<_>>());
    assert_eq!(busy + stored, 3);
}

#[tokio::test]
async fn news_items_with_the_same_title_written_at_once_each_get_their_own_address() {
    let app = TestApp::spawn().await;
    editor(&app).await;
    let (a, b) = tokio::join!(
        post(&app, "/beheer/nieuws", true, news_fields("Zelfde titel")),
        post(&app, "/beheer/nieuws", true, news_fields("Zelfde titel")),
    );
    assert_eq!((a.status().as_u16(), b.status().as_u16()), (303, 303));
    let slugs: Vec<String> =
        sqlx::query_scalar("SELECT slug FROM news_items ORDER BY slug").fetch_all(&app.db).await.unwrap();
    assert_eq!(slugs, ["zelfde-titel", "zelfde-titel-2"]);
    app.get_text("/nieuws/zelfde-titel-2", 200).await;
}
