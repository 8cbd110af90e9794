//! The wire: ActivityStreams vocabulary structs (the JSON shapes we send
//! and accept), the builders of outgoing activities (`outbound`), HTTP
//! signatures (`signatures`) and the pure guards (`guard`: same origin,
//! outgoing URLs, private addresses, JSON shape). No I/O, no database: a
//! foundation every layer above may use.
//!
//! Incoming documents are hostile and varied (Mastodon, Lemmy, Pleroma,
//! Fedify…): fields that may be a string, an object or an array go through
//! the lenient helpers here, and everything not needed is ignored.

pub mod activity;
pub mod actor;
pub mod article;
pub mod collection;
pub mod guard;
pub mod outbound;
pub mod signatures;

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
            "schema": "http://schema.org#",
            "PropertyValue": "schema:PropertyValue",
            "value": "schema:value",
            "attributionDomains": {"@id": "toot:attributionDomains", "@type": "@id"}
        }
    ])
}

/// The `@context` of our objects and activities.
pub fn object_context() -> Value {
    json!([
        "https://www.w3.org/ns/activitystreams",
        {
            "schema": "http://schema.org#",
            "license": {"@id": "schema:license", "@type": "@id"},
            "spdxLicenseId": "http://spdx.org/rdf/terms#licenseId",
            "Hashtag": "as:Hashtag",
            "sensitive": "as:sensitive",
            "preview": "as:preview"
        }
    ])
}

/// A reference that may be a bare id, an embedded object with an `id`, or
/// a `Link` (`{"type": "Link", "href": …}`, which ActivityStreams allows
/// wherever an object reference may stand).
pub fn ref_id(v: &Value) -> Option<Url> {
    match v {
        // The Public collection may be spelled as its compact forms.
        Value::String(s) if s == "Public" || s == "as:Public" => Url::parse(PUBLIC).ok(),
        Value::String(s) => Url::parse(s).ok(),
        Value::Object(o) => o
            .get("id")
            .or_else(|| o.get("href"))
            .and_then(|id| id.as_str())
            .and_then(|s| Url::parse(s).ok()),
        _ => None,
    }
}

/// The ActivityStreams types we act on, in the order a `type` list is read:
/// `["Note", "Article"]` is a Note to us, `["Emoji", "Hashtag"]` a Hashtag.
const KNOWN_TYPES: &[&str] = &[
    "Create",
    "Update",
    "Delete",
    "Follow",
    "Accept",
    "Reject",
    "Undo",
    "Announce",
    "Like",
    "EmojiReact",
    "Flag",
    "Note",
    "Article",
    "Page",
    "Event",
    "Question",
    "Tombstone",
    "Person",
    "Group",
    "Service",
    "Application",
    "Organization",
    "Mention",
    "Hashtag",
    "Image",
    "Document",
    "Link",
];

/// The one type name of a `type` that may be a string or a list of them:
/// the first we know, else the first given. Compact IRIs (`as:Note`) and
/// full ActivityStreams IRIs are read as the term.
pub fn type_name(v: &Value) -> Option<String> {
    let names: Vec<&str> = match v {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let names: Vec<&str> = names.into_iter().map(as_term).collect();
    names
        .iter()
        .find(|n| KNOWN_TYPES.contains(n))
        .or_else(|| names.first())
        .map(|n| n.to_string())
}

/// `as:content` or `https://www.w3.org/ns/activitystreams#content` → `content`.
fn as_term(name: &str) -> &str {
    name.strip_prefix("as:")
        .or_else(|| name.strip_prefix("https://www.w3.org/ns/activitystreams#"))
        .or_else(|| name.strip_prefix("http://www.w3.org/ns/activitystreams#"))
        .unwrap_or(name)
}

/// Deserialize a `type` that may be a string or a list.
pub fn de_type<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let v = Value::deserialize(d)?;
    type_name(&v)
        .ok_or_else(|| serde::de::Error::custom("`type` must be a string or a list of strings"))
}

/// Deserialize a field that may be absent, one value or a list into a list.
pub fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Value>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items,
        Value::Null => Vec::new(),
        other => vec![other],
    })
}

/// JSON-LD lets a sender spell a term as a compact IRI (`as:content`) or a
/// full IRI. Rewrite those keys of every object, and string `type`s, to the
/// plain term we read, unless the plain key is also present (then the plain
/// one wins). Terms of other vocabularies are left alone.
pub fn normalize_terms(v: &mut Value) {
    match v {
        Value::Object(map) => {
            let renames: Vec<(String, String)> = map
                .keys()
                .filter_map(|k| {
                    let t = as_term(k);
                    (t != k.as_str() && !t.is_empty()).then(|| (k.clone(), t.to_string()))
                })
                .collect();
            for (from, to) in renames {
                if let Some(val) = map.remove(&from)
                    && !map.contains_key(&to)
                {
                    map.insert(to, val);
                }
            }
            // One type name: `as:Note` → `Note`, `["Note", "Article"]` → `Note`.
            if let Some(t) = map.get_mut("type")
                && let Some(name) = type_name(t)
            {
                *t = Value::String(name);
            }
            for (k, child) in map.iter_mut() {
                if k != "@context" {
                    normalize_terms(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(normalize_terms),
        _ => {}
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

/// The object id an outbox item or an `Announce` points at: the object of
/// `Create`/`Update`/`Announce` activities (Lemmy announces whole activities),
/// or the item itself.
pub fn announced_object(item: &Value) -> Option<Url> {
    match item.get("type").and_then(Value::as_str) {
        Some("Create" | "Update" | "Announce") => item.get("object").and_then(|o| {
            // Announce{Create{Page}}, Announce{Delete{…}}: one level further.
            match o.get("type").and_then(Value::as_str) {
                Some("Create" | "Update" | "Delete") => o.get("object").and_then(ref_id),
                _ => ref_id(o),
            }
        }),
        _ => ref_id(item),
    }
}

/// `{"@context": …, …}` around a wire struct.
#[derive(Debug, Serialize)]
pub struct WithContext<T> {
    #[serde(rename = "@context")]
    pub context: Value,
    #[serde(flatten)]
    pub inner: T,
}
