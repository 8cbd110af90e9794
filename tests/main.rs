//! The one integration test binary: real instances on `localhost:<port>`,
//! each with a fresh migrated database (SQLite, and PostgreSQL too when
//! `PEERPRESS_TEST_POSTGRES` holds a connection URL).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;

mod accounts;
mod architecture;
mod articles;
mod attacks;
mod binary;
mod comments;
mod conversations;
mod delivery;
mod errors;
mod fixtures_parse;
mod governance;
mod i18n;
mod inbound;
mod inbox;
mod interop_fedify;
mod media;
mod operations;
mod publishing;
mod quality;
mod scaling;
mod shapes;
mod storage;
