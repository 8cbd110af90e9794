//! Domains the instance refuses (`suspend`) or hides (`silence`), with the
//! reason shown in the moderation log.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "domain_block")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Lowercase, without a trailing dot; it covers its subdomains. May
    /// carry a port (`host:port`), then only that authority is covered.
    #[sea_orm(unique)]
    pub domain: String,
    pub severity: Severity,
    pub reason: String,
    /// Shown by name in the public log; otherwise "a domain".
    pub public: bool,
    pub reject_media: bool,
    pub reject_reports: bool,
    pub obfuscate: bool,
    pub created_at: DateTimeUtc,
}

/// What a block does, in Mastodon's words.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum Severity {
    /// Refused: no follows, deliveries, fetches or requests either way.
    #[sea_orm(string_value = "suspend")]
    Suspend,
    /// Accepted, but its content is hidden.
    #[sea_orm(string_value = "silence")]
    Silence,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
