//! peerpress: a federated ActivityPub publishing server for commons communities.
//!
//! Layers point one way:
//!
//! ```text
//! cli ──► app ──► web ─────────┐
//!                 federation ──┼──► domain ──► entity (sea-orm)
//!                              │      └──► delivery (durable outbox) ──► other servers
//!                              └──► content (markdown, sanitizing, licences)
//! ```
//!
//! `web` and `federation` parse and render; `domain` owns transactions and
//! rules; only `delivery` sends to other servers, and `federation` fetches
//! from them. Everything travels in an [`context::AppContext`]: no globals, so
//! one process (the tests) can run several instances.

pub mod app;
pub mod cache;
pub mod cli;
pub mod config;
pub mod content;
pub mod context;
pub mod db;
pub mod delivery;
pub mod domain;
pub mod error;
pub mod federation;
pub mod ratelimit;
pub mod web;
pub mod wire;
