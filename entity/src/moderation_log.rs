//! The public moderation log: every moderation decision of a community,
//! who took it and why.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "moderation_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub community_id: i64,
    /// The local person who decided; `NULL` once their account is gone.
    pub moderator_id: Option<i64>,
    /// `approve`, `remove` or `policy`.
    pub action: String,
    /// The object acted on (a comment id, or the community for `policy`).
    pub object_ap_id: String,
    pub reason: String,
    pub created_at: DateTimeUtc,
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
        from = "Column::ModeratorId",
        to = "super::actor::Column::Id"
    )]
    Moderator,
}

impl ActiveModelBehavior for ActiveModel {}
