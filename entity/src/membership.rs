//! Roles of local people in local communities.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "membership")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub community_id: i64,
    pub person_id: i64,
    pub role: Role,
    pub created_at: DateTimeUtc,
}

/// A person's role in a community; stored as its lowercase name.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum Role {
    #[sea_orm(string_value = "steward")]
    Steward,
    #[sea_orm(string_value = "editor")]
    Editor,
    #[sea_orm(string_value = "moderator")]
    Moderator,
    #[sea_orm(string_value = "author")]
    Author,
    #[sea_orm(string_value = "member")]
    Member,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::actor::Entity",
        from = "Column::CommunityId",
        to = "super::actor::Column::Id"
    )]
    Community,
    #[sea_orm(
        belongs_to = "super::actor::Entity",
        from = "Column::PersonId",
        to = "super::actor::Column::Id"
    )]
    Person,
}

impl ActiveModelBehavior for ActiveModel {}
