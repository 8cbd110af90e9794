//! Reports of actors, articles or comments: from our members, or `Flag`s
//! from other servers, in the moderators' queue of the community concerned.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "report")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub uuid: String,
    /// The community concerned; the instance actor when none is.
    pub community_id: i64,
    /// Who reported (a local person, or the remote actor of the Flag).
    pub reporter_id: Option<i64>,
    /// The reported actor, when known.
    pub target_actor_id: Option<i64>,
    /// What is reported: an actor, article or comment id.
    pub object_ap_id: String,
    /// A readable title of it.
    pub object_title: String,
    pub reason: String,
    /// The `Flag`'s id when the report came from another server.
    pub flag_ap_id: Option<String>,
    /// `open` or `resolved`.
    pub state: String,
    /// How it was resolved: `dismiss`, `remove`, `block_actor`,
    /// `block_domain`.
    pub resolution: Option<String>,
    pub created_at: DateTimeUtc,
    pub resolved_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::actor::Entity",
        from = "Column::CommunityId",
        to = "super::actor::Column::Id"
    )]
    Community,
}

impl ActiveModelBehavior for ActiveModel {}
