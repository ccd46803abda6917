//! CBS boundaries (2025): the reference list of provinces, municipalities and jeugdregio's,
//! and which province and jeugdregio each municipality lies in.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use serde::Deserialize;
use sqlx::PgPool;

use crate::regions::RegionKind;
use crate::text::slugify;

pub type Ring = Vec<(f64, f64)>;

#[derive(Debug, Clone)]
pub struct Area {
    pub code: String,
    pub name: String,
    /// Polygons, each an outer ring followed by its holes; (longitude, latitude).
    pub polygons: Vec<Vec<Ring>>,
}

#[derive(Debug, Clone)]
pub struct Geo {
    pub provinces: Vec<Area>,
    pub jeugdregios: Vec<Area>,
    pub municipalities: Vec<Area>,
    /// Municipalities that share a border, by CBS code (computed once at load, see
    /// [`shared_borders`]).
    pub neighbours: HashMap<String, BTreeSet<String>>,
}

#[derive(Deserialize)]
struct FeatureCollection {
    features: Vec<Feature>,
}

#[derive(Deserialize)]
struct Feature {
    properties: Properties,
    geometry: Geometry,
}

#[derive(Deserialize)]
struct Properties {
    statcode: String,
    statnaam: String,
}

#[derive(Deserialize)]
#[serde(tag = "type", content = "coordinates")]
enum Geometry {
    Polygon(Vec<Vec<[f64; 2]>>),
    MultiPolygon(Vec<Vec<Vec<[f64; 2]>>>),
}

fn read(dir: &Path, file: &str) -> anyhow::Result<Vec<Area>> {
    let path = dir.join(file);
    let raw = std::fs::read_to_string(&path)
        .map_err(|e| anyhow::anyhow!("kan {} niet lezen: {e}", path.display()))?;
    let collection: FeatureCollection = serde_json::from_str(&raw)?;
    let to_ring = |ring: Vec<[f64; 2]>| ring.into_iter().map(|[x, y]| (x, y)).collect::<Ring>();
    Ok(collection
        .features
        .into_iter()
        .map(|f| Area {
            code: f.properties.statcode,
            name: f.properties.statnaam,
            polygons: match f.geometry {
                Geometry::Polygon(rings) => vec![rings.into_iter().map(to_ring).collect()],
                Geometry::MultiPolygon(polys) => {
                    polys.into_iter().map(|rings| rings.into_iter().map(to_ring).collect()).collect()
                }
            },
        })
        .collect())
}

impl Geo {
    pub fn load(dir: &Path) -> anyhow::Result<Self> {
        let municipalities = read(dir, "gemeente_2025.geojson")?;
        Ok(Self {
            provinces: read(dir, "provincie_2025.geojson")?,
            jeugdregios: read(dir, "jeugdregio_2025.geojson")?,
            neighbours: shared_borders(&municipalities),
            municipalities,
        })
    }

    /// Whether the municipalities with these CBS codes share a border.
    pub fn borders(&self, a: &str, b: &str) -> bool {
        self.neighbours.get(a).is_some_and(|n| n.contains(b))
    }
}

/// Pairs of areas that share a border: at least one edge (two consecutive vertices) in common.
/// The CBS files are simplified topologically, so a shared border keeps identical vertices on
/// both sides; a single shared point (where three areas meet, or a corner) does not count.
pub fn shared_borders(areas: &[Area]) -> HashMap<String, BTreeSet<String>> {
    // Coordinates as integers at 1e-7 degree (about a centimetre), so they can be hashed.
    let key = |(x, y): (f64, f64)| ((x * 1e7).round() as i64, (y * 1e7).round() as i64);
    type Point = (i64, i64);
    let mut edges: HashMap<(Point, Point), Vec<usize>> = HashMap::new();
    for (index, area) in areas.iter().enumerate() {
        for ring in area.polygons.iter().flatten() {
            for pair in ring.windows(2) {
                let (a, b) = (key(pair[0]), key(pair[1]));
                if a == b {
                    continue;
                }
                let owners = edges.entry((a.min(b), a.max(b))).or_default();
                if owners.last() != Some(&index) {
                    owners.push(index);
                }
            }
        }
    }
    let mut neighbours: HashMap<String, BTreeSet<String>> = HashMap::new();
    for owners in edges.values().filter(|o| o.len() > 1) {
        for &a in owners {
            for &b in owners.iter().filter(|&&b| b != a) {
                neighbours.entry(areas[a].code.clone()).or_default().insert(areas[b].code.clone());
            }
        }
    }
    neighbours
}

fn ring_contains(ring: &Ring, (x, y): (f64, f64)) -> bool {
    let mut inside = false;
    let mut j = ring.len().wrapping_sub(1);
    for i in 0..ring.len() {
        let (xi, yi) = ring[i];
        let (xj, yj) = ring[j];
        if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
            inside = !inside;
        }
        j = i;
    }
    inside
}

impl Area {
    pub fn contains(&self, point: (f64, f64)) -> bool {
        self.polygons.iter().any(|rings| {
            let mut rings = rings.iter();
            rings.next().is_some_and(|outer| ring_contains(outer, point))
                && !rings.any(|hole| ring_contains(hole, point))
        })
    }

    /// The area-weighted centroid of the largest outer ring.
    pub fn centroid(&self) -> (f64, f64) {
        let mut best = (0.0_f64, (0.0, 0.0));
        for rings in &self.polygons {
            let Some(ring) = rings.first() else { continue };
            let (mut area, mut cx, mut cy) = (0.0, 0.0, 0.0);
            for w in ring.windows(2) {
                let cross = w[0].0 * w[1].1 - w[1].0 * w[0].1;
                area += cross;
                cx += (w[0].0 + w[1].0) * cross;
                cy += (w[0].1 + w[1].1) * cross;
            }
            if area.abs() > best.0.abs() && area != 0.0 {
                best = (area, (cx / (3.0 * area), cy / (3.0 * area)));
            }
        }
        best.1
    }

    fn vertices(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.polygons.iter().filter_map(|rings| rings.first()).flatten().copied()
    }
}

/// The container of `inner`: the one holding its centroid, or else the one holding most of
/// its vertices (for municipalities whose centroid falls in water or a neighbour).
pub fn container_of<'a>(inner: &Area, candidates: &'a [Area]) -> Option<&'a Area> {
    let centroid = inner.centroid();
    if let Some(found) = candidates.iter().find(|c| c.contains(centroid)) {
        return Some(found);
    }
    candidates
        .iter()
        .map(|c| (c, inner.vertices().filter(|v| c.contains(*v)).count()))
        .filter(|(_, n)| *n > 0)
        .max_by_key(|(_, n)| *n)
        .map(|(c, _)| c)
}

pub fn region_slug(kind: RegionKind, name: &str) -> String {
    match kind {
        RegionKind::Provincie => format!("provincie-{}", slugify(name)),
        RegionKind::Jeugdregio => format!("jeugdregio-{}", slugify(name)),
        RegionKind::Gemeente => slugify(name),
    }
}

/// Inserts the reference regions that are missing; existing rows (and what editors added to
/// them) are left alone. Cheap to call at every start.
pub async fn sync_reference_regions(db: &PgPool, geo: &Geo) -> anyhow::Result<()> {
    let present = sqlx::query_scalar!(r#"SELECT count(*) AS "count!" FROM regions"#).fetch_one(db).await?;
    let expected = (geo.provinces.len() + geo.jeugdregios.len() + geo.municipalities.len()) as i64;
    if present >= expected {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    for (kind, areas) in [(RegionKind::Provincie, &geo.provinces), (RegionKind::Jeugdregio, &geo.jeugdregios)]
    {
        for area in areas.iter() {
            sqlx::query!(
                "INSERT INTO regions (slug, code, name, kind) VALUES ($1, $2, $3, $4) ON CONFLICT (code) DO NOTHING",
                region_slug(kind, &area.name),
                area.code,
                area.name,
                kind as RegionKind,
            )
            .execute(&mut *tx)
            .await?;
        }
    }
    for municipality in &geo.municipalities {
        let province = container_of(municipality, &geo.provinces).map(|a| a.code.clone());
        let jeugdregio = container_of(municipality, &geo.jeugdregios).map(|a| a.code.clone());
        sqlx::query!(
            "INSERT INTO regions (slug, code, name, kind, province_id, jeugdregio_id) \
             VALUES ($1, $2, $3, $6, (SELECT id FROM regions WHERE code = $4), (SELECT id FROM regions WHERE code = $5)) \
             ON CONFLICT (code) DO NOTHING",
            region_slug(RegionKind::Gemeente, &municipality.name),
            municipality.code,
            municipality.name,
            province,
            jeugdregio,
            RegionKind::Gemeente as RegionKind,
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn geo() -> Geo {
        Geo::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("data/geo")).unwrap()
    }

    #[test]
    fn reference_data_is_complete() {
        let geo = geo();
        assert_eq!(geo.provinces.len(), 12);
        assert_eq!(geo.jeugdregios.len(), 42);
        assert_eq!(geo.municipalities.len(), 342);
    }

    #[test]
    fn every_municipality_lies_in_one_province_and_jeugdregio() {
        let geo = geo();
        for m in &geo.municipalities {
            assert!(container_of(m, &geo.provinces).is_some(), "{} has no province", m.name);
            assert!(container_of(m, &geo.jeugdregios).is_some(), "{} has no jeugdregio", m.name);
        }
        let find = |name: &str| geo.municipalities.iter().find(|m| m.name == name).unwrap();
        assert_eq!(container_of(find("Amsterdam"), &geo.provinces).unwrap().name, "Noord-Holland");
        assert_eq!(container_of(find("Maastricht"), &geo.provinces).unwrap().name, "Limburg");
        assert_eq!(container_of(find("Groningen"), &geo.provinces).unwrap().name, "Groningen");
    }

    #[test]
    fn neighbours_share_a_border() {
        let geo = geo();
        let code = |name: &str| geo.municipalities.iter().find(|m| m.name == name).unwrap().code.clone();
        let borders = |a: &str, b: &str| geo.borders(&code(a), &code(b));
        // Checked against the map: De Bilt lies between Utrecht and Zeist and borders both.
        assert!(borders("Utrecht", "De Bilt") && borders("De Bilt", "Utrecht"));
        assert!(borders("Zeist", "De Bilt"));
        assert!(borders("Amsterdam", "Amstelveen"));
        assert!(borders("Utrecht", "Nieuwegein"));
        assert!(!borders("Amsterdam", "Utrecht"));
        assert!(!borders("Maastricht", "Groningen"));
        assert!(!borders("Utrecht", "Utrecht"), "an area is not its own neighbour");
        // The Wadden islands border no municipality over land.
        assert!(!geo.neighbours.contains_key(&code("Vlieland")));
        let pairs: usize = geo.neighbours.values().map(BTreeSet::len).sum();
        assert!((1500..2000).contains(&pairs), "{pairs} neighbour relations");
    }

    #[test]
    fn slugs_are_unique_across_kinds() {
        let geo = geo();
        let mut slugs: Vec<String> = geo
            .provinces
            .iter()
            .map(|a| region_slug(RegionKind::Provincie, &a.name))
            .chain(geo.jeugdregios.iter().map(|a| region_slug(RegionKind::Jeugdregio, &a.name)))
            .chain(geo.municipalities.iter().map(|a| region_slug(RegionKind::Gemeente, &a.name)))
            .collect();
        let total = slugs.len();
        slugs.sort();
        slugs.dedup();
        assert_eq!(slugs.len(), total);
    }
}
