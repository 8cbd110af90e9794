//! Every ActivityPub actor we know: our own (instance, communities, people) and
//! remote ones (followers, followed communities, authors of what we received).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "actor")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The ActivityPub id (URL); never changes.
    #[sea_orm(unique)]
    pub ap_id: String,
    /// `application`, `group`, `person`, `service` or `organization`.
    pub kind: String,
    /// `preferredUsername`.
    pub username: String,
    /// Authority (host and port) of `ap_id`.
    pub host: String,
    /// For local actors only: the name in the instance-wide namespace shared by
    /// communities and people. `NULL` for remote actors.
    #[sea_orm(unique)]
    pub local_name: Option<String>,
    pub display_name: Option<String>,
    pub summary: Option<String>,
    pub inbox_url: String,
    pub shared_inbox_url: Option<String>,
    pub outbox_url: Option<String>,
    pub followers_url: Option<String>,
    pub public_key_pem: String,
    /// PKCS#8 PEM; only for local actors and never served.
    pub private_key_pem: Option<String>,
    pub local: bool,
    pub icon_url: Option<String>,
    pub manually_approves: bool,
    pub published: DateTimeUtc,
    pub last_refreshed_at: DateTimeUtc,
    /// Local people only: may use the instance's admin commands and API.
    pub admin: bool,
    /// Communities: the default licence of their articles.
    pub licence: Option<String>,
    /// Communities: the published charter (Markdown).
    pub charter: Option<String>,
    /// Communities: whose comments from other servers are shown without
    /// approval: `open` (everyone; the default when NULL), `held` (every
    /// remote comment waits for a moderator) or `followers` (followers of the
    /// community; others are held). Members' own comments are always shown.
    pub comment_policy: Option<String>,
    /// Articles of authors wait for an editor's review (editorial review).
    pub review_required: bool,
    /// Local actors: the uploaded icon (avatar) and banner (`media.id`);
    /// `icon_url` and `image_url` hold their addresses.
    pub icon_media_id: Option<i64>,
    pub image_media_id: Option<i64>,
    /// The banner (`image` of the actor document).
    pub image_url: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
