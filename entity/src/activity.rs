//! Activities we sent (dereferenceable at their id) and received (kept for
//! deduplication by id).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "activity")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub ap_id: String,
    pub kind: ActivityKind,
    pub actor_ap_id: String,
    /// The serialized activity, exactly as sent or received.
    pub json: String,
    pub local: bool,
    pub created_at: DateTimeUtc,
    /// A received activity: false while a request handles it. A claim
    /// left unhandled (the process died) may be taken over later.
    pub handled: bool,
}

/// An activity's `type`; stored as its ActivityStreams name, and `Other`
/// for the types we keep no meaning for (the JSON keeps the real name).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum ActivityKind {
    #[sea_orm(string_value = "Create")]
    Create,
    #[sea_orm(string_value = "Update")]
    Update,
    #[sea_orm(string_value = "Delete")]
    Delete,
    #[sea_orm(string_value = "Follow")]
    Follow,
    #[sea_orm(string_value = "Accept")]
    Accept,
    #[sea_orm(string_value = "Reject")]
    Reject,
    #[sea_orm(string_value = "Undo")]
    Undo,
    #[sea_orm(string_value = "Announce")]
    Announce,
    #[sea_orm(string_value = "Like")]
    Like,
    #[sea_orm(string_value = "EmojiReact")]
    EmojiReact,
    #[sea_orm(string_value = "Flag")]
    Flag,
    #[sea_orm(string_value = "Block")]
    Block,
    #[sea_orm(string_value = "Move")]
    Move,
    #[sea_orm(string_value = "Add")]
    Add,
    #[sea_orm(string_value = "Remove")]
    Remove,
    #[sea_orm(string_value = "Other")]
    Other,
}

impl ActivityKind {
    /// The kind of an ActivityStreams `type` name (`as:`-prefixed or not).
    pub fn of(type_name: &str) -> ActivityKind {
        use sea_orm::Iterable;
        let name = type_name.strip_prefix("as:").unwrap_or(type_name);
        ActivityKind::iter()
            .find(|k| k.to_value() == name)
            .unwrap_or(ActivityKind::Other)
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
