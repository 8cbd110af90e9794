//! Use cases: creating actors, publishing, following, authenticating.
//!
//! The domain owns transactions. It knows nothing of axum or HTML; it builds
//! outgoing activities through the pure builders of `federation::outbound`
//! and hands them to `delivery` inside the same transaction.

pub mod actors;
pub mod articles;
pub mod auth;
pub mod comments;
pub mod follows;
pub mod names;
pub mod reactions;
pub mod remote;

use chrono::{DateTime, Utc};

pub fn now() -> DateTime<Utc> {
    // Microsecond precision: what PostgreSQL stores, so values round-trip equal.
    let n = Utc::now();
    DateTime::from_timestamp_micros(n.timestamp_micros()).unwrap_or(n)
}
