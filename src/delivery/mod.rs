//! The durable outbox and the engine that drains it.
//!
//! Callers enqueue inside their own transaction ([`outbox`]): the activity
//! JSON is stored once, with one delivery row per target inbox. The
//! [`engine`] claims due rows with a lease, signs at send time, and records
//! each outcome; [`health`] tracks hosts that keep failing and parks them.
//! Nothing lives only in memory: a crash loses nothing, and a crashed
//! worker's leases expire so others pick its deliveries up.

pub mod backoff;
pub mod engine;
pub mod health;
pub mod outbox;
pub mod status;

pub use engine::{RoundStats, run_until_idle, worker_loop};
pub use outbox::{enqueue, follower_inboxes, remote_inboxes, store_activity};
