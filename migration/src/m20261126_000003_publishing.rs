//! Publishing: article kinds (articles and announcements), co-authors, tags,
//! slug history for redirects, community licence and charter, and an index
//! for keyset-paged outboxes.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261126_000003_publishing"
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
                .table(t("article"))
                .add_column(text(t("kind")).default("article"))
                .to_owned(),
        )
        .await?;
        for col in ["licence", "charter"] {
            m.alter_table(
                Table::alter()
                    .table(t("actor"))
                    .add_column(text_null(t(col)))
                    .to_owned(),
            )
            .await?;
        }
        m.create_table(
            Table::create()
                .table(t("article_author"))
                .col(big_pk_auto(t("id")))
                .col(big_integer(t("article_id")))
                .col(big_integer(t("person_id")))
                .col(integer(t("position")))
                .foreign_key(
                    ForeignKey::create()
                        .from(t("article_author"), t("article_id"))
                        .to(t("article"), t("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(t("article_author"), t("person_id"))
                        .to(t("actor"), t("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("article_author_pair")
                .table(t("article_author"))
                .col(t("article_id"))
                .col(t("person_id"))
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("article_author_person")
                .table(t("article_author"))
                .col(t("person_id"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(t("article_tag"))
                .col(big_pk_auto(t("id")))
                .col(big_integer(t("article_id")))
                .col(text(t("tag")))
                .foreign_key(
                    ForeignKey::create()
                        .from(t("article_tag"), t("article_id"))
                        .to(t("article"), t("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("article_tag_tag")
                .table(t("article_tag"))
                .col(t("tag"))
                .col(t("article_id"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(t("article_slug"))
                .col(big_pk_auto(t("id")))
                .col(big_integer(t("community_id")))
                .col(text(t("slug")))
                .col(big_integer(t("article_id")))
                .foreign_key(
                    ForeignKey::create()
                        .from(t("article_slug"), t("article_id"))
                        .to(t("article"), t("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("article_slug_unique")
                .table(t("article_slug"))
                .col(t("community_id"))
                .col(t("slug"))
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("activity_actor_id")
                .table(t("activity"))
                .col(t("actor_ap_id"))
                .col(t("id"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("activity_actor_id")
                .table(t("activity"))
                .to_owned(),
        )
        .await?;
        for table in ["article_slug", "article_tag", "article_author"] {
            m.drop_table(Table::drop().table(t(table)).to_owned())
                .await?;
        }
        for col in ["licence", "charter"] {
            m.alter_table(
                Table::alter()
                    .table(t("actor"))
                    .drop_column(t(col))
                    .to_owned(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table(t("article"))
                .drop_column(t("kind"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
