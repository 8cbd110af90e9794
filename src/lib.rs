//! peerpress: a federated ActivityPub publishing server for commons communities.
//!
//! Layers point one way. Bottom to top, each may use only its own layer
//! and those below it (`tests/architecture.rs` fails the build otherwise):
//!
//! ```text
//! 6  app, cli                      start-up, one clap enum
//! 5  web                           axum: pages, API, feeds, well-known,
//!                                  inbox endpoints, signed-fetch middleware
//! 4  federation                    inbound and remote fetching: verify, parse
//!                                  once, convert wire → domain input, call the domain
//! 3  domain                        every use case and every transaction
//! 2  delivery                      the durable outbox and its engine
//! 1  db, cache, context, media     storage (+ the entity and migration crates),
//!                                  the response-cache store, AppContext,
//!                                  uploaded images (object store, processing)
//! 0  config, error, content,       foundations: settings, one error type, text
//!    wire, ratelimit, telemetry    (Markdown, sanitizing, licences, names),
//!                                  ActivityStreams structs, outgoing builders,
//!                                  HTTP signatures, pure guards; rate buckets;
//!                                  the per-instance metrics registry
//! ```
//!
//! Only `delivery` sends to other servers, and `federation` fetches from
//! them. Everything travels in an [`context::AppContext`]: no globals, so
//! one process (the tests) can run several instances. A write ends with
//! [`context::AppContext::committed`], which wakes delivery and drops from
//! the response cache (in every process) the pages that show what it
//! changed, named with [`cache::Changes`] built by [`domain::shown`].

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
pub mod media;
pub mod ratelimit;
pub mod telemetry;
pub mod web;
pub mod wire;
