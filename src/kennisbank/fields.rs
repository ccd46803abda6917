//! Identifiers of a publication, validated once at the edge: ISBN (with its check digit),
//! DOI, year and address.

/// An ISBN-10 or ISBN-13 without hyphens or spaces, its check digit verified.
pub fn parse_isbn(input: &str) -> Result<String, &'static str> {
    let raw = input.trim();
    let raw = raw.strip_prefix("ISBN").or_else(|| raw.strip_prefix("isbn")).unwrap_or(raw);
    let compact: String = raw
        .trim_start_matches(':')
        .chars()
        .filter(|c| !matches!(c, '-' | ' ' | '\u{2010}' | '\u{2011}'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if !compact.is_ascii() {
        return Err("Een ISBN heeft 10 of 13 cijfers (bij ISBN-10 mag het laatste een X zijn).");
    }
    let digits: Vec<u32> = compact.chars().filter_map(|c| c.to_digit(10)).collect();
    match compact.len() {
        10 if compact[..9].chars().all(|c| c.is_ascii_digit())
            && (compact.ends_with('X') || digits.len() == 10) =>
        {
            let check = if compact.ends_with('X') { 10 } else { digits[9] };
            let sum: u32 =
                digits[..9].iter().enumerate().map(|(i, d)| (10 - i as u32) * d).sum::<u32>() + check;
            if sum.is_multiple_of(11) {
                Ok(compact)
            } else {
                Err("Het controlecijfer van dit ISBN klopt niet; controleer de cijfers.")
            }
        }
        13 if digits.len() == 13 => {
            if !(compact.starts_with("978") || compact.starts_with("979")) {
                return Err("Een ISBN-13 begint met 978 of 979.");
            }
            let sum: u32 = digits.iter().enumerate().map(|(i, d)| if i % 2 == 0 { *d } else { 3 * d }).sum();
            if sum.is_multiple_of(10) {
                Ok(compact)
            } else {
                Err("Het controlecijfer van dit ISBN klopt niet; controleer de cijfers.")
            }
        }
        _ => Err("Een ISBN heeft 10 of 13 cijfers (bij ISBN-10 mag het laatste een X zijn)."),
    }
}

/// A DOI such as `10.1234/abc`, also when pasted as `https://doi.org/…` or `doi:…`.
pub fn parse_doi(input: &str) -> Result<String, &'static str> {
    let raw = input.trim();
    let lower = raw.to_ascii_lowercase();
    let start = ["https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:"]
        .iter()
        .find(|prefix| lower.starts_with(*prefix))
        .map_or(0, |prefix| prefix.len());
    let doi = raw[start..].trim();
    let Some((prefix, suffix)) = doi.split_once('/') else {
        return Err("Een DOI ziet eruit als 10.1234/abcd (met een schuine streep).");
    };
    let registrant = prefix.strip_prefix("10.").unwrap_or("");
    let registrant_ok = (4..=9).contains(&registrant.len()) && registrant.chars().all(|c| c.is_ascii_digit());
    if !registrant_ok || suffix.is_empty() || doi.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("Een DOI ziet eruit als 10.1234/abcd (met een schuine streep).");
    }
    if doi.len() > 300 {
        return Err("Deze DOI is te lang.");
    }
    Ok(doi.to_owned())
}

/// A year of publication; empty means "zonder datum".
pub fn parse_year(input: &str) -> Result<Option<i16>, &'static str> {
    let raw = input.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    match raw.parse::<i16>() {
        Ok(year) if (1500..=2100).contains(&year) => Ok(Some(year)),
        _ => Err("Vul een jaartal in van vier cijfers, zoals 2021, of laat het leeg als er geen jaar is."),
    }
}

/// An http(s) address without spaces.
pub fn parse_url(input: &str) -> Result<String, &'static str> {
    let raw = input.trim();
    let rest = raw.strip_prefix("https://").or_else(|| raw.strip_prefix("http://"));
    match rest {
        Some(rest)
            if !rest.is_empty()
                && !raw.chars().any(|c| c.is_whitespace() || c.is_control())
                && raw.len() <= 2000 =>
        {
            Ok(raw.to_owned())
        }
        _ => Err("Vul een volledig webadres in dat begint met https:// (of http://)."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isbn_check_digits() {
        assert_eq!(parse_isbn("978-90-5830-700-2").as_deref(), Ok("9789058307002"));
        assert_eq!(parse_isbn("ISBN 0-306-40615-2").as_deref(), Ok("0306406152"));
        assert_eq!(parse_isbn("0-8044-2957-x").as_deref(), Ok("080442957X"));
        assert!(parse_isbn("978-90-5830-700-1").is_err());
        assert!(parse_isbn("0-306-40615-3").is_err());
        assert!(parse_isbn("12345").is_err());
        assert!(parse_isbn("977-0-306-40615-7").is_err());
        assert!(parse_isbn("\u{fffd}\u{fffd}X\u{fffd}").is_err());
        assert!(parse_isbn("030640615\u{e9}").is_err());
    }

    #[test]
    fn doi_forms() {
        assert_eq!(parse_doi("https://doi.org/10.1000/xyz123").as_deref(), Ok("10.1000/xyz123"));
        assert_eq!(parse_doi("doi:10.31234/osf.io/abc").as_deref(), Ok("10.31234/osf.io/abc"));
        assert!(parse_doi("10.12/x").is_err());
        assert!(parse_doi("11.1000/x").is_err());
        assert!(parse_doi("10.1000/").is_err());
        assert!(parse_doi("10.1000/a b").is_err());
    }

    #[test]
    fn years_and_urls() {
        assert_eq!(parse_year(" 2015 "), Ok(Some(2015)));
        assert_eq!(parse_year(""), Ok(None));
        assert!(parse_year("15").is_err());
        assert!(parse_year("twintig").is_err());
        assert!(parse_url("https://www.nji.nl/").is_ok());
        assert!(parse_url("javascript:alert(1)").is_err());
        assert!(parse_url("https://").is_err());
    }
}
