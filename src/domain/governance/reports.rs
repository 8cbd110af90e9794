//! Reports: members report from our side, other servers send `Flag`s
//! (Mastodon's "report"). Each lands in the moderators' queue of the
//! community concerned (the instance's when none is). Moderators resolve
//! them, optionally forwarding a `Flag` to the reported actor's server as
//! our instance actor, as Mastodon forwards.

use super::log::{self, Decision};
use super::permissions::{Decider, Permission, require};
use crate::context::AppContext;
use crate::delivery;
use crate::error::{AppError, AppResult};
use crate::wire::outbound;
use entity::{actor, article, comment, report};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

pub const REASON_MAX: usize = 1000;

/// What a report is about, found among what we hold.
struct Target {
    community: actor::Model,
    object: String,
    title: String,
    actor: Option<actor::Model>,
}

/// Find what `object` (an actor, article or comment id) is and which
/// community it concerns. `None` when we hold no such thing.
async fn target_of(ctx: &AppContext, object: &str) -> AppResult<Option<Target>> {
    let db = &ctx.db;
    let instance = crate::domain::actors::instance_actor(ctx).await?;
    let community_of = |id: Option<i64>| {
        let instance = instance.clone();
        async move {
            Ok::<_, AppError>(match id {
                Some(id) => actor::Entity::find_by_id(id)
                    .one(db)
                    .await?
                    .filter(|c| c.local && c.kind == "group")
                    .unwrap_or(instance),
                None => instance,
            })
        }
    };
    if let Some(c) = comment::Entity::find()
        .filter(comment::Column::ApId.eq(object))
        .one(db)
        .await?
    {
        let a = article::Entity::find_by_id(c.article_id).one(db).await?;
        let author = actor::Entity::find_by_id(c.author_id).one(db).await?;
        let words = crate::content::truncate_words(
            &crate::content::plain_text_of_html(&c.content_html),
            80,
        );
        return Ok(Some(Target {
            community: community_of(a.and_then(|a| a.community_id)).await?,
            object: c.ap_id,
            title: format!("Comment: {words}"),
            actor: author,
        }));
    }
    if let Some(a) = article::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(article::Column::ApId.eq(object))
                .add(article::Column::Url.eq(object)),
        )
        .one(db)
        .await?
    {
        let author = actor::Entity::find_by_id(a.author_id).one(db).await?;
        return Ok(Some(Target {
            community: community_of(a.community_id).await?,
            object: a.ap_id,
            title: a.title,
            actor: author,
        }));
    }
    if let Some(who) = actor::Entity::find()
        .filter(actor::Column::ApId.eq(object))
        .one(db)
        .await?
    {
        let community = if who.local && who.kind == "group" {
            who.clone()
        } else {
            instance
        };
        return Ok(Some(Target {
            community,
            object: who.ap_id.clone(),
            title: format!("{}@{}", who.username, who.host),
            actor: Some(who),
        }));
    }
    Ok(None)
}

async fn store(
    db: &impl ConnectionTrait,
    t: &Target,
    reporter: Option<&actor::Model>,
    reason: &str,
    flag_id: Option<&str>,
) -> AppResult<report::Model> {
    Ok(report::ActiveModel {
        uuid: Set(uuid::Uuid::now_v7().to_string()),
        community_id: Set(t.community.id),
        reporter_id: Set(reporter.map(|r| r.id)),
        target_actor_id: Set(t.actor.as_ref().map(|a| a.id)),
        object_ap_id: Set(t.object.clone()),
        object_title: Set(t.title.chars().take(200).collect()),
        reason: Set(reason.trim().chars().take(REASON_MAX).collect()),
        flag_ap_id: Set(flag_id.map(str::to_string)),
        state: Set("open".into()),
        resolution: Set(None),
        created_at: Set(crate::db::now()),
        resolved_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// A local person reports something we hold.
pub async fn report(
    ctx: &AppContext,
    reporter: &actor::Model,
    object: &str,
    reason: &str,
) -> AppResult<report::Model> {
    if reason.trim().is_empty() {
        return Err(AppError::unprocessable("reason", "required: what is wrong"));
    }
    if reason.chars().count() > REASON_MAX {
        return Err(AppError::unprocessable(
            "reason",
            format!("at most {REASON_MAX} characters"),
        ));
    }
    let Some(t) = target_of(ctx, object.trim()).await? else {
        return Err(AppError::unprocessable(
            "object",
            "no actor, article or comment with that id is known here",
        ));
    };
    // A report shows on no public page.
    store(&ctx.db, &t, Some(reporter), reason, None).await
}

/// A `Flag` from another server about our actors, articles or comments.
/// Objects we do not hold are ignored; false when nothing was ours.
pub async fn receive_flag(
    ctx: &AppContext,
    flagger: &actor::Model,
    flag_id: &str,
    objects: &[String],
    content: &str,
) -> AppResult<bool> {
    let mut found = Vec::new();
    for o in objects.iter().take(50) {
        if let Some(t) = target_of(ctx, o).await? {
            found.push(t);
        }
    }
    // The most specific object (a post, not the account) names the report.
    found.sort_by_key(|t| t.actor.as_ref().is_some_and(|a| a.ap_id == t.object));
    let Some(t) = found.into_iter().next() else {
        return Ok(false);
    };
    let reason = if content.trim().is_empty() {
        "reported from another server without a comment"
    } else {
        content
    };
    let already = report::Entity::find()
        .filter(report::Column::FlagApId.eq(flag_id))
        .one(&ctx.db)
        .await?;
    if already.is_none() {
        store(&ctx.db, &t, Some(flagger), reason, Some(flag_id)).await?;
    }
    Ok(true)
}

/// A report as moderators see it.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ReportView {
    pub id: String,
    pub object: String,
    pub title: String,
    pub reason: String,
    /// The reporter's handle (`name@host`).
    pub reporter: Option<String>,
    /// The reported actor's id.
    pub actor: Option<String>,
    /// True for a `Flag` from another server.
    pub remote: bool,
    /// `open` or `resolved`.
    pub state: String,
    pub resolution: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// The community's queue (moderators): open reports first, newest first.
pub async fn queue(
    ctx: &AppContext,
    community: &actor::Model,
    by: &actor::Model,
    state: Option<&str>,
) -> AppResult<Vec<ReportView>> {
    require(&ctx.db, community, by, Permission::Moderate).await?;
    let mut q = report::Entity::find().filter(report::Column::CommunityId.eq(community.id));
    if let Some(s) = state {
        q = q.filter(report::Column::State.eq(s));
    }
    let rows = q
        .order_by_desc(report::Column::Id)
        .limit(500)
        .all(&ctx.db)
        .await?;
    let ids: Vec<i64> = rows
        .iter()
        .flat_map(|r| [r.reporter_id, r.target_actor_id])
        .flatten()
        .collect();
    let actors: std::collections::HashMap<i64, actor::Model> = actor::Entity::find()
        .filter(actor::Column::Id.is_in(ids))
        .all(&ctx.db)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| ReportView {
            id: r.uuid,
            object: r.object_ap_id,
            title: r.object_title,
            reason: r.reason,
            reporter: r
                .reporter_id
                .and_then(|id| actors.get(&id))
                .map(|a| format!("{}@{}", a.username, a.host)),
            actor: r
                .target_actor_id
                .and_then(|id| actors.get(&id))
                .map(|a| a.ap_id.clone()),
            remote: r.flag_ap_id.is_some(),
            state: r.state,
            resolution: r.resolution,
            created_at: r.created_at,
        })
        .collect())
}

/// How a moderator resolves a report.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// Nothing wrong.
    Dismiss,
    /// Remove the reported comment.
    Remove,
    /// Block the reported actor in the community.
    BlockActor,
    /// Suspend the reported actor's whole domain (instance admins).
    BlockDomain,
}

impl Resolution {
    pub fn name(self) -> &'static str {
        match self {
            Resolution::Dismiss => "dismiss",
            Resolution::Remove => "remove",
            Resolution::BlockActor => "block_actor",
            Resolution::BlockDomain => "block_domain",
        }
    }
}

/// Resolve a report: carry out the action, optionally forward a `Flag` to
/// the reported actor's server, and log it.
pub async fn resolve(
    ctx: &AppContext,
    by: &actor::Model,
    id: &str,
    action: Resolution,
    reason: &str,
    forward: bool,
) -> AppResult<ReportView> {
    let r = report::Entity::find()
        .filter(report::Column::Uuid.eq(id))
        .one(&ctx.db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no report {id}")))?;
    let community = actor::Entity::find_by_id(r.community_id)
        .one(&ctx.db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no report {id}")))?;
    let decider = if community.kind == "group" {
        require(&ctx.db, &community, by, Permission::Moderate).await?
    } else if by.admin {
        Decider {
            person: by.clone(),
            role: "admin".into(),
        }
    } else {
        return Err(AppError::Forbidden(
            "missing permission `moderate`: reports about the instance are for instance admins"
                .into(),
        ));
    };
    if r.state != "open" {
        return Err(AppError::Conflict(format!(
            "report {id} is already resolved"
        )));
    }
    let target = match r.target_actor_id {
        Some(a) => actor::Entity::find_by_id(a).one(&ctx.db).await?,
        None => None,
    };
    match action {
        Resolution::Dismiss => {}
        Resolution::Remove => {
            if community.kind != "group" {
                return Err(AppError::unprocessable(
                    "action",
                    "only a comment in a community can be removed",
                ));
            }
            crate::domain::comments::moderate(
                ctx,
                &community,
                by,
                &r.object_ap_id,
                crate::domain::comments::Decision::Remove,
                if reason.trim().is_empty() {
                    &r.reason
                } else {
                    reason
                },
            )
            .await?;
        }
        Resolution::BlockActor => {
            let t = target
                .as_ref()
                .filter(|t| !t.local || t.kind == "person")
                .ok_or_else(|| {
                    AppError::unprocessable("action", "the report names no actor to block")
                })?;
            if community.kind != "group" {
                return Err(AppError::unprocessable(
                    "action",
                    "actors are blocked in a community; block the domain instead",
                ));
            }
            let why = if reason.trim().is_empty() {
                &r.reason
            } else {
                reason
            };
            super::blocks::block(ctx, &community, by, t, why).await?;
        }
        Resolution::BlockDomain => {
            if !by.admin {
                return Err(AppError::Forbidden(
                    "missing permission: only instance admins block domains".into(),
                ));
            }
            let t = target.as_ref().filter(|t| !t.local).ok_or_else(|| {
                AppError::unprocessable("action", "the report names no remote actor")
            })?;
            let why = if reason.trim().is_empty() {
                &r.reason
            } else {
                reason
            };
            super::policy::block(
                ctx,
                &Decider {
                    person: by.clone(),
                    role: "admin".into(),
                },
                super::policy::NewBlock {
                    domain: t.host.clone(),
                    severity: entity::domain_block::Severity::Suspend,
                    reason: why.to_string(),
                    public: true,
                    reject_media: true,
                    reject_reports: true,
                    obfuscate: false,
                },
            )
            .await?;
        }
    }
    let txn = crate::db::begin_write(&ctx.db).await?;
    let mut row: report::ActiveModel = r.clone().into();
    row.state = Set("resolved".into());
    row.resolution = Set(Some(action.name().into()));
    row.resolved_at = Set(Some(crate::db::now()));
    row.update(&txn).await?;
    let mut forwarded = false;
    if forward && let Some(t) = target.as_ref().filter(|t| !t.local) {
        let instance = crate::domain::actors::instance_actor(ctx).await?;
        let base = ctx.base_url();
        let objects: Vec<String> = [t.ap_id.clone(), r.object_ap_id.clone()]
            .into_iter()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let flag = outbound::flag(
            &outbound::activity_id(&base),
            &instance,
            &t.ap_id,
            &objects,
            &r.reason,
        );
        let inbox = t
            .shared_inbox_url
            .clone()
            .unwrap_or_else(|| t.inbox_url.clone());
        delivery::enqueue(&txn, &flag, &instance, [inbox]).await?;
        forwarded = true;
    }
    log::record(
        &txn,
        Decision {
            scope: &community,
            decider: &decider,
            action: "report_resolved",
            target: &r.object_ap_id,
            title: &r.object_title,
            reason: &format!(
                "{}{}{}",
                action.name(),
                if reason.trim().is_empty() {
                    String::new()
                } else {
                    format!(": {}", reason.trim())
                },
                if forwarded { " (forwarded)" } else { "" }
            ),
            public: true,
        },
    )
    .await?;
    txn.commit().await?;
    ctx.committed(crate::cache::Changes::everything()).await;
    let mut views = queue(ctx, &community, by, None).await?;
    views.retain(|v| v.id == r.uuid);
    views
        .pop()
        .ok_or_else(|| AppError::internal("a resolved report vanished"))
}
