//! Uploaded images: two stored sizes (objects named by the SHA-256 of their
//! bytes, so the same image uploaded twice is stored once) and alt text.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "media")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The id the API gives out.
    #[sea_orm(unique)]
    pub uuid: String,
    /// Who uploaded it.
    pub owner_id: i64,
    /// The display size: `<sha256>.<ext>`, served at `/media/{name}`.
    pub name: String,
    pub mime: String,
    pub width: i32,
    pub height: i32,
    /// Bytes of the display size.
    pub size: i64,
    pub thumb_name: String,
    pub thumb_mime: String,
    pub thumb_width: i32,
    pub thumb_height: i32,
    /// The description shown where the image cannot be.
    pub alt: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
