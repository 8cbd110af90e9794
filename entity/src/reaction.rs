//! Likes and shares (`Announce`s) of objects: of ours by anyone, and of
//! remote articles by the actors our communities follow (how an article
//! reaches a community's network feed).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reaction")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// `like` or `announce`.
    pub kind: String,
    pub actor_id: i64,
    /// The liked or shared object's ActivityPub id.
    pub object_ap_id: String,
    /// The `Like` or `Announce` activity's id (what an `Undo` names).
    pub activity_ap_id: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::actor::Entity",
        from = "Column::ActorId",
        to = "super::actor::Column::Id"
    )]
    Actor,
}

impl Related<super::actor::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Actor.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
