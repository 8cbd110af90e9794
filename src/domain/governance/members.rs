//! Members and their roles. A community keeps at least one steward; every
//! change is logged.

use super::log::{self, Decision};
use super::permissions::{Permission, require};
use crate::context::AppContext;
use crate::domain::actors::{LocalKind, Role, get_local, parse_role};
use crate::error::{AppError, AppResult};
use entity::{actor, membership};
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};

/// The members of a community with their roles, strongest role first.
pub async fn list(
    db: &impl ConnectionTrait,
    community: &actor::Model,
) -> AppResult<Vec<(actor::Model, Role)>> {
    let rows = membership::Entity::find()
        .filter(membership::Column::CommunityId.eq(community.id))
        .order_by_asc(membership::Column::Id)
        .all(db)
        .await?;
    let mut people: std::collections::HashMap<i64, actor::Model> = actor::Entity::find()
        .filter(actor::Column::Id.is_in(rows.iter().map(|m| m.person_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let mut out: Vec<(actor::Model, Role)> = rows
        .into_iter()
        .filter_map(|m| people.remove(&m.person_id).map(|p| (p, m.role)))
        .collect();
    let rank = |r: &Role| {
        crate::domain::actors::ROLES
            .iter()
            .position(|x| x == r)
            .unwrap_or(usize::MAX)
    };
    out.sort_by_key(|(p, r)| (rank(r), p.username.clone()));
    Ok(out)
}

/// The number of stewards of `community`, counted under a lock on the
/// community's row: two concurrent demotions of its last two stewards
/// would otherwise both see two and both pass. (SQLite's write
/// transactions are already serialized by [`crate::db::begin_write`].)
async fn stewards(db: &impl ConnectionTrait, community: &actor::Model) -> AppResult<u64> {
    actor::Entity::find_by_id(community.id)
        .lock_exclusive()
        .one(db)
        .await?;
    Ok(membership::Entity::find()
        .filter(membership::Column::CommunityId.eq(community.id))
        .filter(membership::Column::Role.eq(Role::Steward))
        .count(db)
        .await?)
}

/// Grant `user` (a local person's name) `role` in `community`, or change
/// the role they hold. `create` refuses a person who is already a member
/// (409); otherwise they must be one (404).
pub async fn set(
    ctx: &AppContext,
    community: &actor::Model,
    by: &actor::Model,
    user: &str,
    role: &str,
    create: bool,
) -> AppResult<(actor::Model, Role)> {
    let decider = require(&ctx.db, community, by, Permission::ManageMembers).await?;
    let role = parse_role(role)?;
    let person = get_local(&ctx.db, LocalKind::Person, user)
        .await
        .map_err(|_| AppError::unprocessable("user", format!("no local person `{user}`")))?;
    let txn = crate::db::begin_write(&ctx.db).await?;
    let existing = membership::Entity::find()
        .filter(membership::Column::CommunityId.eq(community.id))
        .filter(membership::Column::PersonId.eq(person.id))
        .one(&txn)
        .await?;
    let before = existing.as_ref().map(|m| m.role);
    match (existing, create) {
        (Some(_), true) => {
            return Err(AppError::Conflict(format!(
                "`{user}` is already a member of `{}`; change the role with PATCH",
                community.username
            )));
        }
        (None, false) => {
            return Err(AppError::NotFound(format!(
                "`{user}` is not a member of `{}`",
                community.username
            )));
        }
        (Some(m), false) => {
            if m.role == Role::Steward
                && role != Role::Steward
                && stewards(&txn, community).await? <= 1
            {
                return Err(last_steward(community));
            }
            let mut m: membership::ActiveModel = m.into();
            m.role = Set(role);
            m.update(&txn).await?;
        }
        (None, true) => {
            membership::ActiveModel {
                community_id: Set(community.id),
                person_id: Set(person.id),
                role: Set(role),
                created_at: Set(crate::db::now()),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
    }
    if before != Some(role) {
        let handle = format!("{}@{}", person.username, person.host);
        log::record(
            &txn,
            Decision {
                scope: community,
                decider: &decider,
                action: "role_granted",
                target: &person.ap_id,
                title: &handle,
                reason: &match before {
                    Some(b) => format!("{} (was {})", role.to_value(), b.to_value()),
                    None => role.to_value(),
                },
                public: true,
            },
        )
        .await?;
    }
    txn.commit().await?;
    ctx.changed(crate::cache::Changes::everything()).await;
    Ok((person, role))
}

/// Remove `user` from `community`; never the last steward (409).
pub async fn remove(
    ctx: &AppContext,
    community: &actor::Model,
    by: &actor::Model,
    user: &str,
    reason: &str,
) -> AppResult<()> {
    let decider = require(&ctx.db, community, by, Permission::ManageMembers).await?;
    let person = get_local(&ctx.db, LocalKind::Person, user).await?;
    let txn = crate::db::begin_write(&ctx.db).await?;
    let Some(m) = membership::Entity::find()
        .filter(membership::Column::CommunityId.eq(community.id))
        .filter(membership::Column::PersonId.eq(person.id))
        .one(&txn)
        .await?
    else {
        return Err(AppError::NotFound(format!(
            "`{user}` is not a member of `{}`",
            community.username
        )));
    };
    if m.role == Role::Steward && stewards(&txn, community).await? <= 1 {
        return Err(last_steward(community));
    }
    let role = m.role;
    membership::Entity::delete_by_id(m.id).exec(&txn).await?;
    let handle = format!("{}@{}", person.username, person.host);
    let why = if reason.trim().is_empty() {
        role.to_value()
    } else {
        format!("{}: {}", role.to_value(), reason.trim())
    };
    log::record(
        &txn,
        Decision {
            scope: community,
            decider: &decider,
            action: "role_removed",
            target: &person.ap_id,
            title: &handle,
            reason: &why,
            public: true,
        },
    )
    .await?;
    txn.commit().await?;
    ctx.changed(crate::cache::Changes::everything()).await;
    Ok(())
}

fn last_steward(community: &actor::Model) -> AppError {
    AppError::Conflict(format!(
        "`{}` must keep at least one steward: make someone else a steward first",
        community.username
    ))
}

/// The communities `person` holds a role in, with the role, by name.
pub async fn memberships_of(
    db: &impl ConnectionTrait,
    person: &actor::Model,
) -> AppResult<Vec<(actor::Model, Role)>> {
    let rows = membership::Entity::find()
        .filter(membership::Column::PersonId.eq(person.id))
        .all(db)
        .await?;
    let mut communities: std::collections::HashMap<i64, actor::Model> = actor::Entity::find()
        .filter(actor::Column::Id.is_in(rows.iter().map(|m| m.community_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let mut out: Vec<(actor::Model, Role)> = rows
        .into_iter()
        .filter_map(|m| communities.remove(&m.community_id).map(|c| (c, m.role)))
        .collect();
    out.sort_by(|a, b| a.0.username.cmp(&b.0.username));
    Ok(out)
}
