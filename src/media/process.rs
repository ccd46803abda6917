//! The CPU part of an upload: sniff, decode within limits, resize, re-encode. Runs on a
//! blocking thread; every refusal is a Dutch message for the visitor.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits};

use super::{MAX_FILE_BYTES, too_large_message};

/// What an image is for decides the largest size it is stored at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// Logos of members and initiatives (or a portrait): fit in 400 × 400, stored as PNG
    /// unless sent as JPEG.
    Logo,
    /// Photos and news images: at most 1600 wide and 1200 high, stored as JPEG unless they
    /// have transparency.
    Photo,
}

impl Purpose {
    fn bounds(self) -> (u32, u32) {
        match self {
            Purpose::Logo => (400, 400),
            Purpose::Photo => (1600, 1200),
        }
    }

    /// The hint under a file field.
    pub fn hint(self) -> String {
        let (w, h) = self.bounds();
        format!(
            "Een JPEG-, PNG-, GIF- of WebP-bestand van hoogstens {} MB. Wij verkleinen het tot hoogstens {w} × {h} pixels en halen verborgen gegevens (zoals locatie) eruit.",
            MAX_FILE_BYTES / (1024 * 1024)
        )
    }
}

/// Larger images are refused before they are decoded.
const MAX_SIDE: u32 = 8000;
const MAX_PIXELS: u64 = 40_000_000;

/// Why an image of `w` × `h` pixels is refused, naming the bound it breaks: 8000 pixels a
/// side, or 40 megapixels in all (so 7000 × 7000 is refused for its area).
fn size_problem(w: u32, h: u32) -> Option<String> {
    if w > MAX_SIDE || h > MAX_SIDE {
        return Some(format!(
            "De afbeelding is te groot: {w} × {h} pixels, en een zijde mag hoogstens {MAX_SIDE} pixels zijn."
        ));
    }
    let pixels = u64::from(w) * u64::from(h);
    if pixels > MAX_PIXELS {
        let megapixels = format!("{:.1}", pixels as f64 / 1e6).replace('.', ",");
        return Some(format!(
            "De afbeelding is te groot: {w} × {h} pixels is {megapixels} megapixel, en hoogstens {} megapixel mag.",
            MAX_PIXELS / 1_000_000
        ));
    }
    None
}

#[derive(Debug)]
pub struct Processed {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    pub width: u32,
    pub height: u32,
}

const NOT_AN_IMAGE: &str =
    "Dit bestand is geen afbeelding die wij kunnen lezen. Kies een JPEG-, PNG-, GIF- of WebP-bestand.";

pub fn process(data: &[u8], purpose: Purpose) -> Result<Processed, String> {
    if data.is_empty() {
        return Err("Het gekozen bestand is leeg.".into());
    }
    if data.len() > MAX_FILE_BYTES {
        return Err(too_large_message());
    }
    let format = image::guess_format(data).map_err(|_| NOT_AN_IMAGE.to_owned())?;
    if !matches!(format, ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::Gif | ImageFormat::WebP) {
        return Err(NOT_AN_IMAGE.into());
    }
    let mut reader = ImageReader::with_format(Cursor::new(data), format);
    // The size is checked below from the header, so the message can name the bound that
    // applies; the memory cap stays as a second line.
    let mut limits = Limits::default();
    limits.max_image_width = None;
    limits.max_image_height = None;
    limits.max_alloc = Some(MAX_PIXELS * 4 + 16 * 1024 * 1024);
    reader.limits(limits);
    let unreadable = |err: ImageError| {
        match err {
        ImageError::Limits(_) => format!("De afbeelding is te groot om te verwerken: hoogstens {} megapixel.", MAX_PIXELS / 1_000_000),
        _ => "Dit bestand lijkt een afbeelding, maar is beschadigd of onvolledig. Sla het opnieuw op en probeer het nog eens.".to_owned(),
    }
    };
    let mut decoder = reader.into_decoder().map_err(unreadable)?;
    let (w, h) = decoder.dimensions();
    if let Some(problem) = size_problem(w, h) {
        return Err(problem);
    }
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    // The EXIF data is not kept, so a photo taken sideways is turned upright here.
    img.apply_orientation(orientation);

    let (max_w, max_h) = purpose.bounds();
    if img.width() > max_w || img.height() > max_h {
        img = img.resize(max_w, max_h, FilterType::CatmullRom);
    }
    let transparent = img.color().has_alpha() && img.to_rgba8().pixels().any(|p| p.0[3] < 255);
    let mut out = Vec::new();
    // Logos drawn as graphics stay sharp as PNG; photos become JPEG.
    let as_png = transparent || (purpose == Purpose::Logo && format != ImageFormat::Jpeg);
    let content_type = if as_png {
        let encoded = if transparent {
            DynamicImage::ImageRgba8(img.to_rgba8()).write_with_encoder(PngEncoder::new(&mut out))
        } else {
            DynamicImage::ImageRgb8(img.to_rgb8()).write_with_encoder(PngEncoder::new(&mut out))
        };
        encoded.map_err(|e| format!("De afbeelding kon niet worden opgeslagen ({e})."))?;
        "image/png"
    } else {
        DynamicImage::ImageRgb8(img.to_rgb8())
            .write_with_encoder(JpegEncoder::new_with_quality(&mut out, 85))
            .map_err(|e| format!("De afbeelding kon niet worden opgeslagen ({e})."))?;
        "image/jpeg"
    };
    Ok(Processed { bytes: out, content_type, width: img.width(), height: img.height() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32, alpha: u8) -> Vec<u8> {
        let img = image::RgbaImage::from_pixel(w, h, image::Rgba([200, 30, 30, alpha]));
        let mut out = Vec::new();
        DynamicImage::ImageRgba8(img).write_with_encoder(PngEncoder::new(&mut out)).unwrap();
        out
    }

    #[test]
    fn resizes_and_reencodes() {
        let photo = process(&png(3200, 800, 255), Purpose::Photo).unwrap();
        assert_eq!((photo.width, photo.height, photo.content_type), (1600, 400, "image/jpeg"));
        let logo = process(&png(100, 50, 255), Purpose::Logo).unwrap();
        assert_eq!((logo.width, logo.height, logo.content_type), (100, 50, "image/png"));
        let see_through = process(&png(20, 20, 10), Purpose::Photo).unwrap();
        assert_eq!(see_through.content_type, "image/png");
    }

    #[test]
    fn a_refusal_names_the_bound_that_applies() {
        let side = size_problem(9000, 100).unwrap();
        assert!(side.contains("9000 × 100") && side.contains("hoogstens 8000 pixels"), "{side}");
        let area = size_problem(7000, 7000).unwrap();
        assert!(area.contains("49,0 megapixel") && area.contains("hoogstens 40 megapixel"), "{area}");
        assert!(!area.contains("8000"), "{area}");
        assert_eq!(size_problem(8000, 5000), None);
    }

    #[test]
    fn refuses_what_is_not_an_image() {
        assert!(process(b"", Purpose::Photo).unwrap_err().contains("leeg"));
        assert!(process(b"hallo, dit is tekst", Purpose::Photo).unwrap_err().contains("geen afbeelding"));
        let mut broken = png(50, 50, 255);
        broken.truncate(60);
        assert!(process(&broken, Purpose::Photo).unwrap_err().contains("beschadigd"));
    }
}
