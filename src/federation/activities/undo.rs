//! `Undo{Follow}`: the follower leaves. Matched by the Follow's id or by the
//! (actor, object) pair; only the follower may undo its own follow.
//! `Undo{Like}` and `Undo{Announce}` take back a like or share the same way.

use crate::error::AppResult;
use crate::federation::Data;
use crate::federation::objects::actor::ApubActor;
use crate::wire::{activity::ActivityDoc, ref_id};
use activitypub_federation::traits::Object;
use entity::follow;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

pub async fn receive(data: &Data, signer: &ApubActor, doc: &ActivityDoc) -> AppResult<()> {
    let inner_type = super::object_type(&doc.object);
    if let Some(kind) = match inner_type {
        Some("Like" | "EmojiReact") => Some(crate::domain::reactions::LIKE),
        Some("Announce") => Some(crate::domain::reactions::ANNOUNCE),
        _ => None,
    } {
        return undo_reaction(data, signer, doc, kind).await;
    }
    if inner_type.is_none()
        && let Some(id) = ref_id(&doc.object)
    {
        // A bare id: a like or share of ours, if it is one.
        for kind in [
            crate::domain::reactions::LIKE,
            crate::domain::reactions::ANNOUNCE,
        ] {
            if crate::domain::reactions::undo(
                &data.db,
                kind,
                &signer.model,
                Some(id.as_str()),
                None,
            )
            .await?
            {
                data.changed();
                return Ok(());
            }
        }
    }
    if inner_type.is_some_and(|t| t != "Follow") {
        tracing::info!(kind = ?inner_type, "Undo of an activity type not handled yet; ignored");
        return Ok(());
    }
    // Embedded Follow: use its object. Bare id: find the follow it created.
    let target_id = match doc.object.get("object") {
        Some(o) => ref_id(o),
        None => match ref_id(&doc.object) {
            Some(follow_id) => {
                let row = follow::Entity::find()
                    .filter(follow::Column::ActivityApId.eq(follow_id.as_str()))
                    .filter(follow::Column::FollowerId.eq(signer.model.id))
                    .one(&data.db)
                    .await?;
                match row {
                    Some(r) => entity::actor::Entity::find_by_id(r.target_id)
                        .one(&data.db)
                        .await?
                        .and_then(|a| url::Url::parse(&a.ap_id).ok()),
                    None => None,
                }
            }
            None => None,
        },
    };
    if let Some(actor_of_follow) = doc.object.get("actor").and_then(ref_id)
        && actor_of_follow.as_str() != signer.model.ap_id
    {
        tracing::info!("Undo of someone else's Follow ignored");
        return Ok(());
    }
    let Some(target_id) = target_id else {
        tracing::info!(id = %doc.id, "Undo of an unknown Follow ignored");
        return Ok(());
    };
    if let Some(target) = ApubActor::read_from_id(target_id, data).await? {
        crate::domain::follows::remove(&data.db, &signer.model, &target.model).await?;
    }
    Ok(())
}

/// `Undo{Like}` / `Undo{Announce}`: only the actor's own reaction goes.
async fn undo_reaction(
    data: &Data,
    signer: &ApubActor,
    doc: &ActivityDoc,
    kind: &str,
) -> AppResult<()> {
    if let Some(actor_of_inner) = doc.object.get("actor").and_then(ref_id)
        && actor_of_inner.as_str() != signer.model.ap_id
    {
        tracing::info!(id = %doc.id, "Undo of someone else's activity ignored");
        return Ok(());
    }
    let activity = ref_id(&doc.object);
    let object = doc.object.get("object").and_then(ref_id);
    if crate::domain::reactions::undo(
        &data.db,
        kind,
        &signer.model,
        activity.as_ref().map(|u| u.as_str()),
        object.as_ref().map(|u| u.as_str()),
    )
    .await?
    {
        data.changed();
    }
    Ok(())
}
