//! `Accept`/`Reject` of a Follow we sent. The signer must be the actor we
//! asked to follow. A community whose follow is accepted backfills the
//! first page of the followed actor's outbox.

use crate::error::AppResult;
use crate::federation::Data;
use crate::federation::objects::actor::ApubActor;
use crate::wire::{activity::ActivityDoc, ref_id};
use activitypub_federation::traits::Object;
use entity::follow;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

pub async fn receive(
    data: &Data,
    signer: &ApubActor,
    doc: &ActivityDoc,
    accepted: bool,
) -> AppResult<()> {
    if super::object_type(&doc.object).is_some_and(|t| t != "Follow") {
        tracing::info!(id = %doc.id, "Accept/Reject of something other than a Follow ignored");
        return Ok(());
    }
    // Find our follower: by the embedded Follow's actor, else by the Follow id.
    let follower = match doc.object.get("actor").and_then(ref_id) {
        Some(id) => ApubActor::read_from_id(id, data).await?,
        None => match ref_id(&doc.object) {
            Some(follow_id) => {
                let row = follow::Entity::find()
                    .filter(follow::Column::ActivityApId.eq(follow_id.as_str()))
                    .filter(follow::Column::TargetId.eq(signer.model.id))
                    .one(&data.db)
                    .await?;
                match row {
                    Some(r) => entity::actor::Entity::find_by_id(r.follower_id)
                        .one(&data.db)
                        .await?
                        .map(ApubActor::new)
                        .transpose()?,
                    None => None,
                }
            }
            None => None,
        },
    };
    let Some(follower) = follower.filter(|f| f.model.local) else {
        tracing::info!(id = %doc.id, "Accept/Reject of a Follow we did not send ignored");
        return Ok(());
    };
    if let Some(object) = doc.object.get("object").and_then(ref_id)
        && object.as_str() != signer.model.ap_id
    {
        tracing::info!(id = %doc.id, "Accept/Reject by an actor other than the one followed ignored");
        return Ok(());
    }
    if accepted {
        if crate::domain::follows::mark_accepted(&data.db, &follower.model, &signer.model).await?
            && follower.model.kind == "group"
        {
            // A community started following: bring in the first page of
            // what the followed actor published, in the background.
            let data = data.reset_request_count();
            let (community, target) = (follower.model.clone(), signer.model.clone());
            tokio::spawn(async move {
                if let Err(e) =
                    crate::federation::import::backfill(&data, &community, &target).await
                {
                    tracing::info!(target = %target.ap_id, error = %e, "backfill failed");
                }
            });
        }
    } else {
        crate::domain::follows::remove(&data.db, &follower.model, &signer.model).await?;
    }
    Ok(())
}
