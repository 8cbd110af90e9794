//! `Announce`: a share of one of our objects (counted in its `shares`), or
//! a followed actor sharing a remote article (FEP-1b12). The article is
//! fetched from its own origin by id; an embedded copy is never trusted.

use crate::domain::reactions::{self, ANNOUNCE};
use crate::error::{AppError, AppResult};
use crate::federation::Data;
use crate::federation::import::{self, Imported};
use crate::federation::objects::actor::ApubActor;
use crate::wire::activity::ActivityDoc;
use serde_json::Value;

pub async fn receive(
    data: &Data,
    signer: &ApubActor,
    doc: &ActivityDoc,
) -> AppResult<super::Outcome> {
    use super::Outcome::{Applied, Ignored};
    let Some(object_id) = import::object_of(&serde_json::json!({
        "type": "Announce",
        "object": doc.object,
    })) else {
        return Err(AppError::BadRequest("Announce needs an object id".into()));
    };
    if reactions::is_local_object(&data.db, object_id.as_str()).await? {
        reactions::record(
            &data.db,
            ANNOUNCE,
            &signer.model,
            object_id.as_str(),
            doc.id.as_str(),
        )
        .await?;
        data.changed();
        return Ok(Applied);
    }
    if crate::domain::follows::follower_count(&data.db, &signer.model).await? == 0 {
        tracing::info!(id = %doc.id, "Announce by an actor nobody here follows; ignored");
        return Ok(Ignored);
    }
    // Communities relay their origin's edits and deletions as
    // Announce{Update} / Announce{Delete}: the origin decides.
    let inner = super::object_type(&doc.object);
    let relayed_delete = inner == Some("Delete");
    // The relayed activity's id and actor are passed on only when they are
    // the origin's (same server as the object); the sender's word is not
    // enough to say who did what.
    let inner_actor = doc.object.get("actor").and_then(Value::as_str).filter(|a| {
        url::Url::parse(a).is_ok_and(|a| crate::wire::guard::same_origin(&a, &object_id))
    });
    let inner_id = doc.object.get("id").and_then(Value::as_str).filter(|i| {
        inner_actor.is_some()
            && url::Url::parse(i).is_ok_and(|i| crate::wire::guard::same_origin(&i, &object_id))
    });
    let relay = import::Relay {
        kind: inner.unwrap_or("Announce"),
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
            data.changed();
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
