//! Accounts for the browser: passwords (argon2id hashes), sessions (stored
//! here so that every process of an instance knows them; the cookie holds a
//! secret whose SHA-256 is `token_hash`), one-time sign-in links, failed
//! sign-ins (counted per account and per address to slow guessing), and a
//! label for API tokens so people can tell theirs apart.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000011_accounts"
    }
}

fn t(name: &str) -> Alias {
    Alias::new(name)
}

fn person_fk(table: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(t(table), t("person_id"))
        .to(t("actor"), t("id"))
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(t("password"))
                .col(big_pk_auto(t("id")))
                .col(big_integer_uniq(t("person_id")))
                .col(text(t("hash")))
                .col(timestamp_with_time_zone(t("updated_at")))
                .foreign_key(&mut person_fk("password"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(t("session"))
                .col(big_pk_auto(t("id")))
                .col(text_uniq(t("token_hash")))
                .col(big_integer(t("person_id")))
                // The secret every form of this session carries.
                .col(text(t("csrf")))
                .col(text(t("user_agent")))
                .col(timestamp_with_time_zone(t("created_at")))
                .col(timestamp_with_time_zone(t("last_seen_at")))
                .col(timestamp_with_time_zone(t("expires_at")))
                .foreign_key(&mut person_fk("session"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("session_person")
                .table(t("session"))
                .col(t("person_id"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(t("login_link"))
                .col(big_pk_auto(t("id")))
                .col(text_uniq(t("token_hash")))
                .col(big_integer(t("person_id")))
                .col(timestamp_with_time_zone(t("created_at")))
                .col(timestamp_with_time_zone(t("expires_at")))
                .col(timestamp_with_time_zone_null(t("used_at")))
                .foreign_key(&mut person_fk("login_link"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(t("login_failure"))
                .col(big_pk_auto(t("id")))
                .col(text(t("username")))
                .col(text(t("addr")))
                .col(timestamp_with_time_zone(t("at")))
                .to_owned(),
        )
        .await?;
        for (name, col) in [
            ("login_failure_username", "username"),
            ("login_failure_addr", "addr"),
            ("login_failure_at", "at"),
        ] {
            let mut index = Index::create();
            index.name(name).table(t("login_failure")).col(t(col));
            if col != "at" {
                index.col(t("at"));
            }
            m.create_index(index.to_owned()).await?;
        }
        m.alter_table(
            Table::alter()
                .table(t("api_token"))
                .add_column(text_null(t("label")))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(t("api_token"))
                .drop_column(t("label"))
                .to_owned(),
        )
        .await?;
        for table in ["login_failure", "login_link", "session", "password"] {
            m.drop_table(Table::drop().table(t(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
