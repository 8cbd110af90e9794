//! `Accept`/`Reject` of a Follow we sent. The signer must be the actor we
//! asked to follow. A community whose follow is accepted backfills the
//! first page of the followed actor's outbox.

use crate::error::AppResult;
use crate::federation::Data;
use crate::federation::objects::actor::ApubActor;
use crate::wire::activity::ActivityDoc;
use activitypub_federation::traits::Object;

pub async fn receive(
    data: &Data,
    signer: &ApubActor,
    doc: &ActivityDoc,
    inner: &super::Inner,
    accepted: bool,
) -> AppResult<()> {
    if inner.kind.as_deref().is_some_and(|t| t != "Follow") {
        tracing::info!(id = %doc.id, "Accept/Reject of something other than a Follow ignored");
        return Ok(());
    }
    // Find our follower: by the embedded Follow's actor, else by the Follow id.
    let follower = match (&inner.actor, &inner.id) {
        (Some(id), _) => ApubActor::read_from_id(id.clone(), data)
            .await?
            .map(|a| a.model),
        (None, Some(follow_id)) => {
            crate::domain::follows::other_side_of(
                &data.db,
                follow_id.as_str(),
                None,
                Some(&signer.model),
            )
            .await?
        }
        (None, None) => None,
    };
    let Some(follower) = follower.filter(|f| f.local) else {
        tracing::info!(id = %doc.id, "Accept/Reject of a Follow we did not send ignored");
        return Ok(());
    };
    if let Some(object) = &inner.object
        && object.as_str() != signer.model.ap_id
    {
        tracing::info!(id = %doc.id, "Accept/Reject by an actor other than the one followed ignored");
        return Ok(());
    }
    if accepted {
        if crate::domain::follows::mark_accepted(&data.db, &follower, &signer.model).await?
            && follower.kind == "group"
        {
            // A community started following: bring in the first page of
            // what the followed actor published, in the background.
            let data = data.reset_request_count();
            let (community, target) = (follower.clone(), signer.model.clone());
            tokio::spawn(async move {
                if let Err(e) =
                    crate::federation::import::backfill(&data, &community, &target).await
                {
                    tracing::info!(target = %target.ap_id, error = %e, "backfill failed");
                }
            });
        }
    } else {
        crate::domain::follows::remove(&data.db, &follower, &signer.model).await?;
    }
    Ok(())
}
