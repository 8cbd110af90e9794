//! Publishing quality: an article may be scheduled (`publish_at`: a draft
//! until then, published by the scheduler, which survives restarts since
//! it reads this column), and a draft may be previewed by whoever holds its
//! secret link (`preview_token`).
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000009_publishing"
    }
}

fn t(name: &str) -> Alias {
    Alias::new(name)
}

fn columns() -> Vec<ColumnDef> {
    vec![
        timestamp_with_time_zone_null(t("publish_at")),
        text_null(t("preview_token")),
    ]
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for mut col in columns() {
            m.alter_table(
                Table::alter()
                    .table(t("article"))
                    .add_column(&mut col)
                    .to_owned(),
            )
            .await?;
        }
        m.create_index(
            Index::create()
                .name("article_scheduled")
                .table(t("article"))
                .col(t("draft"))
                .col(t("publish_at"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("article_scheduled")
                .table(t("article"))
                .to_owned(),
        )
        .await?;
        for col in columns().into_iter().rev() {
            m.alter_table(
                Table::alter()
                    .table(t("article"))
                    .drop_column(col.get_column_name())
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
