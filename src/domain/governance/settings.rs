//! A community's identity and settings (title, summary, charter, default
//! licence, comment policy, review), and a person's profile (display name,
//! bio). A change updates the actor and sends `Update` with its document to
//! its followers, in the same transaction; the community's changes are
//! logged.

use super::log::{self, Decision};
use super::permissions::{Decider, Permission, require};
use crate::content::{self, licences};
use crate::context::AppContext;
use crate::delivery;
use crate::error::{AppError, AppResult};
use crate::wire::outbound;
use entity::actor;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use std::collections::BTreeMap;

pub const TITLE_MAX: usize = 100;
pub const CHARTER_MAX: usize = 50_000;
pub const NAME_MAX: usize = 100;

/// Changes to a community's settings; `None` leaves a setting as it is,
/// `Some(None)` clears it.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CommunityChanges {
    /// Its display name (at most 100 characters).
    pub title: Option<String>,
    /// Plain text, at most 500 characters; `null` clears it.
    #[serde(deserialize_with = "crate::domain::nullable")]
    #[schema(value_type = Option<String>)]
    pub summary: Option<Option<String>>,
    /// Markdown, at most 50 000 characters; `null` clears it.
    #[serde(deserialize_with = "crate::domain::nullable")]
    #[schema(value_type = Option<String>)]
    pub charter: Option<Option<String>>,
    /// The licence of new articles unless they choose one.
    pub default_licence: Option<String>,
    /// `open`, `held` or `followers`.
    pub comment_policy: Option<String>,
    /// Articles by authors wait for an editor's review.
    pub review_required: Option<bool>,
    /// Its icon: the id of an upload (`POST /api/v1/media`); `null`
    /// removes it.
    #[serde(deserialize_with = "crate::domain::nullable")]
    #[schema(value_type = Option<String>)]
    pub icon: Option<Option<String>>,
    /// Its banner (the actor's `image`): the id of an upload; `null`
    /// removes it.
    #[serde(deserialize_with = "crate::domain::nullable")]
    #[schema(value_type = Option<String>)]
    pub banner: Option<Option<String>>,
}

impl CommunityChanges {
    /// What is wrong, field by field.
    pub fn problems(&self) -> BTreeMap<String, String> {
        let mut p = BTreeMap::new();
        if let Some(t) = &self.title {
            let n = t.trim().chars().count();
            if n == 0 || n > TITLE_MAX {
                p.insert("title".into(), format!("1 to {TITLE_MAX} characters"));
            }
        }
        if let Some(Some(s)) = &self.summary
            && s.trim().chars().count() > content::SUMMARY_MAX
        {
            p.insert(
                "summary".into(),
                format!("at most {} characters of plain text", content::SUMMARY_MAX),
            );
        }
        if let Some(Some(c)) = &self.charter
            && c.chars().count() > CHARTER_MAX
        {
            p.insert(
                "charter".into(),
                format!("at most {CHARTER_MAX} characters of Markdown"),
            );
        }
        if let Some(l) = &self.default_licence
            && licences::find(l).is_none()
        {
            p.insert(
                "default_licence".into(),
                format!("unknown licence `{l}`; accepted: {}", licences::keys()),
            );
        }
        if let Some(policy) = &self.comment_policy
            && !crate::domain::comments::POLICIES.contains(&policy.as_str())
        {
            p.insert(
                "comment_policy".into(),
                format!("one of: {}", crate::domain::comments::POLICIES.join(", ")),
            );
        }
        if self.title.is_none()
            && self.summary.is_none()
            && self.charter.is_none()
            && self.default_licence.is_none()
            && self.comment_policy.is_none()
            && self.review_required.is_none()
            && self.icon.is_none()
            && self.banner.is_none()
        {
            p.insert(
                "body".into(),
                "give at least one of: title, summary, charter, default_licence, comment_policy, review_required, icon, banner".into(),
            );
        }
        p
    }
}

/// Change a community's settings (stewards). Logged; its followers get
/// `Update{Group}` when what they see changed.
pub async fn update_community(
    ctx: &AppContext,
    community: &actor::Model,
    by: &actor::Model,
    changes: CommunityChanges,
) -> AppResult<actor::Model> {
    let decider = require(&ctx.db, community, by, Permission::SetPolicy).await?;
    let problems = changes.problems();
    if !problems.is_empty() {
        return Err(AppError::Unprocessable(problems));
    }
    let clean = |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let mut row: actor::ActiveModel = community.clone().into();
    let mut changed = Vec::new();
    if let Some(t) = changes.title.map(|t| content::clean_name(t.trim()))
        && Some(&t) != community.display_name.as_ref()
    {
        row.display_name = Set(Some(t));
        changed.push("title");
    }
    if let Some(s) = changes.summary.map(clean)
        && s != community.summary
    {
        row.summary = Set(s);
        changed.push("summary");
    }
    let charter = changes
        .charter
        .map(clean)
        .filter(|c| *c != community.charter);
    if let Some(c) = &charter {
        row.charter = Set(c.clone());
    }
    if let Some(l) = changes
        .default_licence
        .and_then(|l| licences::find(&l).map(|f| f.key.to_string()))
        && Some(&l) != community.licence.as_ref()
    {
        row.licence = Set(Some(l));
        changed.push("default_licence");
    }
    let policy = changes
        .comment_policy
        .filter(|p| Some(p) != community.comment_policy.as_ref());
    if let Some(p) = &policy {
        row.comment_policy = Set(Some(p.clone()));
    }
    if let Some(r) = changes.review_required
        && r != community.review_required
    {
        row.review_required = Set(r);
        changed.push("review_required");
    }
    let pictures = Pictures::given(&ctx.db, changes.icon, changes.banner).await?;
    let replaced = pictures.apply(ctx, community, &mut row);
    if pictures.icon.is_some() {
        changed.push("icon");
    }
    if pictures.banner.is_some() {
        changed.push("banner");
    }
    if changed.is_empty() && charter.is_none() && policy.is_none() {
        return Ok(community.clone());
    }
    let txn = crate::db::begin_write(&ctx.db).await?;
    let saved = row.update(&txn).await?;
    let mut entries: Vec<(&str, String)> = Vec::new();
    if !changed.is_empty() {
        entries.push(("settings", format!("changed: {}", changed.join(", "))));
    }
    if charter.is_some() {
        entries.push(("charter", "the charter was changed".into()));
    }
    if let Some(p) = &policy {
        entries.push(("policy", format!("comment policy: {p}")));
    }
    for (action, reason) in entries {
        log::record(
            &txn,
            Decision {
                scope: community,
                decider: &decider,
                action,
                target: &community.ap_id,
                title: saved.display_name.as_deref().unwrap_or(&saved.username),
                reason: &reason,
                public: true,
            },
        )
        .await?;
    }
    // The comment policy and review are ours alone; the rest is profile.
    let seen = changed.iter().any(|c| {
        matches!(
            *c,
            "title" | "summary" | "default_licence" | "icon" | "banner"
        )
    }) || charter.is_some();
    if seen {
        send_update(ctx, &txn, &saved).await?;
    }
    txn.commit().await?;
    if seen {
        ctx.committed(crate::cache::Changes::everything()).await;
    } else {
        ctx.changed(crate::cache::Changes::everything()).await;
    }
    crate::domain::media::remove_unused(ctx, &replaced).await?;
    Ok(saved)
}

/// The comment policy alone (kept for the CLI and older callers).
pub async fn set_comment_policy(
    ctx: &AppContext,
    community: &actor::Model,
    by: &actor::Model,
    policy: &str,
) -> AppResult<actor::Model> {
    update_community(
        ctx,
        community,
        by,
        CommunityChanges {
            comment_policy: Some(policy.to_string()),
            ..Default::default()
        },
    )
    .await
}

/// Changes to a person's profile.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ProfileChanges {
    /// The display name (at most 100 characters); `null` shows the
    /// username.
    #[serde(deserialize_with = "crate::domain::nullable")]
    #[schema(value_type = Option<String>)]
    pub display_name: Option<Option<String>>,
    /// Plain text, at most 500 characters; `null` clears it.
    #[serde(deserialize_with = "crate::domain::nullable")]
    #[schema(value_type = Option<String>)]
    pub bio: Option<Option<String>>,
    /// The avatar (the actor's `icon`): the id of an upload (`POST
    /// /api/v1/media`); `null` removes it.
    #[serde(deserialize_with = "crate::domain::nullable")]
    #[schema(value_type = Option<String>)]
    pub avatar: Option<Option<String>>,
}

impl ProfileChanges {
    pub fn problems(&self) -> BTreeMap<String, String> {
        let mut p = BTreeMap::new();
        if let Some(Some(n)) = &self.display_name
            && n.trim().chars().count() > NAME_MAX
        {
            p.insert(
                "display_name".into(),
                format!("at most {NAME_MAX} characters"),
            );
        }
        if let Some(Some(b)) = &self.bio
            && b.trim().chars().count() > content::SUMMARY_MAX
        {
            p.insert(
                "bio".into(),
                format!("at most {} characters of plain text", content::SUMMARY_MAX),
            );
        }
        if self.display_name.is_none() && self.bio.is_none() && self.avatar.is_none() {
            p.insert("body".into(), "give display_name, bio or avatar".into());
        }
        p
    }
}

/// A person changes their profile (or an instance admin does); their
/// followers get `Update{Person}`.
pub async fn update_profile(
    ctx: &AppContext,
    person: &actor::Model,
    by: &actor::Model,
    changes: ProfileChanges,
) -> AppResult<actor::Model> {
    if by.id != person.id && !by.admin {
        return Err(AppError::Forbidden(
            "only the person themselves or an instance admin may change a profile".into(),
        ));
    }
    let problems = changes.problems();
    if !problems.is_empty() {
        return Err(AppError::Unprocessable(problems));
    }
    let clean = |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let mut row: actor::ActiveModel = person.clone().into();
    if let Some(n) = changes.display_name {
        row.display_name = Set(clean(n).map(|n| content::clean_name(&n)));
    }
    if let Some(b) = changes.bio {
        row.summary = Set(clean(b));
    }
    let pictures = Pictures::given(&ctx.db, changes.avatar, None).await?;
    let replaced = pictures.apply(ctx, person, &mut row);
    let txn = crate::db::begin_write(&ctx.db).await?;
    let saved = row.update(&txn).await?;
    send_update(ctx, &txn, &saved).await?;
    txn.commit().await?;
    ctx.committed(crate::cache::Changes::everything()).await;
    crate::domain::media::remove_unused(ctx, &replaced).await?;
    Ok(saved)
}

/// A new icon (avatar) or banner, or their removal (`Some(None)`).
struct Pictures {
    icon: Option<Option<entity::media::Model>>,
    banner: Option<Option<entity::media::Model>>,
}

impl Pictures {
    /// The uploads named by a request (a 422 for an unknown id); `icon`
    /// is the field a person calls `avatar`.
    async fn given(
        db: &impl ConnectionTrait,
        icon: Option<Option<String>>,
        banner: Option<Option<String>>,
    ) -> AppResult<Pictures> {
        async fn one(
            db: &impl ConnectionTrait,
            field: &str,
            given: Option<Option<String>>,
        ) -> AppResult<Option<Option<entity::media::Model>>> {
            Ok(match given {
                Some(Some(uuid)) => {
                    Some(Some(crate::domain::media::given(db, field, &uuid).await?))
                }
                Some(None) => Some(None),
                None => None,
            })
        }
        let icon_field = if banner.is_some() { "icon" } else { "avatar" };
        Ok(Pictures {
            icon: one(db, icon_field, icon).await?,
            banner: one(db, "banner", banner).await?,
        })
    }

    /// Set them on the actor's row (the icon as its thumbnail, at most
    /// 400 pixels, the banner in its display size); returns the media they
    /// replace.
    fn apply(
        &self,
        ctx: &AppContext,
        actor: &actor::Model,
        row: &mut actor::ActiveModel,
    ) -> Vec<i64> {
        let url = |name: &str| crate::domain::media::url(ctx, name);
        let mut replaced = Vec::new();
        if let Some(icon) = &self.icon {
            row.icon_media_id = Set(icon.as_ref().map(|m| m.id));
            row.icon_url = Set(icon.as_ref().map(|m| url(&m.thumb_name)));
            replaced.extend(actor.icon_media_id);
        }
        if let Some(banner) = &self.banner {
            row.image_media_id = Set(banner.as_ref().map(|m| m.id));
            row.image_url = Set(banner.as_ref().map(|m| url(&m.name)));
            replaced.extend(actor.image_media_id);
        }
        replaced
    }
}

/// `Update` of `actor`'s document to its followers.
async fn send_update(
    ctx: &AppContext,
    db: &impl ConnectionTrait,
    actor: &actor::Model,
) -> AppResult<()> {
    let base = ctx.base_url();
    let id = url::Url::parse(&actor.ap_id).map_err(AppError::internal)?;
    let doc = outbound::local_actor(&base, actor, id);
    let update = outbound::update_actor(&outbound::activity_id(&base), &doc);
    let inboxes = delivery::follower_inboxes(db, actor).await?;
    delivery::enqueue(db, &update, actor, inboxes).await?;
    Ok(())
}

/// Who a decision is logged as when the CLI (the operator) takes it.
pub fn operator(admin: &actor::Model) -> Decider {
    Decider {
        person: admin.clone(),
        role: "admin".into(),
    }
}
