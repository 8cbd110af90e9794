//! Use cases: creating actors, publishing, following, authenticating.
//!
//! The domain owns transactions. It knows nothing of axum or HTML; it builds
//! outgoing activities through the pure builders of `wire::outbound` and
//! hands them to `delivery` inside the same transaction, then finishes the
//! write with `AppContext::committed`, naming what it changed (`shown`).

pub mod accounts;
pub mod actors;
pub mod articles;
pub mod auth;
pub mod comments;
pub mod follows;
pub mod governance;
pub mod media;
/// Local names: kept in `content` (pure), named here as before.
pub use crate::content::names;
pub mod reactions;
pub mod received;
pub mod remote;
pub mod shares;
pub mod shown;

/// The clock every row uses (`db::now`).
pub use crate::db::now;

/// For an optional field where `null` means something (reset): absent is
/// `None`, `null` is `Some(None)`. Use with `#[serde(default)]`.
pub fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    serde::Deserialize::deserialize(d).map(Some)
}

/// For an optional list where `null` clears it: `null` is `Some(vec![])`.
pub fn null_is_empty<'de, D, T>(d: D) -> Result<Option<Vec<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    let v: Option<Vec<T>> = serde::Deserialize::deserialize(d)?;
    Ok(Some(v.unwrap_or_default()))
}
