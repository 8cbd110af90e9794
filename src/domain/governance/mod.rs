//! Governance: who may do what in a community (one permission table),
//! members and roles, community settings and profiles, the instance's
//! federation policy (domain blocks and allows), actor blocks, reports, and
//! the one public moderation log that records every decision with its
//! reason.
//!
//! Its decisions are rare and may change many pages (a blocked domain's
//! comments disappear everywhere, a community's settings show on all its
//! pages): they end with `Changes::everything()`.

pub mod blocks;
pub mod log;
pub mod members;
pub mod permissions;
pub mod policy;
pub mod reports;
pub mod settings;

pub use permissions::{Permission, require};
