//! Wire structs: the JSON shapes we send and accept. No I/O, no database.
//!
//! Incoming documents are hostile and varied (Mastodon, Lemmy, Pleroma,
//! Fedify…): fields that may be a string, an object or an array go through
//! the lenient helpers here, and everything not needed is ignored.

pub mod activity;
pub mod actor;
pub mod article;
pub mod collection;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Value, json};
use url::Url;

pub const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";
/// The content type of every ActivityStreams document we serve.
pub const AS_CONTENT_TYPE: &str = "application/activity+json";

/// The `@context` of our actors.
pub fn actor_context() -> Value {
    json!([
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/v1",
        {
            "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
            "toot": "http://joinmastodon.org/ns#",
            "discoverable": "toot:discoverable",
            "indexable": "toot:indexable",
            "schema": "http://schema.org/",
            "PropertyValue": "schema:PropertyValue",
            "value": "schema:value"
        }
    ])
}

/// The `@context` of our objects and activities.
pub fn object_context() -> Value {
    json!([
        "https://www.w3.org/ns/activitystreams",
        {
            "schema": "http://schema.org/",
            "license": {"@id": "schema:license", "@type": "@id"},
            "spdxLicenseId": "http://spdx.org/rdf/terms#licenseId",
            "Hashtag": "as:Hashtag",
            "sensitive": "as:sensitive",
            "preview": "as:preview"
        }
    ])
}

/// A reference that may be a bare id or an embedded object with an `id`.
pub fn ref_id(v: &Value) -> Option<Url> {
    match v {
        Value::String(s) => Url::parse(s).ok(),
        Value::Object(o) => o
            .get("id")
            .and_then(|id| id.as_str())
            .and_then(|s| Url::parse(s).ok()),
        _ => None,
    }
}

/// All ids in a field that may be one reference or an array of them.
pub fn ref_ids(v: &Value) -> Vec<Url> {
    match v {
        Value::Array(items) => items.iter().filter_map(ref_id).collect(),
        Value::Null => Vec::new(),
        other => ref_id(other).into_iter().collect(),
    }
}

/// Deserialize `"x"` or `["x", …]` (or null/absent) into a vector of URLs,
/// skipping entries that are not URLs.
pub fn one_or_many_urls<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Url>, D::Error> {
    let v = Value::deserialize(d)?;
    Ok(ref_ids(&v))
}

/// Deserialize a reference (string or object with id) into its URL.
pub fn id_of<'de, D: Deserializer<'de>>(d: D) -> Result<Url, D::Error> {
    let v = Value::deserialize(d)?;
    ref_id(&v)
        .ok_or_else(|| serde::de::Error::custom("expected a URL or an object with an `id` URL"))
}

/// A first-and-only value from one-or-many.
pub fn first_of<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    let v = Value::deserialize(d)?;
    let v = match v {
        Value::Array(mut items) if !items.is_empty() => items.swap_remove(0),
        other => other,
    };
    serde_json::from_value(v).map_err(serde::de::Error::custom)
}

/// `{"@context": …, …}` around a wire struct.
#[derive(Debug, Serialize)]
pub struct WithContext<T> {
    #[serde(rename = "@context")]
    pub context: Value,
    #[serde(flatten)]
    pub inner: T,
}
