//! Actors: `Application`, `Group`, `Person` (and others' `Service`,
//! `Organization`), with the fields Mastodon reads.

use super::{de_type, first_of, one_or_many_urls};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActorDoc {
    pub id: Url,
    #[serde(rename = "type", deserialize_with = "de_type")]
    pub kind: String,
    /// Optional in ActivityPub: without it we name the actor after its id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<Value>,
    pub inbox: Url,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outbox: Option<Url>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub followers: Option<Url>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub following: Option<Url>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoints: Option<Endpoints>,
    #[serde(deserialize_with = "first_of")]
    pub public_key: PublicKeyDoc,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<Value>,
    /// The banner (Mastodon's header image).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manually_approves_followers: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discoverable: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indexable: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachment: Vec<Value>,
    /// FEP-1b12 groups: who may post in the group's name.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "one_or_many_urls"
    )]
    pub attributed_to: Vec<Url>,
    /// The domains whose pages may name this person as their author
    /// (Mastodon's author byline on link previews).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attribution_domains: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoints {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared_inbox: Option<Url>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicKeyDoc {
    pub id: String,
    pub owner: Url,
    pub public_key_pem: String,
}

impl ActorDoc {
    /// The URL of the icon, whichever shape it came in.
    pub fn icon_url(&self) -> Option<Url> {
        let icon = match self.icon.as_ref()? {
            Value::Array(items) => items.first()?.clone(),
            other => other.clone(),
        };
        match &icon {
            Value::String(s) => Url::parse(s).ok(),
            Value::Object(o) => o.get("url").and_then(super::ref_id).or_else(|| {
                o.get("url")
                    .and_then(|u| u.as_str())
                    .and_then(|s| Url::parse(s).ok())
            }),
            _ => None,
        }
    }
}
