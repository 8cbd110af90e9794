//! `Announce`: a share of one of our objects (counted in its `shares`), or
//! a followed actor sharing a remote article (FEP-1b12). The article is
//! fetched from its own origin by id; an embedded copy is never trusted.

use crate::domain::reactions::{self, ANNOUNCE};
use crate::error::AppResult;
use crate::federation::Data;
use crate::federation::import::{self, Imported};
use crate::federation::objects::actor::ApubActor;
use crate::wire::activity::ActivityDoc;

pub async fn receive(
    data: &Data,
    signer: &ApubActor,
    doc: &ActivityDoc,
    shared: &super::Shared,
) -> AppResult<super::Outcome> {
    use super::Outcome::{Applied, Ignored};
    let object_id = shared.object.clone();
    if reactions::is_local_object(&data.db, object_id.as_str()).await? {
        reactions::record(
            &data.db,
            ANNOUNCE,
            &signer.model,
            object_id.as_str(),
            doc.id.as_str(),
        )
        .await?;
        data.changed(crate::domain::shown::object(&data.db, object_id.as_str()).await?)
            .await;
        return Ok(Applied);
    }
    if crate::domain::follows::follower_count(&data.db, &signer.model).await? == 0 {
        tracing::info!(id = %doc.id, "Announce by an actor nobody here follows; ignored");
        return Ok(Ignored);
    }
    // Communities relay their origin's edits and deletions as
    // Announce{Update} / Announce{Delete}: the origin decides.
    let inner = shared.inner.as_ref();
    let inner_kind = inner.and_then(|i| i.kind.as_deref());
    let relayed_delete = inner_kind == Some("Delete");
    // The relayed activity's id and actor are passed on only when they are
    // the origin's (same server as the object); the sender's word is not
    // enough to say who did what.
    let inner_actor = inner
        .and_then(|i| i.actor.as_ref())
        .filter(|a| crate::wire::guard::same_origin(a, &object_id))
        .map(|a| a.as_str());
    let inner_id = inner
        .and_then(|i| i.id.as_ref())
        .filter(|i| inner_actor.is_some() && crate::wire::guard::same_origin(i, &object_id))
        .map(|i| i.as_str());
    let relay = import::Relay {
        kind: inner_kind.unwrap_or("Announce"),
        id: inner_id,
        actor: inner_actor,
    };
    Ok(match import::article(data, &object_id, Some(relay)).await {
        Ok(Imported::Stored { article, .. }) if !relayed_delete => {
            reactions::record(
                &data.db,
                ANNOUNCE,
                &signer.model,
                &article.ap_id,
                doc.id.as_str(),
            )
            .await?;
            // A remote article: no cached page shows its shares.
            Applied
        }
        Ok(Imported::Stored { .. }) => {
            tracing::info!(id = %doc.id, "relayed Delete of an object its origin still serves; kept");
            Ignored
        }
        Ok(Imported::Gone { .. }) => {
            tracing::info!(id = %object_id, "announced object is gone at its origin");
            Applied
        }
        Ok(Imported::Skipped(why)) => {
            tracing::info!(id = %doc.id, "announced object not kept: {why}");
            Ignored
        }
        // The sender cannot fix what the origin does: accept, store nothing.
        Err(e) => {
            tracing::info!(id = %doc.id, object = %object_id, error = %e, "announced object could not be fetched or verified; nothing stored");
            Ignored
        }
    })
}
