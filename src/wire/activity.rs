//! The envelope shared by every activity. What `object` means depends on the
//! `type`; the handlers in `federation::activities` interpret it.

use super::{de_type, id_of, one_or_many_urls};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityDoc {
    pub id: Url,
    #[serde(rename = "type", deserialize_with = "de_type")]
    pub kind: String,
    #[serde(deserialize_with = "id_of")]
    pub actor: Url,
    #[serde(default)]
    pub object: Value,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "one_or_many_urls"
    )]
    pub to: Vec<Url>,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "one_or_many_urls"
    )]
    pub cc: Vec<Url>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<chrono::DateTime<chrono::Utc>>,
}
