//! The client's address, also behind a reverse proxy.
//!
//! `TRUSTED_PROXIES` lists the proxies (addresses or CIDR ranges) whose word is taken. Only
//! when the TCP peer is one of them is `X-Forwarded-For` (or, when that is absent, RFC 7239
//! `Forwarded`) read, from the right: the right-most address that is not a trusted proxy is
//! the client. Anything a client writes into those headers itself sits to the left of what
//! its proxy appended, so it is never reached. A request from anyone else is its TCP peer.

use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;

use crate::state::AppState;

/// An address range such as `10.0.0.0/8`, `fd00::/8` or a single address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpRange {
    network: IpAddr,
    prefix: u8,
}

impl IpRange {
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`, from a dual-stack socket) as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

impl FromStr for IpRange {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (address, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let network = canonical(address.parse::<IpAddr>().map_err(|_| format!("'{s}' is geen IP-adres"))?);
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("'{s}' heeft geen geldige prefixlengte (0 tot en met {max})"))?,
        };
        Ok(Self { network, prefix })
    }
}

/// The proxies whose forwarding headers are believed; empty by default (no proxy).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpRange>);

impl TrustedProxies {
    /// Comma-separated addresses and CIDR ranges, e.g. `127.0.0.1, 10.0.0.0/8, ::1`.
    pub fn parse(list: &str) -> Result<Self, String> {
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(IpRange::from_str)
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|range| range.contains(ip))
    }

    /// The client of a request that reached us from `peer` with `headers`.
    pub fn client_address(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return peer;
        }
        let hops = forwarded_hops(headers);
        let mut client = peer;
        for hop in hops.iter().rev() {
            match hop {
                // An entry we cannot read ("unknown", an obfuscated name): the proxy that
                // handed it over is as far as we can see.
                None => break,
                Some(ip) => {
                    client = canonical(*ip);
                    if !self.trusts(client) {
                        break;
                    }
                }
            }
        }
        client
    }
}

/// The addresses in `X-Forwarded-For` (every header line, in order), or when there is none,
/// the `for=` of every `Forwarded` element. `None` for an entry that is no address.
fn forwarded_hops(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let lines = |name: &str| -> Vec<String> {
        headers.get_all(name).iter().map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()).collect()
    };
    let xff = lines("x-forwarded-for");
    if !xff.is_empty() {
        return xff.iter().flat_map(|line| line.split(',')).map(|e| parse_node(e.trim())).collect();
    }
    lines("forwarded")
        .iter()
        .flat_map(|line| line.split(','))
        .filter_map(|element| {
            element.split(';').find_map(|pair| {
                let (key, value) = pair.trim().split_once('=')?;
                key.trim().eq_ignore_ascii_case("for").then(|| parse_node(value.trim().trim_matches('"')))
            })
        })
        .collect()
}

/// `192.0.2.1`, `192.0.2.1:8080`, `2001:db8::1`, `[2001:db8::1]` or `[2001:db8::1]:4711`.
fn parse_node(node: &str) -> Option<IpAddr> {
    if let Ok(ip) = node.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(socket) = node.parse::<SocketAddr>() {
        return Some(socket.ip());
    }
    node.strip_prefix('[').and_then(|rest| rest.split(']').next()).and_then(|ip| ip.parse().ok())
}

/// The client's address (see the module text), for rate limits and consent records.
pub struct ClientIp(pub String);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        Ok(ClientIp(match peer {
            Some(peer) => state.config.trusted_proxies.client_address(peer, &parts.headers).to_string(),
            None => "onbekend".into(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(*k, HeaderValue::from_static(v));
        }
        map
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn ranges_parse_and_match() {
        let list = TrustedProxies::parse(" 10.0.0.0/8, 192.0.2.7 ,fd00::/8").unwrap();
        assert!(list.trusts(ip("10.200.1.1")) && list.trusts(ip("192.0.2.7")) && list.trusts(ip("fd12::1")));
        assert!(!list.trusts(ip("11.0.0.1")) && !list.trusts(ip("192.0.2.8")) && !list.trusts(ip("fe80::1")));
        assert!(list.trusts(ip("::ffff:10.1.2.3")), "IPv4-mapped addresses count as IPv4");
        assert!(TrustedProxies::parse("").unwrap().is_empty());
        assert!(TrustedProxies::parse("0.0.0.0/0").unwrap().trusts(ip("8.8.8.8")));
        for bad in ["10.0.0.0/33", "localhost", "10.0.0.1/x", "::1/129"] {
            assert!(TrustedProxies::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn only_a_trusted_peer_is_believed_and_only_from_the_right() {
        let list = TrustedProxies::parse("10.0.0.1, 10.0.1.0/24").unwrap();
        let spoofed = headers(&[("x-forwarded-for", "6.6.6.6, 198.51.100.4")]);
        // Not from a proxy: the peer, whatever the header says.
        assert_eq!(list.client_address(ip("198.51.100.9"), &spoofed), ip("198.51.100.9"));
        // From the proxy: the right-most address it did not add itself.
        assert_eq!(list.client_address(ip("10.0.0.1"), &spoofed), ip("198.51.100.4"));
        // Two proxies in a row.
        let chain = headers(&[("x-forwarded-for", "6.6.6.6, 198.51.100.4, 10.0.1.5")]);
        assert_eq!(list.client_address(ip("10.0.0.1"), &chain), ip("198.51.100.4"));
        // Several header lines are one list.
        let lines = headers(&[("x-forwarded-for", "6.6.6.6"), ("x-forwarded-for", "198.51.100.4")]);
        assert_eq!(list.client_address(ip("10.0.0.1"), &lines), ip("198.51.100.4"));
        // No header: the proxy itself.
        assert_eq!(list.client_address(ip("10.0.0.1"), &HeaderMap::new()), ip("10.0.0.1"));
        // Unreadable entries stop the walk at the last proxy.
        let garbage = headers(&[("x-forwarded-for", "198.51.100.4, unknown")]);
        assert_eq!(list.client_address(ip("10.0.0.1"), &garbage), ip("10.0.0.1"));
        // Without trusted proxies nobody is believed.
        assert_eq!(TrustedProxies::default().client_address(ip("10.0.0.1"), &spoofed), ip("10.0.0.1"));
    }

    #[test]
    fn forwarded_is_read_when_there_is_no_x_forwarded_for() {
        let list = TrustedProxies::parse("10.0.0.1").unwrap();
        let forwarded = headers(&[(
            "forwarded",
            "for=6.6.6.6, for=\"[2001:db8:cafe::17]:4711\";proto=https, For=10.0.0.1",
        )]);
        assert_eq!(list.client_address(ip("10.0.0.1"), &forwarded), ip("2001:db8:cafe::17"));
        let v4 = headers(&[("forwarded", "for=\"198.51.100.4:8080\";by=10.0.0.1")]);
        assert_eq!(list.client_address(ip("10.0.0.1"), &v4), ip("198.51.100.4"));
    }
}
