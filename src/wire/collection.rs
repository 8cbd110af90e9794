//! Ordered collections and their pages.

use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderedCollection {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub total_items: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderedCollectionPage {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub part_of: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    pub ordered_items: Vec<Value>,
}
