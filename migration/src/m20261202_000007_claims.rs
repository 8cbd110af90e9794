//! Received activities know whether they were handled: a claim whose
//! request died before finishing can be taken over by a redelivery instead
//! of hiding the activity for the whole retention period. Rows from before
//! count as handled.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000007_claims"
    }
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Alias::new("activity"))
                .add_column(boolean(Alias::new("handled")).default(true).to_owned())
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Alias::new("activity"))
                .drop_column(Alias::new("handled"))
                .to_owned(),
        )
        .await
    }
}
