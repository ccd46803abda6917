//! The suggestion rule: who (or which initiative) is worth meeting, with the reason in words.
//! No model: a fixed sum of weights that a coordinator can read, check and tune (README,
//! "Verbinden"). Pure: the caller loads the profiles and says which municipalities border.
//!
//! A candidate is only suggested when it shares something to work on — a theme or a recognised
//! vraagstuk; being near or on the same level alone is no reason to meet.

/// Per shared theme (counted up to [`MAX_THEMES`] themes).
pub const SHARED_THEME: u32 = 3;
pub const MAX_THEMES: usize = 3;
/// Per vraagstuk both recognise (or one recognises and the other is an alternative for).
pub const SHARED_VRAAGSTUK: u32 = 3;
pub const MAX_VRAAGSTUKKEN: usize = 3;
/// The strongest region match counts, once: same municipality, a neighbouring one, the same
/// jeugdregio, the same province.
pub const SAME_MUNICIPALITY: u32 = 4;
pub const NEIGHBOUR: u32 = 3;
pub const SAME_JEUGDREGIO: u32 = 2;
pub const SAME_PROVINCE: u32 = 1;
/// Working on the same level (uitvoerend, bestuurlijk, beleidsmatig, politiek), once.
pub const SAME_LEVEL: u32 = 1;

/// A term shown in a reason: compared by `key`, shown by `name`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Named<K> {
    pub key: K,
    pub name: String,
}

impl<K> Named<K> {
    pub fn new(key: K, name: impl Into<String>) -> Self {
        Self { key, name: name.into() }
    }
}

/// Where someone or something works. A municipality has all three; a jeugdregio or a
/// province as a region has only its own level.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Place {
    /// CBS code and name (`GM0344`, Utrecht).
    pub municipality: Option<Named<String>>,
    pub jeugdregio: Option<Named<i32>>,
    pub province: Option<Named<i32>>,
}

/// What the rule compares: a member, an initiative or a vraagstuk.
#[derive(Clone, Debug, Default)]
pub struct Profile {
    pub themes: Vec<Named<String>>,
    pub places: Vec<Place>,
    pub levels: Vec<Named<String>>,
    pub vraagstukken: Vec<Named<i64>>,
}

/// A candidate's score and the reason, e.g. "ook actief op Passend onderwijs en Ouders en
/// gezin, in de buurgemeente Zeist".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scored {
    pub score: u32,
    pub reason: String,
}

fn shared<'a, K: PartialEq>(mine: &'a [Named<K>], theirs: &[Named<K>]) -> Vec<&'a str> {
    mine.iter().filter(|m| theirs.iter().any(|t| t.key == m.key)).map(|m| m.name.as_str()).collect()
}

/// "A", "A en B", "A, B en C".
pub fn and_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} en {last}", rest.join(", ")),
    }
}

/// The strongest region match between two sets of places, with its words.
fn region_match(
    mine: &[Place],
    theirs: &[Place],
    borders: &dyn Fn(&str, &str) -> bool,
) -> Option<(u32, String)> {
    let pairs = || mine.iter().flat_map(|m| theirs.iter().map(move |t| (m, t)));
    let municipalities = |a: &Place, b: &Place| Some((a.municipality.clone()?, b.municipality.clone()?));
    if let Some((_, theirs)) = pairs().filter_map(|(a, b)| municipalities(a, b)).find(|(a, b)| a.key == b.key)
    {
        return Some((SAME_MUNICIPALITY, format!("ook in {}", theirs.name)));
    }
    if let Some((_, theirs)) =
        pairs().filter_map(|(a, b)| municipalities(a, b)).find(|(a, b)| borders(&a.key, &b.key))
    {
        return Some((NEIGHBOUR, format!("in de buurgemeente {}", theirs.name)));
    }
    let same = |pick: fn(&Place) -> Option<&Named<i32>>| {
        pairs().find_map(|(a, b)| {
            pick(a).zip(pick(b)).filter(|(a, b)| a.key == b.key).map(|(a, _)| a.name.clone())
        })
    };
    if let Some(name) = same(|p| p.jeugdregio.as_ref()) {
        return Some((SAME_JEUGDREGIO, format!("in dezelfde jeugdregio ({name})")));
    }
    if let Some(name) = same(|p| p.province.as_ref()) {
        return Some((SAME_PROVINCE, format!("in dezelfde provincie ({name})")));
    }
    None
}

/// Scores `other` for someone looking from `me`; `None` when they share no theme and no
/// vraagstuk. `borders(a, b)` says whether municipalities `a` and `b` (CBS codes) border.
pub fn score(me: &Profile, other: &Profile, borders: &dyn Fn(&str, &str) -> bool) -> Option<Scored> {
    let themes = shared(&other.themes, &me.themes);
    let vraagstukken = shared(&other.vraagstukken, &me.vraagstukken);
    if themes.is_empty() && vraagstukken.is_empty() {
        return None;
    }
    let mut score = 0;
    let mut parts = Vec::new();
    if !themes.is_empty() {
        score += SHARED_THEME * themes.len().min(MAX_THEMES) as u32;
        parts.push(format!("ook actief op {}", and_list(&themes)));
    }
    if !vraagstukken.is_empty() {
        score += SHARED_VRAAGSTUK * vraagstukken.len().min(MAX_VRAAGSTUKKEN) as u32;
        let quoted: Vec<String> = vraagstukken.iter().map(|v| format!("‘{v}’")).collect();
        let quoted: Vec<&str> = quoted.iter().map(String::as_str).collect();
        parts.push(format!("herkent ook {}", and_list(&quoted)));
    }
    if let Some((points, words)) = region_match(&me.places, &other.places, borders) {
        score += points;
        parts.push(words);
    }
    let levels = shared(&other.levels, &me.levels);
    if !levels.is_empty() {
        score += SAME_LEVEL;
        parts.push(format!("ook op {} niveau", and_list(&levels).to_lowercase()));
    }
    Some(Scored { score, reason: parts.join(", ") })
}

/// The `limit` best candidates, highest score first; equal scores keep the candidates' order.
pub fn rank<K>(
    me: &Profile,
    candidates: impl IntoIterator<Item = (K, Profile)>,
    borders: &dyn Fn(&str, &str) -> bool,
    limit: usize,
) -> Vec<(K, Scored)> {
    let mut scored: Vec<(K, Scored)> =
        candidates.into_iter().filter_map(|(key, other)| Some((key, score(me, &other, borders)?))).collect();
    scored.sort_by_key(|(_, s)| std::cmp::Reverse(s.score));
    scored.truncate(limit);
    scored
}

#[cfg(test)]
mod tests {
    use super::*;

    fn theme(slug: &str, name: &str) -> Named<String> {
        Named::new(slug.to_owned(), name)
    }

    fn gemeente(code: &str, name: &str, jeugdregio: i32, province: i32) -> Place {
        Place {
            municipality: Some(Named::new(code.to_owned(), name)),
            jeugdregio: Some(Named::new(jeugdregio, format!("Jeugdregio {jeugdregio}"))),
            province: Some(Named::new(province, format!("Provincie {province}"))),
        }
    }

    fn utrecht() -> Place {
        gemeente("GM0344", "Utrecht", 1, 10)
    }
    fn zeist() -> Place {
        gemeente("GM0355", "Zeist", 2, 10)
    }
    fn de_bilt() -> Place {
        gemeente("GM0310", "De Bilt", 2, 10)
    }
    fn groningen() -> Place {
        gemeente("GM0014", "Groningen", 3, 20)
    }

    /// Utrecht borders Zeist and De Bilt; Zeist and De Bilt border each other.
    fn borders(a: &str, b: &str) -> bool {
        let pairs = [("GM0344", "GM0355"), ("GM0344", "GM0310"), ("GM0355", "GM0310")];
        pairs.iter().any(|(x, y)| (a, b) == (*x, *y) || (a, b) == (*y, *x))
    }

    fn passend() -> Named<String> {
        theme("passend-onderwijs", "Passend onderwijs")
    }
    fn ouders() -> Named<String> {
        theme("ouders-en-gezin", "Ouders en gezin")
    }
    fn wijk() -> Named<String> {
        theme("wijk", "Wijkgericht werken")
    }

    fn me() -> Profile {
        Profile {
            themes: vec![passend(), ouders(), wijk()],
            places: vec![utrecht()],
            levels: vec![theme("uitvoerend", "uitvoerend")],
            vraagstukken: vec![Named::new(7, "Wachtlijsten"), Named::new(8, "Schotten tussen domeinen")],
        }
    }

    #[test]
    fn the_example_reason_and_its_score() {
        let other =
            Profile { themes: vec![passend(), ouders()], places: vec![zeist()], ..Profile::default() };
        let scored = score(&me(), &other, &borders).unwrap();
        assert_eq!(
            scored.reason,
            "ook actief op Passend onderwijs en Ouders en gezin, in de buurgemeente Zeist"
        );
        assert_eq!(scored.score, 2 * SHARED_THEME + NEIGHBOUR);
    }

    #[test]
    fn every_part_counts_with_its_weight_and_words() {
        let other = Profile {
            themes: vec![wijk(), theme("sport", "Sport")],
            places: vec![utrecht()],
            levels: vec![theme("uitvoerend", "Uitvoerend")],
            vraagstukken: vec![Named::new(8, "Schotten tussen domeinen"), Named::new(9, "Ander")],
        };
        let scored = score(&me(), &other, &borders).unwrap();
        assert_eq!(scored.score, SHARED_THEME + SHARED_VRAAGSTUK + SAME_MUNICIPALITY + SAME_LEVEL);
        assert_eq!(
            scored.reason,
            "ook actief op Wijkgericht werken, herkent ook ‘Schotten tussen domeinen’, ook in Utrecht, ook op uitvoerend niveau"
        );
    }

    #[test]
    fn region_falls_back_from_municipality_to_jeugdregio_to_province() {
        let mine = Profile { themes: vec![passend()], places: vec![zeist()], ..Profile::default() };
        let in_region = |place: Place| {
            let other = Profile { themes: vec![passend()], places: vec![place], ..Profile::default() };
            score(&mine, &other, &borders).unwrap()
        };
        // Same jeugdregio and bordering: the neighbour wins (it is the stronger match).
        assert_eq!(in_region(de_bilt()).score, SHARED_THEME + NEIGHBOUR);
        let far_in_jeugdregio = gemeente("GM0999", "Verweg", 2, 10);
        let scored = in_region(far_in_jeugdregio);
        assert_eq!(scored.score, SHARED_THEME + SAME_JEUGDREGIO);
        assert_eq!(scored.reason, "ook actief op Passend onderwijs, in dezelfde jeugdregio (Jeugdregio 2)");
        let province_only = Place { province: Some(Named::new(10, "Provincie 10")), ..Place::default() };
        let scored = in_region(province_only);
        assert_eq!(scored.score, SHARED_THEME + SAME_PROVINCE);
        assert_eq!(scored.reason, "ook actief op Passend onderwijs, in dezelfde provincie (Provincie 10)");
        assert_eq!(in_region(groningen()).score, SHARED_THEME);
    }

    #[test]
    fn nothing_to_work_on_together_is_no_suggestion() {
        let neighbour_only = Profile {
            places: vec![zeist()],
            levels: vec![theme("uitvoerend", "uitvoerend")],
            ..Profile::default()
        };
        assert_eq!(score(&me(), &neighbour_only, &borders), None);
        let by_vraagstuk =
            Profile { vraagstukken: vec![Named::new(7, "Wachtlijsten")], ..Profile::default() };
        assert_eq!(score(&me(), &by_vraagstuk, &borders).unwrap().reason, "herkent ook ‘Wachtlijsten’");
    }

    #[test]
    fn themes_count_up_to_the_cap() {
        let many: Vec<_> = (0..6).map(|i| theme(&format!("t{i}"), &format!("T{i}"))).collect();
        let a = Profile { themes: many.clone(), ..Profile::default() };
        let scored = score(&a, &a.clone(), &borders).unwrap();
        assert_eq!(scored.score, SHARED_THEME * MAX_THEMES as u32);
        assert_eq!(scored.reason, "ook actief op T0, T1, T2, T3, T4 en T5");
    }

    #[test]
    fn rank_orders_by_score_keeps_ties_in_order_and_limits() {
        let candidate = |themes: Vec<Named<String>>, place: Place| Profile {
            themes,
            places: vec![place],
            ..Profile::default()
        };
        let ranked = rank(
            &me(),
            vec![
                ("ver", candidate(vec![passend()], groningen())),
                ("niets", candidate(vec![theme("x", "X")], utrecht())),
                ("buur", candidate(vec![passend()], zeist())),
                ("ver2", candidate(vec![ouders()], groningen())),
                ("dichtbij", candidate(vec![passend(), ouders()], utrecht())),
            ],
            &borders,
            3,
        );
        let keys: Vec<&str> = ranked.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, ["dichtbij", "buur", "ver"]);
    }
}
