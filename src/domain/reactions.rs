//! Likes and shares: `Like` and `Announce` of our objects by anyone (counted
//! in their `likes` and `shares` collections and on the page), and the
//! `Announce`s of remote articles by the actors our communities follow.

use crate::error::AppResult;
use entity::{actor, article, comment, reaction};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

pub const LIKE: &str = "like";
pub const ANNOUNCE: &str = "announce";
/// A community passed on an origin's Update or Delete (its inner activity
/// id is the object): each is relayed once, so relays cannot loop.
pub const RELAY: &str = "relay";

/// Is `ap_id` one of our own published objects (article, announcement or
/// comment) that can be liked or shared?
pub async fn is_local_object(db: &impl ConnectionTrait, ap_id: &str) -> AppResult<bool> {
    let article = article::Entity::find()
        .filter(article::Column::ApId.eq(ap_id))
        .filter(article::Column::Local.eq(true))
        .filter(article::Column::Draft.eq(false))
        .filter(article::Column::DeletedAt.is_null())
        .count(db)
        .await?;
    if article > 0 {
        return Ok(true);
    }
    Ok(comment::Entity::find()
        .filter(comment::Column::ApId.eq(ap_id))
        .filter(comment::Column::Local.eq(true))
        .filter(comment::Column::State.eq(entity::comment::CommentState::Accepted))
        .count(db)
        .await?
        > 0)
}

/// Record that `actor` liked or announced `object_ap_id` with
/// `activity_ap_id`. One per actor, kind and object: a repeat is a no-op
/// and returns false.
pub async fn record(
    db: &impl ConnectionTrait,
    kind: &str,
    actor: &actor::Model,
    object_ap_id: &str,
    activity_ap_id: &str,
) -> AppResult<bool> {
    let res = reaction::Entity::insert(reaction::ActiveModel {
        kind: Set(kind.to_string()),
        actor_id: Set(actor.id),
        object_ap_id: Set(object_ap_id.to_string()),
        activity_ap_id: Set(activity_ap_id.to_string()),
        created_at: Set(super::now()),
        ..Default::default()
    })
    .on_conflict_do_nothing_on([
        reaction::Column::ObjectApId,
        reaction::Column::Kind,
        reaction::Column::ActorId,
    ])
    .exec(db)
    .await?;
    Ok(matches!(res, sea_orm::TryInsertResult::Inserted(_)))
}

/// `Undo` of a like or share by `actor`: by the activity's id, or by the
/// object it named. Only the actor's own reactions go; returns the objects
/// whose reactions went.
pub async fn undo(
    db: &impl ConnectionTrait,
    kind: &str,
    actor: &actor::Model,
    activity_ap_id: Option<&str>,
    object_ap_id: Option<&str>,
) -> AppResult<Vec<String>> {
    let mut any = sea_orm::Condition::any();
    if let Some(a) = activity_ap_id {
        any = any.add(reaction::Column::ActivityApId.eq(a));
    }
    if let Some(o) = object_ap_id {
        any = any.add(reaction::Column::ObjectApId.eq(o));
    }
    if activity_ap_id.is_none() && object_ap_id.is_none() {
        return Ok(Vec::new());
    }
    let gone = reaction::Entity::find()
        .filter(reaction::Column::Kind.eq(kind))
        .filter(reaction::Column::ActorId.eq(actor.id))
        .filter(any)
        .all(db)
        .await?;
    if gone.is_empty() {
        return Ok(Vec::new());
    }
    reaction::Entity::delete_many()
        .filter(reaction::Column::Id.is_in(gone.iter().map(|r| r.id)))
        .exec(db)
        .await?;
    Ok(gone.into_iter().map(|r| r.object_ap_id).collect())
}

pub async fn count(db: &impl ConnectionTrait, kind: &str, object_ap_id: &str) -> AppResult<u64> {
    Ok(reaction::Entity::find()
        .filter(reaction::Column::Kind.eq(kind))
        .filter(reaction::Column::ObjectApId.eq(object_ap_id))
        .count(db)
        .await?)
}

/// A page of an object's likes or shares: (position, activity id) after
/// position `after`, oldest first.
pub async fn page(
    db: &impl ConnectionTrait,
    kind: &str,
    object_ap_id: &str,
    after: i64,
    limit: u64,
) -> AppResult<Vec<(i64, String)>> {
    Ok(reaction::Entity::find()
        .filter(reaction::Column::Kind.eq(kind))
        .filter(reaction::Column::ObjectApId.eq(object_ap_id))
        .filter(reaction::Column::Id.gt(after))
        .order_by_asc(reaction::Column::Id)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r.activity_ap_id))
        .collect())
}

/// The inboxes of the remote actors that shared `object_ap_id`: they hold a
/// copy, so they hear of its `Update` and `Delete` too.
pub async fn sharer_inboxes(
    db: &impl ConnectionTrait,
    object_ap_id: &str,
) -> AppResult<Vec<String>> {
    let ids: Vec<i64> = reaction::Entity::find()
        .filter(reaction::Column::Kind.eq(ANNOUNCE))
        .filter(reaction::Column::ObjectApId.eq(object_ap_id))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.actor_id)
        .collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let actors = actor::Entity::find()
        .filter(actor::Column::Id.is_in(ids))
        .all(db)
        .await?;
    Ok(crate::delivery::remote_inboxes(&actors))
}
