//! `Delete` of an object: only its author, from its own origin, may delete it.

use crate::error::AppResult;
use crate::federation::Data;
use crate::federation::objects::actor::ApubActor;
use crate::wire::activity::ActivityDoc;

pub async fn receive(
    data: &Data,
    signer: &ApubActor,
    doc: &ActivityDoc,
    object: &url::Url,
) -> AppResult<super::Outcome> {
    if object.as_str() == signer.model.ap_id {
        tracing::info!(actor = %object, "actor deleted; account deletion is not handled yet");
        return Ok(super::Outcome::Ignored);
    }
    if !crate::wire::guard::same_origin(object, &doc.actor) {
        tracing::info!(id = %doc.id, "Delete of another server's object ignored");
        return Ok(super::Outcome::Ignored);
    }
    let deleted = delete_copy(data, signer, doc, object).await?;
    if deleted {
        // A remote copy: no cached page shows it.
        data.committed(crate::cache::Changes::none()).await;
    } else if !crate::domain::comments::delete(data.app_data(), object.as_str(), &signer.model)
        .await?
    {
        tracing::info!(id = %doc.id, object = %object, "Delete of an object we do not have or its actor did not write; ignored");
        return Ok(super::Outcome::Ignored);
    }
    Ok(super::Outcome::Applied)
}

/// Forget our copy of a remote article its author deleted; our communities
/// that shared it pass the deletion on, in the same transaction.
async fn delete_copy(
    data: &Data,
    signer: &ApubActor,
    doc: &ActivityDoc,
    object: &url::Url,
) -> AppResult<bool> {
    // Servers send Deletes of everything to everyone: look before taking
    // the write lock.
    if crate::domain::remote::find(&data.db, object.as_str())
        .await?
        .is_none()
    {
        return Ok(false);
    }
    let txn = crate::db::begin_write(&data.db).await?;
    if !crate::domain::remote::delete_article(&txn, object.as_str(), &signer.model).await? {
        return Ok(false);
    }
    crate::domain::shares::relay(
        data,
        &txn,
        object.as_str(),
        crate::domain::shares::Relay {
            kind: "Delete",
            id: Some(doc.id.as_str()),
            actor: Some(doc.actor.as_str()),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(true)
}
