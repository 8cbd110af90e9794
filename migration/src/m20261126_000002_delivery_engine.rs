//! Delivery engine: per-object ordering key on deliveries, instance health
//! (failure days, parking), and the instance-admin flag on actors.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261126_000002_delivery_engine"
    }
}

fn t(name: &str) -> Alias {
    Alias::new(name)
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(t("delivery"))
                .add_column(text_null(t("object_key")))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("delivery_inbox_object")
                .table(t("delivery"))
                .col(t("inbox_url"))
                .col(t("object_key"))
                .col(t("state"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(t("actor"))
                .add_column(boolean(t("admin")).default(false))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(t("instance_health"))
                .col(text(t("host")).primary_key())
                .col(integer(t("failure_days")).default(0))
                .col(text_null(t("last_failure_day")))
                .col(timestamp_with_time_zone_null(t("last_failure_at")))
                .col(timestamp_with_time_zone_null(t("last_success_at")))
                .col(boolean(t("parked")).default(false))
                .col(timestamp_with_time_zone_null(t("parked_at")))
                .col(text_null(t("last_error")))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(t("instance_health")).to_owned())
            .await?;
        m.drop_index(
            Index::drop()
                .name("delivery_inbox_object")
                .table(t("delivery"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(t("delivery"))
                .drop_column(t("object_key"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(t("actor"))
                .drop_column(t("admin"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
