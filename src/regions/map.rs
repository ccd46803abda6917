//! An accessible inline SVG map of the Netherlands: one link per area, coloured by CSS classes
//! (no inline styles: the Content-Security-Policy forbids them).

use std::fmt::Write;

use crate::geo::Area;

/// One area on the map, with where it links to and how many initiatives/members it has.
pub struct MapArea<'a> {
    pub area: &'a Area,
    pub href: String,
    pub label: String,
    pub count: i64,
}

const WIDTH: f64 = 600.0;
const PADDING: f64 = 6.0;
/// Scale factor for longitudes at the latitude of the centre of the Netherlands.
const LATITUDE: f64 = 52.2;

/// Escapes text for use in XML/HTML content and (double- or single-quoted) attributes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// An id-safe slug: lowercase ASCII letters and digits separated by single dashes.
fn id_slug(text: &str) -> String {
    let mut slug = String::from("map");
    let mut dash = true;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            if dash {
                slug.push('-');
            }
            dash = false;
            slug.push(c.to_ascii_lowercase());
        } else {
            dash = true;
        }
    }
    slug
}

/// The colour bucket for a count: 0, 1, 2–3, 4–9, 10+.
fn level(count: i64) -> u8 {
    match count {
        ..=0 => 0,
        1 => 1,
        2..=3 => 2,
        4..=9 => 3,
        _ => 4,
    }
}

/// Writes a value in tenths (e.g. 123 → "12.3", -5 → "-0.5", 40 → "4").
fn push_tenths(out: &mut String, tenths: i64) {
    if tenths < 0 {
        out.push('-');
    }
    let abs = tenths.unsigned_abs();
    let _ = write!(out, "{}", abs / 10);
    if !abs.is_multiple_of(10) {
        let _ = write!(out, ".{}", abs % 10);
    }
}

/// Writes a coordinate pair; a minus sign doubles as separator, so only positive values
/// that follow another number need a space.
fn push_pair(out: &mut String, x: i64, y: i64, first: bool) {
    if !first && x >= 0 {
        out.push(' ');
    }
    push_tenths(out, x);
    if y >= 0 {
        out.push(' ');
    }
    push_tenths(out, y);
}

struct Projection {
    min_x: f64,
    max_y: f64,
    scale: f64,
    kx: f64,
}

impl Projection {
    /// Fits the bounding box of `areas` into the viewBox; None when there are no coordinates.
    fn fit(areas: &[MapArea]) -> Option<(Self, f64)> {
        let kx = LATITUDE.to_radians().cos();
        let (mut min_x, mut max_x, mut min_y, mut max_y) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        let outer_points = areas
            .iter()
            .flat_map(|a| a.area.polygons.iter())
            .filter_map(|rings| rings.first())
            .flatten()
            .filter(|(lon, lat)| lon.is_finite() && lat.is_finite());
        for &(lon, lat) in outer_points {
            let x = lon * kx;
            min_x = min_x.min(x);
            max_x = max_x.max(x);
            min_y = min_y.min(lat);
            max_y = max_y.max(lat);
        }
        if min_x > max_x || min_y > max_y {
            return None;
        }
        let span_x = (max_x - min_x).max(1e-9);
        let scale = (WIDTH - 2.0 * PADDING) / span_x;
        let height = (max_y - min_y) * scale + 2.0 * PADDING;
        Some((Self { min_x, max_y, scale, kx }, (height * 10.0).ceil() / 10.0))
    }

    /// The projected point in tenths of a viewBox unit.
    fn project(&self, (lon, lat): (f64, f64)) -> (i64, i64) {
        let x = PADDING + (lon * self.kx - self.min_x) * self.scale;
        let y = PADDING + (self.max_y - lat) * self.scale;
        ((x * 10.0).round() as i64, (y * 10.0).round() as i64)
    }
}

/// The path data of an area: per ring an absolute move, relative line segments and a close.
fn path_data(area: &Area, projection: &Projection) -> String {
    let mut d = String::new();
    let mut points: Vec<(i64, i64)> = Vec::new();
    for ring in area.polygons.iter().flatten() {
        if ring.len() < 3 {
            continue;
        }
        points.clear();
        for &point in ring {
            if !(point.0.is_finite() && point.1.is_finite()) {
                continue;
            }
            let p = projection.project(point);
            if points.last() != Some(&p) {
                points.push(p);
            }
        }
        // The close command returns to the start; a repeated first point is redundant.
        while points.len() > 1 && points.last() == points.first() {
            points.pop();
        }
        if points.len() < 3 {
            continue;
        }
        let (mut px, mut py) = points[0];
        d.push('M');
        push_pair(&mut d, px, py, true);
        d.push('l');
        for (i, &(x, y)) in points[1..].iter().enumerate() {
            push_pair(&mut d, x - px, y - py, i == 0);
            (px, py) = (x, y);
        }
        d.push('z');
    }
    d
}

/// Renders an accessible inline SVG map of the Netherlands: every area is a link (keyboard
/// focusable, named by `aria-label` and a `<title>` tooltip) to `href`, with classes
/// `area level-0`..`level-4` by count and `current` for the area whose code is `highlight`.
/// Ids are derived from `title`, so give each map on a page a different title.
pub fn render_svg(areas: &[MapArea], highlight: Option<&str>, title: &str) -> String {
    let id = id_slug(title);
    let fit = Projection::fit(areas);
    let height = fit.as_ref().map_or(2.0 * PADDING, |(_, h)| *h);
    let mut svg = String::with_capacity(areas.len() * 600 + 256);
    svg.push_str(r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 "#);
    push_tenths(&mut svg, (height * 10.0).round() as i64);
    let _ = write!(
        svg,
        r#"" role="group" aria-labelledby="{id}-title" class="region-map" focusable="false"><title id="{id}-title">{}</title>"#,
        escape(title)
    );
    if let Some((projection, _)) = &fit {
        for map_area in areas {
            let d = path_data(map_area.area, projection);
            if d.is_empty() {
                continue;
            }
            let label = escape(&map_area.label);
            let current = if highlight == Some(map_area.area.code.as_str()) { " current" } else { "" };
            let _ = write!(
                svg,
                "\n<a href=\"{}\" aria-label=\"{label}\"><path d=\"{d}\" class=\"area level-{}{current}\" \
                 fill-rule=\"evenodd\"><title>{label}</title></path></a>",
                escape(&map_area.href),
                level(map_area.count),
            );
        }
    }
    svg.push_str("\n</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::geo::{Geo, region_slug};
    use crate::regions::RegionKind;

    fn geo() -> Geo {
        Geo::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("data/geo")).unwrap()
    }

    fn map_areas<'a>(kind: RegionKind, areas: &'a [Area]) -> Vec<MapArea<'a>> {
        areas
            .iter()
            .enumerate()
            .map(|(i, area)| MapArea {
                area,
                href: format!("/regios/{}", region_slug(kind, &area.name)),
                label: area.name.clone(),
                count: i as i64 % 12,
            })
            .collect()
    }

    /// The first absolute y coordinate of the path inside the link labelled `label`.
    fn first_y(svg: &str, label: &str) -> f64 {
        let link = &svg[svg.find(&format!("aria-label=\"{label}\"")).unwrap()..];
        let d = &link[link.find(" d=\"M").unwrap() + 5..];
        let end = d.find('l').unwrap();
        let (_, y) = d[..end].rsplit_once([' ', '-']).unwrap();
        y.parse().unwrap()
    }

    #[test]
    fn provinces_map_is_small_and_well_formed() {
        let geo = geo();
        let areas = map_areas(RegionKind::Provincie, &geo.provinces);
        let svg = render_svg(&areas, None, "Provincies");
        assert!(svg.starts_with(r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 "#));
        assert!(svg.contains(r#"aria-labelledby="map-provincies-title""#));
        assert!(svg.contains(r#"<title id="map-provincies-title">Provincies</title>"#));
        assert_eq!(svg.matches("<a ").count(), 12);
        assert_eq!(svg.matches("</a>").count(), 12);
        assert_eq!(svg.matches("<path").count(), 12);
        assert_eq!(svg.matches("</path>").count(), 12);
        assert!(svg.ends_with("</svg>"));
        assert!(!svg.contains("style"));
        assert!(!svg.contains("current"));
        assert!(svg.contains(r#"href="/regios/provincie-noord-brabant""#));
        for level in 0..=4 {
            assert!(svg.contains(&format!("class=\"area level-{level}\"")));
        }
        let height: f64 = svg["<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 600 ".len()..]
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!((600.0..800.0).contains(&height), "height {height}");
        assert!(svg.len() < 40_000, "provinces map is {} bytes", svg.len());
        // North up: Groningen lies north of Limburg.
        assert!(first_y(&svg, "Groningen") < first_y(&svg, "Limburg"));
    }

    #[test]
    fn municipalities_map_is_small_and_escaped() {
        let geo = geo();
        let areas = map_areas(RegionKind::Gemeente, &geo.municipalities);
        let svg = render_svg(&areas, None, "Gemeenten");
        assert_eq!(svg.matches("<a ").count(), 342);
        assert_eq!(svg.matches("</a>").count(), 342);
        assert_eq!(svg.matches("<path").count(), 342);
        assert!(svg.len() < 250_000, "municipalities map is {} bytes", svg.len());
        assert!(svg.contains(r#"aria-label="&#39;s-Gravenhage""#));
        assert!(svg.contains("<title>&#39;s-Gravenhage</title>"));
        assert!(!svg.contains("'s-"));
    }

    #[test]
    fn highlight_marks_one_area_current() {
        let geo = geo();
        let areas = map_areas(RegionKind::Provincie, &geo.provinces);
        let utrecht = geo.provinces.iter().find(|a| a.name == "Utrecht").unwrap();
        let svg = render_svg(&areas, Some(&utrecht.code), "Provincies");
        assert_eq!(svg.matches("current").count(), 1);
        let link = &svg[svg.find("aria-label=\"Utrecht\"").unwrap()..];
        assert!(link[..link.find("</a>").unwrap()].contains(" current\""));
        assert_eq!(render_svg(&areas, Some("XX99"), "Provincies").matches("current").count(), 0);
    }

    #[test]
    fn text_is_escaped_and_degenerate_rings_dropped() {
        // A square once projected: 1° of latitude is as wide as 1/cos(52.2°) of longitude.
        let east = 4.0 + 1.0 / LATITUDE.to_radians().cos();
        let area = Area {
            code: "GM0001".into(),
            name: "x".into(),
            polygons: vec![
                vec![
                    vec![(4.0, 52.0), (east, 52.0), (east, 53.0), (4.0, 53.0), (4.0, 52.0)],
                    vec![(4.2, 52.2), (4.2, 52.2000001), (4.2, 52.2)],
                ],
                vec![vec![(4.5, 52.5), (4.6, 52.5)]],
            ],
        };
        let areas = [MapArea {
            area: &area,
            href: "/regios/a?b=1&c=\"2\"".into(),
            label: "<Tom & 'Jerry'>".into(),
            count: 1,
        }];
        let svg = render_svg(&areas, Some("GM0001"), "Kaart <\"A&B\">");
        assert!(svg.contains(r#"href="/regios/a?b=1&amp;c=&quot;2&quot;""#));
        assert!(svg.contains(r#"aria-label="&lt;Tom &amp; &#39;Jerry&#39;&gt;""#));
        assert!(svg.contains(">Kaart &lt;&quot;A&amp;B&quot;&gt;</title>"));
        assert!(svg.contains(r#"id="map-kaart-a-b-title""#));
        assert!(svg.contains(r#"class="area level-1 current""#));
        // One square ring survives: a move, three relative segments and a close.
        assert_eq!(svg.matches('M').count(), 1);
        assert!(svg.contains(r#"d="M6 594l588 0 0-588-588 0z""#), "{svg}");
        assert!(svg.contains(r#"viewBox="0 0 600 600""#), "{svg}");
    }

    #[test]
    fn levels_bucket_counts() {
        let levels: Vec<u8> = [-1, 0, 1, 2, 3, 4, 9, 10, 500].into_iter().map(level).collect();
        assert_eq!(levels, [0, 0, 1, 2, 2, 3, 3, 4, 4]);
    }

    #[test]
    fn empty_map_is_still_valid() {
        let svg = render_svg(&[], None, "Leeg");
        assert!(svg.contains(r#"viewBox="0 0 600 12""#));
        assert!(!svg.contains("<a "));
    }
}
