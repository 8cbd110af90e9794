//! The first schema: actors, follows, people's tokens and roles, articles,
//! activities and the delivery outbox.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261126_000001_init"
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
                .table(t("actor"))
                .col(big_pk_auto(t("id")))
                .col(text_uniq(t("ap_id")))
                .col(text(t("kind")))
                .col(text(t("username")))
                .col(text(t("host")))
                .col(text_null(t("local_name")).unique_key())
                .col(text_null(t("display_name")))
                .col(text_null(t("summary")))
                .col(text(t("inbox_url")))
                .col(text_null(t("shared_inbox_url")))
                .col(text_null(t("outbox_url")))
                .col(text_null(t("followers_url")))
                .col(text(t("public_key_pem")))
                .col(text_null(t("private_key_pem")))
                .col(boolean(t("local")))
                .col(text_null(t("icon_url")))
                .col(boolean(t("manually_approves")))
                .col(timestamp_with_time_zone(t("published")))
                .col(timestamp_with_time_zone(t("last_refreshed_at")))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(t("follow"))
                .col(big_pk_auto(t("id")))
                .col(big_integer(t("follower_id")))
                .col(big_integer(t("target_id")))
                .col(text_null(t("activity_ap_id")))
                .col(boolean(t("accepted")))
                .col(timestamp_with_time_zone(t("created_at")))
                .foreign_key(
                    ForeignKey::create()
                        .from(t("follow"), t("follower_id"))
                        .to(t("actor"), t("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(t("follow"), t("target_id"))
                        .to(t("actor"), t("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("follow_pair")
                .table(t("follow"))
                .col(t("follower_id"))
                .col(t("target_id"))
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("follow_target")
                .table(t("follow"))
                .col(t("target_id"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(t("api_token"))
                .col(big_pk_auto(t("id")))
                .col(big_integer(t("person_id")))
                .col(text_uniq(t("token_hash")))
                .col(timestamp_with_time_zone(t("created_at")))
                .foreign_key(
                    ForeignKey::create()
                        .from(t("api_token"), t("person_id"))
                        .to(t("actor"), t("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(t("membership"))
                .col(big_pk_auto(t("id")))
                .col(big_integer(t("community_id")))
                .col(big_integer(t("person_id")))
                .col(text(t("role")))
                .col(timestamp_with_time_zone(t("created_at")))
                .foreign_key(
                    ForeignKey::create()
                        .from(t("membership"), t("community_id"))
                        .to(t("actor"), t("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(t("membership"), t("person_id"))
                        .to(t("actor"), t("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("membership_pair")
                .table(t("membership"))
                .col(t("community_id"))
                .col(t("person_id"))
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(t("article"))
                .col(big_pk_auto(t("id")))
                .col(text_null(t("uuid")).unique_key())
                .col(text_uniq(t("ap_id")))
                .col(boolean(t("local")))
                .col(big_integer_null(t("community_id")))
                .col(big_integer(t("author_id")))
                .col(text(t("title")))
                .col(text_null(t("slug")))
                .col(text(t("summary")))
                .col(text(t("content_html")))
                .col(text_null(t("source_md")))
                .col(text_null(t("url")))
                .col(text_null(t("language")))
                .col(text_null(t("licence")))
                .col(boolean(t("draft")))
                .col(timestamp_with_time_zone(t("published")))
                .col(timestamp_with_time_zone_null(t("updated")))
                .col(timestamp_with_time_zone_null(t("deleted_at")))
                .foreign_key(
                    ForeignKey::create()
                        .from(t("article"), t("community_id"))
                        .to(t("actor"), t("id"))
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(t("article"), t("author_id"))
                        .to(t("actor"), t("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("article_community_published")
                .table(t("article"))
                .col(t("community_id"))
                .col(t("published"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(t("activity"))
                .col(big_pk_auto(t("id")))
                .col(text_uniq(t("ap_id")))
                .col(text(t("kind")))
                .col(text(t("actor_ap_id")))
                .col(text(t("json")))
                .col(boolean(t("local")))
                .col(timestamp_with_time_zone(t("created_at")))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(t("delivery"))
                .col(big_pk_auto(t("id")))
                .col(big_integer(t("activity_id")))
                .col(big_integer(t("actor_id")))
                .col(text(t("inbox_url")))
                .col(text(t("host")))
                .col(text(t("state")))
                .col(integer(t("attempts")))
                .col(timestamp_with_time_zone(t("next_attempt_at")))
                .col(timestamp_with_time_zone_null(t("locked_until")))
                .col(integer_null(t("last_status")))
                .col(text_null(t("last_error")))
                .col(timestamp_with_time_zone(t("created_at")))
                .col(timestamp_with_time_zone(t("updated_at")))
                .foreign_key(
                    ForeignKey::create()
                        .from(t("delivery"), t("activity_id"))
                        .to(t("activity"), t("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(t("delivery"), t("actor_id"))
                        .to(t("actor"), t("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("delivery_due")
                .table(t("delivery"))
                .col(t("state"))
                .col(t("next_attempt_at"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "delivery",
            "activity",
            "article",
            "membership",
            "api_token",
            "follow",
            "actor",
        ] {
            m.drop_table(Table::drop().table(t(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
