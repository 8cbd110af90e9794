//! Conversations: likes and shares (`Announce`s) of objects, by anyone;
//! a comment policy per community; and the public moderation log.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261126_000005_conversations"
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
                .table(t("reaction"))
                .col(big_pk_auto(t("id")))
                .col(text(t("kind")))
                .col(big_integer(t("actor_id")))
                .col(text(t("object_ap_id")))
                .col(text(t("activity_ap_id")))
                .col(timestamp_with_time_zone(t("created_at")))
                .foreign_key(
                    ForeignKey::create()
                        .from(t("reaction"), t("actor_id"))
                        .to(t("actor"), t("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("reaction_once")
                .table(t("reaction"))
                .col(t("object_ap_id"))
                .col(t("kind"))
                .col(t("actor_id"))
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("reaction_activity")
                .table(t("reaction"))
                .col(t("activity_ap_id"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(t("actor"))
                .add_column(text_null(t("comment_policy")))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(t("moderation_log"))
                .col(big_pk_auto(t("id")))
                .col(big_integer(t("community_id")))
                .col(big_integer_null(t("moderator_id")))
                .col(text(t("action")))
                .col(text(t("object_ap_id")))
                .col(text(t("reason")))
                .col(timestamp_with_time_zone(t("created_at")))
                .foreign_key(
                    ForeignKey::create()
                        .from(t("moderation_log"), t("community_id"))
                        .to(t("actor"), t("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(t("moderation_log"), t("moderator_id"))
                        .to(t("actor"), t("id"))
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("moderation_log_community")
                .table(t("moderation_log"))
                .col(t("community_id"))
                .col(t("id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("comment_state")
                .table(t("comment"))
                .col(t("state"))
                .col(t("article_id"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("comment_state")
                .table(t("comment"))
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(t("moderation_log")).to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table(t("actor"))
                .drop_column(t("comment_policy"))
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(t("reaction")).to_owned())
            .await
    }
}
