//! Typed settings and their layered loading.
//!
//! Layers: `config/default.toml` (compiled in, documents every key) ← the file
//! named by `--config`/`PEERPRESS_CONFIG` ← `PEERPRESS__SECTION__KEY` variables.
//! Every key of an upper layer must exist in the defaults and keep its type, so
//! a typo stops start-up with a message naming the key and where it came from.

use serde::Deserialize;
use std::net::SocketAddr;
use std::path::Path;

/// The defaults, compiled into the binary.
pub const DEFAULT_TOML: &str = include_str!("../config/default.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub server: Server,
    pub database: Database,
    pub federation: Federation,
    pub limits: Limits,
    pub delivery: Delivery,
    pub community: CommunityDefaults,
    pub admin: Admin,
    pub moderation: Moderation,
    pub metrics: Metrics,
    pub log: Log,
    pub media: Media,
    /// The federation policy set at run time (domain blocks and allows, the
    /// mode), shared by every clone of these settings. `domain::policy`
    /// loads it from the database and replaces it on every change.
    #[serde(skip)]
    pub policy: LivePolicy,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Moderation {
    /// Show who took each decision in the public moderation log (their
    /// role is always shown).
    pub show_moderator_names: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metrics {
    /// A bearer token that opens `/metrics` to clients that are not on
    /// loopback; empty: loopback only.
    pub token: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Log {
    /// `text` (readable) or `json` (one object per line).
    pub format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// The run-time federation policy, readable without I/O from every guard.
#[derive(Clone, Default)]
pub struct LivePolicy(std::sync::Arc<std::sync::RwLock<std::sync::Arc<PolicySnapshot>>>);

impl std::fmt::Debug for LivePolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("LivePolicy").field(&*self.get()).finish()
    }
}

impl LivePolicy {
    /// The policy now.
    pub fn get(&self) -> std::sync::Arc<PolicySnapshot> {
        match self.0.read() {
            Ok(p) => p.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub fn set(&self, snapshot: PolicySnapshot) {
        let snapshot = std::sync::Arc::new(snapshot);
        match self.0.write() {
            Ok(mut p) => *p = snapshot,
            Err(poisoned) => *poisoned.into_inner() = snapshot,
        }
    }
}

/// Domain entries are lowercase names without a trailing dot, covering
/// their subdomains, or `host:port` for one authority.
#[derive(Debug, Default)]
pub struct PolicySnapshot {
    /// Only `allowed` domains may federate.
    pub allowlist: bool,
    pub suspended: Vec<String>,
    pub silenced: Vec<String>,
    pub allowed: Vec<String>,
}

/// Does the domain entry `entry` cover `authority` (`host` or
/// `host:port`, as actors and deliveries store it)?
pub fn covers_authority(entry: &str, authority: &str) -> bool {
    match authority.rsplit_once(':') {
        Some((h, p)) if !h.is_empty() && p.chars().all(|c| c.is_ascii_digit()) => {
            covers(entry, h, p.parse().ok())
        }
        _ => covers(entry, authority, None),
    }
}

/// Does the domain entry `entry` cover `host` (on `port`)?
pub fn covers(entry: &str, host: &str, port: Option<u16>) -> bool {
    let entry = entry.trim().trim_end_matches('.').to_ascii_lowercase();
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if entry.is_empty() {
        return false;
    }
    match entry.rsplit_once(':') {
        Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) => {
            h == host && port.is_some_and(|port| p == port.to_string())
        }
        _ => host == entry || host.ends_with(&format!(".{entry}")),
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Server {
    pub domain: String,
    pub bind: SocketAddr,
    pub source_url: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Database {
    pub url: String,
    pub max_connections: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Federation {
    pub allow_insecure: bool,
    pub require_signed_fetch: bool,
    pub blocked_domains: Vec<String>,
    /// Days a received activity's id (and, when it was applied, its JSON)
    /// is kept to recognise redeliveries.
    pub activity_retention_days: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    pub inbox_per_address_per_minute: u32,
    pub inbox_per_host_per_minute: u32,
    pub api_per_address_per_minute: u32,
    /// Failed sign-ins per minute for one account, and from one address.
    pub login_failures_per_minute: u32,
    pub trust_forwarded_for: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Delivery {
    pub workers: usize,
    pub per_host: usize,
    pub request_timeout_secs: u64,
    pub lease_secs: u64,
    pub park_after_days: u32,
    pub shutdown_grace_secs: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommunityDefaults {
    pub name: String,
    pub title: String,
}

/// Where uploaded images go, and how large they may be.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Media {
    pub dir: String,
    pub s3_bucket: String,
    pub s3_endpoint: String,
    pub s3_region: String,
    pub s3_access_key_id: String,
    pub s3_secret_access_key: String,
    pub max_bytes: usize,
    pub max_pixels: u64,
}

impl std::fmt::Debug for Media {
    // The secret stays out of logs and error messages.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Media")
            .field("dir", &self.dir)
            .field("s3_bucket", &self.s3_bucket)
            .field("s3_endpoint", &self.s3_endpoint)
            .field("max_bytes", &self.max_bytes)
            .field("max_pixels", &self.max_pixels)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Admin {
    pub username: String,
}

/// A configuration error, phrased for the person running the binary.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

impl Settings {
    /// Defaults ← optional file ← the given environment variables.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Settings, ConfigError> {
        let mut merged: toml::Table = DEFAULT_TOML
            .parse()
            .map_err(|e| ConfigError(format!("built-in defaults are invalid: {e}")))?;
        let defaults = merged.clone();

        if let Some(path) = file {
            let text = std::fs::read_to_string(path).map_err(|e| {
                ConfigError(format!("cannot read config file {}: {e}", path.display()))
            })?;
            let table: toml::Table = text.parse().map_err(|e| {
                ConfigError(format!(
                    "config file {} is not valid TOML: {e}",
                    path.display()
                ))
            })?;
            let source = format!("config file {}", path.display());
            for (section, value) in table {
                let toml::Value::Table(keys) = value else {
                    return Err(ConfigError(format!(
                        "{source}: `{section}` must be a [section]; known sections: {}",
                        known(&defaults)
                    )));
                };
                for (key, value) in keys {
                    set(&mut merged, &defaults, &section, &key, value, &source)?;
                }
            }
        }

        for (name, raw) in env {
            let Some(rest) = name.strip_prefix("PEERPRESS__") else {
                continue;
            };
            let source = format!("environment variable {name}");
            let Some((section, key)) = rest
                .to_lowercase()
                .split_once("__")
                .map(|(s, k)| (s.to_string(), k.to_string()))
            else {
                return Err(ConfigError(format!(
                    "{source}: expected PEERPRESS__SECTION__KEY, e.g. PEERPRESS__SERVER__DOMAIN"
                )));
            };
            let value = env_value(&defaults, &section, &key, &raw);
            set(&mut merged, &defaults, &section, &key, value, &source)?;
        }

        let settings: Settings = toml::Value::Table(merged)
            .try_into()
            .map_err(|e| ConfigError(format!("invalid configuration: {e}")))?;
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let probe = format!("http://{}/", self.server.domain);
        match url::Url::parse(&probe) {
            Ok(u) if u.path() == "/" && u.host_str().is_some() && u.username().is_empty() => {}
            _ => {
                return Err(ConfigError(format!(
                    "server.domain `{}` is not a host name with an optional port (e.g. example.org or localhost:8080)",
                    self.server.domain
                )));
            }
        }
        if !(self.database.url.starts_with("sqlite:")
            || self.database.url.starts_with("postgres://")
            || self.database.url.starts_with("postgresql://"))
        {
            return Err(ConfigError(format!(
                "database.url `{}` must start with sqlite: or postgres://",
                self.database.url
            )));
        }
        let d = &self.delivery;
        if d.lease_secs <= d.request_timeout_secs {
            return Err(ConfigError(format!(
                "delivery.lease_secs ({}) must exceed delivery.request_timeout_secs ({}), or a slow request's delivery could be claimed twice",
                d.lease_secs, d.request_timeout_secs
            )));
        }
        if d.per_host == 0 || d.request_timeout_secs == 0 || d.park_after_days == 0 {
            return Err(ConfigError(
                "delivery.per_host, delivery.request_timeout_secs and delivery.park_after_days must be at least 1".into(),
            ));
        }
        if self.media.max_bytes == 0 || self.media.max_pixels == 0 {
            return Err(ConfigError(
                "media.max_bytes and media.max_pixels must be at least 1".into(),
            ));
        }
        if !self.media.s3_endpoint.is_empty() && url::Url::parse(&self.media.s3_endpoint).is_err() {
            return Err(ConfigError(format!(
                "media.s3_endpoint `{}` is not a URL such as https://s3.example.net",
                self.media.s3_endpoint
            )));
        }
        crate::content::names::LocalName::parse(&self.community.name)
            .map_err(|e| ConfigError(format!("community.name: {e}")))?;
        crate::content::names::LocalName::parse(&self.admin.username)
            .map_err(|e| ConfigError(format!("admin.username: {e}")))?;
        if self.community.name == self.admin.username {
            return Err(ConfigError(
                "community.name and admin.username must differ: communities and people share one namespace".into(),
            ));
        }
        Ok(())
    }

    /// The host part of the domain, without port.
    pub fn host(&self) -> &str {
        self.server
            .domain
            .rsplit_once(':')
            .map(|(h, _)| h)
            .unwrap_or(&self.server.domain)
    }

    /// True for local testing: http, ports and loopback peers allowed.
    pub fn insecure(&self) -> bool {
        self.federation.allow_insecure || self.host() == "localhost"
    }

    /// Is `host` (on `port`) or one of its parents refused: blocked in the
    /// configuration or suspended at run time?
    pub fn is_blocked(&self, host: &str, port: Option<u16>) -> bool {
        self.federation
            .blocked_domains
            .iter()
            .chain(self.policy.get().suspended.iter())
            .any(|d| covers(d, host, port))
    }

    /// Is the server of `url` refused?
    pub fn is_blocked_url(&self, url: &url::Url) -> bool {
        url.host_str()
            .is_some_and(|h| self.is_blocked(h, url.port_or_known_default()))
    }

    /// Is its content hidden (silenced, or refused)?
    pub fn is_hidden(&self, host: &str, port: Option<u16>) -> bool {
        self.is_blocked(host, port)
            || self
                .policy
                .get()
                .silenced
                .iter()
                .any(|d| covers(d, host, port))
    }

    /// Is the content of actors on `authority` (`host[:port]`) hidden?
    pub fn is_hidden_authority(&self, authority: &str) -> bool {
        self.federation
            .blocked_domains
            .iter()
            .chain(self.policy.get().suspended.iter())
            .chain(self.policy.get().silenced.iter())
            .any(|d| covers_authority(d, authority))
    }

    /// May `url`'s server send us activities and fetch our objects? Not
    /// when it is refused, nor in allowlist mode unless it is allowed.
    pub fn may_federate(&self, url: &url::Url) -> bool {
        let Some(host) = url.host_str() else {
            return false;
        };
        let port = url.port_or_known_default();
        if self.is_blocked(host, port) {
            return false;
        }
        let policy = self.policy.get();
        !policy.allowlist || policy.allowed.iter().any(|d| covers(d, host, port))
    }

    /// `http` for local testing, `https` otherwise.
    pub fn scheme(&self) -> &'static str {
        if self.insecure() { "http" } else { "https" }
    }

    /// `scheme://domain`, no trailing slash.
    pub fn base_url(&self) -> String {
        format!("{}://{}", self.scheme(), self.server.domain)
    }
}

fn known(table: &toml::Table) -> String {
    table.keys().cloned().collect::<Vec<_>>().join(", ")
}

/// Environment values are strings; give them the type of the default.
fn env_value(defaults: &toml::Table, section: &str, key: &str, raw: &str) -> toml::Value {
    let default = defaults
        .get(section)
        .and_then(|s| s.as_table())
        .and_then(|s| s.get(key));
    match default {
        Some(toml::Value::Boolean(_)) => match raw.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => toml::Value::Boolean(true),
            "false" | "0" | "no" => toml::Value::Boolean(false),
            _ => toml::Value::String(raw.to_string()),
        },
        Some(toml::Value::Array(_)) => toml::Value::Array(
            raw.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| toml::Value::String(s.to_string()))
                .collect(),
        ),
        Some(toml::Value::Integer(_)) => raw
            .parse::<i64>()
            .map(toml::Value::Integer)
            .unwrap_or_else(|_| toml::Value::String(raw.to_string())),
        _ => toml::Value::String(raw.to_string()),
    }
}

fn set(
    merged: &mut toml::Table,
    defaults: &toml::Table,
    section: &str,
    key: &str,
    value: toml::Value,
    source: &str,
) -> Result<(), ConfigError> {
    let Some(default_section) = defaults.get(section).and_then(|s| s.as_table()) else {
        return Err(ConfigError(format!(
            "{source}: unknown section `{section}` (key `{section}.{key}`); known sections: {}",
            known(defaults)
        )));
    };
    let Some(default) = default_section.get(key) else {
        return Err(ConfigError(format!(
            "{source}: unknown key `{section}.{key}`; keys of [{section}]: {}",
            known(default_section)
        )));
    };
    if default.type_str() != value.type_str() {
        return Err(ConfigError(format!(
            "{source}: `{section}.{key}` must be a {}, not a {} ({value})",
            default.type_str(),
            value.type_str()
        )));
    }
    if let Some(toml::Value::Table(s)) = merged.get_mut(section) {
        s.insert(key.to_string(), value);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_load() {
        let s = Settings::load(None, Vec::new()).unwrap();
        assert_eq!(s.server.domain, "localhost:8080");
        assert_eq!(s.base_url(), "http://localhost:8080");
        assert!(s.insecure());
    }

    #[test]
    fn env_overrides_and_types() {
        let s = Settings::load(
            None,
            vec![
                ("PEERPRESS__SERVER__DOMAIN".into(), "example.org".into()),
                ("PEERPRESS__DELIVERY__WORKERS".into(), "7".into()),
            ],
        )
        .unwrap();
        assert_eq!(s.base_url(), "https://example.org");
        assert!(!s.insecure());
        assert_eq!(s.delivery.workers, 7);
    }

    #[test]
    fn unknown_env_key_is_named() {
        let e = Settings::load(None, vec![("PEERPRESS__SERVER__DOMIAN".into(), "x".into())])
            .unwrap_err()
            .0;
        assert!(e.contains("PEERPRESS__SERVER__DOMIAN"), "{e}");
        assert!(e.contains("server.domian"), "{e}");
    }

    #[test]
    fn unknown_file_key_names_key_and_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("peerpress.toml");
        std::fs::write(&path, "[server]\ndomian = \"example.org\"\n").unwrap();
        let e = Settings::load(Some(&path), Vec::new()).unwrap_err().0;
        assert!(e.contains("server.domian"), "{e}");
        assert!(e.contains("peerpress.toml"), "{e}");
    }

    #[test]
    fn mistyped_value_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.toml");
        std::fs::write(&path, "[delivery]\nworkers = \"many\"\n").unwrap();
        let e = Settings::load(Some(&path), Vec::new()).unwrap_err().0;
        assert!(
            e.contains("delivery.workers") && e.contains("integer"),
            "{e}"
        );
    }
}
