//! The durable outbox: one row per (activity, target inbox).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "delivery")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub activity_id: i64,
    /// The local actor whose key signs the request.
    pub actor_id: i64,
    pub inbox_url: String,
    /// Authority of `inbox_url`, for per-host accounting.
    pub host: String,
    pub state: DeliveryState,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    pub locked_until: Option<DateTimeUtc>,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The object the activity is about: deliveries with the same key reach
    /// an inbox in order (Create before Update before Delete).
    pub object_key: Option<String>,
}

/// Where a delivery stands; stored as its lowercase name (the claim query
/// in `delivery::engine` names `pending` in its SQL).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum DeliveryState {
    /// Waiting for its next attempt.
    #[sea_orm(string_value = "pending")]
    Pending,
    /// Accepted by the receiving server.
    #[sea_orm(string_value = "done")]
    Done,
    /// Given up: a 4xx, or too many attempts.
    #[sea_orm(string_value = "failed")]
    Failed,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::activity::Entity",
        from = "Column::ActivityId",
        to = "super::activity::Column::Id"
    )]
    Activity,
    #[sea_orm(
        belongs_to = "super::actor::Entity",
        from = "Column::ActorId",
        to = "super::actor::Column::Id"
    )]
    Actor,
}

impl Related<super::activity::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Activity.def()
    }
}

impl Related<super::actor::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Actor.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
