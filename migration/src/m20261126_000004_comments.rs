//! Comments: replies from anywhere to our articles, threaded by `inReplyTo`.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261126_000004_comments"
    }
}

fn t(name: &str) -> Alias {
    Alias::new(name)
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(t("comment"))
                .col(big_pk_auto(t("id")))
                .col(text_uniq(t("ap_id")))
                .col(big_integer(t("article_id")))
                .col(text(t("in_reply_to")))
                .col(big_integer(t("author_id")))
                .col(text(t("content_html")))
                .col(text(t("state")))
                .col(boolean(t("local")))
                .col(timestamp_with_time_zone(t("published")))
                .col(timestamp_with_time_zone_null(t("updated")))
                .foreign_key(
                    ForeignKey::create()
                        .from(t("comment"), t("article_id"))
                        .to(t("article"), t("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(t("comment"), t("author_id"))
                        .to(t("actor"), t("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("comment_article_published")
                .table(t("comment"))
                .col(t("article_id"))
                .col(t("published"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(t("comment")).to_owned())
            .await
    }
}
