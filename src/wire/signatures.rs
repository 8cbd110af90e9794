//! HTTP signatures (draft-cavage) as Mastodon sends and expects them.
//!
//! Signing uses RSA from `aws-lc-rs` (several times faster than the pure-Rust
//! `rsa` crate the federation crate signs with), with parsed keys cached.
//! Verification builds the signing string in the order of the `headers=`
//! parameter (Mastodon puts `(request-target)` last and signs `Host` without
//! the port), requires `Date` within an hour either way, and `Digest` on POST.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{
    KeyPair as _, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, UnparsedPublicKey,
};
use axum::http::HeaderMap;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use url::Url;

/// How far a `Date` may be from now, either way.
pub const MAX_CLOCK_SKEW: Duration = Duration::from_secs(60 * 60);

/// A freshly generated RSA-2048 key pair as PEM (PKCS#8 private, SPKI public).
pub struct GeneratedKeys {
    pub private_pem: String,
    pub public_pem: String,
}

pub fn generate_keypair() -> Result<GeneratedKeys, String> {
    let kp = KeyPair::generate(KeySize::Rsa2048).map_err(|e| format!("key generation: {e}"))?;
    let private = kp.as_der().map_err(|e| format!("key encoding: {e}"))?;
    let public = kp
        .public_key()
        .as_der()
        .map_err(|e| format!("key encoding: {e}"))?;
    Ok(GeneratedKeys {
        private_pem: pem("PRIVATE KEY", private.as_ref()),
        public_pem: pem("PUBLIC KEY", public.as_ref()),
    })
}

fn pem(label: &str, der: &[u8]) -> String {
    let b64 = B64.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// The DER inside a PEM document (any label).
pub fn pem_to_der(pem: &str) -> Option<Vec<u8>> {
    let body: String = pem
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("-----") && !l.is_empty())
        .collect();
    B64.decode(body).ok()
}

/// Does the private key parse, and is `public_pem` its public half?
pub fn check_key_pair(private_pem: &str, public_pem: &str) -> Result<(), String> {
    let der = pem_to_der(private_pem).ok_or("the private key is not PEM")?;
    let kp =
        KeyPair::from_pkcs8(&der).map_err(|e| format!("the private key does not parse: {e}"))?;
    let public = kp
        .public_key()
        .as_der()
        .map_err(|e| format!("key encoding: {e}"))?;
    match pem_to_der(public_pem) {
        Some(p) if p == public.as_ref() => Ok(()),
        _ => Err("the published public key is not the private key's".into()),
    }
}

/// Parsed private keys of local actors, by actor row id.
#[derive(Default)]
pub struct KeyCache(Mutex<HashMap<i64, Arc<KeyPair>>>);

impl KeyCache {
    pub fn get(&self, actor_id: i64, private_pem: &str) -> Result<Arc<KeyPair>, String> {
        if let Ok(map) = self.0.lock()
            && let Some(k) = map.get(&actor_id)
        {
            return Ok(k.clone());
        }
        let der = pem_to_der(private_pem).ok_or("private key is not PEM")?;
        let kp = Arc::new(KeyPair::from_pkcs8(&der).map_err(|e| format!("private key: {e}"))?);
        if let Ok(mut map) = self.0.lock() {
            map.insert(actor_id, kp.clone());
        }
        Ok(kp)
    }
}

pub fn sha256_digest_header(body: &[u8]) -> String {
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, body);
    format!("SHA-256={}", B64.encode(d.as_ref()))
}

/// Headers to add to a request: `(name, value)` pairs including `Signature`.
/// POSTs sign `(request-target) host date digest`, GETs `(request-target) host date`.
pub fn sign_request(
    key: &KeyPair,
    key_id: &str,
    method: &str,
    url: &Url,
    body: Option<&[u8]>,
) -> Result<Vec<(&'static str, String)>, String> {
    let host = match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_string(),
        _ => return Err(format!("{url} has no host")),
    };
    let mut target = url.path().to_string();
    if let Some(q) = url.query() {
        target.push('?');
        target.push_str(q);
    }
    let date = httpdate::fmt_http_date(SystemTime::now());
    let method = method.to_ascii_lowercase();
    let mut signing = format!("(request-target): {method} {target}\nhost: {host}\ndate: {date}");
    let mut names = "(request-target) host date".to_string();
    let mut headers = vec![("host", host), ("date", date)];
    if let Some(body) = body {
        let digest = sha256_digest_header(body);
        signing.push_str(&format!("\ndigest: {digest}"));
        names.push_str(" digest");
        headers.push(("digest", digest));
    }
    let mut sig = vec![0u8; key.public_modulus_len()];
    let rng = aws_lc_rs::rand::SystemRandom::new();
    key.sign(&RSA_PKCS1_SHA256, &rng, signing.as_bytes(), &mut sig)
        .map_err(|e| format!("signing failed: {e}"))?;
    headers.push((
        "signature",
        format!(
            "keyId=\"{key_id}\",algorithm=\"rsa-sha256\",headers=\"{names}\",signature=\"{}\"",
            B64.encode(&sig)
        ),
    ));
    Ok(headers)
}

/// A signature header that parsed and is within its time window, not yet
/// checked against a key.
#[derive(Debug)]
pub struct ParsedSignature {
    pub key_id: String,
    signing_string: String,
    signature: String,
}

impl ParsedSignature {
    /// The actor the key belongs to by convention: the key id without fragment.
    pub fn key_owner_guess(&self) -> Result<Url, String> {
        let mut url = Url::parse(&self.key_id)
            .map_err(|_| format!("keyId `{}` is not a URL", self.key_id))?;
        url.set_fragment(None);
        Ok(url)
    }

    pub fn verify(&self, public_key_pem: &str) -> bool {
        let (Some(der), Ok(sig)) = (pem_to_der(public_key_pem), B64.decode(&self.signature)) else {
            return false;
        };
        UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, der)
            .verify(self.signing_string.as_bytes(), &sig)
            .is_ok()
    }
}

/// Parse and time-check the signature of a request: RFC 9421
/// (`Signature-Input`) when present, draft-cavage (`Signature`) otherwise.
/// `body` is given for POSTs, whose digest must be signed and match.
/// `scheme` is how the request reached us (`https` behind a proxy).
pub fn parse_request_signature(
    method: &str,
    path_and_query: &str,
    headers: &HeaderMap,
    body: Option<&[u8]>,
) -> Result<ParsedSignature, String> {
    parse_request_signature_with_scheme("https", method, path_and_query, headers, body)
}

pub fn parse_request_signature_with_scheme(
    scheme: &str,
    method: &str,
    path_and_query: &str,
    headers: &HeaderMap,
    body: Option<&[u8]>,
) -> Result<ParsedSignature, String> {
    if headers.contains_key("signature-input") {
        return parse_rfc9421(scheme, method, path_and_query, headers, body);
    }
    if !headers.contains_key("signature") {
        return Err("missing Signature header: requests must be signed (draft-cavage or RFC 9421 HTTP signatures)".into());
    }
    let map: BTreeMap<String, String> = headers
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
        .collect();
    if let Some(body) = body {
        let Some(digest) = map.get("digest") else {
            return Err("missing Digest header".into());
        };
        if !digest_matches(digest, body) {
            return Err("Digest does not match the body".into());
        }
    }
    let date = map.get("date").ok_or("missing Date header")?;
    let date = httpdate::parse_http_date(date)
        .map_err(|_| format!("Date `{date}` is not an HTTP date"))?;
    check_time(date)?;
    let mut config = http_signature_normalization::Config::new()
        .set_expiration(MAX_CLOCK_SKEW)
        .require_header("host")
        .require_header("date");
    if body.is_some() {
        config = config.require_digest();
    }
    let unverified = config
        .begin_verify(method, path_and_query, map)
        .map_err(|e| format!("bad Signature header: {e}"))?;
    Ok(ParsedSignature {
        key_id: unverified.key_id().to_string(),
        signing_string: unverified.signing_string().to_string(),
        signature: unverified.signature().to_string(),
    })
}

fn check_time(when: SystemTime) -> Result<(), String> {
    let now = SystemTime::now();
    if when > now + MAX_CLOCK_SKEW {
        return Err("Date is more than an hour in the future".into());
    }
    if when + MAX_CLOCK_SKEW < now {
        return Err("Date is more than an hour old".into());
    }
    Ok(())
}

/// RFC 9421: rebuild the signature base from `Signature-Input` (first label)
/// and the request, with `rsa-v1_5-sha256`.
fn parse_rfc9421(
    scheme: &str,
    method: &str,
    path_and_query: &str,
    headers: &HeaderMap,
    body: Option<&[u8]>,
) -> Result<ParsedSignature, String> {
    let header = |name: &str| -> Option<String> {
        let values: Vec<&str> = headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::trim)
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    };
    let input = header("signature-input").ok_or("missing Signature-Input header")?;
    let sigs = header("signature").ok_or("missing Signature header for the Signature-Input")?;
    let (label, params_text) = input.split_once('=').ok_or("bad Signature-Input")?;
    let label = label.trim();
    // One signature only: cut at a comma outside quotes and parentheses.
    let params_text = first_member(params_text.trim());
    let sig_b64 = sigs
        .split(',')
        .filter_map(|m| m.trim().split_once('='))
        .find(|(l, _)| l.trim() == label)
        .map(|(_, v)| v.trim().trim_matches(':').to_string())
        .ok_or_else(|| format!("no Signature for label `{label}`"))?;
    let close = params_text
        .find(')')
        .ok_or("bad Signature-Input: no component list")?;
    let list = params_text.get(1..close).ok_or("bad Signature-Input")?;
    if !params_text.starts_with('(') {
        return Err("bad Signature-Input: no component list".into());
    }
    let components: Vec<String> = list
        .split_whitespace()
        .map(|c| {
            if c.starts_with('"') && c.ends_with('"') && c.len() >= 2 && !c.contains(';') {
                Ok(c.trim_matches('"').to_ascii_lowercase())
            } else {
                Err(format!("unsupported component `{c}`"))
            }
        })
        .collect::<Result<_, _>>()?;
    let mut key_id = None;
    let mut created = None;
    let mut expires = None;
    for p in params_text
        .get(close + 1..)
        .unwrap_or("")
        .split(';')
        .filter(|p| !p.is_empty())
    {
        let (k, v) = p.split_once('=').unwrap_or((p, ""));
        let v = v.trim_matches('"');
        match k.trim() {
            "keyid" => key_id = Some(v.to_string()),
            "created" => created = v.parse::<u64>().ok(),
            "expires" => expires = v.parse::<u64>().ok(),
            "alg" if v != "rsa-v1_5-sha256" => {
                return Err(format!(
                    "signature algorithm `{v}` is not supported; use rsa-v1_5-sha256"
                ));
            }
            _ => {}
        }
    }
    let key_id = key_id.ok_or("Signature-Input has no keyid")?;
    let created = created.ok_or("Signature-Input has no created time")?;
    check_time(SystemTime::UNIX_EPOCH + Duration::from_secs(created))?;
    if let Some(exp) = expires
        && SystemTime::UNIX_EPOCH + Duration::from_secs(exp) < SystemTime::now()
    {
        return Err("the signature has expired".into());
    }
    if let Some(body) = body {
        if !components.iter().any(|c| c == "content-digest") {
            return Err("POST signatures must cover Content-Digest".into());
        }
        let digest = header("content-digest").ok_or("missing Content-Digest header")?;
        let ours = B64.encode(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, body).as_ref());
        let matched = digest.split(',').any(|m| {
            m.trim().split_once('=').is_some_and(|(alg, v)| {
                alg.trim() == "sha-256" && v.trim().trim_matches(':') == ours
            })
        });
        if !matched {
            return Err("Content-Digest does not match the body".into());
        }
    }
    let authority = header("host")
        .ok_or("missing Host header")?
        .to_ascii_lowercase();
    let (path, query) = match path_and_query.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path_and_query, None),
    };
    let mut base = String::new();
    for c in &components {
        let value = match c.as_str() {
            "@method" => method.to_ascii_uppercase(),
            "@target-uri" => format!("{scheme}://{authority}{path_and_query}"),
            "@authority" => authority.clone(),
            "@scheme" => scheme.to_string(),
            "@path" => path.to_string(),
            "@query" => format!("?{}", query.unwrap_or("")),
            "@request-target" => path_and_query.to_string(),
            name if name.starts_with('@') => return Err(format!("unsupported component `{name}`")),
            name => header(name).ok_or_else(|| format!("signed header `{name}` is missing"))?,
        };
        base.push_str(&format!("\"{c}\": {value}\n"));
    }
    base.push_str(&format!("\"@signature-params\": {params_text}"));
    Ok(ParsedSignature {
        key_id,
        signing_string: base,
        signature: sig_b64,
    })
}

/// The first member of a structured-field dictionary value.
fn first_member(s: &str) -> &str {
    let (mut depth, mut quoted) = (0i32, false);
    for (i, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => return s[..i].trim(),
            _ => {}
        }
    }
    s
}

fn digest_matches(header: &str, body: &[u8]) -> bool {
    let ours = sha256_digest_header(body);
    let ours = ours.trim_start_matches("SHA-256=");
    header.split(',').any(|part| {
        part.trim()
            .split_once('=')
            .is_some_and(|(alg, value)| alg.eq_ignore_ascii_case("sha-256") && value == ours)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn keys() -> (Arc<KeyPair>, String) {
        let g = generate_keypair().unwrap();
        let cache = KeyCache::default();
        (cache.get(1, &g.private_pem).unwrap(), g.public_pem)
    }

    fn to_map(headers: &[(&'static str, String)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in headers {
            map.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        map
    }

    #[test]
    fn round_trip_post() {
        let (key, public) = keys();
        let url = Url::parse("http://localhost:8080/inbox?x=1").unwrap();
        let body = br#"{"a":1}"#;
        let h = sign_request(&key, "http://a/actor#main-key", "POST", &url, Some(body)).unwrap();
        let parsed =
            parse_request_signature("POST", "/inbox?x=1", &to_map(&h), Some(body)).unwrap();
        assert_eq!(parsed.key_id, "http://a/actor#main-key");
        assert!(parsed.verify(&public));
        let (_, other) = keys();
        assert!(!parsed.verify(&other));
        assert!(parse_request_signature("POST", "/inbox?x=1", &to_map(&h), Some(b"{}")).is_err());
        let p = parse_request_signature("POST", "/other", &to_map(&h), Some(body)).unwrap();
        assert!(!p.verify(&public));
    }
}
