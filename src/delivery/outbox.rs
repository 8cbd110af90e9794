//! Enqueueing: the activity stored once, a delivery per distinct inbox, in
//! the caller's transaction.

use crate::error::{AppError, AppResult};
use entity::{activity, actor, delivery};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::Value;
use std::collections::BTreeSet;
use url::Url;

/// Store an activity we send (dereferenceable at its id).
pub async fn store_activity(
    db: &impl ConnectionTrait,
    json: &Value,
    actor: &actor::Model,
) -> AppResult<activity::Model> {
    let ap_id = json
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| AppError::internal("activity without id"))?;
    let kind = json
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("Activity");
    Ok(activity::ActiveModel {
        ap_id: Set(ap_id.to_string()),
        kind: Set(activity::ActivityKind::of(kind)),
        actor_ap_id: Set(actor.ap_id.clone()),
        json: Set(json.to_string()),
        local: Set(true),
        created_at: Set(crate::db::now()),
        handled: Set(true),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// The authority (host and port) of a URL, or "" when it has none.
pub fn authority(url: &str) -> String {
    Url::parse(url)
        .ok()
        .and_then(|u| {
            u.host_str().map(|h| match u.port() {
                Some(p) => format!("{h}:{p}"),
                None => h.to_string(),
            })
        })
        .unwrap_or_default()
}

/// What an activity is about, for ordering: the id of its object (or of the
/// object's object for Undo/Announce of an activity).
fn object_key(json: &Value) -> Option<String> {
    let object = json.get("object")?;
    match object {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o.get("id").and_then(Value::as_str).map(str::to_string),
        _ => None,
    }
}

/// Store `json` and one delivery per distinct inbox, signed later by `signer`.
pub async fn enqueue(
    db: &impl ConnectionTrait,
    json: &Value,
    signer: &actor::Model,
    inboxes: impl IntoIterator<Item = String>,
) -> AppResult<usize> {
    let activity = store_activity(db, json, signer).await?;
    let inboxes: BTreeSet<String> = inboxes.into_iter().collect();
    let key = object_key(json);
    let now = crate::db::now();
    let rows: Vec<delivery::ActiveModel> = inboxes
        .iter()
        .map(|inbox| delivery::ActiveModel {
            activity_id: Set(activity.id),
            actor_id: Set(signer.id),
            inbox_url: Set(inbox.clone()),
            host: Set(authority(inbox)),
            state: Set(delivery::DeliveryState::Pending),
            attempts: Set(0),
            next_attempt_at: Set(now),
            locked_until: Set(None),
            last_status: Set(None),
            last_error: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            object_key: Set(key.clone()),
            ..Default::default()
        })
        .collect();
    let count = rows.len();
    for chunk in rows.chunks(500) {
        delivery::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(count)
}

/// The inboxes of the remote actors among `actors` (local ones are
/// skipped): the shared inbox where there is one.
pub fn remote_inboxes<'a>(actors: impl IntoIterator<Item = &'a actor::Model>) -> Vec<String> {
    actors
        .into_iter()
        .filter(|a| !a.local)
        .map(|a| {
            a.shared_inbox_url
                .clone()
                .unwrap_or_else(|| a.inbox_url.clone())
        })
        .collect()
}

/// The inboxes to reach the accepted remote followers of `target`: shared
/// inbox where there is one, each once.
pub async fn follower_inboxes(
    db: &impl ConnectionTrait,
    target: &actor::Model,
) -> AppResult<Vec<String>> {
    let ids: Vec<i64> = entity::follow::Entity::find()
        .filter(entity::follow::Column::TargetId.eq(target.id))
        .filter(entity::follow::Column::Accepted.eq(true))
        .all(db)
        .await?
        .iter()
        .map(|f| f.follower_id)
        .collect();
    let mut inboxes = BTreeSet::new();
    for chunk in ids.chunks(500) {
        for a in actor::Entity::find()
            .filter(actor::Column::Id.is_in(chunk.to_vec()))
            .filter(actor::Column::Local.eq(false))
            .all(db)
            .await?
        {
            inboxes.insert(a.shared_inbox_url.unwrap_or(a.inbox_url));
        }
    }
    Ok(inboxes.into_iter().collect())
}
