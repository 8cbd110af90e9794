//! Follow relations in both directions: remote actors following our actors, and
//! our communities following remote actors.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "follow")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub follower_id: i64,
    pub target_id: i64,
    /// Id of the `Follow` activity, echoed in `Accept` and matched by `Undo`.
    pub activity_ap_id: Option<String>,
    pub accepted: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::actor::Entity",
        from = "Column::FollowerId",
        to = "super::actor::Column::Id"
    )]
    Follower,
    #[sea_orm(
        belongs_to = "super::actor::Entity",
        from = "Column::TargetId",
        to = "super::actor::Column::Id"
    )]
    Target,
}

impl ActiveModelBehavior for ActiveModel {}
