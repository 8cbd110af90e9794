//! Governance: community settings (`review_required`), the federation
//! policy (domain blocks and allows, the mode), actor blocks per community,
//! reports, and a moderation log that records who decided in which role,
//! with a readable title of the target. Content hidden by a domain block is
//! kept (`comment.hidden_from`, `article.hidden`) so an unblock restores it.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000008_governance"
    }
}

fn t(name: &str) -> Alias {
    Alias::new(name)
}

/// `(table, column definition)`, added one by one (SQLite: one per ALTER).
fn columns() -> Vec<(&'static str, ColumnDef)> {
    vec![
        (
            "actor",
            boolean(t("review_required")).default(false).to_owned(),
        ),
        (
            "moderation_log",
            text(t("decider_role")).default("moderator").to_owned(),
        ),
        (
            "moderation_log",
            text(t("target_title")).default("").to_owned(),
        ),
        (
            "moderation_log",
            boolean(t("public")).default(true).to_owned(),
        ),
        // The state a comment had before a domain block hid it.
        ("comment", text_null(t("hidden_from"))),
        ("article", boolean(t("hidden")).default(false).to_owned()),
    ]
}

fn fk(from: &str, col: &str, action: ForeignKeyAction) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(t(from), t(col))
        .to(t("actor"), t("id"))
        .on_delete(action)
        .to_owned()
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
        m.create_table(
            Table::create()
                .table(t("domain_block"))
                .col(big_pk_auto(t("id")))
                .col(text_uniq(t("domain")))
                // `suspend` (refused) or `silence` (accepted, hidden).
                .col(text(t("severity")))
                .col(text(t("reason")))
                .col(boolean(t("public")))
                .col(boolean(t("reject_media")))
                .col(boolean(t("reject_reports")))
                .col(boolean(t("obfuscate")))
                .col(timestamp_with_time_zone(t("created_at")))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(t("domain_allow"))
                .col(big_pk_auto(t("id")))
                .col(text_uniq(t("domain")))
                .col(timestamp_with_time_zone(t("created_at")))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(t("instance_setting"))
                .col(text(t("key")).primary_key())
                .col(text(t("value")))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(t("actor_block"))
                .col(big_pk_auto(t("id")))
                .col(big_integer(t("community_id")))
                .col(big_integer(t("actor_id")))
                .col(text(t("reason")))
                .col(timestamp_with_time_zone(t("created_at")))
                .foreign_key(&mut fk(
                    "actor_block",
                    "community_id",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "actor_block",
                    "actor_id",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("actor_block_once")
                .table(t("actor_block"))
                .col(t("community_id"))
                .col(t("actor_id"))
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(t("report"))
                .col(big_pk_auto(t("id")))
                .col(string_uniq(t("uuid")))
                // The community concerned (the instance actor when none is).
                .col(big_integer(t("community_id")))
                .col(big_integer_null(t("reporter_id")))
                // The reported actor, when known.
                .col(big_integer_null(t("target_actor_id")))
                .col(text(t("object_ap_id")))
                .col(text(t("object_title")))
                .col(text(t("reason")))
                // The Flag's id when it came from another server.
                .col(text_null(t("flag_ap_id")))
                // `open` or `resolved`.
                .col(text(t("state")))
                .col(text_null(t("resolution")))
                .col(timestamp_with_time_zone(t("created_at")))
                .col(timestamp_with_time_zone_null(t("resolved_at")))
                .foreign_key(&mut fk("report", "community_id", ForeignKeyAction::Cascade))
                .foreign_key(&mut fk("report", "reporter_id", ForeignKeyAction::SetNull))
                .foreign_key(&mut fk(
                    "report",
                    "target_actor_id",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("report_queue")
                .table(t("report"))
                .col(t("community_id"))
                .col(t("state"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "report",
            "actor_block",
            "instance_setting",
            "domain_allow",
            "domain_block",
        ] {
            m.drop_table(Table::drop().table(t(table)).to_owned())
                .await?;
        }
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
