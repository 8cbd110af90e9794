//! Pure guards on what crosses the network: same origin, the URLs we may
//! reach (no private addresses in production), and the shape of incoming
//! JSON. No I/O.

use crate::config::Settings;
use std::net::IpAddr;
use url::{Host, Url};

/// Do two URLs belong to the same server? Host and port must both match
/// (stricter than the federation crate's domain comparison, under which
/// `localhost:8001` and `localhost:8002` would be one server).
pub fn same_origin(a: &Url, b: &Url) -> bool {
    a.host_str().map(str::to_ascii_lowercase) == b.host_str().map(str::to_ascii_lowercase)
        && a.port_or_known_default() == b.port_or_known_default()
}

/// [`same_origin`] as a `Result`, for `?`.
pub fn same_origin_or_err(a: &Url, b: &Url) -> Result<(), String> {
    if same_origin(a, b) {
        Ok(())
    } else {
        Err(format!("{a} and {b} are on different servers"))
    }
}

/// Is this address one no request of ours may reach in production?
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_multicast()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1])) // shared address space
                || (o[0] == 192 && o[1] == 0 && o[2] == 0) // IETF protocol assignments
                || (o[0] == 198 && (18..20).contains(&o[1])) // benchmarking
                || o[0] >= 240 // reserved
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private(IpAddr::V4(v4));
            }
            let s = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local
                || (s[0] & 0xffc0) == 0xfe80 // link local
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
                || (s[0] == 0x64 && s[1] == 0xff9b) // NAT64
        }
    }
}

/// Check a URL we are about to request, before any connection: scheme, a
/// domain (no IP literals), no private addresses by name, not blocked. In
/// local-testing mode only the scheme and blocks are checked. Names that
/// resolve to private addresses are refused at connect time by the clients'
/// validating resolver.
pub fn check_outgoing(settings: &Settings, url: &Url) -> Result<(), String> {
    match url.scheme() {
        "https" => {}
        "http" if settings.insecure() => {}
        other => return Err(format!("scheme `{other}` refused: https only")),
    }
    let host = url.host().ok_or_else(|| format!("{url} has no host"))?;
    let name = match &host {
        Host::Domain(d) => d.to_string(),
        Host::Ipv4(ip) => ip.to_string(),
        Host::Ipv6(ip) => ip.to_string(),
    };
    if settings.is_blocked(&name, url.port_or_known_default()) {
        return Err(format!("{name} is blocked"));
    }
    if settings.insecure() {
        return Ok(());
    }
    match host {
        Host::Ipv4(_) | Host::Ipv6(_) => Err(format!(
            "{name}: IP addresses are refused, a domain name is needed"
        )),
        Host::Domain(d) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            if d == "localhost"
                || d.ends_with(".localhost")
                || d.ends_with(".local")
                || d.ends_with(".internal")
            {
                Err(format!("{d} is a local name"))
            } else {
                Ok(())
            }
        }
    }
}

/// Incoming JSON may nest at most this deep…
pub const MAX_DEPTH: usize = 24;
/// …and have arrays and objects of at most this many members.
pub const MAX_MEMBERS: usize = 1000;

/// Bound the shape of incoming JSON.
pub fn check_shape(v: &serde_json::Value) -> Result<(), String> {
    fn walk(v: &serde_json::Value, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(format!("JSON nested deeper than {MAX_DEPTH} levels"));
        }
        match v {
            serde_json::Value::Array(items) => {
                if items.len() > MAX_MEMBERS {
                    return Err(format!("JSON array of more than {MAX_MEMBERS} items"));
                }
                items.iter().try_for_each(|i| walk(i, depth + 1))
            }
            serde_json::Value::Object(o) => {
                if o.len() > MAX_MEMBERS {
                    return Err(format!("JSON object of more than {MAX_MEMBERS} members"));
                }
                o.values().try_for_each(|i| walk(i, depth + 1))
            }
            _ => Ok(()),
        }
    }
    walk(v, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_addresses() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fc00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_private(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "2606:4700::1111"] {
            assert!(!is_private(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn shapes() {
        let mut deep = serde_json::json!(1);
        for _ in 0..30 {
            deep = serde_json::json!([deep]);
        }
        assert!(check_shape(&deep).is_err());
        assert!(check_shape(&serde_json::json!(vec![0; 2000])).is_err());
        assert!(check_shape(&serde_json::json!({"a": [1, {"b": 2}]})).is_ok());
    }
}
