//! Articles: ours (with a `uuid`) and remote ones received from followed actors.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "article")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Local articles only: the uuid in `/articles/{uuid}`.
    #[sea_orm(unique)]
    pub uuid: Option<String>,
    #[sea_orm(unique)]
    pub ap_id: String,
    pub local: bool,
    /// The community (`audience`), local or remote, when known.
    pub community_id: Option<i64>,
    pub author_id: i64,
    pub title: String,
    pub slug: Option<String>,
    /// Plain text teaser.
    pub summary: String,
    /// Sanitized HTML.
    pub content_html: String,
    /// Markdown source, when we have it.
    pub source_md: Option<String>,
    /// The human-readable page.
    pub url: Option<String>,
    pub language: Option<String>,
    pub licence: Option<String>,
    pub draft: bool,
    pub published: DateTimeUtc,
    pub updated: Option<DateTimeUtc>,
    pub deleted_at: Option<DateTimeUtc>,
    /// `article` (an `Article`), `note` (an announcement, a `Note`), and
    /// for remote posts also `event` and `question`.
    pub kind: String,
    /// Events: when they start and end, and where (plain text).
    pub start_time: Option<DateTimeUtc>,
    pub end_time: Option<DateTimeUtc>,
    pub location: Option<String>,
    /// A remote copy whose domain is blocked or silenced: kept, not listed.
    pub hidden: bool,
    /// A scheduled draft: published (and federated) at this time.
    pub publish_at: Option<DateTimeUtc>,
    /// A draft's secret preview link (`/preview/{token}`).
    pub preview_token: Option<String>,
    /// The cover image (`media.id`): the Article's `image`, `og:image`.
    pub cover_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::actor::Entity",
        from = "Column::AuthorId",
        to = "super::actor::Column::Id"
    )]
    Author,
    #[sea_orm(
        belongs_to = "super::actor::Entity",
        from = "Column::CommunityId",
        to = "super::actor::Column::Id"
    )]
    Community,
    #[sea_orm(has_many = "super::article_author::Entity")]
    Authors,
    #[sea_orm(has_many = "super::article_tag::Entity")]
    Tags,
    #[sea_orm(has_many = "super::comment::Entity")]
    Comments,
}

impl Related<super::article_author::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Authors.def()
    }
}

impl Related<super::article_tag::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Tags.def()
    }
}

impl Related<super::comment::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Comments.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
