//! Database migrations, append-only: a released migration is never edited;
//! every change of schema is a new file listed at the end of `migrations()`.
//! Production (`peerpress migrate`, and `serve` at start) and every test run them.

pub use sea_orm_migration::prelude::*;

mod m20261126_000001_init;
mod m20261126_000002_delivery_engine;
mod m20261126_000003_publishing;
mod m20261126_000004_comments;
mod m20261126_000005_conversations;
mod m20261202_000006_inbound;
mod m20261202_000007_claims;
mod m20261202_000008_governance;
mod m20261202_000009_publishing;
mod m20261202_000010_media;
mod m20261202_000011_accounts;

pub struct Migrator;

#[sea_orm_migration::async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261126_000001_init::Migration),
            Box::new(m20261126_000002_delivery_engine::Migration),
            Box::new(m20261126_000003_publishing::Migration),
            Box::new(m20261126_000004_comments::Migration),
            Box::new(m20261126_000005_conversations::Migration),
            Box::new(m20261202_000006_inbound::Migration),
            Box::new(m20261202_000007_claims::Migration),
            Box::new(m20261202_000008_governance::Migration),
            Box::new(m20261202_000009_publishing::Migration),
            Box::new(m20261202_000010_media::Migration),
            Box::new(m20261202_000011_accounts::Migration),
        ]
    }
}
