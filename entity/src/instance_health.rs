//! How each remote host has answered our deliveries; parked hosts get no
//! attempts until they speak to us again or an admin revives them.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "instance_health")]
pub struct Model {
    /// Authority (host and port).
    #[sea_orm(primary_key, auto_increment = false)]
    pub host: String,
    /// Distinct days with failed attempts since the last success.
    pub failure_days: i32,
    /// `YYYY-MM-DD` (UTC) of the last failure.
    pub last_failure_day: Option<String>,
    pub last_failure_at: Option<DateTimeUtc>,
    pub last_success_at: Option<DateTimeUtc>,
    pub parked: bool,
    pub parked_at: Option<DateTimeUtc>,
    pub last_error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
