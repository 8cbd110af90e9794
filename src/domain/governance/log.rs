//! The public moderation log: every decision (comments, actor and domain
//! blocks, the federation mode, roles, reports, settings) with its time,
//! target, reason and the decider's role. Per community, and instance-wide
//! (entries under the instance actor are the instance's own decisions).
//! HTML, Atom and JSON all read [`entries`], so they show the same thing,
//! and none shows what the privacy settings hide.

use super::permissions::Decider;
use crate::config::Settings;
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use entity::{actor, moderation_log};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use std::collections::HashMap;

/// A decision to record.
pub struct Decision<'a> {
    /// The community, or the instance actor for instance-wide decisions.
    pub scope: &'a actor::Model,
    pub decider: &'a Decider,
    pub action: &'a str,
    /// What it is about: a URL, a handle or a domain.
    pub target: &'a str,
    /// A readable title of it.
    pub title: &'a str,
    pub reason: &'a str,
    /// False for a private domain block: shown as "a domain".
    pub public: bool,
}

/// Record a decision, in the caller's transaction.
pub async fn record(db: &impl ConnectionTrait, d: Decision<'_>) -> AppResult<()> {
    moderation_log::ActiveModel {
        community_id: Set(d.scope.id),
        moderator_id: Set(Some(d.decider.person.id)),
        action: Set(d.action.to_string()),
        object_ap_id: Set(d.target.to_string()),
        reason: Set(d.reason.trim().to_string()),
        created_at: Set(crate::db::now()),
        decider_role: Set(d.decider.role.clone()),
        target_title: Set(d.title.chars().take(200).collect()),
        public: Set(d.public),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// An entry as the public sees it.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Entry {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// The action's name, e.g. `remove`, `domain_blocked`.
    pub action: String,
    /// What it means, in words.
    pub label: String,
    /// The target (a URL, handle or domain); absent when it is private.
    pub target: Option<String>,
    /// A readable title of the target ("a domain" when it is private).
    pub title: String,
    pub reason: String,
    /// The decider's role: `steward`, `moderator`, `admin`…
    pub role: String,
    /// The decider's handle, only when `moderation.show_moderator_names`.
    pub moderator: Option<String>,
    /// The community's name, or absent for the instance's decisions.
    pub community: Option<String>,
}

/// What an action means.
pub fn label(action: &str) -> &'static str {
    match action {
        "approve" => "Comment approved",
        "remove" => "Comment removed",
        "restore" => "Comment restored",
        "policy" => "Comment policy changed",
        "settings" => "Settings changed",
        "charter" => "Charter changed",
        "role_granted" => "Role granted",
        "role_removed" => "Role removed",
        "actor_blocked" => "Actor blocked",
        "actor_unblocked" => "Actor unblocked",
        "domain_blocked" => "Domain blocked",
        "domain_silenced" => "Domain silenced",
        "domain_unblocked" => "Domain unblocked",
        "domain_allowed" => "Domain allowed",
        "domain_disallowed" => "Domain no longer allowed",
        "federation_mode" => "Federation mode changed",
        "report_resolved" => "Report resolved",
        _ => "Decision",
    }
}

/// The log of `community` (or, with `None`, of the whole instance), newest
/// first, as the public may see it.
pub async fn entries(
    db: &impl ConnectionTrait,
    settings: &Settings,
    community: Option<&actor::Model>,
    limit: u64,
) -> AppResult<Vec<Entry>> {
    let mut q = moderation_log::Entity::find();
    if let Some(c) = community {
        q = q.filter(moderation_log::Column::CommunityId.eq(c.id));
    }
    let rows = q
        .order_by_desc(moderation_log::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let mut ids: Vec<i64> = rows
        .iter()
        .flat_map(|r| [Some(r.community_id), r.moderator_id])
        .flatten()
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let actors: HashMap<i64, actor::Model> = actor::Entity::find()
        .filter(actor::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let names = settings.moderation.show_moderator_names;
    Ok(rows
        .into_iter()
        .map(|r| {
            let scope = actors.get(&r.community_id);
            let private = !r.public;
            Entry {
                id: r.id,
                at: r.created_at,
                label: label(&r.action).to_string(),
                target: (!private).then(|| r.object_ap_id.clone()),
                title: if private {
                    "a domain".to_string()
                } else if r.target_title.is_empty() {
                    r.object_ap_id.clone()
                } else {
                    r.target_title.clone()
                },
                reason: r.reason,
                role: r.decider_role,
                moderator: names
                    .then(|| r.moderator_id.and_then(|id| actors.get(&id)))
                    .flatten()
                    .map(|a| format!("{}@{}", a.username, a.host)),
                community: scope
                    .filter(|a| a.kind == "group")
                    .map(|a| a.username.clone()),
                action: r.action,
            }
        })
        .collect())
}
