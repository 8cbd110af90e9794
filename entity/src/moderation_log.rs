//! The public moderation log: every moderation and federation decision of
//! a community (or, under the instance actor, of the instance), who took it
//! in which role, and why.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "moderation_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub community_id: i64,
    /// The local person who decided; `NULL` once their account is gone.
    pub moderator_id: Option<i64>,
    /// What was decided: `approve`, `remove`, `restore`, `policy`,
    /// `settings`, `charter`, `role_granted`, `role_removed`,
    /// `actor_blocked`, `actor_unblocked`, `domain_blocked`,
    /// `domain_unblocked`, `domain_allowed`, `domain_disallowed`,
    /// `federation_mode`, `report_resolved`.
    pub action: String,
    /// The object acted on (a comment id, or the community for `policy`).
    pub object_ap_id: String,
    pub reason: String,
    pub created_at: DateTimeUtc,
    /// The decider's role when they decided (`steward`, `moderator`,
    /// `admin`…), always shown.
    pub decider_role: String,
    /// A readable title of the target (a comment's first words, an
    /// article's title, an actor's handle, a domain).
    pub target_title: String,
    /// False for a domain block not marked public: shown as "a domain".
    pub public: bool,
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
