//! Inbound correctness: what a comment's author sent is kept (its
//! visibility, content warning, language, attachments, mentions and
//! hashtags, and for private replies the local people addressed), and
//! remote events keep their time and place.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000006_inbound"
    }
}

fn t(name: &str) -> Alias {
    Alias::new(name)
}

/// `(table, column definition)`, added one by one: SQLite takes one column
/// per `ALTER TABLE`.
fn columns() -> Vec<(&'static str, ColumnDef)> {
    vec![
        (
            "comment",
            text(t("visibility")).default("public").to_owned(),
        ),
        ("comment", text_null(t("summary"))),
        ("comment", boolean(t("sensitive")).default(false).to_owned()),
        ("comment", text_null(t("language"))),
        ("comment", text(t("attachments")).default("[]").to_owned()),
        ("comment", text(t("mentions")).default("[]").to_owned()),
        ("comment", text(t("hashtags")).default("[]").to_owned()),
        ("comment", text(t("recipients")).default("[]").to_owned()),
        ("comment", text_null(t("url"))),
        ("article", timestamp_with_time_zone_null(t("start_time"))),
        ("article", timestamp_with_time_zone_null(t("end_time"))),
        ("article", text_null(t("location"))),
    ]
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (table, mut col) in columns() {
            m.alter_table(
                Table::alter()
                    .table(t(table))
                    .add_column(&mut col)
                    .to_owned(),
            )
            .await?;
        }
        // Received activities are pruned by age.
        m.create_index(
            Index::create()
                .name("activity_created")
                .table(t("activity"))
                .col(t("local"))
                .col(t("created_at"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("activity_created")
                .table(t("activity"))
                .to_owned(),
        )
        .await?;
        for (table, col) in columns().into_iter().rev() {
            m.alter_table(
                Table::alter()
                    .table(t(table))
                    .drop_column(col.get_column_name())
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
