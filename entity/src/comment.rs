//! Comments on our articles: replies received from other servers.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "comment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub ap_id: String,
    /// The article the thread belongs to.
    pub article_id: i64,
    /// What it answers: the article or another comment (threading).
    pub in_reply_to: String,
    pub author_id: i64,
    /// Sanitized HTML.
    pub content_html: String,
    pub state: CommentState,
    pub local: bool,
    pub published: DateTimeUtc,
    pub updated: Option<DateTimeUtc>,
    /// `public`, `unlisted` (Public only in `cc`), `followers` or `direct`,
    /// read from its addressing as Mastodon does. Followers-only and direct
    /// replies have the state `private`: never shown, listed or announced.
    pub visibility: String,
    /// The content warning, when there is one.
    pub summary: Option<String>,
    /// Shown collapsed behind `summary`.
    pub sensitive: bool,
    pub language: Option<String>,
    /// JSON list of `{url, media_type, alt}`.
    pub attachments: String,
    /// JSON list of `{href, name}`: the actors it mentions.
    pub mentions: String,
    /// JSON list of hashtags, without `#`.
    pub hashtags: String,
    /// JSON list of the ids of the local people a private reply addresses.
    pub recipients: String,
    /// The page of the original, when its server gave one.
    pub url: Option<String>,
    /// Hidden by a domain block: the state to restore on unblock (`state`
    /// is `hidden` meanwhile).
    pub hidden_from: Option<String>,
}

/// Where a comment stands; stored as its lowercase name.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum CommentState {
    /// Shown, and listed in the article's `replies`.
    #[sea_orm(string_value = "accepted")]
    Accepted,
    /// Waiting for a moderator.
    #[sea_orm(string_value = "held")]
    Held,
    /// By a moderator; kept so the same id cannot come back.
    #[sea_orm(string_value = "removed")]
    Removed,
    /// A local comment its author deleted; its id answers 410.
    #[sea_orm(string_value = "deleted")]
    Deleted,
    /// A followers-only or direct reply: never shown, only in the inbox of
    /// the local people it addresses.
    #[sea_orm(string_value = "private")]
    Private,
    /// Its author's domain is blocked or silenced; `hidden_from` keeps the
    /// state an unblock restores.
    #[sea_orm(string_value = "hidden")]
    Hidden,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::article::Entity",
        from = "Column::ArticleId",
        to = "super::article::Column::Id"
    )]
    Article,
    #[sea_orm(
        belongs_to = "super::actor::Entity",
        from = "Column::AuthorId",
        to = "super::actor::Column::Id"
    )]
    Author,
}

impl Related<super::article::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Article.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
