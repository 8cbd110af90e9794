//! sea-orm entities for peerpress: tables, columns and relations only.
//!
//! No behaviour lives here; the `domain` module of the application owns every
//! use of these types. Wire formats (ActivityStreams) and views (HTML, API JSON)
//! are separate types that convert explicitly from these.

pub mod activity;
pub mod actor;
pub mod actor_block;
pub mod api_token;
pub mod article;
pub mod article_author;
pub mod article_media;
pub mod article_slug;
pub mod article_tag;
pub mod comment;
pub mod delivery;
pub mod domain_allow;
pub mod domain_block;
pub mod follow;
pub mod instance_health;
pub mod instance_setting;
pub mod login_failure;
pub mod login_link;
pub mod media;
pub mod membership;
pub mod moderation_log;
pub mod password;
pub mod reaction;
pub mod report;
pub mod session;
