//! Media: uploaded images (their two stored sizes, named by the SHA-256 of
//! their bytes, and their alt text), which articles use them (the cover and
//! the images of the text, so that deleting the last article that uses an
//! image removes it), an article's cover, and the icon and banner of local
//! actors.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000010_media"
    }
}

fn t(name: &str) -> Alias {
    Alias::new(name)
}

/// `(table, column definition)`, added one by one (SQLite: one per ALTER).
fn columns() -> Vec<(&'static str, ColumnDef)> {
    vec![
        ("article", big_integer_null(t("cover_id"))),
        ("actor", big_integer_null(t("icon_media_id"))),
        ("actor", big_integer_null(t("image_media_id"))),
        // A local actor's banner; `icon_url` already holds its icon.
        ("actor", text_null(t("image_url"))),
    ]
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(t("media"))
                .col(big_pk_auto(t("id")))
                .col(text_uniq(t("uuid")))
                .col(big_integer(t("owner_id")))
                // The stored objects, `<sha256>.<ext>`.
                .col(text(t("name")))
                .col(text(t("mime")))
                .col(integer(t("width")))
                .col(integer(t("height")))
                .col(big_integer(t("size")))
                .col(text(t("thumb_name")))
                .col(text(t("thumb_mime")))
                .col(integer(t("thumb_width")))
                .col(integer(t("thumb_height")))
                .col(text(t("alt")))
                .col(timestamp_with_time_zone(t("created_at")))
                .foreign_key(
                    ForeignKey::create()
                        .from(t("media"), t("owner_id"))
                        .to(t("actor"), t("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("media_name")
                .table(t("media"))
                .col(t("name"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(t("article_media"))
                .col(big_pk_auto(t("id")))
                .col(big_integer(t("article_id")))
                .col(big_integer(t("media_id")))
                .foreign_key(
                    ForeignKey::create()
                        .from(t("article_media"), t("article_id"))
                        .to(t("article"), t("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(t("article_media"), t("media_id"))
                        .to(t("media"), t("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("article_media_pair")
                .table(t("article_media"))
                .col(t("article_id"))
                .col(t("media_id"))
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("article_media_media")
                .table(t("article_media"))
                .col(t("media_id"))
                .to_owned(),
        )
        .await?;
        for (table, mut col) in columns() {
            m.alter_table(
                Table::alter()
                    .table(t(table))
                    .add_column(&mut col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (table, col) in columns().into_iter().rev() {
            m.alter_table(
                Table::alter()
                    .table(t(table))
                    .drop_column(col.get_column_name())
                    .to_owned(),
            )
            .await?;
        }
        m.drop_table(Table::drop().table(t("article_media")).to_owned())
            .await?;
        m.drop_table(Table::drop().table(t("media")).to_owned())
            .await
    }
}
