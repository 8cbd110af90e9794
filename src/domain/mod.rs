//! Use cases: creating actors, publishing, following, authenticating.
//!
//! The domain owns transactions. It knows nothing of axum or HTML; it builds
//! outgoing activities through the pure builders of `wire::outbound` and
//! hands them to `delivery` inside the same transaction, then finishes the
//! write with `AppContext::committed`.

pub mod actors;
pub mod articles;
pub mod auth;
pub mod comments;
pub mod follows;
/// Local names: kept in `content` (pure), named here as before.
pub use crate::content::names;
pub mod reactions;
pub mod received;
pub mod remote;
pub mod shares;

/// The clock every row uses (`db::now`).
pub use crate::db::now;
